// AVX2+FMA sgemm: the Goto/BLIS scheme of packed panels and a register-blocked micro-kernel.
//
// Blocking constants (f32 elements):
//   kMr x kNr = 6 x 16: the micro-kernel keeps a 6x16 tile of C in 12 ymm accumulators, loads two
//     B vectors and broadcasts 6 A values per k step, so 12 FMAs share 8 loads. 12 independent
//     accumulators cover the FMA latency (4 cycles) times the two FMA ports (8 in flight), and
//     12 + 2 + 1 = 15 of the 16 ymm registers are live.
//   kKcMax = 256: one packed B micro-panel is 16 x 256 x 4 B = 16 KiB and one A micro-panel
//     6 KiB, which together stay in a 32 KiB L1D. K is cut into equal blocks of at most 256 so
//     that K = 576 (64 channels x 3x3) runs as 3 x 192 rather than 256 + 256 + 64.
//   kMc = 120: the packed A block (120 x 256 x 4 B = 120 KiB) stays in a 256 KiB or larger L2
//     while the B micro-panels stream through L1.
//   kNc = 3072: the packed B block (256 x 3072 x 4 B = 3 MiB) is meant for L3; the convolution
//     GEMMs (N = OH*OW <= 784) fit in one block.
// K blocking depends only on K, and edge tiles run the same micro-kernel on zero-padded panels,
// so each C element gets the same sequence of operations whatever sub-matrix a thread is given.
#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "kernels/gemm/gemm.h"

namespace bntrain {
namespace {

constexpr int64_t kMr = 6;
constexpr int64_t kNr = 16;
constexpr int64_t kKcMax = 256;
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

// Copies op(A)[i0 : i0+mc, p0 : p0+kc] into micro-panels of kMr rows, each laid out [kc][kMr];
// rows past mc are zero.
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

// Copies op(B)[p0 : p0+kc, j0 : j0+nc] into micro-panels of kNr columns, each laid out [kc][kNr];
// columns past nc are zero.
void pack_b(const float* B, int64_t ldb, bool trans_b, int64_t p0, int64_t j0, int64_t kc, int64_t nc,
            float* packed) {
  for (int64_t jr = 0; jr < nc; jr += kNr) {
    const int64_t cols = std::min(kNr, nc - jr);
    float* panel = packed + jr * kc;
    if (!trans_b && cols == kNr) {
      for (int64_t k = 0; k < kc; ++k) {
        const float* source = B + (p0 + k) * ldb + j0 + jr;
        _mm256_storeu_ps(panel + k * kNr, _mm256_loadu_ps(source));
        _mm256_storeu_ps(panel + k * kNr + 8, _mm256_loadu_ps(source + 8));
      }
      continue;
    }
    if (cols < kNr) std::fill(panel, panel + kc * kNr, 0.0f);
    for (int64_t c = 0; c < cols; ++c) {
      const int64_t j = j0 + jr + c;
      if (trans_b) {
        // Row j of the stored N x K matrix is contiguous in k.
        const float* source = B + j * ldb + p0;
        for (int64_t k = 0; k < kc; ++k) panel[k * kNr + c] = source[k];
      } else {
        for (int64_t k = 0; k < kc; ++k) panel[k * kNr + c] = B[(p0 + k) * ldb + j];
      }
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

}  // namespace

void sgemm_avx2(const GemmShape& shape, float alpha, const float* A, int64_t lda, const float* B,
                int64_t ldb, float beta, float* C, int64_t ldc) {
  const int64_t M = shape.M, N = shape.N, K = shape.K;
  if (M == 0 || N == 0) return;
  if (K == 0) return scale_c(M, N, beta, C, ldc);

  // Equal K blocks of at most kKcMax; the split depends on K alone (see the file comment).
  const int64_t k_blocks = (K + kKcMax - 1) / kKcMax;
  const int64_t kc_step = (K + k_blocks - 1) / k_blocks;

  thread_local PackBuffers buffers;
  float* packed_a = grow(buffers.a, round_up(std::min(M, kMc), kMr) * kc_step);
  float* packed_b = grow(buffers.b, round_up(std::min(N, kNc), kNr) * kc_step);

  for (int64_t jc = 0; jc < N; jc += kNc) {
    const int64_t nc = std::min(kNc, N - jc);
    for (int64_t pc = 0; pc < K; pc += kc_step) {
      const int64_t kc = std::min(kc_step, K - pc);
      // The first K block applies beta; later blocks add onto the partial result.
      const float block_beta = pc == 0 ? beta : 1.0f;
      pack_b(B, ldb, shape.trans_b, pc, jc, kc, nc, packed_b);

      for (int64_t ic = 0; ic < M; ic += kMc) {
        const int64_t mc = std::min(kMc, M - ic);
        pack_a(A, lda, shape.trans_a, ic, pc, mc, kc, packed_a);

        for (int64_t jr = 0; jr < nc; jr += kNr) {
          for (int64_t ir = 0; ir < mc; ir += kMr) {
            micro_kernel(kc, packed_a + ir * kc, packed_b + jr * kc, C + (ic + ir) * ldc + jc + jr, ldc,
                         std::min(kMr, mc - ir), std::min(kNr, nc - jr), alpha, block_beta);
          }
        }
      }
    }
  }
}

}  // namespace bntrain
