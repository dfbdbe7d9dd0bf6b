// torch.distributed on libtorch's c10d: TCPStore, ProcessGroupGloo (wrapped in a c10d::ProcessGroup,
// as Python's distributed_c10d does), and the collectives. Each collective has a sync form (waits
// on the Work on this thread) and an async form (a Promise resolved from the Work's future through
// a thread-safe function, so the event loop never blocks). A separate translation unit because the
// c10d and Gloo headers are heavy and only present when libgloo-dev is installed.
#include "distributed.h"

#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <ATen/ATen.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>
#include <thread>
#endif

namespace skcdf {

const char* distributedUnavailableReason() {
#ifdef USE_C10D_GLOO
  return "";
#else
  return "this build of skcdf has no distributed support: Gloo's headers (Debian/Ubuntu package libgloo-dev) "
         "were missing when the native addon was built; install them (apt-get install libgloo-dev) and run "
         "`npm run build:native`";
#endif
}

namespace {

Napi::Value Available(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto o = Napi::Object::New(env);
#ifdef USE_C10D_GLOO
  o.Set("gloo", true);
#else
  o.Set("gloo", false);
#endif
#ifdef USE_C10D_NCCL
  o.Set("nccl", true);
#else
  o.Set("nccl", false);
#endif
  const char* why = distributedUnavailableReason();
  o.Set("reason", *why ? Napi::Value(Napi::String::New(env, why)) : env.Null());
  return o;
}

#ifdef USE_C10D_GLOO

std::map<int32_t, c10::intrusive_ptr<c10d::Store>>& stores() {
  static std::map<int32_t, c10::intrusive_ptr<c10d::Store>> s;
  return s;
}
struct GroupEntry {
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
  int64_t timeoutMs;
};
std::map<int32_t, GroupEntry>& groups() {
  static std::map<int32_t, GroupEntry> g;
  return g;
}
int32_t nextId = 1;

int64_t intArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(what) + ": expected a number");
  return info[i].As<Napi::Number>().Int64Value();
}

c10::intrusive_ptr<c10d::Store> storeOf(const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected a store id");
  auto it = stores().find(v.As<Napi::Number>().Int32Value());
  if (it == stores().end()) throw Napi::Error::New(v.Env(), std::string(what) + ": the store was destroyed or never created");
  return it->second;
}

GroupEntry& groupOf(const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected a process group id");
  auto it = groups().find(v.As<Napi::Number>().Int32Value());
  if (it == groups().end()) {
    throw Napi::Error::New(v.Env(), std::string(what) + ": the process group was destroyed (destroyProcessGroup) or never created");
  }
  return it->second;
}

// storeCreate(host, port, isServer, worldSize, timeoutMs) -> id. Blocks until connected (clients
// retry until the timeout), as Python's TCPStore constructor does.
Napi::Value StoreCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "TCPStore", [&]() -> Napi::Value {
    if (!info[0].IsString()) throw Napi::TypeError::New(env, "TCPStore: host must be a string");
    std::string host = info[0].As<Napi::String>().Utf8Value();
    int64_t port = intArg(info, 1, "TCPStore: port");
    if (port < 0 || port > 65535) throw Napi::RangeError::New(env, "TCPStore: port must be in 0..65535, got " + std::to_string(port));
    c10d::TCPStoreOptions opts;
    opts.port = static_cast<uint16_t>(port);
    opts.isServer = info[2].ToBoolean();
    int64_t world = intArg(info, 3, "TCPStore: worldSize");
    if (world > 0) opts.numWorkers = static_cast<size_t>(world);
    opts.waitWorkers = true;
    opts.timeout = std::chrono::milliseconds(intArg(info, 4, "TCPStore: timeoutMs"));
    // Python's rendezvous handlers create the store multi-tenant: several groups may share a port.
    opts.multiTenant = true;
    auto store = c10::make_intrusive<c10d::TCPStore>(host, opts);
    int32_t id = nextId++;
    stores()[id] = store;
    auto o = Napi::Object::New(env);
    o.Set("id", id);
    o.Set("port", static_cast<double>(store->getPort()));
    return o;
  });
}

Napi::Value StoreSet(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "TCPStore.set", [&]() -> Napi::Value {
    auto store = storeOf(info[0], "TCPStore.set");
    std::string key = info[1].ToString().Utf8Value(), value = info[2].ToString().Utf8Value();
    store->set(key, std::vector<uint8_t>(value.begin(), value.end()));
    return info.Env().Undefined();
  });
}

