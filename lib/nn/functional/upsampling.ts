// nn.functional.interpolate (every mode ATen implements) and its deprecated upsample aliases,
// pixel_shuffle / pixel_unshuffle, channel_shuffle.
// Optional arguments: positional in Python's order, or a trailing options object (see ./args.ts).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { kwargs, type KwArgs } from './args.js';

/** F.interpolate modes. */
export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area';
/** Options of interpolate (Python's keyword arguments, camelCase). */
export interface InterpolateOptions {
  /** Output spatial size (one int for every dim, or one per dim). Exactly one of size and scaleFactor. */
  size?: number | number[] | null;
  /** Multiplier of each spatial size; the output size is floor(in * scale). */
  scaleFactor?: number | number[] | null;
  /** Default 'nearest'. */
  mode?: InterpolateMode;
  /** Linear modes only (linear, bilinear, bicubic, trilinear); default false. */
  alignCorners?: boolean | null;
  /**
   * Compute the output size from scaleFactor, then interpolate by size (ATen then ignores the scale). Default false,
   * true for 'area'.
   */
  recomputeScaleFactor?: boolean | null;
  /** Anti-aliased downsampling (bilinear and bicubic, 4-D input). Default false. */
  antialias?: boolean;
}

type Op = (...args: unknown[]) => unknown;
const vec = (name: string): Op => torch.ops.aten[name]!.vec!;
// Resolved once: aten overloads taking (input, output_size?, [align_corners,] scale_factors?).
const NEAREST: Record<number, Op> = {
  1: vec('upsample_nearest1d'),
  2: vec('upsample_nearest2d'),
  3: vec('upsample_nearest3d'),
};
const NEAREST_EXACT: Record<number, Op> = {
  1: vec('_upsample_nearest_exact1d'),
  2: vec('_upsample_nearest_exact2d'),
  3: vec('_upsample_nearest_exact3d'),
};
const LINEAR: Record<string, [number, Op]> = {
  linear: [1, vec('upsample_linear1d')],
  bilinear: [2, vec('upsample_bilinear2d')],
  trilinear: [3, vec('upsample_trilinear3d')],
  bicubic: [2, vec('upsample_bicubic2d')],
};
const ANTIALIAS: Record<string, Op> = {
  bilinear: vec('_upsample_bilinear2d_aa'),
  bicubic: vec('_upsample_bicubic2d_aa'),
};
const AREA: Record<number, (x: Tensor, s: number[]) => Tensor> = {
  1: torch.adaptiveAvgPool1d,
  2: torch.adaptiveAvgPool2d,
  3: torch.adaptiveAvgPool3d,
};

