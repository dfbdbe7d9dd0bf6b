// The ablation table's rows and the exact `npm run train` command of each (row, seed) run.
import { join } from 'node:path';
import type { DatasetName } from '../classes.js';

/** One row of the ablation table: an id (also the run folder's prefix) and the train flags it adds. */
export interface ExperimentRow {
  id: string;
  /** What the row measures, for the tables. */
  description: string;
  flags: readonly string[];
}

/** The rows, in table order; 'skcdf' is the reference the others are compared with. */
export const EXPERIMENT_ROWS: readonly ExperimentRow[] = [
  { id: 'skcdf', description: 'SKCDF (labeled + unlabeled)', flags: [] },
  { id: 'labeled-only', description: 'SKCDF without unlabeled data', flags: ['--method', 'labeled-only'] },
  { id: 'no-abc', description: 'without the class-balanced auxiliary branch', flags: ['--no-abc'] },
  { id: 'no-cross-attention', description: 'without cross-attention', flags: ['--no-cross-attention'] },
  { id: 'no-balance-masks', description: 'without class-balance masks', flags: ['--no-balance-masks'] },
  {
    id: 'all-labeled',
    description: "SKCDF's network, every training case labeled",
    flags: ['--method', 'labeled-only', '--labeled', 'train'],
  },
];

/** The row every other row is compared with. */
export const REFERENCE_ROW = 'skcdf';

/** Default seeds of each row. */
export const DEFAULT_SEEDS: readonly number[] = [0, 1, 2];

/** The rows named in a comma-separated list (all rows when undefined), in table order; unknown ids are an error. */
export function selectRows(list?: string): ExperimentRow[] {
  if (list === undefined) return [...EXPERIMENT_ROWS];
  const ids = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !EXPERIMENT_ROWS.some((r) => r.id === id));
  if (unknown.length || !ids.length) {
    throw new Error(
      `--rows: unknown row(s) '${unknown.join(', ') || list}'; the rows are ` +
      `${EXPERIMENT_ROWS.map((r) => r.id).join(', ')}`,
    );
  }
  return EXPERIMENT_ROWS.filter((r) => ids.includes(r.id));
}

/** Seeds from a comma-separated list of non-negative integers (e.g. '0,1,2,3'); duplicates are an error. */
export function parseSeeds(list: string): number[] {
  const seeds = list.split(',').map((s) => s.trim());
  const bad = seeds.filter((s) => !/^\d+$/.test(s));
  if (bad.length || !seeds.length)
    throw new Error(`--seeds must be comma-separated non-negative integers, e.g. 0,1,2; got '${list}'`);
  const out = seeds.map(Number);
  if (new Set(out).size !== out.length) throw new Error(`--seeds: '${list}' names a seed twice`);
  return out;
}

/** Flags the runner sets itself: extra train arguments must not contain them. */
export const MANAGED_FLAGS: readonly string[] = [
  '--seed',
  '--run-dir',
  '--resume',
  '--dataset',
  '--no-test',
  '--fold',
  '--nproc-per-node',
];

/** Splits extra train arguments given as one string (whitespace-separated; single or double quotes group). */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]!);
  const managed = out.filter((a) => MANAGED_FLAGS.includes(a.split('=')[0]!));
  if (managed.length)
    throw new Error(`--train-args: ${managed.join(', ')} are set by the experiment itself (per row and seed)`);
  return out;
}

/** What one run of the table is: its row, seed, folder and train arguments (after `train`). */
export interface RunSpec {
  row: ExperimentRow;
  seed: number;
  runDir: string;
  /** The train arguments of a fresh run (add '--resume' to continue it). */
  args: string[];
}

/** `<outDir>/<row>-seed<seed>`. */
export function runDirOf(outDir: string, rowId: string, seed: number): string {
  return join(outDir, `${rowId}-seed${seed}`);
}

/**
 * The train arguments of a run: `--dataset D`, the extra arguments, the row's flags (after the extra ones, so
 * they win where both set an option), then `--seed S --run-dir <outDir>/<row>-seed<S>`.
 */
export function runSpec(
  row: ExperimentRow,
  seed: number,
  o: { dataset: DatasetName; outDir: string; trainArgs?: readonly string[] },
): RunSpec {
  const runDir = runDirOf(o.outDir, row.id, seed);
  const args = [
    '--dataset',
    o.dataset,
    ...(o.trainArgs ?? []),
    ...row.flags,
    '--seed',
    String(seed),
    '--run-dir',
    runDir,
  ];
  return { row, seed, runDir, args };
}

/** An argument as a POSIX shell reads it back (single-quoted unless it is plain). */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command a user pastes to make the same run: `npm run train -- <args>`. */
export function trainCommandLine(args: readonly string[]): string {
  return ['npm run train --', ...args.map(shellQuote)].join(' ');
}
