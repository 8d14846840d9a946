// loss.cc: softmaxCrossEntropyForward, softmaxCrossEntropyBackward.
// logits, probs, dlogits are [N, K]; labels is an Int32Array of N class indices in [0, K).
// probs must not share memory with logits; dlogits may be probs itself.
#include <napi.h>

#include <string>

#include "binding/args.h"
#include "binding/families.h"
#include "binding/overlap.h"
#include "kernels/loss/loss.h"

namespace bntrain::binding {
namespace {

// The kernels index a row by its label, so every label is checked before any work.
void expect_labels_in_range(const ArgReader& args, const Int32Span& labels, int64_t K) {
  for (int64_t n = 0; n < labels.length; ++n) {
    const int32_t label = labels.data[n];
    if (label < 0 || label >= K) {
      args.range_error("labels[" + std::to_string(n) + "] = " + std::to_string(label) + " is outside [0, K) = [0, " +
                       std::to_string(K) + ")");
    }
  }
}

Napi::Value Forward(const Napi::CallbackInfo& info) {
  ArgReader args(info, "softmaxCrossEntropyForward");
  const Float32Span logits = args.float32(0, "logits");
  const Int32Span labels = args.int32(1, "labels");
  const Float32Span probs = args.float32(2, "probs");
  const int64_t N = args.dim(3, "N", 1);
  const int64_t K = args.dim(4, "K", 1);

  args.expect_length(logits.length, checked_product({N, K}), "logits", "N*K");
  args.expect_length(labels.length, N, "labels", "N");
  args.expect_length(probs.length, checked_product({N, K}), "probs", "N*K");
  expect_separate(args, {region(probs, "probs")}, {region(logits, "logits"), region(labels, "labels")});
  expect_labels_in_range(args, labels, K);

  return Napi::Number::New(info.Env(), softmax_cross_entropy_forward(logits.data, labels.data, probs.data, N, K));
}

void Backward(const Napi::CallbackInfo& info) {
  ArgReader args(info, "softmaxCrossEntropyBackward");
  const Float32Span probs = args.float32(0, "probs");
  const Int32Span labels = args.int32(1, "labels");
  const Float32Span dlogits = args.float32(2, "dlogits");
  const int64_t N = args.dim(3, "N", 1);
  const int64_t K = args.dim(4, "K", 1);

  args.expect_length(probs.length, checked_product({N, K}), "probs", "N*K");
  args.expect_length(labels.length, N, "labels", "N");
  args.expect_length(dlogits.length, checked_product({N, K}), "dlogits", "N*K");
  expect_separate(args, {region(dlogits, "dlogits")}, {region(probs, "probs"), region(labels, "labels")}, probs.data);
  expect_labels_in_range(args, labels, K);

  softmax_cross_entropy_backward(probs.data, labels.data, dlogits.data, N, K);
}

}  // namespace

void RegisterLoss(Napi::Env env, Napi::Object exports) {
  exports.Set("softmaxCrossEntropyForward", Napi::Function::New(env, Forward, "softmaxCrossEntropyForward"));
  exports.Set("softmaxCrossEntropyBackward", Napi::Function::New(env, Backward, "softmaxCrossEntropyBackward"));
}

}  // namespace bntrain::binding
