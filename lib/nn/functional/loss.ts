// nn.functional losses with PyTorch's defaults and reductions ('none' | 'mean' | 'sum').
// Optional arguments: positional in Python's order, or a trailing options object (see ./args.ts);
// the deprecated size_average / reduce are not parameters (the positions after them move up).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { kwargs, type KwArgs } from './args.js';
import { pairwiseDistance } from './distance.js';
import { logsigmoid } from './activation.js';

/** How a loss reduces over elements: none, mean or sum (PyTorch's reduction). */
export type Reduction = 'none' | 'mean' | 'sum';
/** ATen reduction codes: 0 none, 1 mean, 2 sum. */
export function reductionCode(r: Reduction): number {
  if (r === 'none') return 0;
  if (r === 'mean') return 1;
  if (r === 'sum') return 2;
  throw new TypeError(`reduction: expected 'none' | 'mean' | 'sum', got '${String(r)}'`);
}
const reduce = (loss: Tensor, r: Reduction): Tensor => (r === 'none' ? loss : r === 'sum' ? loss.sum() : loss.mean());
const sameShape = (a: Tensor, b: Tensor): boolean => a.ndim === b.ndim && a.shape.every((v, i) => v === b.shape[i]);
/** torch.broadcast_shapes of two shapes. */
function broadcastShapes(a: number[], b: number[], what: string): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const x = a[a.length - n + i] ?? 1,
      y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1)
      throw new RangeError(`${what}: shapes [${a.join(', ')}] and [${b.join(', ')}] cannot be broadcast`);
    return x === 1 ? y : x;
  });
}

/** Options of crossEntropy (Python's keyword arguments, camelCase). */
export interface CrossEntropyOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
  labelSmoothing?: number;
}
const CROSS_ENTROPY = ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'] as const;
/** Cross-entropy of logits (N, C, *) against class indices (N, *) or class probabilities (N, C, *). */
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  ...args: KwArgs<CrossEntropyOptions, typeof CROSS_ENTROPY>
): Tensor {
  const o = kwargs<CrossEntropyOptions>('crossEntropy', CROSS_ENTROPY, args);
  return torch.crossEntropyLoss(
    input,
    target,
    o.weight ?? null,
    reductionCode(o.reduction ?? 'mean'),
    o.ignoreIndex ?? -100,
    o.labelSmoothing ?? 0,
  );
}
/** Options of nllLoss (Python's keyword arguments, camelCase). */
export type NllLossOptions = Omit<CrossEntropyOptions, 'labelSmoothing'>;
const NLL = ['weight', 'ignoreIndex', 'reduction'] as const;
/** Negative log-likelihood of log-probabilities (N, C, *) at class indices (N, *). */
export function nllLoss(input: Tensor, target: Tensor, ...args: KwArgs<NllLossOptions, typeof NLL>): Tensor {
  const o = kwargs<NllLossOptions>('nllLoss', NLL, args);
  return torch.nllLossNd(input, target, o.weight ?? null, reductionCode(o.reduction ?? 'mean'), o.ignoreIndex ?? -100);
}
/** Options of bce (Python's keyword arguments, camelCase). */
export interface BceOptions {
  weight?: Tensor | null;
  reduction?: Reduction;
}
/** -(t log x + (1 - t) log(1 - x)) of probabilities `input`; target has input's shape. */
export function binaryCrossEntropy(
  input: Tensor,
  target: Tensor,
  ...args: KwArgs<BceOptions, ['weight', 'reduction']>
): Tensor {
  const o = kwargs<BceOptions>('binaryCrossEntropy', ['weight', 'reduction'], args);
  if (!sameShape(input, target))
    throw new RangeError(
      `binaryCrossEntropy: using a target size ([${target.shape.join(', ')}]) that is different to the input size ([${input.shape.join(', ')}]) is deprecated. Please ensure they have the same size.`,
    );
  return torch.tidy(() => {
    const w = o.weight
      ? o.weight.expand(broadcastShapes(target.shape, o.weight.shape, 'binaryCrossEntropy weight'))
      : null;
    return torch.binaryCrossEntropy(input, target, w, reductionCode(o.reduction ?? 'mean'));
  });
}
/** Options of bceWithLogits (Python's keyword arguments, camelCase). */
export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of the positive class, per class (broadcast over the last dim). */ posWeight?: Tensor | null;
}
const BCE_LOGITS = ['weight', 'reduction', 'posWeight'] as const;
/** binaryCrossEntropy(sigmoid(input), target), computed stably. */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  ...args: KwArgs<BceWithLogitsOptions, typeof BCE_LOGITS>
): Tensor {
  const o = kwargs<BceWithLogitsOptions>('binaryCrossEntropyWithLogits', BCE_LOGITS, args);
  if (!sameShape(input, target))
    throw new RangeError(
      `binaryCrossEntropyWithLogits: target size ([${target.shape.join(', ')}]) must be the same as input size ([${input.shape.join(', ')}])`,
    );
  return torch.binaryCrossEntropyWithLogits(
    input,
    target,
    o.weight ?? null,
    o.posWeight ?? null,
    reductionCode(o.reduction ?? 'mean'),
  );
}

