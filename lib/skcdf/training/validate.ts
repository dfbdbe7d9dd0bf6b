// The reference's per-epoch validation on center crops of the eval split.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import type { Shape3 } from '../../data/resize.js';
import { applyAugmentation, cropPadding, loadEvalCase, type Augmentation } from '../data/dataset.js';
import type { PredType } from '../model.js';
import type { VNetDecoupleAttentionABC } from '../model.js';

/** Validation Dice: per foreground class, their mean, and the foreground (organs vs background) Dice. */
export interface ValidationResult {
  /** The reference's validation Dice per foreground class, averaged over cases. */
  perClass: number[];
  mean: number;
  /** Dice of organs versus background (all foreground classes merged), averaged over cases. */
  foreground: number;
}

/** Python's round(): halves go to the even neighbour (round(2.5) = 2, round(0.5) = 0). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The reference's CenterCrop as a crop box: when any axis is <= the patch, every axis is zero-padded by
 * max((patch - size) // 2 + 3, 0) (the training crop's padding); the crop starts at round((padded - patch) / 2)
 * (Python's round: halves to even) in the padded volume, so a volume equal to the patch is taken whole. (The
 * reference measures the unpadded size there, which would shift such a volume by the padding; like the start range
 * of its random crop, which cannot run on such a volume as written, that is used as fixed for padded volumes.)
 */
export function centerCropBox(shape: Shape3, patch: Shape3, what = 'center crop'): Augmentation {
  const pad = cropPadding(shape, patch);
  const start = shape.map((s, i) => roundHalfEven((s + 2 * pad[i]! - patch[i]!) / 2) || 0) as Shape3;
  if (start.some((s) => s < 0)) throw new Error(`${what}: shape [${shape}] is smaller than the patch [${patch}]`);
  return { pad, start, flip1: false, flip2: false };
}

/**
 * Voxel counts of every (label, predicted) class pair: a C x C confusion matrix, row-major (row = label class).
 * Throws when the shapes differ or a label or prediction is outside [0, C).
 */
export function confusionCounts(pred: Tensor, label: Tensor, numClasses: number): Float64Array {
  if (pred.shape.length !== label.shape.length || pred.shape.some((n, i) => n !== label.shape[i])) {
    throw new RangeError(
      `validation: prediction [${pred.shape.join(', ')}] and label [${label.shape.join(', ')}] differ`,
    );
  }
  return torch.tidy(() => {
    const C = numClasses;
    const range = (t: Tensor, what: string): void => {
      const [lo, hi] = [t.min().item(), t.max().item()];
      if (lo < 0 || hi >= C) throw new RangeError(`validation: ${what} value ${lo < 0 ? lo : hi} outside [0, ${C})`);
    };
    range(label, 'label');
    range(pred, 'predicted class');
    const pairs = label.long().mul(C).add(pred.long()).flatten();
    return Float64Array.from(torch.bincount(pairs, null, C * C).toArray() as number[]);
  });
}

const f32 = Math.fround;
const SMOOTH = f32(1e-8);

/**
 * The reference's validation Dice from a confusion matrix ({@link confusionCounts}): per foreground class c,
 * dc = (2 tp + 1e-8) / ((2 tp + fp + fn + 1e-8) + 1e-8) in float32, the values SoftDiceLoss(smooth 1e-8) gives on
 * the argmax one-hots (evalDicePerClass) bit for bit, since its tp, fp and fn are sums of zeros and ones, exact
 * integers in float32 below 2^24 voxels (larger inputs are refused); and the foreground Dice, organs versus background
 * (1 when both are empty).
 */
export function validationDice(counts: Float64Array, numClasses: number): { perClass: number[]; foreground: number } {
  const C = numClasses;
  const total = counts.reduce((a, b) => a + b, 0);
  if (total >= 2 ** 24) throw new RangeError(`validation: ${total} voxels; at most 2^24 - 1 per case`);
  const perClass: number[] = [];
  for (let c = 1; c < C; c++) {
    let labelC = 0;
    let predC = 0;
    for (let k = 0; k < C; k++) {
      labelC += counts[c * C + k]!;
      predC += counts[k * C + c]!;
    }
    const tp = counts[c * C + c]!;
    const [fp, fn] = [predC - tp, labelC - tp];
    const nominator = f32(2 * tp + SMOOTH);
    const denominator = f32(f32(f32(f32(2 * tp + fp) + fn) + SMOOTH) + SMOOTH);
    perClass.push(f32(nominator / denominator));
  }
  // Organs versus background: everything outside row 0 (label 0) and column 0 (predicted 0).
  let row0 = 0;
  let col0 = 0;
  for (let k = 0; k < C; k++) {
    row0 += counts[k]!;
    col0 += counts[k * C]!;
  }
  const [labelFg, predFg] = [total - row0, total - col0];
  const overlap = total - row0 - col0 + counts[0]!;
  return { perClass, foreground: labelFg + predFg > 0 ? (2 * overlap) / (labelFg + predFg) : 1 };
}

/**
 * The reference's validation: eval mode, each case center-cropped to the patch ({@link centerCropBox}),
 * forward `mode` ('unlabeled' = decoder_u, the reference; 'labeled' = decoder_l, for the supervised baseline), argmax
 * one-hot Dice per foreground class (smooth 1e-8; {@link validationDice}), mean over cases, then classes.
 */
export function validate(
  model: VNetDecoupleAttentionABC,
  dataDir: string,
  ids: readonly string[],
  patch: Shape3,
  device: string,
  mode: PredType = 'unlabeled',
): ValidationResult {
  const wasTraining = model.training;
  model.eval();
  const C = model.nClasses;
  const sums = new Float64Array(C - 1);
  let foreground = 0;
  try {
    for (const id of ids) {
      const c = loadEvalCase(dataDir, id);
      const box = centerCropBox(c.shape, patch, `validation case ${id}`);
      const img = new Float32Array(patch[0] * patch[1] * patch[2]);
      const lbl = new Int8Array(img.length);
      applyAugmentation(c, patch, box, img, lbl);
      const counts = torch.tidy(() =>
        torch.noGrad(() => {
          const image = torch.fromBuffer(img, 'float32', [1, 1, ...patch]).to({ device });
          const [out] = model.forward(image, mode);
          const label = torch.fromBuffer(lbl, 'int8', [1, 1, ...patch]).to({ device });
          return confusionCounts(out.argmax(1, true), label, C);
        }),
      );
      const dice = validationDice(counts, C);
      dice.perClass.forEach((d, k) => (sums[k] += d));
      foreground += dice.foreground;
    }
  } finally {
    if (wasTraining) model.train();
  }
  const perClass = Array.from(sums, (s) => s / Math.max(ids.length, 1));
  return {
    perClass,
    mean: perClass.reduce((a, b) => a + b, 0) / perClass.length,
    foreground: foreground / Math.max(ids.length, 1),
  };
}
