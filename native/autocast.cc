// libtorch's thread-local autocast state (mixed precision), which no ATen op exposes.
#include "common.h"

#include <ATen/autocast_mode.h>

namespace skcdf {

namespace {

at::DeviceType deviceType(const Napi::Value& v) {
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s == "cuda") return at::kCUDA;
  if (s == "cpu") return at::kCPU;
  throw Napi::TypeError::New(v.Env(), "autocast: device type must be 'cuda' or 'cpu', got '" + s + "'");
}

at::ScalarType dtypeOf(const Napi::Value& v) {
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s == "float16") return at::kHalf;
  if (s == "bfloat16") return at::kBFloat16;
  if (s == "float32") return at::kFloat;
  throw Napi::TypeError::New(v.Env(), "autocast: dtype must be 'float16', 'bfloat16' or 'float32', got '" + s + "'");
}

const char* dtypeName(at::ScalarType t) {
  switch (t) {
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    default: return "float32";
  }
}

}  // namespace

void registerAutocastFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("autocastIsEnabled", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    return Napi::Boolean::New(info.Env(), at::autocast::is_autocast_enabled(deviceType(info[0])));
  }));
  exports.Set("autocastSetEnabled", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    at::autocast::set_autocast_enabled(deviceType(info[0]), info[1].ToBoolean());
    return info.Env().Undefined();
  }));
  exports.Set("autocastGetDtype", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    return Napi::String::New(info.Env(), dtypeName(at::autocast::get_autocast_dtype(deviceType(info[0]))));
  }));
  exports.Set("autocastSetDtype", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    at::autocast::set_autocast_dtype(deviceType(info[0]), dtypeOf(info[1]));
    return info.Env().Undefined();
  }));
  exports.Set("autocastIncrementNesting", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    return Napi::Number::New(info.Env(), at::autocast::increment_nesting());
  }));
  exports.Set("autocastDecrementNesting", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    return Napi::Number::New(info.Env(), at::autocast::decrement_nesting());
  }));
  exports.Set("autocastClearCache", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    at::autocast::clear_cache();
    return info.Env().Undefined();
  }));
  exports.Set("autocastSetCacheEnabled", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    at::autocast::set_autocast_cache_enabled(info[0].ToBoolean());
    return info.Env().Undefined();
  }));
}

}  // namespace skcdf