/** Options of weightedLoss (Python's keyword arguments, camelCase). */
export interface WeightedLossOptions {
  reduction?: Reduction;
  /** Per-element weights (input's shape); 'mean' divides by their sum. */ weight?: Tensor | null;
}
function elementwise(
  fn: string,
  input: Tensor,
  target: Tensor,
  o: WeightedLossOptions,
  op: (a: Tensor, b: Tensor, r: number) => Tensor,
): Tensor {
  const r = o.reduction ?? 'mean';
  reductionCode(r);
  return torch.tidy(() => {
    const [a, b] = torch.broadcastTensors([input, target]) as [Tensor, Tensor];
    if (!o.weight) return op(a, b, reductionCode(r));
    if (!sameShape(o.weight, input)) throw new RangeError(`${fn}: weights and input must have the same size`);
    const l = op(a, b, 0).mul(o.weight);
    return r === 'none' ? l : r === 'sum' ? l.sum() : l.sum().div(o.weight.sum());
  });
}
/** (input - target)^2, reduced. */
export const mseLoss = (
  input: Tensor,
  target: Tensor,
  ...args: KwArgs<WeightedLossOptions, ['reduction', 'weight']>
): Tensor =>
  elementwise(
    'mseLoss',
    input,
    target,
    kwargs<WeightedLossOptions>('mseLoss', ['reduction', 'weight'], args),
    (a, b, r) => torch.mseLoss(a, b, r),
  );
/** |input - target|, reduced. */
export const l1Loss = (
  input: Tensor,
  target: Tensor,
  ...args: KwArgs<WeightedLossOptions, ['reduction', 'weight']>
): Tensor =>
  elementwise(
    'l1Loss',
    input,
    target,
    kwargs<WeightedLossOptions>('l1Loss', ['reduction', 'weight'], args),
    (a, b, r) => torch.l1Loss(a, b, r),
  );

/** Options of huber (Python's keyword arguments, camelCase). */
export interface HuberOptions extends WeightedLossOptions {
  /** Default 1. */ delta?: number;
}
/**
 * 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta); 'mean' with weights is the plain mean of the weighted
 * losses.
 */
