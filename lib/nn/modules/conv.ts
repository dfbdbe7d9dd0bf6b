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

/**
 * Applies a 1D convolution over an input signal of several planes (channels).
 *
 * Output channel `j` of sample `i` is `bias[j] + sum_k xcorr(weight[j, k], input[i, k])`, `xcorr` the 1D
 * cross-correlation (the kernel is not flipped). `dilation` spaces the kernel elements apart (the 'a trous' algorithm);
 * `groups = inChannels` gives a depthwise convolution.
 *
 * Shape:
 * - Input: `(N, C_in, L_in)` or `(C_in, L_in)`.
 * - Output: `(N, C_out, L_out)` or `(C_out, L_out)`, where
 *   `L_out = floor((L_in + 2 * padding - dilation * (kernelSize - 1) - 1) / stride + 1)`
 *
 * The weight is `(C_out, C_in / groups, kernelSize)` and the bias `(C_out)`, both initialized from
 * `U(-sqrt(k), sqrt(k))` with `k = groups / (C_in * kernelSize)`.
 *
 * @param inChannels - `C_in`, the number of channels of the input.
 * @param outChannels - `C_out`, the number of channels the convolution produces.
 * @param kernelSize - the size of the convolving kernel: an int (or a one-element list).
 * @param o.stride - the stride of the convolution (default `1`).
 * @param o.padding - zeros added to both sides of each spatial dimension (default `0`).
 * @param o.dilation - the spacing between kernel elements (default `1`).
 * @param o.groups - the number of blocked connections from input to output channels: each group of
 *   `inChannels / groups` input channels is convolved with its own `outChannels / groups` filters; both channel counts
 * must be divisible by it (default `1`).
 * @param o.bias - learn an additive bias (default `true`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Conv1d(16, 33, 3, { stride: 2 });
 * const output = m(torch.randn(20, 16, 50));
 * console.log(output.shape); // [20, 33, 24]
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvOptions = {}) {
    super(1, false, inChannels, outChannels, kernelSize, o);
  }
  override forward(x: Tensor): Tensor {
    return F.conv1d(x, this.weight, this.bias, this.convOpts());
  }
}
/**
 * Applies a 2D convolution over an input of several planes (channels).
 *
 * Output channel `j` of sample `i` is `bias[j] + sum_k xcorr(weight[j, k], input[i, k])`, `xcorr` the 2D
 * cross-correlation (the kernel is not flipped). `dilation` spaces the kernel elements apart (the 'a trous' algorithm);
 * `groups = inChannels` gives a depthwise convolution.
 *
 * Shape:
 * - Input: `(N, C_in, H_in, W_in)` or `(C_in, H_in, W_in)`.
 * - Output: `(N, C_out, H_out, W_out)` or `(C_out, H_out, W_out)`, where
 *   `H_out = floor((H_in + 2 * padding[0] - dilation[0] * (kernelSize[0] - 1) - 1) / stride[0] + 1)`
 *   `W_out = floor((W_in + 2 * padding[1] - dilation[1] * (kernelSize[1] - 1) - 1) / stride[1] + 1)`
 *
 * The weight is `(C_out, C_in / groups, kernelSize[0], kernelSize[1])` and the bias `(C_out)`, both initialized from
 * `U(-sqrt(k), sqrt(k))` with `k = groups / (C_in * kernelSize[0] * kernelSize[1])`.
 *
 * @param inChannels - `C_in`, the number of channels of the input.
 * @param outChannels - `C_out`, the number of channels the convolution produces.
 * @param kernelSize - the size of the convolving kernel: one int for both dimensions or 2 ints.
 * @param o.stride - the stride of the convolution (default `1`).
 * @param o.padding - zeros added to both sides of each spatial dimension (default `0`).
 * @param o.dilation - the spacing between kernel elements (default `1`).
 * @param o.groups - the number of blocked connections from input to output channels: each group of
 *   `inChannels / groups` input channels is convolved with its own `outChannels / groups` filters; both channel counts
 * must be divisible by it (default `1`).
 * @param o.bias - learn an additive bias (default `true`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Conv2d(16, 33, [3, 5], { stride: [2, 1], padding: [4, 2], dilation: [3, 1] });
 * const output = m(torch.randn(20, 16, 50, 100));
 * console.log(output.shape); // [20, 33, 26, 100]
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvOptions = {}) {
    super(2, false, inChannels, outChannels, kernelSize, o);
  }
  override forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, this.convOpts());
  }
}
/**
 * Applies a 3D convolution over an input of several planes (channels).
 *
 * Output channel `j` of sample `i` is `bias[j] + sum_k xcorr(weight[j, k], input[i, k])`, `xcorr` the 3D
 * cross-correlation (the kernel is not flipped). `dilation` spaces the kernel elements apart (the 'a trous' algorithm);
 * `groups = inChannels` gives a depthwise convolution.
 *
 * Shape:
 * - Input: `(N, C_in, D_in, H_in, W_in)` or `(C_in, D_in, H_in, W_in)`.
 * - Output: `(N, C_out, D_out, H_out, W_out)` or `(C_out, D_out, H_out, W_out)`, where
 *   `D_out = floor((D_in + 2 * padding[0] - dilation[0] * (kernelSize[0] - 1) - 1) / stride[0] + 1)`
 *   `H_out = floor((H_in + 2 * padding[1] - dilation[1] * (kernelSize[1] - 1) - 1) / stride[1] + 1)`
 *   `W_out = floor((W_in + 2 * padding[2] - dilation[2] * (kernelSize[2] - 1) - 1) / stride[2] + 1)`
 *
 * The weight is `(C_out, C_in / groups, kernelSize[0], kernelSize[1], kernelSize[2])` and the bias `(C_out)`, both
 * initialized from `U(-sqrt(k), sqrt(k))` with `k = groups / (C_in * kernelSize[0] * kernelSize[1] * kernelSize[2])`.
 *
 * @param inChannels - `C_in`, the number of channels of the input.
 * @param outChannels - `C_out`, the number of channels the convolution produces.
 * @param kernelSize - the size of the convolving kernel: one int for all dimensions or 3 ints.
 * @param o.stride - the stride of the convolution (default `1`).
 * @param o.padding - zeros added to both sides of each spatial dimension (default `0`).
 * @param o.dilation - the spacing between kernel elements (default `1`).
 * @param o.groups - the number of blocked connections from input to output channels: each group of
 *   `inChannels / groups` input channels is convolved with its own `outChannels / groups` filters; both channel counts
 * must be divisible by it (default `1`).
 * @param o.bias - learn an additive bias (default `true`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Conv3d(16, 33, 3, { stride: 2 });
 * const output = m(torch.randn(2, 16, 10, 20, 20));
 * console.log(output.shape); // [2, 33, 4, 9, 9]
 */
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
/**
 * Applies a 1D transposed convolution over an input of several planes (channels).
 *
 * The gradient of `Conv1d` with respect to its input, also known as a fractionally-strided convolution or (not quite
 * correctly) a deconvolution. `padding` removes `dilation * (kernelSize - 1) - padding` of zero padding on both sides,
 * so that a `Conv1d` and a `ConvTranspose1d` with the same arguments are inverses in their shapes. As a stride above 1
 * maps several input sizes to the same output size, `forward(input, outputSize)` can name the wanted output size
 * (spatial sizes, optionally preceded by the batch and channel sizes); it then computes the output padding itself.
 *
 * Shape:
 * - Input: `(N, C_in, L_in)` or `(C_in, L_in)`.
 * - Output: `(N, C_out, L_out)` or `(C_out, L_out)`, where
 *   `L_out = (L_in - 1) * stride - 2 * padding + dilation * (kernelSize - 1) + outputPadding + 1`
 *
 * The weight is `(C_in, C_out / groups, kernelSize)` and the bias `(C_out)`, both initialized from
 * `U(-sqrt(k), sqrt(k))` with `k = groups / (C_out * kernelSize)`.
 *
 * @param inChannels - `C_in`, the number of channels of the input.
 * @param outChannels - `C_out`, the number of channels the convolution produces.
 * @param kernelSize - the size of the convolving kernel: an int (or a one-element list).
 * @param o.stride - the stride of the convolution (default `1`).
 * @param o.padding - zeros added to both sides of each spatial dimension (default `0`).
 * @param o.outputPadding - extra size added to one side of each output dimension, smaller than the stride or the
 *   dilation (default `0`); it resolves which of the input sizes that share an output the inverse should produce.
 * @param o.dilation - the spacing between kernel elements (default `1`).
 * @param o.groups - the number of blocked connections from input to output channels: each group of
 *   `inChannels / groups` input channels is convolved with its own `outChannels / groups` filters; both channel counts
 * must be divisible by it (default `1`).
 * @param o.bias - learn an additive bias (default `true`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ConvTranspose1d(16, 33, 3, { stride: 2 });
 * const output = m(torch.randn(2, 16, 50));
 * console.log(output.shape); // [2, 33, 101]
 */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvTransposeOptions = {}) {
    super(1, true, inChannels, outChannels, kernelSize, o);
  }
  override forward(x: Tensor, outputSize?: number[]): Tensor {
    return F.convTranspose1d(x, this.weight, this.bias, this.opts(this.outputPaddingFor(x, outputSize)));
  }
}
/**
 * Applies a 2D transposed convolution over an input of several planes (channels).
 *
 * The gradient of `Conv2d` with respect to its input, also known as a fractionally-strided convolution or (not quite
 * correctly) a deconvolution. `padding` removes `dilation * (kernelSize - 1) - padding` of zero padding on both sides,
 * so that a `Conv2d` and a `ConvTranspose2d` with the same arguments are inverses in their shapes. As a stride above 1
 * maps several input sizes to the same output size, `forward(input, outputSize)` can name the wanted output size
 * (spatial sizes, optionally preceded by the batch and channel sizes); it then computes the output padding itself.
 *
 * Shape:
 * - Input: `(N, C_in, H_in, W_in)` or `(C_in, H_in, W_in)`.
 * - Output: `(N, C_out, H_out, W_out)` or `(C_out, H_out, W_out)`, where
 *   `H_out = (H_in - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kernelSize[0] - 1) + outputPadding[0] + 1`
 *   `W_out = (W_in - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kernelSize[1] - 1) + outputPadding[1] + 1`
 *
 * The weight is `(C_in, C_out / groups, kernelSize[0], kernelSize[1])` and the bias `(C_out)`, both initialized from
 * `U(-sqrt(k), sqrt(k))` with `k = groups / (C_out * kernelSize[0] * kernelSize[1])`.
 *
 * @param inChannels - `C_in`, the number of channels of the input.
 * @param outChannels - `C_out`, the number of channels the convolution produces.
 * @param kernelSize - the size of the convolving kernel: one int for both dimensions or 2 ints.
 * @param o.stride - the stride of the convolution (default `1`).
 * @param o.padding - zeros added to both sides of each spatial dimension (default `0`).
 * @param o.outputPadding - extra size added to one side of each output dimension, smaller than the stride or the
 *   dilation (default `0`); it resolves which of the input sizes that share an output the inverse should produce.
 * @param o.dilation - the spacing between kernel elements (default `1`).
 * @param o.groups - the number of blocked connections from input to output channels: each group of
 *   `inChannels / groups` input channels is convolved with its own `outChannels / groups` filters; both channel counts
 * must be divisible by it (default `1`).
 * @param o.bias - learn an additive bias (default `true`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const input = torch.randn(1, 16, 12, 12);
 * const downsample = new nn.Conv2d(16, 16, 3, { stride: 2, padding: 1 });
 * const upsample = new nn.ConvTranspose2d(16, 16, 3, { stride: 2, padding: 1 });
 * const h = downsample(input);
 * console.log(h.shape); // [1, 16, 6, 6]
 * const output = upsample(h, input.shape);
 * console.log(output.shape); // [1, 16, 12, 12]
 */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvTransposeOptions = {}) {
    super(2, true, inChannels, outChannels, kernelSize, o);
  }
  override forward(x: Tensor, outputSize?: number[]): Tensor {
    return F.convTranspose2d(x, this.weight, this.bias, this.opts(this.outputPaddingFor(x, outputSize)));
  }
}
/**
 * Applies a 3D transposed convolution over an input of several planes (channels).
 *
 * The gradient of `Conv3d` with respect to its input, also known as a fractionally-strided convolution or (not quite
 * correctly) a deconvolution. `padding` removes `dilation * (kernelSize - 1) - padding` of zero padding on both sides,
 * so that a `Conv3d` and a `ConvTranspose3d` with the same arguments are inverses in their shapes. As a stride above 1
 * maps several input sizes to the same output size, `forward(input, outputSize)` can name the wanted output size
 * (spatial sizes, optionally preceded by the batch and channel sizes); it then computes the output padding itself.
 *
 * Shape:
 * - Input: `(N, C_in, D_in, H_in, W_in)` or `(C_in, D_in, H_in, W_in)`.
 * - Output: `(N, C_out, D_out, H_out, W_out)` or `(C_out, D_out, H_out, W_out)`, where
 *   `D_out = (D_in - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kernelSize[0] - 1) + outputPadding[0] + 1`
 *   `H_out = (H_in - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kernelSize[1] - 1) + outputPadding[1] + 1`
 *   `W_out = (W_in - 1) * stride[2] - 2 * padding[2] + dilation[2] * (kernelSize[2] - 1) + outputPadding[2] + 1`
 *
 * The weight is `(C_in, C_out / groups, kernelSize[0], kernelSize[1], kernelSize[2])` and the bias `(C_out)`, both
 * initialized from `U(-sqrt(k), sqrt(k))` with `k = groups / (C_out * kernelSize[0] * kernelSize[1] * kernelSize[2])`.
 *
 * @param inChannels - `C_in`, the number of channels of the input.
 * @param outChannels - `C_out`, the number of channels the convolution produces.
 * @param kernelSize - the size of the convolving kernel: one int for all dimensions or 3 ints.
 * @param o.stride - the stride of the convolution (default `1`).
 * @param o.padding - zeros added to both sides of each spatial dimension (default `0`).
 * @param o.outputPadding - extra size added to one side of each output dimension, smaller than the stride or the
 *   dilation (default `0`); it resolves which of the input sizes that share an output the inverse should produce.
 * @param o.dilation - the spacing between kernel elements (default `1`).
 * @param o.groups - the number of blocked connections from input to output channels: each group of
 *   `inChannels / groups` input channels is convolved with its own `outChannels / groups` filters; both channel counts
 * must be divisible by it (default `1`).
 * @param o.bias - learn an additive bias (default `true`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ConvTranspose3d(16, 33, 3, { stride: 2 });
 * const output = m(torch.randn(2, 16, 5, 6, 7));
 * console.log(output.shape); // [2, 33, 11, 13, 15]
 */
export class ConvTranspose3d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvTransposeOptions = {}) {
    super(3, true, inChannels, outChannels, kernelSize, o);
  }
  override forward(x: Tensor, outputSize?: number[]): Tensor {
    return F.convTranspose3d(x, this.weight, this.bias, this.opts(this.outputPaddingFor(x, outputSize)));
  }
}
