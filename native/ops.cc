// One generic entry for every ATen operator: the schema is looked up once (findOp), then each
// call converts JS arguments by the schema's types into a boxed stack and runs it through
// c10::Dispatcher, so autograd, CUDA and every backend come for free.
#include "common.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>

#include <cmath>

namespace skcdf {

namespace {

enum class Kind : uint8_t {
  Tensor, TensorList, OptTensorList, Int, IntList, Float, FloatList, Bool, BoolList, Scalar,
  ScalarList, ScalarType, Layout, MemoryFormat, Device, String, Generator, Unsupported
};

struct ArgSpec {
  Kind kind;
  bool optional;  // accepts None
  int fixedSize;  // int[3] given as one int expands to 3 copies; 0 when not fixed
  std::optional<c10::IValue> defaultValue;
  std::string name;
};

// Unboxed fast paths for the commonest schema shapes: calling through a typed handle skips
// boxing into IValues (measured ~0.3-0.5 us of a ~1.5 us small op). T = Tensor, S = Scalar.
enum class Fast : uint8_t { None, T, TT, TTS, TS, TSS, TInts, TSymInts, TDtype };
using SigT = at::Tensor(const at::Tensor&);
using SigTT = at::Tensor(const at::Tensor&, const at::Tensor&);
using SigTTS = at::Tensor(const at::Tensor&, const at::Tensor&, const at::Scalar&);
using SigTS = at::Tensor(const at::Tensor&, const at::Scalar&);
using SigTSS = at::Tensor(const at::Tensor&, const at::Scalar&, const at::Scalar&);
using SigTInts = at::Tensor(const at::Tensor&, at::IntArrayRef);
using SigTSymInts = at::Tensor(const at::Tensor&, c10::SymIntArrayRef);
using SigTDtype = at::Tensor(const at::Tensor&, std::optional<at::ScalarType>);

struct OpEntry {
  c10::OperatorHandle handle;
  std::string qualified;  // aten::add.Tensor, used in messages
  std::vector<ArgSpec> args;
  std::vector<bool> returnsWrittenAlias;  // returned value is a mutated argument: JS returns that argument
  Fast fast = Fast::None;
  std::optional<c10::TypedOperatorHandle<SigT>> t;
  std::optional<c10::TypedOperatorHandle<SigTT>> tt;
  std::optional<c10::TypedOperatorHandle<SigTTS>> tts;
  std::optional<c10::TypedOperatorHandle<SigTS>> ts;
  std::optional<c10::TypedOperatorHandle<SigTSS>> tss;
  std::optional<c10::TypedOperatorHandle<SigTInts>> tints;
  std::optional<c10::TypedOperatorHandle<SigTSymInts>> tsymints;
  std::optional<c10::TypedOperatorHandle<SigTDtype>> tdtype;
};

std::vector<OpEntry>& registry() {
  static std::vector<OpEntry> r;
  return r;
}

Kind kindOf(const c10::TypePtr& t) {
  using c10::TypeKind;
  switch (t->kind()) {
    case TypeKind::TensorType: return Kind::Tensor;
    case TypeKind::IntType:
    case TypeKind::SymIntType: return Kind::Int;
    case TypeKind::FloatType:
    case TypeKind::SymFloatType: return Kind::Float;
    case TypeKind::BoolType:
    case TypeKind::SymBoolType: return Kind::Bool;
    case TypeKind::NumberType: return Kind::Scalar;
    case TypeKind::ScalarTypeType: return Kind::ScalarType;
    case TypeKind::LayoutType: return Kind::Layout;
    case TypeKind::MemoryFormatType: return Kind::MemoryFormat;
    case TypeKind::DeviceObjType: return Kind::Device;
    case TypeKind::StringType: return Kind::String;
    case TypeKind::GeneratorType: return Kind::Generator;
    case TypeKind::ListType: {
      const auto& e = t->expectRef<c10::ListType>().getElementType();
      switch (e->kind()) {
        case TypeKind::TensorType: return Kind::TensorList;
        case TypeKind::OptionalType:
          return e->expectRef<c10::OptionalType>().getElementType()->kind() == TypeKind::TensorType
                     ? Kind::OptTensorList
                     : Kind::Unsupported;
        case TypeKind::IntType:
        case TypeKind::SymIntType: return Kind::IntList;
        case TypeKind::FloatType: return Kind::FloatList;
        case TypeKind::BoolType: return Kind::BoolList;
        case TypeKind::NumberType: return Kind::ScalarList;
        default: return Kind::Unsupported;
      }
    }
    default: return Kind::Unsupported;
  }
}

[[noreturn]] void typeError(Napi::Env env, const OpEntry& op, const ArgSpec& a, const char* expected) {
  throw Napi::TypeError::New(env, op.qualified + ": argument '" + a.name + "' expected " + expected);
}

int64_t toInt(Napi::Env env, const Napi::Value& v, const OpEntry& op, const ArgSpec& a) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (d != std::floor(d) || !std::isfinite(d)) typeError(env, op, a, "an integer");
    return static_cast<int64_t>(d);
  }
  if (v.IsBigInt()) {
    bool lossless;
    return v.As<Napi::BigInt>().Int64Value(&lossless);
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  typeError(env, op, a, "an integer");
}

double toFloat(Napi::Env env, const Napi::Value& v, const OpEntry& op, const ArgSpec& a) {
  if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
  if (v.IsBigInt()) {
    bool lossless;
    return static_cast<double>(v.As<Napi::BigInt>().Int64Value(&lossless));
  }
  typeError(env, op, a, "a number");
}

// A Scalar from a JS number: integral values become integer Scalars (as a Python int literal would).
at::Scalar scalarFromDouble(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.007199254740992e15) return at::Scalar(static_cast<int64_t>(d));
  return at::Scalar(d);
}

