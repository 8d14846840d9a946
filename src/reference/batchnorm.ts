/**
 * Float64 reference batch normalization, Ioffe & Szegedy (2015), Algorithm 1 and the backward
 * equations of their section 3: the oracle the native kernels are tested against.
 * x is viewed as [N, C, HW]; statistics per channel over m = N·HW values. Inputs may be Float32Array
 * or Float64Array; gamma = null means 1 and beta = null means 0.
 */
import type { BatchNormShape } from '../kernels/batchnorm';

type Numbers = ArrayLike<number>;

/** Returns the offset of element (n, c, i) in the [N, C, HW] layout. */
function offset(shape: BatchNormShape, n: number, c: number, i: number): number {
  return (n * shape.C + c) * shape.HW + i;
}

/** Calls visit(index) for every element of channel c. */
function forChannel(shape: BatchNormShape, c: number, visit: (index: number) => void): void {
  for (let n = 0; n < shape.N; n++) {
    for (let i = 0; i < shape.HW; i++) visit(offset(shape, n, c, i));
  }
}

export interface BatchNormTrainResult {
  y: Float64Array;
  /** Mini-batch mean per channel. */
  mean: Float64Array;
  /** Biased mini-batch variance per channel, Σ(x − mean)²/m. */
  variance: Float64Array;
}

export function batchNormForwardTrain(x: Numbers, gamma: Numbers | null, beta: Numbers | null, shape: BatchNormShape,
  eps: number): BatchNormTrainResult {
  const m = shape.N * shape.HW;
  const mean = new Float64Array(shape.C);
  const variance = new Float64Array(shape.C);
  for (let c = 0; c < shape.C; c++) {
    let sum = 0;
    forChannel(shape, c, (j) => { sum += x[j]; });
    mean[c] = sum / m;
    let squares = 0;
    forChannel(shape, c, (j) => { squares += (x[j] - mean[c]) ** 2; });
    variance[c] = squares / m;
  }
  const y = batchNormForwardInference(x, mean, variance, gamma, beta, shape, eps);
  return { y, mean, variance };
}

/** y = gamma·(x − mean)/sqrt(variance + eps) + beta with the given statistics. */
export function batchNormForwardInference(x: Numbers, mean: Numbers, variance: Numbers, gamma: Numbers | null,
  beta: Numbers | null, shape: BatchNormShape, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let c = 0; c < shape.C; c++) {
    const scale = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + eps);
    const shift = beta ? beta[c] : 0;
    forChannel(shape, c, (j) => { y[j] = (x[j] - mean[c]) * scale + shift; });
  }
  return y;
}

export interface BatchNormGradientsResult {
  dx: Float64Array;
  dgamma: Float64Array;
  dbeta: Float64Array;
}

/**
 * Gradients of Σ dy·y through the batch statistics, written as the paper's chain rule (not the
 * fused formula the native kernel uses), with x̂ = (x − μ)/sqrt(σ² + eps):
 *   dx̂ = dy·γ,  dσ² = Σ dx̂·(x − μ)·(−1/2)(σ² + eps)^(−3/2),
 *   dμ = Σ dx̂·(−1/sqrt(σ² + eps)) + dσ²·Σ −2(x − μ)/m,
 *   dx = dx̂/sqrt(σ² + eps) + dσ²·2(x − μ)/m + dμ/m,  dγ = Σ dy·x̂,  dβ = Σ dy.
 */
export function batchNormBackward(x: Numbers, dy: Numbers, mean: Numbers, variance: Numbers, gamma: Numbers | null,
  shape: BatchNormShape, eps: number): BatchNormGradientsResult {
  const m = shape.N * shape.HW;
  const dx = new Float64Array(x.length);
  const dgamma = new Float64Array(shape.C);
  const dbeta = new Float64Array(shape.C);
  for (let c = 0; c < shape.C; c++) {
    const g = gamma ? gamma[c] : 1;
    const mu = mean[c];
    const std = Math.sqrt(variance[c] + eps);

    let dVariance = 0;
    let dMean = 0;
    let centeredSum = 0;
    forChannel(shape, c, (j) => {
      const dxhat = dy[j] * g;
      dVariance += dxhat * (x[j] - mu) * -0.5 * std ** -3;
      dMean += -dxhat / std;
      centeredSum += -2 * (x[j] - mu);
      dgamma[c] += dy[j] * ((x[j] - mu) / std);
      dbeta[c] += dy[j];
    });
    dMean += (dVariance * centeredSum) / m;

    forChannel(shape, c, (j) => {
      dx[j] = (dy[j] * g) / std + (dVariance * 2 * (x[j] - mu)) / m + dMean / m;
    });
  }
  return { dx, dgamma, dbeta };
}
