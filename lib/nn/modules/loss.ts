// The remaining loss modules of torch/nn/modules/loss.py over nn.functional (CrossEntropyLoss, NLLLoss,
// BCELoss, BCEWithLogitsLoss, MSELoss and L1Loss live in ../losses.ts). Constructor arguments follow
// the argument rule (Python's positional order without the deprecated size_average / reduce, or an
// options object); class weights are buffers named `weight`, as in PyTorch's _WeightedLoss.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import { NLLLoss } from '../losses.js';
import { Module, pyBool, pyFloat, pyTuple } from '../module.js';
import { PairwiseDistance } from './distance.js';
import { Linear } from './linear.js';
import type { FactoryOptions } from './utils.js';

type Reduction = F.Reduction;
type R = { reduction?: Reduction };

/** KL divergence loss of log-probabilities against probabilities (or log-probabilities with logTarget). */
export class KLDivLoss extends Module {
  readonly reduction: Reduction | 'batchmean';
  readonly logTarget: boolean;
  constructor(...args: KwArgs<F.KlDivOptions, ['reduction', 'logTarget']>) {
    super();
    const o = kwargs<F.KlDivOptions>('KLDivLoss', ['reduction', 'logTarget'], args);
    this.reduction = o.reduction ?? 'mean';
    this.logTarget = o.logTarget ?? false;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
/** Smooth L1 (quadratic below beta, linear above). */
export class SmoothL1Loss extends Module {
  readonly reduction: Reduction;
  readonly beta: number;
  constructor(...args: KwArgs<F.SmoothL1Options, ['reduction', 'beta']>) {
    super();
    const o = kwargs<F.SmoothL1Options>('SmoothL1Loss', ['reduction', 'beta'], args);
    this.reduction = o.reduction ?? 'mean';
    this.beta = o.beta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, this.reduction, this.beta);
  }
}
/** Huber loss (quadratic below delta, delta-scaled linear above). */
export class HuberLoss extends Module {
  readonly reduction: Reduction;
  readonly delta: number;
  constructor(...args: KwArgs<{ reduction?: Reduction; delta?: number }, ['reduction', 'delta']>) {
    super();
    const o = kwargs<{ reduction?: Reduction; delta?: number }>('HuberLoss', ['reduction', 'delta'], args);
    this.reduction = o.reduction ?? 'mean';
    this.delta = o.delta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, this.reduction, this.delta);
  }
}
/** Poisson negative log-likelihood. */
export class PoissonNLLLoss extends Module {
  readonly options: F.PoissonNllOptions;
  constructor(...args: KwArgs<F.PoissonNllOptions, ['logInput', 'full', 'eps', 'reduction']>) {
    super();
    this.options = kwargs<F.PoissonNllOptions>('PoissonNLLLoss', ['logInput', 'full', 'eps', 'reduction'], args);
  }
  override forward(logInput: Tensor, target: Tensor): Tensor {
    return F.poissonNllLoss(logInput, target, this.options);
  }
}
/** Gaussian negative log-likelihood with a predicted variance (options keyword-only, as in PyTorch). */
export class GaussianNLLLoss extends Module {
  constructor(readonly options: F.GaussianNllOptions = {}) {
    super();
    kwargs<F.GaussianNllOptions>('GaussianNLLLoss', [], [options], ['full', 'eps', 'reduction']);
  }
  override forward(input: Tensor, target: Tensor, variance: Tensor | number): Tensor {
    return F.gaussianNllLoss(input, target, variance, this.options);
  }
}
type MarginArgs = KwArgs<F.MarginOptions, ['margin', 'reduction']>;
/** 1 - cos for similar pairs (target 1), max(0, cos - margin) for dissimilar ones (-1). */
export class CosineEmbeddingLoss extends Module {
  readonly options: F.MarginOptions;
  constructor(...args: MarginArgs) {
    super();
    this.options = kwargs<F.MarginOptions>('CosineEmbeddingLoss', ['margin', 'reduction'], args);
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.cosineEmbeddingLoss(input1, input2, target, this.options);
  }
}
/** max(0, -target (x1 - x2) + margin). */
export class MarginRankingLoss extends Module {
  readonly options: F.MarginOptions;
  constructor(...args: MarginArgs) {
    super();
    this.options = kwargs<F.MarginOptions>('MarginRankingLoss', ['margin', 'reduction'], args);
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.marginRankingLoss(input1, input2, target, this.options);
  }
}
/** x for target 1, max(0, margin - x) for target -1 (margin default 1). */
export class HingeEmbeddingLoss extends Module {
  readonly options: F.MarginOptions;
  constructor(...args: MarginArgs) {
    super();
    this.options = kwargs<F.MarginOptions>('HingeEmbeddingLoss', ['margin', 'reduction'], args);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.hingeEmbeddingLoss(input, target, this.options);
  }
}
/** Multi-class hinge loss; the class weight is a buffer `weight`. */
export class MultiMarginLoss extends Module {
  readonly p: number;
  readonly margin: number;
  readonly reduction: Reduction;
  constructor(...args: KwArgs<F.MultiMarginOptions, ['p', 'margin', 'weight', 'reduction']>) {
    super();
    const o = kwargs<F.MultiMarginOptions>('MultiMarginLoss', ['p', 'margin', 'weight', 'reduction'], args);
    this.p = o.p ?? 1;
    this.margin = o.margin ?? 1;
    this.reduction = o.reduction ?? 'mean';
    this.registerBuffer('weight', o.weight ?? null);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.multiMarginLoss(input, target, this.p, this.margin, this.buffer('weight'), this.reduction);
  }
}
/** Multi-label hinge loss (targets: class indices ended by -1). */
export class MultiLabelMarginLoss extends Module {
  readonly reduction: Reduction;
  constructor(...args: KwArgs<R, ['reduction']>) {
    super();
    this.reduction = kwargs<R>('MultiLabelMarginLoss', ['reduction'], args).reduction ?? 'mean';
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.multilabelMarginLoss(input, target, this.reduction);
  }
}
/** Multi-label one-vs-all logistic loss; the class weight is a buffer `weight`. */
export class MultiLabelSoftMarginLoss extends Module {
  readonly reduction: Reduction;
  constructor(...args: KwArgs<{ weight?: Tensor | null; reduction?: Reduction }, ['weight', 'reduction']>) {
    super();
    const o = kwargs<{ weight?: Tensor | null; reduction?: Reduction }>(
      'MultiLabelSoftMarginLoss',
      ['weight', 'reduction'],
      args,
    );
    this.reduction = o.reduction ?? 'mean';
    this.registerBuffer('weight', o.weight ?? null);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.multilabelSoftMarginLoss(input, target, this.buffer('weight'), this.reduction);
  }
}
/** Two-class logistic loss, target 1 or -1. */
export class SoftMarginLoss extends Module {
  readonly reduction: Reduction;
  constructor(...args: KwArgs<R, ['reduction']>) {
    super();
    this.reduction = kwargs<R>('SoftMarginLoss', ['reduction'], args).reduction ?? 'mean';
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.softMarginLoss(input, target, this.reduction);
  }
}
/** Triplet loss with p-norm distances. */
export class TripletMarginLoss extends Module {
  readonly options: F.TripletMarginOptions;
  constructor(...args: KwArgs<F.TripletMarginOptions, ['margin', 'p', 'eps', 'swap', 'reduction']>) {
    super();
    this.options = kwargs<F.TripletMarginOptions>(
      'TripletMarginLoss',
      ['margin', 'p', 'eps', 'swap', 'reduction'],
      args,
    );
  }
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.tripletMarginLoss(anchor, positive, negative, this.options);
  }
}
/** Triplet loss with any distance; the default distance is a PairwiseDistance child named `distance_function`. */
export class TripletMarginWithDistanceLoss extends Module {
  readonly margin: number;
  readonly swap: boolean;
  readonly reduction: Reduction;
  private readonly distance: (a: Tensor, b: Tensor) => Tensor;
  constructor(options: F.TripletDistanceOptions = {}) {
    super();
    const o = kwargs<F.TripletDistanceOptions>(
      'TripletMarginWithDistanceLoss',
      [],
      [options],
      ['distanceFunction', 'margin', 'swap', 'reduction'],
    );
    this.margin = o.margin ?? 1;
    this.swap = o.swap ?? false;
    this.reduction = o.reduction ?? 'mean';
    if (!(this.margin > 0))
      throw new RangeError(`TripletMarginWithDistanceLoss: margin must be greater than 0, got ${this.margin}`);
    const fn = o.distanceFunction ?? this.registerModule('distance_function', new PairwiseDistance());
    if (fn instanceof Module) this.registerModule('distance_function', fn);
    this.distance = fn;
  }
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.tripletMarginWithDistanceLoss(anchor, positive, negative, {
      distanceFunction: this.distance,
      margin: this.margin,
      swap: this.swap,
      reduction: this.reduction,
    });
  }
}
/** Connectionist Temporal Classification loss. */
export class CTCLoss extends Module {
  readonly options: F.CtcOptions;
  constructor(...args: KwArgs<F.CtcOptions, ['blank', 'reduction', 'zeroInfinity']>) {
    super();
    this.options = kwargs<F.CtcOptions>('CTCLoss', ['blank', 'reduction', 'zeroInfinity'], args);
  }
  override forward(
    logProbs: Tensor,
    targets: Tensor,
    inputLengths: Tensor | number[],
    targetLengths: Tensor | number[],
  ): Tensor {
    return F.ctcLoss(logProbs, targets, inputLengths, targetLengths, this.options);
  }
}
/** Deprecated alias of NLLLoss for (N, C, H, W) inputs. */
export class NLLLoss2d extends NLLLoss {}