// JS numbers carry no int/float distinction: integral values become integer Scalars (as a
// Python int literal would), others double Scalars; booleans become bool Scalars.
at::Scalar toScalar(Napi::Env env, const Napi::Value& v, const OpEntry& op, const ArgSpec& a) {
  double d;
  if (napi_get_value_double(env, v, &d) == napi_ok) return scalarFromDouble(d);
  if (v.IsBoolean()) return at::Scalar(v.As<Napi::Boolean>().Value());
  if (v.IsBigInt()) {
    bool lossless;
    return at::Scalar(v.As<Napi::BigInt>().Int64Value(&lossless));
  }
  typeError(env, op, a, "a number or boolean");
}

const at::Tensor& tensorAt(Napi::Env env, int32_t h, const OpEntry& op, const ArgSpec& a) {
  try {
    return table().get(h, "");
  } catch (const std::invalid_argument&) {
    throw Napi::Error::New(env, op.qualified + ": argument '" + a.name + "' is a disposed tensor");
  }
}

const at::Tensor& toTensor(Napi::Env env, const Napi::Value& v, const OpEntry& op, const ArgSpec& a) {
  // One N-API call: napi_get_value_int32 fails for anything that is not a number.
  int32_t h;
  if (napi_get_value_int32(env, v, &h) != napi_ok) typeError(env, op, a, "a Tensor");
  return tensorAt(env, h, op, a);
}

Napi::Array asArray(Napi::Env env, const Napi::Value& v, const OpEntry& op, const ArgSpec& a, const char* expected) {
  if (!v.IsArray()) typeError(env, op, a, expected);
  return v.As<Napi::Array>();
}

