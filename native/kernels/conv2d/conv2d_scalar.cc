// Direct-loop convolution: the readable definition, the fallback on CPUs without AVX2, and the
// path the tests compare the GEMM path with.
#include <algorithm>

#include "kernels/conv2d/conv2d.h"

namespace bntrain {

int64_t conv2d_output_size(int64_t size, int64_t kernel, int64_t stride, int64_t pad) {
  const int64_t span = size + 2 * pad - kernel;
  return span < 0 ? 0 : span / stride + 1;
}

void conv2d_forward_scalar(const Conv2dShape& s, const float* x, const float* w, float* y) {
  const int64_t x_stride_c = s.H * s.W;
  const int64_t w_stride_k = s.C * s.KH * s.KW;
  const int64_t w_stride_c = s.KH * s.KW;

  for (int64_t k = 0; k < s.K; ++k) {
    for (int64_t oh = 0; oh < s.OH; ++oh) {
      for (int64_t ow = 0; ow < s.OW; ++ow) {
        float sum = 0.0f;
        for (int64_t c = 0; c < s.C; ++c) {
          for (int64_t kh = 0; kh < s.KH; ++kh) {
            const int64_t ih = oh * s.stride - s.pad + kh;
            if (ih < 0 || ih >= s.H) continue;
            for (int64_t kw = 0; kw < s.KW; ++kw) {
              const int64_t iw = ow * s.stride - s.pad + kw;
              if (iw < 0 || iw >= s.W) continue;
              sum += w[k * w_stride_k + c * w_stride_c + kh * s.KW + kw] * x[c * x_stride_c + ih * s.W + iw];
            }
          }
        }
        y[(k * s.OH + oh) * s.OW + ow] = sum;
      }
    }
  }
}

void conv2d_backward_data_scalar(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  const int64_t x_stride_c = s.H * s.W;
  const int64_t w_stride_k = s.C * s.KH * s.KW;
  const int64_t w_stride_c = s.KH * s.KW;
  std::fill(dx, dx + s.image_size(), 0.0f);

  // Scatter each output gradient back through the window that produced the output.
  for (int64_t k = 0; k < s.K; ++k) {
    for (int64_t oh = 0; oh < s.OH; ++oh) {
      for (int64_t ow = 0; ow < s.OW; ++ow) {
        const float gradient = dy[(k * s.OH + oh) * s.OW + ow];
        for (int64_t c = 0; c < s.C; ++c) {
          for (int64_t kh = 0; kh < s.KH; ++kh) {
            const int64_t ih = oh * s.stride - s.pad + kh;
            if (ih < 0 || ih >= s.H) continue;
            for (int64_t kw = 0; kw < s.KW; ++kw) {
              const int64_t iw = ow * s.stride - s.pad + kw;
              if (iw < 0 || iw >= s.W) continue;
              dx[c * x_stride_c + ih * s.W + iw] += w[k * w_stride_k + c * w_stride_c + kh * s.KW + kw] * gradient;
            }
          }
        }
      }
    }
  }
}

// Each filter weight sums N*OH*OW products, 50K for a 64-image batch at 28x28, so the sum runs
// in double and is rounded to float once.
void conv2d_backward_filter_scalar(const Conv2dShape& s, const float* x, const float* dy, float* dw,
                                   int64_t k_begin, int64_t k_end) {
  const int64_t x_stride_n = s.image_size();
  const int64_t x_stride_c = s.H * s.W;
  const int64_t dy_stride_n = s.output_image_size();

  for (int64_t k = k_begin; k < k_end; ++k) {
    for (int64_t c = 0; c < s.C; ++c) {
      for (int64_t kh = 0; kh < s.KH; ++kh) {
        for (int64_t kw = 0; kw < s.KW; ++kw) {
          double sum = 0.0;
          for (int64_t n = 0; n < s.N; ++n) {
            for (int64_t oh = 0; oh < s.OH; ++oh) {
              const int64_t ih = oh * s.stride - s.pad + kh;
              if (ih < 0 || ih >= s.H) continue;
              for (int64_t ow = 0; ow < s.OW; ++ow) {
                const int64_t iw = ow * s.stride - s.pad + kw;
                if (iw < 0 || iw >= s.W) continue;
                sum += static_cast<double>(x[n * x_stride_n + c * x_stride_c + ih * s.W + iw]) *
                       dy[n * dy_stride_n + (k * s.OH + oh) * s.OW + ow];
              }
            }
          }
          dw[((k * s.C + c) * s.KH + kh) * s.KW + kw] = static_cast<float>(sum);
        }
      }
    }
  }
}

}  // namespace bntrain
