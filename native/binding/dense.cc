// dense.cc: placeholder registration until the dense kernels land.
#include "binding/families.h"

namespace bntrain::binding {

void RegisterDense(Napi::Env, Napi::Object) {}

}  // namespace bntrain::binding
