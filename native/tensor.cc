// Tensor handles: creation from JS buffers, readback, metadata, disposal, memory statistics.
#include "common.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace skcdf {

namespace {
std::vector<int64_t> accounted;  // external bytes reported for each slot
int64_t pendingExternal = 0;
constexpr int32_t kDisposeQueueCapacity = 1023;  // handles; slot 0 holds the count
int32_t noQueue[1] = {0};                        // until the queue exists, so drainDisposed can always read slot 0
void releaseHandle(napi_env env, int32_t h);
}  // namespace

int32_t* g_disposeQueue = noQueue;

TensorTable& table() {
  static TensorTable t;
  return t;
}

int32_t TensorTable::put(at::Tensor t) {
  int32_t h;
  if (!free_.empty()) {
    h = free_.back();
    free_.pop_back();
    slots_[h] = std::move(t);
  } else {
    h = static_cast<int32_t>(slots_.size());
    slots_.push_back(std::move(t));
    accounted.push_back(0);
  }
  ++live_;
  return h;
}

const at::Tensor& TensorTable::get(int32_t h, const char* /*what: callers prefix the op name*/) const {
  if (h < 0 || static_cast<size_t>(h) >= slots_.size() || !slots_[h].defined()) {
    throw std::invalid_argument("a tensor argument was disposed or is not a tensor");
  }
  return slots_[h];
}

void TensorTable::release(int32_t h) {
  if (h < 0 || static_cast<size_t>(h) >= slots_.size() || !slots_[h].defined()) return;
  slots_[h] = at::Tensor();
  free_.push_back(h);
  --live_;
}

void TensorTable::bytes(int64_t& cpu, int64_t& other) const {
  std::unordered_set<const void*> seen;
  cpu = other = 0;
  for (const auto& t : slots_) {
    if (!t.defined() || !t.has_storage()) continue;
    const void* key = t.storage().unsafeGetStorageImpl();
    if (!seen.insert(key).second) continue;
    (t.is_cpu() ? cpu : other) += static_cast<int64_t>(t.storage().nbytes());
  }
}

void accountExternal(Napi::Env env, int64_t delta) {
  pendingExternal += delta;
  if (pendingExternal > (4 << 20) || pendingExternal < -(4 << 20)) {
    int64_t result;
    napi_adjust_external_memory(env, pendingExternal, &result);
    pendingExternal = 0;
  }
}

Napi::Value wrapTensor(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Null();
  int64_t bytes = 0;
  if (t.has_storage() && t.storage().use_count() == 1) bytes = static_cast<int64_t>(t.storage().nbytes());
  int32_t h = table().put(std::move(t));
  accounted[h] = bytes;
  if (bytes) accountExternal(env, bytes);
  napi_value out;
  NAPI_THROW_IF_FAILED(env, napi_create_int32(env, h, &out), Napi::Value());
  return Napi::Value(env, out);
}

int32_t handleOf(const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected a tensor");
  return v.As<Napi::Number>().Int32Value();
}

at::ScalarType scalarTypeFromJs(const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected a dtype");
  int code = v.As<Napi::Number>().Int32Value();
  if (code < 0 || code >= static_cast<int>(at::ScalarType::NumOptions)) {
    throw Napi::TypeError::New(v.Env(), std::string(what) + ": unknown dtype code " + std::to_string(code));
  }
  return static_cast<at::ScalarType>(code);
}

c10::Device deviceFromJs(const Napi::Value& v, const char* what) {
  if (!v.IsString()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected a device string");
  try {
    return c10::Device(v.As<Napi::String>().Utf8Value());
  } catch (const c10::Error& e) {
    throw Napi::TypeError::New(v.Env(), std::string(what) + ": " + e.what_without_backtrace());
  }
}

namespace {

const at::Tensor& arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  return table().get(handleOf(info[i], what), what);
}

std::vector<int64_t> intList(const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected an array of integers");
  auto a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value e = a[i];
    if (!e.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected an array of integers");
    out[i] = e.As<Napi::Number>().Int64Value();
  }
  return out;
}

Napi::Array toJsInts(Napi::Env env, c10::IntArrayRef v) {
  auto a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(v[i])));
  return a;
}

