/**
 * nnU-Net's Dice + cross-entropy losses, as SKCDF trains with them: RobustCrossEntropyLoss, the soft Dice
 * (SoftDiceLoss, get_tp_fp_fn), their sum DCAndCELoss, and the validation Dice per class. Dtypes follow nnU-Net:
 * the one-hot encoding is float32 whatever the prediction's dtype, so a float64 input (logits times a float64
 * mask) gives a float64 loss.
 */
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import * as F from '../nn/functional.js';
import { Module } from '../nn/module.js';

/**
 * nnU-Net's RobustCrossEntropyLoss: a target with a channel axis of size 1 (N, 1, ...) is
 * squeezed and cast to int64 (so float64 labels like `label * mask` work), then cross-entropy.
 */
export class RobustCrossEntropyLoss extends Module {
  constructor(readonly options: F.CrossEntropyOptions = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return torch.tidy(() => {
      let t = target;
      if (t.ndim === input.ndim) {
        if (t.shape[1] !== 1)
          throw new RangeError(
            `RobustCrossEntropyLoss: target with a channel axis must have 1 channel, got shape [${t.shape.join(', ')}]`,
          );
        t = t.select(1, 0);
      }
      return F.crossEntropy(input, t.long(), this.options);
    });
  }
}

/**
 * The labels as (N, 1, ...) class indices fitting x (N, C, ...), or null when y is already a one-hot tensor of x's
 * shape.
 */
function labelIndices(x: Tensor, y: Tensor): Tensor | null {
  const sx = x.shape;
  let yy = y;
  if (yy.ndim !== sx.length) yy = yy.view([yy.shape[0], 1, ...yy.shape.slice(1)]);
  const sy = yy.shape;
  if (sy.length === sx.length && sy.every((v, i) => v === sx[i])) return null; // already one-hot
  if (sy[1] !== 1 || sy.length !== sx.length || sy.some((v, i) => i !== 1 && v !== sx[i])) {
    throw new RangeError(
      `SoftDiceLoss: labels of shape [${y.shape.join(', ')}] do not fit predictions [${sx.join(', ')}]`,
    );
  }
  return yy;
}

/** float32 zeros of x's shape with 1 scattered at the label (nnU-Net's one-hot). */
function oneHot(x: Tensor, indices: Tensor): Tensor {
  return torch.zeros(x.shape, { dtype: 'float32', device: x.device }).scatter_(1, indices.long(), 1);
}

/** Sums over `axes` one at a time, highest first (nnU-Net's sum_tensor), disposing `t` and each partial sum. */
function sumAxes(t: Tensor, axes: number[]): Tensor {
  let r = t;
  for (const a of [...axes].sort((p, q) => q - p)) {
    const next = r.sum([a]);
    r.dispose();
    r = next;
  }
  return r;
}

/**
 * tp, fp, fn summed over `axes` (nnU-Net get_tp_fp_fn_tn, square=false); with a loss mask (N, 1, ...) voxels are
 * weighted.
 *
 * Without a loss mask, for float32 and float64 predictions and labels given as class indices, nothing is multiplied
 * by a one-hot: tp's elements are x gathered at the label and scattered into zeros, fp's are x with 0 scattered at the
 * label, fn's are 1 - x at the label (multiplying by an exact 0 or 1 only selects, so the values are the same), and
 * fn's gradient reaches x through tp's gather (x's gradient is g_tp - g_fn at the label and g_fp elsewhere, the sums
 * nnU-Net's three products add up to). Values and gradients are bit for bit those of nnU-Net's expression (x * onehot,
 * x * (1 - onehot), (1 - x) * onehot, a float32 one-hot; for negative inputs a zero may differ in sign), with about
 * half the full-size passes and no casting copies.
 */
export function getTpFpFn(
  x: Tensor,
  y: Tensor,
  axes: number[],
  lossMask: Tensor | null = null,
): [Tensor, Tensor, Tensor] {
  return torch.tidy(() => {
    const indices = labelIndices(x, y);
    if (indices && !lossMask && (x.dtype === 'float32' || x.dtype === 'float64')) {
      return tpFpFnFromIndices(x, indices, axes);
    }
    // Full-size temporaries are disposed as soon as they are reduced (as Python's refcounting frees
    // them): keeping all of them alive to the end of the scope measured 2x slower on 15 MB tensors.
    // Autograd keeps its own references to whatever backward needs.
    const reduce = (t: Tensor): Tensor => {
      const r = lossMask ? t.mul(lossMask) : t;
      if (r !== t) t.dispose();
      return sumAxes(r, axes);
    };
    const oh = indices ? oneHot(x, indices) : y;
    const tp = reduce(x.mul(oh));
    const notOh = oh.neg().add_(1);
    const fp = reduce(x.mul(notOh));
    notOh.dispose();
    const notX = x.neg().add_(1);
    const fn = reduce(notX.mul(oh));
    notX.dispose();
    return [tp, fp, fn];
  });
}

/** getTpFpFn's path for class indices without a loss mask (see there). */
function tpFpFnFromIndices(x: Tensor, indices: Tensor, axes: number[]): [Tensor, Tensor, Tensor] {
  const index = indices.long();
  const zeros = (): Tensor => torch.zeros(x.shape, { dtype: x.dtype, device: x.device });
  const atLabel = x.gather(1, index); // x where the one-hot is 1
  const fnValue = torch.noGrad(() => sumAxes(zeros().scatter_(1, index, torch.rsub(atLabel, 1)), axes));
  const tpSum = sumAxes(zeros().scatter_(1, index, atLabel), axes);
  const fp = sumAxes(x.scatter(1, index, 0), axes);
  // fn = its value + (tpSum - tpSum), with gradient -g_fn into tpSum. The caller's uses of tp meet in the view's node
  // first, so tpSum's gradient is (the sum of the caller's) - g_fn, as in nnU-Net's expression.
  const fn = fnValue.sub(tpSum.sub(tpSum.detach()));
  return [tpSum.view(tpSum.shape), fp, fn];
}