c10::IValue convert(Napi::Env env, const Napi::Value& v, const OpEntry& op, const ArgSpec& a) {
  napi_valuetype type;
  napi_typeof(env, v, &type);
  if (type == napi_undefined || type == napi_null) {
    if (type == napi_undefined && a.defaultValue) return *a.defaultValue;
    if (a.optional) return c10::IValue();
    if (a.defaultValue) return *a.defaultValue;
    throw Napi::TypeError::New(env, op.qualified + ": missing required argument '" + a.name + "'");
  }
  switch (a.kind) {
    case Kind::Tensor: return toTensor(env, v, op, a);
    case Kind::TensorList: {
      auto arr = asArray(env, v, op, a, "an array of Tensors");
      c10::List<at::Tensor> list;
      list.reserve(arr.Length());
      for (uint32_t i = 0; i < arr.Length(); ++i) list.push_back(toTensor(env, arr[i], op, a));
      return list;
    }
    case Kind::OptTensorList: {
      auto arr = asArray(env, v, op, a, "an array of Tensors or nulls");
      c10::List<std::optional<at::Tensor>> list;
      list.reserve(arr.Length());
      for (uint32_t i = 0; i < arr.Length(); ++i) {
        Napi::Value e = arr[i];
        if (e.IsNull() || e.IsUndefined()) list.push_back(std::nullopt);
        else list.push_back(toTensor(env, e, op, a));
      }
      return list;
    }
    case Kind::Int: return toInt(env, v, op, a);
    case Kind::IntList: {
      std::vector<int64_t> out;
      if (v.IsNumber() || v.IsBigInt()) {
        out.assign(a.fixedSize > 0 ? a.fixedSize : 1, toInt(env, v, op, a));
      } else {
        auto arr = asArray(env, v, op, a, "an integer or an array of integers");
        out.resize(arr.Length());
        for (uint32_t i = 0; i < arr.Length(); ++i) out[i] = toInt(env, arr[i], op, a);
      }
      return c10::IValue(std::move(out));
    }
    case Kind::Float: return toFloat(env, v, op, a);
    case Kind::FloatList: {
      std::vector<double> out;
      if (v.IsNumber()) {
        out.assign(a.fixedSize > 0 ? a.fixedSize : 1, toFloat(env, v, op, a));
      } else {
        auto arr = asArray(env, v, op, a, "an array of numbers");
        out.resize(arr.Length());
        for (uint32_t i = 0; i < arr.Length(); ++i) out[i] = toFloat(env, arr[i], op, a);
      }
      return c10::IValue(std::move(out));
    }
    case Kind::Bool:
      if (!v.IsBoolean()) typeError(env, op, a, "a boolean");
      return v.As<Napi::Boolean>().Value();
    case Kind::BoolList: {
      auto arr = asArray(env, v, op, a, "an array of booleans");
      c10::List<bool> list;
      for (uint32_t i = 0; i < arr.Length(); ++i) {
        Napi::Value e = arr[i];
        if (!e.IsBoolean()) typeError(env, op, a, "an array of booleans");
        list.push_back(e.As<Napi::Boolean>().Value());
      }
      return list;
    }
    case Kind::Scalar: return toScalar(env, v, op, a);
    case Kind::ScalarList: {
      auto arr = asArray(env, v, op, a, "an array of numbers");
      c10::impl::GenericList list(c10::NumberType::get());
      for (uint32_t i = 0; i < arr.Length(); ++i) list.push_back(c10::IValue(toScalar(env, arr[i], op, a)));
      return list;
    }
    case Kind::ScalarType:
    case Kind::Layout:
    case Kind::MemoryFormat:
      // These travel as integer codes; the JS layer maps names ('float32', 'channelsLast3d') to codes.
      return toInt(env, v, op, a);
    case Kind::Device:
      if (v.IsString()) return deviceFromJs(v, (op.qualified + ": argument '" + a.name + "'").c_str());
      typeError(env, op, a, "a device string such as 'cpu' or 'cuda:0'");
    case Kind::String:
      if (!v.IsString()) typeError(env, op, a, "a string");
      return v.As<Napi::String>().Utf8Value();
    case Kind::Generator: typeError(env, op, a, "null (explicit generators are not supported; use manualSeed)");
    case Kind::Unsupported: break;
  }
  typeError(env, op, a, "a type this binding cannot pass (unsupported schema type)");
}

