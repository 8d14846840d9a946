// AVX2+FMA sgemm: the Goto/BLIS scheme of packed panels and a register-blocked micro-kernel.
//
// Blocking constants (f32 elements):
//   kMr x kNr = 6 x 16: the micro-kernel keeps a 6x16 tile of C in 12 ymm accumulators, loads two
//     B vectors and broadcasts 6 A values per k step, so 12 FMAs share 8 loads. 12 independent
//     accumulators cover the FMA latency (4 cycles) times the two FMA ports (8 in flight), and
//     12 + 2 + 1 = 15 of the 16 ymm registers are live.
//   kGemmMaxDepth = 256 (gemm.h): one packed B micro-panel is 16 x 256 x 4 B = 16 KiB and one A
//     micro-panel 6 KiB, which together stay in a 32 KiB L1D. K is cut into equal blocks of at most 256 so
//     that K = 576 (64 channels x 3x3) runs as 3 x 192 rather than 256 + 256 + 64.
//   kMc = 120: the packed A block (120 x 256 x 4 B = 120 KiB) stays in a 256 KiB or larger L2
//     while the B micro-panels stream through L1.
//   kNc = 3072: the packed B block (256 x 3072 x 4 B = 3 MiB) is meant for L3. The convolution
//     GEMMs of 28x28 MNIST images (N = OH*OW <= 784) fit in one block.
// Measured by bench/kernels.js on one core of a 2-vCPU Xeon (Sapphire Rapids, KVM): 90-100
// GFLOP/s for M=64 N=784 K=576 and above 100 GFLOP/s for 600x600x600.
// K blocking depends only on K, and edge tiles run the same micro-kernel on zero-padded panels,
// so each C element gets the same sequence of operations whatever sub-matrix a thread is given.
#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "kernels/gemm/gemm.h"

