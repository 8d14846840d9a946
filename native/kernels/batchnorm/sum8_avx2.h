// sum8_avx2.h: double-precision sums of 8 float lanes, for the batchnorm *_avx2.cc files only.
//
// Batch statistics accumulate in double (4 lanes per register, so 8 floats fill two registers):
// sums over N*HW values, e.g. 64*28*28 per channel, lose up to log2(N*HW) bits in float.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace bntrain::bn_avx2 {

inline double horizontal_sum(__m256d v) {
  __m128d low = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(low, _mm_unpackhi_pd(low, low)));
}

inline __m256d low_half_pd(__m256 v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
inline __m256d high_half_pd(__m256 v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }

// 8 double sums kept as two registers: lanes 0-3 and 4-7.
struct Sum8 {
  __m256d low = _mm256_setzero_pd();
  __m256d high = _mm256_setzero_pd();

  void add(__m256 v) {
    low = _mm256_add_pd(low, low_half_pd(v));
    high = _mm256_add_pd(high, high_half_pd(v));
  }
  // Adds (v − center)² lane by lane.
  void add_square_centered(__m256 v, const Sum8& center) {
    const __m256d d_low = _mm256_sub_pd(low_half_pd(v), center.low);
    const __m256d d_high = _mm256_sub_pd(high_half_pd(v), center.high);
    low = _mm256_fmadd_pd(d_low, d_low, low);
    high = _mm256_fmadd_pd(d_high, d_high, high);
  }
  // Adds dy·(x − center) lane by lane.
  void add_product_centered(__m256 dy, __m256 x, const Sum8& center) {
    low = _mm256_fmadd_pd(low_half_pd(dy), _mm256_sub_pd(low_half_pd(x), center.low), low);
    high = _mm256_fmadd_pd(high_half_pd(dy), _mm256_sub_pd(high_half_pd(x), center.high), high);
  }
  double total() const { return horizontal_sum(_mm256_add_pd(low, high)); }
  void store(double* out) const {
    _mm256_storeu_pd(out, low);
    _mm256_storeu_pd(out + 4, high);
  }
};

inline Sum8 broadcast8(double value) {
  Sum8 result;
  result.low = result.high = _mm256_set1_pd(value);
  return result;
}

inline Sum8 load8(const double* values) {
  Sum8 result;
  result.low = _mm256_loadu_pd(values);
  result.high = _mm256_loadu_pd(values + 4);
  return result;
}

}  // namespace bntrain::bn_avx2
