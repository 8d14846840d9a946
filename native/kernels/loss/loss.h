// loss.h: softmax cross-entropy over the rows of a logits matrix.
//
// logits, probs and dlogits are [N, K] row-major; labels contains N class indices, each in [0, K).
// The binding checks the labels, and the kernels trust them.
//   forward   probs[n, k] = exp(logits[n, k] − max_n) / Σ_j exp(logits[n, j] − max_n), and the
//             return value is the mean over rows of log Σ_j exp(logits[n, j] − max_n) − (logits[n,
//             label] − max_n), evaluated in double. Subtracting the row maximum keeps exp finite
//             for any finite logits. A NaN or infinite logit makes its row's probs and the loss NaN.
//   backward  dlogits = (probs − onehot(labels)) / N, the gradient of the mean loss.
// Forward outputs must not alias logits; dlogits may be probs itself. Rows split over threads;
// row losses are summed in row order on the calling thread, so the loss does not depend on the
// thread count.
#pragma once

#include <cstdint>

namespace bntrain {

double softmax_cross_entropy_forward(const float* logits, const int32_t* labels, float* probs, int64_t N, int64_t K);
void softmax_cross_entropy_backward(const float* probs, const int32_t* labels, float* dlogits, int64_t N, int64_t K);

// One row: writes probs[0..K) and returns that row's loss.
double softmax_cross_entropy_row_scalar(const float* logits, int32_t label, float* probs, int64_t K);
double softmax_cross_entropy_row_avx2(const float* logits, int32_t label, float* probs, int64_t K);

// One row of the gradient; `count` is N, the number of rows the loss averages over.
void softmax_cross_entropy_backward_row_scalar(const float* probs, int32_t label, float* dlogits, int64_t K,
                                               float count);
void softmax_cross_entropy_backward_row_avx2(const float* probs, int32_t label, float* dlogits, int64_t K,
                                             float count);

}  // namespace bntrain