Napi::Value toJs(Napi::Env env, c10::IValue&& v) {
  if (v.isTensor()) return wrapTensor(env, std::move(v).toTensor());
  if (v.isNone()) return env.Null();
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isSymInt()) return Napi::Number::New(env, static_cast<double>(v.toSymInt().guard_int(__FILE__, __LINE__)));
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isDevice()) return Napi::String::New(env, v.toDevice().str());
  if (v.isScalar()) {
    at::Scalar s = v.toScalar();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    if (s.isIntegral(false)) return Napi::Number::New(env, static_cast<double>(s.toLong()));
    return Napi::Number::New(env, s.toDouble());
  }
  if (v.isTensorList()) {
    auto list = v.toTensorList();
    auto arr = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) arr.Set(static_cast<uint32_t>(i), wrapTensor(env, list.get(i)));
    return arr;
  }
  if (v.isList()) {
    auto list = v.toList();
    auto arr = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) arr.Set(static_cast<uint32_t>(i), toJs(env, c10::IValue(list.get(i))));
    return arr;
  }
  if (v.isTuple()) {
    const auto& elems = v.toTupleRef().elements();
    auto arr = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); ++i) arr.Set(static_cast<uint32_t>(i), toJs(env, c10::IValue(elems[i])));
    return arr;
  }
  throw Napi::TypeError::New(env, "cannot convert a returned " + v.tagKind() + " to JavaScript");
}

void classifyFast(OpEntry& e, const c10::FunctionSchema& schema) {
  if (schema.returns().size() != 1 || schema.returns()[0].real_type()->str() != "Tensor") return;
  if (schema.returns()[0].alias_info() && schema.returns()[0].alias_info()->isWrite()) return;
  std::string sig;
  for (const auto& a : schema.arguments()) {
    if (a.alias_info() && a.alias_info()->isWrite()) return;
    sig += a.real_type()->str() + ",";
  }
  // typed<>() verifies the C++ signature against the schema and throws on a mismatch: keep boxed then.
  try {
    if (sig == "Tensor,") { e.t = e.handle.typed<SigT>(); e.fast = Fast::T; }
    else if (sig == "Tensor,Tensor,") { e.tt = e.handle.typed<SigTT>(); e.fast = Fast::TT; }
    else if (sig == "Tensor,Tensor,Scalar,") { e.tts = e.handle.typed<SigTTS>(); e.fast = Fast::TTS; }
    else if (sig == "Tensor,Scalar,") { e.ts = e.handle.typed<SigTS>(); e.fast = Fast::TS; }
    else if (sig == "Tensor,Scalar,Scalar,") { e.tss = e.handle.typed<SigTSS>(); e.fast = Fast::TSS; }
    else if (sig == "Tensor,int[],") { e.tints = e.handle.typed<SigTInts>(); e.fast = Fast::TInts; }
    else if (sig == "Tensor,SymInt[],") { e.tsymints = e.handle.typed<SigTSymInts>(); e.fast = Fast::TSymInts; }
    else if (sig == "Tensor,ScalarType?,") { e.tdtype = e.handle.typed<SigTDtype>(); e.fast = Fast::TDtype; }
  } catch (const c10::Error&) {
    e.fast = Fast::None;
  }
}

bool isNullish(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t == napi_undefined || t == napi_null;
}

