/**
 * Typed wrappers of the native dense (fully connected) layer: x [N, I], w [O, I] (PyTorch's
 * layout), b [O], y [N, O] with y = x·wᵀ + b. Outputs are overwritten.
 */
import { native } from '../native/loader';

export interface DenseGeometry {
  /** Batch size. */
  N: number;
  /** Inputs per sample. */
  I: number;
  /** Outputs per sample. */
  O: number;
}

/** Validates N, I and O (integers in [1, 2147483647]) and returns them as a geometry. */
export function denseGeometry(args: DenseGeometry): DenseGeometry {
  const { N, I, O } = args;
  for (const [name, value] of Object.entries({ N, I, O })) {
    if (!Number.isInteger(value) || value < 1 || value > 0x7fffffff) {
      throw new RangeError(`denseGeometry: ${name} must be an integer in [1, 2147483647], received ${value}`);
    }
  }
  return { N, I, O };
}

/** y = x·wᵀ + b; pass b = null for no bias. */
export function denseForward(x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array, g: DenseGeometry): void {
  native().denseForward(x, w, b, y, g.N, g.I, g.O);
}

/** dx = dy·w. */
export function denseBackwardData(dy: Float32Array, w: Float32Array, dx: Float32Array, g: DenseGeometry): void {
  native().denseBackwardData(dy, w, dx, g.N, g.I, g.O);
}

/** dw = dyᵀ·x and db = column sums of dy (skipped when db is null). */
export function denseBackwardWeights(
  x: Float32Array,
  dy: Float32Array,
  dw: Float32Array,
  db: Float32Array | null,
  g: DenseGeometry,
): void {
  native().denseBackwardWeights(x, dy, dw, db, g.N, g.I, g.O);
}

/** y[n, c, :] += b[c] for y viewed as [N, C, HW]. */
export function biasAdd(y: Float32Array, b: Float32Array, N: number, C: number, HW: number): void {
  native().biasAdd(y, b, N, C, HW);
}

/** db[c] = Σ over n and hw of dy[n, c, hw]; db is overwritten. */
export function biasBackward(dy: Float32Array, db: Float32Array, N: number, C: number, HW: number): void {
  native().biasBackward(dy, db, N, C, HW);
}
