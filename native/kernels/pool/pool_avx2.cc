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

}  // namespace

// Output (oh, ow) covers rows 2oh, 2oh+1 and columns 2ow, 2ow+1. Eight outputs read 16 floats of
// each row, so the vector body runs while ow + 8 <= OW (then 2ow + 15 <= 2OW − 1 <= W − 1) and
// the rest of the row goes to the scalar version. Candidates are visited in the scalar order
// (top-left, top-right, bottom-left, bottom-right) with the same comparison, so results match
// it bit for bit, argmax included.
void max_pool2d_plane_2x2_avx2(const float* x, float* y, int32_t* argmax, const Pool2dGeometry& g) {
  const __m256i lane_offsets = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
  const __m256i next_column = _mm256_set1_epi32(1);
  const __m256i next_row = _mm256_set1_epi32(static_cast<int32_t>(g.W));

  for (int64_t oh = 0; oh < g.OH; ++oh) {
    const float* top = x + 2 * oh * g.W;
    const float* bottom = top + g.W;
    int64_t ow = 0;
    for (; ow + 8 <= g.OW; ow += 8) {
      __m256 top_left, top_right, bottom_left, bottom_right;
      deinterleave(top + 2 * ow, top_left, top_right);
      deinterleave(bottom + 2 * ow, bottom_left, bottom_right);
      const __m256i index_top_left =
          _mm256_add_epi32(_mm256_set1_epi32(static_cast<int32_t>(2 * oh * g.W + 2 * ow)), lane_offsets);
      const __m256i index_bottom_left = _mm256_add_epi32(index_top_left, next_row);

      __m256 best = top_left;
      __m256i best_index = index_top_left;
      take_if_wins(top_right, _mm256_add_epi32(index_top_left, next_column), best, best_index);
      take_if_wins(bottom_left, index_bottom_left, best, best_index);
      take_if_wins(bottom_right, _mm256_add_epi32(index_bottom_left, next_column), best, best_index);

      _mm256_storeu_ps(y + oh * g.OW + ow, best);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(argmax + oh * g.OW + ow), best_index);
    }
    max_pool2d_row_scalar(x, y, argmax, g, oh, ow, g.OW);
  }
}

}  // namespace bntrain
