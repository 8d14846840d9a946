// Convolution as GEMM over the im2col patch matrix (see conv2d_im2col.cc for the layout).
#include <vector>

#include "kernels/conv2d/conv2d.h"
#include "kernels/gemm/gemm.h"

namespace bntrain {
namespace {

// Patch-matrix scratch, one per thread, grown on demand and never shrunk: after the first step
// of a training run no call allocates.
float* grow(std::vector<float>& buffer, int64_t size) {
  if (static_cast<int64_t>(buffer.size()) < size) buffer.resize(size);
  return buffer.data();
}

float* patch_buffer(int64_t size) {
  thread_local std::vector<float> buffer;
  return grow(buffer, size);
}

float* row_buffer(int64_t size) {
  thread_local std::vector<float> buffer;
  return grow(buffer, size);
}

}  // namespace

void conv2d_forward_gemm(const Conv2dShape& s, const float* x, const float* w, float* y) {
  const int64_t plane = s.output_plane();
  const int64_t patch = s.patch_size();

  // A pointwise convolution multiplies the image itself: x viewed as [C, H*W] is its patch matrix.
  const float* col = x;
  if (!s.is_pointwise()) {
    float* buffer = patch_buffer(patch * plane);
    im2col(s, x, 0, patch, buffer);
    col = buffer;
  }

  // y [K, OH*OW] = w [K, C*KH*KW] . col [C*KH*KW, OH*OW]
  const GemmShape product{false, false, s.K, plane, patch};
  sgemm(product, 1.0f, w, patch, col, plane, 0.0f, y, plane);
}

void conv2d_forward_packed(const Conv2dShape& s, const float* x, const float* w, float* y) {
  const int64_t plane = s.output_plane();
  const int64_t patch = s.patch_size();
  const int64_t width = gemm_packed_width(plane);

  float* packed = patch_buffer(patch * width);
  im2col_packed(s, x, packed, row_buffer(kIm2colRowGroup * width));
  const GemmShape product{false, false, s.K, plane, patch};
  sgemm_avx2_packed_b(product, 1.0f, w, patch, packed, 0.0f, y, plane);
}

void conv2d_backward_data_gemm(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  const int64_t plane = s.output_plane();
  const int64_t patch = s.patch_size();

  // dcol [C*KH*KW, OH*OW] = w^T . dy [K, OH*OW]; for a pointwise convolution dcol is dx.
  const GemmShape product{true, false, patch, plane, s.K};
  if (s.is_pointwise()) {
    sgemm(product, 1.0f, w, patch, dy, plane, 0.0f, dx, plane);
    return;
  }
  float* dcol = patch_buffer(patch * plane);
  sgemm(product, 1.0f, w, patch, dy, plane, 0.0f, dcol, plane);
  col2im(s, dcol, dx);
}

void conv2d_backward_filter_gemm(const Conv2dShape& s, const float* x, const float* dy, float* dw,
                                 int64_t k_begin, int64_t k_end, int64_t row_begin, int64_t row_end) {
  const int64_t plane = s.output_plane();
  const int64_t patch = s.patch_size();
  const int64_t rows = row_end - row_begin;
  float* buffer = s.is_pointwise() ? nullptr : patch_buffer(rows * plane);

  // dw [K, C*KH*KW] = sum over n of dy_n [K, OH*OW] . col_n^T, one image after the other.
  for (int64_t n = 0; n < s.N; ++n) {
    const float* x_image = x + n * s.image_size();
    const float* col = x_image + row_begin * plane;
    if (buffer != nullptr) {
      im2col(s, x_image, row_begin, row_end, buffer);
      col = buffer;
    }

    const GemmShape product{false, true, k_end - k_begin, rows, plane};
    const float* dy_block = dy + n * s.output_image_size() + k_begin * plane;
    float* dw_block = dw + k_begin * patch + row_begin;
    sgemm_serial(product, 1.0f, dy_block, plane, col, plane, n == 0 ? 0.0f : 1.0f, dw_block, patch);
  }
}

}  // namespace bntrain
