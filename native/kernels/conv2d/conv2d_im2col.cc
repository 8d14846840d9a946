// im2col and col2im: the patch matrix that turns a convolution into a GEMM.
//
// For one image, col is [C*KH*KW, OH*OW]: row (c, kh, kw), column (oh, ow) contains
// x[c, oh*stride - pad + kh, ow*stride - pad + kw], or 0 in the padding. Then
//   y  [K, OH*OW]      = w [K, C*KH*KW] . col
//   dcol [C*KH*KW, OH*OW] = w^T . dy, and col2im folds dcol back onto dx.
#include <algorithm>
#include <cstring>

#include "kernels/conv2d/conv2d.h"
#include "kernels/gemm/gemm.h"

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

// One patch row when stride is 1 and OW == W (a "same" convolution such as 3x3 with pad 1): the
// row is x's plane shifted by (kh - pad) rows and (kw - pad) columns, so it is one copy over the
// valid output rows, then zeros in the padding columns and rows. Saves a copy call per output row.
void im2col_row_same_width(const Conv2dShape& s, const float* x_plane, int64_t kh, int64_t kw,
                           const ValidRange& columns, float* out) {
  const ValidRange rows = valid_outputs(s.H, s.OH, 1, s.pad, kh);
  const int64_t shift = (kh - s.pad) * s.W + (kw - s.pad);
  std::fill(out, out + rows.begin * s.OW, 0.0f);
  std::fill(out + rows.end * s.OW, out + s.OH * s.OW, 0.0f);
  if (rows.begin == rows.end || columns.begin == columns.end) {
    std::fill(out + rows.begin * s.OW, out + rows.end * s.OW, 0.0f);
    return;
  }

  // From the first valid element to the last: every source index in between lies in the plane.
  const int64_t first = rows.begin * s.OW + columns.begin;
  const int64_t last = (rows.end - 1) * s.OW + columns.end;
  std::copy(x_plane + first + shift, x_plane + last + shift, out + first);
  for (int64_t oh = rows.begin; oh < rows.end; ++oh) {
    float* dst = out + oh * s.OW;
    for (int64_t ow = 0; ow < columns.begin; ++ow) dst[ow] = 0.0f;
    for (int64_t ow = columns.end; ow < s.OW; ++ow) dst[ow] = 0.0f;
  }
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
    if (s.stride == 1 && s.OW == s.W) {
      im2col_row_same_width(s, x_plane, kh, kw, columns, out);
      continue;
    }

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

void im2col_packed(const Conv2dShape& s, const float* x, float* packed, float* row_buffer) {
  const int64_t plane = s.output_plane();
  const int64_t width = gemm_packed_width(plane);
  const int64_t patch = s.patch_size();
  const int64_t depth = gemm_block_depth(patch);
  for (int64_t r = 0; r < kIm2colRowGroup; ++r) {
    std::fill(row_buffer + r * width + plane, row_buffer + (r + 1) * width, 0.0f);
  }

  // Build up to 16 patch rows in row_buffer, then copy them panel by panel: in the packed layout
  // those rows are 16 consecutive floats of each panel row, so every panel receives one
  // contiguous 1 KiB run. (Copying one row at a time writes 64 bytes every kc*64 bytes, a
  // stride that maps every write to the same L1 set.)
  for (int64_t p0 = 0; p0 < patch; p0 += depth) {
    const int64_t kc = std::min(depth, patch - p0);
    float* block = packed + p0 * width;
    for (int64_t g0 = 0; g0 < kc; g0 += kIm2colRowGroup) {
      const int64_t rows = std::min(kIm2colRowGroup, kc - g0);
      for (int64_t r = 0; r < rows; ++r) im2col(s, x, p0 + g0 + r, p0 + g0 + r + 1, row_buffer + r * width);

      for (int64_t j = 0; j < width; j += kGemmPanelWidth) {
        float* panel_rows = block + j * kc + g0 * kGemmPanelWidth;
        for (int64_t r = 0; r < rows; ++r) {
          // A fixed-size memcpy compiles to a few vector moves instead of a library call.
          std::memcpy(panel_rows + r * kGemmPanelWidth, row_buffer + r * width + j, kGemmPanelWidth * sizeof(float));
        }
      }
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
