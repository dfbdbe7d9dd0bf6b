// Linear, Identity and Bilinear (torch/nn/modules/linear.py).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { Module, pyBool } from '../module.js';
import { factory, type FactoryOptions } from './utils.js';

/**
 * PyTorch's reset_parameters of Linear/Conv: weight kaiming_uniform_(a=sqrt(5)), bias U(-1/sqrt(fan_in),
 * 1/sqrt(fan_in)).
 */
export function resetLinearLike(weight: Tensor, bias: Tensor | null): void {
  init.kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const [fanIn] = init.calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    init.uniform_(bias, -bound, bound);
  }
}

/**
 * Applies an affine linear transformation to the last dimension of the input: `y = x W^T + b`.
 *
 * Shape:
 * - Input: `(*, H_in)`, where `*` is any number of dimensions (including none) and `H_in = inFeatures`.
 * - Output: `(*, H_out)`, the input's shape but the last dimension, `H_out = outFeatures`.
 *
 * The weight is `(outFeatures, inFeatures)` and the bias `(outFeatures)`, both initialized from `U(-sqrt(k), sqrt(k))`
 * with `k = 1 / inFeatures`.
 *
 * @param inFeatures - the size of each input sample.
 * @param outFeatures - the size of each output sample.
 * @param o.bias - learn an additive bias (default `true`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Linear(20, 30);
 * const output = m(torch.randn(128, 20));
 * console.log(output.shape); // [128, 30]
 */
export class Linear extends Module {
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    o: FactoryOptions & { bias?: boolean } = {},
  ) {
    super();
    const fo = factory(o);
    const w = this.registerParameter('weight', torch.empty([outFeatures, inFeatures], fo))!;
    const b = this.registerParameter('bias', (o.bias ?? true) ? torch.empty([outFeatures], fo) : null);
    resetLinearLike(w, b);
  }
  get weight(): Tensor {
    return this.param('weight');
  }
  get bias(): Tensor | null {
    return this.paramOrNull('bias');
  }
  override forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * The `nn.Linear` that `nn.MultiheadAttention` uses as its output projection, under PyTorch's name for it.
 *
 * It computes exactly what `nn.Linear` does; the separate class only keeps the printed form and the type of the
 * `out_proj` child the same as PyTorch's.
 *
 * Shape:
 * - Input: `(*, inFeatures)`.
 * - Output: `(*, outFeatures)`.
 *
 * @param inFeatures - the size of each input sample.
 * @param outFeatures - the size of each output sample.
 * @param o.bias - learn an additive bias (default `true`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.NonDynamicallyQuantizableLinear(8, 4);
 * console.log(m(torch.randn(2, 8)).shape); // [2, 4]
 */
export class NonDynamicallyQuantizableLinear extends Linear {}

/**
 * A placeholder that returns its input unchanged.
 *
 * Useful where an architecture expects a layer, e.g. to switch one off. As in PyTorch, any constructor arguments are
 * accepted and ignored. The output is a new handle on the same tensor, which the caller may dispose independently.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape (and data) as the input.
 *
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Identity();
 * const output = m(torch.randn(128, 20));
 * console.log(output.shape); // [128, 20]
 */
export class Identity extends Module {
  /** Returns a new handle on the same tensor (the caller may dispose it independently). */
  override forward(x: Tensor): Tensor {
    return x.alias();
  }
}

/**
 * Applies a bilinear transformation to two inputs: `y = x1^T A x2 + b`.
 *
 * Output feature `k` is `sum_ij x1_i * A[k, i, j] * x2_j + b[k]`.
 *
 * Shape:
 * - Input1: `(*, H_in1)`, `H_in1 = in1Features`, `*` any number of dimensions (including none).
 * - Input2: `(*, H_in2)`, `H_in2 = in2Features`, the same leading dimensions as Input1.
 * - Output: `(*, H_out)`, `H_out = outFeatures`, the same leading dimensions as the inputs.
 *
 * The weight is `(outFeatures, in1Features, in2Features)` and the bias `(outFeatures)`, both initialized from
 * `U(-sqrt(k), sqrt(k))` with `k = 1 / in1Features`.
 *
 * @param in1Features - the size of each first input sample.
 * @param in2Features - the size of each second input sample.
 * @param outFeatures - the size of each output sample.
 * @param o.bias - learn an additive bias (default `true`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Bilinear(20, 30, 40);
 * const output = m(torch.randn(128, 20), torch.randn(128, 30));
 * console.log(output.shape); // [128, 40]
 */
export class Bilinear extends Module {
  constructor(
    readonly in1Features: number,
    readonly in2Features: number,
    readonly outFeatures: number,
    o: FactoryOptions & { bias?: boolean } = {},
  ) {
    super();
    const fo = factory(o);
    const bound = 1 / Math.sqrt(in1Features);
    const w = this.registerParameter('weight', torch.empty([outFeatures, in1Features, in2Features], fo))!;
    init.uniform_(w, -bound, bound);
    const b = this.registerParameter('bias', (o.bias ?? true) ? torch.empty([outFeatures], fo) : null);
    if (b) init.uniform_(b, -bound, bound);
  }
  get weight(): Tensor {
    return this.param('weight');
  }
  get bias(): Tensor | null {
    return this.paramOrNull('bias');
  }
  override forward(x1: Tensor, x2: Tensor): Tensor {
    return F.bilinear(x1, x2, this.weight, this.bias);
  }
  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
