/**
 * Typed wrappers over the native softmax cross-entropy kernels (native/kernels/loss).
 */
import { native } from '../native/loader';

/** A batch of N rows of K class scores (logits), with one label in [0, K) per row. */
export interface ClassificationShape {
  N: number;
  K: number;
}

/**
 * Overwrites probs (N·K) with the row-wise softmax of logits and returns the mean over rows of
 * −log probs[n, labels[n]], computed as log-sum-exp in double so that huge logits stay finite.
 * Throws a RangeError naming the label if any is outside [0, K).
 */
export function softmaxCrossEntropyForward(shape: ClassificationShape, logits: Float32Array, labels: Int32Array,
  probs: Float32Array): number {
  return native().softmaxCrossEntropyForward(logits, labels, probs, shape.N, shape.K);
}

/** Overwrites dlogits with (probs − onehot(labels)) / N, the gradient of the mean loss; dlogits may be probs. */
export function softmaxCrossEntropyBackward(shape: ClassificationShape, probs: Float32Array, labels: Int32Array,
  dlogits: Float32Array): void {
  native().softmaxCrossEntropyBackward(probs, labels, dlogits, shape.N, shape.K);
}
