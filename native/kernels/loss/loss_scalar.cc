#include <cmath>

#include "kernels/loss/loss.h"

namespace bntrain {

// Every exp runs in double on logits − max <= 0, so nothing overflows, and the loss takes the
// log-sum-exp form, so a label logit far below the maximum (loss ~ 800 for logits ~ ±400) keeps
// full precision instead of becoming −log(0).
double softmax_cross_entropy_row_scalar(const float* logits, int32_t label, float* probs, int64_t K) {
  // pass 1: row maximum
  float max = logits[0];
  for (int64_t k = 1; k < K; ++k) max = logits[k] > max ? logits[k] : max;

  // pass 2: log Σ exp(logit − max)
  double sum = 0.0;
  for (int64_t k = 0; k < K; ++k) sum += std::exp(static_cast<double>(logits[k]) - max);
  const double log_sum = std::log(sum);

  // pass 3: probabilities exp(logit − max − log_sum)
  for (int64_t k = 0; k < K; ++k) {
    probs[k] = static_cast<float>(std::exp(static_cast<double>(logits[k]) - max - log_sum));
  }
  return log_sum - (static_cast<double>(logits[label]) - max);
}

void softmax_cross_entropy_backward_row_scalar(const float* probs, int32_t label, float* dlogits, int64_t K,
                                               float count) {
  // Read the label's probability first: dlogits may be probs itself.
  const float label_prob = probs[label];
  for (int64_t k = 0; k < K; ++k) dlogits[k] = probs[k] / count;
  dlogits[label] = (label_prob - 1.0f) / count;
}

}  // namespace bntrain
