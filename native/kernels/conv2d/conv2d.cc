// Dispatch and threading for the convolution entry points (contract in conv2d.h).
#include "kernels/conv2d/conv2d.h"

#include <algorithm>

#include "common/parallel.h"
#include "cpu/cpu_features.h"

namespace bntrain {
namespace {

bool use_gemm() { return simd_target() == SimdTarget::kAvx2; }

// Filter-gradient blocks: 16 patch rows (one GEMM micro-panel of dw's columns) or 6 output
// channels (one micro-panel of dw's rows).
constexpr int64_t kPatchRowUnit = 16;
constexpr int64_t kChannelUnit = 6;

}  // namespace

// Images are independent, so threads take whole images. With one image, parallel_for runs the
// body on the calling thread, and the GEMM inside splits the image's output over the threads.
// Every path computes each y element with the same GEMM arithmetic (see gemm.h).
void conv2d_forward(const Conv2dShape& s, const float* x, const float* w, float* y) {
  const bool gemm = use_gemm();
  // The packed path runs its GEMM on one thread, so it needs an image per thread. A pointwise
  // convolution has no patch matrix to build and goes straight to the GEMM.
  const bool packed = gemm && s.N > 1 && !s.is_pointwise();
  parallel_for(s.N, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      const float* x_image = x + n * s.image_size();
      float* y_image = y + n * s.output_image_size();
      if (packed) {
        conv2d_forward_packed(s, x_image, w, y_image);
      } else if (gemm) {
        conv2d_forward_gemm(s, x_image, w, y_image);
      } else {
        conv2d_forward_scalar(s, x_image, w, y_image);
      }
    }
  });
}

void conv2d_backward_data(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  const bool gemm = use_gemm();
  parallel_for(s.N, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      const float* dy_image = dy + n * s.output_image_size();
      float* dx_image = dx + n * s.image_size();
      if (gemm) {
        conv2d_backward_data_gemm(s, dy_image, w, dx_image);
      } else {
        conv2d_backward_data_scalar(s, dy_image, w, dx_image);
      }
    }
  });
}

// dw sums over the batch, so threads split dw itself and each one walks all images in order.
void conv2d_backward_filter(const Conv2dShape& s, const float* x, const float* dy, float* dw) {
  if (!use_gemm()) {
    parallel_for(s.K, [&](int64_t begin, int64_t end) { conv2d_backward_filter_scalar(s, x, dy, dw, begin, end); });
    return;
  }

  // Split dw's columns (patch rows) when there are enough for every thread; a first layer with
  // C = 1 has only KH*KW of them, so split its output channels instead and let each thread build
  // the (small) patch matrix in full.
  const int64_t patch = s.patch_size();
  const int64_t row_units = (patch + kPatchRowUnit - 1) / kPatchRowUnit;
  if (row_units >= num_threads() || s.K < 2 * kChannelUnit) {
    parallel_for(row_units, [&](int64_t begin, int64_t end) {
      const int64_t row_end = std::min(end * kPatchRowUnit, patch);
      conv2d_backward_filter_gemm(s, x, dy, dw, 0, s.K, begin * kPatchRowUnit, row_end);
    });
    return;
  }
  const int64_t channel_units = (s.K + kChannelUnit - 1) / kChannelUnit;
  parallel_for(channel_units, [&](int64_t begin, int64_t end) {
    const int64_t k_end = std::min(end * kChannelUnit, s.K);
    conv2d_backward_filter_gemm(s, x, dy, dw, begin * kChannelUnit, k_end, 0, patch);
  });
}

}  // namespace bntrain
