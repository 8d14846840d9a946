// dense.h: fully connected layer and channel bias, built on sgemm (kernels/gemm/gemm.h).
//
//   x [N, I]   w [O, I]   b [O] or null   y [N, O]      y = x . w^T + b
//   dense_forward           y  = x . w^T (+ b)          y overwritten
//   dense_backward_data     dx = dy . w                 dx [N, I] overwritten
//   dense_backward_weights  dw = dy^T . x, db[o] = sum over n of dy[n, o] (skipped when db is
//                           null)                        dw [O, I], db [O] overwritten
//   bias_add                y[n, c, :] += b[c] for y viewed as [N, C, HW]
//   bias_backward           db[c] = sum over n and hw of dy[n, c, hw]; db overwritten
// Outputs must not overlap inputs, except that bias_add updates y in place. Bias sums run in
// double (64 x 28 x 28 = 50K terms per channel for a convolution bias) and round once.
// The GEMMs split their output over threads (see gemm.h); bias_backward gives each channel to
// one thread. Results are bit-identical at any thread count.
#pragma once

#include <cstdint>

namespace bntrain {

struct DenseShape {
  int64_t N = 0;  // batch
  int64_t I = 0;  // inputs
  int64_t O = 0;  // outputs
};

void dense_forward(const DenseShape& shape, const float* x, const float* w, const float* b, float* y);
void dense_backward_data(const DenseShape& shape, const float* dy, const float* w, float* dx);
void dense_backward_weights(const DenseShape& shape, const float* x, const float* dy, float* dw, float* db);
void bias_add(float* y, const float* b, int64_t N, int64_t C, int64_t HW);
void bias_backward(const float* dy, float* db, int64_t N, int64_t C, int64_t HW);

// Row kernels behind the bias functions, per SIMD target.
//   add_constant: y[i] += value        add_vector: y[i] += b[i]        sum: sum of x[i] in double
void add_constant_scalar(float* y, float value, int64_t n);
void add_vector_scalar(float* y, const float* b, int64_t n);
double sum_scalar(const float* x, int64_t n);
void add_constant_avx2(float* y, float value, int64_t n);
void add_vector_avx2(float* y, const float* b, int64_t n);
double sum_avx2(const float* x, int64_t n);

}  // namespace bntrain
