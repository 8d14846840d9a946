#include <immintrin.h>

#include "kernels/dense/dense.h"

namespace bntrain {

// Each function runs 8 lanes at a time and hands the last n % 8 elements to the scalar version.

void add_constant_avx2(float* y, float value, int64_t n) {
  const __m256 constant = _mm256_set1_ps(value);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), constant));
  add_constant_scalar(y + i, value, n - i);
}

void add_vector_avx2(float* y, const float* b, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(b + i)));
  }
  add_vector_scalar(y + i, b + i, n - i);
}

// Widens each float to double before adding, like sum_scalar, but keeps 8 partial sums (two
// vectors of 4 doubles), so the result may differ from sum_scalar in the last bits of a double.
double sum_avx2(const float* x, int64_t n) {
  __m256d low = _mm256_setzero_pd();
  __m256d high = _mm256_setzero_pd();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 values = _mm256_loadu_ps(x + i);
    low = _mm256_add_pd(low, _mm256_cvtps_pd(_mm256_castps256_ps128(values)));
    high = _mm256_add_pd(high, _mm256_cvtps_pd(_mm256_extractf128_ps(values, 1)));
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, _mm256_add_pd(low, high));
  return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + sum_scalar(x + i, n - i);
}

}  // namespace bntrain
