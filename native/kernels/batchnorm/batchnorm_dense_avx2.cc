// Dense batch normalization (HW == 1): x is [N, C], so one register contains 8 adjacent channels of
// one sample and every loop runs over n. Each channel still sums its N values in order, in
// double, exactly as the scalar version does.
#include <immintrin.h>

#include "kernels/batchnorm/batchnorm.h"
#include "kernels/batchnorm/sum8_avx2.h"

namespace bntrain {
namespace {

using bn_avx2::load8;
using bn_avx2::Sum8;

constexpr int64_t kLanes = 8;

void forward_train_block(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                         float* variance, BatchNormShape shape, double eps, int64_t c0) {
  const int64_t N = shape.N, C = shape.C;
  const double m = static_cast<double>(N);

  // pass 1: means of channels c0 .. c0+7
  Sum8 sum;
  for (int64_t n = 0; n < N; ++n) sum.add(_mm256_loadu_ps(x + n * C + c0));
  double mu[kLanes];
  sum.store(mu);
  for (int64_t j = 0; j < kLanes; ++j) mu[j] /= m;

  // pass 2: biased variances around the means
  const Sum8 center = load8(mu);
  Sum8 squares;
  for (int64_t n = 0; n < N; ++n) squares.add_square_centered(_mm256_loadu_ps(x + n * C + c0), center);
  double var[kLanes];
  squares.store(var);

  // per-channel coefficients, as in the scalar version
  float hi[kLanes], lo[kLanes], scale[kLanes], shift[kLanes];
  for (int64_t j = 0; j < kLanes; ++j) {
    const int64_t c = c0 + j;
    var[j] /= m;
    mean[c] = static_cast<float>(mu[j]);
    variance[c] = static_cast<float>(var[j]);
    const ChannelCenter split = split_mean(mu[j]);
    hi[j] = split.mean_hi;
    lo[j] = split.mean_lo;
    scale[j] = static_cast<float>((gamma ? gamma[c] : 1.0) * inverse_std(var[j], eps));
    shift[j] = beta ? beta[c] : 0.0f;
  }

  // pass 3: y = ((x − mean_hi) − mean_lo)·scale + shift
  const __m256 hi8 = _mm256_loadu_ps(hi), lo8 = _mm256_loadu_ps(lo);
  const __m256 scale8 = _mm256_loadu_ps(scale), shift8 = _mm256_loadu_ps(shift);
  for (int64_t n = 0; n < N; ++n) {
    const __m256 centered = _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(x + n * C + c0), hi8), lo8);
    _mm256_storeu_ps(y + n * C + c0, _mm256_fmadd_ps(centered, scale8, shift8));
  }
}

void backward_block(const float* x, const float* dy, const float* mean, const float* variance, const float* gamma,
                    float* dx, float* dgamma, float* dbeta, BatchNormShape shape, double eps, int64_t c0) {
  const int64_t N = shape.N, C = shape.C;
  const __m256 mu8 = _mm256_loadu_ps(mean + c0);
  Sum8 center;
  center.low = _mm256_cvtps_pd(_mm256_castps256_ps128(mu8));
  center.high = _mm256_cvtps_pd(_mm256_extractf128_ps(mu8, 1));

  // pass 1: Σdy and Σdy·(x − mean) in one read of dy
  Sum8 sum_dy8, sum_dy_xc8;
  for (int64_t n = 0; n < N; ++n) {
    const __m256 dy8 = _mm256_loadu_ps(dy + n * C + c0);
    sum_dy8.add(dy8);
    sum_dy_xc8.add_product_centered(dy8, _mm256_loadu_ps(x + n * C + c0), center);
  }
  double sum_dy[kLanes], sum_dy_xc[kLanes];
  sum_dy8.store(sum_dy);
  sum_dy_xc8.store(sum_dy_xc);

  // per-channel gradients and dx coefficients
  float a[kLanes], b[kLanes], c_term[kLanes];
  for (int64_t j = 0; j < kLanes; ++j) {
    const int64_t c = c0 + j;
    const double invstd = inverse_std(variance[c], eps);
    if (dbeta) dbeta[c] = static_cast<float>(sum_dy[j]);
    if (dgamma) dgamma[c] = static_cast<float>(sum_dy_xc[j] * invstd);
    const BackwardTerms terms = backward_terms(sum_dy[j], sum_dy_xc[j], invstd, gamma ? gamma[c] : 1.0,
                                               static_cast<double>(N));
    a[j] = terms.A;
    b[j] = terms.B;
    c_term[j] = terms.C0;
  }
  if (!dx) return;

  // pass 2: dx = A·dy + B·(x − mean) + C0
  const __m256 a8 = _mm256_loadu_ps(a), b8 = _mm256_loadu_ps(b), c8 = _mm256_loadu_ps(c_term);
  for (int64_t n = 0; n < N; ++n) {
    const __m256 centered = _mm256_sub_ps(_mm256_loadu_ps(x + n * C + c0), mu8);
    const __m256 rest = _mm256_fmadd_ps(b8, centered, c8);
    _mm256_storeu_ps(dx + n * C + c0, _mm256_fmadd_ps(a8, _mm256_loadu_ps(dy + n * C + c0), rest));
  }
}

