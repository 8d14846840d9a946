#include "kernels/activation/activation.h"

#include "common/parallel.h"
#include "cpu/cpu_features.h"

namespace bntrain {
namespace {

// 16K floats (64 KiB per array) per block: large enough that waking a thread (a few microseconds)
// is paid back, small enough that both cores get work on a 64x32x28x28 activation.
constexpr int64_t kBlock = 16384;

template <typename Scalar, typename Avx2>
void run_blocks(int64_t n, Scalar scalar, Avx2 avx2) {
  const bool use_avx2 = simd_target() == SimdTarget::kAvx2;
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  parallel_for(blocks, [&](int64_t begin, int64_t end) {
    const int64_t first = begin * kBlock;
    const int64_t last = end * kBlock < n ? end * kBlock : n;
    if (use_avx2) {
      avx2(first, last - first);
    } else {
      scalar(first, last - first);
    }
  });
}

}  // namespace

void relu_forward(const float* x, float* y, int64_t n) {
  run_blocks(n, [&](int64_t i, int64_t m) { relu_forward_scalar(x + i, y + i, m); },
             [&](int64_t i, int64_t m) { relu_forward_avx2(x + i, y + i, m); });
}

void relu_backward(const float* y, const float* dy, float* dx, int64_t n) {
  run_blocks(n, [&](int64_t i, int64_t m) { relu_backward_scalar(y + i, dy + i, dx + i, m); },
             [&](int64_t i, int64_t m) { relu_backward_avx2(y + i, dy + i, dx + i, m); });
}

void sigmoid_forward(const float* x, float* y, int64_t n) {
  run_blocks(n, [&](int64_t i, int64_t m) { sigmoid_forward_scalar(x + i, y + i, m); },
             [&](int64_t i, int64_t m) { sigmoid_forward_avx2(x + i, y + i, m); });
}

void sigmoid_backward(const float* y, const float* dy, float* dx, int64_t n) {
  run_blocks(n, [&](int64_t i, int64_t m) { sigmoid_backward_scalar(y + i, dy + i, dx + i, m); },
             [&](int64_t i, int64_t m) { sigmoid_backward_avx2(y + i, dy + i, dx + i, m); });
}

}  // namespace bntrain
