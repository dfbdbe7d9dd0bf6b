// The reference's per-epoch validation on center crops of the eval split.
import * as torch from '../../torch/index.js';
import { evalDicePerClass } from '../losses.js';
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
 * The reference's validation: eval mode, each case center-cropped to the patch ({@link centerCropBox}),
 * forward `mode` ('unlabeled' = decoder_u, the reference; 'labeled' = decoder_l, for the supervised baseline), argmax
 * one-hot Dice per foreground class (smooth 1e-8), mean over cases, then classes.
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
      torch.tidy(() =>
        torch.noGrad(() => {
          const box = centerCropBox(c.shape, patch, `validation case ${id}`);
          const img = new Float32Array(patch[0] * patch[1] * patch[2]);
          const lbl = new Int8Array(img.length);
          applyAugmentation(c, patch, box, img, lbl);
          const image = torch.fromBuffer(img, 'float32', [1, 1, ...patch]).to({ device });
          const label = torch.fromBuffer(lbl, 'int8', [1, 1, ...patch]).to({ device, dtype: 'int64' });
          const [out] = model.forward(image, mode);
          const dice = evalDicePerClass(out, label).toArray() as number[];
          dice.forEach((d, k) => (sums[k] += d));
          const predFg = out.argmax(1, true).gt(0);
          const labelFg = label.gt(0);
          const overlap = predFg.logicalAnd(labelFg).sum().item();
          const total = predFg.sum().item() + labelFg.sum().item();
          foreground += total > 0 ? (2 * overlap) / total : 1;
        }),
      );
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
