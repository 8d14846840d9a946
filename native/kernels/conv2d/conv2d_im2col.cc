// im2col and col2im: the patch matrix that turns a convolution into a GEMM.
//
// For one image, col is [C*KH*KW, OH*OW]: row (c, kh, kw), column (oh, ow) holds
// x[c, oh*stride - pad + kh, ow*stride - pad + kw], or 0 in the padding. Then
//   y  [K, OH*OW]      = w [K, C*KH*KW] . col
//   dcol [C*KH*KW, OH*OW] = w^T . dy, and col2im folds dcol back onto dx.
#include <algorithm>

#include "kernels/conv2d/conv2d.h"

namespace bntrain {
namespace {

// Output columns [begin, end) of one (row, kh, kw) whose input column iw = ow*stride - pad + kw
// lies inside [0, W); the others read padding.
struct ValidRange {
  int64_t begin;
  int64_t end;
};

ValidRange valid_outputs(int64_t size, int64_t outputs, int64_t stride, int64_t pad, int64_t offset) {
  // ow*stride >= pad - offset and ow*stride <= size - 1 + pad - offset.
  const int64_t low = pad - offset;
  const int64_t high = size - 1 + pad - offset;
  const int64_t begin = low <= 0 ? 0 : (low + stride - 1) / stride;
  const int64_t end = high < 0 ? 0 : std::min(outputs, high / stride + 1);
  return {std::min(begin, end), end};
}

}  // namespace

void im2col(const Conv2dShape& s, const float* x, int64_t row_begin, int64_t row_end, float* col) {
  const int64_t plane = s.output_plane();
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int64_t c = row / (s.KH * s.KW);
    const int64_t kh = row / s.KW % s.KH;
    const int64_t kw = row % s.KW;
    const float* x_plane = x + c * s.H * s.W;
    float* out = col + (row - row_begin) * plane;
    const ValidRange columns = valid_outputs(s.W, s.OW, s.stride, s.pad, kw);

    for (int64_t oh = 0; oh < s.OH; ++oh) {
      float* dst = out + oh * s.OW;
      const int64_t ih = oh * s.stride - s.pad + kh;
      if (ih < 0 || ih >= s.H) {
        std::fill(dst, dst + s.OW, 0.0f);
        continue;
      }
      // x index of output column ow; non-negative for ow in the valid range.
      const int64_t base = ih * s.W - s.pad + kw;
      std::fill(dst, dst + columns.begin, 0.0f);
      if (s.stride == 1) {
        std::copy(x_plane + base + columns.begin, x_plane + base + columns.end, dst + columns.begin);
      } else {
        for (int64_t ow = columns.begin; ow < columns.end; ++ow) dst[ow] = x_plane[base + ow * s.stride];
      }
      std::fill(dst + columns.end, dst + s.OW, 0.0f);
    }
  }
}

void col2im(const Conv2dShape& s, const float* col, float* dx) {
  const int64_t plane = s.output_plane();
  std::fill(dx, dx + s.image_size(), 0.0f);

  // Rows in increasing order, so each dx element sums its contributions in a fixed order.
  for (int64_t row = 0; row < s.patch_size(); ++row) {
    const int64_t c = row / (s.KH * s.KW);
    const int64_t kh = row / s.KW % s.KH;
    const int64_t kw = row % s.KW;
    float* dx_plane = dx + c * s.H * s.W;
    const float* in = col + row * plane;
    const ValidRange columns = valid_outputs(s.W, s.OW, s.stride, s.pad, kw);

    for (int64_t oh = 0; oh < s.OH; ++oh) {
      const int64_t ih = oh * s.stride - s.pad + kh;
      if (ih < 0 || ih >= s.H) continue;
      const int64_t base = ih * s.W - s.pad + kw;
      const float* src = in + oh * s.OW;
      for (int64_t ow = columns.begin; ow < columns.end; ++ow) dx_plane[base + ow * s.stride] += src[ow];
    }
  }
}

}  // namespace bntrain
