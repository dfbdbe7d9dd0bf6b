// Activation modules (torch/nn/modules/activation.py): PyTorch's names, defaults and printed form.
// Each takes any shape and returns the same shape unless stated.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import { Module, pyFloat } from '../module.js';
import { factory, type FactoryOptions } from './utils.js';

const inplaceRepr = (inplace: boolean): string => (inplace ? 'inplace=True' : '');

/** max(0, x). */
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
/** min(max(0, x), 6). */
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
/** max(0, x) + negativeSlope * min(0, x), slope default 0.01. */
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
/** PReLU: a learned slope for negative inputs, one shared (numParameters 1) or one per channel (dim 1); init 0.25. */
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
/** x for x > 0 else alpha (exp(x) - 1); alpha default 1. */
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
/** max(0, x) + min(0, alpha (exp(x / alpha) - 1)); alpha default 1. */
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
/** SELU with its fixed alpha and scale. */
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
/** GELU, exact ('none', default) or the tanh approximation ('tanh'). */
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
/** x * sigmoid(x) (swish). */
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
/** x * tanh(softplus(x)). */
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
/** log(1 + exp(beta x)) / beta, linear where beta x > threshold; defaults beta 1, threshold 20. */
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
/** x * relu6(x + 3) / 6. */
export class Hardswish extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.hardswish(x, this.inplace);
  }
}
/** relu6(x + 3) / 6. */
export class Hardsigmoid extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.hardsigmoid(x, this.inplace);
  }
}
/** clamp(x, minVal, maxVal), defaults -1 and 1. */
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
/** 1 / (1 + exp(-x)). */
export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}
/** tanh(x). */
export class Tanh extends Module {
  override forward(x: Tensor): Tensor {
    return x.tanh();
  }
}
/** log(sigmoid(x)). */
export class LogSigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return F.logsigmoid(x);
  }
}
/** x / (1 + |x|). */
export class Softsign extends Module {
  override forward(x: Tensor): Tensor {
    return F.softsign(x);
  }
}
/** x - tanh(x). */
export class Tanhshrink extends Module {
  override forward(x: Tensor): Tensor {
    return F.tanhshrink(x);
  }
}
/** Gated linear unit over `dim` (default -1), which halves that dim. */
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
/** Softmax along `dim` (required: PyTorch's implicit-dim choice is deprecated). */
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
/** Log-softmax along `dim`. */
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
/** Softmin along `dim`. */
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
/** x where |x| > lambd, else 0 (lambd default 0.5). */
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
/** x - lambd sign(x) where |x| > lambd, else 0 (lambd default 0.5). */
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
/** Randomized leaky ReLU: negative slope ~ U(lower, upper) in training, (lower + upper) / 2 in eval. */
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
/** x where x > threshold, else value. */
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
/** Softmax over the channels of (N, C, H, W) or (C, H, W) inputs. */
export class Softmax2d extends Module {
  override forward(x: Tensor): Tensor {
    if (x.ndim !== 3 && x.ndim !== 4)
      throw new RangeError(`Softmax2d: expected input to be 3D or 4D, got ${x.ndim}D instead`);
    return F.softmax(x, -3);
  }
}
