// Activation modules (torch/nn/modules/activation.py): PyTorch's names, defaults and printed form.
// Each takes any shape and returns the same shape unless stated.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import { Module, pyFloat } from '../module.js';
import { factory, type FactoryOptions } from './utils.js';

const inplaceRepr = (inplace: boolean): string => (inplace ? 'inplace=True' : '');

/**
 * Applies the rectified linear unit elementwise: `ReLU(x) = max(0, x)`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param inplace - overwrite the input instead of returning a new tensor (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ReLU();
 * const output = m(torch.tensor([-1.5, 0.5, 2]));
 * console.log(output.tolist()); // [0, 0.5, 2]
 */
export class ReLU extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.relu(x, this.inplace);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}
/**
 * Applies ReLU capped at 6 elementwise: `ReLU6(x) = min(max(0, x), 6)`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param inplace - overwrite the input instead of returning a new tensor (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ReLU6();
 * const output = m(torch.tensor([-1, 3.5, 8]));
 * console.log(output.tolist()); // [0, 3.5, 6]
 */
export class ReLU6 extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.relu6(x, this.inplace);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}
/**
 * Applies the leaky ReLU elementwise: `LeakyReLU(x) = max(0, x) + negativeSlope * min(0, x)`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param negativeSlope - the slope for negative inputs (default `0.01`).
 * @param inplace - overwrite the input instead of returning a new tensor (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.LeakyReLU(0.5);
 * const output = m(torch.tensor([-2.5, 3]));
 * console.log(output.tolist()); // [-1.25, 3]
 */
export class LeakyReLU extends Module {
  constructor(
    readonly negativeSlope = 0.01,
    readonly inplace = false,
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope, this.inplace);
  }
  override extraRepr(): string {
    return `negative_slope=${this.negativeSlope}${this.inplace ? ', inplace=True' : ''}`;
  }
}
/**
 * Applies the parametric ReLU elementwise: `PReLU(x) = max(0, x) + a * min(0, x)`, with the slope `a` learned.
 *
 * There is one slope shared by all channels (`numParameters` 1) or one per channel; the channel dimension is dimension
 * 1 of the input (an input with fewer than 2 dimensions has one channel). Weight decay should not be applied to `a` for
 * good performance.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param numParameters - the number of slopes `a` to learn: 1 or the number of input channels (default `1`); kept as
 *   `numSlopes` (PyTorch's `num_parameters`), as `numParameters()` is the Module method.
 * @param o.init - the initial value of every slope (default `0.25`).
 * @param o.device - where the slopes live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.PReLU(3);
 * const output = m(torch.randn(2, 3, 4));
 * console.log(output.shape); // [2, 3, 4]
 */
export class PReLU extends Module {
  /** PyTorch's num_parameters (named apart from Module.numParameters()). */
  readonly numSlopes: number;
  constructor(numParameters = 1, o: FactoryOptions & { init?: number } = {}) {
    super();
    this.numSlopes = numParameters;
    this.registerParameter('weight', torch.full([numParameters], o.init ?? 0.25, factory(o)));
  }
  get weight(): Tensor {
    return this.param('weight');
  }
  override forward(x: Tensor): Tensor {
    return F.prelu(x, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numSlopes}`;
  }
}
/**
 * Applies the exponential linear unit elementwise: `ELU(x) = x` for `x > 0`, else `alpha * (exp(x) - 1)`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param alpha - the value the output tends to for very negative inputs is `-alpha` (default `1`).
 * @param inplace - overwrite the input instead of returning a new tensor (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ELU();
 * const output = m(torch.randn(2));
 * console.log(output.shape); // [2]
 */
export class ELU extends Module {
  constructor(
    readonly alpha = 1,
    readonly inplace = false,
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.elu(x, this.alpha, this.inplace);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`;
  }
}
/**
 * Applies the continuously differentiable ELU elementwise.
 *
 * `CELU(x) = max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param alpha - the alpha of the formula (default `1`).
 * @param inplace - overwrite the input instead of returning a new tensor (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.CELU(0.5);
 * const output = m(torch.randn(2));
 * console.log(output.shape); // [2]
 */
