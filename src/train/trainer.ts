import { BatchSampler, LabeledSet } from '../data/dataset';
import { SoftmaxCrossEntropy } from '../model/loss';
import type { Model } from '../model/model';
import type { Sgd } from '../optim/sgd';
import type { Random } from '../random/random';
import type { LearningRateSchedule } from '../optim/schedule';
import { Tensor } from '../tensor';
import { Evaluation, countCorrect, evaluate } from './evaluate';

/** Progress after one training step. */
export interface StepEvent {
  epoch: number;
  /** Steps completed since training began (across epochs). */
  step: number;
  /** Steps in the whole run. */
  totalSteps: number;
  /** Mean loss of this step's batch. */
  loss: number;
  /** Training images per second since the start of this epoch. */
  imagesPerSecond: number;
}

/** Metrics of one epoch. */
export interface EpochMetrics {
  epoch: number;
  step: number;
  /** Mean of the batch losses over the epoch. */
  trainLoss: number;
  /** Fraction of training examples classified right while training (train-mode forward). */
  trainAccuracy: number;
  test?: Evaluation;
  seconds: number;
  imagesPerSecond: number;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** Generator that shuffles the training set each epoch. */
  random: Random;
  /** Evaluated after every epoch when given. */
  testSet?: LabeledSet;
  onStep?: (event: StepEvent) => void;
  onEpoch?: (metrics: EpochMetrics) => void;
  /** Sets the optimizer's learning rate before each step from its initial value. Default: constant. */
  schedule?: LearningRateSchedule;
  /** Stops training between steps; fit() then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Runs one training step: forward in train mode, loss, backward, optimizer update. */
export class Trainer {
  private readonly loss = new SoftmaxCrossEntropy();

  constructor(readonly model: Model, readonly optimizer: Sgd) {}

  /** Trains on one batch and returns its mean loss and the number of examples classified right. */
  step(images: Tensor, labels: Int32Array): { loss: number; correct: number } {
    const logits = this.model.forward(images, 'train');
    const loss = this.loss.forward(logits, labels);
    const correct = countCorrect(logits, labels);
    this.model.backward(this.loss.backward());
    this.optimizer.step();
    return { loss, correct };
  }

  /**
   * Trains for `epochs` passes over `trainSet`, yielding to the event loop between steps so that
   * progress output and an AbortSignal stay responsive. Returns the metrics of every epoch.
   */
  async fit(trainSet: LabeledSet, options: FitOptions): Promise<EpochMetrics[]> {
    if (!Number.isInteger(options.epochs) || options.epochs < 1) {
      throw new RangeError(`Trainer.fit: epochs must be a positive integer, received ${options.epochs}`);
    }
    if (!options.random) throw new TypeError('Trainer.fit: options.random (a Random that shuffles the data) is missing');
    const sampler = new BatchSampler(trainSet, options.batchSize, options.random);
    const totalSteps = sampler.batchesPerEpoch * options.epochs;
    const history: EpochMetrics[] = [];
    const baseRate = this.optimizer.learningRate;
    let step = 0;

    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      sampler.shuffle();
      const started = performance.now();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;

      for (let b = 0; b < sampler.batchesPerEpoch; b++) {
        options.signal?.throwIfAborted();
        const batch = sampler.batch(b);
        if (options.schedule) this.optimizer.learningRate = options.schedule(baseRate, step, totalSteps);
        const result = this.step(batch.images, batch.labels);
        if (!Number.isFinite(result.loss)) {
          throw new Error(`Trainer: loss became ${result.loss} at epoch ${epoch}, step ${step + 1}; lower the learning rate`);
        }
        step++;
        seen += batch.labels.length;
        lossSum += result.loss;
        correct += result.correct;
        const seconds = (performance.now() - started) / 1000;
        options.onStep?.({ epoch, step, totalSteps, loss: result.loss, imagesPerSecond: seen / seconds });
        await yieldToEventLoop();
      }

      const seconds = (performance.now() - started) / 1000;
      const metrics: EpochMetrics = {
        epoch,
        step,
        trainLoss: lossSum / sampler.batchesPerEpoch,
        trainAccuracy: correct / seen,
        seconds,
        imagesPerSecond: seen / seconds,
      };
      if (options.testSet) metrics.test = evaluate(this.model, options.testSet);
      history.push(metrics);
      options.onEpoch?.(metrics);
    }
    return history;
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
