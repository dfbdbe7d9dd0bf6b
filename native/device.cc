// Devices, threads, seeds and allocator statistics.
#include "common.h"

#include <ATen/Context.h>
#include <ATen/DeviceAccelerator.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/csrc/api/include/torch/version.h>

#include <mutex>

namespace skcdf {

namespace {

bool cudaAvailable() { return at::detail::getCUDAHooks().hasCUDA(); }

int cudaDeviceCount() { return cudaAvailable() ? static_cast<int>(at::detail::getCUDAHooks().deviceCount()) : 0; }

int32_t deviceIndex(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() > i && info[i].IsNumber()) return info[i].As<Napi::Number>().Int32Value();
  return -1;
}

Napi::Value CudaIsAvailable(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), cudaAvailable()); }

Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), cudaDeviceCount()); }

Napi::Value CudaSynchronize(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "cuda.synchronize", [&]() -> Napi::Value {
    TORCH_CHECK(cudaAvailable(), "CUDA is not available (no GPU, or libtorch was built without CUDA)");
    int32_t idx = deviceIndex(info, 0);
    if (idx < 0) {
      for (int d = 0; d < cudaDeviceCount(); ++d) at::detail::getCUDAHooks().deviceSynchronize(d);
    } else {
      at::detail::getCUDAHooks().deviceSynchronize(idx);
    }
    return info.Env().Undefined();
  });
}

Napi::Value CudaEmptyCache(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "cuda.emptyCache", [&]() -> Napi::Value {
    if (cudaAvailable()) at::getDeviceAllocator(at::kCUDA)->emptyCache();
    return info.Env().Undefined();
  });
}

// cudaMemory(index) -> {allocated, reserved, peakAllocated, peakReserved} in bytes, or null without CUDA.
Napi::Value CudaMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "cuda.memory", [&]() -> Napi::Value {
    if (!cudaAvailable()) return env.Null();
    int32_t idx = std::max(deviceIndex(info, 0), 0);
    auto stats = at::getDeviceAllocator(at::kCUDA)->getDeviceStats(static_cast<c10::DeviceIndex>(idx));
    constexpr size_t all = 0;  // StatType::AGGREGATE
    auto o = Napi::Object::New(env);
    o.Set("allocated", static_cast<double>(stats.allocated_bytes[all].current));
    o.Set("reserved", static_cast<double>(stats.reserved_bytes[all].current));
    o.Set("peakAllocated", static_cast<double>(stats.allocated_bytes[all].peak));
    o.Set("peakReserved", static_cast<double>(stats.reserved_bytes[all].peak));
    return o;
  });
}

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "manualSeed", [&]() -> Napi::Value {
    uint64_t seed;
    if (info[0].IsBigInt()) {
      bool lossless;
      seed = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
    } else {
      seed = static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value());
    }
    {
      auto gen = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_current_seed(seed);
    }
    for (int d = 0; d < cudaDeviceCount(); ++d) {
      auto gen = at::detail::getCUDAHooks().getDefaultGenerator(static_cast<c10::DeviceIndex>(d));
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_current_seed(seed);
    }
    return info.Env().Undefined();
  });
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), at::get_num_threads()); }

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "setNumThreads", [&]() -> Napi::Value {
    int n = info[0].As<Napi::Number>().Int32Value();
    TORCH_CHECK(n > 0, "number of threads must be positive, got ", n);
    at::set_num_threads(n);
    return info.Env().Undefined();
  });
}

Napi::Value Version(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), TORCH_VERSION); }

Napi::Value CudaCompiled(const Napi::CallbackInfo& info) {
#ifdef SKCDF_WITH_CUDA
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

}  // namespace

void registerDeviceFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("cudaIsAvailable", Napi::Function::New(env, CudaIsAvailable));
  exports.Set("cudaDeviceCount", Napi::Function::New(env, CudaDeviceCount));
  exports.Set("cudaSynchronize", Napi::Function::New(env, CudaSynchronize));
  exports.Set("cudaEmptyCache", Napi::Function::New(env, CudaEmptyCache));
  exports.Set("cudaMemory", Napi::Function::New(env, CudaMemory));
  exports.Set("cudaCompiled", Napi::Function::New(env, CudaCompiled));
  exports.Set("manualSeed", Napi::Function::New(env, ManualSeed));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("version", Napi::Function::New(env, Version));
}

}  // namespace skcdf
