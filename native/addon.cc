// Module entry: registers the four groups of native functions.
#include "common.h"

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  skcdf::registerTensorFunctions(env, exports);
  skcdf::registerOpFunctions(env, exports);
  skcdf::registerAutogradFunctions(env, exports);
  skcdf::registerDeviceFunctions(env, exports);
  skcdf::registerAutocastFunctions(env, exports);
  return exports;
}

NODE_API_MODULE(skcdf_native, InitAddon)
