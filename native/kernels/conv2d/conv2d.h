// conv2d.h: 2-D convolution (cross-correlation, no bias, groups = 1), forward and backward.
//
//   x  [N, C, H, W]      input images, contiguous
//   w  [K, C, KH, KW]    filters
//   y  [N, K, OH, OW]    output, OH = (H + 2*pad - KH) / stride + 1 (floor), OW likewise
//   y[n,k,oh,ow] = sum over c, kh, kw of w[k,c,kh,kw] * x[n, c, oh*stride - pad + kh, ow*stride - pad + kw]
// with zero padding outside the image. Square stride (>= 1) and pad (>= 0) apply to both axes.
//
//   conv2d_forward         y  = conv(x, w)                   y overwritten
//   conv2d_backward_data   dx = d(sum dy*y)/dx                dx overwritten
//   conv2d_backward_filter dw = sum over n of d(sum dy*y)/dw  dw overwritten
// Outputs must not overlap inputs. The entry points dispatch on simd_target(): the scalar path
// runs the direct loops of conv2d_scalar.cc, the AVX2 path im2col + the AVX2 GEMM. Work is split
// over images or over blocks of the output, never over a sum, so results are bit-identical at
// any thread count. Scratch buffers are per thread and grow-only.
#pragma once

#include <cstdint>

namespace bntrain {

struct Conv2dShape {
  int64_t N = 0, C = 0, H = 0, W = 0;  // input
  int64_t K = 0, KH = 0, KW = 0;       // filters
  int64_t stride = 1, pad = 0;
  int64_t OH = 0, OW = 0;              // derived by conv2d_output_size

  int64_t image_size() const { return C * H * W; }
  int64_t output_image_size() const { return K * OH * OW; }
  // Rows of the im2col matrix: one per (c, kh, kw), the GEMM reduction length.
  int64_t patch_size() const { return C * KH * KW; }
  int64_t output_plane() const { return OH * OW; }
  // A 1x1 filter with stride 1 and no padding reads x as it is, without im2col.
  bool is_pointwise() const { return KH == 1 && KW == 1 && stride == 1 && pad == 0; }
};

// (size + 2*pad - kernel) / stride + 1, or 0 when the kernel does not fit the padded input.
int64_t conv2d_output_size(int64_t size, int64_t kernel, int64_t stride, int64_t pad);

void conv2d_forward(const Conv2dShape& shape, const float* x, const float* w, float* y);
void conv2d_backward_data(const Conv2dShape& shape, const float* dy, const float* w, float* dx);
void conv2d_backward_filter(const Conv2dShape& shape, const float* x, const float* dy, float* dw);

// Direct loops (conv2d_scalar.cc). The first two handle one image (x, y, dx, dy point at it);
// the filter gradient covers the whole batch for output channels [k_begin, k_end).
void conv2d_forward_scalar(const Conv2dShape& shape, const float* x, const float* w, float* y);
void conv2d_backward_data_scalar(const Conv2dShape& shape, const float* dy, const float* w, float* dx);
void conv2d_backward_filter_scalar(const Conv2dShape& shape, const float* x, const float* dy, float* dw,
                                   int64_t k_begin, int64_t k_end);

// im2col + GEMM (conv2d_gemm.cc), used on the AVX2 target. The first two handle one image and
// call the threaded sgemm (serial when called from a parallel_for body).
// conv2d_forward_packed does the same as conv2d_forward_gemm on one thread, writing the patch
// matrix straight into the GEMM's panel layout, which saves a copy of it. The filter gradient
// computes the block dw[k_begin:k_end, row_begin:row_end] of dw viewed as [K, C*KH*KW], summing
// the images in order 0..N-1 on the calling thread.
void conv2d_forward_gemm(const Conv2dShape& shape, const float* x, const float* w, float* y);
void conv2d_forward_packed(const Conv2dShape& shape, const float* x, const float* w, float* y);
void conv2d_backward_data_gemm(const Conv2dShape& shape, const float* dy, const float* w, float* dx);
void conv2d_backward_filter_gemm(const Conv2dShape& shape, const float* x, const float* dy, float* dw,
                                 int64_t k_begin, int64_t k_end, int64_t row_begin, int64_t row_end);

// im2col (conv2d_im2col.cc): rows [row_begin, row_end) of the patch matrix of one image, each
// row (c, kh, kw) holding OH*OW values of x (zero where the window is in the padding).
void im2col(const Conv2dShape& shape, const float* x, int64_t row_begin, int64_t row_end, float* col);
// im2col_packed: the whole patch matrix of one image, written in the pre-packed B layout of
// sgemm_avx2_packed_b (gemm.h): patch_size() * gemm_packed_width(OH*OW) floats. row_buffer
// is scratch space of kIm2colRowGroup * gemm_packed_width(OH*OW) floats.
constexpr int64_t kIm2colRowGroup = 16;
void im2col_packed(const Conv2dShape& shape, const float* x, float* packed, float* row_buffer);
// col2im: dx = zero, then every patch-matrix value added back to the x position it came from.
void col2im(const Conv2dShape& shape, const float* col, float* dx);

}  // namespace bntrain
