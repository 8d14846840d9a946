// loss.cc: placeholder registration until the loss kernels land.
#include "binding/families.h"

namespace bntrain::binding {

void RegisterLoss(Napi::Env, Napi::Object) {}

}  // namespace bntrain::binding
