#include "kernels/loss/loss.h"

#include <vector>

#include "common/parallel.h"
#include "cpu/cpu_features.h"

namespace bntrain {
namespace {

// Calls body(row) for every row, in blocks of at least 16K logits per thread: a typical batch
// (64 rows of 10 classes) is far too small to pay for waking a second thread.
template <typename Body>
void for_rows(int64_t N, int64_t K, Body body) {
  const int64_t rows_per_block = K >= 16384 ? 1 : 16384 / K;
  const int64_t blocks = (N + rows_per_block - 1) / rows_per_block;
  parallel_for(blocks, [&](int64_t begin, int64_t end) {
    const int64_t row_end = end * rows_per_block < N ? end * rows_per_block : N;
    for (int64_t n = begin * rows_per_block; n < row_end; ++n) body(n);
  });
}

}  // namespace

double softmax_cross_entropy_forward(const float* logits, const int32_t* labels, float* probs, int64_t N,
                                     int64_t K) {
  const bool use_avx2 = simd_target() == SimdTarget::kAvx2;
  std::vector<double> row_loss(static_cast<size_t>(N));
  for_rows(N, K, [&](int64_t n) {
    row_loss[n] = use_avx2 ? softmax_cross_entropy_row_avx2(logits + n * K, labels[n], probs + n * K, K)
                           : softmax_cross_entropy_row_scalar(logits + n * K, labels[n], probs + n * K, K);
  });

  // Summed in row order here, not per thread, so the thread count cannot change the loss.
  double total = 0.0;
  for (double loss : row_loss) total += loss;
  return total / static_cast<double>(N);
}

void softmax_cross_entropy_backward(const float* probs, const int32_t* labels, float* dlogits, int64_t N,
                                    int64_t K) {
  const bool use_avx2 = simd_target() == SimdTarget::kAvx2;
  const float count = static_cast<float>(N);
  for_rows(N, K, [&](int64_t n) {
    if (use_avx2) {
      softmax_cross_entropy_backward_row_avx2(probs + n * K, labels[n], dlogits + n * K, K, count);
    } else {
      softmax_cross_entropy_backward_row_scalar(probs + n * K, labels[n], dlogits + n * K, K, count);
    }
  });
}

}  // namespace bntrain
