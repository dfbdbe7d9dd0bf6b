// torch.cuda: availability, synchronization and the caching allocator.
import { native, type CudaMemory } from './native.js';

/**
 * Whether CUDA can be used, as PyTorch's `torch.cuda.is_available()`: libtorch was built with CUDA and a GPU with a
 * working driver is present.
 *
 * Example:
 *   const device = torch.cuda.isAvailable() ? 'cuda' : 'cpu';
 */
export const isAvailable = (): boolean => native.cudaIsAvailable();
/**
 * The number of visible CUDA devices, as PyTorch's `torch.cuda.device_count()` (0 without CUDA).
 *
 * Example:
 *   for (let i = 0; i < torch.cuda.deviceCount(); i++) console.log(`cuda:${i}`);
 */
export const deviceCount = (): number => native.cudaDeviceCount();
/** Whether the libtorch this addon was built against includes CUDA (independent of a GPU being present). */
export const isCompiled = (): boolean => native.cudaCompiled();
/**
 * Waits until all queued work on a CUDA device is done, as PyTorch's `torch.cuda.synchronize` (needed before
 * timing GPU work, since kernels run asynchronously).
 *
 * Args:
 *   device: the device index (default: every visible device).
 *
 * Throws:
 *   Error when CUDA is not available.
 *
 * Example:
 *   const t0 = performance.now();
 *   const y = model.forward(x);
 *   torch.cuda.synchronize();
 *   console.log(performance.now() - t0, 'ms');
 */
export const synchronize = (device?: number): void => native.cudaSynchronize(device);
/**
 * Releases the cached, unused blocks of the CUDA caching allocator to the driver, as PyTorch's
 * `torch.cuda.empty_cache()`, so that other processes (or `nvidia-smi`) see them free. Memory held by live tensors
 * stays allocated. Does nothing without CUDA.
 *
 * Example:
 *   torch.dispose(activations);
 *   torch.cuda.emptyCache();
 */
export const emptyCache = (): void => native.cudaEmptyCache();
/**
 * The CUDA caching allocator's current and peak figures for one device, in bytes (PyTorch's
 * `torch.cuda.memory_allocated`, `memory_reserved`, `max_memory_allocated` and `max_memory_reserved` in one record).
 *
 * Args:
 *   device: the device index (default 0).
 *
 * Returns:
 *   `{ allocated, reserved, peakAllocated, peakReserved }`, or null when CUDA is not available.
 *
 * Example:
 *   const m = torch.cuda.memoryStats();
 *   if (m) console.log(`${(m.peakAllocated / 2 ** 30).toFixed(2)} GiB at peak`);
 */
export const memoryStats = (device = 0): CudaMemory | null => native.cudaMemory(device);