// The unboxed call for entries with a fast path; nullopt (not taken) when an argument needs the
// generic conversion (a missing or null tensor, a list given as one int, ...), which then also
// reports what was wrong. argv[0] is the op id, argv[i + 1] the schema's argument i. One N-API
// call per argument on the common path: the int32 read of a handle fails for anything but a number.
std::optional<at::Tensor> callFast(Napi::Env env, const OpEntry& op, const napi_value* argv, size_t given) {
  const at::Tensor* tensors[2];
  auto tensorsAt = [&](size_t n) {
    for (size_t i = 0; i < n; ++i) {
      int32_t h;
      if (i >= given || napi_get_value_int32(env, argv[i + 1], &h) != napi_ok) return false;
      tensors[i] = &tensorAt(env, h, op, op.args[i]);
    }
    return true;
  };
  // A Scalar argument: a number, or its default when missing, undefined or null; otherwise nullopt.
  auto scalarAt = [&](size_t i) -> std::optional<at::Scalar> {
    if (i < given) {
      double d;
      if (napi_get_value_double(env, argv[i + 1], &d) == napi_ok) return scalarFromDouble(d);
      if (!isNullish(env, argv[i + 1])) return toScalar(env, Napi::Value(env, argv[i + 1]), op, op.args[i]);
    }
    if (!op.args[i].defaultValue) return std::nullopt;
    return op.args[i].defaultValue->toScalar();
  };
  switch (op.fast) {
    case Fast::T:
      if (!tensorsAt(1)) return std::nullopt;
      return op.t->call(*tensors[0]);
    case Fast::TT:
      if (!tensorsAt(2)) return std::nullopt;
      return op.tt->call(*tensors[0], *tensors[1]);
    case Fast::TTS: {
      if (!tensorsAt(2)) return std::nullopt;
      auto s = scalarAt(2);
      if (!s) return std::nullopt;
      return op.tts->call(*tensors[0], *tensors[1], *s);
    }
    case Fast::TS: {
      if (!tensorsAt(1)) return std::nullopt;
      auto s = scalarAt(1);
      if (!s) return std::nullopt;
      return op.ts->call(*tensors[0], *s);
    }
    case Fast::TSS: {
      if (!tensorsAt(1)) return std::nullopt;
      auto s1 = scalarAt(1);
      if (!s1) return std::nullopt;
      auto s2 = scalarAt(2);
      if (!s2) return std::nullopt;
      return op.tss->call(*tensors[0], *s1, *s2);
    }
    case Fast::TInts:
    case Fast::TSymInts: {
      if (given < 2 || !tensorsAt(1)) return std::nullopt;
      bool isArray = false;
      napi_is_array(env, argv[2], &isArray);
      if (!isArray) return std::nullopt;
      uint32_t n = 0;
      napi_get_array_length(env, argv[2], &n);
      if (n > 16) return std::nullopt;
      int64_t dims[16];
      for (uint32_t i = 0; i < n; ++i) {
        napi_value e;
        napi_get_element(env, argv[2], i, &e);
        dims[i] = toInt(env, Napi::Value(env, e), op, op.args[1]);
      }
      c10::IntArrayRef ref(dims, n);
      if (op.fast == Fast::TInts) return op.tints->call(*tensors[0], ref);
      return op.tsymints->call(*tensors[0], c10::fromIntArrayRefSlow(ref));
    }
    case Fast::TDtype: {  // sum, mean, ... with an optional dtype code
      if (!tensorsAt(1)) return std::nullopt;
      std::optional<at::ScalarType> dtype;
      if (given > 1 && !isNullish(env, argv[2])) {
        int32_t code;
        if (napi_get_value_int32(env, argv[2], &code) != napi_ok || code < 0 ||
            code >= static_cast<int32_t>(at::ScalarType::NumOptions)) {
          return std::nullopt;  // the generic conversion reports it
        }
        dtype = static_cast<at::ScalarType>(code);
      }
      return op.tdtype->call(*tensors[0], dtype);
    }
    case Fast::None: break;
  }
  return std::nullopt;
}

// findOp(name, overload) -> op id, or -1 when no such schema exists.
Napi::Value FindOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string overload = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  if (name.find("::") == std::string::npos) name = "aten::" + name;
  auto handle = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!handle) return Napi::Number::New(env, -1);
  const auto& schema = handle->schema();
  OpEntry entry{*handle, overload.empty() ? name : name + "." + overload, {}, {}};
  for (const auto& a : schema.arguments()) {
    c10::TypePtr t = a.real_type();
    bool optional = false;
    if (t->kind() == c10::TypeKind::OptionalType) {
      optional = true;
      t = t->expectRef<c10::OptionalType>().getElementType();
    }
    entry.args.push_back({kindOf(t), optional, a.N() ? *a.N() : 0, a.default_value(), a.name()});
  }
  for (const auto& r : schema.returns()) entry.returnsWrittenAlias.push_back(r.alias_info() && r.alias_info()->isWrite());
  classifyFast(entry, schema);
  registry().push_back(std::move(entry));
  return Napi::Number::New(env, static_cast<double>(registry().size() - 1));
}

