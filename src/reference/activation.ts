/**
 * Float64 reference activations: the oracle the native kernels are tested against.
 * Inputs may be Float32Array or Float64Array; outputs are Float64Array.
 */

export function reluForward(x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] < 0 ? 0 : x[i];
  return y;
}

/** dx = y > 0 ? dy : 0, where y is the forward output. */
export function reluBackward(y: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  const dx = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
  return dx;
}

export function sigmoidForward(x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = 1 / (1 + Math.exp(-x[i]));
  return y;
}

/** dx = dy · y · (1 − y), where y is the forward output. */
export function sigmoidBackward(y: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  const dx = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
  return dx;
}
