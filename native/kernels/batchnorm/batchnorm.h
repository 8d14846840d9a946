// batchnorm.h: batch normalization over x viewed as [N, C, HW], Ioffe & Szegedy (2015), Algorithm 1.
//
// Layout: x, y, dy, dx are N*C*HW contiguous floats, row-major [N, C, HW], so channel c of sample n
// is the HW floats at (n*C + c)*HW. Convolutions pass HW = H*W (statistics per channel over N*H*W
// values); dense layers pass HW = 1 (statistics per activation over N values). m = N*HW >= 1.
// gamma, beta, mean, variance, dgamma, dbeta contain C floats. gamma == nullptr means 1, beta ==
// nullptr means 0. Every output is overwritten. Outputs must not overlap inputs or each other,
// except that y may be x and dx may be dy: those passes read each element before writing it.
//
//   forward_train     mean[c] = Σx/m, variance[c] = Σ(x − mean)²/m (biased, two passes in double),
//                     y = gamma·(x − mean)/sqrt(variance + eps) + beta
//   backward          dbeta = Σdy, dgamma = Σdy·x̂, dx = gamma·invstd/m·(m·dy − Σdy − x̂·Σdy·x̂),
//                     with x̂ = (x − mean)·invstd, invstd = 1/sqrt(variance + eps); dx, dgamma or
//                     dbeta may be nullptr to skip it
//   forward_inference y = a[c]·x + b[c] with the given statistics (derivation in batchnorm_scalar.cc)
//
// Threads: the entry points split the channels over parallel_for and each channel's sums run in
// one thread, so results are bit-identical at any thread count. The scalar and AVX2 paths sum in
// different orders, so they agree to rounding, not bit for bit.
#pragma once

#include <cstdint>

namespace bntrain {

struct BatchNormShape {
  int64_t N = 0;
  int64_t C = 0;
  int64_t HW = 0;
};

void batchnorm_forward_train(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                             float* variance, BatchNormShape shape, double eps);
void batchnorm_backward(const float* x, const float* dy, const float* mean, const float* variance,
                        const float* gamma, float* dx, float* dgamma, float* dbeta, BatchNormShape shape,
                        double eps);
void batchnorm_forward_inference(const float* x, const float* mean, const float* variance, const float* gamma,
                                 const float* beta, float* y, BatchNormShape shape, double eps);

// Per-channel coefficients shared by the scalar and AVX2 versions (batchnorm_scalar.cc).
// The mean is split as mean_hi + mean_lo (two floats) so that float code can center x as
// (x − mean_hi) − mean_lo with almost the accuracy of the double mean: with |mean| ~ 1e4 a
// single float mean would be off by up to 4.9e-4, which is that much error in x̂ at unit spread.
struct ChannelCenter {
  float mean_hi;
  float mean_lo;
};
ChannelCenter split_mean(double mean);
double inverse_std(double variance, double eps);

// dx = A·dy + B·(x − mean) + C0 per channel, from the two backward sums (derivation in
// batchnorm_scalar.cc). m = N*HW.
struct BackwardTerms {
  float A;
  float B;
  float C0;
};
BackwardTerms backward_terms(double sum_dy, double sum_dy_xc, double invstd, double gamma, double m);

// Kernels over the channel range [c_begin, c_end). The scalar ones are the reference, the
// fallback and the tail of the AVX2 ones.
void batchnorm_forward_train_scalar(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                                    float* variance, BatchNormShape shape, double eps, int64_t c_begin,
                                    int64_t c_end);
void batchnorm_backward_scalar(const float* x, const float* dy, const float* mean, const float* variance,
                               const float* gamma, float* dx, float* dgamma, float* dbeta, BatchNormShape shape,
                               double eps, int64_t c_begin, int64_t c_end);
void batchnorm_forward_inference_scalar(const float* x, const float* mean, const float* variance,
                                        const float* gamma, const float* beta, float* y, BatchNormShape shape,
                                        double eps, int64_t c_begin, int64_t c_end);

// AVX2+FMA: with HW > 1 they vectorize over HW within a channel; with HW == 1 over 8 adjacent
// channels (then c_begin and c_end should be multiples of 8 or C so the scalar tail stays small).
void batchnorm_forward_train_avx2(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                                  float* variance, BatchNormShape shape, double eps, int64_t c_begin,
                                  int64_t c_end);
void batchnorm_backward_avx2(const float* x, const float* dy, const float* mean, const float* variance,
                             const float* gamma, float* dx, float* dgamma, float* dbeta, BatchNormShape shape,
                             double eps, int64_t c_begin, int64_t c_end);
void batchnorm_forward_inference_avx2(const float* x, const float* mean, const float* variance, const float* gamma,
                                      const float* beta, float* y, BatchNormShape shape, double eps,
                                      int64_t c_begin, int64_t c_end);


// HW == 1 (dense BN, x is [N, C]): 8 adjacent channels per register, because a channel's values
// are C floats apart; channels past the last multiple of 8 in [c_begin, c_end) run scalar.
void batchnorm_forward_train_dense_avx2(const float* x, const float* gamma, const float* beta, float* y,
                                        float* mean, float* variance, BatchNormShape shape, double eps,
                                        int64_t c_begin, int64_t c_end);
void batchnorm_backward_dense_avx2(const float* x, const float* dy, const float* mean, const float* variance,
                                   const float* gamma, float* dx, float* dgamma, float* dbeta, BatchNormShape shape,
                                   double eps, int64_t c_begin, int64_t c_end);
void batchnorm_forward_inference_dense_avx2(const float* x, const float* mean, const float* variance,
                                            const float* gamma, const float* beta, float* y, BatchNormShape shape,
                                            double eps, int64_t c_begin, int64_t c_end);

}  // namespace bntrain