/** SoftDiceLoss's options (nnU-Net's names in camelCase): nonlinearity, batch dice, background, smoothing. */
export interface SoftDiceOptions {
  /** Applied to the prediction first; default none (nnU-Net's default: the raw input is used!). */
  applyNonlin?: ((x: Tensor) => Tensor) | null;
  /** Sum tp/fp/fn over the batch too (default true, as SKCDF trains). */
  batchDice?: boolean;
  /** Include the background class 0 (default false). */
  doBg?: boolean;
  /** Added to numerator and denominator (default 1). */
  smooth?: number;
}

/**
 * nnU-Net style soft Dice: dc_c = (2tp + smooth) / (2tp + fp + fn + smooth + 1e-8).
 * Training (`forward(x, y)`): 1 - mean over the kept classes. Validation (`perClass(x, y)`): the dc vector.
 * Labels may be int (N, 1, ...) / (N, ...) class indices of any numeric dtype, or a one-hot tensor of x's shape.
 */
export class SoftDiceLoss extends Module {
  /** Applied to the prediction first (null: the raw input is used). */
  readonly applyNonlin: ((x: Tensor) => Tensor) | null;
  readonly batchDice: boolean;
  readonly doBg: boolean;
  readonly smooth: number;
  constructor(o: SoftDiceOptions = {}) {
    super();
    this.applyNonlin = o.applyNonlin ?? null;
    this.batchDice = o.batchDice ?? true;
    this.doBg = o.doBg ?? false;
    this.smooth = o.smooth ?? 1;
  }
  /** Per-class Dice (batch dice: shape [C'], else [N, C']); C' excludes background unless doBg. */
  perClass(x: Tensor, y: Tensor, lossMask: Tensor | null = null): Tensor {
    return torch.tidy(() => {
      const nd = x.ndim;
      const spatial = [...Array(nd - 2).keys()].map((i) => i + 2);
      const axes = this.batchDice ? [0, ...spatial] : spatial;
      const p = this.applyNonlin ? this.applyNonlin(x) : x;
      const [tp, fp, fn] = getTpFpFn(p, y, axes, lossMask);
      const nominator = tp.mul(2).add_(this.smooth);
      const denominator = tp.mul(2).add_(fp).add_(fn).add_(this.smooth);
      let dc = nominator.div(denominator.add(1e-8));
      if (!this.doBg) dc = this.batchDice ? dc.get('1:') : dc.get(':', '1:');
      return dc;
    });
  }
  override forward(x: Tensor, y: Tensor, lossMask: Tensor | null = null): Tensor {
    return torch.tidy(() => this.perClass(x, y, lossMask).mean().neg().add_(1));
  }
}

/** DCAndCELoss's options: the two weights and the options of each term. */
export interface DCAndCEOptions {
  weightCe?: number;
  weightDice?: number;
  softDice?: SoftDiceOptions;
  ce?: F.CrossEntropyOptions;
}

/**
 * nnU-Net's DC_and_CE_loss, as SKCDF trains with it: soft Dice (softmax, batch dice, no background, smooth 1) plus
 * cross-entropy (mean), weights 1 and 1. With `logits * mask` (float64 mask) the loss is float64.
 */
export class DCAndCELoss extends Module {
  readonly dc: SoftDiceLoss;
  readonly ce: RobustCrossEntropyLoss;
  readonly weightCe: number;
  readonly weightDice: number;
  constructor(o: DCAndCEOptions = {}) {
    super();
    this.dc = new SoftDiceLoss({
      applyNonlin: (x) => torch.softmax(x, 1),
      batchDice: true,
      doBg: false,
      smooth: 1,
      ...o.softDice,
    });
    this.ce = new RobustCrossEntropyLoss(o.ce);
    this.weightCe = o.weightCe ?? 1;
    this.weightDice = o.weightDice ?? 1;
  }
  override forward(input: Tensor, y: Tensor): Tensor {
    return torch.tidy(() => {
      // softmax and log_softmax each read a contiguous copy of their input: one copy serves both (same values).
      const x = input.contiguous();
      const dc = this.weightDice !== 0 ? this.dc.forward(x, y) : null;
      const ce = this.weightCe !== 0 ? this.ce.forward(x, y) : null;
      if (dc && ce) return ce.mul(this.weightCe).add_(dc.mul(this.weightDice));
      if (ce) return ce.mul(this.weightCe);
      if (dc) return dc.mul(this.weightDice);
      throw new Error('DCAndCELoss: both weights are 0');
    });
  }
}
/**
 * nnU-Net's Python name of {@link DCAndCELoss}.
 * @deprecated Use DCAndCELoss; this alias is removed in the next release.
 */
export const DC_and_CE_loss = DCAndCELoss;
/** @deprecated Use DCAndCELoss. */
export type DC_and_CE_loss = DCAndCELoss;

/**
 * SKCDF's validation Dice: argmax -> one-hot of prediction and label,
 * SoftDiceLoss(smooth=1e-8) without softmax, batch dice, per foreground class.
 */
export function evalDicePerClass(logits: Tensor, labels: Tensor): Tensor {
  return torch.tidy(() => {
    const c = logits.shape[1];
    const pred = logits.argmax(1, true);
    const predOh = torch.zeros(logits.shape, { device: logits.device }).scatter_(1, pred, 1);
    return new SoftDiceLoss({ smooth: 1e-8 })
      .perClass(predOh, labels.ndim === logits.ndim ? labels : labels.unsqueeze(1))
      .view([c - 1]);
  });
}
