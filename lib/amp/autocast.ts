// Autocast scope API. libtorch keeps autocast state in thread-local flags set by
// at::autocast::set_autocast_enabled(device_type, bool) / set_autocast_dtype(device_type, dtype)
// (plus increment/decrement_nesting and clear_cache on exit). These are not dispatcher operators,
// so the generated op surface cannot reach them: the native addon must export them. Until it
// does, `autocast` throws a clear error when enabled (and `isAvailable()` says false).
import { native } from '../torch/native.js';

/** The reduced precision an autocast region computes in: float16 (CUDA) or bfloat16 (CPU and CUDA). */
export type AutocastDtype = 'float16' | 'bfloat16';
/** Options of an autocast region (torch.autocast): the dtype and whether it is enabled. */
export interface AutocastOptions {
  dtype?: AutocastDtype;
  enabled?: boolean;
  cacheEnabled?: boolean;
}

/** The native entry points this API needs (to be provided by native/). */
interface AutocastNative {
  autocastIsEnabled(deviceType: string): boolean;
  autocastSetEnabled(deviceType: string, enabled: boolean): void;
  autocastGetDtype(deviceType: string): string;
  autocastSetDtype(deviceType: string, dtype: string): void;
  autocastIncrementNesting(): number;
  autocastDecrementNesting(): number;
  autocastClearCache(): void;
  autocastSetCacheEnabled(enabled: boolean): void;
}
const nat = native as unknown as Partial<AutocastNative>;

/** Whether the addon exposes libtorch's autocast state. */
export const isAvailable = (): boolean => typeof nat.autocastSetEnabled === 'function';

/**
 * Runs `fn` with autocast on `deviceType` ('cuda' or 'cpu'): eligible ops (conv, matmul, linear, ...)
 * run in `dtype` (default float16 on CUDA, bfloat16 on CPU). Synchronous only (the state is per thread).
 * With `enabled: false` it just runs `fn`.
 */
export function autocast<T>(deviceType: 'cuda' | 'cpu', fn: () => T, options: AutocastOptions = {}): T {
  if (options.enabled === false) return fn();
  if (!isAvailable()) {
    throw new Error(
      'autocast: the native addon does not expose at::autocast (autocastSetEnabled/autocastSetDtype/...); see ' +
      'lib/amp/autocast.ts',
    );
  }
  const n = nat as AutocastNative;
  const dtype = options.dtype ?? (deviceType === 'cuda' ? 'float16' : 'bfloat16');
  const prevEnabled = n.autocastIsEnabled(deviceType);
  const prevDtype = n.autocastGetDtype(deviceType);
  n.autocastSetEnabled(deviceType, true);
  n.autocastSetDtype(deviceType, dtype);
  n.autocastSetCacheEnabled(options.cacheEnabled ?? true);
  n.autocastIncrementNesting();
  try {
    const r = fn();
    if (r instanceof Promise)
      throw new TypeError(
        'autocast: the callback returned a Promise; autocast state is per thread and cannot follow awaits',
      );
    return r;
  } finally {
    if (n.autocastDecrementNesting() === 0) n.autocastClearCache();
    n.autocastSetEnabled(deviceType, prevEnabled);
    n.autocastSetDtype(deviceType, prevDtype);
  }
}
