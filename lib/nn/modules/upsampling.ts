// Upsample, UpsamplingNearest2d, UpsamplingBilinear2d (torch/nn/modules/upsampling.py), PixelShuffle and
// PixelUnshuffle (pixelshuffle.py), ChannelShuffle (channelshuffle.py).
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import { Module, pyFloat, pyTuple } from '../module.js';

/**
 * Upsamples multi-channel 1D (temporal), 2D (spatial) or 3D (volumetric) data to a given size or by a scale factor.
 *
 * `nn.functional.interpolate` as a module, its options kept as `options`. The modes: `'nearest'`, `'linear'` (3D input
 * only), `'bilinear'` and `'bicubic'` (4D), `'trilinear'` (5D), `'area'` and `'nearest-exact'`. With `alignCorners`
 * true the corner pixels of the input and output are aligned and their values kept; the default (false) aligns the
 * corners of the pixels instead, which makes the result independent of the input size for a given scale factor, as in
 * PyTorch since 0.4.
 *
 * Shape:
 * - Input: `(N, C, W_in)`, `(N, C, H_in, W_in)` or `(N, C, D_in, H_in, W_in)`.
 * - Output: `(N, C, W_out)`, `(N, C, H_out, W_out)` or `(N, C, D_out, H_out, W_out)`, where
 *   `D_out = floor(D_in * scaleFactor)`, `H_out = floor(H_in * scaleFactor)`, `W_out = floor(W_in * scaleFactor)`, or
 * `size`.
 *
 * @param options.size - the output spatial size: one int for every dimension, or one per dimension.
 * @param options.scaleFactor - the multiplier of each spatial size: one number, or one per dimension (give `size` or
 *   `scaleFactor`).
 * @param options.mode - the upsampling algorithm (default `'nearest'`).
 * @param options.alignCorners - for the linear modes, align the corner pixels (default `false`).
 * @param options.recomputeScaleFactor - compute the output size from `scaleFactor`, then interpolate for that size
 *   instead of with the given scale (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const input = torch.arange(1, 5, { dtype: 'float32' }).reshape(1, 1, 2, 2);
 * const m = new nn.Upsample({ scaleFactor: 2, mode: 'nearest' });
 * console.log(m(input).tolist()); // [[[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]]
 * const bilinear = new nn.Upsample({ size: [3, 5], mode: 'bilinear', alignCorners: true });
 * console.log(bilinear(input).shape); // [1, 1, 3, 5]
 */
export class Upsample extends Module {
  constructor(readonly options: Omit<F.InterpolateOptions, 'antialias'>) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.interpolate(x, this.options);
  }
  override extraRepr(): string {
    const o = this.options;
    const info =
      o.scaleFactor != null
        ? `scale_factor=${Array.isArray(o.scaleFactor) ? `(${o.scaleFactor.map(pyFloat).join(', ')})` : pyFloat(o.scaleFactor)}`
        : `size=${Array.isArray(o.size) ? pyTuple(o.size) : String(o.size)}`;
    return `${info}, mode='${o.mode ?? 'nearest'}'`;
  }
}
/**
 * Rearranges a tensor of shape `(*, C * r^2, H, W)` to `(*, C, H * r, W * r)`, `r` the upscale factor.
 *
 * Useful for sub-pixel convolutions with a stride of `1 / r` (Shi et al., 2016, "Real-Time Single Image and Video
 * Super-Resolution Using an Efficient Sub-Pixel Convolutional Neural Network").
 *
 * Shape:
 * - Input: `(*, C_in, H_in, W_in)`, `*` zero or more batch dimensions.
 * - Output: `(*, C_out, H_out, W_out)`, where `C_out = C_in / upscaleFactor^2`, `H_out = H_in * upscaleFactor`,
 *   `W_out = W_in * upscaleFactor`.
 *
 * @param upscaleFactor - `r`, the factor by which the spatial resolution grows.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.PixelShuffle(3);
 * const output = m(torch.randn(1, 9, 4, 4));
 * console.log(output.shape); // [1, 1, 12, 12]
 */
export class PixelShuffle extends Module {
  constructor(readonly upscaleFactor: number) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.pixelShuffle(x, this.upscaleFactor);
  }
  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}
/**
 * Reverses `nn.PixelShuffle`: rearranges a tensor of shape `(*, C, H * r, W * r)` to `(*, C * r^2, H, W)`.
 *
 * Shape:
 * - Input: `(*, C_in, H_in, W_in)`, `*` zero or more batch dimensions.
 * - Output: `(*, C_out, H_out, W_out)`, where `C_out = C_in * downscaleFactor^2`, `H_out = H_in / downscaleFactor`,
 *   `W_out = W_in / downscaleFactor`.
 *
 * @param downscaleFactor - `r`, the factor by which the spatial resolution shrinks; it must divide `H_in` and `W_in`.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.PixelUnshuffle(3);
 * const output = m(torch.randn(1, 1, 12, 12));
 * console.log(output.shape); // [1, 9, 4, 4]
 */
