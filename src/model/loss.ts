import { softmaxCrossEntropyBackward, softmaxCrossEntropyForward } from '../kernels/loss';
import { Tensor, TensorCache, formatShape } from '../tensor';

/**
 * Softmax cross-entropy averaged over the batch. forward() keeps the probabilities so that
 * backward() returns dL/dlogits = (softmax − onehot) / N.
 */
export class SoftmaxCrossEntropy {
  private readonly probabilityCache = new TensorCache();
  private readonly gradientCache = new TensorCache();
  private last: { probabilities: Tensor; labels: Int32Array } | undefined;

  /** Returns the mean loss of logits [N, K] against labels [N] in [0, K). */
  forward(logits: Tensor, labels: Int32Array): number {
    if (logits.shape.length !== 2 || labels.length !== logits.shape[0]) {
      throw new RangeError(
        `SoftmaxCrossEntropy: logits ${formatShape(logits.shape)} and ${labels.length} labels do not match; ` +
          'expected logits [N, K] and N labels',
      );
    }
    const [N, K] = logits.shape;
    const probabilities = this.probabilityCache.get(logits.shape);
    const loss = softmaxCrossEntropyForward({ N, K }, logits.data, labels, probabilities.data);
    this.last = { probabilities, labels };
    return loss;
  }

  /** Returns the softmax probabilities of the last forward() (owned by this object). */
  get probabilities(): Tensor {
    return this.requireLast().probabilities;
  }

  /** Returns the gradient of the last forward()'s mean loss with respect to its logits. */
  backward(): Tensor {
    const { probabilities, labels } = this.requireLast();
    const [N, K] = probabilities.shape;
    const grad = this.gradientCache.get(probabilities.shape);
    softmaxCrossEntropyBackward({ N, K }, probabilities.data, labels, grad.data);
    return grad;
  }

  private requireLast(): { probabilities: Tensor; labels: Int32Array } {
    if (!this.last) throw new Error('SoftmaxCrossEntropy: backward() called before forward()');
    return this.last;
  }
}
