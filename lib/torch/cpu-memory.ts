// torch.cpu: the caching CPU allocator the addon installs as libtorch's CPU allocator.
//
// Blocks of 1 MiB or more are mapped 2 MiB-aligned (advised for transparent huge pages) and, when a tensor frees
// them, kept for the next allocation of a similar size (of equal fits, the block freed last) instead of being
// returned to the kernel: a training loop then stops page-faulting its large activations afresh every iteration.
// The cache holds at most `limit` bytes (default 2 GiB, or an eighth of physical memory when that is less), dropping
// the least recently freed blocks beyond it, and
// keeps live + cached large blocks within the most bytes that were ever live at once plus a margin (a twentieth of
// them, at most 64 MiB): when a cache miss would cross that ceiling, it takes a cached block of up to twice the size
// asked for, or else the least recently freed cached blocks make room for a new one. The process's peak memory is
// then about what it would be without a cache.
// Smaller blocks come from the C library's heap (64-byte aligned, as with libtorch's default allocator); those of up
// to 4 KiB are kept for reuse when freed, at most 8 MiB of them (or `limit` when that is less).
//
// Environment, read when the addon loads:
//   NODE_TORCH_CPU_CACHE_BYTES  the cache limit in bytes (suffixes K, M, G accepted); 0 turns caching off.
//   NODE_TORCH_CPU_HUGEPAGES    0: do not advise new large blocks for transparent huge pages.
import { native, type CpuAllocatorStats } from './native.js';

export type { CpuAllocatorStats };

/**
 * The caching CPU allocator's figures: bytes cached and held by tensors, hits and misses of large allocations,
 * the peak, and the settings; large blocks (at least `threshold` bytes) apart from the small-block cache's
 * `small*` figures.
 *
 * Returns:
 *   `{ cachedBytes, cachedBlocks, liveBytes, peakBytes, hits, misses, evictions, limit, threshold, smallCachedBytes,
 *   smallHits, smallMisses, hugePages, installed }` (see `CpuAllocatorStats`).
 *
 * Example:
 *   const m = torch.cpu.memoryStats();
 *   console.log(`${m.hits} hits, ${m.misses} misses, ${(m.cachedBytes / 2 ** 20).toFixed(0)} MiB cached`);
 */
export const memoryStats = (): CpuAllocatorStats => native.cpuMemoryStats();

/**
 * Returns every cached (freed, unused) block of the CPU allocator to the operating system, as
 * `torch.cuda.emptyCache()` does for the GPU. Memory held by live tensors stays allocated; later large allocations
 * map fresh memory until the cache fills again.
 *
 * Example:
 *   torch.dispose(activations);
 *   torch.cpu.emptyCache();
 *   torch.cpu.memoryStats().cachedBytes; // 0
 */
export const emptyCache = (): void => native.cpuEmptyCache();

/**
 * Sets the most bytes the CPU allocator's cache may hold; cached blocks beyond it are released at once, least
 * recently freed first. 0 turns caching off: blocks are then allocated and freed by the C library, as with
 * libtorch's default allocator. The small-block cache holds at most 8 MiB, or this limit when that is less. The
 * default is 2 GiB, or an eighth of physical memory when that is less (environment variable
 * `NODE_TORCH_CPU_CACHE_BYTES` at load).
 *
 * Args:
 *   bytes: a non-negative integer number of bytes.
 *
 * Throws:
 *   TypeError when `bytes` is not a non-negative integer.
 *
 * Example:
 *   torch.cpu.setAllocatorCacheLimit(512 * 2 ** 20); // at most 512 MiB of freed blocks kept
 *   torch.cpu.setAllocatorCacheLimit(0); // no caching
 */
export function setAllocatorCacheLimit(bytes: number): void {
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
    throw new TypeError(`torch.cpu.setAllocatorCacheLimit: bytes must be a non-negative integer, got ${String(bytes)}`);
  }
  native.cpuSetCacheLimit(bytes);
}
