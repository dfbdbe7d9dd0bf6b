// The experiment's results: every finished run of an output folder as a record, the machine and commit they were
// made on, and docs/results.{json,md,svg} written from them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../io/atomic.js';
import { readRunConfig } from '../training/run-config.js';
import { EXPERIMENT_ROWS } from './rows.js';
import {
  hasLastEpochEvaluation,
  lastEvaluationPath,
  readEvaluationDigest,
  readRunRecord,
  readSummary,
  runState,
} from './run-folder.js';
import { resultsMarkdown } from './tables.js';
import { resultsFigure } from './figure.js';

/** One finished run, as results.json lists it (Dice in percent). */
export interface RunResult {
  row: string;
  seed: number;
  /** The command that makes this run (`npm run train -- ...`). */
  command: string;
  /** Mean test Dice of the best checkpoint (best validation epoch), in percent. */
  testMeanDice: number;
  perOrgan: Record<string, number>;
  /** Mean test Dice of the last epoch's weights (last.pth), in percent. */
  lastEpochTestMeanDice: number;
  lastEpochPerOrgan: Record<string, number>;
  /** Wall-clock seconds of the train commands (summed over resumed attempts); null when not made by the experiment. */
  seconds: number | null;
  bestEpoch: number;
  epochs: number;
  runDir: string;
  finishedAt?: string;
  /** Git commit and load average when the run's first attempt started. */
  commit?: string;
  loadAverageAtStart?: number[];
}

/** The machine, as results.json and results.md name it. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
}

/** This machine: the first CPU's model, the number of logical cores, total memory in GiB. */
export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}

/**
 * The checked-out commit (with '-dirty' when tracked files changed), or 'unknown' outside a git work tree. Changes to
 * `outputs` (absolute paths: the files an experiment itself rewrites, such as docs/results.md) do not count.
 */
export function gitCommit(cwd: string, outputs: readonly string[] = []): string {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const head = git('rev-parse', 'HEAD').trim();
    const top = git('rev-parse', '--show-toplevel').trim();
    const own = new Set(outputs.map((p) => resolve(p)));
    // -z: NUL-separated "XY path" entries, paths relative to the top level and unquoted; a rename adds its source.
    const entries = git('status', '--porcelain', '-z', '--untracked-files=no').split('\0');
    const changed: string[] = [];
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.length < 4) continue;
      changed.push(e.slice(3));
      if (e[0] === 'R' || e[0] === 'C') changed.push(entries[++i]!);
    }
    return changed.some((p) => !own.has(resolve(top, p))) ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

/** The 1, 5 and 15 minute load averages, rounded to 2 decimals. */
export function loadAverage(): number[] {
  return loadavg().map((v) => Math.round(v * 100) / 100);
}

/** One finished run folder (with its last-epoch evaluation) as a RunResult, plus its test organs' voxel counts. */
export function readRunResult(
  runDir: string,
  row: string,
  seed: number,
  command: string,
): { result: RunResult; voxels: Record<string, number> } {
  const summary = readSummary(runDir);
  const best = readEvaluationDigest(join(runDir, 'evaluation', 'evaluation.json'));
  const last = readEvaluationDigest(lastEvaluationPath(runDir));
  const record = readRunRecord(runDir);
  const first = record?.attempts[0];
  const result: RunResult = {
    row,
    seed,
    command: record?.command ?? command,
    testMeanDice: best.meanDice,
    perOrgan: best.perOrgan,
    lastEpochTestMeanDice: last.meanDice,
    lastEpochPerOrgan: last.perOrgan,
    seconds: record ? Math.round(record.attempts.reduce((s, a) => s + a.seconds, 0) * 10) / 10 : null,
    bestEpoch: summary.bestEpoch,
    epochs: summary.epochs,
    runDir,
    finishedAt: summary.finishedAt,
    commit: first?.commit,
    loadAverageAtStart: first?.loadAverage,
  };
  return { result, voxels: best.voxels };
}

/** Every finished run (with its last-epoch evaluation) in `outDir` (relative to `cwd`), in row then seed order. */
export function collectResults(
  cwd: string,
  outDir: string,
  commandOf: (row: string, seed: number) => string,
): { results: RunResult[]; voxels: Record<string, number> } {
  const abs = resolve(cwd, outDir);
  const results: RunResult[] = [];
  let voxels: Record<string, number> = {};
  if (!existsSync(abs)) return { results, voxels };
  for (const name of readdirSync(abs).sort()) {
    const m = /^(.+)-seed(\d+)$/.exec(name);
    if (!m || !EXPERIMENT_ROWS.some((r) => r.id === m[1])) continue;
    const dir = join(abs, name);
    if (runState(dir) !== 'finished' || !hasLastEpochEvaluation(dir)) continue;
    const r = readRunResult(dir, m[1]!, Number(m[2]), commandOf(m[1]!, Number(m[2])));
    results.push({ ...r.result, runDir: join(outDir, name) });
    if (results.length === 1) voxels = r.voxels; // the same test split for every run: the first one's counts
  }
  const order = (id: string): number => EXPERIMENT_ROWS.findIndex((r) => r.id === id);
  results.sort((a, b) => order(a.row) - order(b.row) || a.seed - b.seed);
  return { results, voxels };
}

/** What results.json/results.md say about how the table was made. */
export interface ExperimentMeta {
  date: string;
  commit: string;
  machine: MachineInfo;
  /** Load average when the experiment command started. */
  loadAverageAtStart: number[];
  /** The command that made the table (`npm run experiment -- ...`). */
  command: string;
  dataset: string;
}

/** The run folder's dataset must be the experiment's (runs of another dataset in the same folder would mix). */
export function checkDataset(runDir: string, dataset: string): void {
  if (!existsSync(join(runDir, 'config.json'))) return;
  const have = readRunConfig(runDir).dataset;
  if (have !== dataset)
    throw new Error(`${runDir} holds a ${have} run, not ${dataset}: use another --out-dir for ${dataset}`);
}

/** The files `writeExperimentDocs` writes into `docsDir`. */
export function experimentDocPaths(docsDir: string): { json: string; md: string; svg: string } {
  return { json: join(docsDir, 'results.json'), md: join(docsDir, 'results.md'), svg: join(docsDir, 'results.svg') };
}

/** Writes `<docsDir>/results.json`, `results.md` and `results.svg` (each atomically) from the finished runs. */
export function writeExperimentDocs(
  docsDir: string,
  results: readonly RunResult[],
  voxels: Record<string, number>,
  meta: ExperimentMeta,
): { json: string; md: string; svg: string } {
  mkdirSync(docsDir, { recursive: true });
  const paths = experimentDocPaths(docsDir);
  writeFileAtomic(paths.json, JSON.stringify({ ...meta, organVoxels: voxels, runs: results }, null, 2) + '\n');
  writeFileAtomic(paths.md, resultsMarkdown(results, voxels, meta));
  writeFileAtomic(paths.svg, resultsFigure(results, voxels));
  return paths;
}
