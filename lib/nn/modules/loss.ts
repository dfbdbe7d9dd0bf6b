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

/**
 * The Kullback-Leibler divergence loss between a target and an input distribution.
 *
 * For log-probabilities `x` and probabilities `y` the pointwise loss is `y * (log(y) - x)`; with `logTarget` the target
 * holds log-probabilities too, which avoids the loss of precision of `log(y)`. `'batchmean'` (the sum divided by the
 * batch size) gives the true KL divergence per sample; `'mean'`, the default as in PyTorch, divides by the number of
 * elements instead. Arguments as PyTorch's (without the deprecated `size_average` and `reduce`): positional in Python's
 * order, or one options object.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Target: `(*)`, the same shape as the input.
 * - Output: a scalar; with reduction `'none'`, `(*)`, the same shape as the input.
 *
 * @param reduction - `'none'`, `'batchmean'`, `'sum'` or `'mean'` (default `'mean'`).
 * @param logTarget - the target is given as log-probabilities (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const kl = new nn.KLDivLoss({ reduction: 'batchmean' });
 * const input = torch.randn(3, 5).logSoftmax(1);
 * const target = torch.rand(3, 5).softmax(1);
 * console.log(kl(input, target).shape); // []
 */
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
/**
 * A loss that is squared where the absolute error is below `beta` and L1 above it.
 *
 * The loss of element `n` is `0.5 * (x_n - y_n)^2 / beta` where `|x_n - y_n| < beta`, else `|x_n - y_n| - 0.5 * beta`.
 * Less sensitive to outliers than `nn.MSELoss`, and without the kink of `nn.L1Loss` at 0 (Girshick, 2015, Fast R-CNN).
 * `beta` 0 gives the L1 loss; `nn.HuberLoss` is this loss multiplied by `beta`. Arguments as PyTorch's (without the
 * deprecated `size_average` and `reduce`): positional in Python's order, or one options object.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Target: `(*)`, the same shape as the input.
 * - Output: a scalar; with reduction `'none'`, `(*)`, the same shape as the input.
 *
 * @param reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @param beta - where the loss changes from squared to L1, at least 0 (default `1`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.SmoothL1Loss({ beta: 0.5 });
 * const output = loss(torch.tensor([0.5, 2.5]), torch.tensor([0.25, 0.5]));
 * console.log(output.item()); // 0.90625
 */
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
/**
 * A loss that is squared where the absolute error is below `delta` and delta-scaled L1 above it.
 *
 * The loss of element `n` is `0.5 * (x_n - y_n)^2` where `|x_n - y_n| < delta`, else
 * `delta * (|x_n - y_n| - 0.5 * delta)`. It equals `nn.SmoothL1Loss` with `beta = delta`, multiplied by `delta`.
 * Arguments as PyTorch's (without the deprecated `size_average` and `reduce`): positional in Python's order, or one
 * options object.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Target: `(*)`, the same shape as the input.
 * - Output: a scalar; with reduction `'none'`, `(*)`, the same shape as the input.
 *
 * @param reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @param delta - where the loss changes from squared to linear, above 0 (default `1`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.HuberLoss({ delta: 0.5 });
 * const output = loss(torch.tensor([0.5, 2.5]), torch.tensor([0.25, 0.5]));
 * console.log(output.item()); // 0.453125
 */
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
/**
 * The negative log-likelihood of a Poisson-distributed target.
 *
 * With `logInput` the loss is `exp(x) - y * x` (`x` the log of the rate), else `x - y * log(x + eps)`. With `full`,
 * Stirling's approximation `y * log(y) - y + 0.5 * log(2 * pi * y)` of `log(y!)` is added where `y > 1`. The options
 * are kept as `options`. Arguments as PyTorch's (without the deprecated `size_average` and `reduce`): positional in
 * Python's order, or one options object.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Target: `(*)`, the same shape as the input.
 * - Output: a scalar; with reduction `'none'`, `(*)`, the same shape as the input.
 *
 * @param logInput - the input is the log of the rate (default `true`).
 * @param full - add Stirling's approximation term (default `false`).
 * @param eps - keeps `log` away from 0 when `logInput` is false (default `1e-8`).
 * @param reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.PoissonNLLLoss();
 * const logInput = torch.randn([5, 2], { requiresGrad: true });
 * const output = loss(logInput, torch.randint(0, 4, [5, 2]).float());
 * output.backward();
 * console.log(output.shape); // []
 */
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
/**
 * The negative log-likelihood of a target under a Gaussian with predicted mean and variance.
 *
 * `forward(input, target, variance)` treats the target as drawn from a Gaussian of mean `input` and variance
 * `variance`: the loss of element `n` is `0.5 * (log(max(var_n, eps)) + (x_n - y_n)^2 / max(var_n, eps))`, plus
 * `0.5 * log(2 * pi)` with `full`. The variance is clamped at `eps` for stability (with no gradient through the clamp).
 * The options are keyword-only, as in PyTorch, and kept as `options`.
 *
 * Shape:
 * - Input: `(N, *)` or `(*)`, `*` any number of further dimensions.
 * - Target: the input's shape, or that shape with one dimension of size 1 (broadcast).
 * - Variance: the input's shape, that shape with one dimension of size 1 or with the last dimension left out
 *   (homoscedastic), or a number.
 * - Output: a scalar; with reduction `'none'`, the input's shape.
 *
 * @param options.full - add the constant `0.5 * log(2 * pi)` (default `false`).
 * @param options.eps - the lower clamp of the variance (default `1e-6`).
 * @param options.reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.GaussianNLLLoss();
 * const input = torch.randn([5, 2], { requiresGrad: true });
 * const output = loss(input, torch.randn(5, 2), torch.ones(5, 1));
 * output.backward();
 * console.log(output.shape); // []
 */
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
/**
 * A loss that pulls pairs with target 1 together and pushes pairs with target -1 apart, by cosine.
 *
 * The loss of pair `n` is `1 - cos(x1_n, x2_n)` for `y_n = 1` and `max(0, cos(x1_n, x2_n) - margin)` for `y_n = -1`.
 * Used to learn nonlinear embeddings and in semi-supervised learning. The options are kept as `options`. Arguments as
 * PyTorch's (without the deprecated `size_average` and `reduce`): positional in Python's order, or one options object.
 *
 * Shape:
 * - Input1: `(N, D)` or `(D)`, `N` the batch size and `D` the embedding dimension.
 * - Input2: the shape of Input1.
 * - Target: `(N)` or `()`, values 1 or -1.
 * - Output: a scalar; with reduction `'none'`, `(N)` or `()`.
 *
 * @param margin - in `[-1, 1]`; 0 to 0.5 is suggested (default `0`).
 * @param reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.CosineEmbeddingLoss(0.5);
 * const output = loss(torch.randn(3, 5), torch.randn(3, 5), torch.tensor([1, -1, 1]));
 * console.log(output.shape); // []
 */
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
/**
 * A loss that asks `x1` to rank above `x2` where the target is 1, and below it where -1.
 *
 * The loss of element `n` is `max(0, -y_n * (x1_n - x2_n) + margin)`. The options are kept as `options`. Arguments as
 * PyTorch's (without the deprecated `size_average` and `reduce`): positional in Python's order, or one options object.
 *
 * Shape:
 * - Input1: `(N)` or `()`, `N` the batch size.
 * - Input2: the shape of Input1.
 * - Target: the shape of Input1, values 1 or -1.
 * - Output: a scalar; with reduction `'none'`, `(N)` or `()`.
 *
 * @param margin - the margin (default `0`).
 * @param reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.MarginRankingLoss();
 * const input1 = torch.randn([3], { requiresGrad: true });
 * const output = loss(input1, torch.randn(3), torch.randn(3).sign());
 * output.backward();
 * console.log(output.shape); // []
 */
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
/**
 * A loss for a distance `x` of pairs that should be similar (target 1) or dissimilar (-1).
 *
 * The loss of element `n` is `x_n` for `y_n = 1` and `max(0, margin - x_n)` for `y_n = -1`, `x` typically an L1
 * distance between the two inputs of a pair. Used for nonlinear embeddings and semi-supervised learning. The options
 * are kept as `options`. Arguments as PyTorch's (without the deprecated `size_average` and `reduce`): positional in
 * Python's order, or one options object.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Target: `(*)`, the shape of the input, values 1 or -1.
 * - Output: a scalar; with reduction `'none'`, `(*)`, the shape of the input.
 *
 * @param margin - the margin (default `1`).
 * @param reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.HingeEmbeddingLoss();
 * const output = loss(torch.tensor([0.5, 0.25]), torch.tensor([1, -1]));
 * console.log(output.item()); // 0.625
 */
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
/**
 * The multi-class classification hinge loss (margin loss) between scores and a class index.
 *
 * The loss of sample `x` with class `y` is `sum_{i != y} max(0, margin - x[y] + x[i])^p / C`, each term multiplied by
 * `weight[y]` when class weights are given (a buffer `weight`). Arguments as PyTorch's (without the deprecated
 * `size_average` and `reduce`): positional in Python's order, or one options object.
 *
 * Shape:
 * - Input: `(N, C)` or `(C)`, `N` the batch size and `C` the number of classes.
 * - Target: `(N)` or `()`, int64 class indices in `[0, C)`.
 * - Output: a scalar; with reduction `'none'`, `(N)` or `()`.
 *
 * @param p - 1 or 2 (default `1`).
 * @param margin - the margin (default `1`).
 * @param weight - a rescaling weight for each class, of size `C` (default none).
 * @param reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.MultiMarginLoss();
 * const output = loss(torch.tensor([[0.1, 0.2, 0.4, 0.8]]), torch.tensor([3]));
 * console.log(output.shape); // []
 * // output: 0.25 * ((1 - 0.7) + (1 - 0.6) + (1 - 0.4)) = 0.325
 */
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
/**
 * The multi-class multi-label hinge loss between scores and a list of target classes.
 *
 * The target of a sample lists its classes by index, ended by the first -1 (the rest is ignored). The loss of sample
 * `x` is `sum_{j, i} max(0, 1 - (x[y[j]] - x[i])) / C` over its target classes `y[j]` and the other classes `i`.
 * Arguments as PyTorch's (without the deprecated `size_average` and `reduce`): positional in Python's order, or one
 * options object.
 *
 * Shape:
 * - Input: `(N, C)` or `(C)`, `N` the batch size and `C` the number of classes.
 * - Target: the input's shape, int64 class indices padded with -1.
 * - Output: a scalar; with reduction `'none'`, `(N)` or `()`.
 *
 * @param reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.MultiLabelMarginLoss();
 * // classes 3 and 0 are targets; 1 and 2 are not
 * const output = loss(torch.tensor([[0.1, 0.2, 0.4, 0.8]]), torch.tensor([[3, 0, -1, 1]]));
 * console.log(output.shape); // []
 */
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
/**
 * The multi-label one-versus-all loss, by the binary cross-entropy of each class.
 *
 * The loss of sample `x` with 0/1 labels `y` is
 * `-sum_i w[i] * (y[i] * log(sigmoid(x[i])) + (1 - y[i]) * log(sigmoid(-x[i]))) / C`; the class weights are a buffer
 * `weight`. Arguments as PyTorch's (without the deprecated `size_average` and `reduce`): positional in Python's order,
 * or one options object.
 *
 * Shape:
 * - Input: `(N, C)` or `(C)`, `N` the batch size and `C` the number of classes.
 * - Target: the input's shape, labels 0 or 1.
 * - Output: a scalar; with reduction `'none'`, `(N)` or `()`.
 *
 * @param weight - a rescaling weight for each class, of size `C` (default none).
 * @param reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.MultiLabelSoftMarginLoss();
 * const target = torch.tensor([[1, 0, 0, 1], [0, 1, 0, 0], [1, 1, 1, 0]], { dtype: 'float32' });
 * const output = loss(torch.randn(3, 4), target);
 * console.log(output.shape); // []
 */
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
/**
 * The two-class logistic loss between an input and a target of 1 or -1.
 *
 * The loss is `sum_i log(1 + exp(-y[i] * x[i])) / n`, `n` the number of elements (with reduction `'mean'`). Arguments
 * as PyTorch's (without the deprecated `size_average` and `reduce`): positional in Python's order, or one options
 * object.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Target: `(*)`, the shape of the input, values 1 or -1.
 * - Output: a scalar; with reduction `'none'`, `(*)`, the shape of the input.
 *
 * @param reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.SoftMarginLoss();
 * const output = loss(torch.randn(4), torch.tensor([1, -1, -1, 1], { dtype: 'float32' }));
 * console.log(output.shape); // []
 */
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
/**
 * The triplet loss: an anchor should be closer to a positive than to a negative sample by a margin.
 *
 * The loss of triplet `i` is `max(d(a_i, p_i) - d(a_i, n_i) + margin, 0)`, with `d(x, y) = ||x - y + eps||_p` (Balntas
 * et al., 2016). With `swap`, the distance from the positive to the negative is used in place of `d(a_i, n_i)` where
 * smaller (the distance swap). `nn.TripletMarginWithDistanceLoss` takes any distance function. The options are kept as
 * `options`. Arguments as PyTorch's (without the deprecated `size_average` and `reduce`): positional in Python's order,
 * or one options object.
 *
 * Shape:
 * - Input: `(N, D)` or `(D)` for each of the anchor, positive and negative, `D` the vector dimension.
 * - Output: a scalar; with reduction `'none'` and batched inputs, `(N)`.
 *
 * @param margin - the margin (default `1`).
 * @param p - the norm degree of the pairwise distance (default `2`).
 * @param eps - a small constant for numerical stability (default `1e-6`).
 * @param swap - use the distance swap (default `false`).
 * @param reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.TripletMarginLoss({ margin: 1, p: 2 });
 * const anchor = torch.randn([100, 128], { requiresGrad: true });
 * const output = loss(anchor, torch.randn(100, 128), torch.randn(100, 128));
 * output.backward();
 * console.log(output.shape); // []
 */
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
/**
 * The triplet loss with a distance function of the caller's choice.
 *
 * The loss of triplet `i` is `max(d(a_i, p_i) - d(a_i, n_i) + margin, 0)` with `d` the given distance function (default
 * `nn.PairwiseDistance`, registered as the child `distance_function`; a Module given is registered there too). With
 * `swap`, `d(p_i, n_i)` replaces `d(a_i, n_i)` where smaller. The options are keyword-only, as in PyTorch.
 *
 * Shape:
 * - Input: `(N, *)` for each of the anchor, positive and negative, `*` whatever the distance function accepts.
 * - Output: a scalar; with reduction `'none'`, `(N)`.
 *
 * @param options.distanceFunction - a nonnegative, real-valued function of two tensors, the distance between them
 *   (default the pairwise Euclidean distance).
 * @param options.margin - the margin, above 0 (default `1`).
 * @param options.swap - use the distance swap (default `false`).
 * @param options.reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.TripletMarginWithDistanceLoss({
 *   distanceFunction: (x, y) => nn.functional.cosineSimilarity(x, y).neg().add(1), // the cosine distance
 *   margin: 0.5,
 * });
 * const output = loss(torch.randn(10, 8), torch.randn(10, 8), torch.randn(10, 8));
 * console.log(output.shape); // []
 */
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
/**
 * The Connectionist Temporal Classification loss, between an unsegmented sequence and a target sequence.
 *
 * It sums the probability of every alignment of the target to the input sequence (Graves et al., 2006).
 * `forward(logProbs, targets, inputLengths, targetLengths)` takes log-probabilities (e.g. from `logSoftmax(2)`); the
 * lengths are tensors or arrays of ints. `'mean'` divides each loss by its target length before averaging over the
 * batch. The options are kept as `options`. Arguments as PyTorch's (without the deprecated `size_average` and
 * `reduce`): positional in Python's order, or one options object.
 *
 * Shape:
 * - logProbs: `(T, N, C)` or `(T, C)`, `T` the input length, `N` the batch size and `C` the number of classes (with the
 *   blank).
 * - targets: `(N, S)`, padded to the longest target length `S`, or `(sum(targetLengths))`, the targets concatenated;
 *   class indices other than the blank.
 * - inputLengths: `(N)` or `()`, each at most `T`. targetLengths: `(N)` or `()`, each at most `S`.
 * - Output: a scalar; with reduction `'none'`, `(N)` (`()` unbatched).
 *
 * @param blank - the blank label (default `0`).
 * @param reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @param zeroInfinity - zero infinite losses, which occur when an input is too short for its target, and their
 *   gradients (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const [T, C, N, S] = [10, 5, 2, 4];
 * const logProbs = torch.randn([T, N, C], { requiresGrad: true }).logSoftmax(2);
 * const targets = torch.randint(1, C, [N, S]);
 * const loss = new nn.CTCLoss();
 * const output = loss(logProbs, targets, [T, T], [3, S]);
 * output.backward();
 * console.log(output.shape); // []
 */
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
/**
 * `nn.NLLLoss` under its old name for image inputs (deprecated in PyTorch, kept for its name).
 *
 * Identical to `nn.NLLLoss`, which handles `(N, C, H, W)` inputs itself.
 *
 * Shape:
 * - Input: `(N, C, H, W)` log-probabilities, `C` the number of classes.
 * - Target: `(N, H, W)`, int64 class indices in `[0, C)`.
 * - Output: a scalar; with reduction `'none'`, `(N, H, W)`.
 *
 * @param options.weight - a rescaling weight for each class, of size `C` (default none).
 * @param options.ignoreIndex - a class index whose targets are ignored (default `-100`).
 * @param options.reduction - `'none'` (the loss of each element), `'mean'` (their mean, weighted by the class weights
 *   of the targets) or `'sum'` (default `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.NLLLoss2d();
 * const input = torch.randn(2, 3, 4, 4).logSoftmax(1);
 * console.log(loss(input, torch.randint(0, 3, [2, 4, 4])).shape); // []
 */
