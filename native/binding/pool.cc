// pool.cc: placeholder registration until the pool kernels land.
#include "binding/families.h"

namespace bntrain::binding {

void RegisterPool(Napi::Env, Napi::Object) {}

}  // namespace bntrain::binding
