// Shared pieces of the addon: the tensor handle table and error translation.
// JavaScript holds tensors as integer handles into this table (a plain JS object wraps the
// integer), because creating and finalizing one N-API object per tensor cost ~2.7 us per op.
#pragma once

#define NAPI_VERSION 8
#include <napi.h>
#include <ATen/core/Tensor.h>
#include <c10/util/Exception.h>

#include <cstdint>
#include <string>
#include <vector>

namespace skcdf {

class TensorTable {
 public:
  int32_t put(at::Tensor t);
  // Throws a JS TypeError naming `what` when the handle is not a live tensor.
  const at::Tensor& get(int32_t handle, const char* what) const;
  void release(int32_t handle);
  int64_t live() const { return live_; }
  // Bytes of the distinct storages referenced by live handles, per device type.
  void bytes(int64_t& cpu, int64_t& other) const;
  template <class F> void forEach(F f) const {
    for (const auto& t : slots_) if (t.defined()) f(t);
  }

 private:
  std::vector<at::Tensor> slots_;
  std::vector<int32_t> free_;
  int64_t live_ = 0;
};

TensorTable& table();

// Reports native memory to V8 in batches, so GC pressure reflects tensor memory.
void accountExternal(Napi::Env env, int64_t delta);

int32_t handleOf(const Napi::Value& v, const char* what);
Napi::Value wrapTensor(Napi::Env env, at::Tensor t);  // undefined tensor -> null

// Deferred disposal. JS's dispose() appends the handle to a queue in an ArrayBuffer shared with the addon (slot 0:
// how many are queued; then the handles) instead of calling into the addon; the addon releases the queued handles at
// the start of its next entry (before an op allocates, so peak memory is as with an immediate release), and JS at
// the end of the current job. Saves one call into the addon per disposed tensor.
extern int32_t* g_disposeQueue;
void drainDisposedSlow(napi_env env);
inline void drainDisposed(napi_env env) {
  if (g_disposeQueue[0] != 0) drainDisposedSlow(env);
}

// Runs `body`, converting every C++ exception into a JS Error prefixed by `op`. Releases the tensors disposed since
// the last entry into the addon first.
template <class F>
auto guarded(Napi::Env env, const char* op, F body) -> decltype(body()) {
  drainDisposed(env);
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Napi::Error::New(env, std::string(op) + ": " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, std::string(op) + ": " + e.what());
  }
}

at::ScalarType scalarTypeFromJs(const Napi::Value& v, const char* what);
c10::Device deviceFromJs(const Napi::Value& v, const char* what);

void registerTensorFunctions(Napi::Env env, Napi::Object exports);
void registerOpFunctions(Napi::Env env, Napi::Object exports);
void registerAutogradFunctions(Napi::Env env, Napi::Object exports);
void registerDeviceFunctions(Napi::Env env, Napi::Object exports);
void registerAutocastFunctions(Napi::Env env, Napi::Object exports);

}  // namespace skcdf