Napi::Value StoreGet(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "TCPStore.get", [&]() -> Napi::Value {
    auto store = storeOf(info[0], "TCPStore.get");
    auto v = store->get(info[1].ToString().Utf8Value());
    return Napi::String::New(info.Env(), std::string(v.begin(), v.end()));
  });
}

Napi::Value StoreAdd(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "TCPStore.add", [&]() -> Napi::Value {
    auto store = storeOf(info[0], "TCPStore.add");
    return Napi::Number::New(info.Env(), static_cast<double>(store->add(info[1].ToString().Utf8Value(), intArg(info, 2, "TCPStore.add: amount"))));
  });
}

Napi::Value StoreDestroy(const Napi::CallbackInfo& info) {
  if (info[0].IsNumber()) stores().erase(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

// Gloo transport devices the way Python's ProcessGroupGloo constructor picks them: one per
// interface in GLOO_SOCKET_IFNAME, else the default (this host's address, or loopback).
std::vector<std::shared_ptr<::gloo::transport::Device>> glooDevices() {
  std::vector<std::shared_ptr<::gloo::transport::Device>> devices;
  if (const char* names = std::getenv("GLOO_SOCKET_IFNAME"); names && *names) {
    std::stringstream ss(names);
    std::string name;
    while (std::getline(ss, name, ',')) {
      if (!name.empty()) devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
    }
  }
  if (devices.empty()) devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  return devices;
}

// groupCreate(storeId, backend, rank, worldSize, timeoutMs, groupName) -> id. The store prefixes
// are Python's (default_pg / <group name>/ / cpu/), so a TypeScript rank and a Python rank meet in
// one group. Blocks for Gloo's full-mesh rendezvous.
Napi::Value GroupCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "initProcessGroup", [&]() -> Napi::Value {
    auto base = storeOf(info[0], "initProcessGroup");
    std::string backendName = info[1].ToString().Utf8Value();
    int64_t rank = intArg(info, 2, "initProcessGroup: rank");
    int64_t size = intArg(info, 3, "initProcessGroup: worldSize");
    int64_t timeoutMs = intArg(info, 4, "initProcessGroup: timeoutMs");
    std::string groupName = info[5].IsString() ? info[5].As<Napi::String>().Utf8Value() : "0";
    if (size < 1) throw Napi::RangeError::New(env, "initProcessGroup: worldSize must be >= 1, got " + std::to_string(size));
    if (rank < 0 || rank >= size) {
      throw Napi::RangeError::New(env, "initProcessGroup: rank must be in [0, " + std::to_string(size) + "), got " + std::to_string(rank));
    }
    if (backendName != "gloo") {
      throw Napi::Error::New(env, "initProcessGroup: backend '" + backendName + "' is not available in this build (available: gloo)");
    }
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>(groupName + "/", c10::make_intrusive<c10d::PrefixStore>("default_pg", base));
    auto pg = c10::make_intrusive<c10d::ProcessGroup>(prefixed, static_cast<int>(rank), static_cast<int>(size));
    auto opts = c10d::ProcessGroupGloo::Options::create(std::chrono::milliseconds(timeoutMs));
    opts->devices = glooDevices();
    auto backend = c10::make_intrusive<c10d::ProcessGroupGloo>(
        c10::make_intrusive<c10d::PrefixStore>("cpu/", prefixed), static_cast<int>(rank), static_cast<int>(size), opts);
    pg->setDefaultBackend(c10d::ProcessGroup::BackendType::GLOO);
    // Gloo serves CPU tensors and CUDA tensors (staged through host memory), as in Python.
    pg->setBackend(c10::DeviceType::CPU, c10d::ProcessGroup::BackendType::GLOO, backend);
    pg->setBackend(c10::DeviceType::CUDA, c10d::ProcessGroup::BackendType::GLOO, backend);
    pg->setGroupName(groupName);
    int32_t id = nextId++;
    groups()[id] = GroupEntry{pg, timeoutMs};
    return Napi::Number::New(env, id);
  });
}

Napi::Value GroupDestroy(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "destroyProcessGroup", [&]() -> Napi::Value {
    if (!info[0].IsNumber()) return info.Env().Undefined();
    auto it = groups().find(info[0].As<Napi::Number>().Int32Value());
    if (it == groups().end()) return info.Env().Undefined();
    auto pg = it->second.pg;
    groups().erase(it);
    pg->shutdown();
    return info.Env().Undefined();
  });
}

