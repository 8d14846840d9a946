// addon.cc: the module entry point. Each family registers its own functions.
#include <napi.h>

#include "binding/families.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace bntrain::binding;
  RegisterRuntime(env, exports);
  RegisterActivation(env, exports);
  RegisterConv2d(env, exports);
  RegisterDense(env, exports);
  RegisterBatchNorm(env, exports);
  RegisterPool(env, exports);
  RegisterLoss(env, exports);
  RegisterOptim(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(bntrain, Init)
