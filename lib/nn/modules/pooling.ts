// Pooling modules (torch/nn/modules/pooling.py): MaxPool1d/2d/3d (optionally returning indices),
// AvgPool1d/2d/3d, AdaptiveAvgPool1d/2d/3d, AdaptiveMaxPool1d/2d/3d, LPPool1d/2d/3d, MaxUnpool1d/2d/3d,
// FractionalMaxPool2d/3d. Inputs (N, C, *spatial) or (C, *spatial); stride defaults to the kernel size.
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import type { AdaptiveSize } from '../functional/pooling.js';
import { Module, pyBool, pyTuple } from '../module.js';
import { pyIntOrTuple, tuple, type IntOrList } from './utils.js';

/** forward's result: the pooled tensor, or [pooled, indices] when constructed with returnIndices: true. */
export type PoolResult<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;
/** Options of MaxPool1d/2d/3d; `returnIndices: true` types forward as [out, indices]. */
export interface MaxPoolOptions<R extends boolean> {
  /** Default: kernelSize. */ stride?: IntOrList | null;
  /** Implicit -inf padding, default 0. */ padding?: IntOrList;
  /** Default 1. */ dilation?: IntOrList;
  /** Also return the argmax indices (int64). Default false. */ returnIndices?: R;
  /** Ceil instead of floor in the output-size formula. Default false. */ ceilMode?: boolean;
}
abstract class MaxPoolNd<R extends boolean> extends Module {
  readonly stride: IntOrList;
  readonly padding: IntOrList;
  readonly dilation: IntOrList;
  readonly returnIndices: R;
  readonly ceilMode: boolean;
  constructor(
    readonly kernelSize: IntOrList,
    o: MaxPoolOptions<R> = {},
  ) {
    super();
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.returnIndices = (o.returnIndices ?? false) as R;
    this.ceilMode = o.ceilMode ?? false;
  }
  protected abstract pool(x: Tensor, o: F.MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
  protected abstract poolPlain(x: Tensor, o: F.MaxPoolOptions): Tensor;
  override forward(x: Tensor): PoolResult<R> {
    const o = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return (this.returnIndices ? this.pool(x, { ...o, returnIndices: true }) : this.poolPlain(x, o)) as PoolResult<R>;
  }
  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernelSize)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}, dilation=${pyIntOrTuple(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}
/**
 * Applies 1D max pooling over an input signal of several planes.
 *
 * Each output element is the maximum of its window of `kernelSize` input elements; the windows move by `stride`.
 * `padding` adds implicit negative infinity on both sides; `dilation` spaces the window's elements apart. With
 * `ceilMode`, windows may go off the right edge if they start inside the input or the left padding; windows that would
 * start in the right padding are dropped. With `returnIndices: true`, `forward` returns `[output, indices]` (int64
 * positions of the maxima, flattened over the spatial dimensions, for `nn.MaxUnpool1d`).
 *
 * Shape:
 * - Input: `(N, C, L_in)` or `(C, L_in)`.
 * - Output: `(N, C, L_out)` or `(C, L_out)`, where
 *   `L_out = floor((L_in + 2 * padding - dilation * (kernelSize - 1) - 1) / stride + 1)`
 *
 * @param kernelSize - the size of the window: an int (or a one-element list).
 * @param o.stride - the stride of the window (default `kernelSize`).
 * @param o.padding - implicit negative infinity added on both sides, at most half the kernel size (default `0`).
 * @param o.dilation - the spacing between the elements of a window (default `1`).
 * @param o.returnIndices - also return the indices of the maxima; the type of `forward`'s result follows it (default
 *   `false`).
 * @param o.ceilMode - use `ceil` instead of `floor` to compute the output shape (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.MaxPool1d(3, { stride: 2 });
 * const output = m(torch.randn(20, 16, 50));
 * console.log(output.shape); // [20, 16, 24]
 */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  protected pool(x: Tensor, o: F.MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor] {
    return F.maxPool1d(x, this.kernelSize, o);
  }
  protected poolPlain(x: Tensor, o: F.MaxPoolOptions): Tensor {
    return F.maxPool1d(x, this.kernelSize, o);
  }
}
/**
 * Applies 2D max pooling over an input of several planes (an image batch).
 *
 * Each output element is the maximum of its window of `kernelSize` input elements; the windows move by `stride`.
 * `padding` adds implicit negative infinity on both sides; `dilation` spaces the window's elements apart. With
 * `ceilMode`, windows may go off the right edge if they start inside the input or the left padding; windows that would
 * start in the right padding are dropped. With `returnIndices: true`, `forward` returns `[output, indices]` (int64
 * positions of the maxima, flattened over the spatial dimensions, for `nn.MaxUnpool2d`).
 *
 * Shape:
 * - Input: `(N, C, H_in, W_in)` or `(C, H_in, W_in)`.
 * - Output: `(N, C, H_out, W_out)` or `(C, H_out, W_out)`, where
 *   `H_out = floor((H_in + 2 * padding[0] - dilation[0] * (kernelSize[0] - 1) - 1) / stride[0] + 1)`
 *   `W_out = floor((W_in + 2 * padding[1] - dilation[1] * (kernelSize[1] - 1) - 1) / stride[1] + 1)`
 *
 * @param kernelSize - the size of the window: one int for both dimensions or 2 ints.
 * @param o.stride - the stride of the window (default `kernelSize`).
 * @param o.padding - implicit negative infinity added on both sides, at most half the kernel size (default `0`).
 * @param o.dilation - the spacing between the elements of a window (default `1`).
 * @param o.returnIndices - also return the indices of the maxima; the type of `forward`'s result follows it (default
 *   `false`).
 * @param o.ceilMode - use `ceil` instead of `floor` to compute the output shape (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.MaxPool2d(3, { stride: 2 });
 * const output = m(torch.randn(20, 16, 50, 32));
 * console.log(output.shape); // [20, 16, 24, 15]
 * const [pooled, indices] = new nn.MaxPool2d(3, { stride: 2, returnIndices: true })(torch.randn(20, 16, 50, 32));
 * console.log(indices.shape); // [20, 16, 24, 15]
 */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> {
  protected pool(x: Tensor, o: F.MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor] {
    return F.maxPool2d(x, this.kernelSize, o);
  }
  protected poolPlain(x: Tensor, o: F.MaxPoolOptions): Tensor {
    return F.maxPool2d(x, this.kernelSize, o);
  }
}
/**
 * Applies 3D max pooling over an input of several planes (a volume batch).
 *
 * Each output element is the maximum of its window of `kernelSize` input elements; the windows move by `stride`.
 * `padding` adds implicit negative infinity on both sides; `dilation` spaces the window's elements apart. With
 * `ceilMode`, windows may go off the right edge if they start inside the input or the left padding; windows that would
 * start in the right padding are dropped. With `returnIndices: true`, `forward` returns `[output, indices]` (int64
 * positions of the maxima, flattened over the spatial dimensions, for `nn.MaxUnpool3d`).
 *
 * Shape:
 * - Input: `(N, C, D_in, H_in, W_in)` or `(C, D_in, H_in, W_in)`.
 * - Output: `(N, C, D_out, H_out, W_out)` or `(C, D_out, H_out, W_out)`, where
 *   `D_out = floor((D_in + 2 * padding[0] - dilation[0] * (kernelSize[0] - 1) - 1) / stride[0] + 1)`
 *   `H_out = floor((H_in + 2 * padding[1] - dilation[1] * (kernelSize[1] - 1) - 1) / stride[1] + 1)`
 *   `W_out = floor((W_in + 2 * padding[2] - dilation[2] * (kernelSize[2] - 1) - 1) / stride[2] + 1)`
 *
 * @param kernelSize - the size of the window: one int for all dimensions or 3 ints.
 * @param o.stride - the stride of the window (default `kernelSize`).
 * @param o.padding - implicit negative infinity added on both sides, at most half the kernel size (default `0`).
 * @param o.dilation - the spacing between the elements of a window (default `1`).
 * @param o.returnIndices - also return the indices of the maxima; the type of `forward`'s result follows it (default
 *   `false`).
 * @param o.ceilMode - use `ceil` instead of `floor` to compute the output shape (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.MaxPool3d(3, { stride: 2 });
 * const output = m(torch.randn(2, 16, 10, 12, 14));
 * console.log(output.shape); // [2, 16, 4, 5, 6]
 */