// fromBuffer(bytes: ArrayBuffer | TypedArray, dtype, shape, device?, requiresGrad?) -> handle
Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "tensor", [&]() -> Napi::Value {
    const uint8_t* data;
    size_t length;
    if (info[0].IsTypedArray()) {
      auto ta = info[0].As<Napi::TypedArray>();
      data = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
      length = ta.ByteLength();
    } else if (info[0].IsArrayBuffer()) {
      auto ab = info[0].As<Napi::ArrayBuffer>();
      data = static_cast<const uint8_t*>(ab.Data());
      length = ab.ByteLength();
    } else {
      throw Napi::TypeError::New(env, "tensor: data must be an ArrayBuffer or a TypedArray");
    }
    at::ScalarType dtype = scalarTypeFromJs(info[1], "tensor");
    auto shape = intList(info[2], "tensor: shape");
    for (auto d : shape) {
      if (d < 0) throw Napi::RangeError::New(env, "tensor: negative dimension in shape");
    }
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    if (t.nbytes() != length) {
      throw Napi::RangeError::New(env, "tensor: shape " + c10::str(t.sizes()) + " of " +
                                           std::string(c10::toString(dtype)) + " needs " +
                                           std::to_string(t.nbytes()) + " bytes, got " + std::to_string(length));
    }
    if (length) std::memcpy(t.data_ptr(), data, length);
    if (info.Length() > 3 && info[3].IsString()) {
      c10::Device dev = deviceFromJs(info[3], "tensor: device");
      if (!dev.is_cpu()) t = t.to(dev);
    }
    if (info.Length() > 4 && info[4].ToBoolean()) t.requires_grad_(true);
    return wrapTensor(env, std::move(t));
  });
}

// Zero-copy tensors over JS memory: the tensor's storage holds a strong napi reference to the
// ArrayBuffer, released when libtorch frees the storage. N-API references may only be touched on
// the thread of their env, and not after that env is torn down; a storage freed elsewhere (or later)
// parks its reference until the next call on the right thread, or drops it once the env is gone.
struct SharedBuffer {
  napi_env env;
  napi_ref ref;
  std::thread::id thread;
  std::shared_ptr<std::atomic<bool>> alive;
};
std::mutex parkedMutex;  // guards parked and envAlive
std::vector<SharedBuffer*> parked;
std::atomic<size_t> parkedCount{0};  // lets the hot path (dispose) skip the lock
std::unordered_map<napi_env, std::shared_ptr<std::atomic<bool>>> envAlive;

void releaseShared(SharedBuffer* b) {
  if (!b->alive->load()) { delete b; return; }  // env gone: the reference died with it
  if (std::this_thread::get_id() == b->thread) {
    napi_delete_reference(b->env, b->ref);
    delete b;
    return;
  }
  std::lock_guard<std::mutex> lock(parkedMutex);
  parked.push_back(b);
  parkedCount.store(parked.size());
}

void releaseParked() {
  if (parkedCount.load(std::memory_order_relaxed) == 0) return;
  std::vector<SharedBuffer*> mine;
  {
    std::lock_guard<std::mutex> lock(parkedMutex);
    auto me = std::this_thread::get_id();
    for (auto it = parked.begin(); it != parked.end();) {
      if ((*it)->thread == me || !(*it)->alive->load()) { mine.push_back(*it); it = parked.erase(it); }
      else ++it;
    }
    parkedCount.store(parked.size());
  }
  for (auto* b : mine) releaseShared(b);
}

