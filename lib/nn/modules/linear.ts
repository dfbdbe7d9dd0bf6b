// Linear, Identity and Bilinear (torch/nn/modules/linear.py).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { Module, pyBool } from '../module.js';
import { factory, type FactoryOptions } from './utils.js';

/** PyTorch's reset_parameters of Linear/Conv: weight kaiming_uniform_(a=sqrt(5)), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
export function resetLinearLike(weight: Tensor, bias: Tensor | null): void {
  init.kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const [fanIn] = init.calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    init.uniform_(bias, -bound, bound);
  }
}

/** y = x W^T + b. Input (*, inFeatures) -> (*, outFeatures); weight [out, in]. */
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

/** The Linear that MultiheadAttention uses for out_proj (PyTorch's name, printed as such). */
export class NonDynamicallyQuantizableLinear extends Linear {}

/** Returns its input unchanged (any arguments accepted and ignored, as in PyTorch). */
export class Identity extends Module {
  /** Returns a new handle on the same tensor (the caller may dispose it independently). */
  override forward(x: Tensor): Tensor {
    return x.alias();
  }
}

/** y = x1^T A x2 + b: input1 (*, in1), input2 (*, in2) -> (*, out); weight [out, in1, in2] and bias ~ U(-1/sqrt(in1), 1/sqrt(in1)). */
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
