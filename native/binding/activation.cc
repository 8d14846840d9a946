// activation.cc: reluForward, reluBackward, sigmoidForward, sigmoidBackward.
// Elementwise: every array must have the same length; outputs may alias inputs.
#include <napi.h>

#include "binding/args.h"
#include "binding/families.h"
#include "kernels/activation/activation.h"

namespace bntrain::binding {
namespace {

// (x, y): y = f(x)
template <void (*Kernel)(const float*, float*, int64_t)>
void Unary(const Napi::CallbackInfo& info, const char* op) {
  ArgReader args(info, op);
  const Float32Span x = args.float32(0, "x");
  const Float32Span y = args.float32(1, "y");
  args.expect_length(y.length, x.length, "y", "x.length");
  Kernel(x.data, y.data, x.length);
}

// (y, dy, dx): dx = f'(y) * dy
template <void (*Kernel)(const float*, const float*, float*, int64_t)>
void Backward(const Napi::CallbackInfo& info, const char* op) {
  ArgReader args(info, op);
  const Float32Span y = args.float32(0, "y");
  const Float32Span dy = args.float32(1, "dy");
  const Float32Span dx = args.float32(2, "dx");
  args.expect_length(dy.length, y.length, "dy", "y.length");
  args.expect_length(dx.length, y.length, "dx", "y.length");
  Kernel(y.data, dy.data, dx.data, y.length);
}

void ReluForward(const Napi::CallbackInfo& info) { Unary<relu_forward>(info, "reluForward"); }
void ReluBackward(const Napi::CallbackInfo& info) { Backward<relu_backward>(info, "reluBackward"); }
void SigmoidForward(const Napi::CallbackInfo& info) { Unary<sigmoid_forward>(info, "sigmoidForward"); }
void SigmoidBackward(const Napi::CallbackInfo& info) { Backward<sigmoid_backward>(info, "sigmoidBackward"); }

}  // namespace

void RegisterActivation(Napi::Env env, Napi::Object exports) {
  exports.Set("reluForward", Napi::Function::New(env, ReluForward, "reluForward"));
  exports.Set("reluBackward", Napi::Function::New(env, ReluBackward, "reluBackward"));
  exports.Set("sigmoidForward", Napi::Function::New(env, SigmoidForward, "sigmoidForward"));
  exports.Set("sigmoidBackward", Napi::Function::New(env, SigmoidBackward, "sigmoidBackward"));
}

}  // namespace bntrain::binding
