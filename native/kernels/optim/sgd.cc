#include "kernels/optim/sgd.h"

#include "common/parallel.h"
#include "cpu/cpu_features.h"

namespace bntrain {

// 32K floats per block: W2's largest tensor (401,408 weights) splits over both cores, while
// the many small BN vectors run on the calling thread without waking the pool.
constexpr int64_t kBlock = 32768;

void sgd_update(float* w, const float* g, float* v, int64_t n, const SgdSettings& settings) {
  const bool use_avx2 = simd_target() == SimdTarget::kAvx2;
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  parallel_for(blocks, [&](int64_t begin, int64_t end) {
    const int64_t first = begin * kBlock;
    const int64_t count = (end * kBlock < n ? end * kBlock : n) - first;
    float* velocity = v ? v + first : nullptr;
    if (use_avx2) {
      sgd_update_avx2(w + first, g + first, velocity, count, settings);
    } else {
      sgd_update_scalar(w + first, g + first, velocity, count, settings);
    }
  });
}

}  // namespace bntrain