/** Options of linearCrossEntropyLoss (Python's keyword arguments, camelCase). */
export interface LinearCrossEntropyLossOptions extends FactoryOptions {
  /** Extra dims of the class scores: (N, numClasses, *outFeatures) (K-dimensional loss). Default []. */ outFeatures?: number[];
  /** Default false. */ bias?: boolean;
  reduction?: Reduction;
  /** Class weights (numClasses), a buffer `weight`. */ weight?: Tensor | null;
  ignoreIndex?: number | null;
  /** In [0, 1], default 0. */ labelSmoothing?: number;
}
/** A Linear projection to class scores followed by cross-entropy (child `linear`; options keyword-only). */
export class LinearCrossEntropyLoss extends Module {
  readonly outFeatures: number[];
  readonly reduction: Reduction;
  readonly ignoreIndex: number | null;
  readonly labelSmoothing: number;
  readonly linear: Linear;
  constructor(
    readonly inFeatures: number,
    readonly numClasses: number,
    options: LinearCrossEntropyLossOptions = {},
  ) {
    super();
    const o = kwargs<LinearCrossEntropyLossOptions>(
      'LinearCrossEntropyLoss',
      [],
      [options],
      ['outFeatures', 'bias', 'device', 'dtype', 'reduction', 'weight', 'ignoreIndex', 'labelSmoothing'],
    );
    if (o.weight && (o.weight.ndim !== 1 || o.weight.shape[0] !== numClasses))
      throw new RangeError(
        `LinearCrossEntropyLoss: expected weight shape to be [${numClasses}], got [${o.weight.shape.join(', ')}]`,
      );
    this.labelSmoothing = o.labelSmoothing ?? 0;
    if (this.labelSmoothing < 0 || this.labelSmoothing > 1)
      throw new RangeError(
        `LinearCrossEntropyLoss: expected labelSmoothing to be in range [0, 1], got ${this.labelSmoothing}`,
      );
    this.registerBuffer('weight', o.weight ?? null);
    this.reduction = o.reduction ?? 'mean';
    this.outFeatures = o.outFeatures ?? [];
    this.ignoreIndex = o.ignoreIndex ?? null;
    this.linear = new Linear(
      inFeatures,
      this.outFeatures.reduce((a, b) => a * b, numClasses),
      { bias: o.bias ?? false, device: o.device, dtype: o.dtype },
    );
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return torch.tidy(() =>
      F.linearCrossEntropy(
        input,
        this.linear.weight.reshape([this.numClasses, ...this.outFeatures, this.inFeatures]),
        target,
        {
          linearBias: this.linear.bias?.reshape([this.numClasses, ...this.outFeatures]) ?? null,
          weight: this.buffer('weight'),
          reduction: this.reduction,
          ignoreIndex: this.ignoreIndex,
          labelSmoothing: this.labelSmoothing,
        },
      ),
    );
  }
  override extraRepr(): string {
    return (
      `in_features=${this.inFeatures}, num_classes=${this.numClasses}, out_features=${pyTuple(this.outFeatures)}, bias=${pyBool(this.linear.bias !== null)}, ` +
      `reduction=${this.reduction}, ignore_index=${this.ignoreIndex ?? 'None'}, label_smoothing=${pyFloat(this.labelSmoothing)}, options=None`
    );
  }
}