void forward_inference_block(const float* x, const float* mean, const float* variance, const float* gamma,
                             const float* beta, float* y, BatchNormShape shape, double eps, int64_t c0) {
  const int64_t N = shape.N, C = shape.C;
  float scale[kLanes], shift[kLanes];
  for (int64_t j = 0; j < kLanes; ++j) {
    const int64_t c = c0 + j;
    const double a = (gamma ? gamma[c] : 1.0) * inverse_std(variance[c], eps);
    scale[j] = static_cast<float>(a);
    shift[j] = static_cast<float>((beta ? beta[c] : 0.0) - mean[c] * a);
  }
  const __m256 scale8 = _mm256_loadu_ps(scale), shift8 = _mm256_loadu_ps(shift);
  for (int64_t n = 0; n < N; ++n) {
    _mm256_storeu_ps(y + n * C + c0, _mm256_fmadd_ps(_mm256_loadu_ps(x + n * C + c0), scale8, shift8));
  }
}

}  // namespace

void batchnorm_forward_train_dense_avx2(const float* x, const float* gamma, const float* beta, float* y,
                                        float* mean, float* variance, BatchNormShape shape, double eps,
                                        int64_t c_begin, int64_t c_end) {
  int64_t c = c_begin;
  for (; c + kLanes <= c_end; c += kLanes) forward_train_block(x, gamma, beta, y, mean, variance, shape, eps, c);
  batchnorm_forward_train_scalar(x, gamma, beta, y, mean, variance, shape, eps, c, c_end);
}

void batchnorm_backward_dense_avx2(const float* x, const float* dy, const float* mean, const float* variance,
                                   const float* gamma, float* dx, float* dgamma, float* dbeta, BatchNormShape shape,
                                   double eps, int64_t c_begin, int64_t c_end) {
  int64_t c = c_begin;
  for (; c + kLanes <= c_end; c += kLanes) {
    backward_block(x, dy, mean, variance, gamma, dx, dgamma, dbeta, shape, eps, c);
  }
  batchnorm_backward_scalar(x, dy, mean, variance, gamma, dx, dgamma, dbeta, shape, eps, c, c_end);
}

void batchnorm_forward_inference_dense_avx2(const float* x, const float* mean, const float* variance,
                                            const float* gamma, const float* beta, float* y, BatchNormShape shape,
                                            double eps, int64_t c_begin, int64_t c_end) {
  int64_t c = c_begin;
  for (; c + kLanes <= c_end; c += kLanes) forward_inference_block(x, mean, variance, gamma, beta, y, shape, eps, c);
  batchnorm_forward_inference_scalar(x, mean, variance, gamma, beta, y, shape, eps, c, c_end);
}

}  // namespace bntrain
