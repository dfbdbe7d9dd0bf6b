// nn.functional.interpolate (every mode ATen implements), pixel_shuffle / pixel_unshuffle.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';

export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area';
export interface InterpolateOptions {
  /** Output spatial size (one int for every dim, or one per dim). Exactly one of size and scaleFactor. */
  size?: number | number[];
  /** Multiplier of each spatial size; the output size is floor(in * scale). */
  scaleFactor?: number | number[];
  /** Default 'nearest'. */
  mode?: InterpolateMode;
  /** Linear modes only (linear, bilinear, bicubic, trilinear); default false. */
  alignCorners?: boolean;
  /** Compute the output size from scaleFactor, then interpolate by size (ATen then ignores the scale). Default false, true for 'area'. */
  recomputeScaleFactor?: boolean;
  /** Anti-aliased downsampling (bilinear and bicubic, 4-D input). Default false. */
  antialias?: boolean;
}

type Op = (...args: unknown[]) => unknown;
const vec = (name: string): Op => torch.ops.aten[name]!.vec!;
// Resolved once: aten overloads taking (input, output_size?, [align_corners,] scale_factors?).
const NEAREST: Record<number, Op> = { 1: vec('upsample_nearest1d'), 2: vec('upsample_nearest2d'), 3: vec('upsample_nearest3d') };
const NEAREST_EXACT: Record<number, Op> = { 1: vec('_upsample_nearest_exact1d'), 2: vec('_upsample_nearest_exact2d'), 3: vec('_upsample_nearest_exact3d') };
const LINEAR: Record<string, [number, Op]> = {
  linear: [1, vec('upsample_linear1d')], bilinear: [2, vec('upsample_bilinear2d')],
  trilinear: [3, vec('upsample_trilinear3d')], bicubic: [2, vec('upsample_bicubic2d')],
};
const ANTIALIAS: Record<string, Op> = { bilinear: vec('_upsample_bilinear2d_aa'), bicubic: vec('_upsample_bicubic2d_aa') };
const AREA: Record<number, (x: Tensor, s: number[]) => Tensor> = { 1: torch.adaptiveAvgPool1d, 2: torch.adaptiveAvgPool2d, 3: torch.adaptiveAvgPool3d };

/** F.interpolate: input (N, C, *spatial) with 1 to 3 spatial dims, PyTorch's rules for size, scale and modes. */
export function interpolate(x: Tensor, o: InterpolateOptions): Tensor {
  const dim = x.ndim - 2;
  const mode = o.mode ?? 'nearest';
  const where = `interpolate(mode='${mode}', input [${x.shape.join(', ')}])`;
  if (dim < 1 || dim > 3) throw new RangeError(`${where}: expected a 3-D, 4-D or 5-D input (N, C, *spatial)`);
  if ((o.size === undefined) === (o.scaleFactor === undefined)) throw new TypeError(`${where}: give exactly one of size and scaleFactor`);
  const linearMode = mode in LINEAR;
  if (o.alignCorners !== undefined && !linearMode) {
    throw new TypeError(`${where}: alignCorners can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear`);
  }
  const perDim = (v: number | number[], what: string): number[] => {
    if (!Array.isArray(v)) return Array<number>(dim).fill(v);
    if (v.length !== dim) throw new RangeError(`${where}: ${what} has ${v.length} elements but the input has ${dim} spatial dimensions`);
    return v;
  };
  let size = o.size === undefined ? null : perDim(o.size, 'size');
  let scales = o.scaleFactor === undefined ? null : perDim(o.scaleFactor, 'scaleFactor');
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
  throw new TypeError(`${where}: unknown mode (expected nearest | nearest-exact | linear | bilinear | bicubic | trilinear | area)`);
}

/** (*, C r^2, H, W) -> (*, C, H r, W r). */
export const pixelShuffle = (x: Tensor, upscaleFactor: number): Tensor => torch.pixelShuffle(x, upscaleFactor);
/** (*, C, H r, W r) -> (*, C r^2, H, W). */
export const pixelUnshuffle = (x: Tensor, downscaleFactor: number): Tensor => torch.pixelUnshuffle(x, downscaleFactor);
