// nn.functional.grid_sample and affine_grid (spatial transformers).
// Optional arguments: positional in Python's order, or a trailing options object (see ./args.ts).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { kwargs, type KwArgs } from './args.js';

/** Options of gridSample (Python's keyword arguments, camelCase). */
export interface GridSampleOptions {
  /** Default 'bilinear'. */ mode?: 'bilinear' | 'nearest' | 'bicubic';
  /** Values outside the input: 'zeros' (default), 'border', 'reflection'. */ paddingMode?:
    'zeros' | 'border' | 'reflection';
  /** -1 and 1 are the centers of the corner pixels (true) or their outer edges (false, the default). */ alignCorners?:
    boolean | null;
}
const GRID_SAMPLE = ['mode', 'paddingMode', 'alignCorners'] as const;
const MODES = { bilinear: 0, nearest: 1, bicubic: 2 } as const;
const PADDING_MODES = { zeros: 0, border: 1, reflection: 2 } as const;
/** Samples (N, C, H_in, W_in) at the normalized (x, y) locations of grid (N, H_out, W_out, 2) (or the 3-D analogue). */
export function gridSample(x: Tensor, grid: Tensor, ...args: KwArgs<GridSampleOptions, typeof GRID_SAMPLE>): Tensor {
  const o = kwargs<GridSampleOptions>('gridSample', GRID_SAMPLE, args);
  const mode = o.mode ?? 'bilinear',
    paddingMode = o.paddingMode ?? 'zeros';
  if (!(mode in MODES))
    throw new TypeError(
      `gridSample: expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '${String(mode)}'`,
    );
  if (!(paddingMode in PADDING_MODES))
    throw new TypeError(
      `gridSample: expected paddingMode to be 'zeros', 'border', or 'reflection', but got: '${String(paddingMode)}'`,
    );
  return torch.gridSampler(x, grid, MODES[mode], PADDING_MODES[paddingMode], o.alignCorners ?? false);
}

/**
 * Sampling grid (N, H, W, 2) or (N, D, H, W, 3) of the affine maps theta (N, 2, 3) or (N, 3, 4), for output `size`
 * (N, C, H, W) or (N, C, D, H, W).
 */
export function affineGrid(
  theta: Tensor,
  size: number[],
  ...args: KwArgs<{ alignCorners?: boolean | null }, ['alignCorners']>
): Tensor {
  const alignCorners =
    kwargs<{ alignCorners?: boolean | null }>('affineGrid', ['alignCorners'], args).alignCorners ?? false;
  if (!theta.isFloatingPoint())
    throw new TypeError(`affineGrid: expected theta to have floating point type, but got ${theta.dtype}`);
  const [r, c] = size.length === 4 ? [2, 3] : size.length === 5 ? [3, 4] : [0, 0];
  if (!r)
    throw new RangeError(
      `affineGrid: only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size [${size.join(', ')}]`,
    );
  if (theta.ndim !== 3 || theta.shape[1] !== r || theta.shape[2] !== c) {
    throw new RangeError(
      `affineGrid: expected a batch of ${r}D affine matrices of shape Nx${r}x${c} for size [${size.join(', ')}]. Got [${theta.shape.join(', ')}]`,
    );
  }
  if (!(alignCorners && Math.min(...size.slice(2)) === 1) && Math.min(...size) <= 0)
    throw new RangeError(`affineGrid: expected non-zero, positive output size. Got [${size.join(', ')}]`);
  return torch.affineGridGenerator(theta, size, alignCorners);
}
