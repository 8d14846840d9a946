// optim.cc: sgdUpdate, one SGD-with-momentum step over one parameter tensor.
#include <napi.h>

#include "binding/args.h"
#include "binding/families.h"
#include "binding/overlap.h"
#include "kernels/optim/sgd.h"

namespace bntrain::binding {
namespace {

// (w, g, v, lr, momentum, weightDecay, nesterov, firstStep); v may be null when momentum is 0.
void SgdUpdate(const Napi::CallbackInfo& info) {
  ArgReader args(info, "sgdUpdate");
  const Float32Span w = args.float32(0, "w");
  const Float32Span g = args.float32(1, "g");
  const Float32Span v = args.optional_float32(2, "v");
  SgdSettings settings;
  settings.lr = static_cast<float>(args.number(3, "lr"));
  const double momentum = args.number(4, "momentum");
  const double weight_decay = args.number(5, "weightDecay");
  settings.nesterov = args.boolean(6, "nesterov");
  settings.first_step = args.boolean(7, "firstStep");

  if (!(momentum >= 0 && momentum < 1)) args.range_error("momentum must be in [0, 1), received " + std::to_string(momentum));
  if (!(weight_decay >= 0)) args.range_error("weightDecay must be >= 0, received " + std::to_string(weight_decay));
  settings.momentum = static_cast<float>(momentum);
  settings.weight_decay = static_cast<float>(weight_decay);

  args.expect_length(g.length, w.length, "g", "w.length");
  if (momentum != 0) {
    if (v.data == nullptr) args.range_error("v must be a Float32Array when momentum is not 0, received null");
    args.expect_length(v.length, w.length, "v", "w.length");
  }
  expect_separate(args, {region(w, "w"), region(v, "v")}, {region(g, "g")});
  sgd_update(w.data, g.data, momentum != 0 ? v.data : nullptr, w.length, settings);
}

}  // namespace

void RegisterOptim(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdUpdate", Napi::Function::New(env, SgdUpdate, "sgdUpdate"));
}

}  // namespace bntrain::binding
