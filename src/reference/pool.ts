/**
 * Float64 reference max pooling over NCHW planes: the oracle the native kernels are tested against.
 * Padding counts as −∞ and never wins. Ties go to the first maximum in row-major window order.
 * A NaN wins over any number, and the first NaN in a window is kept.
 */
import type { Pool2dGeometry } from '../kernels/pool';

export interface MaxPoolResult {
  y: Float64Array;
  /** Index h·W + w of each maximum within its H×W plane. */
  argmax: Int32Array;
}

export function maxPool2dForward(x: ArrayLike<number>, g: Pool2dGeometry): MaxPoolResult {
  const y = new Float64Array(g.N * g.C * g.OH * g.OW);
  const argmax = new Int32Array(y.length);
  for (let plane = 0; plane < g.N * g.C; plane++) {
    const xOffset = plane * g.H * g.W;
    for (let oh = 0; oh < g.OH; oh++) {
      for (let ow = 0; ow < g.OW; ow++) {
        let best = -Infinity;
        let bestIndex = -1;
        for (let kh = 0; kh < g.KH; kh++) {
          const h = oh * g.stride - g.pad + kh;
          if (h < 0 || h >= g.H) continue;
          for (let kw = 0; kw < g.KW; kw++) {
            const w = ow * g.stride - g.pad + kw;
            if (w < 0 || w >= g.W) continue;
            const value = x[xOffset + h * g.W + w];
            const wins = bestIndex < 0 || value > best || (Number.isNaN(value) && !Number.isNaN(best));
            if (wins) {
              best = value;
              bestIndex = h * g.W + w;
            }
          }
        }
        const out = (plane * g.OH + oh) * g.OW + ow;
        y[out] = best;
        argmax[out] = bestIndex;
      }
    }
  }
  return { y, argmax };
}

/** dx = 0, then dy added at each output's argmax within its plane. */
export function maxPool2dBackward(dy: ArrayLike<number>, argmax: ArrayLike<number>, g: Pool2dGeometry): Float64Array {
  const dx = new Float64Array(g.N * g.C * g.H * g.W);
  const outPlane = g.OH * g.OW;
  for (let i = 0; i < dy.length; i++) {
    const plane = Math.floor(i / outPlane);
    dx[plane * g.H * g.W + argmax[i]] += dy[i];
  }
  return dx;
}
