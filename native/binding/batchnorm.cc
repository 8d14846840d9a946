// batchnorm.cc: placeholder registration until the batchnorm kernels land.
#include "binding/families.h"

namespace bntrain::binding {

void RegisterBatchNorm(Napi::Env, Napi::Object) {}

}  // namespace bntrain::binding
