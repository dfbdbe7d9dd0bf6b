// What an experiment reads from and adds to a run folder: whether the run is finished or resumable, the runner's
// record of its attempts, the last-epoch test evaluation, and the run's results for the tables.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readSplitFile } from '../data/splits.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { evaluateRun, predictRun } from '../pipeline.js';
import { readRunConfig } from '../training/run-config.js';

/** 'finished': the pipeline wrote summary.json after the last training log line; 'resumable': last.pth exists. */
export type RunState = 'finished' | 'resumable' | 'new';

const mtime = (path: string): number => statSync(path).mtimeMs;

/**
 * A run folder's state. summary.json (written last by the pipeline) marks a finished run, unless log.jsonl is newer
 * (the folder was trained again after it finished, and that run has not finished yet).
 */
export function runState(runDir: string): RunState {
  const summary = join(runDir, 'summary.json');
  const log = join(runDir, 'log.jsonl');
  if (existsSync(summary) && (!existsSync(log) || mtime(summary) >= mtime(log))) return 'finished';
  return existsSync(join(runDir, 'last.pth')) && existsSync(join(runDir, 'config.json')) ? 'resumable' : 'new';
}

/** One child process of a run (the first one, or a --resume after an interruption). */
export interface RunAttempt {
  command: string;
  startedAt: string;
  /** Wall-clock seconds of the child process. */
  seconds: number;
  /** Exit code, or the signal's name when the child was killed by one. */
  exit: number | string;
  loadAverage: number[];
  commit: string;
}

/** `<runDir>/experiment-run.json`: the runner's record of a run. */
export interface RunRecord {
  row: string;
  seed: number;
  /** The command that makes this run from scratch (`npm run train -- ...`). */
  command: string;
  attempts: RunAttempt[];
}

/** The path of a run's record. */
export const recordPath = (runDir: string): string => join(runDir, 'experiment-run.json');

/** Reads `<runDir>/experiment-run.json`, or undefined when there is none. */
export function readRunRecord(runDir: string): RunRecord | undefined {
  const path = recordPath(runDir);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** Writes `<runDir>/experiment-run.json` atomically. */
export function writeRunRecord(runDir: string, record: RunRecord): void {
  writeFileAtomic(recordPath(runDir), JSON.stringify(record, null, 2) + '\n');
}

/** Where the last-epoch evaluation's tables go: `<runDir>/evaluation-last/evaluation/evaluation.json`. */
export const lastEvaluationPath = (runDir: string): string =>
  join(runDir, 'evaluation-last', 'evaluation', 'evaluation.json');

/** Whether a finished run's last-epoch evaluation is there (and newer than its summary.json). */
export function hasLastEpochEvaluation(runDir: string): boolean {
  const path = lastEvaluationPath(runDir);
  return existsSync(path) && mtime(path) >= mtime(join(runDir, 'summary.json'));
}

/**
 * Predicts the run's test split with `<runDir>/last.pth` (the last epoch's weights) into `<runDir>/predictions-last`
 * and evaluates it into `<runDir>/evaluation-last` (tables under evaluation/, report.html without overlays).
 * `cwd` is the folder the run was trained in (its config.json's relative data and split paths start there).
 */
export function evaluateLastEpoch(runDir: string, cwd = process.cwd()): void {
  const split = readSummary(runDir).testSplit ?? 'test';
  const c = readRunConfig(runDir);
  const ids = readSplitFile(resolve(cwd, c.splitsDir, `${split}.txt`));
  const dataDir = resolve(cwd, c.dataDir);
  const predDir = join(runDir, 'predictions-last');
  predictRun({ runDir, ids, dataDir, checkpoint: join(runDir, 'last.pth'), outDir: predDir, device: c.device });
  evaluateRun({
    runDir,
    split,
    ids,
    dataDir,
    predDir,
    outDir: join(runDir, 'evaluation-last'),
    overlaySlices: 0,
    log: null,
  });
}

/** What the pipeline wrote to summary.json. */
export interface RunSummaryFile {
  bestEpoch: number;
  epochs: number;
  testMeanDice: number;
  testSplit?: string;
  finishedAt?: string;
}

function readJson<T>(path: string): T {
  if (!existsSync(path)) throw new Error(`${path} not found`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** A finished run's `<runDir>/summary.json`. */
export function readSummary(runDir: string): RunSummaryFile {
  return readJson<RunSummaryFile>(join(runDir, 'summary.json'));
}

/** The parts of evaluation.json the tables use (non-finite numbers are stored as strings there). */
export interface EvaluationDigest {
  meanDice: number;
  /** Organ name -> mean Dice (%) over the split's cases. */
  perOrgan: Record<string, number>;
  /** Organ name -> ground-truth voxels summed over the split's cases. */
  voxels: Record<string, number>;
}

interface EvaluationFile {
  perClass: { classIndex: number; name: string; dice: number | string }[];
  overall: { dice: { mean: number | string } };
  results: { fold: number; classes: { classIndex: number; nLabel: number }[] }[];
}

/** Per-organ Dice and ground-truth sizes from an evaluation.json. */
export function readEvaluationDigest(path: string): EvaluationDigest {
  const ev = readJson<EvaluationFile>(path);
  if (!Array.isArray(ev.perClass) || !Array.isArray(ev.results))
    throw new Error(`${path}: not an evaluation.json (no perClass/results)`);
  const perOrgan: Record<string, number> = {};
  const voxels: Record<string, number> = {};
  const names = new Map<number, string>();
  for (const c of ev.perClass) {
    perOrgan[c.name] = Number(c.dice);
    voxels[c.name] = 0;
    names.set(c.classIndex, c.name);
  }
  for (const r of ev.results.filter((x) => x.fold === 0)) {
    for (const m of r.classes) voxels[names.get(m.classIndex)!] += m.nLabel;
  }
  return { meanDice: Number(ev.overall.dice.mean), perOrgan, voxels };
}