export class PixelUnshuffle extends Module {
  constructor(readonly downscaleFactor: number) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.pixelUnshuffle(x, this.downscaleFactor);
  }
  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}

/** Size or scale of UpsamplingNearest2d / UpsamplingBilinear2d (exactly one). */
export interface Upsampling2dOptions {
  size?: number | number[] | null;
  scaleFactor?: number | number[] | null;
}
/**
 * Applies 2D nearest-neighbour upsampling to an input of several channels.
 *
 * `nn.Upsample` with `mode: 'nearest'`, kept under PyTorch's name (PyTorch deprecates it in favour of `nn.Upsample`).
 * Arguments as PyTorch's: `size, scaleFactor` positional or in one options object; give one of them.
 *
 * Shape:
 * - Input: `(N, C, H_in, W_in)`.
 * - Output: `(N, C, H_out, W_out)`, where `H_out = floor(H_in * scaleFactor)` and `W_out = floor(W_in * scaleFactor)`,
 *   or `size`.
 *
 * @param size - the output spatial size: one int for both dimensions, or 2.
 * @param scaleFactor - the multiplier of the spatial size: one number, or 2.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.UpsamplingNearest2d({ scaleFactor: 2 });
 * const input = torch.arange(1, 5, { dtype: 'float32' }).reshape(1, 1, 2, 2);
 * console.log(m(input).tolist()); // [[[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]]
 */
export class UpsamplingNearest2d extends Upsample {
  constructor(...args: KwArgs<Upsampling2dOptions, ['size', 'scaleFactor']>) {
    super({ ...kwargs<Upsampling2dOptions>('UpsamplingNearest2d', ['size', 'scaleFactor'], args), mode: 'nearest' });
  }
}
/**
 * Applies 2D bilinear upsampling, with aligned corners, to an input of several channels.
 *
 * `nn.Upsample` with `mode: 'bilinear'` and `alignCorners: true`, kept under PyTorch's name (PyTorch deprecates it in
 * favour of `nn.Upsample`). Arguments as PyTorch's: `size, scaleFactor` positional or in one options object; give one
 * of them.
 *
 * Shape:
 * - Input: `(N, C, H_in, W_in)`.
 * - Output: `(N, C, H_out, W_out)`, where `H_out = floor(H_in * scaleFactor)` and `W_out = floor(W_in * scaleFactor)`,
 *   or `size`.
 *
 * @param size - the output spatial size: one int for both dimensions, or 2.
 * @param scaleFactor - the multiplier of the spatial size: one number, or 2.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.UpsamplingBilinear2d({ scaleFactor: 2 });
 * const input = torch.arange(1, 5, { dtype: 'float32' }).reshape(1, 1, 2, 2);
 * const output = m(input);
 * console.log(output.shape); // [1, 1, 4, 4]
 * console.log(output.get(0, 0, 0, 3).item()); // 2
 */
export class UpsamplingBilinear2d extends Upsample {
  constructor(...args: KwArgs<Upsampling2dOptions, ['size', 'scaleFactor']>) {
    super({
      ...kwargs<Upsampling2dOptions>('UpsamplingBilinear2d', ['size', 'scaleFactor'], args),
      mode: 'bilinear',
      alignCorners: true,
    });
  }
}
/**
 * Divides the channels of the input into `groups` groups and interleaves them: `(N, g * c, *)` as `(N, c, g, *)`.
 *
 * Channel `i * c + j` of the input (group `i`, position `j`) becomes channel `j * groups + i` of the output, as in
 * ShuffleNet (Zhang et al., 2017).
 *
 * Shape:
 * - Input: `(N, C, *)`, `C` divisible by `groups`.
 * - Output: `(N, C, *)`, the same shape as the input.
 *
 * @param groups - the number of groups to divide the channels into.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ChannelShuffle(2);
 * const input = torch.arange(1, 5, { dtype: 'float32' }).reshape(1, 4, 1, 1);
 * console.log(m(input).flatten().tolist()); // [1, 3, 2, 4]
 */
export class ChannelShuffle extends Module {
  constructor(readonly groups: number) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.channelShuffle(x, this.groups);
  }
  override extraRepr(): string {
    return `groups=${this.groups}`;
  }
}
