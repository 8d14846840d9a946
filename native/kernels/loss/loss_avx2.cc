#include <immintrin.h>

#include <cmath>

#include "kernels/loss/loss.h"
#include "kernels/simd/exp_avx2.h"

namespace bntrain {

// Probabilities use the float exp256 (max relative error 3e-7, see exp_avx2.h) and one reciprocal
// of the double sum. exp256 clamps its input at −87.3, so a difference below that gives 1.2e-38
// instead of 0, which is harmless next to the probabilities' 1e-7 rounding. The loss itself is
// log(sum) − (label logit − max) in double, so only log(sum) carries exp256's error.
double softmax_cross_entropy_row_avx2(const float* logits, int32_t label, float* probs, int64_t K) {
  const int64_t body = K & ~int64_t{7};

  // pass 1: row maximum
  float max = logits[0];
  if (body > 0) {
    __m256 max8 = _mm256_loadu_ps(logits);
    for (int64_t k = 8; k < body; k += 8) max8 = _mm256_max_ps(max8, _mm256_loadu_ps(logits + k));
    float lanes[8];
    _mm256_storeu_ps(lanes, max8);
    for (float lane : lanes) max = lane > max ? lane : max;
  }
  for (int64_t k = body; k < K; ++k) max = logits[k] > max ? logits[k] : max;

  // pass 2: e = exp(logit − max) into probs, summed in double
  const __m256 max_vector = _mm256_set1_ps(max);
  __m256d sum_low = _mm256_setzero_pd(), sum_high = _mm256_setzero_pd();
  for (int64_t k = 0; k < body; k += 8) {
    const __m256 e = simd::exp256(_mm256_sub_ps(_mm256_loadu_ps(logits + k), max_vector));
    _mm256_storeu_ps(probs + k, e);
    sum_low = _mm256_add_pd(sum_low, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
    sum_high = _mm256_add_pd(sum_high, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
  }
  double lanes[4];
  _mm256_storeu_pd(lanes, _mm256_add_pd(sum_low, sum_high));
  double sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (int64_t k = body; k < K; ++k) {
    probs[k] = std::exp(logits[k] - max);
    sum += probs[k];
  }

  // pass 3: normalize
  const float inverse = static_cast<float>(1.0 / sum);
  const __m256 inverse8 = _mm256_set1_ps(inverse);
  for (int64_t k = 0; k < body; k += 8) _mm256_storeu_ps(probs + k, _mm256_mul_ps(_mm256_loadu_ps(probs + k), inverse8));
  for (int64_t k = body; k < K; ++k) probs[k] *= inverse;

  return std::log(sum) - (static_cast<double>(logits[label]) - max);
}

// Same operations as the scalar version, so the results are bit-identical.
void softmax_cross_entropy_backward_row_avx2(const float* probs, int32_t label, float* dlogits, int64_t K,
                                             float count) {
  const float label_prob = probs[label];
  const __m256 count8 = _mm256_set1_ps(count);
  int64_t k = 0;
  for (; k + 8 <= K; k += 8) _mm256_storeu_ps(dlogits + k, _mm256_div_ps(_mm256_loadu_ps(probs + k), count8));
  for (; k < K; ++k) dlogits[k] = probs[k] / count;
  dlogits[label] = (label_prob - 1.0f) / count;
}

}  // namespace bntrain
