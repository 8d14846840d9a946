/**
 * Finite-difference gradient checks.
 *
 * Float64 references: central differences with eps 1e-6 against the analytic gradient, with
 * |numeric − analytic| ≤ 1e-5 + 1e-3·|numeric| (the bounds PyTorch's gradcheck uses for double).
 */
import { expectAllClose, Tolerance } from './compare';

/**
 * Numerically differentiates loss(x) = f(x) with respect to every element of `x` (modified in
 * place and restored) by central differences.
 */
export function numericGradient(x: Float64Array | Float32Array, loss: () => number, eps = 1e-6): Float64Array {
  const gradient = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const saved = x[i];
    x[i] = saved + eps;
    const plus = loss();
    x[i] = saved - eps;
    const minus = loss();
    x[i] = saved;
    gradient[i] = (plus - minus) / (2 * eps);
  }
  return gradient;
}

export const float64GradTolerance: Tolerance = { atol: 1e-5, rtol: 1e-3 };

/** Checks an analytic gradient against central differences of `loss` over `x`. */
export function expectGradient(
  name: string,
  x: Float64Array | Float32Array,
  analytic: ArrayLike<number>,
  loss: () => number,
  options: { eps?: number; tolerance?: Tolerance } = {},
): void {
  const numeric = numericGradient(x, loss, options.eps ?? 1e-6);
  expectAllClose(name, analytic, numeric, options.tolerance ?? float64GradTolerance);
}

/** Returns Σ weights[i] · values[i]: a scalar loss whose gradient with respect to values is `weights`. */
export function weightedSum(values: ArrayLike<number>, weights: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * weights[i];
  return sum;
}
