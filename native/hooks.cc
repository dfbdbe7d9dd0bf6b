// Autograd hooks that call JavaScript.
//
// Tensor hooks are libtorch's own (`Tensor::register_hook` / `remove_hook`); module backward hooks
// are built on HookIdentity, a node that passes gradients through unchanged and carries a pre-hook
// (the module's outputs) or a post-hook (its inputs), as PyTorch's BackwardHookFunction does.
//
// Threading: the engine runs a CPU graph's nodes on the thread that called backward, the JS thread,
// so a hook calls its function synchronously. A CUDA node runs on a device thread, where JS cannot
// be called: the hook then raises a C++ error, which the engine carries back to backward().
//
// Lifetime: a hook's JS function is held by a napi_ref that lives as long as the hook: removing the
// hook or freeing the tensor (or graph) that holds it deletes the reference. A hook destroyed off
// the JS thread queues its reference, deleted on the next hook call on the JS thread.
#include "hooks.h"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

namespace skcdf {

namespace {

using torch::autograd::variable_list;

napi_env jsEnv = nullptr;
std::thread::id jsThread;
std::atomic<bool> envAlive{false};
std::atomic<int64_t> liveCallbacks{0};
std::mutex orphanMutex;
std::vector<napi_ref> orphans;         // references dropped off the JS thread
Napi::Error* pendingError = nullptr;  // what a hook threw during the current engine run (JS thread only)

bool onJsThread() { return std::this_thread::get_id() == jsThread; }

void deleteRef(napi_ref ref) {
  napi_delete_reference(jsEnv, ref);
  --liveCallbacks;
}

void drainOrphans() {
  std::vector<napi_ref> batch;
  {
    std::lock_guard<std::mutex> lock(orphanMutex);
    batch.swap(orphans);
  }
  if (envAlive.load())
    for (napi_ref r : batch) deleteRef(r);
}

void forgetTensorHook(int32_t id);

// A JS function called from autograd hooks.
class JsCallback {
 public:
  JsCallback(Napi::Function fn, std::string what, int32_t tensorHookId = 0)
      : what_(std::move(what)), tensorHookId_(tensorHookId) {
    if (napi_create_reference(fn.Env(), fn, 1, &ref_) != napi_ok) throw Napi::Error::New(fn.Env());
    ++liveCallbacks;
  }
  JsCallback(const JsCallback&) = delete;
  JsCallback& operator=(const JsCallback&) = delete;
  ~JsCallback() {
    if (tensorHookId_) forgetTensorHook(tensorHookId_);
    release();
  }

  // Drops the JS function (a removed hook): later calls do nothing.
  void release() {
    napi_ref ref = std::exchange(ref_, nullptr);
    if (!ref || !envAlive.load()) return;  // after teardown the environment has freed its references
    if (onJsThread()) {
      deleteRef(ref);
    } else {
      std::lock_guard<std::mutex> lock(orphanMutex);
      orphans.push_back(ref);
    }
  }

  // Calls the function with the argument `arg` makes, passing its result to `read`. A JS exception
  // (from the function or from `read`) is kept for rethrowHookError and raised here as a C++ error.
  void call(const std::function<napi_value(Napi::Env)>& arg, const std::function<void(Napi::Value)>& read) {
    if (!ref_) return;  // removed
    TORCH_CHECK(onJsThread(), what_,
                ": hooks on CUDA tensors are not supported yet (the autograd engine runs CUDA nodes on a "
                "device thread, where JavaScript cannot be called); hook a CPU tensor, or read the "
                "gradient after backward");
    if (!envAlive.load()) return;
    Napi::Env env(jsEnv);
    Napi::HandleScope scope(env);
    napi_value fn;
    if (napi_get_reference_value(jsEnv, ref_, &fn) != napi_ok) throw Napi::Error::New(env);
    try {
      read(Napi::Function(env, fn).Call({arg(env)}));
    } catch (const Napi::Error& e) {
      std::string message = e.Message();
      delete pendingError;
      pendingError = new Napi::Error(e);
      throw std::runtime_error(what_ + ": the hook threw: " + message);
    }
  }