export function huberLoss(
  input: Tensor,
  target: Tensor,
  ...args: KwArgs<HuberOptions, ['reduction', 'delta', 'weight']>
): Tensor {
  const o = kwargs<HuberOptions>('huberLoss', ['reduction', 'delta', 'weight'], args);
  const r = o.reduction ?? 'mean',
    delta = o.delta ?? 1;
  return torch.tidy(() => {
    const [a, b] = torch.broadcastTensors([input, target]) as [Tensor, Tensor];
    if (!o.weight) return torch.huberLoss(a, b, reductionCode(r), delta);
    if (!sameShape(o.weight, input)) throw new RangeError('huberLoss: weights and input must have the same size');
    return reduce(torch.huberLoss(a, b, 0, delta).mul(o.weight), r);
  });
}
/** Options of smoothL1 (Python's keyword arguments, camelCase). */
export interface SmoothL1Options {
  reduction?: Reduction;
  /** Default 1; 0 is the L1 loss. */ beta?: number;
}
/** 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta. */
export function smoothL1Loss(
  input: Tensor,
  target: Tensor,
  ...args: KwArgs<SmoothL1Options, ['reduction', 'beta']>
): Tensor {
  const o = kwargs<SmoothL1Options>('smoothL1Loss', ['reduction', 'beta'], args);
  const beta = o.beta ?? 1,
    r = reductionCode(o.reduction ?? 'mean');
  return torch.tidy(() => {
    const [a, b] = torch.broadcastTensors([input, target]) as [Tensor, Tensor];
    return beta === 0 ? torch.l1Loss(a, b, r) : torch.smoothL1Loss(a, b, r, beta);
  });
}
/** Options of klDiv (Python's keyword arguments, camelCase). */
export interface KlDivOptions {
  /** 'mean' (default), 'batchmean' (the mathematical KL divergence per sample), 'sum', 'none'. */ reduction?:
    Reduction | 'batchmean';
  /** target is given as log-probabilities. Default false. */ logTarget?: boolean;
}
/** KL(target || exp(input)) with `input` log-probabilities. */
export function klDiv(
  input: Tensor,
  target: Tensor,
  ...args: KwArgs<KlDivOptions, ['reduction', 'logTarget']>
): Tensor {
  const o = kwargs<KlDivOptions>('klDiv', ['reduction', 'logTarget'], args);
  const r = o.reduction ?? 'mean';
  const code = r === 'batchmean' ? 2 : reductionCode(r);
  return torch.tidy(() => {
    const out = torch.klDiv(input, target, { reduction: code, logTarget: o.logTarget ?? false });
    return r === 'batchmean' && input.ndim !== 0 ? out.div(input.shape[0]!) : out;
  });
}
/** Options of poissonNll (Python's keyword arguments, camelCase). */
export interface PoissonNllOptions {
  /** input is log(rate) (default true) or the rate. */ logInput?: boolean;
  /** Add Stirling's term. Default false. */ full?: boolean;
  /** Default 1e-8. */ eps?: number;
  reduction?: Reduction;
}
const POISSON = ['logInput', 'full', 'eps', 'reduction'] as const;
/** Poisson negative log-likelihood of `target` counts. */
export function poissonNllLoss(
  input: Tensor,
  target: Tensor,
  ...args: KwArgs<PoissonNllOptions, typeof POISSON>
): Tensor {
  const o = kwargs<PoissonNllOptions>('poissonNllLoss', POISSON, args);
  return torch.poissonNllLoss(
    input,
    target,
    o.logInput ?? true,
    o.full ?? false,
    o.eps ?? 1e-8,
    reductionCode(o.reduction ?? 'mean'),
  );
}
/** Options of gaussianNll (Python's keyword arguments, camelCase). */
export interface GaussianNllOptions {
  /** Add the constant 0.5 log(2 pi). Default false. */ full?: boolean;
  /** Variance clamp, default 1e-6. */ eps?: number;
  reduction?: Reduction;
}
const GAUSSIAN = ['full', 'eps', 'reduction'] as const;
/**
 * 0.5 (log(max(var, eps)) + (input - target)^2 / max(var, eps)); var of input's shape, one dim short, or broadcastable
 * in one dim.
 */