export class NLLLoss2d extends NLLLoss {}

/** Options of linearCrossEntropyLoss (Python's keyword arguments, camelCase). */
export interface LinearCrossEntropyLossOptions extends FactoryOptions {
  /** Extra dims of the class scores: (N, numClasses, *outFeatures) (K-dimensional loss). Default []. */
  outFeatures?: number[];
  /** Default false. */ bias?: boolean;
  reduction?: Reduction;
  /** Class weights (numClasses), a buffer `weight`. */ weight?: Tensor | null;
  ignoreIndex?: number | null;
  /** In [0, 1], default 0. */ labelSmoothing?: number;
}
/**
 * A Linear projection of the input to class scores followed by the cross-entropy loss.
 *
 * The child `linear` (`Linear(inFeatures, numClasses * prod(outFeatures))`) holds the weights; its output is read as
 * scores of shape `(N, numClasses, *outFeatures)` and compared to the target as in `nn.CrossEntropyLoss`. The options
 * are keyword-only, as in PyTorch; PyTorch's `options` (a chunked, memory-saving evaluation of the same value) is not
 * offered.
 *
 * Shape:
 * - Input: `(N, inFeatures)` or `(inFeatures)`.
 * - Target: class indices (int64, in `[0, numClasses)`) of shape `(N, *outFeatures)`, `(N)` or `()`, or class
 *   probabilities of shape `(N, numClasses, *outFeatures)` or `(numClasses)`.
 * - Output: a scalar; with reduction `'none'`, `(N, *outFeatures)`, `(N)` or `()`.
 *
 * @param inFeatures - the size of each input sample.
 * @param numClasses - `C`, the number of classes.
 * @param options.outFeatures - the extra dimensions `(d_1, ..., d_K)` of the scores, for a K-dimensional loss (default
 *   `[]`).
 * @param options.bias - the projection learns a bias (default `false`).
 * @param options.weight - a rescaling weight for each class, of size `C`, a buffer `weight` (default none).
 * @param options.reduction - `'none'` (the loss of each element), `'mean'` (their mean, weighted by the class weights
 *   of the targets) or `'sum'` (default `'mean'`).
 * @param options.ignoreIndex - a class index whose targets are ignored; only for class-index targets (default `-100`
 *   for them).
 * @param options.labelSmoothing - the amount of label smoothing, in `[0, 1]` (default `0`).
 * @param options.device - where the projection's parameters live (default the CPU).
 * @param options.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.LinearCrossEntropyLoss(5, 10, { outFeatures: [4, 3] });
 * const input = torch.randn([2, 5], { requiresGrad: true });
 * const output = loss(input, torch.randint(0, 10, [2, 4, 3]));
 * output.backward();
 * console.log(output.shape); // []
 */
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
