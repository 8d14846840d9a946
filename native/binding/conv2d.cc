// conv2d.cc: placeholder registration until the conv2d kernels land.
#include "binding/families.h"

namespace bntrain::binding {

void RegisterConv2d(Napi::Env, Napi::Object) {}

}  // namespace bntrain::binding
