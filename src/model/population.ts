import { BatchSampler, LabeledSet } from '../data/dataset';
import { BatchNorm } from '../layers';
import type { Random } from '../random/random';
import type { Tensor } from '../tensor';
import type { Model } from './model';

export interface FinalizeOptions {
  /** Number K of training mini-batches to average over. */
  batches: number;
  /** Examples per mini-batch; use the training batch size, so m matches training. */
  batchSize: number;
  /** Generator for the shuffle that picks the K batches. */
  random: Random;
}

/**
 * Replaces every BatchNorm's running statistics with population statistics, as in Algorithm 2
 * of Ioffe & Szegedy (2015). The model runs `images` forward in train mode and no weight changes.
 * Upstream BNs use batch statistics, so each BN layer receives the inputs it received in training.
 * Each layer then gets E[x] = mean of its K batch means and Var[x] = m/(m − 1) · mean of its K
 * biased batch variances, m being the values per channel in one batch (N, or N·H·W after a conv).
 * Returns the number of BatchNorm layers updated.
 */
export function finalizeBatchNorm(model: Model, images: Iterable<Tensor>): number {
  const layers = model.layers().map((node) => node.layer).filter((layer): layer is BatchNorm => layer instanceof BatchNorm);
  for (const layer of layers) layer.beginPopulationStatistics();
  try {
    let count = 0;
    for (const batch of images) {
      model.forward(batch, 'train');
      count++;
    }
    if (count === 0) throw new RangeError('finalizeBatchNorm: no batches were given');
  } catch (error) {
    for (const layer of layers) layer.cancelPopulationStatistics();
    throw error;
  }
  for (const layer of layers) layer.endPopulationStatistics();
  return layers.length;
}

/** Runs finalizeBatchNorm on K full mini-batches drawn from one shuffle of `set`. */
export function finalizeBatchNormOnSet(model: Model, set: LabeledSet, options: FinalizeOptions): number {
  const available = Math.floor(set.count / options.batchSize);
  if (!Number.isInteger(options.batches) || options.batches < 1 || options.batches > available) {
    throw new RangeError(
      `finalizeBatchNorm: batches must be an integer in [1, ${available}] (full batches of ${options.batchSize} ` +
        `in ${set.count} examples), received ${options.batches}`,
    );
  }
  const sampler = new BatchSampler(set, options.batchSize, options.random);
  sampler.shuffle();
  return finalizeBatchNorm(model, (function* () {
    for (let b = 0; b < options.batches; b++) yield sampler.batch(b).images;
  })());
}