// call(opId, ...args): arguments in schema order (kwarg-only ones included); undefined = default.
// A return that aliases a mutated argument comes back as undefined (the JS layer returns the
// argument object itself, so in-place ops create no new handle).
Napi::Value callOp(Napi::Env env, const napi_value* argv, size_t argc) {
  int32_t id;
  if (argc == 0 || napi_get_value_int32(env, argv[0], &id) != napi_ok) throw Napi::TypeError::New(env, "call: expected an op id");
  auto& ops = registry();
  if (id < 0 || static_cast<size_t>(id) >= ops.size()) throw Napi::Error::New(env, "call: unknown op id");
  const OpEntry& op = ops[id];
  size_t given = argc - 1;
  if (given > op.args.size()) {
    throw Napi::TypeError::New(env, op.qualified + ": takes " + std::to_string(op.args.size()) + " arguments, got " +
                                        std::to_string(given));
  }
  if (op.fast != Fast::None) {
    auto result = guarded(env, op.qualified.c_str(), [&] { return callFast(env, op, argv, given); });
    if (result) return wrapTensor(env, std::move(*result));
  }
  torch::jit::Stack stack;
  stack.reserve(std::max(op.args.size(), op.returnsWrittenAlias.size()));
  for (size_t i = 0; i < op.args.size(); ++i) {
    stack.push_back(convert(env, i < given ? Napi::Value(env, argv[i + 1]) : env.Undefined(), op, op.args[i]));
  }
  guarded(env, op.qualified.c_str(), [&] { op.handle.callBoxed(stack); });
  size_t nret = op.returnsWrittenAlias.size();
  if (nret == 0) return env.Undefined();
  if (nret == 1) return op.returnsWrittenAlias[0] ? env.Undefined() : toJs(env, std::move(stack[0]));
  auto arr = Napi::Array::New(env, nret);
  for (size_t i = 0; i < nret; ++i) {
    arr.Set(static_cast<uint32_t>(i), op.returnsWrittenAlias[i] ? env.Undefined() : toJs(env, std::move(stack[i])));
  }
  return arr;
}

// The raw N-API callback of call(): the arguments are read once into a stack array (node-addon-api's
// CallbackInfo would ask for `this` and the data pointer and copy six slots on every op call).
napi_value Call(napi_env env, napi_callback_info cbinfo) {
  constexpr size_t kStackArgs = 8;
  napi_value stackArgs[kStackArgs];
  size_t argc = kStackArgs;
  napi_get_cb_info(env, cbinfo, &argc, stackArgs, nullptr, nullptr);
  std::unique_ptr<napi_value[]> heapArgs;
  const napi_value* argv = stackArgs;
  if (argc > kStackArgs) {
    heapArgs.reset(new napi_value[argc]);
    size_t n = argc;
    napi_get_cb_info(env, cbinfo, &n, heapArgs.get(), nullptr, nullptr);
    argv = heapArgs.get();
  }
  try {
    return callOp(Napi::Env(env), argv, argc);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return nullptr;
  }
}

// callDims(opId, self, d0, ..., dn-1): call(opId, self, [d0, ..., dn-1]) for an op whose arguments are (Tensor, int[])
// (view, reshape, permute, ...), with the list's integers given as arguments: reading them costs one N-API call each,
// where reading a JS array costs several per element. Same results and errors as call().
napi_value CallDims(napi_env env, napi_callback_info cbinfo) {
  constexpr size_t kMaxArgs = 2 + 16;
  napi_value argv[kMaxArgs];
  size_t argc = kMaxArgs;
  napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, nullptr);
  Napi::Env e(env);
  try {
    int32_t id;
    if (argc < 2 || argc > kMaxArgs || napi_get_value_int32(env, argv[0], &id) != napi_ok || id < 0 ||
        static_cast<size_t>(id) >= registry().size()) {
      throw Napi::TypeError::New(e, "callDims: expected an op id, a tensor handle and at most 16 integers");
    }
    const OpEntry& op = registry()[id];
    if (op.args.size() != 2 || op.args[1].kind != Kind::IntList) {
      throw Napi::TypeError::New(e, "callDims: " + op.qualified + " does not take (Tensor, int[])");
    }
    const size_t n = argc - 2;
    if (op.fast == Fast::TInts || op.fast == Fast::TSymInts) {
      int32_t h;
      if (napi_get_value_int32(env, argv[1], &h) == napi_ok) {
        int64_t dims[16];
        for (size_t i = 0; i < n; ++i) dims[i] = toInt(e, Napi::Value(env, argv[i + 2]), op, op.args[1]);
        const at::Tensor& self = tensorAt(e, h, op, op.args[0]);
        c10::IntArrayRef ref(dims, n);
        at::Tensor out = guarded(e, op.qualified.c_str(), [&] {
          return op.fast == Fast::TInts ? op.tints->call(self, ref) : op.tsymints->call(self, c10::fromIntArrayRefSlow(ref));
        });
        return wrapTensor(e, std::move(out));
      }
    }
    // Any other op of that shape: the generic path, with the list built as a JS array.
    auto list = Napi::Array::New(e, n);
    for (size_t i = 0; i < n; ++i) list.Set(static_cast<uint32_t>(i), Napi::Value(env, argv[i + 2]));
    napi_value args[3] = {argv[0], argv[1], list};
    return callOp(e, args, 3);
  } catch (const Napi::Error& err) {
    err.ThrowAsJavaScriptException();
    return nullptr;
  }
}

