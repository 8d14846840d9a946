#include <immintrin.h>

#include "kernels/pool/pool.h"

namespace bntrain {
namespace {

// Returns the even-indexed floats of p[0..15] (the left column of eight 2-wide windows) in
// `left` and the odd-indexed ones in `right`.
inline void deinterleave(const float* p, __m256& left, __m256& right) {
  const __m256 a = _mm256_loadu_ps(p);
  const __m256 b = _mm256_loadu_ps(p + 8);
  // shuffle_ps works per 128-bit lane: [a0 a2 b0 b2 | a4 a6 b4 b6]; permute restores the order.
  left = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0x88)), 0xD8));
  right = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0xDD)), 0xD8));
}

// Lane by lane, the same rule as the scalar `wins`: greater, or NaN over a number.
inline void take_if_wins(__m256 value, __m256i index, __m256& best, __m256i& best_index) {
  const __m256 greater = _mm256_cmp_ps(value, best, _CMP_GT_OQ);
  const __m256 nan_over_number =
      _mm256_and_ps(_mm256_cmp_ps(value, value, _CMP_UNORD_Q), _mm256_cmp_ps(best, best, _CMP_ORD_Q));
  const __m256 take = _mm256_or_ps(greater, nan_over_number);
  best = _mm256_blendv_ps(best, value, take);
  best_index = _mm256_castps_si256(
      _mm256_blendv_ps(_mm256_castsi256_ps(best_index), _mm256_castsi256_ps(index), take));
}

// Lane i of the mask is set when i < count (count may be <= 0 or >= 8).
inline __m256i first_lanes(int64_t count) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(count)), lanes);
}

// Like deinterleave, for the last `outputs` (< 8) windows of a row: reads only the 2·outputs
// floats that exist. Masked-off lanes load 0 and are never stored.
inline void deinterleave_tail(const float* p, int64_t outputs, __m256& left, __m256& right) {
  const __m256 a = _mm256_maskload_ps(p, first_lanes(2 * outputs));
  const __m256 b = _mm256_maskload_ps(p + 8, first_lanes(2 * outputs - 8));
  left = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0x88)), 0xD8));
  right = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0xDD)), 0xD8));
}

}  // namespace

// Output (oh, ow) covers rows 2oh, 2oh+1 and columns 2ow, 2ow+1. Eight outputs read 16 floats of
// each row, so the vector body runs while ow + 8 <= OW (then 2ow + 15 <= 2OW − 1 <= W − 1).
// The last OW mod 8 outputs of a row use masked loads and stores, which read and write only
// existing elements: a scalar tail would dominate at the widths of small CNNs (OW = 7 or 14),
// because its comparisons are data-dependent branches. Candidates are visited in the scalar order
// (top-left, top-right, bottom-left, bottom-right) with the same comparison, so results match
// it bit for bit, argmax included.
void max_pool2d_plane_2x2_avx2(const float* x, float* y, int32_t* argmax, const Pool2dGeometry& g) {
  const __m256i lane_offsets = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
  const __m256i next_column = _mm256_set1_epi32(1);
  const __m256i next_row = _mm256_set1_epi32(static_cast<int32_t>(g.W));

  for (int64_t oh = 0; oh < g.OH; ++oh) {
    const float* top = x + 2 * oh * g.W;
    const float* bottom = top + g.W;
    for (int64_t ow = 0; ow < g.OW; ow += 8) {
      const int64_t outputs = g.OW - ow < 8 ? g.OW - ow : 8;
      __m256 top_left, top_right, bottom_left, bottom_right;
      if (outputs == 8) {
        deinterleave(top + 2 * ow, top_left, top_right);
        deinterleave(bottom + 2 * ow, bottom_left, bottom_right);
      } else {
        deinterleave_tail(top + 2 * ow, outputs, top_left, top_right);
        deinterleave_tail(bottom + 2 * ow, outputs, bottom_left, bottom_right);
      }
      const __m256i index_top_left =
          _mm256_add_epi32(_mm256_set1_epi32(static_cast<int32_t>(2 * oh * g.W + 2 * ow)), lane_offsets);
      const __m256i index_bottom_left = _mm256_add_epi32(index_top_left, next_row);

      __m256 best = top_left;
      __m256i best_index = index_top_left;
      take_if_wins(top_right, _mm256_add_epi32(index_top_left, next_column), best, best_index);
      take_if_wins(bottom_left, index_bottom_left, best, best_index);
      take_if_wins(bottom_right, _mm256_add_epi32(index_bottom_left, next_column), best, best_index);

      float* y_out = y + oh * g.OW + ow;
      int32_t* argmax_out = argmax + oh * g.OW + ow;
      if (outputs == 8) {
        _mm256_storeu_ps(y_out, best);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(argmax_out), best_index);
      } else {
        const __m256i mask = first_lanes(outputs);
        _mm256_maskstore_ps(y_out, mask, best);
        _mm256_maskstore_epi32(argmax_out, mask, best_index);
      }
    }
  }
}

}  // namespace bntrain
