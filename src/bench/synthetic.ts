import { Random } from '../random/random';
import { Tensor } from '../tensor';

export interface TestData {
  batches: { images: Tensor; labels: Int32Array }[];
}

/**
 * Makes `count` batches of uniform [0, 1) images and random labels of 10 classes, generated
 * up front so data generation is not timed.
 */
export function syntheticBatches(batchSize: number, exampleShape: number[], count: number, seed: number): TestData {
  const random = new Random(seed);
  const batches = [];
  for (let b = 0; b < count; b++) {
    const images = new Tensor([batchSize, ...exampleShape]);
    for (let i = 0; i < images.size; i++) images.data[i] = random.uniform();
    const labels = new Int32Array(batchSize);
    for (let n = 0; n < batchSize; n++) labels[n] = random.integer(10);
    batches.push({ images, labels });
  }
  return { batches };
}
