/** Tolerance for a comparison: |got − expected| ≤ atol + rtol · |expected|, element by element. */
export interface Tolerance {
  atol: number;
  rtol: number;
}

export interface Mismatch {
  count: number;
  worstIndex: number;
  worstAbs: number;
  worstRel: number;
}

type Numbers = ArrayLike<number>;

/** Compares two arrays and returns the number of elements outside the tolerance and the worst one. */
export function findMismatch(got: Numbers, expected: Numbers, tolerance: Tolerance): Mismatch {
  let count = 0;
  let worstIndex = -1;
  let worstExcess = 0;
  let worstAbs = 0;
  let worstRel = 0;
  for (let i = 0; i < expected.length; i++) {
    const difference = Math.abs(got[i] - expected[i]);
    const allowed = tolerance.atol + tolerance.rtol * Math.abs(expected[i]);
    const excess = Number.isNaN(difference) ? Infinity : difference - allowed;
    if (excess > 0) count++;
    if (worstIndex < 0 || excess > worstExcess) {
      worstIndex = i;
      worstExcess = excess;
      worstAbs = difference;
      worstRel = difference / Math.max(Math.abs(expected[i]), Number.MIN_VALUE);
    }
  }
  return { count, worstIndex, worstAbs, worstRel };
}

/**
 * Fails with the tensor's name, the number of mismatched elements and the worst one
 * (index, got, expected, absolute and relative difference) when any element is out of tolerance.
 */
export function expectAllClose(name: string, got: Numbers, expected: Numbers, tolerance: Tolerance): void {
  if (got.length !== expected.length) {
    throw new Error(`${name}: length ${got.length}, expected ${expected.length}`);
  }
  const mismatch = findMismatch(got, expected, tolerance);
  if (mismatch.count === 0) return;
  const i = mismatch.worstIndex;
  throw new Error(
    `${name}: ${mismatch.count} of ${expected.length} elements differ beyond atol ${tolerance.atol} + ` +
      `rtol ${tolerance.rtol}; worst at index ${i}: got ${got[i]}, expected ${expected[i]} ` +
      `(abs ${mismatch.worstAbs.toExponential(3)}, rel ${mismatch.worstRel.toExponential(3)})`,
  );
}

/** Returns the largest absolute value in an array (at least 1), for scale-relative bounds. */
export function scaleOf(values: Numbers): number {
  let scale = 1;
  for (let i = 0; i < values.length; i++) scale = Math.max(scale, Math.abs(values[i]));
  return scale;
}
