#include "kernels/pool/pool.h"

#include <cstring>

#include "common/parallel.h"
#include "cpu/cpu_features.h"

namespace bntrain {

// Dispatch: the AVX2 path covers only KH = KW = stride = 2 with pad = 0 (the pooling in the
// project's CNNs); every other geometry, and every geometry on the scalar target, runs the
// general scalar loop. Each (n, c) plane is one unit of parallel work.
void max_pool2d_forward(const float* x, float* y, int32_t* argmax, const Pool2dGeometry& g) {
  const bool use_avx2 = simd_target() == SimdTarget::kAvx2 && g.KH == 2 && g.KW == 2 && g.stride == 2 && g.pad == 0;
  const int64_t in_plane = g.H * g.W;
  const int64_t out_plane = g.OH * g.OW;
  parallel_for(g.N * g.C, [&](int64_t begin, int64_t end) {
    for (int64_t plane = begin; plane < end; ++plane) {
      const float* x_plane = x + plane * in_plane;
      float* y_plane = y + plane * out_plane;
      int32_t* argmax_plane = argmax + plane * out_plane;
      if (use_avx2) {
        max_pool2d_plane_2x2_avx2(x_plane, y_plane, argmax_plane, g);
      } else {
        max_pool2d_plane_scalar(x_plane, y_plane, argmax_plane, g);
      }
    }
  });
}

// One code path for every target: routing dy is a scatter-add, which AVX2 has no instruction for.
// Planes are independent, so threads never write the same dx element.
void max_pool2d_backward(const float* dy, const int32_t* argmax, float* dx, const Pool2dGeometry& g) {
  const int64_t in_plane = g.H * g.W;
  const int64_t out_plane = g.OH * g.OW;
  parallel_for(g.N * g.C, [&](int64_t begin, int64_t end) {
    for (int64_t plane = begin; plane < end; ++plane) {
      float* dx_plane = dx + plane * in_plane;
      const float* dy_plane = dy + plane * out_plane;
      const int32_t* argmax_plane = argmax + plane * out_plane;
      std::memset(dx_plane, 0, static_cast<size_t>(in_plane) * sizeof(float));
      for (int64_t i = 0; i < out_plane; ++i) dx_plane[argmax_plane[i]] += dy_plane[i];
    }
  });
}

}  // namespace bntrain
