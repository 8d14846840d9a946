// gemm.h: single-precision general matrix multiply, row-major.
//
//   C[M x N] = alpha * op(A) * op(B) + beta * C
//   op(A) is M x K: A is stored M x K (row i at A + i*lda) or, when trans_a, K x M.
//   op(B) is K x N: B is stored K x N (row k at B + k*ldb) or, when trans_b, N x K.
//   C is M x N with row i at C + i*ldc. Leading dimensions are in elements.
// beta == 0 overwrites C without reading it, so C may hold NaN or garbage. C must not overlap
// A or B.
//
// sgemm splits C's rows or column blocks over the thread pool (never K), and every element of C
// goes through the same arithmetic whichever block holds it, so results are bit-identical at any
// thread count. Called from inside a parallel_for body it runs on the calling thread only.
// The scalar and AVX2 versions sum in different orders, so they agree only to rounding.
#pragma once

#include <cstdint>

namespace bntrain {

struct GemmShape {
  bool trans_a = false;
  bool trans_b = false;
  int64_t M = 0;
  int64_t N = 0;
  int64_t K = 0;
};

// Threaded entry point; dispatches on simd_target().
void sgemm(const GemmShape& shape, float alpha, const float* A, int64_t lda, const float* B,
           int64_t ldb, float beta, float* C, int64_t ldc);

// Single-threaded versions of the same contract, for kernels that thread over their own loop.
// sgemm_serial dispatches on simd_target(); the other two force one path.
void sgemm_serial(const GemmShape& shape, float alpha, const float* A, int64_t lda, const float* B,
                  int64_t ldb, float beta, float* C, int64_t ldc);
void sgemm_scalar(const GemmShape& shape, float alpha, const float* A, int64_t lda, const float* B,
                  int64_t ldb, float beta, float* C, int64_t ldc);
void sgemm_avx2(const GemmShape& shape, float alpha, const float* A, int64_t lda, const float* B,
                int64_t ldb, float beta, float* C, int64_t ldc);

// Pre-packed B, for callers that can write op(B) straight into the AVX2 GEMM's panel layout
// (the convolution's im2col) instead of building op(B) and having sgemm_avx2 copy it again.
// K is cut into blocks of gemm_block_depth(K) rows. The block that starts at row p0, with depth
// kc, contains round_up(N, 16) / 16 panels. Panel j0 (a multiple of 16) starts at
// packed_b + p0 * round_up(N, 16) + j0 * kc and is laid out [kc][16]. Columns past N are zero.
// sgemm_avx2_packed_b gives the same bits as sgemm_avx2 on the unpacked op(B).
constexpr int64_t kGemmPanelWidth = 16;
constexpr int64_t kGemmMaxDepth = 256;

// Equal blocks of at most kGemmMaxDepth; the split depends on K alone, which keeps results
// independent of how C is divided between threads.
inline int64_t gemm_block_depth(int64_t K) {
  const int64_t blocks = (K + kGemmMaxDepth - 1) / kGemmMaxDepth;
  return blocks == 0 ? 1 : (K + blocks - 1) / blocks;
}

inline int64_t gemm_packed_width(int64_t N) { return (N + kGemmPanelWidth - 1) / kGemmPanelWidth * kGemmPanelWidth; }

// Single-threaded; shape.trans_b is ignored.
void sgemm_avx2_packed_b(const GemmShape& shape, float alpha, const float* A, int64_t lda,
                         const float* packed_b, float beta, float* C, int64_t ldc);

}  // namespace bntrain