 private:
  std::string what_;
  int32_t tensorHookId_;
  napi_ref ref_ = nullptr;
};

// ---- tensor hooks ----

struct TensorHookRecord {
  c10::weak_intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl> tensor;
  unsigned pos;
  std::weak_ptr<JsCallback> callback;
};
std::mutex tensorHookMutex;
std::unordered_map<int32_t, TensorHookRecord> tensorHooks;
int32_t nextTensorHook = 1;

void forgetTensorHook(int32_t id) {
  std::lock_guard<std::mutex> lock(tensorHookMutex);
  tensorHooks.erase(id);
}

at::Tensor tensorOrUndefined(const Napi::Value& v, const char* what) {
  if (v.IsNull() || v.IsUndefined()) return at::Tensor();
  return table().get(handleOf(v, what), what);
}

// registerTensorHook(tensor, fn: (gradHandle) => handle | null | undefined) -> hook id
Napi::Value RegisterTensorHook(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "registerHook", [&]() -> Napi::Value {
    drainOrphans();
    at::Tensor t = table().get(handleOf(info[0], "registerHook"), "registerHook");
    if (!info[1].IsFunction()) throw Napi::TypeError::New(env, "registerHook: the hook must be a function");
    TORCH_CHECK(t.requires_grad(), "cannot register a hook on a tensor that doesn't require gradient");
    int32_t id = nextTensorHook++;
    auto cb = std::make_shared<JsCallback>(info[1].As<Napi::Function>(), "registerHook", id);
    unsigned pos = t.register_hook([cb](const at::Tensor& grad) -> at::Tensor {
      // The hook may remove itself, which destroys this lambda: keep the callback alive until it returns.
      std::shared_ptr<JsCallback> self = cb;
      at::Tensor replaced;
      self->call([&](Napi::Env e) -> napi_value { return wrapTensor(e, grad); },
               [&](Napi::Value r) { replaced = tensorOrUndefined(r, "registerHook: the hook's result"); });
      return replaced;  // undefined keeps the gradient
    });
    std::lock_guard<std::mutex> lock(tensorHookMutex);
    tensorHooks.emplace(id, TensorHookRecord{c10::weak_intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>(
                                                 t.getIntrusivePtr()),
                                             pos, cb});
    return Napi::Number::New(env, id);
  });
}

// removeTensorHook(id): drops the JS function now and takes the hook off the tensor if it is alive.
Napi::Value RemoveTensorHook(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "RemovableHandle.remove", [&]() -> Napi::Value {
    drainOrphans();
    std::optional<TensorHookRecord> rec;
    {
      std::lock_guard<std::mutex> lock(tensorHookMutex);
      auto it = tensorHooks.find(info[0].ToNumber().Int32Value());
      if (it == tensorHooks.end()) return env.Undefined();  // removed already, or its tensor is gone
      rec.emplace(std::move(it->second));
      tensorHooks.erase(it);
    }
    if (auto cb = rec->callback.lock()) cb->release();
    auto impl = rec->tensor.lock();
    if (impl.defined()) at::Tensor(std::move(impl)).remove_hook(rec->pos);
    return env.Undefined();
  });
}

// hookCallbacks() -> how many JS functions autograd hooks hold (for leak checks).
Napi::Value HookCallbacks(const Napi::CallbackInfo& info) {
  drainDisposed(info.Env());
  drainOrphans();
  return Napi::Number::New(info.Env(), static_cast<double>(liveCallbacks.load()));
}

// ---- module backward hooks ----

// The identity node module backward hooks hang on (PyTorch's BackwardHookFunctionBackward).
// Like a custom Function's backward, it materializes a gradient that did not arrive as zeros.
class HookIdentity : public torch::autograd::Node {
 public:
  variable_list apply(variable_list&& grads) override {
    for (size_t i = 0; i < grads.size() && i < like_.size(); ++i)
      if (!grads[i].defined()) grads[i] = at::zeros(like_[i].first, like_[i].second);
    return std::move(grads);
  }
  std::string name() const override { return "BackwardHookFunctionBackward"; }
  std::vector<std::pair<std::vector<int64_t>, at::TensorOptions>> like_;
};

// Passes a node's gradients to the JS function as an array of handles (null: none); a returned
// array of the same length replaces them, undefined or null keeps them.
variable_list callWithGrads(JsCallback& cb, const variable_list& grads, const std::string& what) {
  variable_list out = grads;
  cb.call(
      [&](Napi::Env env) -> napi_value {
        auto arr = Napi::Array::New(env, grads.size());
        for (size_t i = 0; i < grads.size(); ++i) arr.Set(static_cast<uint32_t>(i), wrapTensor(env, grads[i]));
        return arr;
      },
      [&](Napi::Value r) {
        if (r.IsUndefined() || r.IsNull()) return;
        if (!r.IsArray() || r.As<Napi::Array>().Length() != grads.size())
          throw Napi::TypeError::New(r.Env(), what + ": expected an array of " + std::to_string(grads.size()) +
                                                  " gradients (or undefined) from the hook");
        auto arr = r.As<Napi::Array>();
        for (uint32_t i = 0; i < arr.Length(); ++i) out[i] = tensorOrUndefined(arr.Get(i), what.c_str());
      });
  return out;
}

