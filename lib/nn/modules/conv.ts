// Convolutions: Conv1d/2d/3d and ConvTranspose1d/2d/3d (torch/nn/modules/conv.py), with PyTorch's
// weight layout ([out, in/groups, *k], transposed: [in, out/groups, *k]), init and repr.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { Module, pyTuple } from '../module.js';
import { resetLinearLike } from './linear.js';
import { factory, tuple, type FactoryOptions, type IntOrList } from './utils.js';

/** Options of Conv1d/2d/3d (PyTorch's keyword arguments, camelCase). */
export interface ConvOptions extends FactoryOptions {
  /** Default 1. */ stride?: IntOrList;
  /** Zero padding on each side, default 0. */ padding?: IntOrList;
  /** Default 1. */ dilation?: IntOrList;
  /** Default 1; inChannels and outChannels must be divisible by it. */ groups?: number;
  /** Learn an additive bias (default true). */ bias?: boolean;
}
/** Options of ConvTranspose1d/2d/3d. */
export interface ConvTransposeOptions extends ConvOptions {
  /** Extra size added to one side of each output dim, default 0. */ outputPadding?: IntOrList;
}

abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly groups: number;
  readonly outputPadding: number[];
  readonly transposed: boolean;
  constructor(
    n: number,
    transposed: boolean,
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrList,
    o: ConvTransposeOptions,
  ) {
    super();
    const name = this.constructor.name;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = tuple(kernelSize, n, `${name} kernelSize`);
    this.stride = tuple(o.stride ?? 1, n, `${name} stride`);
    this.padding = tuple(o.padding ?? 0, n, `${name} padding`);
    this.dilation = tuple(o.dilation ?? 1, n, `${name} dilation`);
    this.outputPadding = tuple(o.outputPadding ?? 0, n, `${name} outputPadding`);
    this.groups = o.groups ?? 1;
    this.transposed = transposed;
    if (inChannels % this.groups || outChannels % this.groups)
      throw new RangeError(`${name}: in_channels and out_channels must be divisible by groups`);
    const shape = transposed
      ? [inChannels, outChannels / this.groups, ...this.kernelSize]
      : [outChannels, inChannels / this.groups, ...this.kernelSize];
    const fo = factory(o);
    const w = this.registerParameter('weight', torch.empty(shape, fo))!;
    const b =
      (o.bias ?? true)
        ? this.registerParameter('bias', torch.empty([outChannels], fo))
        : this.registerParameter('bias', null);
    resetLinearLike(w, b);
  }
  get weight(): Tensor {
    return this.param('weight');
  }
  get bias(): Tensor | null {
    return this.paramOrNull('bias');
  }
  protected opts(outputPadding = this.outputPadding): F.ConvTransposeOptions {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups, outputPadding };
  }
  protected convOpts(): F.ConvOptions {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((d) => d !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }
}

/** Input (N, C_in, L) or (C_in, L) -> (N, C_out, L_out). */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvOptions = {}) {
    super(1, false, inChannels, outChannels, kernelSize, o);
  }
  override forward(x: Tensor): Tensor {
    return F.conv1d(x, this.weight, this.bias, this.convOpts());
  }
}
/** Input (N, C_in, H, W) or (C_in, H, W) -> (N, C_out, H_out, W_out). */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvOptions = {}) {
    super(2, false, inChannels, outChannels, kernelSize, o);
  }
  override forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, this.convOpts());
  }
}
/** Input (N, C_in, D, H, W) or (C_in, D, H, W) -> (N, C_out, D_out, H_out, W_out). */
export class Conv3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvOptions = {}) {
    super(3, false, inChannels, outChannels, kernelSize, o);
  }
  override forward(x: Tensor): Tensor {
    return F.conv3d(x, this.weight, this.bias, this.convOpts());
  }
}

abstract class ConvTransposeNd extends ConvNd {
  /**
   * PyTorch's _output_padding: with `outputSize` (spatial sizes, optionally with the leading batch/channel
   * sizes) the output padding that reaches it, else the configured one.
   */
  protected outputPaddingFor(x: Tensor, outputSize: number[] | undefined): number[] {
    if (!outputSize) return this.outputPadding;
    const n = this.kernelSize.length;
    const nonSpatial = x.ndim === n + 2 ? 2 : 1;
    const size = outputSize.length === n + nonSpatial ? outputSize.slice(nonSpatial) : outputSize;
    if (size.length !== n)
      throw new RangeError(
        `${this.constructor.name}: outputSize must have ${n} or ${n + nonSpatial} elements (got ${outputSize.length})`,
      );
    return size.map((s, d) => {
      const min =
        (x.shape[d + nonSpatial]! - 1) * this.stride[d]! -
        2 * this.padding[d]! +
        this.dilation[d]! * (this.kernelSize[d]! - 1) +
        1;
      const max = min + this.stride[d]! - 1;
      if (s < min || s > max)
        throw new RangeError(
          `${this.constructor.name}: requested an output size of [${size.join(', ')}], but valid sizes range from ${min} to ${max} (for an input of [${x.shape.slice(nonSpatial).join(', ')}])`,
        );
      return s - min;
    });
  }
}
/** Input (N, C_in, L) -> (N, C_out, L_out), L_out = (L-1)*stride - 2*padding + dilation*(k-1) + outputPadding + 1. */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvTransposeOptions = {}) {
    super(1, true, inChannels, outChannels, kernelSize, o);
  }
  override forward(x: Tensor, outputSize?: number[]): Tensor {
    return F.convTranspose1d(x, this.weight, this.bias, this.opts(this.outputPaddingFor(x, outputSize)));
  }
}
/** Input (N, C_in, H, W) -> (N, C_out, H_out, W_out). */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvTransposeOptions = {}) {
    super(2, true, inChannels, outChannels, kernelSize, o);
  }
  override forward(x: Tensor, outputSize?: number[]): Tensor {
    return F.convTranspose2d(x, this.weight, this.bias, this.opts(this.outputPaddingFor(x, outputSize)));
  }
}
/** Input (N, C_in, D, H, W) -> (N, C_out, D_out, H_out, W_out). */
export class ConvTranspose3d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvTransposeOptions = {}) {
    super(3, true, inChannels, outChannels, kernelSize, o);
  }
  override forward(x: Tensor, outputSize?: number[]): Tensor {
    return F.convTranspose3d(x, this.weight, this.bias, this.opts(this.outputPaddingFor(x, outputSize)));
  }
}
