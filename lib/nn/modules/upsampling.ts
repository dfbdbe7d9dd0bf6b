// Upsample, UpsamplingNearest2d, UpsamplingBilinear2d (torch/nn/modules/upsampling.py), PixelShuffle and
// PixelUnshuffle (pixelshuffle.py), ChannelShuffle (channelshuffle.py).
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import { Module, pyFloat, pyTuple } from '../module.js';

/** F.interpolate as a module: options are size or scaleFactor, mode (default 'nearest'), alignCorners, recomputeScaleFactor. */
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
/** (*, C r^2, H, W) -> (*, C, H r, W r). */
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
/** (*, C, H r, W r) -> (*, C r^2, H, W). */
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
/** Nearest-neighbour 2-D upsampling (deprecated in PyTorch in favour of Upsample). */
export class UpsamplingNearest2d extends Upsample {
  constructor(...args: KwArgs<Upsampling2dOptions, ['size', 'scaleFactor']>) {
    super({ ...kwargs<Upsampling2dOptions>('UpsamplingNearest2d', ['size', 'scaleFactor'], args), mode: 'nearest' });
  }
}
/** Bilinear 2-D upsampling with alignCorners true (deprecated in PyTorch in favour of Upsample). */
export class UpsamplingBilinear2d extends Upsample {
  constructor(...args: KwArgs<Upsampling2dOptions, ['size', 'scaleFactor']>) {
    super({
      ...kwargs<Upsampling2dOptions>('UpsamplingBilinear2d', ['size', 'scaleFactor'], args),
      mode: 'bilinear',
      alignCorners: true,
    });
  }
}
/** Regroups channels: (N, g c, *) -> channels interleaved across `groups` (torch/nn/modules/channelshuffle.py). */
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