export class MaxPool3d<R extends boolean = false> extends MaxPoolNd<R> {
  protected pool(x: Tensor, o: F.MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor] {
    return F.maxPool3d(x, this.kernelSize, o);
  }
  protected poolPlain(x: Tensor, o: F.MaxPoolOptions): Tensor {
    return F.maxPool3d(x, this.kernelSize, o);
  }
}

/** Options of AvgPool1d/2d/3d. */
export interface AvgPoolOptions {
  /** Default: kernelSize. */ stride?: IntOrList | null;
  /** Zero padding, default 0. */ padding?: IntOrList;
  /** Default false. */ ceilMode?: boolean;
  /** Count padded zeros in the divisor, default true. */ countIncludePad?: boolean;
  /** Divide by this instead of the window size (2-D and 3-D only). */ divisorOverride?: number | null;
}
abstract class AvgPoolNd extends Module {
  readonly stride: IntOrList;
  readonly padding: IntOrList;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(
    readonly kernelSize: IntOrList,
    o: AvgPoolOptions = {},
  ) {
    super();
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }
  protected get opts(): F.AvgPoolOptions {
    return {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    };
  }
  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernelSize)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}`;
  }
}
/**
 * Applies 1D average pooling over an input signal of several planes.
 *
 * Each output element is the mean of its window of `kernelSize` input elements; the windows move by `stride`. `padding`
 * adds implicit zeros on both sides, counted in the divisor unless `countIncludePad` is false. With `ceilMode`, windows
 * may go off the right edge if they start inside the input or the left padding; windows that would start in the right
 * padding are dropped.
 *
 * Shape:
 * - Input: `(N, C, L_in)` or `(C, L_in)`.
 * - Output: `(N, C, L_out)` or `(C, L_out)`, where
 *   `L_out = floor((L_in + 2 * padding - kernelSize) / stride + 1)`
 *
 * @param kernelSize - the size of the window: an int (or a one-element list).
 * @param o.stride - the stride of the window (default `kernelSize`).
 * @param o.padding - implicit zeros added on both sides, at most half the kernel size (default `0`).
 * @param o.ceilMode - use `ceil` instead of `floor` to compute the output shape (default `false`).
 * @param o.countIncludePad - count the padded zeros in the divisor (default `true`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.AvgPool1d(3, { stride: 2 });
 * const input = torch.tensor([[[1, 2, 3, 4, 5, 6, 7]]], { dtype: 'float32' });
 * console.log(m(input).tolist()); // [[[2, 4, 6]]]
 */
export class AvgPool1d extends AvgPoolNd {
  constructor(kernelSize: IntOrList, o: Omit<AvgPoolOptions, 'divisorOverride'> = {}) {
    super(kernelSize, o);
  }
  override forward(x: Tensor): Tensor {
    return F.avgPool1d(x, this.kernelSize, this.opts);
  }
  /** PyTorch's repr arguments: kernel_size, stride, padding. */
  override extraRepr(): string {
    const t = (v: IntOrList): string => pyIntOrTuple(Array.isArray(v) ? v : [v]);
    return `kernel_size=${t(this.kernelSize)}, stride=${t(this.stride)}, padding=${t(this.padding)}`;
  }
}
/**
 * Applies 2D average pooling over an input of several planes (an image batch).
 *
 * Each output element is the mean of its window of `kernelSize` input elements; the windows move by `stride`. `padding`
 * adds implicit zeros on both sides, counted in the divisor unless `countIncludePad` is false. With `ceilMode`, windows
 * may go off the right edge if they start inside the input or the left padding; windows that would start in the right
 * padding are dropped.
 *
 * Shape:
 * - Input: `(N, C, H_in, W_in)` or `(C, H_in, W_in)`.
 * - Output: `(N, C, H_out, W_out)` or `(C, H_out, W_out)`, where
 *   `H_out = floor((H_in + 2 * padding[0] - kernelSize[0]) / stride[0] + 1)`
 *   `W_out = floor((W_in + 2 * padding[1] - kernelSize[1]) / stride[1] + 1)`
 *
 * @param kernelSize - the size of the window: one int for both dimensions or 2 ints.
 * @param o.stride - the stride of the window (default `kernelSize`).
 * @param o.padding - implicit zeros added on both sides, at most half the kernel size (default `0`).
 * @param o.ceilMode - use `ceil` instead of `floor` to compute the output shape (default `false`).
 * @param o.countIncludePad - count the padded zeros in the divisor (default `true`).
 * @param o.divisorOverride - divide every window by this instead of its size (default none).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.AvgPool2d(3, { stride: 2 });
 * const output = m(torch.randn(20, 16, 50, 32));
 * console.log(output.shape); // [20, 16, 24, 15]
 */
export class AvgPool2d extends AvgPoolNd {
  override forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, this.opts);
  }
}
/**
 * Applies 3D average pooling over an input of several planes (a volume batch).
 *
 * Each output element is the mean of its window of `kernelSize` input elements; the windows move by `stride`. `padding`
 * adds implicit zeros on both sides, counted in the divisor unless `countIncludePad` is false. With `ceilMode`, windows
 * may go off the right edge if they start inside the input or the left padding; windows that would start in the right
 * padding are dropped.
 *
 * Shape:
 * - Input: `(N, C, D_in, H_in, W_in)` or `(C, D_in, H_in, W_in)`.
 * - Output: `(N, C, D_out, H_out, W_out)` or `(C, D_out, H_out, W_out)`, where
 *   `D_out = floor((D_in + 2 * padding[0] - kernelSize[0]) / stride[0] + 1)`
 *   `H_out = floor((H_in + 2 * padding[1] - kernelSize[1]) / stride[1] + 1)`
 *   `W_out = floor((W_in + 2 * padding[2] - kernelSize[2]) / stride[2] + 1)`
 *
 * @param kernelSize - the size of the window: one int for all dimensions or 3 ints.
 * @param o.stride - the stride of the window (default `kernelSize`).
 * @param o.padding - implicit zeros added on both sides, at most half the kernel size (default `0`).
 * @param o.ceilMode - use `ceil` instead of `floor` to compute the output shape (default `false`).
 * @param o.countIncludePad - count the padded zeros in the divisor (default `true`).
 * @param o.divisorOverride - divide every window by this instead of its size (default none).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.AvgPool3d(3, { stride: 2 });
 * const output = m(torch.randn(2, 16, 10, 12, 14));
 * console.log(output.shape); // [2, 16, 4, 5, 6]
 */
export class AvgPool3d extends AvgPoolNd {
  override forward(x: Tensor): Tensor {
    return F.avgPool3d(x, this.kernelSize, this.opts);
  }
}

const pyAdaptive = (v: AdaptiveSize): string =>
  Array.isArray(v)
    ? v.length === 1
      ? `(${v[0] ?? 'None'},)`
      : `(${v.map((e) => e ?? 'None').join(', ')})`
    : String(v);
abstract class AdaptiveAvgPoolNd extends Module {
  /** outputSize: per spatial dim, null keeps the input size there. */
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }
  override extraRepr(): string {
    return `output_size=${pyAdaptive(this.outputSize)}`;
  }
}
/**
 * Applies 1D adaptive average pooling over an input signal of several planes, to a fixed output size.
 *
 * The windows are chosen from the input and output sizes (window `i` of a dimension covers `floor(i * in / out)` to
 * `ceil((i + 1) * in / out)`), so any input size gives the output size asked for; the number of channels is unchanged.
 *
 * Shape:
 * - Input: `(N, C, L_in)` or `(C, L_in)`.
 * - Output: `(N, C, L_out)` or `(C, L_out)`, where `L_out = outputSize`.
 *
 * @param outputSize - the size of the output: an int.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.AdaptiveAvgPool1d(5);
 * console.log(m(torch.randn(1, 64, 8)).shape); // [1, 64, 5]
 */
export class AdaptiveAvgPool1d extends AdaptiveAvgPoolNd {
  override forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool1d(x, this.outputSize);
  }
}
/**
 * Applies 2D adaptive average pooling over an input of several planes (an image batch), to a fixed output size.
 *
 * The windows are chosen from the input and output sizes (window `i` of a dimension covers `floor(i * in / out)` to
 * `ceil((i + 1) * in / out)`), so any input size gives the output size asked for; the number of channels is unchanged.
 *
 * Shape:
 * - Input: `(N, C, H_in, W_in)` or `(C, H_in, W_in)`.
 * - Output: `(N, C, S_0, S_1)` or `(C, S_0, S_1)`, where `(S_0, S_1) = outputSize`.
 *
 * @param outputSize - the size of the output: one int for both dimensions or 2 entries; a `null` entry keeps the
 *   input's size in that dimension.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.AdaptiveAvgPool2d([5, 7]);
 * console.log(m(torch.randn(1, 64, 8, 9)).shape); // [1, 64, 5, 7]
 * // keep the height
 * console.log(new nn.AdaptiveAvgPool2d([null, 7])(torch.randn(1, 64, 10, 9)).shape); // [1, 64, 10, 7]
 */
export class AdaptiveAvgPool2d extends AdaptiveAvgPoolNd {
  override forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }
}
/**
 * Applies 3D adaptive average pooling over an input of several planes (a volume batch), to a fixed output size.
 *
 * The windows are chosen from the input and output sizes (window `i` of a dimension covers `floor(i * in / out)` to
 * `ceil((i + 1) * in / out)`), so any input size gives the output size asked for; the number of channels is unchanged.
 *
 * Shape:
 * - Input: `(N, C, D_in, H_in, W_in)` or `(C, D_in, H_in, W_in)`.
 * - Output: `(N, C, S_0, S_1, S_2)` or `(C, S_0, S_1, S_2)`, where `(S_0, S_1, S_2) = outputSize`.
 *
 * @param outputSize - the size of the output: one int for all dimensions or 3 entries; a `null` entry keeps the input's
 *   size in that dimension.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.AdaptiveAvgPool3d([5, 7, 9]);
 * console.log(m(torch.randn(1, 64, 8, 9, 10)).shape); // [1, 64, 5, 7, 9]
 */
export class AdaptiveAvgPool3d extends AdaptiveAvgPoolNd {
  override forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool3d(x, this.outputSize);
  }
}

abstract class AdaptiveMaxPoolNd<R extends boolean> extends Module {
  readonly returnIndices: R;
  constructor(
    readonly outputSize: AdaptiveSize,
    returnIndices?: R,
  ) {
    super();
    this.returnIndices = (returnIndices ?? false) as R;
  }
  protected abstract pool(x: Tensor): [Tensor, Tensor];
  override forward(x: Tensor): PoolResult<R> {
    const [out, idx] = this.pool(x);
    if (this.returnIndices) return [out, idx] as PoolResult<R>;
    idx.dispose();
    return out as PoolResult<R>;
  }
  override extraRepr(): string {
    return `output_size=${pyAdaptive(this.outputSize)}`;
  }
}
/**
 * Applies 1D adaptive max pooling over an input signal of several planes, to a fixed output size.
 *
 * The windows are chosen from the input and output sizes (window `i` of a dimension covers `floor(i * in / out)` to
 * `ceil((i + 1) * in / out)`), so any input size gives the output size asked for; the number of channels is unchanged.
 *
 * Shape:
 * - Input: `(N, C, L_in)` or `(C, L_in)`.
 * - Output: `(N, C, L_out)` or `(C, L_out)`, where `L_out = outputSize`.
 *
 * @param outputSize - the size of the output: an int.
 * @param returnIndices - also return the indices of the maxima, as `[output, indices]`, for `nn.MaxUnpool1d`; the type
 *   of `forward`'s result follows it (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.AdaptiveMaxPool1d(5);
 * console.log(m(torch.randn(1, 64, 8)).shape); // [1, 64, 5]
 */
export class AdaptiveMaxPool1d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  protected pool(x: Tensor): [Tensor, Tensor] {
    return F.adaptiveMaxPool1d(x, this.outputSize, true);
  }
}
/**
 * Applies 2D adaptive max pooling over an input of several planes (an image batch), to a fixed output size.
 *
 * The windows are chosen from the input and output sizes (window `i` of a dimension covers `floor(i * in / out)` to
 * `ceil((i + 1) * in / out)`), so any input size gives the output size asked for; the number of channels is unchanged.
 *
 * Shape:
 * - Input: `(N, C, H_in, W_in)` or `(C, H_in, W_in)`.
 * - Output: `(N, C, S_0, S_1)` or `(C, S_0, S_1)`, where `(S_0, S_1) = outputSize`.
 *
 * @param outputSize - the size of the output: one int for both dimensions or 2 entries; a `null` entry keeps the
 *   input's size in that dimension.
 * @param returnIndices - also return the indices of the maxima, as `[output, indices]`, for `nn.MaxUnpool2d`; the type
 *   of `forward`'s result follows it (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.AdaptiveMaxPool2d([5, 7]);
 * console.log(m(torch.randn(1, 64, 8, 9)).shape); // [1, 64, 5, 7]
 * // keep the height
 * console.log(new nn.AdaptiveMaxPool2d([null, 7])(torch.randn(1, 64, 10, 9)).shape); // [1, 64, 10, 7]
 */
export class AdaptiveMaxPool2d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  protected pool(x: Tensor): [Tensor, Tensor] {
    return F.adaptiveMaxPool2d(x, this.outputSize, true);
  }
}
/**
 * Applies 3D adaptive max pooling over an input of several planes (a volume batch), to a fixed output size.
 *
 * The windows are chosen from the input and output sizes (window `i` of a dimension covers `floor(i * in / out)` to
 * `ceil((i + 1) * in / out)`), so any input size gives the output size asked for; the number of channels is unchanged.
 *
 * Shape:
 * - Input: `(N, C, D_in, H_in, W_in)` or `(C, D_in, H_in, W_in)`.
 * - Output: `(N, C, S_0, S_1, S_2)` or `(C, S_0, S_1, S_2)`, where `(S_0, S_1, S_2) = outputSize`.
 *
 * @param outputSize - the size of the output: one int for all dimensions or 3 entries; a `null` entry keeps the input's
 *   size in that dimension.
 * @param returnIndices - also return the indices of the maxima, as `[output, indices]`, for `nn.MaxUnpool3d`; the type
 *   of `forward`'s result follows it (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.AdaptiveMaxPool3d([5, 7, 9]);
 * console.log(m(torch.randn(1, 64, 8, 9, 10)).shape); // [1, 64, 5, 7, 9]
 */
export class AdaptiveMaxPool3d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  protected pool(x: Tensor): [Tensor, Tensor] {
    return F.adaptiveMaxPool3d(x, this.outputSize, true);
  }
}

/** Power-average pooling: (sum over the window of x^p)^(1/p). */
abstract class LPPoolNd extends Module {
  readonly stride: IntOrList | null;
  readonly ceilMode: boolean;
  constructor(
    readonly normType: number,
    readonly kernelSize: IntOrList,
    ...args: KwArgs<F.LpPoolOptions, ['stride', 'ceilMode']>
  ) {
    super();
    const o = kwargs<F.LpPoolOptions>(this.constructor.name, ['stride', 'ceilMode'], args);
    this.stride = o.stride ?? null;
    this.ceilMode = o.ceilMode ?? false;
  }
  protected get opts(): F.LpPoolOptions {
    return { stride: this.stride, ceilMode: this.ceilMode };
  }
  override extraRepr(): string {
    return `norm_type=${this.normType}, kernel_size=${pyIntOrTuple(this.kernelSize)}, stride=${this.stride === null ? 'None' : pyIntOrTuple(this.stride)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}