export class CELU extends Module {
  constructor(
    readonly alpha = 1,
    readonly inplace = false,
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.celu(x, this.alpha, this.inplace);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`;
  }
}
/**
 * Applies the scaled exponential linear unit elementwise.
 *
 * `SELU(x) = scale * (max(0, x) + min(0, alpha * (exp(x) - 1)))`, with the fixed
 * `alpha = 1.6732632423543772848170429916717` and `scale = 1.0507009873554804934193349852946`.
 *
 * Meant for self-normalizing networks: initialize the weights with
 * `nn.init.kaimingNormal_(w, { nonlinearity: 'linear' })` and use `nn.AlphaDropout` for dropout.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param inplace - overwrite the input instead of returning a new tensor (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.SELU();
 * const output = m(torch.randn(2));
 * console.log(output.shape); // [2]
 */
export class SELU extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.selu(x, this.inplace);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}
/**
 * Applies the Gaussian error linear unit elementwise: `GELU(x) = x * Phi(x)`, `Phi` the standard normal CDF.
 *
 * With `approximate` `'tanh'` it computes `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))` instead.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param approximate - `'none'` (exact, the default) or `'tanh'` (the tanh approximation).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.GELU('tanh');
 * const output = m(torch.randn(2));
 * console.log(output.shape); // [2]
 */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.gelu(x, this.approximate);
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}
/**
 * Applies the sigmoid linear unit (swish) elementwise: `SiLU(x) = x * sigmoid(x)`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param inplace - overwrite the input instead of returning a new tensor (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.SiLU();
 * const output = m(torch.randn(2));
 * console.log(output.shape); // [2]
 */
export class SiLU extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.silu(x, this.inplace);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}
/**
 * Applies Mish elementwise: `Mish(x) = x * tanh(softplus(x))`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param inplace - overwrite the input instead of returning a new tensor (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Mish();
 * const output = m(torch.randn(2));
 * console.log(output.shape); // [2]
 */
export class Mish extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.mish(x, this.inplace);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}
/**
 * Applies softplus elementwise: `Softplus(x) = log(1 + exp(beta * x)) / beta`.
 *
 * A smooth approximation of ReLU whose outputs are all positive.
 *
 * For numerical stability it returns `x` itself where `beta * x > threshold`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param beta - the beta of the formula (default `1`).
 * @param threshold - above this value of `beta * x` the output is linear (default `20`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Softplus(2);
 * const output = m(torch.randn(2));
 * console.log(output.shape); // [2]
 */
export class Softplus extends Module {
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.softplus(x, this.beta, this.threshold);
  }
  override extraRepr(): string {
    return `beta=${pyFloat(this.beta)}, threshold=${pyFloat(this.threshold)}`;
  }
}
/**
 * Applies the hard swish elementwise: `Hardswish(x) = x * relu6(x + 3) / 6` (0 for `x <= -3`, `x` for `x >= 3`).
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param inplace - overwrite the input instead of returning a new tensor (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Hardswish();
 * const output = m(torch.tensor([-4.5, 0, 4.5]));
 * console.log(output.tolist()); // [0, 0, 4.5]
 */
export class Hardswish extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.hardswish(x, this.inplace);
  }
}
/**
 * Applies the hard sigmoid elementwise: `Hardsigmoid(x) = relu6(x + 3) / 6`.
 *
 * That is 0 for `x <= -3`, 1 for `x >= 3`, else `x / 6 + 1 / 2`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param inplace - overwrite the input instead of returning a new tensor (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Hardsigmoid();
 * const output = m(torch.tensor([-4.5, 0, 4.5]));
 * console.log(output.tolist()); // [0, 0.5, 1]
 */
export class Hardsigmoid extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.hardsigmoid(x, this.inplace);
  }
}
/**
 * Applies the hard tanh elementwise: `Hardtanh(x) = clamp(x, minVal, maxVal)`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param minVal - the lower end of the linear region (default `-1`).
 * @param maxVal - the upper end of the linear region (default `1`).
 * @param inplace - overwrite the input instead of returning a new tensor (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Hardtanh(-2, 2);
 * const output = m(torch.tensor([-3, 0.5, 3]));
 * console.log(output.tolist()); // [-2, 0.5, 2]
 */
export class Hardtanh extends Module {
  constructor(
    readonly minVal = -1,
    readonly maxVal = 1,
    readonly inplace = false,
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.hardtanh(x, this.minVal, this.maxVal, this.inplace);
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${this.inplace ? ', inplace=True' : ''}`;
  }
}
/**
 * Applies the logistic sigmoid elementwise: `Sigmoid(x) = 1 / (1 + exp(-x))`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Sigmoid();
 * const output = m(torch.tensor([0]));
 * console.log(output.tolist()); // [0.5]
 */
