/**
 * Tolerance for float32 kernels that sum many products (GEMM, convolution, dense).
 *
 * A float32 sum of n terms is off by at most about n·u·Σ|terms| (u = 2⁻²⁴), and by about
 * √n·u·Σ|terms| when rounding errors are independent, so a bound relative to the result alone
 * fails where the terms cancel. Each element therefore gets
 *   |got − expected| ≤ rtol·|expected| + atolPerMagnitude·magnitude,
 * where magnitude = Σ|terms| comes from the float64 reference run on absolute values. The
 * default 2e-6 ≈ 34·u covers √n·u for n up to about 1000 terms and the blocked FMA sums of the
 * AVX2 GEMM.
 */
export interface SumTolerance {
  rtol: number;
  atolPerMagnitude: number;
}

export const sumTolerance: SumTolerance = { rtol: 1e-5, atolPerMagnitude: 2e-6 };

/** Returns a copy with every value replaced by its absolute value. */
export function absolute(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values as ArrayLike<number>, Math.abs);
}

/** Fails with the tensor's name, the mismatch count and the worst element when any element is out of bounds. */
export function expectSumClose(
  name: string,
  got: ArrayLike<number>,
  expected: ArrayLike<number>,
  magnitude: ArrayLike<number>,
  tolerance: SumTolerance = sumTolerance,
): void {
  if (got.length !== expected.length) throw new Error(`${name}: length ${got.length}, expected ${expected.length}`);
  let count = 0;
  let worstIndex = -1;
  let worstExcess = -Infinity;
  for (let i = 0; i < expected.length; i++) {
    const allowed = tolerance.rtol * Math.abs(expected[i]) + tolerance.atolPerMagnitude * magnitude[i];
    const difference = Math.abs(got[i] - expected[i]);
    const excess = Number.isNaN(difference) ? Infinity : difference - allowed;
    if (excess > 0) count++;
    if (excess > worstExcess) {
      worstExcess = excess;
      worstIndex = i;
    }
  }
  if (count === 0) return;
  const i = worstIndex;
  throw new Error(
    `${name}: ${count} of ${expected.length} elements out of tolerance (rtol ${tolerance.rtol}, ` +
      `${tolerance.atolPerMagnitude} x sum of |terms|); worst at index ${i}: got ${got[i]}, expected ${expected[i]}, ` +
      `sum of |terms| ${magnitude[i]}`,
  );
}
