// The experiment runner: every (seed, row) run as a child `train` process of the same command line, one at a time,
// resumable (finished runs are kept, interrupted ones continue with --resume), the last epoch's test Dice after each
// run, and docs/results.{json,md,svg} rewritten from all finished runs whenever a run finishes.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DatasetName } from '../classes.js';
import { NODE_FLAGS } from '../../torch/node-flags.js';
import { EXPERIMENT_ROWS, runSpec, trainCommandLine, type ExperimentRow, type RunSpec } from './rows.js';
import {
  evaluateLastEpoch,
  hasLastEpochEvaluation,
  readRunRecord,
  readSummary,
  runState,
  writeRunRecord,
  type RunRecord,
} from './run-folder.js';
import {
  checkDataset,
  collectResults,
  experimentDocPaths,
  gitCommit,
  loadAverage,
  machineInfo,
  writeExperimentDocs,
  type ExperimentMeta,
} from './results.js';

/** What to run (rows x seeds of one dataset), where, and how to report it. */
export interface ExperimentOptions {
  rows: readonly ExperimentRow[];
  seeds: readonly number[];
  dataset: DatasetName;
  /** Run folders go to `<outDir>/<row>-seed<seed>` (relative to `cwd`). */
  outDir: string;
  /** results.json, results.md and results.svg go here (relative to `cwd`). */
  docsDir: string;
  /** Extra train arguments of every run (before the row's flags), e.g. a smaller network for a quick check. */
  trainArgs?: readonly string[];
  /** The command that made the table, as results.md shows it. */
  command: string;
  /** Working folder of the runs (default: this process's). */
  cwd?: string;
  log?: (message: string) => void;
  onEvent?: (event: ExperimentEvent) => void;
}

/**
 * What the runner did: 'skip' (finished before, no child), 'spawn' (a train child; `resume` when continued), 'exit'.
 */
export type ExperimentEvent =
  | { type: 'skip'; run: RunSpec }
  | { type: 'spawn'; run: RunSpec; args: string[]; resume: boolean }
  | { type: 'exit'; run: RunSpec; exit: number | string; seconds: number }
  | { type: 'last-epoch'; run: RunSpec }
  | { type: 'docs'; paths: { json: string; md: string; svg: string } };

/** What {@link Experiment.run} did. */
export interface ExperimentResult {
  /** Set when the experiment stopped on a signal (its runs are resumable). */
  interrupted?: NodeJS.Signals;
  /** Runs trained (or continued) by this call, and runs found finished. */
  ran: number;
  skipped: number;
  docs?: { json: string; md: string; svg: string };
}

/**
 * The node arguments that run this package's command line: `dist/cli/main.js` when running compiled, else
 * `--import <tsx> lib/cli/main.ts` (tsx as an import hook in the child itself, so signals reach it directly).
 */
export function cliEntry(): string[] {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return [join(dirname(here), '..', '..', 'cli', 'main.js')];
  let tsx: string;
  try {
    tsx = pathToFileURL(
      join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'esm', 'index.mjs'),
    ).href;
  } catch {
    throw new Error(
      `experiment: running from the TypeScript sources (${here}) needs tsx installed; build the project or install tsx`,
    );
  }
  return ['--import', tsx, join(dirname(here), '..', '..', 'cli', 'main.ts')];
}

/** The commit recorded is the one of this code (not of the working folder). */
const CODE_DIR = dirname(fileURLToPath(import.meta.url));
/** A path relative to `cwd` when it lies inside it. */
const shown = (cwd: string, path: string): string =>
  relative(cwd, path).startsWith('..') ? path : relative(cwd, path);
const tail = (path: string, lines: number): string =>
  existsSync(path) ? readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
const signalOf = (exit: number | string): NodeJS.Signals | undefined =>
  exit === 130 || exit === 'SIGINT' ? 'SIGINT' : exit === 143 || exit === 'SIGTERM' ? 'SIGTERM' : undefined;

/** An ablation experiment: `run()` trains what is missing; `interrupt()` (Ctrl-C) stops it resumably. */
export class Experiment {
  private child: ChildProcess | undefined;
  private stop: NodeJS.Signals | undefined;
  private readonly cwd: string;
  private readonly log: (message: string) => void;

  constructor(private readonly o: ExperimentOptions) {
    this.cwd = o.cwd ?? process.cwd();
    this.log = o.log ?? (() => {});
  }

  /** Stops after the current run: forwards `signal` to the train child (again on every call) and starts no other. */
  interrupt(signal: NodeJS.Signals = 'SIGINT'): void {
    this.stop ??= signal;
    this.child?.kill(signal);
  }

  /** The code's commit; the table's own files (which a resumed experiment has rewritten) do not make it dirty. */
  private commit(): string {
    return gitCommit(CODE_DIR, Object.values(experimentDocPaths(this.abs(this.o.docsDir))));
  }

