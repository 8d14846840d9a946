/**
 * The native addon's typed interface. Every function operates in place on the arrays it is
 * given (no copies), validates types, lengths and dimensions, and throws a TypeError or
 * RangeError that names the argument. Layouts are row-major: images NCHW, convolution weights
 * [K, C, KH, KW], dense weights [outputs, inputs] with y = x·wᵀ + b.
 */

/** A SIMD code path: `scalar` is the reference, `avx2` needs AVX2 and FMA. */
export type SimdTarget = 'scalar' | 'avx2';

export interface BuildInfo {
  /** `cmake-js` or `node-gyp`. */
  buildSystem: string;
  compiler: string;
  napiVersion: number;
}

export interface NativeAddon {
  // Runtime (native/binding/runtime.cc).
  simdTargets(): SimdTarget[];
  simdTarget(): SimdTarget;
  setSimdTarget(target: SimdTarget | 'auto'): void;
  numThreads(): number;
  setNumThreads(threads: number): void;
  buildInfo(): BuildInfo;

  // Activations (native/kernels/activation): elementwise, outputs may alias inputs.
  reluForward(x: Float32Array, y: Float32Array): void;
  /** dx = y > 0 ? dy : 0, where y is the forward output. */
  reluBackward(y: Float32Array, dy: Float32Array, dx: Float32Array): void;
  sigmoidForward(x: Float32Array, y: Float32Array): void;
  /** dx = dy · y · (1 − y), where y is the forward output. */
  sigmoidBackward(y: Float32Array, dy: Float32Array, dx: Float32Array): void;

  // Matrix multiply (native/kernels/gemm): row-major, C = alpha·op(A)·op(B) + beta·C,
  // op(A) is M×K, op(B) is K×N; A is stored M×K (K×M when transA), B is K×N (N×K when transB).
  sgemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    a: Float32Array, b: Float32Array, beta: number, c: Float32Array): void;

  // Convolution (native/kernels/conv2d): x [N,C,H,W], w [K,C,KH,KW], y [N,K,OH,OW] with
  // OH = floor((H + 2·pad − KH) / stride) + 1 (same for OW). Outputs are overwritten.
  conv2dForward(x: Float32Array, w: Float32Array, y: Float32Array, N: number, C: number, H: number,
    W: number, K: number, KH: number, KW: number, stride: number, pad: number): void;
  conv2dBackwardData(dy: Float32Array, w: Float32Array, dx: Float32Array, N: number, C: number,
    H: number, W: number, K: number, KH: number, KW: number, stride: number, pad: number): void;
  conv2dBackwardFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, N: number, C: number,
    H: number, W: number, K: number, KH: number, KW: number, stride: number, pad: number): void;

  // Dense (native/kernels/dense): x [N,I], w [O,I], b [O] or null, y [N,O]. Outputs overwritten.
  denseForward(x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array,
    N: number, I: number, O: number): void;
  /** dx = dy·w. */
  denseBackwardData(dy: Float32Array, w: Float32Array, dx: Float32Array, N: number, I: number,
    O: number): void;
  /** dw = dyᵀ·x, db = column sums of dy (skipped when db is null). */
  denseBackwardWeights(x: Float32Array, dy: Float32Array, dw: Float32Array, db: Float32Array | null,
    N: number, I: number, O: number): void;
  /** y[n, c, :] += b[c] for y viewed as [N, C, HW]. */
  biasAdd(y: Float32Array, b: Float32Array, N: number, C: number, HW: number): void;
  /** db[c] = Σ over n and hw of dy[n, c, hw]; db is overwritten. */
  biasBackward(dy: Float32Array, db: Float32Array, N: number, C: number, HW: number): void;

  // Batch normalization (native/kernels/batchnorm), x viewed as [N, C, HW]: statistics per
  // channel over N·HW values (HW = 1 for per-activation BN after a dense layer). N, C, HW >= 1;
  // eps must be positive and finite. y may be x itself and dx may be dy itself; any other
  // shared memory between an output and another array is a RangeError.
  /**
   * Training forward: writes the batch mean and the biased batch variance per channel, then
   * y = gamma·(x − mean)/sqrt(variance + eps) + beta (gamma = 1, beta = 0 when null).
   */
  batchNormForwardTrain(x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null,
    y: Float32Array, mean: Float32Array, variance: Float32Array, N: number, C: number, HW: number,
    eps: number): void;
  /**
   * Backward through the batch statistics (mean and biased variance from the forward pass).
   * Any of dx, dgamma, dbeta may be null to skip it; the others are overwritten.
   */
  batchNormBackward(x: Float32Array, dy: Float32Array, mean: Float32Array, variance: Float32Array,
    gamma: Float32Array | null, dx: Float32Array | null, dgamma: Float32Array | null,
    dbeta: Float32Array | null, N: number, C: number, HW: number, eps: number): void;
  /** Inference: y = gamma·(x − mean)/sqrt(variance + eps) + beta with the given statistics. */
  batchNormForwardInference(x: Float32Array, mean: Float32Array, variance: Float32Array,
    gamma: Float32Array | null, beta: Float32Array | null, y: Float32Array, N: number, C: number,
    HW: number, eps: number): void;

  // Max pooling (native/kernels/pool): x [N,C,H,W] → y [N,C,OH,OW], OH = floor((H + 2·pad − KH) /
  // stride) + 1. argmax [N,C,OH,OW] receives the index of the maximum within its H×W plane
  // (the first one on ties). Padding never wins. pad must be less than KH and KW, so that every
  // window contains an input element. A NaN wins its window (the first NaN's index is kept).
  maxPool2dForward(x: Float32Array, y: Float32Array, argmax: Int32Array, N: number, C: number,
    H: number, W: number, KH: number, KW: number, stride: number, pad: number): void;
  /**
   * dx is overwritten: zero, then dy routed to the argmax positions (summed where windows overlap).
   * Every argmax must be in [0, H·W); all are checked before dx is written.
   */
  maxPool2dBackward(dy: Float32Array, argmax: Int32Array, dx: Float32Array, N: number, C: number,
    H: number, W: number, OH: number, OW: number): void;

  // Softmax cross-entropy (native/kernels/loss): logits [N,K], labels [N] in [0, K); a label
  // outside that range is a RangeError naming its index and value.
  /** Writes softmax probabilities (probs must not share memory with logits) and returns the mean loss over the N rows. */
  softmaxCrossEntropyForward(logits: Float32Array, labels: Int32Array, probs: Float32Array,
    N: number, K: number): number;
  /** dlogits = (probs − onehot(labels)) / N, the gradient of the mean loss; dlogits may be probs itself. */
  softmaxCrossEntropyBackward(probs: Float32Array, labels: Int32Array, dlogits: Float32Array,
    N: number, K: number): void;

  // Optimizers (native/kernels/optim).
  /**
   * One SGD step in place, per element: d = g + weightDecay·w; v = firstStep ? d : momentum·v + d;
   * w −= lr·(nesterov ? d + momentum·v : v). With momentum 0, w −= lr·d and v may be null.
   */
  sgdUpdate(w: Float32Array, g: Float32Array, v: Float32Array | null, lr: number, momentum: number,
    weightDecay: number, nesterov: boolean, firstStep: boolean): void;
}