/**
 * Applies 1D power-average pooling over an input signal of several planes.
 *
 * Each output element is `(sum x^p)^(1 / p)` over its window, `p = normType`: `p` infinite gives max pooling, `p = 1`
 * sum pooling (proportional to average pooling). Arguments as PyTorch's: `stride, ceilMode` positional after
 * `kernelSize`, or in one options object.
 *
 * Shape:
 * - Input: `(N, C, L_in)` or `(C, L_in)`.
 * - Output: `(N, C, L_out)` or `(C, L_out)`, where
 *   `L_out = floor((L_in - kernelSize) / stride + 1)`
 *
 * @param normType - the power `p`.
 * @param kernelSize - the size of the window: an int (or a one-element list).
 * @param stride - the stride of the window (default `null`: `kernelSize`).
 * @param ceilMode - use `ceil` instead of `floor` to compute the output shape (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.LPPool1d(2, 3, 2); // the power 2, windows of 3, stride 2
 * const output = m(torch.randn(20, 16, 50));
 * console.log(output.shape); // [20, 16, 24]
 */
export class LPPool1d extends LPPoolNd {
  override forward(x: Tensor): Tensor {
    return F.lpPool1d(x, this.normType, this.kernelSize, this.opts);
  }
}
/**
 * Applies 2D power-average pooling over an input of several planes (an image batch).
 *
 * Each output element is `(sum x^p)^(1 / p)` over its window, `p = normType`: `p` infinite gives max pooling, `p = 1`
 * sum pooling (proportional to average pooling). Arguments as PyTorch's: `stride, ceilMode` positional after
 * `kernelSize`, or in one options object.
 *
 * Shape:
 * - Input: `(N, C, H_in, W_in)` or `(C, H_in, W_in)`.
 * - Output: `(N, C, H_out, W_out)` or `(C, H_out, W_out)`, where
 *   `H_out = floor((H_in - kernelSize[0]) / stride[0] + 1)`
 *   `W_out = floor((W_in - kernelSize[1]) / stride[1] + 1)`
 *
 * @param normType - the power `p`.
 * @param kernelSize - the size of the window: one int for both dimensions or 2 ints.
 * @param stride - the stride of the window (default `null`: `kernelSize`).
 * @param ceilMode - use `ceil` instead of `floor` to compute the output shape (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.LPPool2d(2, 3, 2); // the power 2, windows of 3, stride 2
 * const output = m(torch.randn(20, 16, 50, 32));
 * console.log(output.shape); // [20, 16, 24, 15]
 */
