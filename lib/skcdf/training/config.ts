// Training configuration: the reference's hyper-parameters per dataset, the method and its ablations.
import { join } from 'node:path';
import type { Shape3 } from '../../data/resize.js';
import { datasetInfo, type DatasetName } from '../classes.js';
import { fractionTag } from '../data/splits.js';
import { cosineLr, polyLr } from '../../optim/schedulers.js';

/**
 * 'skcdf': the paper's method (labeled + unlabeled batches, decoupled decoders, weight averaging into decoder_u,
 * evaluated with decoder_u). 'supervised': the same network trained on the labeled batches only (decoder_l path,
 * same DC+CE losses, no weight averaging), evaluated with decoder_l: the baseline the unlabeled data must beat.
 * 'labeled-only': SKCDF without unlabeled data: each iteration first averages decoder_l's main head with its ABC
 * head (step 1a; not with `abc: false`), then trains exactly as 'supervised' (decoder_u is neither trained nor
 * averaged), evaluated with decoder_l. Every method runs the same schedule: epochs, iterations per epoch
 * (floor(#unlabeled / batch), so the baselines take as many optimizer steps as SKCDF) and learning rates.
 */
export type TrainMethod = 'skcdf' | 'supervised' | 'labeled-only';
/** Every {@link TrainMethod}, in the order the command line lists them. */
export const TRAIN_METHODS: readonly TrainMethod[] = ['skcdf', 'supervised', 'labeled-only'];

/**
 * How the learning rate falls from `lr` over epochs 0..maxEpochs: 'poly' is the reference's lr (1 - e / maxEpochs)^0.9,
 * 'cosine' lr (1 + cos(pi e / maxEpochs)) / 2 (about the same learning rate through the middle of the run, far
 * smaller in its last tenth). Either is evaluated at the end of epoch e for epoch e + 1.
 */
export type LrSchedule = 'poly' | 'cosine';
/** Every {@link LrSchedule}, in the order the command line lists them. */
export const LR_SCHEDULES: readonly LrSchedule[] = ['poly', 'cosine'];

/**
 * Whether a method trains on unlabeled batches (only SKCDF; the baselines load them for the schedule but ignore them).
 */
export function usesUnlabeledData(method: TrainMethod): boolean {
  return method === 'skcdf';
}

/** Everything a training run depends on; saved as the run folder's config.json. */
export interface TrainConfig {
  dataset: DatasetName;
  /** Folder of preprocessed `<id>_image.npy` / `<id>_label.npy`. */
  dataDir: string;
  /** Folder of split files (labeled_XXp.txt, unlabeled_XXp.txt, eval.txt). */
  splitsDir: string;
  labeledSplit: string;
  unlabeledSplit: string;
  evalSplit: string;
  runDir: string;
  /** max_epoch; the loop runs epochs 0..maxEpochs inclusive, as the reference. */
  maxEpochs: number;
  /** n labeled + n unlabeled per iteration. */
  batchSize: number;
  lr: number;
  /** The learning rate's decay over the epochs (the paper: 'poly'). */
  lrSchedule: LrSchedule;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  emaW: number;
  cpsW: number;
  patch: Shape3;
  nFilters: number;
  numHeads: number;
  hasDropout: boolean;
  /** Validate after every evalEvery-th epoch (0: never), every epoch from evalEveryEpochFrom on, and the last epoch. */
  evalEvery: number;
  /**
   * From this epoch on, validate after every epoch (absent: evalEvery alone decides). Runs whose best checkpoint
   * comes late (a decaying learning rate) need no validation early on but every one at the end.
   */
  evalEveryEpochFrom?: number;
  patience: number;
  seed: number;
  device: string;
  workers: number;
  threads?: number;
  /** Stop after this many iterations per epoch (quick runs); default: all. */
  maxIterations?: number;
  /** Mixed precision: autocast forwards (float16 with gradient scaling on CUDA, bfloat16 on CPU). */
  amp?: boolean;
  method: TrainMethod;
  /** Ablation: false drops the class-balanced auxiliary branch (no out_conv9_abc losses, no ABC averaging). */
  abc: boolean;
  /** Ablation: false bypasses both cross-attention blocks (the bottleneck goes straight to the decoders). */
  crossAttention: boolean;
  /** Ablation: false sets every keep probability to 1 (no class-balance masks on the ABC losses). */
  balanceMasks: boolean;
  /**
   * Analysis: validate decoder_l too (logged as evalDiceL / evalMeanDiceL). decoder_l makes SKCDF's pseudo labels,
   * so this shows their quality per organ over time, and how far decoder_u lags behind it.
   */
  evalBothDecoders?: boolean;
  /**
   * After training, predict the test split with the best checkpoint, evaluate it and write the report (what
   * `npm run train` does; runPipeline). Saved in config.json, so a resumed run keeps the choice.
   */
  test: boolean;
}

