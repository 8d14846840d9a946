/**
 * Float64 reference softmax cross-entropy: the oracle the native kernels are tested against.
 * logits are [N, K] row-major; labels hold one class index in [0, K) per row.
 */

export interface SoftmaxCrossEntropyResult {
  probs: Float64Array;
  /** Mean over rows of −log softmax(logits)[label]. */
  loss: number;
}

export function softmaxCrossEntropyForward(logits: ArrayLike<number>, labels: ArrayLike<number>, N: number,
  K: number): SoftmaxCrossEntropyResult {
  const probs = new Float64Array(N * K);
  let total = 0;
  for (let n = 0; n < N; n++) {
    const row = n * K;
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, logits[row + k]);
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(logits[row + k] - max);
    const logSum = Math.log(sum);
    for (let k = 0; k < K; k++) probs[row + k] = Math.exp(logits[row + k] - max - logSum);
    total += logSum - (logits[row + labels[n]] - max);
  }
  return { probs, loss: total / N };
}

/** Gradient of the mean loss: (probs − onehot(labels)) / N. */
export function softmaxCrossEntropyBackward(probs: ArrayLike<number>, labels: ArrayLike<number>, N: number,
  K: number): Float64Array {
  const dlogits = new Float64Array(N * K);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) dlogits[n * K + k] = (probs[n * K + k] - (k === labels[n] ? 1 : 0)) / N;
  }
  return dlogits;
}
