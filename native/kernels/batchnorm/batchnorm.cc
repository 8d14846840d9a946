#include "kernels/batchnorm/batchnorm.h"

#include "common/parallel.h"
#include "cpu/cpu_features.h"

namespace bntrain {
namespace {

// Calls kernel(c_begin, c_end) over disjoint channel ranges on the thread pool. Every channel's
// sums stay inside one range, so results do not depend on the thread count. Dense BN (HW == 1)
// hands out groups of 8 channels, one AVX2 register each, so only the last group can have a
// scalar tail whatever the thread count.
template <typename Kernel>
void for_channels(BatchNormShape shape, Kernel kernel) {
  const int64_t group = shape.HW == 1 ? 8 : 1;
  const int64_t groups = (shape.C + group - 1) / group;
  parallel_for(groups, [&](int64_t begin, int64_t end) {
    const int64_t c_end = end * group < shape.C ? end * group : shape.C;
    kernel(begin * group, c_end);
  });
}

}  // namespace

void batchnorm_forward_train(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                             float* variance, BatchNormShape shape, double eps) {
  const bool use_avx2 = simd_target() == SimdTarget::kAvx2;
  for_channels(shape, [&](int64_t c_begin, int64_t c_end) {
    if (use_avx2) {
      batchnorm_forward_train_avx2(x, gamma, beta, y, mean, variance, shape, eps, c_begin, c_end);
    } else {
      batchnorm_forward_train_scalar(x, gamma, beta, y, mean, variance, shape, eps, c_begin, c_end);
    }
  });
}

void batchnorm_backward(const float* x, const float* dy, const float* mean, const float* variance,
                        const float* gamma, float* dx, float* dgamma, float* dbeta, BatchNormShape shape,
                        double eps) {
  const bool use_avx2 = simd_target() == SimdTarget::kAvx2;
  for_channels(shape, [&](int64_t c_begin, int64_t c_end) {
    if (use_avx2) {
      batchnorm_backward_avx2(x, dy, mean, variance, gamma, dx, dgamma, dbeta, shape, eps, c_begin, c_end);
    } else {
      batchnorm_backward_scalar(x, dy, mean, variance, gamma, dx, dgamma, dbeta, shape, eps, c_begin, c_end);
    }
  });
}

void batchnorm_forward_inference(const float* x, const float* mean, const float* variance, const float* gamma,
                                 const float* beta, float* y, BatchNormShape shape, double eps) {
  const bool use_avx2 = simd_target() == SimdTarget::kAvx2;
  for_channels(shape, [&](int64_t c_begin, int64_t c_end) {
    if (use_avx2) {
      batchnorm_forward_inference_avx2(x, mean, variance, gamma, beta, y, shape, eps, c_begin, c_end);
    } else {
      batchnorm_forward_inference_scalar(x, mean, variance, gamma, beta, y, shape, eps, c_begin, c_end);
    }
  });
}

}  // namespace bntrain
