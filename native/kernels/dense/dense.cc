// Dense layer and bias entry points (contract in dense.h).
#include "kernels/dense/dense.h"

#include "common/parallel.h"
#include "cpu/cpu_features.h"
#include "kernels/gemm/gemm.h"

namespace bntrain {
namespace {

bool use_avx2() { return simd_target() == SimdTarget::kAvx2; }

// Rows of at least this many floats per thread chunk; shorter work stays on one thread.
constexpr int64_t kMinParallelFloats = 1 << 14;

int64_t rows_per_unit(int64_t row_length) {
  const int64_t rows = kMinParallelFloats / (row_length > 0 ? row_length : 1);
  return rows > 0 ? rows : 1;
}

}  // namespace

void dense_forward(const DenseShape& s, const float* x, const float* w, const float* b, float* y) {
  // y [N, O] = x [N, I] . w^T, with w stored [O, I].
  sgemm(GemmShape{false, true, s.N, s.O, s.I}, 1.0f, x, s.I, w, s.I, 0.0f, y, s.O);
  if (b != nullptr) bias_add(y, b, s.N, s.O, 1);
}

void dense_backward_data(const DenseShape& s, const float* dy, const float* w, float* dx) {
  // dx [N, I] = dy [N, O] . w [O, I]
  sgemm(GemmShape{false, false, s.N, s.I, s.O}, 1.0f, dy, s.O, w, s.I, 0.0f, dx, s.I);
}

void dense_backward_weights(const DenseShape& s, const float* x, const float* dy, float* dw, float* db) {
  // dw [O, I] = dy^T . x, with dy stored [N, O].
  sgemm(GemmShape{true, false, s.O, s.I, s.N}, 1.0f, dy, s.O, x, s.I, 0.0f, dw, s.I);
  if (db != nullptr) bias_backward(dy, db, s.N, s.O, 1);
}

void bias_add(float* y, const float* b, int64_t N, int64_t C, int64_t HW) {
  const bool avx2 = use_avx2();

  // HW == 1 (a dense output [N, C]): add b to every row.
  if (HW == 1) {
    const int64_t unit = rows_per_unit(C);
    parallel_for((N + unit - 1) / unit, [&](int64_t begin, int64_t end) {
      for (int64_t n = begin * unit; n < end * unit && n < N; ++n) {
        if (avx2) add_vector_avx2(y + n * C, b, C); else add_vector_scalar(y + n * C, b, C);
      }
    });
    return;
  }

  // Otherwise add b[c] to each contiguous plane (n, c) of HW values.
  const int64_t unit = rows_per_unit(HW);
  parallel_for((N * C + unit - 1) / unit, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin * unit; row < end * unit && row < N * C; ++row) {
      float* plane = y + row * HW;
      if (avx2) add_constant_avx2(plane, b[row % C], HW); else add_constant_scalar(plane, b[row % C], HW);
    }
  });
}

void bias_backward(const float* dy, float* db, int64_t N, int64_t C, int64_t HW) {
  const bool avx2 = use_avx2();

  // Each channel sums its N planes in order 0..N-1 on one thread.
  const int64_t unit = rows_per_unit(N * HW);
  parallel_for((C + unit - 1) / unit, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin * unit; c < end * unit && c < C; ++c) {
      double sum = 0.0;
      for (int64_t n = 0; n < N; ++n) {
        const float* plane = dy + (n * C + c) * HW;
        sum += avx2 ? sum_avx2(plane, HW) : sum_scalar(plane, HW);
      }
      db[c] = static_cast<float>(sum);
    }
  });
}

}  // namespace bntrain
