/**
 * A run's configuration from what a user asked for: the dataset's defaults with the given fields winning, the run
 * folder named after the dataset, method, ablations, fold and seed, and the rules of resuming (the run folder's
 * config.json decides; only the fields that cannot change the training may be given anew). The train command is a
 * thin shell over this; code can call it the same way.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetName } from '../classes.js';
import { defaultConfig, type TrainConfig } from './config.js';

/** The reference's fold seeds (Synapse: three folds with seeds 0, 1, 666); a fold beyond them uses its index. */
export const FOLD_SEEDS: readonly number[] = [0, 1, 666];

/** What a resumed run may change: where and how fast it runs, and whether it tests after training. */
export const RESUME_CHANGEABLE: readonly (keyof TrainConfig)[] = ['device', 'workers', 'threads', 'test'];

/** What a user asks for. */
export interface RunRequest {
  dataset: DatasetName;
  /** Fold index (default 0); picks the seed from FOLD_SEEDS unless `overrides.seed` is given. */
  fold?: number;
  /** Fields given explicitly (e.g. on the command line); they win over defaultConfig(dataset). */
  overrides?: Partial<TrainConfig>;
  /** The run folder (default: runs/ + runName(...)). */
  runDir?: string;
  /** Continue the run in the run folder: its config.json decides, except for RESUME_CHANGEABLE fields. */
  resume?: boolean;
}

/** The resolved configuration, and the overrides a resume did not take (to tell the user). */
export interface ResolvedRun {
  config: TrainConfig;
  ignored: (keyof TrainConfig)[];
}

/** A run folder's config.json (what training wrote), with the defaults of older runs filled in. */
export function readRunConfig(runDir: string): TrainConfig {
  const path = join(runDir, 'config.json');
  if (!existsSync(path)) throw new Error(`${path} not found (is ${runDir} a training run folder?)`);
  let saved: Partial<TrainConfig>;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8')) as Partial<TrainConfig>;
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (!saved.dataset) throw new Error(`${path}: no 'dataset' entry`);
  // Runs from before lrSchedule existed were trained with poly, whatever today's default is.
  return { ...defaultConfig(saved.dataset), lrSchedule: 'poly', ...saved };
}

/** The fold's seed: FOLD_SEEDS[fold], or the fold index itself beyond them. */
export function foldSeed(fold: number): number {
  return FOLD_SEEDS[fold] ?? fold;
}

/** `<dataset>[-<method>][-noabc][-noattn][-nomasks]-fold<f>-seed<s>`: the default run folder name. */
export function runName(
  c: Pick<TrainConfig, 'dataset' | 'method' | 'abc' | 'crossAttention' | 'balanceMasks'>,
  fold: number,
  seed: number,
): string {
  const tags = [
    c.dataset,
    c.method !== 'skcdf' ? c.method : '',
    c.abc ? '' : 'noabc',
    c.crossAttention ? '' : 'noattn',
    c.balanceMasks ? '' : 'nomasks',
  ];
  return `${tags.filter(Boolean).join('-')}-fold${fold}-seed${seed}`;
}

/**
 * The run's configuration. A new run: defaultConfig(dataset) with the overrides, the seed of the fold unless one is
 * given, the run folder runs/<runName> unless one is given. A resumed run: the run folder's config.json, with only
 * the RESUME_CHANGEABLE overrides applied; the others are returned in `ignored`.
 *
 * @example
 * const { config } = resolveRunConfig({ dataset: 'synthetic', fold: 1, overrides: { maxEpochs: 10 } });
 * // config.seed === 1, config.runDir === 'runs/synthetic-fold1-seed1'
 */
export function resolveRunConfig(r: RunRequest): ResolvedRun {
  const fold = r.fold ?? 0;
  const overrides = r.overrides ?? {};
  const seed = overrides.seed ?? foldSeed(fold);
  const base = defaultConfig(r.dataset, { ...overrides, seed });
  const runDir = r.runDir ?? join('runs', runName(base, fold, seed));
  if (!r.resume) return { config: { ...base, runDir }, ignored: [] };
  const saved = readRunConfig(runDir);
  const keys = Object.keys(overrides) as (keyof TrainConfig)[];
  const kept = keys.filter((k) => RESUME_CHANGEABLE.includes(k));
  const ignored = keys.filter((k) => !RESUME_CHANGEABLE.includes(k) && k !== 'seed');
  const changes = Object.fromEntries(kept.map((k) => [k, overrides[k]])) as Partial<TrainConfig>;
  return {
    config: { ...saved, runDir, ...changes },
    ignored: overrides.seed !== undefined ? [...ignored, 'seed'] : ignored,
  };
}

/** How the workers of a data-parallel run were launched (torchrun's flags). */
export interface LaunchShape {
  nprocPerNode: number;
  nnodes?: number;
  masterAddr?: string;
  masterPort?: number;
}

/**
 * The command that resumes a stopped run: `npm run train -- --run-dir R --resume`, with the launch flags of a
 * data-parallel run (a checkpoint resumes only with the world size that wrote it).
 */
export function resumeCommand(runDir: string, launch?: LaunchShape): string {
  const args = ['--run-dir', shellWord(runDir), '--resume'];
  if (launch) {
    args.push('--nproc-per-node', String(launch.nprocPerNode));
    if ((launch.nnodes ?? 1) > 1) {
      args.push('--nnodes', String(launch.nnodes), '--node-rank', "<this node's rank>");
      if (launch.masterAddr) args.push('--master-addr', launch.masterAddr);
      if (launch.masterPort) args.push('--master-port', String(launch.masterPort));
    }
  }
  return `npm run train -- ${args.join(' ')}`;
}

/** A word as a POSIX shell reads it back (quoted only when it has to be). */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}