export class LPPool2d extends LPPoolNd {
  override forward(x: Tensor): Tensor {
    return F.lpPool2d(x, this.normType, this.kernelSize, this.opts);
  }
}
/**
 * Applies 3D power-average pooling over an input of several planes (a volume batch).
 *
 * Each output element is `(sum x^p)^(1 / p)` over its window, `p = normType`: `p` infinite gives max pooling, `p = 1`
 * sum pooling (proportional to average pooling). Arguments as PyTorch's: `stride, ceilMode` positional after
 * `kernelSize`, or in one options object.
 *
 * Shape:
 * - Input: `(N, C, D_in, H_in, W_in)` or `(C, D_in, H_in, W_in)`.
 * - Output: `(N, C, D_out, H_out, W_out)` or `(C, D_out, H_out, W_out)`, where
 *   `D_out = floor((D_in - kernelSize[0]) / stride[0] + 1)`
 *   `H_out = floor((H_in - kernelSize[1]) / stride[1] + 1)`
 *   `W_out = floor((W_in - kernelSize[2]) / stride[2] + 1)`
 *
 * @param normType - the power `p`.
 * @param kernelSize - the size of the window: one int for all dimensions or 3 ints.
 * @param stride - the stride of the window (default `null`: `kernelSize`).
 * @param ceilMode - use `ceil` instead of `floor` to compute the output shape (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.LPPool3d(2, 3, 2); // the power 2, windows of 3, stride 2
 * const output = m(torch.randn(2, 16, 10, 12, 14));
 * console.log(output.shape); // [2, 16, 4, 5, 6]
 */