const INTERPOLATE = ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor', 'antialias'] as const;
/** F.interpolate: input (N, C, *spatial) with 1 to 3 spatial dims, PyTorch's rules for size, scale and modes. */
export function interpolate(x: Tensor, ...args: KwArgs<InterpolateOptions, typeof INTERPOLATE>): Tensor {
  const o = kwargs<InterpolateOptions>('interpolate', INTERPOLATE, args);
  const dim = x.ndim - 2;
  const mode = o.mode ?? 'nearest';
  const where = `interpolate(mode='${mode}', input [${x.shape.join(', ')}])`;
  if (dim < 1 || dim > 3) throw new RangeError(`${where}: expected a 3-D, 4-D or 5-D input (N, C, *spatial)`);
  if ((o.size == null) === (o.scaleFactor == null))
    throw new TypeError(`${where}: give exactly one of size and scaleFactor`);
  const linearMode = mode in LINEAR;
  if (o.alignCorners != null && !linearMode) {
    throw new TypeError(
      `${where}: alignCorners can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear`,
    );
  }
  const perDim = (v: number | number[], what: string): number[] => {
    if (!Array.isArray(v)) return Array<number>(dim).fill(v);
    if (v.length !== dim)
      throw new RangeError(`${where}: ${what} has ${v.length} elements but the input has ${dim} spatial dimensions`);
    return v;
  };
  let size = o.size == null ? null : perDim(o.size, 'size');
  let scales = o.scaleFactor == null ? null : perDim(o.scaleFactor, 'scaleFactor');
  let recompute = o.recomputeScaleFactor ?? false;
  if (recompute && size) throw new TypeError(`${where}: recomputeScaleFactor is not meaningful with an explicit size`);
  if (mode === 'area' && size === null) recompute = true;
  if (recompute && scales) {
    size = scales.map((s, i) => Math.floor(x.shape[i + 2]! * s));
    scales = null;
  }
  if (o.antialias && !((mode === 'bilinear' || mode === 'bicubic') && x.ndim === 4)) {
    throw new TypeError(`${where}: antialias is only implemented for bilinear and bicubic modes with a 4-D input`);
  }
  if (mode === 'nearest') return NEAREST[dim]!(x, size, scales) as Tensor;
  if (mode === 'nearest-exact') return NEAREST_EXACT[dim]!(x, size, scales) as Tensor;
  if (mode === 'area') return AREA[dim]!(x, size!);
  if (linearMode) {
    const [need, op] = LINEAR[mode]!;
    if (need !== dim) throw new RangeError(`${where}: got ${x.ndim}D input, but ${mode} mode needs ${need + 2}D input`);
    const ac = o.alignCorners ?? false;
    return (o.antialias ? ANTIALIAS[mode]! : op)(x, size, ac, scales) as Tensor;
  }
  throw new TypeError(
    `${where}: unknown mode (expected nearest | nearest-exact | linear | bilinear | bicubic | trilinear | area)`,
  );
}

/** Deprecated alias of interpolate (PyTorch's upsample). */
export const upsample = (
  x: Tensor,
  ...args: KwArgs<
    Omit<InterpolateOptions, 'recomputeScaleFactor' | 'antialias'>,
    ['size', 'scaleFactor', 'mode', 'alignCorners']
  >
): Tensor =>
  interpolate(x, kwargs<InterpolateOptions>('upsample', ['size', 'scaleFactor', 'mode', 'alignCorners'], args));
/** Size or scale of the deprecated upsampleNearest / upsampleBilinear. */
export interface UpsampleSizeOptions {
  size?: number | number[] | null;
  scaleFactor?: number | number[] | null;
}
/** Deprecated: interpolate with mode 'nearest'. */
export const upsampleNearest = (x: Tensor, ...args: KwArgs<UpsampleSizeOptions, ['size', 'scaleFactor']>): Tensor =>
  interpolate(x, { ...kwargs<UpsampleSizeOptions>('upsampleNearest', ['size', 'scaleFactor'], args), mode: 'nearest' });
/** Deprecated: interpolate with mode 'bilinear' and alignCorners true. */
export const upsampleBilinear = (x: Tensor, ...args: KwArgs<UpsampleSizeOptions, ['size', 'scaleFactor']>): Tensor =>
  interpolate(x, {
    ...kwargs<UpsampleSizeOptions>('upsampleBilinear', ['size', 'scaleFactor'], args),
    mode: 'bilinear',
    alignCorners: true,
  });

/** (N, g * c, *) -> the channels regrouped as (c, g): (N, C, *) with channels interleaved across `groups`. */
export const channelShuffle = (x: Tensor, groups: number): Tensor => torch.channelShuffle(x, groups);
/** channelShuffle without the autograd-friendly decomposition (ATen's native_channel_shuffle). */
export const nativeChannelShuffle = (x: Tensor, groups: number): Tensor => torch.nativeChannelShuffle(x, groups);

/** (*, C r^2, H, W) -> (*, C, H r, W r). */
export const pixelShuffle = (x: Tensor, upscaleFactor: number): Tensor => torch.pixelShuffle(x, upscaleFactor);
/** (*, C, H r, W r) -> (*, C r^2, H, W). */
export const pixelUnshuffle = (x: Tensor, downscaleFactor: number): Tensor => torch.pixelUnshuffle(x, downscaleFactor);