struct JsPreHook : torch::autograd::FunctionPreHook {
  JsPreHook(std::shared_ptr<JsCallback> cb, std::string what) : cb_(std::move(cb)), what_(std::move(what)) {}
  variable_list operator()(const variable_list& grads) override { return callWithGrads(*cb_, grads, what_); }
  std::shared_ptr<JsCallback> cb_;
  std::string what_;
};

struct JsPostHook : torch::autograd::FunctionPostHook {
  JsPostHook(std::shared_ptr<JsCallback> cb, std::string what) : cb_(std::move(cb)), what_(std::move(what)) {}
  variable_list operator()(const variable_list& gradInputs, const variable_list& /*gradOutputs*/) override {
    return callWithGrads(*cb_, gradInputs, what_);
  }
  std::shared_ptr<JsCallback> cb_;
  std::string what_;
};

// backwardHookNode(tensors[], fn, post, what) -> (handle | null)[]: every tensor through one
// HookIdentity node; those that require grad come back as new tensors whose grad_fn is that node
// (null for the others). `fn` gets the gradients arriving at the node (post false: a pre-hook) or
// leaving it (post true: a post-hook), one per tensor.
Napi::Value BackwardHookNode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string what = info[3].IsString() ? info[3].As<Napi::String>().Utf8Value() : "backward hook";
  return guarded(env, what.c_str(), [&]() -> Napi::Value {
    drainOrphans();
    if (!info[0].IsArray()) throw Napi::TypeError::New(env, what + ": expected an array of tensors");
    if (!info[1].IsFunction()) throw Napi::TypeError::New(env, what + ": the hook must be a function");
    auto arr = info[0].As<Napi::Array>();
    std::vector<at::Tensor> ins;
    for (uint32_t i = 0; i < arr.Length(); ++i) ins.push_back(table().get(handleOf(arr.Get(i), what.c_str()), what.c_str()));
    auto node = c10::make_intrusive<HookIdentity>();
    node->set_next_edges(torch::autograd::collect_next_edges(ins));
    auto out = Napi::Array::New(env, ins.size());
    for (size_t i = 0; i < ins.size(); ++i) {
      node->like_.emplace_back(ins[i].sizes().vec(), ins[i].options());
      if (ins[i].requires_grad()) {
        at::Tensor y = ins[i].detach();
        torch::autograd::create_gradient_edge(y, node);
        out.Set(static_cast<uint32_t>(i), wrapTensor(env, std::move(y)));
      } else {
        node->add_input_metadata(torch::autograd::Node::undefined_input());
        out.Set(static_cast<uint32_t>(i), env.Null());
      }
    }
    auto cb = std::make_shared<JsCallback>(info[1].As<Napi::Function>(), what);
    if (info[2].ToBoolean()) node->add_post_hook(std::make_unique<JsPostHook>(cb, what));
    else node->add_pre_hook(std::make_unique<JsPreHook>(cb, what));
    return out;
  });
}

}  // namespace

void clearHookError() {
  delete pendingError;
  pendingError = nullptr;
}

void rethrowHookError(Napi::Env env) {
  if (!pendingError) return;
  Napi::Error err(std::move(*pendingError));
  clearHookError();
  throw err;
}

void registerHookFunctions(Napi::Env env, Napi::Object exports) {
  jsEnv = env;
  jsThread = std::this_thread::get_id();
  envAlive.store(true);
  napi_add_env_cleanup_hook(
      env,
      [](void*) {
        clearHookError();
        drainOrphans();
        envAlive.store(false);
      },
      nullptr);
  exports.Set("registerTensorHook", Napi::Function::New(env, RegisterTensorHook));
  exports.Set("removeTensorHook", Napi::Function::New(env, RemoveTensorHook));
  exports.Set("hookCallbacks", Napi::Function::New(env, HookCallbacks));
  exports.Set("backwardHookNode", Napi::Function::New(env, BackwardHookNode));
}

}  // namespace skcdf
