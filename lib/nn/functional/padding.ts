// nn.functional.pad: constant, reflect, replicate and circular padding (ATen's pad).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { kwargs, type KwArgs } from './args.js';

/** F.pad modes. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';
/** Options of pad (Python's keyword arguments, camelCase). */
export interface PadOptions {
  /** Default 'constant'. */ mode?: PadMode;
  /** Fill value of 'constant' padding, default 0. */ value?: number | null;
}
/**
 * Pads the last dims: `pad` is [left, right] of the last dim, then [top, bottom] of the one before,
 * and so on (negative values crop). Non-constant modes pad the last 1-3 dims of a batched or unbatched input.
 */
export function pad(x: Tensor, padding: number[], ...args: KwArgs<PadOptions, ['mode', 'value']>): Tensor {
  const o = kwargs<PadOptions>('pad', ['mode', 'value'], args);
  const mode = o.mode ?? 'constant';
  if (padding.length % 2)
    throw new RangeError(`pad: padding length must be divisible by 2, got [${padding.join(', ')}]`);
  if (padding.length / 2 > x.ndim)
    throw new RangeError(
      `pad: padding [${padding.join(', ')}] pads ${padding.length / 2} dims but the input has ${x.ndim}`,
    );
  if (mode !== 'constant' && o.value != null && o.value !== 0)
    throw new TypeError(`pad: padding mode '${mode}' doesn't take in value argument`);
  return torch.pad(x, padding, mode, mode === 'constant' ? (o.value ?? null) : null);
}
