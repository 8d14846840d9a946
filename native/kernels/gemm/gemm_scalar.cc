#include "kernels/gemm/gemm.h"

namespace bntrain {

// The plain triple loop: each C element is one float sum over k in increasing order.
void sgemm_scalar(const GemmShape& shape, float alpha, const float* A, int64_t lda, const float* B,
                  int64_t ldb, float beta, float* C, int64_t ldc) {
  const int64_t a_stride_i = shape.trans_a ? 1 : lda;
  const int64_t a_stride_k = shape.trans_a ? lda : 1;
  const int64_t b_stride_k = shape.trans_b ? 1 : ldb;
  const int64_t b_stride_j = shape.trans_b ? ldb : 1;

  for (int64_t i = 0; i < shape.M; ++i) {
    for (int64_t j = 0; j < shape.N; ++j) {
      float sum = 0.0f;
      for (int64_t k = 0; k < shape.K; ++k) {
        sum += A[i * a_stride_i + k * a_stride_k] * B[k * b_stride_k + j * b_stride_j];
      }
      float* c = C + i * ldc + j;
      // beta == 0 must not read C: 0 * NaN would be NaN.
      *c = beta == 0.0f ? alpha * sum : alpha * sum + beta * *c;
    }
  }
}

}  // namespace bntrain