export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}
/**
 * Applies the hyperbolic tangent elementwise: `Tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Tanh();
 * const output = m(torch.randn(2));
 * console.log(output.shape); // [2]
 */
export class Tanh extends Module {
  override forward(x: Tensor): Tensor {
    return x.tanh();
  }
}
/**
 * Applies `LogSigmoid(x) = log(1 / (1 + exp(-x)))` elementwise.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.LogSigmoid();
 * const output = m(torch.randn(2));
 * console.log(output.shape); // [2]
 */
export class LogSigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return F.logsigmoid(x);
  }
}
/**
 * Applies `Softsign(x) = x / (1 + |x|)` elementwise.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Softsign();
 * const output = m(torch.tensor([-3, 1]));
 * console.log(output.tolist()); // [-0.75, 0.5]
 */
export class Softsign extends Module {
  override forward(x: Tensor): Tensor {
    return F.softsign(x);
  }
}
/**
 * Applies `Tanhshrink(x) = x - tanh(x)` elementwise.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Tanhshrink();
 * const output = m(torch.randn(2));
 * console.log(output.shape); // [2]
 */
export class Tanhshrink extends Module {
  override forward(x: Tensor): Tensor {
    return F.tanhshrink(x);
  }
}
/**
 * Applies the gated linear unit `GLU(a, b) = a * sigmoid(b)` along `dim`.
 *
 * `a` is the first half of the input along `dim` and `b` the second half.
 *
 * Shape:
 * - Input: `(*1, N, *2)`, where `*` means any number of further dimensions and `N` (the size of `dim`) is even.
 * - Output: `(*1, M, *2)`, where `M = N / 2`.
 *
 * @param dim - the dimension that is split in halves (default `-1`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.GLU();
 * const output = m(torch.randn(4, 2));
 * console.log(output.shape); // [4, 1]
 */
