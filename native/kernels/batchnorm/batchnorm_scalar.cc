#include <cmath>

#include "kernels/batchnorm/batchnorm.h"

namespace bntrain {

ChannelCenter split_mean(double mean) {
  const float hi = static_cast<float>(mean);
  return {hi, static_cast<float>(mean - static_cast<double>(hi))};
}

// eps > 0 (checked by the binding), so a constant channel (variance 0) gets 1/sqrt(eps), finite;
// its centered values are exactly 0, so y = beta.
double inverse_std(double variance, double eps) { return 1.0 / std::sqrt(variance + eps); }

// dx = gamma·invstd/m·(m·dy − Σdy − x̂·Σdy·x̂) with x̂ = (x − mean)·invstd expands to
//   dx = (gamma·invstd)·dy + (−gamma·invstd³·Σdy·(x − mean)/m)·(x − mean) + (−gamma·invstd·Σdy/m),
// one multiply-add pair per element with three per-channel constants computed in double.
BackwardTerms backward_terms(double sum_dy, double sum_dy_xc, double invstd, double gamma, double m) {
  const double scale = gamma * invstd;
  return {static_cast<float>(scale), static_cast<float>(-scale * invstd * invstd * sum_dy_xc / m),
          static_cast<float>(-scale * sum_dy / m)};
}

namespace {

// Returns a pointer to the HW values of channel c in sample n.
inline const float* channel_row(const float* data, BatchNormShape shape, int64_t n, int64_t c) {
  return data + (n * shape.C + c) * shape.HW;
}

inline float* channel_row(float* data, BatchNormShape shape, int64_t n, int64_t c) {
  return data + (n * shape.C + c) * shape.HW;
}

}  // namespace

// Statistics run in double and the variance takes two passes (mean first, then Σ(x − mean)²):
// the one-pass E[x²] − E[x]² cancels catastrophically when |mean| ≫ std, e.g. |mean| ~ 1e4 with
// unit spread leaves no correct digit in float and about 8 in double.
void batchnorm_forward_train_scalar(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                                    float* variance, BatchNormShape shape, double eps, int64_t c_begin,
                                    int64_t c_end) {
  const double m = static_cast<double>(shape.N * shape.HW);
  for (int64_t c = c_begin; c < c_end; ++c) {
    // pass 1: mean
    double sum = 0.0;
    for (int64_t n = 0; n < shape.N; ++n) {
      const float* row = channel_row(x, shape, n, c);
      for (int64_t i = 0; i < shape.HW; ++i) sum += row[i];
    }
    const double mu = sum / m;

    // pass 2: biased variance around the mean
    double squares = 0.0;
    for (int64_t n = 0; n < shape.N; ++n) {
      const float* row = channel_row(x, shape, n, c);
      for (int64_t i = 0; i < shape.HW; ++i) {
        const double centered = row[i] - mu;
        squares += centered * centered;
      }
    }
    const double var = squares / m;
    mean[c] = static_cast<float>(mu);
    variance[c] = static_cast<float>(var);

    // pass 3: y = ((x − mean_hi) − mean_lo)·scale + shift
    const ChannelCenter center = split_mean(mu);
    const float scale = static_cast<float>((gamma ? gamma[c] : 1.0) * inverse_std(var, eps));
    const float shift = beta ? beta[c] : 0.0f;
    for (int64_t n = 0; n < shape.N; ++n) {
      const float* in = channel_row(x, shape, n, c);
      float* out = channel_row(y, shape, n, c);
      for (int64_t i = 0; i < shape.HW; ++i) out[i] = ((in[i] - center.mean_hi) - center.mean_lo) * scale + shift;
    }
  }
}

// Centers with the float mean the forward pass returned. NOTE: with |mean| ~ 1e4 that float is
// off from the exact batch mean by up to 4.9e-4, which shifts x̂ (and dgamma) by that much times
// invstd; the interface passes the mean as float, so the backward cannot recover it.
void batchnorm_backward_scalar(const float* x, const float* dy, const float* mean, const float* variance,
                               const float* gamma, float* dx, float* dgamma, float* dbeta, BatchNormShape shape,
                               double eps, int64_t c_begin, int64_t c_end) {
  const double m = static_cast<double>(shape.N * shape.HW);
  for (int64_t c = c_begin; c < c_end; ++c) {
    const float mu = mean[c];
    const double invstd = inverse_std(variance[c], eps);

    // pass 1: Σdy and Σdy·(x − mean) together, so dy is read once
    double sum_dy = 0.0;
    double sum_dy_xc = 0.0;
    for (int64_t n = 0; n < shape.N; ++n) {
      const float* x_row = channel_row(x, shape, n, c);
      const float* dy_row = channel_row(dy, shape, n, c);
      for (int64_t i = 0; i < shape.HW; ++i) {
        sum_dy += dy_row[i];
        sum_dy_xc += static_cast<double>(dy_row[i]) * (static_cast<double>(x_row[i]) - mu);
      }
    }
    if (dbeta) dbeta[c] = static_cast<float>(sum_dy);
    if (dgamma) dgamma[c] = static_cast<float>(sum_dy_xc * invstd);
    if (!dx) continue;

    // pass 2: dx = A·dy + B·(x − mean) + C0
    const BackwardTerms terms = backward_terms(sum_dy, sum_dy_xc, invstd, gamma ? gamma[c] : 1.0, m);
    for (int64_t n = 0; n < shape.N; ++n) {
      const float* x_row = channel_row(x, shape, n, c);
      const float* dy_row = channel_row(dy, shape, n, c);
      float* dx_row = channel_row(dx, shape, n, c);
      for (int64_t i = 0; i < shape.HW; ++i) {
        dx_row[i] = terms.A * dy_row[i] + (terms.B * (x_row[i] - mu) + terms.C0);
      }
    }
  }
}

// y = gamma·(x − mean)/sqrt(variance + eps) + beta folds into y = a·x + b per channel with
//   a = gamma/sqrt(variance + eps),  b = beta − mean·a,
// computed in double once per channel. PyTorch's CPU kernel folds the same way
// (batch_norm_cpu_inference_collect_linear_and_constant_terms in batch_norm_kernel.cpp).
// NOTE: when |mean| ≫ std the product a·x rounds at the scale of a·|mean| before b cancels it,
// so y loses about log2(|mean|/std) bits.
void batchnorm_forward_inference_scalar(const float* x, const float* mean, const float* variance,
                                        const float* gamma, const float* beta, float* y, BatchNormShape shape,
                                        double eps, int64_t c_begin, int64_t c_end) {
  for (int64_t c = c_begin; c < c_end; ++c) {
    const double a = (gamma ? gamma[c] : 1.0) * inverse_std(variance[c], eps);
    const float scale = static_cast<float>(a);
    const float shift = static_cast<float>((beta ? beta[c] : 0.0) - mean[c] * a);
    for (int64_t n = 0; n < shape.N; ++n) {
      const float* in = channel_row(x, shape, n, c);
      float* out = channel_row(y, shape, n, c);
      for (int64_t i = 0; i < shape.HW; ++i) out[i] = in[i] * scale + shift;
    }
  }
}

}  // namespace bntrain
