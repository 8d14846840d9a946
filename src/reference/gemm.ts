/**
 * Float64 reference matrix multiply, row-major with packed leading dimensions, as the native
 * sgemm: C = alpha·op(A)·op(B) + beta·C, op(A) M×K (A stored K×M when transA), op(B) K×N
 * (B stored N×K when transB).
 */
type Numbers = ArrayLike<number>;

export interface GemmGeometry {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
}

/** Element strides of op(A) and op(B) in their stored arrays. */
function stridesOf(g: GemmGeometry) {
  return {
    aRowStride: g.transA ? 1 : g.K,
    aDepthStride: g.transA ? g.M : 1,
    bDepthStride: g.transB ? 1 : g.N,
    bColumnStride: g.transB ? g.K : 1,
  };
}

/** Returns alpha·op(A)·op(B) + beta·C; C is not read when beta is 0 (it may hold NaN). */
export function gemm(g: GemmGeometry, alpha: number, a: Numbers, b: Numbers, beta: number, c: Numbers): Float64Array {
  const s = stridesOf(g);
  const out = new Float64Array(g.M * g.N);
  for (let i = 0; i < g.M; i++) {
    for (let j = 0; j < g.N; j++) {
      let sum = 0;
      for (let k = 0; k < g.K; k++) sum += a[i * s.aRowStride + k * s.aDepthStride] * b[k * s.bDepthStride + j * s.bColumnStride];
      out[i * g.N + j] = beta === 0 ? alpha * sum : alpha * sum + beta * c[i * g.N + j];
    }
  }
  return out;
}

/** Returns Σ over i, j, k of |alpha·op(A)[i,k]·op(B)[k,j]| + |beta·C[i,j]| per element, the scale of its rounding error. */
export function gemmMagnitude(g: GemmGeometry, alpha: number, a: Numbers, b: Numbers, beta: number, c: Numbers): Float64Array {
  const abs = (values: Numbers) => Float64Array.from(values as ArrayLike<number>, Math.abs);
  return gemm(g, Math.abs(alpha), abs(a), abs(b), Math.abs(beta), abs(c));
}

/**
 * Gradients of L = Σ dC·C with respect to the stored A, B and C:
 *   ∂L/∂op(A) = alpha·dC·op(B)ᵀ,  ∂L/∂op(B) = alpha·op(A)ᵀ·dC,  ∂L/∂C_in = beta·dC,
 * with the first two transposed back when A or B is stored transposed.
 */
export function gemmBackward(g: GemmGeometry, alpha: number, a: Numbers, b: Numbers, beta: number, dc: Numbers) {
  const s = stridesOf(g);
  const da = new Float64Array(g.M * g.K);
  const db = new Float64Array(g.K * g.N);
  for (let i = 0; i < g.M; i++) {
    for (let j = 0; j < g.N; j++) {
      const gradient = alpha * dc[i * g.N + j];
      for (let k = 0; k < g.K; k++) {
        const aIndex = i * s.aRowStride + k * s.aDepthStride;
        const bIndex = k * s.bDepthStride + j * s.bColumnStride;
        da[aIndex] += gradient * b[bIndex];
        db[bIndex] += gradient * a[aIndex];
      }
    }
  }
  const dcIn = Float64Array.from(dc as ArrayLike<number>, (value) => beta * value);
  return { da, db, dc: dcIn };
}
