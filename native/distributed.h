// Shared pieces of the distributed bindings (distributed.cc: stores, process groups and
// collectives; reducer.cc: DDP's gradient Reducer). Compiled with USE_C10D_GLOO only when
// Gloo's headers were found at build time; without them every entry throws saying why.
#pragma once

#include "common.h"

#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#endif

namespace skcdf {

// Why distributed support is missing from this build (empty when it is present).
const char* distributedUnavailableReason();

#ifdef USE_C10D_GLOO
// The process group behind a JS process-group id; throws a JS Error naming `what` when it is unknown or destroyed.
c10::intrusive_ptr<c10d::ProcessGroup> processGroupOf(const Napi::Value& v, const char* what);
#endif

void registerDistributedFunctions(Napi::Env env, Napi::Object exports);
void registerReducerFunctions(Napi::Env env, Napi::Object exports);

}  // namespace skcdf
