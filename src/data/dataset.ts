import { Random } from '../random/random';
import { Tensor, formatShape, sizeOf } from '../tensor';

/** A set of labelled examples held in memory: images [count, ...exampleShape] and labels [count]. */
export interface LabeledSet {
  count: number;
  /** Per-example shape, e.g. [1, 28, 28]. */
  exampleShape: number[];
  /** count × prod(exampleShape) floats, row-major. */
  images: Float32Array;
  /** count labels in [0, classes). */
  labels: Int32Array;
  classes: number;
}

/** Checks that the arrays of a set agree with its count and shape; returns the set. */
export function checkLabeledSet(set: LabeledSet, name: string): LabeledSet {
  const exampleSize = sizeOf(set.exampleShape);
  if (set.images.length !== set.count * exampleSize) {
    throw new RangeError(
      `${name}: ${set.images.length} image values, expected count ${set.count} × ${formatShape(set.exampleShape)} = ${set.count * exampleSize}`,
    );
  }
  if (set.labels.length !== set.count) throw new RangeError(`${name}: ${set.labels.length} labels, expected ${set.count}`);
  return set;
}

/** Returns a view of the first `count` examples of a set (no copy). */
export function firstExamples(set: LabeledSet, count: number): LabeledSet {
  if (!Number.isInteger(count) || count < 1 || count > set.count) {
    throw new RangeError(`firstExamples: count must be an integer in [1, ${set.count}], received ${count}`);
  }
  const E = sizeOf(set.exampleShape);
  return { ...set, count, images: set.images.subarray(0, count * E), labels: set.labels.subarray(0, count) };
}

/**
 * Draws mini-batches from a per-epoch shuffle. The shuffle comes from its own seeded generator,
 * so the order of examples depends only on the seed and the epoch, never on thread count or timing.
 * A final batch smaller than batchSize is kept, unless it has a single example: BatchNorm cannot
 * estimate a variance from one value, so that example waits for the next epoch's shuffle.
 */
export class BatchSampler {
  readonly batchSize: number;
  private readonly order: Int32Array;
  private readonly images: Tensor;
  private readonly labels: Int32Array;
  private readonly exampleSize: number;

  constructor(private readonly set: LabeledSet, batchSize: number, private random: Random) {
    if (!Number.isInteger(batchSize) || batchSize < 2) {
      throw new RangeError(`BatchSampler: batch size must be an integer >= 2, received ${batchSize}`);
    }
    if (set.count < 2) throw new RangeError(`BatchSampler: the set has ${set.count} example(s); training needs at least 2`);
    this.batchSize = batchSize;
    this.order = new Int32Array(set.count);
    this.exampleSize = sizeOf(set.exampleShape);
    this.images = new Tensor([batchSize, ...set.exampleShape]);
    this.labels = new Int32Array(batchSize);
  }

  /** Number of batches one epoch yields. */
  get batchesPerEpoch(): number {
    const full = Math.floor(this.set.count / this.batchSize);
    return full + (this.set.count % this.batchSize >= 2 ? 1 : 0);
  }

  /** Returns the shuffling generator's state, for checkpoints. */
  randomState(): number[] {
    return this.random.getState();
  }

  /** Reshuffles for a new epoch. */
  shuffle(): void {
    for (let i = 0; i < this.order.length; i++) this.order[i] = i;
    this.random.shuffle(this.order);
  }

  /**
   * Copies batch `index` of the current shuffle into reused buffers and returns views on them,
   * valid until the next call.
   */
  batch(index: number): { images: Tensor; labels: Int32Array } {
    const start = index * this.batchSize;
    const size = Math.min(this.batchSize, this.set.count - start);
    if (index < 0 || size < 1) throw new RangeError(`BatchSampler: batch ${index} is past the end of the epoch`);
    const E = this.exampleSize;
    for (let b = 0; b < size; b++) {
      const example = this.order[start + b];
      this.images.data.set(this.set.images.subarray(example * E, (example + 1) * E), b * E);
      this.labels[b] = this.set.labels[example];
    }
    if (size === this.batchSize) return { images: this.images, labels: this.labels };
    return {
      images: new Tensor([size, ...this.set.exampleShape], this.images.data.subarray(0, size * E)),
      labels: this.labels.subarray(0, size),
    };
  }
}