Napi::Value defaultToJs(Napi::Env env, const std::optional<c10::IValue>& v) {
  if (!v) return env.Undefined();
  if (v->isIntList()) {
    auto l = v->toIntVector();
    auto arr = Napi::Array::New(env, l.size());
    for (size_t i = 0; i < l.size(); ++i) arr.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(l[i])));
    return arr;
  }
  try {
    return toJs(env, c10::IValue(*v));
  } catch (...) {
    std::ostringstream os;
    os << *v;
    return Napi::String::New(env, os.str());
  }
}

// schemas() -> every registered operator schema, structured, for the code generator.
Napi::Value Schemas(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto names = c10::Dispatcher::singleton().getAllOpNames();
  auto out = Napi::Array::New(env);
  uint32_t k = 0;
  for (const auto& n : names) {
    auto handle = c10::Dispatcher::singleton().findOp(n);
    if (!handle || !handle->hasSchema()) continue;
    const auto& s = handle->schema();
    auto o = Napi::Object::New(env);
    o.Set("name", n.name);
    o.Set("overload", n.overload_name);
    o.Set("schema", c10::toString(s));
    auto args = Napi::Array::New(env);
    for (size_t i = 0; i < s.arguments().size(); ++i) {
      const auto& a = s.arguments()[i];
      auto ao = Napi::Object::New(env);
      ao.Set("name", a.name());
      ao.Set("type", a.real_type()->str());
      ao.Set("kwargOnly", a.kwarg_only());
      ao.Set("hasDefault", a.default_value().has_value());
      ao.Set("default", defaultToJs(env, a.default_value()));
      ao.Set("mutates", a.alias_info() != nullptr && a.alias_info()->isWrite());
      if (a.N()) ao.Set("N", *a.N());
      args.Set(static_cast<uint32_t>(i), ao);
    }
    o.Set("args", args);
    auto rets = Napi::Array::New(env);
    for (size_t i = 0; i < s.returns().size(); ++i) {
      const auto& r = s.returns()[i];
      auto ro = Napi::Object::New(env);
      ro.Set("type", r.real_type()->str());
      ro.Set("name", r.name());
      ro.Set("writesAlias", r.alias_info() != nullptr && r.alias_info()->isWrite());
      rets.Set(static_cast<uint32_t>(i), ro);
    }
    o.Set("returns", rets);
    out.Set(k++, o);
  }
  return out;
}

}  // namespace

void registerOpFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("findOp", Napi::Function::New(env, FindOp));
  napi_value call;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, "call", NAPI_AUTO_LENGTH, Call, nullptr, &call));
  exports.Set("call", call);
  napi_value callDims;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, "callDims", NAPI_AUTO_LENGTH, CallDims, nullptr, &callDims));
  exports.Set("callDims", callDims);
  exports.Set("schemas", Napi::Function::New(env, Schemas));
}

}  // namespace skcdf