export class LPPool3d extends LPPoolNd {
  override forward(x: Tensor): Tensor {
    return F.lpPool3d(x, this.normType, this.kernelSize, this.opts);
  }
}

/** Partial inverse of MaxPool: forward(input, indices, outputSize?) puts each value at its index, zeros elsewhere. */
abstract class MaxUnpoolNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  constructor(
    n: number,
    kernelSize: IntOrList,
    ...args: KwArgs<Omit<F.MaxUnpoolOptions, 'outputSize'>, ['stride', 'padding']>
  ) {
    super();
    const o = kwargs<Omit<F.MaxUnpoolOptions, 'outputSize'>>(this.constructor.name, ['stride', 'padding'], args);
    this.kernelSize = tuple(kernelSize, n, `${this.constructor.name} kernelSize`);
    this.stride = tuple(o.stride ?? kernelSize, n, `${this.constructor.name} stride`);
    this.padding = tuple(o.padding ?? 0, n, `${this.constructor.name} padding`);
  }
  protected abstract unpool(x: Tensor, indices: Tensor, o: F.MaxUnpoolOptions): Tensor;
  override forward(x: Tensor, indices: Tensor, outputSize?: number[] | null): Tensor {
    return this.unpool(x, indices, { stride: this.stride, padding: this.padding, outputSize: outputSize ?? null });
  }
  override extraRepr(): string {
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}`;
  }
}
type UnpoolRest = KwArgs<Omit<F.MaxUnpoolOptions, 'outputSize'>, ['stride', 'padding']>;
/**
 * Computes a partial inverse of `nn.MaxPool1d`: the maxima back in place, zeros elsewhere.
 *
 * `forward(input, indices, outputSize?)` takes the output and the indices of a `nn.MaxPool1d` with
 * `returnIndices: true`. As several input sizes pool to the same output size, `outputSize` (the spatial sizes,
 * optionally preceded by the batch and channel sizes) can name the wanted one. Arguments as PyTorch's:
 * `stride, padding` positional after `kernelSize`, or in one options object.
 *
 * Shape:
 * - Input: `(N, C, L_in)` or `(C, L_in)`.
 * - Output: `(N, C, L_out)` or `(C, L_out)`, where
 *   `L_out = (L_in - 1) * stride - 2 * padding + kernelSize` or `outputSize` when given.
 *
 * @param kernelSize - the size of the max pooling window: an int (or a one-element list).
 * @param stride - the stride of the max pooling window (default `kernelSize`).
 * @param padding - the padding of the max pooling (default `0`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const pool = new nn.MaxPool1d(2, { stride: 2, returnIndices: true });
 * const unpool = new nn.MaxUnpool1d(2, { stride: 2 });
 * const [output, indices] = pool(torch.tensor([[[1, 2, 3, 4, 5, 6, 7, 8]]], { dtype: 'float32' }));
 * console.log(unpool(output, indices).tolist()); // [[[0, 2, 0, 4, 0, 6, 0, 8]]]
 * // an odd input size needs the output size to invert
 * console.log(unpool(output, indices, [9]).shape); // [1, 1, 9]
 */
export class MaxUnpool1d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrList, ...args: UnpoolRest) {
    super(1, kernelSize, ...args);
  }
  protected unpool(x: Tensor, i: Tensor, o: F.MaxUnpoolOptions): Tensor {
    return F.maxUnpool1d(x, i, this.kernelSize, o);
  }
}
/**
 * Computes a partial inverse of `nn.MaxPool2d`: the maxima back in place, zeros elsewhere.
 *
 * `forward(input, indices, outputSize?)` takes the output and the indices of a `nn.MaxPool2d` with
 * `returnIndices: true`. As several input sizes pool to the same output size, `outputSize` (the spatial sizes,
 * optionally preceded by the batch and channel sizes) can name the wanted one. Arguments as PyTorch's:
 * `stride, padding` positional after `kernelSize`, or in one options object.
 *
 * Shape:
 * - Input: `(N, C, H_in, W_in)` or `(C, H_in, W_in)`.
 * - Output: `(N, C, H_out, W_out)` or `(C, H_out, W_out)`, where
 *   `H_out = (H_in - 1) * stride[0] - 2 * padding[0] + kernelSize[0]`
 *   `W_out = (W_in - 1) * stride[1] - 2 * padding[1] + kernelSize[1]` or `outputSize` when given.
 *
 * @param kernelSize - the size of the max pooling window: one int for both dimensions or 2 ints.
 * @param stride - the stride of the max pooling window (default `kernelSize`).
 * @param padding - the padding of the max pooling (default `0`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const pool = new nn.MaxPool2d(2, { stride: 2, returnIndices: true });
 * const unpool = new nn.MaxUnpool2d(2, { stride: 2 });
 * const input = torch.arange(1, 17, { dtype: 'float32' }).reshape(1, 1, 4, 4);
 * const [output, indices] = pool(input);
 * console.log(unpool(output, indices).tolist()); // [[[[0, 0, 0, 0], [0, 6, 0, 8], [0, 0, 0, 0], [0, 14, 0, 16]]]]
 */
export class MaxUnpool2d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrList, ...args: UnpoolRest) {
    super(2, kernelSize, ...args);
  }
  protected unpool(x: Tensor, i: Tensor, o: F.MaxUnpoolOptions): Tensor {
    return F.maxUnpool2d(x, i, this.kernelSize, o);
  }
}
/**
 * Computes a partial inverse of `nn.MaxPool3d`: the maxima back in place, zeros elsewhere.
 *
 * `forward(input, indices, outputSize?)` takes the output and the indices of a `nn.MaxPool3d` with
 * `returnIndices: true`. As several input sizes pool to the same output size, `outputSize` (the spatial sizes,
 * optionally preceded by the batch and channel sizes) can name the wanted one. Arguments as PyTorch's:
 * `stride, padding` positional after `kernelSize`, or in one options object.
 *
 * Shape:
 * - Input: `(N, C, D_in, H_in, W_in)` or `(C, D_in, H_in, W_in)`.
 * - Output: `(N, C, D_out, H_out, W_out)` or `(C, D_out, H_out, W_out)`, where
 *   `D_out = (D_in - 1) * stride[0] - 2 * padding[0] + kernelSize[0]`
 *   `H_out = (H_in - 1) * stride[1] - 2 * padding[1] + kernelSize[1]`
 *   `W_out = (W_in - 1) * stride[2] - 2 * padding[2] + kernelSize[2]` or `outputSize` when given.
 *
 * @param kernelSize - the size of the max pooling window: one int for all dimensions or 3 ints.
 * @param stride - the stride of the max pooling window (default `kernelSize`).
 * @param padding - the padding of the max pooling (default `0`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const pool = new nn.MaxPool3d(3, { stride: 2, returnIndices: true });
 * const unpool = new nn.MaxUnpool3d(3, { stride: 2 });
 * const [output, indices] = pool(torch.randn(1, 2, 7, 7, 7));
 * console.log(unpool(output, indices).shape); // [1, 2, 7, 7, 7]
 */
export class MaxUnpool3d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrList, ...args: UnpoolRest) {
    super(3, kernelSize, ...args);
  }
  protected unpool(x: Tensor, i: Tensor, o: F.MaxUnpoolOptions): Tensor {
    return F.maxUnpool3d(x, i, this.kernelSize, o);
  }
}

/** Options of FractionalMaxPool2d/3d; `returnIndices: true` types forward as [out, indices]. */
export interface FractionalMaxPoolModuleOptions<R extends boolean> extends Omit<
  F.FractionalMaxPoolOptions,
  'returnIndices'
> {
  returnIndices?: R;
}
/** Fractional max pooling (pseudo-random window positions) to outputSize or outputRatio. */
abstract class FractionalMaxPoolNd<R extends boolean> extends Module {
  readonly outputSize: IntOrList | null;
  readonly outputRatio: number | number[] | null;
  readonly returnIndices: R;
  constructor(
    readonly kernelSize: IntOrList,
    o: FractionalMaxPoolModuleOptions<R>,
  ) {
    super();
    this.outputSize = o.outputSize ?? null;
    this.outputRatio = o.outputRatio ?? null;
    this.returnIndices = (o.returnIndices ?? false) as R;
    // PyTorch keeps the given samples as the buffer `_random_samples` (in the state dict when given)
    this.registerBuffer('_random_samples', o.randomSamples ?? null);
    if ((this.outputSize === null) === (this.outputRatio === null))
      throw new TypeError(`${this.constructor.name} requires specifying either an outputSize or an outputRatio`);
    const ratios =
      this.outputRatio === null ? [] : Array.isArray(this.outputRatio) ? this.outputRatio : [this.outputRatio];
    if (ratios.some((r) => !(r > 0 && r < 1)))
      throw new RangeError(
        `${this.constructor.name}: outputRatio must be between 0 and 1 (got ${JSON.stringify(this.outputRatio)})`,
      );
  }
  protected abstract pool(x: Tensor, o: F.FractionalMaxPoolOptions): [Tensor, Tensor];
  override forward(x: Tensor): PoolResult<R> {
    const [out, idx] = this.pool(x, {
      outputSize: this.outputSize,
      outputRatio: this.outputRatio,
      randomSamples: this.buffer('_random_samples'),
      returnIndices: true,
    });
    if (this.returnIndices) return [out, idx] as PoolResult<R>;
    idx.dispose();
    return out as PoolResult<R>;
  }
}
/**
 * Applies 2D fractional max pooling over an input of several planes (an image batch).
 *
 * Max pooling (Graham, 2014, "Fractional Max-Pooling") whose windows of `kernelSize` are placed at pseudo-random steps,
 * so that the output can have any size between the input size and about half of it: `outputSize`, or `outputRatio`
 * times the input size (give exactly one). `randomSamples`, of shape `(N, C, 2)` in `[0, 1)`, fixes the steps (a buffer
 * `_random_samples`); otherwise each call draws them. With `returnIndices: true`, `forward` returns
 * `[output, indices]`.
 *
 * Shape:
 * - Input: `(N, C, H_in, W_in)` or `(C, H_in, W_in)`.
 * - Output: `(N, C, H_out, W_out)` or `(C, H_out, W_out)`, where `(H_out, W_out) = outputSize` or
 *   `floor(outputRatio * (H_in, W_in))`.
 *
 * @param kernelSize - the size of the window: one int for both dimensions or 2 ints.
 * @param o.outputSize - the output size: one int for both dimensions or 2 ints.
 * @param o.outputRatio - the output size as a fraction of the input size, in `(0, 1)`: one number or one per dimension.
 * @param o.returnIndices - also return the indices of the maxima; the type of `forward`'s result follows it (default
 *   `false`).
 * @param o.randomSamples - fixed pseudo-random samples (default none: drawn at each call).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.FractionalMaxPool2d(3, { outputSize: [13, 12] });
 * console.log(m(torch.randn(20, 16, 50, 32)).shape); // [20, 16, 13, 12]
 * const half = new nn.FractionalMaxPool2d(3, { outputRatio: 0.5 });
 * console.log(half(torch.randn(20, 16, 50, 32)).shape); // [20, 16, 25, 16]
 */
export class FractionalMaxPool2d<R extends boolean = false> extends FractionalMaxPoolNd<R> {
  constructor(kernelSize: IntOrList, o: FractionalMaxPoolModuleOptions<R> = {}) {
    super(kernelSize, o);
  }
  protected pool(x: Tensor, o: F.FractionalMaxPoolOptions): [Tensor, Tensor] {
    return F.fractionalMaxPool2dWithIndices(x, this.kernelSize, o);
  }
}
/**
 * Applies 3D fractional max pooling over an input of several planes (a volume batch).
 *
 * Max pooling (Graham, 2014, "Fractional Max-Pooling") whose windows of `kernelSize` are placed at pseudo-random steps,
 * so that the output can have any size between the input size and about half of it: `outputSize`, or `outputRatio`
 * times the input size (give exactly one). `randomSamples`, of shape `(N, C, 3)` in `[0, 1)`, fixes the steps (a buffer
 * `_random_samples`); otherwise each call draws them. With `returnIndices: true`, `forward` returns
 * `[output, indices]`.
 *
 * Shape:
 * - Input: `(N, C, D_in, H_in, W_in)` or `(C, D_in, H_in, W_in)`.
 * - Output: `(N, C, D_out, H_out, W_out)` or `(C, D_out, H_out, W_out)`, where `(D_out, H_out, W_out) = outputSize` or
 *   `floor(outputRatio * (D_in, H_in, W_in))`.
 *
 * @param kernelSize - the size of the window: one int for all dimensions or 3 ints.
 * @param o.outputSize - the output size: one int for all dimensions or 3 ints.
 * @param o.outputRatio - the output size as a fraction of the input size, in `(0, 1)`: one number or one per dimension.
 * @param o.returnIndices - also return the indices of the maxima; the type of `forward`'s result follows it (default
 *   `false`).
 * @param o.randomSamples - fixed pseudo-random samples (default none: drawn at each call).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.FractionalMaxPool3d(3, { outputSize: [13, 12, 11] });
 * console.log(m(torch.randn(2, 16, 20, 16, 14)).shape); // [2, 16, 13, 12, 11]
 * const half = new nn.FractionalMaxPool3d(3, { outputRatio: 0.5 });
 * console.log(half(torch.randn(2, 16, 20, 16, 14)).shape); // [2, 16, 10, 8, 7]
 */
export class FractionalMaxPool3d<R extends boolean = false> extends FractionalMaxPoolNd<R> {
  constructor(kernelSize: IntOrList, o: FractionalMaxPoolModuleOptions<R> = {}) {
    super(kernelSize, o);
  }
  protected pool(x: Tensor, o: F.FractionalMaxPoolOptions): [Tensor, Tensor] {
    return F.fractionalMaxPool3dWithIndices(x, this.kernelSize, o);
  }
}