std::shared_ptr<std::atomic<bool>> aliveFlag(napi_env env) {
  std::lock_guard<std::mutex> lock(parkedMutex);
  auto it = envAlive.find(env);
  if (it != envAlive.end()) return it->second;
  auto flag = std::make_shared<std::atomic<bool>>(true);
  envAlive.emplace(env, flag);
  napi_add_env_cleanup_hook(env, [](void* e) {
    std::lock_guard<std::mutex> lock(parkedMutex);
    auto found = envAlive.find(static_cast<napi_env>(e));
    if (found == envAlive.end()) return;
    found->second->store(false);
    envAlive.erase(found);
  }, env);
  return flag;
}

// fromBufferShared(bytes: ArrayBuffer | TypedArray, dtype, shape, requiresGrad?) -> handle of a CPU
// tensor over those bytes (no copy). The bytes must be aligned for the dtype.
Napi::Value FromBufferShared(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "fromBuffer", [&]() -> Napi::Value {
    releaseParked();
    uint8_t* data;
    size_t length;
    Napi::Object owner;
    if (info[0].IsTypedArray()) {
      auto ta = info[0].As<Napi::TypedArray>();
      owner = ta.ArrayBuffer();
      data = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
      length = ta.ByteLength();
    } else if (info[0].IsArrayBuffer()) {
      auto ab = info[0].As<Napi::ArrayBuffer>();
      owner = ab;
      data = static_cast<uint8_t*>(ab.Data());
      length = ab.ByteLength();
    } else if (info[0].IsDataView()) {
      auto dv = info[0].As<Napi::DataView>();
      owner = dv.ArrayBuffer();
      data = static_cast<uint8_t*>(dv.ArrayBuffer().Data()) + dv.ByteOffset();
      length = dv.ByteLength();
    } else {
      throw Napi::TypeError::New(env, "fromBuffer: data must be an ArrayBuffer or a TypedArray");
    }
    at::ScalarType dtype = scalarTypeFromJs(info[1], "fromBuffer");
    auto shape = intList(info[2], "fromBuffer: shape");
    int64_t numel = 1;
    for (auto d : shape) {
      if (d < 0) throw Napi::RangeError::New(env, "fromBuffer: negative dimension in shape");
      numel *= d;
    }
    size_t itemsize = c10::elementSize(dtype);
    if (static_cast<size_t>(numel) * itemsize != length) {
      throw Napi::RangeError::New(env, "fromBuffer: shape " + c10::str(c10::IntArrayRef(shape)) + " of " + std::string(c10::toString(dtype)) +
                                           " needs " + std::to_string(numel * itemsize) + " bytes, got " + std::to_string(length));
    }
    if (length && reinterpret_cast<uintptr_t>(data) % itemsize != 0) {
      throw Napi::RangeError::New(env, "fromBuffer: the data starts at a byte offset not aligned to " + std::to_string(itemsize) +
                                           " bytes (" + std::string(c10::toString(dtype)) + "); a zero-copy view cannot read it, pass { copy: true }");
    }
    auto* shared = new SharedBuffer{env, nullptr, std::this_thread::get_id(), aliveFlag(env)};
    if (napi_create_reference(env, owner, 1, &shared->ref) != napi_ok) {
      delete shared;
      throw Napi::Error::New(env, "fromBuffer: cannot reference the ArrayBuffer");
    }
    at::Tensor t;
    try {
      t = at::from_blob(data, shape, [shared](void*) { releaseShared(shared); }, at::TensorOptions().dtype(dtype));
    } catch (...) {
      releaseShared(shared);
      throw;
    }
    if (info.Length() > 3 && info[3].ToBoolean()) t.requires_grad_(true);
    // Not reported as external memory: the bytes are the ArrayBuffer's, which V8 already counts.
    return Napi::Number::New(env, table().put(std::move(t)));
  });
}

// toBuffer(h) -> ArrayBuffer holding a contiguous CPU copy of the tensor's elements.
Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "toBuffer", [&]() -> Napi::Value {
    at::Tensor t = arg(info, 0, "toBuffer").detach();
    if (t.is_conj()) t = t.resolve_conj();
    if (t.is_neg()) t = t.resolve_neg();
    t = t.to(at::kCPU).contiguous();
    auto ab = Napi::ArrayBuffer::New(env, t.nbytes());
    if (t.nbytes()) std::memcpy(ab.Data(), t.const_data_ptr(), t.nbytes());
    return ab;
  });
}

