#include <immintrin.h>

#include "kernels/activation/activation.h"
#include "kernels/simd/exp_avx2.h"

namespace bntrain {

// Each function runs 8 lanes at a time and hands the last n % 8 elements to the scalar version.

void relu_forward_avx2(const float* x, float* y, int64_t n) {
  const __m256 zero = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    // max_ps returns its second operand when either is NaN, so NaN in x passes through.
    _mm256_storeu_ps(y + i, _mm256_max_ps(zero, _mm256_loadu_ps(x + i)));
  }
  relu_forward_scalar(x + i, y + i, n - i);
}

void relu_backward_avx2(const float* y, const float* dy, float* dx, int64_t n) {
  const __m256 zero = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 positive = _mm256_cmp_ps(_mm256_loadu_ps(y + i), zero, _CMP_GT_OQ);
    _mm256_storeu_ps(dx + i, _mm256_and_ps(positive, _mm256_loadu_ps(dy + i)));
  }
  relu_backward_scalar(y + i, dy + i, dx + i, n - i);
}

void sigmoid_forward_avx2(const float* x, float* y, int64_t n) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 e = simd::exp256(_mm256_xor_ps(_mm256_loadu_ps(x + i), sign));
    _mm256_storeu_ps(y + i, _mm256_div_ps(one, _mm256_add_ps(one, e)));
  }
  sigmoid_forward_scalar(x + i, y + i, n - i);
}

void sigmoid_backward_avx2(const float* y, const float* dy, float* dx, int64_t n) {
  const __m256 one = _mm256_set1_ps(1.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 out = _mm256_loadu_ps(y + i);
    // Same order of operations as the scalar version: (dy * y) * (1 - y).
    const __m256 product = _mm256_mul_ps(_mm256_loadu_ps(dy + i), out);
    _mm256_storeu_ps(dx + i, _mm256_mul_ps(product, _mm256_sub_ps(one, out)));
  }
  sigmoid_backward_scalar(y + i, dy + i, dx + i, n - i);
}

}  // namespace bntrain