// ---- collectives ----

// What a collective leaves to do on the JS thread once its Work completes: copy results back
// into non-contiguous originals, divide for 'avg' where the backend has only 'sum'.
struct Pending {
  std::string name;
  c10::intrusive_ptr<c10d::Work> work;
  std::vector<std::function<void()>> after;
  std::unique_ptr<Napi::Promise::Deferred> deferred;
  std::string error;
};

std::string workError(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const c10::Error& err) {
    return err.what_without_backtrace();
  } catch (const std::exception& err) {
    return err.what();
  } catch (...) {
    return "unknown error";
  }
}

void runAfter(Pending& p) {
  for (auto& f : p.after) f();
}

// Completes a collective: waits (sync) or returns a Promise settled when c10d's Work completes.
Napi::Value finish(Napi::Env env, std::unique_ptr<Pending> p, bool async) {
  if (!async) {
    try {
      p->work->wait();
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, p->name + ": " + workError(std::current_exception()));
    }
    runAfter(*p);
    return env.Undefined();
  }
  p->deferred = std::make_unique<Napi::Promise::Deferred>(env);
  Napi::Promise promise = p->deferred->Promise();
  auto tsfn = Napi::ThreadSafeFunction::New(env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}), "skcdf.distributed", 0, 1);
  // Settles the promise on the JS thread.
  auto settle = [tsfn](Pending* raw) mutable {
    tsfn.NonBlockingCall(raw, [](Napi::Env env, Napi::Function, Pending* q) {
      std::unique_ptr<Pending> own(q);
      if (!q->error.empty()) {
        q->deferred->Reject(Napi::Error::New(env, q->name + ": " + q->error).Value());
        return;
      }
      try {
        runAfter(*q);
        q->deferred->Resolve(env.Undefined());
      } catch (const std::exception& e) {
        q->deferred->Reject(Napi::Error::New(env, q->name + ": " + e.what()).Value());
      }
    });
    tsfn.Release();
  };
  c10::intrusive_ptr<c10::ivalue::Future> future;
  try {
    future = p->work->getFuture();
  } catch (const c10::Error&) {
    // Some Gloo works (reduce_scatter) have no future: a helper thread waits for them instead.
  }
  Pending* raw = p.release();
  if (future) {
    future->addCallback([settle, raw](c10::ivalue::Future& f) mutable {
      if (f.hasError()) raw->error = f.tryRetrieveErrorMessage();
      settle(raw);
    });
  } else {
    std::thread([settle, raw]() mutable {
      try {
        raw->work->wait();
      } catch (...) {
        raw->error = workError(std::current_exception());
      }
      settle(raw);
    }).detach();
  }
  return promise;
}

const at::Tensor& tensorArg(const Napi::Value& v, const char* what) { return table().get(handleOf(v, what), what); }

std::vector<at::Tensor> tensorListArg(const Napi::Value& v, const char* what) {
  std::vector<at::Tensor> out;
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), std::string(what) + ": expected an array of tensors");
  auto arr = v.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); ++i) out.push_back(tensorArg(arr.Get(i), what));
  return out;
}

// A contiguous tensor to hand to the backend; when `t` is not contiguous, a copy, and (for
// outputs) a copy back into `t` after completion.
at::Tensor dense(const at::Tensor& t, Pending& p, bool output) {
  if (t.is_contiguous()) return t;
  at::Tensor c = t.contiguous();
  if (output) p.after.push_back([t, c]() mutable { t.copy_(c); });
  return c;
}

c10d::ReduceOp reduceOpArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  int64_t op = intArg(info, i, what);
  switch (op) {
    case c10d::ReduceOp::SUM: case c10d::ReduceOp::AVG: case c10d::ReduceOp::PRODUCT:
    case c10d::ReduceOp::MIN: case c10d::ReduceOp::MAX:
      return c10d::ReduceOp(static_cast<c10d::ReduceOp::RedOpType>(op));
    default:
      throw Napi::RangeError::New(info.Env(), std::string(what) + ": unknown reduce op " + std::to_string(op));
  }
}

bool glooBackend(const c10::intrusive_ptr<c10d::ProcessGroup>& pg) {
  return pg->getBackendType() == c10d::ProcessGroup::BackendType::GLOO;
}

