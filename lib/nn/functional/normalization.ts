// nn.functional normalizations: batch_norm, instance_norm, group_norm, layer_norm, rms_norm,
// local_response_norm, normalize.
// Optional arguments: positional in Python's order, or a trailing options object (see ./args.ts).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { kwargs, type KwArgs } from './args.js';
import { avgPool2d, avgPool3d } from './pooling.js';
import { pad } from './padding.js';

type IntOrList = number | number[];
/** Options of batchNorm (Python's keyword arguments, camelCase). */
export interface BatchNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Batch statistics (and running-stat updates) instead of the running ones. Default false. */ training?: boolean;
  /** Default 0.1. */ momentum?: number;
  /** Default 1e-5. */ eps?: number;
}
const BATCH_NORM = ['runningMean', 'runningVar', 'weight', 'bias', 'training', 'momentum', 'eps'] as const;
/** F.batch_norm: in training mode with running stats, updates them in place (unbiased variance). */
export function batchNorm(x: Tensor, ...args: KwArgs<BatchNormOptions, typeof BATCH_NORM>): Tensor {
  const o = kwargs<BatchNormOptions>('batchNorm', BATCH_NORM, args);
  const training = o.training ?? false;
  const rm = o.runningMean ?? null,
    rv = o.runningVar ?? null;
  const eps = o.eps ?? 1e-5;
  if (!training && (!rm || !rv)) throw new TypeError('batchNorm: eval mode needs runningMean and runningVar');
  if (training && eps <= 0) throw new RangeError(`batchNorm: eps must be positive during training, but got ${eps}`);
  return torch.batchNorm(x, o.weight ?? null, o.bias ?? null, rm, rv, training, o.momentum ?? 0.1, eps, true);
}

/** Options of instanceNorm (Python's keyword arguments, camelCase). */
export interface InstanceNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalize with the input's own statistics (default true). */ useInputStats?: boolean;
  /** Default 0.1. */ momentum?: number;
  /** Default 1e-5. */ eps?: number;
}
const INSTANCE_NORM = ['runningMean', 'runningVar', 'weight', 'bias', 'useInputStats', 'momentum', 'eps'] as const;
/** Per-sample, per-channel normalization over the spatial dims. */
export function instanceNorm(x: Tensor, ...args: KwArgs<InstanceNormOptions, typeof INSTANCE_NORM>): Tensor {
  const o = kwargs<InstanceNormOptions>('instanceNorm', INSTANCE_NORM, args);
  return torch.instanceNorm(
    x,
    o.weight ?? null,
    o.bias ?? null,
    o.runningMean ?? null,
    o.runningVar ?? null,
    o.useInputStats ?? true,
    o.momentum ?? 0.1,
    o.eps ?? 1e-5,
    true,
  );
}

/** Options of affineNorm (Python's keyword arguments, camelCase). */
export interface AffineNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Default 1e-5. */ eps?: number;
}
const AFFINE = ['weight', 'bias', 'eps'] as const;
/** Normalizes each group of channels of (N, C, *). */
export function groupNorm(x: Tensor, numGroups: number, ...args: KwArgs<AffineNormOptions, typeof AFFINE>): Tensor {
  const o = kwargs<AffineNormOptions>('groupNorm', AFFINE, args);
  if (x.ndim < 2)
    throw new RangeError(`groupNorm: expected at least 2 dimensions for input tensor but received ${x.ndim}`);
  return torch.groupNorm(x, numGroups, o.weight ?? null, o.bias ?? null, o.eps ?? 1e-5, true);
}
/** Normalizes over the trailing `normalizedShape` dims. */
export function layerNorm(
  x: Tensor,
  normalizedShape: IntOrList,
  ...args: KwArgs<AffineNormOptions, typeof AFFINE>
): Tensor {
  const o = kwargs<AffineNormOptions>('layerNorm', AFFINE, args);
  return torch.layerNorm(
    x,
    typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape,
    o.weight ?? null,
    o.bias ?? null,
    o.eps ?? 1e-5,
    true,
  );
}
/** Options of rmsNorm (Python's keyword arguments, camelCase). */
export interface RmsNormOptions {
  weight?: Tensor | null;
  /** Default: the dtype's machine epsilon. */ eps?: number | null;
}
/** x / sqrt(mean(x^2) + eps) over the trailing `normalizedShape` dims, times weight. */
export function rmsNorm(
  x: Tensor,
  normalizedShape: IntOrList,
  ...args: KwArgs<RmsNormOptions, ['weight', 'eps']>
): Tensor {
  const o = kwargs<RmsNormOptions>('rmsNorm', ['weight', 'eps'], args);
  return torch.rmsNorm(
    x,
    typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape,
    o.weight ?? null,
    o.eps ?? null,
  );
}

/** Options of localResponseNorm (Python's keyword arguments, camelCase). */
export interface LocalResponseNormOptions {
  /** Default 1e-4. */ alpha?: number;
  /** Default 0.75. */ beta?: number;
  /** Default 1. */ k?: number;
}
const LRN = ['alpha', 'beta', 'k'] as const;
/** x / (k + alpha / size * sum of x^2 over `size` neighbouring channels)^beta; input (N, C, *). */
export function localResponseNorm(
  x: Tensor,
  size: number,
  ...args: KwArgs<LocalResponseNormOptions, typeof LRN>
): Tensor {
  const o = kwargs<LocalResponseNormOptions>('localResponseNorm', LRN, args);
  if (x.ndim < 3)
    throw new RangeError(`localResponseNorm: expected 3D or higher dimensionality input (got ${x.ndim} dimensions)`);
  if (x.numel() === 0) return x.alias();
  return torch.tidy(() => {
    let div = x.mul(x);
    const lo = Math.floor(size / 2),
      hi = Math.floor((size - 1) / 2);
    if (x.ndim === 3) {
      div = avgPool2d(pad(div.unsqueeze(1), [0, 0, lo, hi]), [size, 1], { stride: 1 }).squeeze(1);
    } else {
      const s = x.shape;
      div = div.view([s[0]!, 1, s[1]!, s[2]!, -1]);
      div = avgPool3d(pad(div, [0, 0, 0, 0, lo, hi]), [size, 1, 1], { stride: 1 })
        .squeeze(1)
        .view(s);
    }
    return x.div(
      div
        .mul(o.alpha ?? 1e-4)
        .add(o.k ?? 1)
        .pow(o.beta ?? 0.75),
    );
  });
}

/** Options of normalize (Python's keyword arguments, camelCase). */
export interface NormalizeOptions {
  /** Norm order, default 2. */ p?: number;
  /** Default 1. */ dim?: number;
  /** Default 1e-12. */ eps?: number;
}
const NORMALIZE = ['p', 'dim', 'eps'] as const;
/** x / max(||x||_p over dim, eps). */
export function normalize(x: Tensor, ...args: KwArgs<NormalizeOptions, typeof NORMALIZE>): Tensor {
  const o = kwargs<NormalizeOptions>('normalize', NORMALIZE, args);
  return torch.tidy(() =>
    x.div(
      x
        .norm(o.p ?? 2, o.dim ?? 1, { keepdim: true })
        .clampMin(o.eps ?? 1e-12)
        .expandAs(x),
    ),
  );
}
