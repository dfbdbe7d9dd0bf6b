// The caching CPU allocator: libtorch's CPU allocator replaced at load by one that keeps freed large blocks for
// reuse (up to a byte limit) instead of returning them to the kernel, so large tensors are not page-faulted afresh
// on every allocation.
#pragma once

#include "common.h"

namespace skcdf {

// Installs the caching allocator as libtorch's CPU allocator and registers cpuMemoryStats, cpuEmptyCache and
// cpuSetCacheLimit. Reads NODE_TORCH_CPU_CACHE_BYTES (the cache limit; 0 turns caching off) and NODE_TORCH_CPU_HUGEPAGES
// (0: no transparent-huge-page advice for large blocks); throws a JS error naming the variable when one is invalid.
void installCpuAllocator(Napi::Env env, Napi::Object exports);

}  // namespace skcdf