  /** Runs every (seed, row) in seed-major order (a complete paired table early), skipping finished runs. */
  async run(): Promise<ExperimentResult> {
    const o = this.o;
    const meta: ExperimentMeta = {
      date: new Date().toISOString(),
      commit: this.commit(),
      machine: machineInfo(),
      loadAverageAtStart: loadAverage(),
      command: o.command,
      dataset: o.dataset,
    };
    const specs = o.seeds.flatMap((seed) => o.rows.map((row) => runSpec(row, seed, o)));
    for (const s of specs) checkDataset(this.abs(s.runDir), o.dataset);
    const result: ExperimentResult = { ran: 0, skipped: 0 };
    for (const [i, spec] of specs.entries()) {
      if (this.stop) break;
      const dir = this.abs(spec.runDir);
      if (runState(dir) === 'finished') {
        result.skipped++;
        o.onEvent?.({ type: 'skip', run: spec });
      } else {
        this.log(`[${i + 1}/${specs.length}] ${spec.row.id} seed ${spec.seed}: ${trainCommandLine(spec.args)}`);
        await this.train(spec);
        result.ran++;
        if (this.stop) break;
      }
      if (!hasLastEpochEvaluation(dir)) {
        this.lastEpoch(spec);
        result.docs = this.writeDocs(meta);
      }
    }
    // Nothing new (every run was finished): the docs are still rewritten, e.g. after a change to the tables.
    if (!this.stop && !result.docs) result.docs = this.writeDocs(meta);
    return { ...result, interrupted: this.stop };
  }

  private abs(path: string): string {
    return resolve(this.cwd, path);
  }

  /** One run to its end (fresh, or --resume from last.pth); throws when the child fails. */
  private async train(spec: RunSpec): Promise<void> {
    const dir = this.abs(spec.runDir);
    const resume = runState(dir) === 'resumable';
    const args = resume ? [...spec.args, '--resume'] : spec.args;
    const command = trainCommandLine(spec.args);
    const record: RunRecord = (resume ? readRunRecord(dir) : undefined) ?? {
      row: spec.row.id,
      seed: spec.seed,
      command,
      attempts: [],
    };
    mkdirSync(dir, { recursive: true });
    const started = new Date();
    const attempt = {
      command: trainCommandLine(args),
      startedAt: started.toISOString(),
      loadAverage: loadAverage(),
      commit: this.commit(),
    };
    this.o.onEvent?.({ type: 'spawn', run: spec, args, resume });
    const exit = await this.spawnTrain(args, join(dir, 'experiment.log'));
    const seconds = (Date.now() - started.getTime()) / 1000;
    record.attempts.push({ ...attempt, seconds, exit });
    writeRunRecord(dir, record);
    this.o.onEvent?.({ type: 'exit', run: spec, exit, seconds });
    this.checkExit(spec, exit, command);
  }

  private checkExit(spec: RunSpec, exit: number | string, command: string): void {
    const dir = this.abs(spec.runDir);
    const logPath = join(spec.runDir, 'experiment.log');
    if (exit === 0 && runState(dir) === 'finished') {
      this.log(
        `${spec.runDir}: finished, test mean Dice ${readSummary(dir).testMeanDice.toFixed(2)} % (best checkpoint)`,
      );
      return;
    }
    if (this.stop) return;
    const signal = signalOf(exit);
    if (signal) {
      this.stop = signal;
      this.log(
        `${spec.runDir}: the train process stopped on ${signal} from outside the experiment; rerun the experiment to ` +
          `resume it`,
      );
      return;
    }
    const why = exit === 0 ? 'exited 0 without writing summary.json' : `failed (exit ${exit})`;
    throw new Error(
      `${spec.runDir}: \`${command}\` ${why}; its output is in ${logPath}:\n${tail(join(dir, 'experiment.log'), 15)}`,
    );
  }

  /** Spawns `train <args>` (stdout and stderr appended to `logPath`) and resolves with its exit code or signal. */
  private spawnTrain(args: readonly string[], logPath: string): Promise<number | string> {
    const fd = openSync(logPath, 'a');
    let child: ChildProcess;
    try {
      writeSync(fd, `\n# ${new Date().toISOString()} ${trainCommandLine(args)}\n`);
      // Own process group: a terminal's Ctrl-C reaches the experiment only, which forwards it once.
      child = spawn(process.execPath, [...NODE_FLAGS, ...cliEntry(), 'train', ...args], {
        cwd: this.cwd,
        stdio: ['ignore', fd, fd],
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    const killOnExit = (): void => {
      child.kill('SIGTERM');
    };
    process.on('exit', killOnExit);
    return new Promise((done, fail) => {
      child.on('error', (err) => {
        process.off('exit', killOnExit);
        this.child = undefined;
        fail(err);
      });
      child.on('exit', (code, signal) => {
        process.off('exit', killOnExit);
        this.child = undefined;
        done(code ?? signal ?? 'unknown');
      });
    });
  }

  /** The test split predicted with last.pth and evaluated (in this process). */
  private lastEpoch(spec: RunSpec): void {
    this.log(`${spec.runDir}: predicting the test split with last.pth (last-epoch Dice)`);
    evaluateLastEpoch(this.abs(spec.runDir), this.cwd);
    this.o.onEvent?.({ type: 'last-epoch', run: spec });
  }

  /** results.{json,md,svg} from every finished run in the output folder (undefined when there is none yet). */
  private writeDocs(meta: ExperimentMeta): ExperimentResult['docs'] {
    const commandOf = (row: string, seed: number): string =>
      trainCommandLine(
        runSpec(
          EXPERIMENT_ROWS.find((r) => r.id === row)!,
          seed,
          this.o,
        ).args,
      );
    const { results, voxels } = collectResults(this.cwd, this.o.outDir, commandOf);
    if (!results.length) return undefined;
    const paths = writeExperimentDocs(this.abs(this.o.docsDir), results, voxels, meta);
    this.o.onEvent?.({ type: 'docs', paths });
    this.log(
      `${results.length} finished run(s) -> ` +
        `${[paths.md, paths.json, paths.svg].map((p) => shown(this.cwd, p)).join(', ')}`,
    );
    return paths;
  }
}