export function gaussianNllLoss(
  input: Tensor,
  target: Tensor,
  variance: Tensor | number,
  ...args: KwArgs<GaussianNllOptions, typeof GAUSSIAN>
): Tensor {
  const o = kwargs<GaussianNllOptions>('gaussianNllLoss', GAUSSIAN, args);
  const r = o.reduction ?? 'mean';
  reductionCode(r);
  return torch.tidy(() => {
    let v = typeof variance === 'number' ? torch.onesLike(input).mul(variance) : variance;
    if (torch.noGrad(() => v.lt(0).any().item()))
      throw new RangeError('gaussianNllLoss: var has negative entry/entries');
    if (!sameShape(v, input)) {
      const s = input.shape,
        vs = v.shape;
      if (vs.length === s.length - 1 && vs.every((d, i) => d === s[i])) v = v.unsqueeze(-1);
      else if (!(vs.length === s.length && s.reduce((n, d, i) => n + (d !== vs[i] ? vs[i]! : 0), 0) === 1))
        throw new RangeError('gaussianNllLoss: var is of incorrect size');
    }
    v = v.clone();
    torch.noGrad(() => v.clampMin_(o.eps ?? 1e-6));
    let loss = v.log().add(input.sub(target).pow(2).div(v)).mul(0.5);
    if (o.full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
    return reduce(loss, r);
  });
}

/** Options of margin (Python's keyword arguments, camelCase). */
export interface MarginOptions {
  /** Default 0 (cosine embedding, margin ranking) or 1 (hinge embedding). */ margin?: number;
  reduction?: Reduction;
}
/** 1 - cos(x1, x2) for target 1, max(0, cos(x1, x2) - margin) for target -1. */
export function cosineEmbeddingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  ...args: KwArgs<MarginOptions, ['margin', 'reduction']>
): Tensor {
  const o = kwargs<MarginOptions>('cosineEmbeddingLoss', ['margin', 'reduction'], args);
  return torch.cosineEmbeddingLoss(input1, input2, target, o.margin ?? 0, reductionCode(o.reduction ?? 'mean'));
}
/** max(0, -target (x1 - x2) + margin). */
export function marginRankingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  ...args: KwArgs<MarginOptions, ['margin', 'reduction']>
): Tensor {
  const o = kwargs<MarginOptions>('marginRankingLoss', ['margin', 'reduction'], args);
  if (input1.ndim !== input2.ndim || input1.ndim !== target.ndim) {
    throw new RangeError(
      `marginRankingLoss: all input tensors should have same dimension but got sizes: input1: [${input1.shape.join(', ')}], input2: [${input2.shape.join(', ')}], target: [${target.shape.join(', ')}]`,
    );
  }
  return torch.marginRankingLoss(input1, input2, target, o.margin ?? 0, reductionCode(o.reduction ?? 'mean'));
}
/** x for target 1, max(0, margin - x) for target -1. */
export function hingeEmbeddingLoss(
  input: Tensor,
  target: Tensor,
  ...args: KwArgs<MarginOptions, ['margin', 'reduction']>
): Tensor {
  const o = kwargs<MarginOptions>('hingeEmbeddingLoss', ['margin', 'reduction'], args);
  return torch.hingeEmbeddingLoss(input, target, o.margin ?? 1, reductionCode(o.reduction ?? 'mean'));
}
/** Options of multiMargin (Python's keyword arguments, camelCase). */
export interface MultiMarginOptions {
  /** 1 (default) or 2. */ p?: number;
  /** Default 1. */ margin?: number;
  weight?: Tensor | null;
  reduction?: Reduction;
}
const MULTI_MARGIN = ['p', 'margin', 'weight', 'reduction'] as const;
/** Multi-class hinge loss of scores (N, C) against class indices (N). */
export function multiMarginLoss(
  input: Tensor,
  target: Tensor,
  ...args: KwArgs<MultiMarginOptions, typeof MULTI_MARGIN>
): Tensor {
  const o = kwargs<MultiMarginOptions>('multiMarginLoss', MULTI_MARGIN, args);
  const p = o.p ?? 1;
  if (p !== 1 && p !== 2) throw new RangeError(`multiMarginLoss: only p == 1 and p == 2 supported, got ${p}`);
  if (o.weight && o.weight.ndim !== 1)
    throw new RangeError(`multiMarginLoss: weight must be one-dimensional, got shape [${o.weight.shape.join(', ')}]`);
  return torch.multiMarginLoss(input, target, p, o.margin ?? 1, o.weight ?? null, reductionCode(o.reduction ?? 'mean'));
}
type ReductionOnly = KwArgs<{ reduction?: Reduction }, ['reduction']>;
const reductionOf = (fn: string, args: readonly unknown[]): number =>
  reductionCode(kwargs<{ reduction?: Reduction }>(fn, ['reduction'], args).reduction ?? 'mean');
/** Multi-label hinge loss; target (N, C) holds class indices, ended by -1. */
export const multilabelMarginLoss = (input: Tensor, target: Tensor, ...args: ReductionOnly): Tensor =>
  torch.multilabelMarginLoss(input, target, reductionOf('multilabelMarginLoss', args));
/** log(1 + exp(-target * input)) averaged over elements; target is 1 or -1. */
export const softMarginLoss = (input: Tensor, target: Tensor, ...args: ReductionOnly): Tensor =>
  torch.softMarginLoss(input, target, reductionOf('softMarginLoss', args));
