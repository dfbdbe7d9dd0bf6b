// Autograd entry points that schemas cannot express: backward, grad, grad mode, .grad access.
#include "common.h"
#include "hooks.h"

#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>

namespace skcdf {

namespace {

std::vector<at::Tensor> tensorList(const Napi::Value& v, const char* what, bool allowNull) {
  std::vector<at::Tensor> out;
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected an array of tensors");
  auto arr = v.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    Napi::Value e = arr[i];
    if (allowNull && (e.IsNull() || e.IsUndefined())) out.emplace_back();
    else out.push_back(table().get(handleOf(e, what), what));
  }
  return out;
}

// backward(tensors[], grads[] | null, retainGraph, createGraph, inputs[] | null)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "backward", [&]() -> Napi::Value {
    auto tensors = tensorList(info[0], "backward", false);
    auto grads = tensorList(info[1], "backward: gradient", true);
    bool create = info[3].ToBoolean();
    std::optional<bool> retain;
    if (info[2].IsBoolean()) retain = info[2].As<Napi::Boolean>().Value();
    auto inputs = tensorList(info[4], "backward: inputs", false);
    withHookErrors(env, [&] { torch::autograd::backward(tensors, grads, retain, create, inputs); });
    return env.Undefined();
  });
}

// grad(outputs[], inputs[], gradOutputs[] | null, retainGraph, createGraph, allowUnused) -> (handle|null)[]
Napi::Value Grad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "autograd.grad", [&]() -> Napi::Value {
    auto outputs = tensorList(info[0], "autograd.grad: outputs", false);
    auto inputs = tensorList(info[1], "autograd.grad: inputs", false);
    auto gradOutputs = tensorList(info[2], "autograd.grad: gradOutputs", true);
    std::optional<bool> retain;
    if (info[3].IsBoolean()) retain = info[3].As<Napi::Boolean>().Value();
    bool create = info[4].ToBoolean();
    bool allowUnused = info[5].ToBoolean();
    auto result = withHookErrors(
        env, [&] { return torch::autograd::grad(outputs, inputs, gradOutputs, retain, create, allowUnused); });
    auto arr = Napi::Array::New(env, result.size());
    for (size_t i = 0; i < result.size(); ++i) arr.Set(static_cast<uint32_t>(i), wrapTensor(env, result[i]));
    return arr;
  });
}

Napi::Value GetGrad(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "grad", [&]() -> Napi::Value {
    return wrapTensor(info.Env(), table().get(handleOf(info[0], "grad"), "grad").grad());
  });
}

Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "grad", [&]() -> Napi::Value {
    at::Tensor t = table().get(handleOf(info[0], "grad"), "grad");
    if (info[1].IsNull() || info[1].IsUndefined()) t.mutable_grad() = at::Tensor();
    else t.mutable_grad() = table().get(handleOf(info[1], "grad"), "grad");
    return info.Env().Undefined();
  });
}

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "requiresGrad_", [&]() -> Napi::Value {
    at::Tensor t = table().get(handleOf(info[0], "requiresGrad_"), "requiresGrad_");
    t.requires_grad_(info[1].ToBoolean());
    return info.Env().Undefined();
  });
}

Napi::Value RetainGrad(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "retainGrad", [&]() -> Napi::Value {
    table().get(handleOf(info[0], "retainGrad"), "retainGrad").retain_grad();
    return info.Env().Undefined();
  });
}

Napi::Value GradFn(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "gradFn", [&]() -> Napi::Value {
    const auto& fn = table().get(handleOf(info[0], "gradFn"), "gradFn").grad_fn();
    if (!fn) return info.Env().Null();
    return Napi::String::New(info.Env(), fn->name());
  });
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  at::GradMode::set_enabled(info[0].ToBoolean());
  return info.Env().Undefined();
}

}  // namespace

void registerAutogradFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("backward", Napi::Function::New(env, Backward));
  exports.Set("autogradGrad", Napi::Function::New(env, Grad));
  exports.Set("getGrad", Napi::Function::New(env, GetGrad));
  exports.Set("setGrad", Napi::Function::New(env, SetGrad));
  exports.Set("setRequiresGrad", Napi::Function::New(env, SetRequiresGrad));
  exports.Set("retainGrad", Napi::Function::New(env, RetainGrad));
  exports.Set("gradFn", Napi::Function::New(env, GradFn));
  exports.Set("isGradEnabled", Napi::Function::New(env, IsGradEnabled));
  exports.Set("setGradEnabled", Napi::Function::New(env, SetGradEnabled));
}

}  // namespace skcdf
