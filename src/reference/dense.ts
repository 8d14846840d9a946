/**
 * Float64 reference dense layer and channel bias: x [N, I], w [O, I], b [O], y [N, O],
 * y = x·wᵀ + b. Inputs may be Float32Array or Float64Array; outputs are Float64Array.
 */
import type { DenseGeometry } from '../kernels/dense';

type Numbers = ArrayLike<number>;

function stridesOf(g: DenseGeometry) {
  return { xRowStride: g.I, wRowStride: g.I, yRowStride: g.O };
}

/** y[n, o] = Σ over i of x[n, i]·w[o, i] + b[o] (no bias when b is null). */
export function denseForward(x: Numbers, w: Numbers, b: Numbers | null, g: DenseGeometry): Float64Array {
  const s = stridesOf(g);
  const y = new Float64Array(g.N * g.O);
  for (let n = 0; n < g.N; n++) {
    for (let o = 0; o < g.O; o++) {
      let sum = b === null ? 0 : b[o];
      for (let i = 0; i < g.I; i++) sum += x[n * s.xRowStride + i] * w[o * s.wRowStride + i];
      y[n * s.yRowStride + o] = sum;
    }
  }
  return y;
}

/** dx = dy·w, the gradient of Σ dy·y with respect to x. */
export function denseBackwardData(dy: Numbers, w: Numbers, g: DenseGeometry): Float64Array {
  const s = stridesOf(g);
  const dx = new Float64Array(g.N * g.I);
  for (let n = 0; n < g.N; n++) {
    for (let o = 0; o < g.O; o++) {
      const gradient = dy[n * s.yRowStride + o];
      for (let i = 0; i < g.I; i++) dx[n * s.xRowStride + i] += gradient * w[o * s.wRowStride + i];
    }
  }
  return dx;
}

/** dw = dyᵀ·x and db = column sums of dy, the gradients of Σ dy·y with respect to w and b. */
export function denseBackwardWeights(x: Numbers, dy: Numbers, g: DenseGeometry): { dw: Float64Array; db: Float64Array } {
  const s = stridesOf(g);
  const dw = new Float64Array(g.O * g.I);
  const db = new Float64Array(g.O);
  for (let n = 0; n < g.N; n++) {
    for (let o = 0; o < g.O; o++) {
      const gradient = dy[n * s.yRowStride + o];
      db[o] += gradient;
      for (let i = 0; i < g.I; i++) dw[o * s.wRowStride + i] += gradient * x[n * s.xRowStride + i];
    }
  }
  return { dw, db };
}

/** Returns y + b[c] at every [n, c, hw] of y viewed as [N, C, HW]. */
export function biasAdd(y: Numbers, b: Numbers, N: number, C: number, HW: number): Float64Array {
  const out = Float64Array.from(y as ArrayLike<number>);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let p = 0; p < HW; p++) out[(n * C + c) * HW + p] += b[c];
    }
  }
  return out;
}

/** db[c] = Σ over n and hw of dy[n, c, hw]. */
export function biasBackward(dy: Numbers, N: number, C: number, HW: number): Float64Array {
  const db = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let p = 0; p < HW; p++) db[c] += dy[(n * C + c) * HW + p];
    }
  }
  return db;
}
