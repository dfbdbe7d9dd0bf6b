// Autograd hooks that call JavaScript: tensor hooks (Tensor.registerHook) and the identity node that
// module backward hooks are built on. Hooks run inside the autograd engine; a JS exception a hook
// throws is kept here and rethrown, as itself, by the backward/grad entry point that ran the engine.
#pragma once

#include "common.h"

namespace skcdf {

void registerHookFunctions(Napi::Env env, Napi::Object exports);

// Forgets a JS exception left by an earlier backward (call before running the engine).
void clearHookError();
// Throws the JS exception a hook threw during the last engine run, if any (call when the engine threw).
void rethrowHookError(Napi::Env env);

// Runs an autograd engine call; an exception a JS hook threw inside it comes out as that JS exception.
template <class F>
auto withHookErrors(Napi::Env env, F body) -> decltype(body()) {
  clearHookError();
  try {
    return body();
  } catch (...) {
    rethrowHookError(env);
    throw;
  }
}

}  // namespace skcdf
