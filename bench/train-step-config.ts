// Configuration presets of bench/train-step.ts: which model and patch one measured training step uses.
import { readFileSync } from 'node:fs';
import { datasetInfo } from '../lib/skcdf/classes.js';
import { defaultConfig } from '../lib/skcdf/training/config.js';
import { intOption } from './harness.js';

/**
 * The presets: 'bench' (the bench's own small step: F 16, patch 32x64x64, 14 classes, dropout on), 'synthetic' (what
 * `npm run train` trains by default), 'paper' (the paper's Synapse configuration).
 */
export type TrainStepConfigName = 'bench' | 'synthetic' | 'paper';
/** Every {@link TrainStepConfigName}, in the order the usage message lists them. */
export const TRAIN_STEP_CONFIGS: readonly TrainStepConfigName[] = ['bench', 'synthetic', 'paper'];

/** One preset: the model and inputs of a measured step, and the repetition counts it defaults to. */
export interface TrainStepPreset {
  name: TrainStepConfigName;
  nFilters: number;
  nClasses: number;
  /** Training patch [D, H, W] (the inputs' spatial shape). */
  patch: [number, number, number];
  /** Encoder/decoder Dropout3d on (both sides build the model with it or without it). */
  hasDropout: boolean;
  /** Default timed iterations, warm-up iterations and process pairs (flags and env override them). */
  iters: number;
  warmup: number;
  pairs: number;
}

/**
 * A preset by name. 'synthetic' and 'paper' read the filters, patch and dropout of the training defaults
 * (`defaultConfig('synthetic')`, `defaultConfig('synapse')`) and the class count of the dataset, so they follow the
 * trainer. 'paper' defaults to 2 timed iterations after 1 warm-up in 1 pair: one iteration takes over a minute per side
 * on a 2-core CPU and about 20 GiB.
 */
export function trainStepPreset(name: string): TrainStepPreset {
  const counts = { iters: 5, warmup: 2, pairs: 5 };
  if (name === 'bench') return { name, nFilters: 16, nClasses: 14, patch: [32, 64, 64], hasDropout: true, ...counts };
  if (name === 'synthetic' || name === 'paper') {
    const dataset = name === 'paper' ? 'synapse' : 'synthetic';
    const c = defaultConfig(dataset);
    return {
      name,
      nFilters: c.nFilters,
      nClasses: datasetInfo(dataset).numClasses,
      patch: [c.patch[0], c.patch[1], c.patch[2]],
      hasDropout: c.hasDropout,
      ...(name === 'paper' ? { iters: 2, warmup: 1, pairs: 1 } : counts),
    };
  }
  throw new Error(`--config / BENCH_CONFIG: expected one of ${TRAIN_STEP_CONFIGS.join(', ')}, got '${name}'`);
}

/** The preset that `--config NAME` (or else BENCH_CONFIG, or else 'bench') names. */
export function presetOption(argv: readonly string[]): TrainStepPreset {
  const i = argv.indexOf('--config');
  if (i >= 0 && argv[i + 1] === undefined) throw new Error('--config: expected a name after it');
  return trainStepPreset(i >= 0 ? argv[i + 1]! : (process.env.BENCH_CONFIG ?? 'bench'));
}

/** Iterations, warm-up and pairs: `--iters` / `--warmup` / `--pairs` (or their BENCH_ env), else the preset's. */
export function repetitionOptions(
  argv: readonly string[],
  preset: TrainStepPreset,
  instructions: boolean,
): { iters: number; warmup: number; pairs: number } {
  return {
    iters: intOption(argv, '--iters', 'BENCH_ITERS', instructions ? 5 : preset.iters),
    warmup: intOption(argv, '--warmup', 'BENCH_WARMUP', preset.warmup, 0),
    pairs: intOption(argv, '--pairs', 'BENCH_PAIRS', preset.pairs),
  };
}

/** This process's resident set now, in KiB (VmRSS of /proc/self/status), or NaN where that file is missing. */
export function vmRssKiB(): number {
  return procStatusKiB('VmRSS');
}

/** A KiB field of /proc/self/status (VmRSS, VmHWM, ...), or NaN where the file or field is missing. */
export function procStatusKiB(field: string): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}