// Gloo has no AVG: sum, then divide by the world size once the sum has arrived.
c10d::ReduceOp avgAsSum(c10d::ReduceOp op, const c10::intrusive_ptr<c10d::ProcessGroup>& pg, const std::vector<at::Tensor>& results,
                        Pending& p) {
  if (op.op_ != c10d::ReduceOp::AVG || !glooBackend(pg)) return op;
  for (const auto& t : results) {
    TORCH_CHECK(at::isFloatingType(t.scalar_type()) || at::isComplexType(t.scalar_type()),
                "op 'avg' needs floating-point tensors, got ", t.scalar_type());
  }
  int size = pg->getSize();
  p.after.push_back([results, size]() { for (auto t : results) t.div_(size); });
  return c10d::ReduceOp(c10d::ReduceOp::SUM);
}

std::unique_ptr<Pending> pending(const char* name) {
  auto p = std::make_unique<Pending>();
  p->name = name;
  return p;
}

// allReduce(pg, tensors[], op, async)
Napi::Value AllReduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "allReduce", [&]() -> Napi::Value {
    auto pg = groupOf(info[0], "allReduce").pg;
    auto p = pending("allReduce");
    auto originals = tensorListArg(info[1], "allReduce");
    std::vector<at::Tensor> tensors;
    for (const auto& t : originals) tensors.push_back(dense(t, *p, true));
    c10d::AllreduceOptions opts;
    opts.reduceOp = avgAsSum(reduceOpArg(info, 2, "allReduce: op"), pg, originals, *p);
    // The divide for avg must follow the copy back into non-contiguous originals.
    p->work = pg->allreduce(tensors, opts);
    return finish(env, std::move(p), info[3].ToBoolean());
  });
}

// broadcast(pg, tensor, src, async)
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "broadcast", [&]() -> Napi::Value {
    auto pg = groupOf(info[0], "broadcast").pg;
    auto p = pending("broadcast");
    std::vector<at::Tensor> tensors{dense(tensorArg(info[1], "broadcast"), *p, true)};
    c10d::BroadcastOptions opts;
    opts.rootRank = intArg(info, 2, "broadcast: src");
    TORCH_CHECK(opts.rootRank >= 0 && opts.rootRank < pg->getSize(), "src must be in [0, ", pg->getSize(), "), got ", opts.rootRank);
    p->work = pg->broadcast(tensors, opts);
    return finish(env, std::move(p), info[3].ToBoolean());
  });
}

// allGather(pg, outputs[], input, async)
Napi::Value AllGather(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "allGather", [&]() -> Napi::Value {
    auto pg = groupOf(info[0], "allGather").pg;
    auto p = pending("allGather");
    std::vector<std::vector<at::Tensor>> outputs(1);
    for (const auto& t : tensorListArg(info[1], "allGather: outputs")) outputs[0].push_back(dense(t, *p, true));
    TORCH_CHECK(static_cast<int>(outputs[0].size()) == pg->getSize(), "expected ", pg->getSize(), " output tensors (one per rank), got ",
                outputs[0].size());
    std::vector<at::Tensor> inputs{dense(tensorArg(info[2], "allGather: input"), *p, false)};
    p->work = pg->allgather(outputs, inputs);
    return finish(env, std::move(p), info[3].ToBoolean());
  });
}

// reduceScatter(pg, output, inputs[], op, async)
Napi::Value ReduceScatter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "reduceScatter", [&]() -> Napi::Value {
    auto pg = groupOf(info[0], "reduceScatter").pg;
    auto p = pending("reduceScatter");
    at::Tensor original = tensorArg(info[1], "reduceScatter: output");
    std::vector<at::Tensor> outputs{dense(original, *p, true)};
    std::vector<std::vector<at::Tensor>> inputs(1);
    for (const auto& t : tensorListArg(info[2], "reduceScatter: inputs")) inputs[0].push_back(dense(t, *p, false));
    TORCH_CHECK(static_cast<int>(inputs[0].size()) == pg->getSize(), "expected ", pg->getSize(), " input tensors (one per rank), got ",
                inputs[0].size());
    c10d::ReduceScatterOptions opts;
    opts.reduceOp = avgAsSum(reduceOpArg(info, 3, "reduceScatter: op"), pg, {original}, *p);
    p->work = pg->reduce_scatter(outputs, inputs, opts);
    return finish(env, std::move(p), info[4].ToBoolean());
  });
}

