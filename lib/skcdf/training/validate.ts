// The reference's per-epoch validation on center crops of the eval split.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { evalDicePerClass } from '../losses.js';
import type { Shape3 } from '../../data/resize.js';
import { loadEvalCase } from '../data/dataset.js';
import type { PredType } from '../model.js';
import type { VNetDecoupleAttentionABC } from '../model.js';

export interface ValidationResult {
  /** The reference's validation Dice per foreground class, averaged over cases. */
  perClass: number[];
  mean: number;
  /** Dice of organs versus background (all foreground classes merged), averaged over cases. */
  foreground: number;
}

/**
 * The reference's validation: eval mode, each case center-cropped to the patch (start = round((size - patch)/2)),
 * forward `mode` ('unlabeled' = decoder_u, the reference; 'labeled' = decoder_l, for the supervised baseline), argmax
 * one-hot Dice per foreground class (smooth 1e-8), mean over cases, then classes.
 */
export function validate(
  model: VNetDecoupleAttentionABC, dataDir: string, ids: readonly string[], patch: Shape3, device: string, mode: PredType = 'unlabeled',
): ValidationResult {
  const wasTraining = model.training;
  model.eval();
  const C = model.nClasses;
  const sums = new Float64Array(C - 1);
  let foreground = 0;
  try {
    for (const id of ids) {
      const c = loadEvalCase(dataDir, id);
      torch.tidy(() => torch.noGrad(() => {
        const [D, H, W] = c.shape;
        let image = torch.fromBuffer(c.image, 'float32', [1, 1, D, H, W]);
        let label = torch.fromBuffer(c.label, 'int8', [1, 1, D, H, W]);
        const starts = patch.map((p, i) => Math.round((c.shape[i] - p) / 2));
        if (starts.some((s) => s < 0)) throw new Error(`validation case ${id}: shape [${c.shape}] is smaller than the patch [${patch}]`);
        const crop = (t: Tensor): Tensor => t.get(':', ':', `${starts[0]}:${starts[0] + patch[0]}`, `${starts[1]}:${starts[1] + patch[1]}`, `${starts[2]}:${starts[2] + patch[2]}`);
        image = crop(image).to({ device });
        label = crop(label).to({ device, dtype: 'int64' });
        const [out] = model.forward(image, mode);
        const dice = evalDicePerClass(out, label).toArray() as number[];
        dice.forEach((d, k) => (sums[k] += d));
        const predFg = out.argmax(1, true).gt(0);
        const labelFg = label.gt(0);
        const overlap = predFg.logicalAnd(labelFg).sum().item();
        const total = predFg.sum().item() + labelFg.sum().item();
        foreground += total > 0 ? (2 * overlap) / total : 1;
      }));
    }
  } finally {
    if (wasTraining) model.train();
  }
  const perClass = Array.from(sums, (s) => s / Math.max(ids.length, 1));
  return { perClass, mean: perClass.reduce((a, b) => a + b, 0) / perClass.length, foreground: foreground / Math.max(ids.length, 1) };
}