// storageBuffer(h) -> ArrayBuffer holding the whole underlying storage (CPU copy), for serialization.
Napi::Value StorageBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "storageBuffer", [&]() -> Napi::Value {
    const at::Tensor& t = arg(info, 0, "storageBuffer");
    size_t n = t.storage().nbytes();
    at::Tensor whole = at::empty({static_cast<int64_t>(n)}, t.options().dtype(at::kByte));
    whole.set_(t.storage(), 0, {static_cast<int64_t>(n)}, {1});
    whole = whole.to(at::kCPU);
    auto ab = Napi::ArrayBuffer::New(env, n);
    if (n) std::memcpy(ab.Data(), whole.const_data_ptr(), n);
    return ab;
  });
}

// meta(h) -> [dtype, device, shape, strides, storageOffset, requiresGrad, isLeaf]
Napi::Value Meta(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "meta", [&]() -> Napi::Value {
    const at::Tensor& t = arg(info, 0, "meta");
    auto out = Napi::Array::New(env, 7);
    out.Set(0u, Napi::Number::New(env, static_cast<int>(t.scalar_type())));
    out.Set(1u, Napi::String::New(env, t.device().str()));
    out.Set(2u, toJsInts(env, t.sizes()));
    out.Set(3u, toJsInts(env, t.strides()));
    out.Set(4u, Napi::Number::New(env, static_cast<double>(t.storage_offset())));
    out.Set(5u, Napi::Boolean::New(env, t.requires_grad()));
    out.Set(6u, Napi::Boolean::New(env, t.is_leaf()));
    return out;
  });
}

Napi::Value Shape(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "shape", [&]() -> Napi::Value { return toJsInts(info.Env(), arg(info, 0, "shape").sizes()); });
}

Napi::Value DType(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "dtype", [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<int>(arg(info, 0, "dtype").scalar_type()));
  });
}

Napi::Value Device(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "device", [&]() -> Napi::Value {
    return Napi::String::New(info.Env(), arg(info, 0, "device").device().str());
  });
}

Napi::Value Numel(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "numel", [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<double>(arg(info, 0, "numel").numel()));
  });
}

// Storage identity for serialization: views of one storage report the same key.
Napi::Value StorageKey(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "storageKey", [&]() -> Napi::Value {
    const at::Tensor& t = arg(info, 0, "storageKey");
    auto key = reinterpret_cast<uintptr_t>(t.storage().unsafeGetStorageImpl());
    return Napi::String::New(info.Env(), std::to_string(key));
  });
}

Napi::Value Item(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "item", [&]() -> Napi::Value {
    const at::Tensor& t = arg(info, 0, "item");
    if (t.numel() != 1) {
      throw Napi::RangeError::New(env, "item: a tensor with " + std::to_string(t.numel()) +
                                           " elements cannot be converted to a number");
    }
    at::Scalar s = t.item();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    if (s.isIntegral(false)) return Napi::Number::New(env, static_cast<double>(s.toLong()));
    if (s.isComplex()) throw Napi::TypeError::New(env, "item: complex tensors are not supported by item()");
    return Napi::Number::New(env, s.toDouble());
  });
}

// Releases one handle: the external-memory accounting, then the table's reference.
void releaseHandle(napi_env env, int32_t h) {
  if (h >= 0 && static_cast<size_t>(h) < accounted.size() && accounted[h]) {
    accountExternal(Napi::Env(env), -accounted[h]);
    accounted[h] = 0;
  }
  table().release(h);
}