/** Multi-label one-vs-all logistic loss; target (N, C) of 0/1, averaged over classes. */
export function multilabelSoftMarginLoss(
  input: Tensor,
  target: Tensor,
  ...args: KwArgs<{ weight?: Tensor | null; reduction?: Reduction }, ['weight', 'reduction']>
): Tensor {
  const o = kwargs<{ weight?: Tensor | null; reduction?: Reduction }>(
    'multilabelSoftMarginLoss',
    ['weight', 'reduction'],
    args,
  );
  const r = o.reduction ?? 'mean';
  reductionCode(r);
  return torch.tidy(() => {
    let loss = target
      .mul(logsigmoid(input))
      .add(target.neg().add(1).mul(logsigmoid(input.neg())))
      .neg();
    if (o.weight) loss = loss.mul(o.weight);
    const classDim = input.ndim - 1;
    return reduce(loss.sum(classDim).div(input.shape[classDim]!), r);
  });
}
/** Options of tripletMargin (Python's keyword arguments, camelCase). */
export interface TripletMarginOptions {
  /** Default 1. */ margin?: number;
  /** Norm order, default 2. */ p?: number;
  /** Default 1e-6. */ eps?: number;
  /** Use the positive-negative distance when smaller. Default false. */ swap?: boolean;
  reduction?: Reduction;
}
const TRIPLET = ['margin', 'p', 'eps', 'swap', 'reduction'] as const;
/** max(d(a, p) - d(a, n) + margin, 0) with pairwise p-norm distances. */
export function tripletMarginLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  ...args: KwArgs<TripletMarginOptions, typeof TRIPLET>
): Tensor {
  const o = kwargs<TripletMarginOptions>('tripletMarginLoss', TRIPLET, args);
  return torch.tripletMarginLoss(
    anchor,
    positive,
    negative,
    o.margin ?? 1,
    o.p ?? 2,
    o.eps ?? 1e-6,
    o.swap ?? false,
    reductionCode(o.reduction ?? 'mean'),
  );
}
/** Options of tripletDistance (Python's keyword arguments, camelCase). */
export interface TripletDistanceOptions {
  /** Default: pairwiseDistance. */ distanceFunction?: ((a: Tensor, b: Tensor) => Tensor) | null;
  /** Default 1 (must be > 0). */ margin?: number;
  swap?: boolean;
  reduction?: Reduction;
}
/** tripletMarginLoss with any distance function (all options keyword-only, as in PyTorch). */
export function tripletMarginWithDistanceLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  options: TripletDistanceOptions = {},
): Tensor {
  const o = kwargs<TripletDistanceOptions>(
    'tripletMarginWithDistanceLoss',
    [],
    [options],
    ['distanceFunction', 'margin', 'swap', 'reduction'],
  );
  const r = o.reduction ?? 'mean',
    margin = o.margin ?? 1;
  reductionCode(r);
  if (margin <= 0) throw new RangeError(`tripletMarginWithDistanceLoss: margin must be greater than 0, got ${margin}`);
  if (anchor.ndim !== positive.ndim || positive.ndim !== negative.ndim)
    throw new RangeError(
      `tripletMarginWithDistanceLoss: the anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor ${anchor.ndim}D, positive ${positive.ndim}D, and negative ${negative.ndim}D inputs`,
    );
  const d = o.distanceFunction ?? ((a: Tensor, b: Tensor) => pairwiseDistance(a, b));
  return torch.tidy(() => {
    let dNeg = d(anchor, negative);
    if (o.swap) dNeg = torch.minimum(dNeg, d(positive, negative));
    return reduce(d(anchor, positive).add(margin).sub(dNeg).clampMin(0), r);
  });
}
/** Options of ctc (Python's keyword arguments, camelCase). */
export interface CtcOptions {
  /** Blank label, default 0. */ blank?: number;
  reduction?: Reduction;
  /** Zero infinite losses and their gradients. Default false. */ zeroInfinity?: boolean;
}
const CTC = ['blank', 'reduction', 'zeroInfinity'] as const;
/** Connectionist Temporal Classification loss of logProbs (T, N, C) (or (T, C)) against targets. */
export function ctcLoss(
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: Tensor | number[],
  targetLengths: Tensor | number[],
  ...args: KwArgs<CtcOptions, typeof CTC>
): Tensor {
  const o = kwargs<CtcOptions>('ctcLoss', CTC, args);
  const a = [o.blank ?? 0, reductionCode(o.reduction ?? 'mean'), o.zeroInfinity ?? false] as const;
  if (Array.isArray(inputLengths) && Array.isArray(targetLengths))
    return torch.ctcLoss(logProbs, targets, inputLengths, targetLengths, ...a);
  return torch.tidy(() => {
    const asT = (v: Tensor | number[]): Tensor => (Array.isArray(v) ? torch.tensor(v, { dtype: 'int64' }) : v);
    return torch.ctcLoss(logProbs, targets, asT(inputLengths), asT(targetLengths), ...a);
  });
}

