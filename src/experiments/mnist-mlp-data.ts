import { LabeledSet } from '../data/dataset';
import { loadImageDataset } from '../data/load';

/** Threshold on pixel intensities in [0, 1] that makes Ioffe & Szegedy's (2015) binary MNIST input. */
export const BINARY_THRESHOLD = 0.5;

/** MNIST flattened to 784-value vectors, as the fully connected network of section 4.1 reads it. */
export interface MlpData {
  train: LabeledSet;
  test: LabeledSet;
  /** Folder the IDX files came from. */
  directory: string;
}

/**
 * Loads MNIST (or another MNIST-style folder) as flat vectors. With `binary`, every pixel becomes
 * 1 when its intensity exceeds 0.5 and 0 otherwise, the "28x28 binary image input" of Ioffe &
 * Szegedy (2015, section 4.1). Without it the grey levels in [0, 1] are kept.
 */
export function loadMlpData(directory: string | undefined, binary: boolean): MlpData {
  const data = loadImageDataset(directory);
  return { train: flatten(data.train, binary), test: flatten(data.test, binary), directory: data.directory };
}

function flatten(set: LabeledSet, binary: boolean): LabeledSet {
  const size = set.exampleShape.reduce((product, dim) => product * dim, 1);
  const images = binary ? binarize(set.images) : set.images;
  return { ...set, images, exampleShape: [size] };
}

/** Returns a copy of `values` with 1 where a value exceeds BINARY_THRESHOLD and 0 elsewhere. */
export function binarize(values: Float32Array): Float32Array {
  const result = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) result[i] = values[i] > BINARY_THRESHOLD ? 1 : 0;
  return result;
}
