import { BatchSampler } from '../data/dataset';
import { paperMlp } from '../model/builders';
import { ActivationMonitor } from '../monitor/activation-monitor';
import { Sgd } from '../optim/sgd';
import { Random } from '../random/random';
import { Tensor } from '../tensor';
import { evaluate } from '../train/evaluate';
import { Trainer } from '../train/trainer';
import type { MlpData } from './mnist-mlp-data';

/** Settings of one training run of workload W1 (with BN) or W1-nobn (without). */
export interface NetworkRunSettings {
  batchNorm: boolean;
  steps: number;
  batchSize: number;
  learningRate: number;
  /** Standard deviation of the Gaussian the weights start from. */
  initStd: number;
  /** Seeds the weights and the shuffling; the same seed gives both networks the same start and batches. */
  seed: number;
  /** Steps between measurements; step 0 and the last step are measured too. */
  measureEvery: number;
  /** Unit of the last hidden layer whose sigmoid input is watched. */
  unit: number;
  percentiles: number[];
}

/** Test accuracy and the watched unit's sigmoid-input distribution after `step` steps. */
export interface Measurement {
  step: number;
  testAccuracy: number;
  testLoss: number;
  /** Mean mini-batch loss over the steps since the previous measurement; null at step 0. */
  trainLoss: number | null;
  /** Percentiles of the watched unit's sigmoid input over the test set, in settings.percentiles order. */
  percentiles: number[];
  mean: number;
  std: number;
}

export interface NetworkRun {
  /** The node whose output is the last hidden sigmoid's input: `bn3` with BN, `fc3` without. */
  monitoredNode: string;
  measurements: Measurement[];
  /** Wall time of this run in seconds; a timing field, excluded from determinism checks. */
  seconds: number;
}

/** Returns the node whose output feeds the last hidden sigmoid in paperMlp. */
export function sigmoidInputNode(batchNorm: boolean): string {
  return batchNorm ? 'bn3' : 'fc3';
}

/** Returns the steps at which a run of `steps` steps is measured. */
export function measurementSteps(steps: number, every: number): number[] {
  const result: number[] = [];
  for (let step = 0; step < steps; step += every) result.push(step);
  result.push(steps);
  return result;
}

/**
 * Trains paperMlp with plain SGD on mini-batches drawn from per-epoch shuffles, measuring test
 * accuracy and the last hidden layer's sigmoid input at the scheduled steps. Yields to the event
 * loop after each measurement; `onMeasurement` reports progress.
 */
export async function runNetwork(
  data: MlpData,
  settings: NetworkRunSettings,
  onMeasurement?: (measurement: Measurement) => void,
): Promise<NetworkRun> {
  const started = performance.now();
  const model = paperMlp({ batchNorm: settings.batchNorm, std: settings.initStd, classes: data.train.classes }).build(settings.seed);
  const trainer = new Trainer(model, new Sgd(model.parameters(), { learningRate: settings.learningRate }));
  const node = sigmoidInputNode(settings.batchNorm);
  const due = measurementSteps(settings.steps, settings.measureEvery);
  const monitor = new ActivationMonitor(model, {
    probes: [{ node, units: [settings.unit] }],
    inputs: new Tensor([data.test.count, ...data.test.exampleShape], data.test.images),
    percentiles: settings.percentiles,
    steps: due,
  });

  const measurements: Measurement[] = [];
  let lossSum = 0;
  let lossCount = 0;
  const measure = (step: number): void => {
    const test = evaluate(model, data.test);
    const unit = monitor.record(step)[0].units[0];
    const measurement: Measurement = {
      step,
      testAccuracy: test.accuracy,
      testLoss: test.loss,
      trainLoss: lossCount > 0 ? lossSum / lossCount : null,
      percentiles: unit.percentiles,
      mean: unit.mean,
      std: unit.std,
    };
    measurements.push(measurement);
    onMeasurement?.(measurement);
    lossSum = 0;
    lossCount = 0;
  };

  const sampler = new BatchSampler(data.train, settings.batchSize, new Random(settings.seed).split());
  let index = sampler.batchesPerEpoch;
  measure(0);
  for (let step = 1; step <= settings.steps; step++) {
    if (index === sampler.batchesPerEpoch) {
      sampler.shuffle();
      index = 0;
    }
    const batch = sampler.batch(index++);
    const { loss } = trainer.step(batch.images, batch.labels);
    if (!Number.isFinite(loss)) {
      throw new Error(`runNetwork: loss became ${loss} at step ${step} (learning rate ${settings.learningRate})`);
    }
    lossSum += loss;
    lossCount++;
    if (monitor.isDue(step)) {
      measure(step);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  return { monitoredNode: node, measurements, seconds: (performance.now() - started) / 1000 };
}