// gather(pg, outputs[] (dst only, else empty), input, dst, async)
Napi::Value Gather(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "gather", [&]() -> Napi::Value {
    auto pg = groupOf(info[0], "gather").pg;
    auto p = pending("gather");
    c10d::GatherOptions opts;
    opts.rootRank = intArg(info, 3, "gather: dst");
    TORCH_CHECK(opts.rootRank >= 0 && opts.rootRank < pg->getSize(), "dst must be in [0, ", pg->getSize(), "), got ", opts.rootRank);
    std::vector<std::vector<at::Tensor>> outputs;
    if (pg->getRank() == opts.rootRank) {
      outputs.emplace_back();
      for (const auto& t : tensorListArg(info[1], "gather: outputs")) outputs[0].push_back(dense(t, *p, true));
      TORCH_CHECK(static_cast<int>(outputs[0].size()) == pg->getSize(), "the destination rank needs ", pg->getSize(),
                  " output tensors (one per rank), got ", outputs[0].size());
    }
    std::vector<at::Tensor> inputs{dense(tensorArg(info[2], "gather: input"), *p, false)};
    p->work = pg->gather(outputs, inputs, opts);
    return finish(env, std::move(p), info[4].ToBoolean());
  });
}

// scatter(pg, output, inputs[] (src only, else empty), src, async)
Napi::Value Scatter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "scatter", [&]() -> Napi::Value {
    auto pg = groupOf(info[0], "scatter").pg;
    auto p = pending("scatter");
    c10d::ScatterOptions opts;
    opts.rootRank = intArg(info, 3, "scatter: src");
    TORCH_CHECK(opts.rootRank >= 0 && opts.rootRank < pg->getSize(), "src must be in [0, ", pg->getSize(), "), got ", opts.rootRank);
    std::vector<at::Tensor> outputs{dense(tensorArg(info[1], "scatter: output"), *p, true)};
    std::vector<std::vector<at::Tensor>> inputs;
    if (pg->getRank() == opts.rootRank) {
      inputs.emplace_back();
      for (const auto& t : tensorListArg(info[2], "scatter: inputs")) inputs[0].push_back(dense(t, *p, false));
      TORCH_CHECK(static_cast<int>(inputs[0].size()) == pg->getSize(), "the source rank needs ", pg->getSize(),
                  " input tensors (one per rank), got ", inputs[0].size());
    }
    p->work = pg->scatter(outputs, inputs, opts);
    return finish(env, std::move(p), info[4].ToBoolean());
  });
}

// barrier(pg, async)
Napi::Value Barrier(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, "barrier", [&]() -> Napi::Value {
    auto pg = groupOf(info[0], "barrier").pg;
    auto p = pending("barrier");
    p->work = pg->barrier();
    return finish(env, std::move(p), info[1].ToBoolean());
  });
}

#else

Napi::Value Unavailable(const Napi::CallbackInfo& info) {
  throw Napi::Error::New(info.Env(), std::string("torch.distributed: ") + distributedUnavailableReason());
}

#endif

}  // namespace

#ifdef USE_C10D_GLOO
c10::intrusive_ptr<c10d::ProcessGroup> processGroupOf(const Napi::Value& v, const char* what) { return groupOf(v, what).pg; }
#endif

void registerDistributedFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("distAvailable", Napi::Function::New(env, Available));
  const char* names[] = {"distStoreCreate", "distStoreSet", "distStoreGet", "distStoreAdd", "distStoreDestroy", "distGroupCreate",
                         "distGroupDestroy", "distAllReduce", "distBroadcast", "distAllGather", "distReduceScatter", "distGather",
                         "distScatter", "distBarrier"};
#ifdef USE_C10D_GLOO
  Napi::Value (*fns[])(const Napi::CallbackInfo&) = {StoreCreate, StoreSet, StoreGet, StoreAdd, StoreDestroy, GroupCreate,
                                                     GroupDestroy, AllReduce, Broadcast, AllGather, ReduceScatter, Gather,
                                                     Scatter, Barrier};
  for (size_t i = 0; i < std::size(names); ++i) exports.Set(names[i], Napi::Function::New(env, fns[i]));
#else
  for (const char* n : names) exports.Set(n, Napi::Function::New(env, Unavailable));
#endif
  registerReducerFunctions(env, exports);
}

}  // namespace skcdf
