#include <immintrin.h>

#include "kernels/batchnorm/batchnorm.h"
#include "kernels/batchnorm/sum8_avx2.h"

namespace bntrain {

// Statistics run in double lanes and the elementwise passes in float lanes. Per-channel
// coefficients come from the scalar helpers in batchnorm_scalar.cc, so both paths share formulas.
namespace {

using bn_avx2::broadcast8;
using bn_avx2::Sum8;

inline const float* channel_row(const float* data, BatchNormShape shape, int64_t n, int64_t c) {
  return data + (n * shape.C + c) * shape.HW;
}

inline float* channel_row(float* data, BatchNormShape shape, int64_t n, int64_t c) {
  return data + (n * shape.C + c) * shape.HW;
}

// ---- HW > 1: one channel at a time, 8 lanes along HW, scalar tail per row ----
//
// Each sum alternates between two Sum8 accumulators (four chains of 4 double lanes) because
// add_pd and fmadd_pd have a 4-cycle latency. Measured on the K2 shape (64x64x28x28, one thread,
// old and new build alternating in one process on the 2-core test VM), the training forward went
// from 1.71 to 1.58 ms. The backward stayed at 1.7 ms because reading x and dy from memory bounds it.
//
// The first pass of the forward and of the backward reads the channel from memory. A sample's row
// is only HW floats (3 KiB at 28x28) and the next sample's row starts C*HW floats later, so the
// hardware prefetcher starts over at every row. Prefetching row n + 1 while summing row n took the
// K2 step from 3.8 to 3.4 ms at one thread and from 2.0 to 1.8 ms at two (same A/B setup).

void forward_train_channel(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                           float* variance, BatchNormShape shape, double eps, int64_t c) {
  const double m = static_cast<double>(shape.N * shape.HW);
  const int64_t body = shape.HW & ~int64_t{7};
  const int64_t body16 = shape.HW & ~int64_t{15};

  // pass 1: mean
  Sum8 sum[2];
  double tail = 0.0;
  for (int64_t n = 0; n < shape.N; ++n) {
    const float* row = channel_row(x, shape, n, c);
    const float* next = n + 1 < shape.N ? channel_row(x, shape, n + 1, c) : row;
    for (int64_t i = 0; i < body16; i += 16) {
      _mm_prefetch(reinterpret_cast<const char*>(next + i), _MM_HINT_T0);
      sum[0].add(_mm256_loadu_ps(row + i));
      sum[1].add(_mm256_loadu_ps(row + i + 8));
    }
    if (body16 < body) sum[0].add(_mm256_loadu_ps(row + body16));
    for (int64_t i = body; i < shape.HW; ++i) tail += row[i];
  }
  const double mu = (sum[0].total() + sum[1].total() + tail) / m;

  // pass 2: biased variance around the mean (two passes, see batchnorm_scalar.cc)
  const Sum8 center = broadcast8(mu);
  Sum8 squares[2];
  tail = 0.0;
  for (int64_t n = 0; n < shape.N; ++n) {
    const float* row = channel_row(x, shape, n, c);
    for (int64_t i = 0; i < body16; i += 16) {
      squares[0].add_square_centered(_mm256_loadu_ps(row + i), center);
      squares[1].add_square_centered(_mm256_loadu_ps(row + i + 8), center);
    }
    if (body16 < body) squares[0].add_square_centered(_mm256_loadu_ps(row + body16), center);
    for (int64_t i = body; i < shape.HW; ++i) tail += (row[i] - mu) * (row[i] - mu);
  }
  const double var = (squares[0].total() + squares[1].total() + tail) / m;
  mean[c] = static_cast<float>(mu);
  variance[c] = static_cast<float>(var);

  // pass 3: y = ((x − mean_hi) − mean_lo)·scale + shift
  const ChannelCenter split = split_mean(mu);
  const float scale = static_cast<float>((gamma ? gamma[c] : 1.0) * inverse_std(var, eps));
  const float shift = beta ? beta[c] : 0.0f;
  const __m256 hi = _mm256_set1_ps(split.mean_hi), lo = _mm256_set1_ps(split.mean_lo);
  const __m256 scale8 = _mm256_set1_ps(scale), shift8 = _mm256_set1_ps(shift);
  for (int64_t n = 0; n < shape.N; ++n) {
    const float* in = channel_row(x, shape, n, c);
    float* out = channel_row(y, shape, n, c);
    for (int64_t i = 0; i < body; i += 8) {
      const __m256 centered = _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(in + i), hi), lo);
      _mm256_storeu_ps(out + i, _mm256_fmadd_ps(centered, scale8, shift8));
    }
    for (int64_t i = body; i < shape.HW; ++i) out[i] = ((in[i] - split.mean_hi) - split.mean_lo) * scale + shift;
  }
}

