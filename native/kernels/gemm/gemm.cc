#include "kernels/gemm/gemm.h"

#include <algorithm>

#include "common/parallel.h"
#include "cpu/cpu_features.h"

namespace bntrain {
namespace {

// Below about 64K multiply-adds, waking the second thread costs more than it saves.
constexpr int64_t kMinParallelWork = 1 << 16;

// Threads get whole blocks of C: 64 columns (4 micro-tiles of 16) or 24 rows (4 micro-tiles of
// 6), so no thread computes a tile that another thread also touches.
constexpr int64_t kColumnUnit = 64;
constexpr int64_t kRowUnit = 24;

}  // namespace

void sgemm_serial(const GemmShape& shape, float alpha, const float* A, int64_t lda, const float* B,
                  int64_t ldb, float beta, float* C, int64_t ldc) {
  if (simd_target() == SimdTarget::kAvx2) {
    sgemm_avx2(shape, alpha, A, lda, B, ldb, beta, C, ldc);
  } else {
    sgemm_scalar(shape, alpha, A, lda, B, ldb, beta, C, ldc);
  }
}

void sgemm(const GemmShape& shape, float alpha, const float* A, int64_t lda, const float* B, int64_t ldb,
           float beta, float* C, int64_t ldc) {
  const int64_t work = shape.M * shape.N * std::max<int64_t>(shape.K, 1);
  if (num_threads() == 1 || work < kMinParallelWork) {
    return sgemm_serial(shape, alpha, A, lda, B, ldb, beta, C, ldc);
  }

  // Split the longer side of C. Every C element is computed by one call with the full K, and
  // the result of an element does not depend on the block it sits in (see gemm_avx2.cc).
  if (shape.N >= shape.M) {
    const int64_t units = (shape.N + kColumnUnit - 1) / kColumnUnit;
    parallel_for(units, [&](int64_t begin, int64_t end) {
      const int64_t j0 = begin * kColumnUnit;
      const int64_t j1 = std::min(end * kColumnUnit, shape.N);
      GemmShape part = shape;
      part.N = j1 - j0;
      const float* b_part = B + (shape.trans_b ? j0 * ldb : j0);
      sgemm_serial(part, alpha, A, lda, b_part, ldb, beta, C + j0, ldc);
    });
  } else {
    const int64_t units = (shape.M + kRowUnit - 1) / kRowUnit;
    parallel_for(units, [&](int64_t begin, int64_t end) {
      const int64_t i0 = begin * kRowUnit;
      const int64_t i1 = std::min(end * kRowUnit, shape.M);
      GemmShape part = shape;
      part.M = i1 - i0;
      const float* a_part = A + (shape.trans_a ? i0 : i0 * lda);
      sgemm_serial(part, alpha, a_part, lda, B, ldb, beta, C + i0 * ldc, ldc);
    });
  }
}

}  // namespace bntrain
