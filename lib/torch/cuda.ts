// torch.cuda: availability, synchronization and the caching allocator.
import { native, type CudaMemory } from './native.js';

export const isAvailable = (): boolean => native.cudaIsAvailable();
export const deviceCount = (): number => native.cudaDeviceCount();
/** Whether the libtorch this addon was built against includes CUDA (independent of a GPU being present). */
export const isCompiled = (): boolean => native.cudaCompiled();
export const synchronize = (device?: number): void => native.cudaSynchronize(device);
export const emptyCache = (): void => native.cudaEmptyCache();
export const memoryStats = (device = 0): CudaMemory | null => native.cudaMemory(device);
