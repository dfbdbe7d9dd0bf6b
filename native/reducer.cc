// DistributedDataParallel's engine: libtorch's own c10d::Reducer. It registers post-hooks on the
// parameters' gradient accumulators, copies each gradient into its bucket as autograd produces it,
// and launches the bucket's allreduce while backward continues; the engine's final callback waits
// for the buckets and writes the averaged gradients back. We drive it as Python's DDP does:
// prepareForForward before a forward, prepareForBackward after it.
#include "distributed.h"

#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/logger.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>

#include <algorithm>
#include <map>
#endif

namespace skcdf {

namespace {

#ifdef USE_C10D_GLOO

struct ReducerEntry {
  std::shared_ptr<c10d::Reducer> reducer;
  // The reducer reports some conditions through its logger and dereferences it unchecked.
  std::shared_ptr<c10d::Logger> logger;
  // Outputs of every forward since the last backward: with findUnusedParameters the graph search
  // must start from all of them (SKCDF runs a labeled and an unlabeled forward before one backward).
  std::vector<at::Tensor> outputs;
};

std::map<int32_t, ReducerEntry>& reducers() {
  static std::map<int32_t, ReducerEntry> r;
  return r;
}
int32_t nextReducer = 1;

ReducerEntry& entryOf(const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected a reducer id");
  auto it = reducers().find(v.As<Napi::Number>().Int32Value());
  if (it == reducers().end()) throw Napi::Error::New(v.Env(), std::string(what) + ": the DistributedDataParallel reducer was disposed");
  return it->second;
}
c10d::Reducer& reducerOf(const Napi::Value& v, const char* what) { return *entryOf(v, what).reducer; }

std::vector<at::Tensor> tensors(const Napi::Value& v, const char* what) {
  std::vector<at::Tensor> out;
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected an array of tensors");
  auto arr = v.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); ++i) out.push_back(table().get(handleOf(arr.Get(i), what), what));
  return out;
}

// reducerCreate(pg, params[], names[], bucketCapBytes, firstBucketBytes, findUnusedParameters) -> {id, buckets}
Napi::Value ReducerCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "DistributedDataParallel", [&]() -> Napi::Value {
    auto pg = processGroupOf(info[0], "DistributedDataParallel");
    auto params = tensors(info[1], "DistributedDataParallel: parameters");
    TORCH_CHECK(!params.empty(), "the module has no parameters that require grad");
    std::unordered_map<size_t, std::string> names;
    if (info[2].IsArray()) {
      auto arr = info[2].As<Napi::Array>();
      for (uint32_t i = 0; i < arr.Length(); ++i) names[i] = arr.Get(i).ToString().Utf8Value();
    }
    auto cap = static_cast<int64_t>(info[3].As<Napi::Number>().Int64Value());
    auto first = static_cast<int64_t>(info[4].As<Napi::Number>().Int64Value());
    bool findUnused = info[5].ToBoolean();
    std::vector<bool> sparse(params.size(), false);
    auto [indices, limits] = c10d::compute_bucket_assignment_by_size(params, {static_cast<size_t>(first), static_cast<size_t>(cap)}, sparse);
    // Buckets are filled in parameter order; backward produces gradients roughly in reverse, so the
    // reducer gets the buckets reversed (as Python's DDP passes them).
    std::reverse(indices.begin(), indices.end());
    auto reducer = std::make_shared<c10d::Reducer>(params, indices, pg, sparse, cap, findUnused, /*gradient_as_bucket_view=*/false,
                                                   names, first, /*skip_all_reduce_unused_params=*/false,
                                                   /*use_python_reducer=*/false, std::vector<int64_t>{first, cap});
    auto logger = std::make_shared<c10d::Logger>(reducer);
    reducer->set_logger(logger);
    int32_t id = nextReducer++;
    reducers()[id] = ReducerEntry{reducer, logger, {}};
    auto o = Napi::Object::New(env);
    o.Set("id", id);
    auto buckets = Napi::Array::New(env, indices.size());
    for (size_t b = 0; b < indices.size(); ++b) {
      auto bucket = Napi::Array::New(env, indices[b].size());
      for (size_t i = 0; i < indices[b].size(); ++i) bucket.Set(static_cast<uint32_t>(i), static_cast<double>(indices[b][i]));
      buckets.Set(static_cast<uint32_t>(b), bucket);
    }
    o.Set("buckets", buckets);
    return o;
  });
}

Napi::Value ReducerPrepareForward(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "DistributedDataParallel.forward", [&]() -> Napi::Value {
    reducerOf(info[0], "DistributedDataParallel.forward").prepare_for_forward();
    return info.Env().Undefined();
  });
}

// reducerPrepareBackward(id, outputs[], newIteration): with findUnusedParameters, parameters not
// reachable from the outputs of this iteration's forwards are marked ready (reduced as zeros, their
// grad left untouched). `newIteration` (a backward ran since the last forward) drops older outputs.
Napi::Value ReducerPrepareBackward(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "DistributedDataParallel.forward", [&]() -> Napi::Value {
    auto& e = entryOf(info[0], "DistributedDataParallel.forward");
    if (info[2].ToBoolean()) e.outputs.clear();
    for (auto& t : tensors(info[1], "DistributedDataParallel.forward: outputs")) e.outputs.push_back(t);
    e.reducer->prepare_for_backward(e.outputs);
    return info.Env().Undefined();
  });
}

Napi::Value ReducerSetStaticGraph(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "DistributedDataParallel", [&]() -> Napi::Value {
    reducerOf(info[0], "DistributedDataParallel").set_static_graph();
    return info.Env().Undefined();
  });
}

Napi::Value ReducerDestroy(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "DistributedDataParallel.dispose", [&]() -> Napi::Value {
    if (info[0].IsNumber()) reducers().erase(info[0].As<Napi::Number>().Int32Value());
    return info.Env().Undefined();
  });
}

#else

Napi::Value Unavailable(const Napi::CallbackInfo& info) {
  throw Napi::Error::New(info.Env(), std::string("DistributedDataParallel: ") + distributedUnavailableReason());
}

#endif

}  // namespace

void registerReducerFunctions(Napi::Env env, Napi::Object exports) {
  const char* names[] = {"ddpReducerCreate", "ddpReducerPrepareForward", "ddpReducerPrepareBackward", "ddpReducerSetStaticGraph",
                         "ddpReducerDestroy"};
#ifdef USE_C10D_GLOO
  Napi::Value (*fns[])(const Napi::CallbackInfo&) = {ReducerCreate, ReducerPrepareForward, ReducerPrepareBackward, ReducerSetStaticGraph,
                                                     ReducerDestroy};
  for (size_t i = 0; i < std::size(names); ++i) exports.Set(names[i], Napi::Function::New(env, fns[i]));
#else
  for (const char* n : names) exports.Set(n, Napi::Function::New(env, Unavailable));
#endif
}

}  // namespace skcdf
