import prand from 'pure-rand';

/** A seeded source of test data: the same seed always gives the same arrays. */
export class TestRandom {
  private generator: prand.RandomGenerator;

  constructor(seed: number) {
    this.generator = prand.xoroshiro128plus(seed);
  }

  /** Returns a uniform float in [low, high). */
  uniform(low = -1, high = 1): number {
    const value = prand.unsafeUniformIntDistribution(0, 0x3fffffff, this.generator);
    return low + ((high - low) * value) / 0x40000000;
  }

  /** Returns an integer in [low, high]. */
  integer(low: number, high: number): number {
    return prand.unsafeUniformIntDistribution(low, high, this.generator);
  }

  /** Fills a new Float32Array of `length` uniform values in [low, high). */
  float32(length: number, low = -1, high = 1): Float32Array {
    const values = new Float32Array(length);
    for (let i = 0; i < length; i++) values[i] = this.uniform(low, high);
    return values;
  }

  /** Fills a new Int32Array of `length` integers in [0, classes). */
  labels(length: number, classes: number): Int32Array {
    const values = new Int32Array(length);
    for (let i = 0; i < length; i++) values[i] = this.integer(0, classes - 1);
    return values;
  }
}