// dispose(h): releases `h` now (the finalizer's path; JS's dispose() queues instead). A raw N-API callback.
napi_value Dispose(napi_env env, napi_callback_info cbinfo) {
  napi_value arg;
  size_t argc = 1;
  napi_get_cb_info(env, cbinfo, &argc, &arg, nullptr, nullptr);
  int32_t h;
  if (argc < 1 || napi_get_value_int32(env, arg, &h) != napi_ok) {
    napi_throw_type_error(env, nullptr, "dispose: expected a tensor handle (a number)");
    return nullptr;
  }
  drainDisposed(env);
  releaseParked();
  releaseHandle(env, h);
  return nullptr;
}

// drainDisposed(): releases the queued handles now (JS calls it when the queue is full and at the end of a job).
napi_value DrainDisposed(napi_env env, napi_callback_info /*cbinfo*/) {
  drainDisposed(env);
  return nullptr;
}

// Keeps the handle's tensor alive under a new handle (for `clone`-free aliasing in JS).
Napi::Value Share(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "share", [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), table().put(arg(info, 0, "share")));
  });
}

Napi::Value Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  drainDisposed(env);
  int64_t cpu, other;
  table().bytes(cpu, other);
  auto out = Napi::Object::New(env);
  out.Set("liveTensors", Napi::Number::New(env, static_cast<double>(table().live())));
  out.Set("cpuBytes", Napi::Number::New(env, static_cast<double>(cpu)));
  out.Set("deviceBytes", Napi::Number::New(env, static_cast<double>(other)));
  return out;
}

Napi::Value ToString(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "toString", [&]() -> Napi::Value {
    std::ostringstream os;
    os << arg(info, 0, "toString");
    return Napi::String::New(info.Env(), os.str());
  });
}

}  // namespace

void drainDisposedSlow(napi_env env) {
  // The count is written by JS: never trust it beyond the capacity. Zeroed first, so that a nested entry (none is
  // expected while releasing) finds the queue empty.
  const int32_t n = std::min(g_disposeQueue[0], kDisposeQueueCapacity);
  g_disposeQueue[0] = 0;
  releaseParked();
  for (int32_t i = 1; i <= n; ++i) releaseHandle(env, g_disposeQueue[i]);
}

void registerTensorFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("fromBuffer", Napi::Function::New(env, FromBuffer));
  exports.Set("fromBufferShared", Napi::Function::New(env, FromBufferShared));
  exports.Set("toBuffer", Napi::Function::New(env, ToBuffer));
  exports.Set("storageBuffer", Napi::Function::New(env, StorageBuffer));
  exports.Set("storageKey", Napi::Function::New(env, StorageKey));
  exports.Set("meta", Napi::Function::New(env, Meta));
  exports.Set("shape", Napi::Function::New(env, Shape));
  exports.Set("dtype", Napi::Function::New(env, DType));
  exports.Set("device", Napi::Function::New(env, Device));
  exports.Set("numel", Napi::Function::New(env, Numel));
  exports.Set("item", Napi::Function::New(env, Item));
  napi_value dispose;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, "dispose", NAPI_AUTO_LENGTH, Dispose, nullptr, &dispose));
  exports.Set("dispose", dispose);
  napi_value drain;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, "drainDisposed", NAPI_AUTO_LENGTH, DrainDisposed, nullptr, &drain));
  exports.Set("drainDisposed", drain);
  if (g_disposeQueue == noQueue) {
    // An ArrayBuffer's backing store never moves; the strong reference keeps it for the life of the process.
    void* data = nullptr;
    napi_value buffer;
    NAPI_THROW_IF_FAILED_VOID(env, napi_create_arraybuffer(env, sizeof(int32_t) * (kDisposeQueueCapacity + 1), &data, &buffer));
    napi_ref keep;
    NAPI_THROW_IF_FAILED_VOID(env, napi_create_reference(env, buffer, 1, &keep));
    g_disposeQueue = static_cast<int32_t*>(data);
    g_disposeQueue[0] = 0;
    exports.Set("disposeQueue", buffer);
  }
  exports.Set("share", Napi::Function::New(env, Share));
  exports.Set("stats", Napi::Function::New(env, Stats));
  exports.Set("format", Napi::Function::New(env, ToString));
}

}  // namespace skcdf