/** Options of linearCrossEntropy (Python's keyword arguments, camelCase). */
export interface LinearCrossEntropyOptions extends Omit<CrossEntropyOptions, 'ignoreIndex'> {
  /** Bias of the projection, (numClasses, *outFeatures). */ linearBias?: Tensor | null;
  /** Default: -100 for class-index targets; not allowed with probability targets. */ ignoreIndex?: number | null;
}
/**
 * crossEntropy(linear(input, linearWeight, linearBias), target) with linearWeight (numClasses, *outFeatures,
 * inFeatures) and input (N, inFeatures) or (inFeatures); options keyword-only, as in PyTorch. (PyTorch's
 * `options` only selects a chunked, memory-saving evaluation of the same value; it is not offered.)
 */
export function linearCrossEntropy(
  input: Tensor,
  linearWeight: Tensor,
  target: Tensor,
  options: LinearCrossEntropyOptions = {},
): Tensor {
  const o = kwargs<LinearCrossEntropyOptions>(
    'linearCrossEntropy',
    [],
    [options],
    ['linearBias', 'weight', 'reduction', 'ignoreIndex', 'labelSmoothing'],
  );
  if (input.ndim < 1 || input.ndim > 2)
    throw new RangeError(`linearCrossEntropy: expected input with dimensionality 1 or 2, got ${input.ndim}`);
  if (linearWeight.ndim < 2)
    throw new RangeError(
      `linearCrossEntropy: expected linearWeight with dimensionality at least 2, got ${linearWeight.ndim}`,
    );
  const inFeatures = input.shape[input.ndim - 1]!;
  if (inFeatures !== linearWeight.shape[linearWeight.ndim - 1]) {
    throw new RangeError(
      `linearCrossEntropy: expected equal input and linearWeight last dimensions (in_features), got ${inFeatures} and ${linearWeight.shape[linearWeight.ndim - 1]}, respectively`,
    );
  }
  const numClasses = linearWeight.shape[0]!,
    outFeatures = linearWeight.shape.slice(1, -1);
  const batches = input.shape.slice(0, -1);
  if (
    o.linearBias &&
    (o.linearBias.ndim !== 1 + outFeatures.length ||
      o.linearBias.shape.some((v, i) => v !== [numClasses, ...outFeatures][i]))
  ) {
    throw new RangeError(
      `linearCrossEntropy: expected linearBias shape [${[numClasses, ...outFeatures].join(', ')}], got [${o.linearBias.shape.join(', ')}]`,
    );
  }
  if (outFeatures.length && !batches.length)
    throw new RangeError(
      `linearCrossEntropy: K-dimensional loss requires batched input, (N, ${inFeatures}), got unbatched input`,
    );
  const logitsShape = [...batches, numClasses, ...outFeatures];
  const probabilities = target.ndim === logitsShape.length && target.shape.every((v, i) => v === logitsShape[i]);
  if (probabilities && o.ignoreIndex != null)
    throw new TypeError('linearCrossEntropy: ignoreIndex cannot be specified when target contains probabilities');
  return torch.tidy(() => {
    const n = outFeatures.reduce((a, b) => a * b, numClasses);
    const w = linearWeight.reshape([n, inFeatures]);
    const b = o.linearBias ? o.linearBias.reshape([n]) : null;
    const logits = torch.linear(input, w, b).reshape(logitsShape);
    return crossEntropy(logits, target, {
      weight: o.weight,
      reduction: o.reduction,
      ignoreIndex: o.ignoreIndex ?? -100,
      labelSmoothing: o.labelSmoothing,
    });
  });
}
