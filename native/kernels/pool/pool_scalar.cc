#include "kernels/pool/pool.h"

namespace bntrain {

// `value > best` is false whenever either is NaN, so NaN needs its own test: a NaN replaces a
// number, and a later NaN does not replace an earlier one.
static inline bool wins(float value, float best) { return value > best || (value != value && best == best); }

void max_pool2d_row_scalar(const float* x, float* y, int32_t* argmax, const Pool2dGeometry& g, int64_t oh,
                           int64_t ow_begin, int64_t ow_end) {
  // Clip the window's rows to the plane once per output row: padded rows never take part.
  const int64_t h_start = oh * g.stride - g.pad;
  const int64_t h_begin = h_start < 0 ? 0 : h_start;
  const int64_t h_end = h_start + g.KH < g.H ? h_start + g.KH : g.H;

  for (int64_t ow = ow_begin; ow < ow_end; ++ow) {
    const int64_t w_start = ow * g.stride - g.pad;
    const int64_t w_begin = w_start < 0 ? 0 : w_start;
    const int64_t w_end = w_start + g.KW < g.W ? w_start + g.KW : g.W;

    // The first element in the window seeds the maximum, so -inf inputs still get a real index.
    int64_t best_index = h_begin * g.W + w_begin;
    float best = x[best_index];
    for (int64_t h = h_begin; h < h_end; ++h) {
      for (int64_t w = w_begin; w < w_end; ++w) {
        const float value = x[h * g.W + w];
        if (wins(value, best)) {
          best = value;
          best_index = h * g.W + w;
        }
      }
    }
    y[oh * g.OW + ow] = best;
    argmax[oh * g.OW + ow] = static_cast<int32_t>(best_index);
  }
}

void max_pool2d_plane_scalar(const float* x, float* y, int32_t* argmax, const Pool2dGeometry& g) {
  for (int64_t oh = 0; oh < g.OH; ++oh) max_pool2d_row_scalar(x, y, argmax, g, oh, 0, g.OW);
}

}  // namespace bntrain
