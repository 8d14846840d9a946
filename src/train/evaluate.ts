import type { LabeledSet } from '../data/dataset';
import { SoftmaxCrossEntropy } from '../model/loss';
import type { Model } from '../model/model';
import { Tensor, sizeOf } from '../tensor';

export interface Evaluation {
  /** Mean softmax cross-entropy over the set. */
  loss: number;
  /** Fraction of examples whose largest logit is the label, in [0, 1]. */
  accuracy: number;
  correct: number;
  count: number;
}

/**
 * Runs the model in eval mode (population statistics; nothing is updated) over a whole set,
 * in batches of `batchSize`, and returns its loss and accuracy.
 */
export function evaluate(model: Model, set: LabeledSet, batchSize = 500): Evaluation {
  if (set.count < 1) throw new RangeError('evaluate: the set is empty');
  const loss = new SoftmaxCrossEntropy();
  const E = sizeOf(set.exampleShape);
  let correct = 0;
  let lossSum = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const size = Math.min(batchSize, set.count - start);
    const images = new Tensor([size, ...set.exampleShape], set.images.subarray(start * E, (start + size) * E));
    const labels = set.labels.subarray(start, start + size);
    const logits = model.forward(images, 'eval');
    lossSum += loss.forward(logits, labels) * size;
    correct += countCorrect(logits, labels);
  }
  return { loss: lossSum / set.count, accuracy: correct / set.count, correct, count: set.count };
}

/** Counts rows of logits [N, K] whose first largest value sits at the label. */
export function countCorrect(logits: Tensor, labels: Int32Array): number {
  const [N, K] = logits.shape;
  let correct = 0;
  for (let n = 0; n < N; n++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (logits.data[n * K + k] > logits.data[n * K + best]) best = k;
    if (best === labels[n]) correct++;
  }
  return correct;
}