export class GLU extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.glu(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
/**
 * Applies softmax along `dim`: `Softmax(x_i) = exp(x_i) / sum_j exp(x_j)`.
 *
 * The slices along `dim` of the output lie in `[0, 1]` and sum to 1.
 *
 * Unlike PyTorch, `dim` is required (PyTorch's implicit choice of a dimension is deprecated). It does not combine with
 * `nn.NLLLoss`, which expects log-probabilities: use `nn.LogSoftmax` there, or `nn.CrossEntropyLoss` on the logits.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param dim - the dimension along which the values sum to 1.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Softmax(1);
 * const output = m(torch.randn(2, 3));
 * console.log(output.sum(1).shape); // [2]
 */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
/**
 * Applies `log(softmax(x))` along `dim`, computed stably: `LogSoftmax(x_i) = x_i - log(sum_j exp(x_j))`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input, with values in `[-inf, 0)`.
 *
 * @param dim - the dimension along which softmax is computed (required).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.LogSoftmax(1);
 * const output = m(torch.randn(2, 3));
 * console.log(output.shape); // [2, 3]
 */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
/**
 * Applies softmin along `dim`: `Softmin(x_i) = exp(-x_i) / sum_j exp(-x_j)`, i.e. `softmax(-x)`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input, with values in `[0, 1]`.
 *
 * @param dim - the dimension along which the values sum to 1 (required).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Softmin(1);
 * const output = m(torch.randn(2, 3));
 * console.log(output.shape); // [2, 3]
 */
export class Softmin extends Module {
  constructor(readonly dim: number) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.softmin(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
/**
 * Applies the hard shrinkage elementwise: `x` where `|x| > lambd`, else 0.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param lambd - the threshold (default `0.5`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Hardshrink();
 * const output = m(torch.tensor([-1, 0.25, 2]));
 * console.log(output.tolist()); // [-1, 0, 2]
 */
export class Hardshrink extends Module {
  constructor(readonly lambd = 0.5) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.hardshrink(x, this.lambd);
  }
  override extraRepr(): string {
    return String(this.lambd);
  }
}
/**
 * Applies the soft shrinkage elementwise: `x - lambd` for `x > lambd`, `x + lambd` for `x < -lambd`, else 0.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param lambd - the threshold, at least 0 (default `0.5`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Softshrink();
 * const output = m(torch.tensor([-1, 0.25, 2]));
 * console.log(output.tolist()); // [-0.5, 0, 1.5]
 */
export class Softshrink extends Module {
  constructor(readonly lambd = 0.5) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.softshrink(x, this.lambd);
  }
  override extraRepr(): string {
    return String(this.lambd);
  }
}
/**
 * Applies the randomized leaky ReLU elementwise: `x` for `x >= 0`, else `a * x`.
 *
 * In training mode the slope `a` is drawn for each element from `U(lower, upper)`; in evaluation mode it is
 * `(lower + upper) / 2`. Arguments as PyTorch's: positional (`lower, upper, inplace`) or one options object.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param lower - the lower bound of the uniform distribution (default `1 / 8`).
 * @param upper - the upper bound of the uniform distribution (default `1 / 3`).
 * @param inplace - overwrite the input instead of returning a new tensor (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.RReLU({ lower: 0.1, upper: 0.3 });
 * const output = m(torch.randn(2));
 * console.log(output.shape); // [2]
 */
export class RReLU extends Module {
  readonly lower: number;
  readonly upper: number;
  readonly inplace: boolean;
  constructor(...args: KwArgs<Omit<F.RreluOptions, 'training'>, ['lower', 'upper', 'inplace']>) {
    super();
    const o = kwargs<Omit<F.RreluOptions, 'training'>>('RReLU', ['lower', 'upper', 'inplace'], args);
    this.lower = o.lower ?? 1 / 8;
    this.upper = o.upper ?? 1 / 3;
    this.inplace = o.inplace ?? false;
  }
  override forward(x: Tensor): Tensor {
    return F.rrelu(x, this.lower, this.upper, this.training, this.inplace);
  }
  override extraRepr(): string {
    return `lower=${this.lower}, upper=${this.upper}${this.inplace ? ', inplace=True' : ''}`;
  }
}
/**
 * Thresholds each element: `y = x` where `x > threshold`, else `value`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param threshold - the value to threshold at.
 * @param value - the value that replaces the elements at or below the threshold.
 * @param inplace - overwrite the input instead of returning a new tensor (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Threshold(0.1, 20);
 * const output = m(torch.tensor([0, 0.5]));
 * console.log(output.tolist()); // [20, 0.5]
 */
export class Threshold extends Module {
  constructor(
    readonly threshold: number,
    readonly value: number,
    readonly inplace = false,
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.threshold(x, this.threshold, this.value, this.inplace);
  }
  override extraRepr(): string {
    return `threshold=${this.threshold}, value=${this.value}${this.inplace ? ', inplace=True' : ''}`;
  }
}
/**
 * Applies softmax over the channels at each spatial location.
 *
 * Shape:
 * - Input: `(N, C, H, W)` or `(C, H, W)`.
 * - Output: the same shape as the input, with values in `[0, 1]`.
 *
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Softmax2d();
 * const output = m(torch.randn(2, 3, 12, 13));
 * console.log(output.shape); // [2, 3, 12, 13]
 */
export class Softmax2d extends Module {
  override forward(x: Tensor): Tensor {
    if (x.ndim !== 3 && x.ndim !== 4)
      throw new RangeError(`Softmax2d: expected input to be 3D or 4D, got ${x.ndim}D instead`);
    return F.softmax(x, -3);
  }
}