/** max_epoch of the built-in synthetic run (epochs 0..40, 451 iterations). */
const SYNTHETIC_MAX_EPOCHS = 40;

/**
 * Whether the run validates after `epoch` ({@link TrainConfig.evalEvery}, {@link TrainConfig.evalEveryEpochFrom}; the
 * last epoch always, unless evalEvery is 0).
 */
export function validatesAfter(
  c: Pick<TrainConfig, 'evalEvery' | 'evalEveryEpochFrom' | 'maxEpochs'>,
  epoch: number,
): boolean {
  if (c.evalEvery <= 0) return false;
  return epoch % c.evalEvery === 0 || epoch >= (c.evalEveryEpochFrom ?? Infinity) || epoch === c.maxEpochs;
}

/** The paper's training patch [D, H, W] (Synapse and AMOS). */
export const PAPER_PATCH: Readonly<Shape3> = [64, 128, 128];

/** The built-in synthetic dataset: what `npm run train` generates when data/synthetic is missing. */
export interface SyntheticDataConfig {
  cases: number;
  /** Generated (and preprocessed) volume shape [z, y, x]. */
  shape: Shape3;
  /** Field of view in mm [z, y, x] and its centre (mm, body coordinates). */
  fovMm: Shape3;
  centerMm: Shape3;
  seed: number;
  /** Labeled fraction of the train split (gives labeled_XXp / unlabeled_XXp). */
  labeledFraction: number;
}

/** The built-in synthetic set `npm run train` generates: 40 cases of 32x64x64, 15 % labeled. */
export const SYNTHETIC_DATA: Readonly<SyntheticDataConfig> = {
  cases: 40,
  shape: [32, 64, 64],
  fovMm: [144, 208, 288],
  centerMm: [35, 0, 0],
  seed: 0,
  // The paper's main setting: 20 % of the training cases labeled (5 of 27 here).
  labeledFraction: 0.2,
};

/** Split names of a labeled fraction: labeled_20p / unlabeled_20p for 0.2. */
export function labeledSplitNames(fraction: number): { labeled: string; unlabeled: string } {
  const tag = fractionTag(fraction);
  return { labeled: `labeled_${tag}`, unlabeled: `unlabeled_${tag}` };
}

/**
 * The reference's hyper-parameters per dataset (the paper's training setup); synthetic is sized for a 2-core CPU in
 * minutes.
 */
