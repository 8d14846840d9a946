/**
 * Typed wrappers over the native batch-normalization kernels (native/kernels/batchnorm).
 *
 * Batch normalization as in Ioffe & Szegedy (2015), Algorithm 1: x is viewed as [N, C, HW] and
 * each channel is normalized with its mini-batch mean and biased variance over m = N·HW values,
 * y = gamma·(x − mean)/sqrt(variance + eps) + beta, eps inside the square root. Convolutional BN
 * uses HW = H·W (statistics per channel); dense BN uses HW = 1 (statistics per activation).
 * Running statistics are not kept here: the layer owns them.
 */
import { native } from '../native/loader';

/** The [N, C, HW] view of a BN input: batch size, channels, and values per channel per sample. */
export interface BatchNormShape {
  N: number;
  C: number;
  HW: number;
}

/** Default eps, added to the variance inside the square root (PyTorch's default). */
export const DEFAULT_BATCH_NORM_EPS = 1e-5;

/**
 * Returns the BN view of a tensor shape: [N, C] (dense, HW = 1) or [N, C, H, W] (HW = H·W).
 * Throws a RangeError for any other rank or for a dimension that is not a positive integer.
 */
export function batchNormShapeOf(dims: readonly number[]): BatchNormShape {
  if (dims.length !== 2 && dims.length !== 4) {
    throw new RangeError(`batchNormShapeOf: expected [N, C] or [N, C, H, W], received [${dims.join(', ')}]`);
  }
  dims.forEach((size, axis) => {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`batchNormShapeOf: dimension ${axis} must be a positive integer, received ${size}`);
    }
  });
  return { N: dims[0], C: dims[1], HW: dims.length === 2 ? 1 : dims[2] * dims[3] };
}

/**
 * Training forward: overwrites mean and variance (C values each, the batch mean and the biased
 * batch variance Σ(x − mean)²/m) and y (N·C·HW values). gamma = null means 1, beta = null means 0.
 * y may be x itself.
 */
export function batchNormForwardTrain(shape: BatchNormShape, x: Float32Array, gamma: Float32Array | null,
  beta: Float32Array | null, y: Float32Array, mean: Float32Array, variance: Float32Array,
  eps = DEFAULT_BATCH_NORM_EPS): void {
  native().batchNormForwardTrain(x, gamma, beta, y, mean, variance, shape.N, shape.C, shape.HW, eps);
}

/** Gradients to compute in {@link batchNormBackward}; a null field is skipped. */
export interface BatchNormGradients {
  /** N·C·HW values, overwritten; may be dy itself. */
  dx: Float32Array | null;
  /** C values, overwritten with Σ dy·x̂. */
  dgamma: Float32Array | null;
  /** C values, overwritten with Σ dy. */
  dbeta: Float32Array | null;
}

/**
 * Backward through the batch statistics, given the mean and biased variance that
 * {@link batchNormForwardTrain} returned for the same x:
 * dx = gamma·invstd/m·(m·dy − Σdy − x̂·Σdy·x̂), with x̂ = (x − mean)·invstd and invstd = 1/sqrt(variance + eps).
 */
export function batchNormBackward(shape: BatchNormShape, x: Float32Array, dy: Float32Array, mean: Float32Array,
  variance: Float32Array, gamma: Float32Array | null, gradients: BatchNormGradients,
  eps = DEFAULT_BATCH_NORM_EPS): void {
  native().batchNormBackward(x, dy, mean, variance, gamma, gradients.dx, gradients.dgamma, gradients.dbeta,
    shape.N, shape.C, shape.HW, eps);
}

/**
 * Inference forward with given statistics (for Algorithm 2, the population mean and the
 * unbiased variance): y = gamma·(x − mean)/sqrt(variance + eps) + beta, folded to one
 * multiply-add per element. y may be x itself.
 */
export function batchNormForwardInference(shape: BatchNormShape, x: Float32Array, mean: Float32Array,
  variance: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, y: Float32Array,
  eps = DEFAULT_BATCH_NORM_EPS): void {
  native().batchNormForwardInference(x, mean, variance, gamma, beta, y, shape.N, shape.C, shape.HW, eps);
}