namespace bntrain {
namespace {

constexpr int64_t kMr = 6;
constexpr int64_t kNr = kGemmPanelWidth;
constexpr int64_t kMc = 120;
constexpr int64_t kNc = 3072;

// Packing buffers, one pair per thread, grown on demand and never shrunk.
struct PackBuffers {
  std::vector<float> a;
  std::vector<float> b;
};

float* grow(std::vector<float>& buffer, int64_t size) {
  if (static_cast<int64_t>(buffer.size()) < size) buffer.resize(size);
  return buffer.data();
}

int64_t round_up(int64_t value, int64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

// Copies op(A)[i0 : i0+mc, p0 : p0+kc] into micro-panels of kMr rows, each laid out [kc][kMr].
// Rows past mc are zero.
void pack_a(const float* A, int64_t lda, bool trans_a, int64_t i0, int64_t p0, int64_t mc, int64_t kc,
            float* packed) {
  for (int64_t ir = 0; ir < mc; ir += kMr) {
    const int64_t rows = std::min(kMr, mc - ir);
    float* panel = packed + ir * kc;
    for (int64_t k = 0; k < kc; ++k) {
      for (int64_t r = 0; r < kMr; ++r) {
        const int64_t i = i0 + ir + r;
        const int64_t p = p0 + k;
        float value = 0.0f;
        if (r < rows) value = trans_a ? A[p * lda + i] : A[i * lda + p];
        panel[k * kMr + r] = value;
      }
    }
  }
}

// Transposes the 8x8 block held in rows[0..7] (row i = 8 consecutive floats) in place.
inline void transpose8x8(__m256 rows[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(rows[0], rows[1]);
  const __m256 t1 = _mm256_unpackhi_ps(rows[0], rows[1]);
  const __m256 t2 = _mm256_unpacklo_ps(rows[2], rows[3]);
  const __m256 t3 = _mm256_unpackhi_ps(rows[2], rows[3]);
  const __m256 t4 = _mm256_unpacklo_ps(rows[4], rows[5]);
  const __m256 t5 = _mm256_unpackhi_ps(rows[4], rows[5]);
  const __m256 t6 = _mm256_unpacklo_ps(rows[6], rows[7]);
  const __m256 t7 = _mm256_unpackhi_ps(rows[6], rows[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  rows[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  rows[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  rows[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  rows[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  rows[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  rows[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  rows[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  rows[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

// Full 16-column panel of a transposed B (stored N x K, so column j of op(B) is row j of B):
// 8x8 blocks are loaded along k, transposed and stored as 8 panel rows.
void pack_b_transposed_panel(const float* B, int64_t ldb, int64_t p0, int64_t j0, int64_t kc, float* panel) {
  int64_t k = 0;
  for (; k + 8 <= kc; k += 8) {
    for (int64_t half = 0; half < 2; ++half) {
      __m256 rows[8];
      for (int i = 0; i < 8; ++i) rows[i] = _mm256_loadu_ps(B + (j0 + half * 8 + i) * ldb + p0 + k);
      transpose8x8(rows);
      for (int t = 0; t < 8; ++t) _mm256_storeu_ps(panel + (k + t) * kNr + half * 8, rows[t]);
    }
  }
  for (; k < kc; ++k) {
    for (int64_t c = 0; c < kNr; ++c) panel[k * kNr + c] = B[(j0 + c) * ldb + p0 + k];
  }
}

// Copies op(B)[p0 : p0+kc, j0 : j0+nc] into micro-panels of kNr columns, each laid out [kc][kNr].
// Columns past nc are zero.
void pack_b(const float* B, int64_t ldb, bool trans_b, int64_t p0, int64_t j0, int64_t kc, int64_t nc,
            float* packed) {
  for (int64_t jr = 0; jr < nc; jr += kNr) {
    const int64_t cols = std::min(kNr, nc - jr);
    float* panel = packed + jr * kc;
    if (cols == kNr && trans_b) {
      pack_b_transposed_panel(B, ldb, p0, j0 + jr, kc, panel);
      continue;
    }
    if (cols == kNr) {
      for (int64_t k = 0; k < kc; ++k) {
        const float* source = B + (p0 + k) * ldb + j0 + jr;
        _mm256_storeu_ps(panel + k * kNr, _mm256_loadu_ps(source));
        _mm256_storeu_ps(panel + k * kNr + 8, _mm256_loadu_ps(source + 8));
      }
      continue;
    }

    // Edge panel: the remaining columns, then zeros.
    std::fill(panel, panel + kc * kNr, 0.0f);
    for (int64_t c = 0; c < cols; ++c) {
      const int64_t j = j0 + jr + c;
      for (int64_t k = 0; k < kc; ++k) panel[k * kNr + c] = trans_b ? B[j * ldb + p0 + k] : B[(p0 + k) * ldb + j];
    }
  }
}

// Writes one accumulator vector into up to 8 floats of C:
//   c = alpha * acc                 when beta == 0 (C is not read)
//   c = alpha * acc + beta * c      otherwise, with one rounding for the add (FMA).
inline void store_lanes(float* c, __m256 acc, __m256 alpha, float beta, int64_t lanes) {
  const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(lanes)),
                                          _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  __m256 result;
  if (beta == 0.0f) {
    result = _mm256_mul_ps(alpha, acc);
  } else {
    const __m256 old = lanes >= 8 ? _mm256_loadu_ps(c) : _mm256_maskload_ps(c, mask);
    result = _mm256_fmadd_ps(alpha, acc, _mm256_mul_ps(_mm256_set1_ps(beta), old));
  }
  if (lanes >= 8) {
    _mm256_storeu_ps(c, result);
  } else {
    _mm256_maskstore_ps(c, mask, result);
  }
}

// C[0:rows, 0:cols] = alpha * (a_panel x b_panel) + beta * C over one kc block.
void micro_kernel(int64_t kc, const float* a, const float* b, float* C, int64_t ldc, int64_t rows,
                  int64_t cols, float alpha, float beta) {
  // Twelve named accumulators rather than an array: GCC 12 spills an array that the store loop
  // below indexes with a variable, which costs two stores per FMA pair inside the k loop.
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();

  // Scalar equivalent: c[r][j] += a[k*6 + r] * b[k*16 + j] for k in [0, kc).
  for (int64_t k = 0; k < kc; ++k) {
    const __m256 b0 = _mm256_loadu_ps(b + k * kNr);
    const __m256 b1 = _mm256_loadu_ps(b + k * kNr + 8);
    const float* a_k = a + k * kMr;
    __m256 a_value = _mm256_broadcast_ss(a_k);
    c00 = _mm256_fmadd_ps(a_value, b0, c00);
    c01 = _mm256_fmadd_ps(a_value, b1, c01);
    a_value = _mm256_broadcast_ss(a_k + 1);
    c10 = _mm256_fmadd_ps(a_value, b0, c10);
    c11 = _mm256_fmadd_ps(a_value, b1, c11);
    a_value = _mm256_broadcast_ss(a_k + 2);
    c20 = _mm256_fmadd_ps(a_value, b0, c20);
    c21 = _mm256_fmadd_ps(a_value, b1, c21);
    a_value = _mm256_broadcast_ss(a_k + 3);
    c30 = _mm256_fmadd_ps(a_value, b0, c30);
    c31 = _mm256_fmadd_ps(a_value, b1, c31);
    a_value = _mm256_broadcast_ss(a_k + 4);
    c40 = _mm256_fmadd_ps(a_value, b0, c40);
    c41 = _mm256_fmadd_ps(a_value, b1, c41);
    a_value = _mm256_broadcast_ss(a_k + 5);
    c50 = _mm256_fmadd_ps(a_value, b0, c50);
    c51 = _mm256_fmadd_ps(a_value, b1, c51);
  }

  const __m256 tile[kMr][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  const __m256 alpha_vector = _mm256_set1_ps(alpha);
  for (int r = 0; r < rows; ++r) {
    float* c_row = C + r * ldc;
    store_lanes(c_row, tile[r][0], alpha_vector, beta, std::min<int64_t>(cols, 8));
    if (cols > 8) store_lanes(c_row + 8, tile[r][1], alpha_vector, beta, cols - 8);
  }
}

// K == 0: the product is empty, so C = beta * C (0 when beta == 0, without reading C).
void scale_c(int64_t M, int64_t N, float beta, float* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
  }
}

// Multiplies every A block of one K block [pc, pc + kc) with one packed B block of nc columns,
// into C's columns [jc, jc + nc).
void multiply_block(const GemmShape& shape, float alpha, const float* A, int64_t lda, int64_t pc, int64_t kc,
                    int64_t jc, int64_t nc, const float* packed_b, float beta, float* C, int64_t ldc,
                    float* packed_a) {
  for (int64_t ic = 0; ic < shape.M; ic += kMc) {
    const int64_t mc = std::min(kMc, shape.M - ic);
    pack_a(A, lda, shape.trans_a, ic, pc, mc, kc, packed_a);

    for (int64_t jr = 0; jr < nc; jr += kNr) {
      for (int64_t ir = 0; ir < mc; ir += kMr) {
        micro_kernel(kc, packed_a + ir * kc, packed_b + jr * kc, C + (ic + ir) * ldc + jc + jr, ldc,
                     std::min(kMr, mc - ir), std::min(kNr, nc - jr), alpha, beta);
      }
    }
  }
}

}  // namespace

void sgemm_avx2(const GemmShape& shape, float alpha, const float* A, int64_t lda, const float* B,
                int64_t ldb, float beta, float* C, int64_t ldc) {
  const int64_t M = shape.M, N = shape.N, K = shape.K;
  if (M == 0 || N == 0) return;
  if (K == 0) return scale_c(M, N, beta, C, ldc);

  const int64_t depth = gemm_block_depth(K);
  thread_local PackBuffers buffers;
  float* packed_a = grow(buffers.a, round_up(std::min(M, kMc), kMr) * depth);
  float* packed_b = grow(buffers.b, round_up(std::min(N, kNc), kNr) * depth);

  for (int64_t jc = 0; jc < N; jc += kNc) {
    const int64_t nc = std::min(kNc, N - jc);
    for (int64_t pc = 0; pc < K; pc += depth) {
      const int64_t kc = std::min(depth, K - pc);
      pack_b(B, ldb, shape.trans_b, pc, jc, kc, nc, packed_b);
      // The first K block applies beta, and later blocks add onto the partial result.
      multiply_block(shape, alpha, A, lda, pc, kc, jc, nc, packed_b, pc == 0 ? beta : 1.0f, C, ldc, packed_a);
    }
  }
}

void sgemm_avx2_packed_b(const GemmShape& shape, float alpha, const float* A, int64_t lda,
                         const float* packed_b, float beta, float* C, int64_t ldc) {
  const int64_t M = shape.M, N = shape.N, K = shape.K;
  if (M == 0 || N == 0) return;
  if (K == 0) return scale_c(M, N, beta, C, ldc);

  const int64_t depth = gemm_block_depth(K);
  const int64_t width = gemm_packed_width(N);
  thread_local PackBuffers buffers;
  float* packed_a = grow(buffers.a, round_up(std::min(M, kMc), kMr) * depth);

  // Same loop order and blocks as sgemm_avx2, reading B's panels in place.
  for (int64_t jc = 0; jc < N; jc += kNc) {
    const int64_t nc = std::min(kNc, N - jc);
    for (int64_t pc = 0; pc < K; pc += depth) {
      const int64_t kc = std::min(depth, K - pc);
      const float* b_block = packed_b + pc * width + jc * kc;
      multiply_block(shape, alpha, A, lda, pc, kc, jc, nc, b_block, pc == 0 ? beta : 1.0f, C, ldc, packed_a);
    }
  }
}

}  // namespace bntrain
