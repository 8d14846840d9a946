#include <immintrin.h>

#include "kernels/optim/sgd.h"

namespace bntrain {

// 8 lanes at a time with the scalar formula; the last n % 8 elements go to the scalar version.
void sgd_update_avx2(float* w, const float* g, float* v, int64_t n, const SgdSettings& s) {
  const __m256 lr = _mm256_set1_ps(s.lr);
  const __m256 momentum = _mm256_set1_ps(s.momentum);
  const __m256 decay = _mm256_set1_ps(s.weight_decay);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 weight = _mm256_loadu_ps(w + i);
    const __m256 d = _mm256_fmadd_ps(decay, weight, _mm256_loadu_ps(g + i));
    __m256 step = d;
    if (s.momentum != 0.0f) {
      const __m256 velocity = s.first_step ? d : _mm256_fmadd_ps(momentum, _mm256_loadu_ps(v + i), d);
      _mm256_storeu_ps(v + i, velocity);
      step = s.nesterov ? _mm256_fmadd_ps(momentum, velocity, d) : velocity;
    }
    _mm256_storeu_ps(w + i, _mm256_fnmadd_ps(lr, step, weight));
  }
  sgd_update_scalar(w + i, g + i, v + i, n - i, s);
}

}  // namespace bntrain
