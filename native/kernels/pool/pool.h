// pool.h: 2-D max pooling over NCHW planes, forward and backward.
//
// x and dx are [N, C, H, W]; y, argmax and dy are [N, C, OH, OW] with
// OH = floor((H + 2*pad − KH) / stride) + 1 (same for OW). The caller guarantees OH, OW >= 1 and
// pad < KH, pad < KW, so every window contains at least one input element.
//   forward   y = the maximum of each KH×KW window, argmax = its index h*W + w in the H×W plane.
//             Padding never wins. Ties go to the first maximum in row-major window order, as in
//             PyTorch. NaN wins: the first NaN in a window becomes y and its index argmax
//             (PyTorch 1.13 on CPU also propagates NaN, but records the last NaN's index).
//   backward  dx is overwritten: zeroed, then dx[argmax] += dy per output, in output order, so
//             overlapping windows (stride < kernel) sum deterministically. Every argmax must
//             lie in [0, H*W) (checked by the binding).
// Outputs must not alias inputs. Both entry points split the work by (n, c) planes.
#pragma once

#include <cstdint>

namespace bntrain {

struct Pool2dGeometry {
  int64_t N, C, H, W;
  int64_t KH, KW, stride, pad;
  int64_t OH, OW;
};

void max_pool2d_forward(const float* x, float* y, int32_t* argmax, const Pool2dGeometry& g);
void max_pool2d_backward(const float* dy, const int32_t* argmax, float* dx, const Pool2dGeometry& g);

// One H×W input plane to its OH×OW output plane: any geometry.
void max_pool2d_plane_scalar(const float* x, float* y, int32_t* argmax, const Pool2dGeometry& g);
// Output rows oh and columns [ow_begin, ow_end) of one plane; the scalar tail of the AVX2 version.
void max_pool2d_row_scalar(const float* x, float* y, int32_t* argmax, const Pool2dGeometry& g, int64_t oh,
                           int64_t ow_begin, int64_t ow_end);
// One plane, only for KH = KW = stride = 2, pad = 0: 8 outputs per step, bit-identical to scalar.
void max_pool2d_plane_2x2_avx2(const float* x, float* y, int32_t* argmax, const Pool2dGeometry& g);

}  // namespace bntrain
