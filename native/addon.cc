// Module entry: registers the native functions and tunes glibc's allocator for tensor workloads.
#include "common.h"
#include "cpu-allocator.h"
#include "distributed.h"
#include "hooks.h"

#include <atomic>
#include <cstdlib>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

// In a Node process every large CPU tensor came from a fresh mmap: page-faulted on first touch and
// unmapped on free (measured: 3.6x the minor page faults and 2.5x the time of an elementwise op on a
// 15 MB tensor, against the same libtorch under Python). Fixing the thresholds at glibc's own dynamic
// maximum (32 MiB mmap, 64 MiB trim), which a Python process reaches, keeps freed blocks for reuse.
// Users who tune malloc themselves (GLIBC_TUNABLES, MALLOC_*_ variables) keep their settings.
static void tuneAllocator() {
#if defined(__GLIBC__)
  if (std::getenv("GLIBC_TUNABLES") || std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_")) return;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  // The tensor table and op registry are per process and not synchronized: a second JavaScript
  // thread (worker_threads) gets a clear error instead of racing the first.
  static std::atomic<bool> loaded{false};
  if (loaded.exchange(true)) {
    throw Napi::Error::New(env, "skcdf: the native addon is already loaded by another thread of this process; "
                                "use tensors from one thread (worker threads can prepare plain TypedArrays)");
  }
  tuneAllocator();
  skcdf::installCpuAllocator(env, exports);
  skcdf::registerTensorFunctions(env, exports);
  skcdf::registerOpFunctions(env, exports);
  skcdf::registerAutogradFunctions(env, exports);
  skcdf::registerHookFunctions(env, exports);
  skcdf::registerDeviceFunctions(env, exports);
  skcdf::registerAutocastFunctions(env, exports);
  skcdf::registerDistributedFunctions(env, exports);
  return exports;
}

NODE_API_MODULE(skcdf_native, InitAddon)
