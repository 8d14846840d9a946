import { firstExamples } from '../../src/data/dataset';
import { loadImageDataset } from '../../src/data/load';
import { bnCnn, paperMlp } from '../../src/model/builders';
import { Sgd } from '../../src/optim/sgd';
import { Random } from '../../src/random/random';
import { evaluate } from '../../src/train/evaluate';
import { Trainer } from '../../src/train/trainer';
import { native } from '../../src/native/loader';

const mnist = loadImageDataset();

/** Trains W2 for `steps` batches of 32 from the first MNIST images; returns the batch losses. */
async function trainW2(steps: number, seed: number): Promise<{ losses: number[]; weights: Float32Array }> {
  const model = bnCnn().build(seed);
  const trainer = new Trainer(model, new Sgd(model.parameters(), { learningRate: 0.05, momentum: 0.9 }));
  const losses: number[] = [];
  await trainer.fit(firstExamples(mnist.train, steps * 32), {
    epochs: 1,
    batchSize: 32,
    random: new Random(seed).split(),
    onStep: (event) => losses.push(event.loss),
  });
  return { losses, weights: Float32Array.from(model.parameters()[0].parameter.value.data) };
}

const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;

describe('end-to-end training', () => {
  test('W2 loss falls on real MNIST within 60 steps', async () => {
    const { losses } = await trainW2(60, 1);
    expect(mean(losses.slice(0, 5))).toBeGreaterThan(1.5);
    expect(mean(losses.slice(-10))).toBeLessThan(0.6);
  });

  test('training is deterministic and independent of the thread count', async () => {
    const one = await withThreadsAsync(1, () => trainW2(8, 3));
    const two = await withThreadsAsync(2, () => trainW2(8, 3));
    expect(two.losses).toEqual(one.losses);
    expect(Buffer.from(two.weights.buffer).equals(Buffer.from(one.weights.buffer))).toBe(true);
  });

  test('W1 with BatchNorm learns MNIST in 200 steps', async () => {
    const model = paperMlp().build(2);
    const trainer = new Trainer(model, new Sgd(model.parameters(), { learningRate: 0.5 }));
    const flat = (set: typeof mnist.train) => ({ ...set, exampleShape: [784] });
    await trainer.fit(firstExamples(flat(mnist.train), 200 * 60), { epochs: 1, batchSize: 60, random: new Random(2) });
    expect(evaluate(model, flat(mnist.test)).accuracy).toBeGreaterThan(0.85);
  });
});

async function withThreadsAsync<T>(threads: number, body: () => Promise<T>): Promise<T> {
  const addon = native();
  const previous = addon.numThreads();
  addon.setNumThreads(threads);
  try {
    return await body();
  } finally {
    addon.setNumThreads(previous);
  }
}