export function defaultConfig(dataset: DatasetName, overrides: Partial<TrainConfig> = {}): TrainConfig {
  const info = datasetInfo(dataset);
  const paper = dataset !== 'synthetic';
  return {
    dataset,
    dataDir: join('data', dataset, 'preprocessed'),
    splitsDir: paper ? join('splits', dataset) : join('data', dataset, 'raw', 'splits'),
    labeledSplit: labeledSplitNames(paper ? 0.2 : SYNTHETIC_DATA.labeledFraction).labeled,
    unlabeledSplit: labeledSplitNames(paper ? 0.2 : SYNTHETIC_DATA.labeledFraction).unlabeled,
    evalSplit: 'eval',
    runDir: join('runs', `${dataset}-fold0-seed${overrides.seed ?? 0}`),
    // Synthetic: 41 epochs x 11 iterations (451) fit the 10-minute budget of the built-in run on 2 CPU cores.
    maxEpochs: paper ? 1500 : SYNTHETIC_MAX_EPOCHS,
    batchSize: 2,
    // Synthetic: lr 0.1. At 0.3 the official trainer and ours both collapsed late in some runs (validation mean
    // Dice 0.71 -> 0.12 at epoch 24 of 30, official trainer seed 2; 0.76 -> 0.07 ours, seed 0) and some seeds found
    // the aorta / IVC only at the very end; at 0.1 over 451 iterations they learned steadily (README, "The built-in
    // synthetic dataset").
    lr: info.defaultLr,
    // Synthetic: cosine. With poly the lr of the third-last epoch is still ~10 % of the base (0.0098 of 0.1) and the
    // evaluated decoder was still moving there by up to 2.4 validation points from one epoch to the next; cosine
    // keeps the middle of the run as it was and is below 1.5 % of the base over the last three epochs (README,
    // "The built-in synthetic dataset").
    lrSchedule: paper ? 'poly' : 'cosine',
    momentum: 0.9,
    weightDecay: 3e-5,
    nesterov: true,
    // Synthetic: 0.98. decoder_u, the evaluated decoder, is an EMA of decoder_l, and decoder_l's main head takes the
    // class-balanced head's small organs through the same factor, so the two lags add up: at 0.99 (~100 iterations
    // each, the paper's value for runs of ~10,000 iterations) a small organ learned by the ABC head reached the
    // validation only in the last epochs of a 451-iteration run and the curves were still rising at the end
    // (last three validations up to 2.7 points below the best). 0.98 halves the lag (README, "The built-in
    // synthetic dataset").
    emaW: paper ? 0.99 : 0.98,
    // Synthetic: the unlabeled loss's weight after ramp-up. The paper's 10 is for 1500 epochs; in a 30-epoch run
    // 10 x lr 0.3 on the unlabeled path made the eval-mode decoder_u swing (validation mean Dice 0.43 -> 0.00 ->
    // 0.16 from one epoch to the next, measured), 1 learned steadily (0.50 at epoch 15).
    cpsW: paper ? 10 : 1,
    // Synthetic: the whole generated volume is one patch (no cropping at train or test time).
    patch: paper ? [...PAPER_PATCH] : [...SYNTHETIC_DATA.shape],
    nFilters: paper ? 32 : 8,
    numHeads: 2,
    // At F 8, Dropout3d(0.5) drops half of an 8-channel layer: on the synthetic set nothing was learned in
    // 200 iterations with it. The paper configs keep it.
    hasDropout: paper,
    // Synthetic: every 5th epoch in the first half, then every epoch. Under the cosine schedule the best checkpoint
    // comes late: in the 18 runs of docs/results.md (6 configurations x 3 seeds) at epoch 36 or later. Each
    // validation costs about as much as one training iteration; 16 fewer save ~20 s of the 10-minute budget.
    evalEvery: paper ? 1 : 5,
    ...(paper ? {} : { evalEveryEpochFrom: Math.ceil((overrides.maxEpochs ?? SYNTHETIC_MAX_EPOCHS) / 2) }),
    patience: 1500,
    seed: 0,
    device: 'cpu',
    workers: paper ? 2 : 1,
    method: 'skcdf',
    abc: true,
    crossAttention: true,
    balanceMasks: true,
    test: true,
    ...overrides,
  };
}

/** The learning rate for the epoch after epoch `epoch` under `c`'s schedule ({@link LrSchedule}). */
export function epochLr(c: Pick<TrainConfig, 'lr' | 'lrSchedule' | 'maxEpochs'>, epoch: number): number {
  return c.lrSchedule === 'cosine' ? cosineLr(epoch, c.maxEpochs, c.lr) : polyLr(epoch, c.maxEpochs, c.lr);
}

/** cps weight after epoch e: cpsW * exp(-5 (1 - min(e, R)/R)^2), R = maxEpochs (the reference's sigmoid_rampup). */
export function cpsWeight(cpsW: number, epoch: number, maxEpochs: number): number {
  if (maxEpochs === 0) return cpsW;
  const phase = 1 - Math.min(Math.max(epoch, 0), maxEpochs) / maxEpochs;
  return cpsW * Math.exp(-5 * phase * phase);
}