void backward_channel(const float* x, const float* dy, const float* mean, const float* variance, const float* gamma,
                      float* dx, float* dgamma, float* dbeta, BatchNormShape shape, double eps, int64_t c) {
  const double m = static_cast<double>(shape.N * shape.HW);
  const int64_t body = shape.HW & ~int64_t{7};
  const int64_t body16 = shape.HW & ~int64_t{15};
  const float mu = mean[c];
  const double invstd = inverse_std(variance[c], eps);

  // pass 1: Σdy and Σdy·(x − mean) in one read of dy
  const Sum8 center = broadcast8(mu);
  Sum8 sum_dy8[2], sum_dy_xc8[2];
  double sum_dy = 0.0, sum_dy_xc = 0.0;
  const auto accumulate = [&](const float* x_at, const float* dy_at, int k) {
    const __m256 dy8 = _mm256_loadu_ps(dy_at);
    sum_dy8[k].add(dy8);
    sum_dy_xc8[k].add_product_centered(dy8, _mm256_loadu_ps(x_at), center);
  };
  for (int64_t n = 0; n < shape.N; ++n) {
    const float* x_row = channel_row(x, shape, n, c);
    const float* dy_row = channel_row(dy, shape, n, c);
    const float* x_next = n + 1 < shape.N ? channel_row(x, shape, n + 1, c) : x_row;
    const float* dy_next = n + 1 < shape.N ? channel_row(dy, shape, n + 1, c) : dy_row;
    for (int64_t i = 0; i < body16; i += 16) {
      _mm_prefetch(reinterpret_cast<const char*>(x_next + i), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(dy_next + i), _MM_HINT_T0);
      accumulate(x_row + i, dy_row + i, 0);
      accumulate(x_row + i + 8, dy_row + i + 8, 1);
    }
    if (body16 < body) accumulate(x_row + body16, dy_row + body16, 0);
    for (int64_t i = body; i < shape.HW; ++i) {
      sum_dy += dy_row[i];
      sum_dy_xc += static_cast<double>(dy_row[i]) * (static_cast<double>(x_row[i]) - mu);
    }
  }
  sum_dy += sum_dy8[0].total() + sum_dy8[1].total();
  sum_dy_xc += sum_dy_xc8[0].total() + sum_dy_xc8[1].total();
  if (dbeta) dbeta[c] = static_cast<float>(sum_dy);
  if (dgamma) dgamma[c] = static_cast<float>(sum_dy_xc * invstd);
  if (!dx) return;

  // pass 2: dx = A·dy + B·(x − mean) + C0
  const BackwardTerms terms = backward_terms(sum_dy, sum_dy_xc, invstd, gamma ? gamma[c] : 1.0, m);
  const __m256 a8 = _mm256_set1_ps(terms.A), b8 = _mm256_set1_ps(terms.B), c8 = _mm256_set1_ps(terms.C0);
  const __m256 mu8 = _mm256_set1_ps(mu);
  for (int64_t n = 0; n < shape.N; ++n) {
    const float* x_row = channel_row(x, shape, n, c);
    const float* dy_row = channel_row(dy, shape, n, c);
    float* dx_row = channel_row(dx, shape, n, c);
    for (int64_t i = 0; i < body; i += 8) {
      const __m256 centered = _mm256_sub_ps(_mm256_loadu_ps(x_row + i), mu8);
      const __m256 rest = _mm256_fmadd_ps(b8, centered, c8);
      _mm256_storeu_ps(dx_row + i, _mm256_fmadd_ps(a8, _mm256_loadu_ps(dy_row + i), rest));
    }
    for (int64_t i = body; i < shape.HW; ++i) {
      dx_row[i] = terms.A * dy_row[i] + (terms.B * (x_row[i] - mu) + terms.C0);
    }
  }
}

void forward_inference_channel(const float* x, const float* mean, const float* variance, const float* gamma,
                               const float* beta, float* y, BatchNormShape shape, double eps, int64_t c) {
  const int64_t body = shape.HW & ~int64_t{7};
  const double a = (gamma ? gamma[c] : 1.0) * inverse_std(variance[c], eps);
  const float scale = static_cast<float>(a);
  const float shift = static_cast<float>((beta ? beta[c] : 0.0) - mean[c] * a);
  const __m256 scale8 = _mm256_set1_ps(scale), shift8 = _mm256_set1_ps(shift);
  for (int64_t n = 0; n < shape.N; ++n) {
    const float* in = channel_row(x, shape, n, c);
    float* out = channel_row(y, shape, n, c);
    for (int64_t i = 0; i < body; i += 8) {
      _mm256_storeu_ps(out + i, _mm256_fmadd_ps(_mm256_loadu_ps(in + i), scale8, shift8));
    }
    for (int64_t i = body; i < shape.HW; ++i) out[i] = in[i] * scale + shift;
  }
}

}  // namespace

void batchnorm_forward_train_avx2(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                                  float* variance, BatchNormShape shape, double eps, int64_t c_begin,
                                  int64_t c_end) {
  if (shape.HW == 1) {
    batchnorm_forward_train_dense_avx2(x, gamma, beta, y, mean, variance, shape, eps, c_begin, c_end);
    return;
  }
  for (int64_t c = c_begin; c < c_end; ++c) forward_train_channel(x, gamma, beta, y, mean, variance, shape, eps, c);
}

void batchnorm_backward_avx2(const float* x, const float* dy, const float* mean, const float* variance,
                             const float* gamma, float* dx, float* dgamma, float* dbeta, BatchNormShape shape,
                             double eps, int64_t c_begin, int64_t c_end) {
  if (shape.HW == 1) {
    batchnorm_backward_dense_avx2(x, dy, mean, variance, gamma, dx, dgamma, dbeta, shape, eps, c_begin, c_end);
    return;
  }
  for (int64_t c = c_begin; c < c_end; ++c) {
    backward_channel(x, dy, mean, variance, gamma, dx, dgamma, dbeta, shape, eps, c);
  }
}

void batchnorm_forward_inference_avx2(const float* x, const float* mean, const float* variance, const float* gamma,
                                      const float* beta, float* y, BatchNormShape shape, double eps,
                                      int64_t c_begin, int64_t c_end) {
  if (shape.HW == 1) {
    batchnorm_forward_inference_dense_avx2(x, mean, variance, gamma, beta, y, shape, eps, c_begin, c_end);
    return;
  }
  for (int64_t c = c_begin; c < c_end; ++c) forward_inference_channel(x, mean, variance, gamma, beta, y, shape, eps, c);
}

}  // namespace bntrain
