import prand from 'pure-rand';

/**
 * A seeded random generator (xoroshiro128+ from pure-rand) whose state can be saved in a
 * checkpoint and restored, so that a resumed run draws the same numbers as an uninterrupted one.
 */
export class Random {
  private generator: prand.RandomGenerator;

  /** Creates a generator from a 32-bit integer seed. */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`Random: seed must be an integer, received ${seed}`);
    this.generator = prand.xoroshiro128plus(seed | 0);
  }

  static fromState(state: readonly number[]): Random {
    const random = new Random(0);
    random.generator = prand.xoroshiro128plus.fromState(state);
    return random;
  }

  /** Returns the generator's state: plain numbers that fromState accepts. */
  getState(): number[] {
    const state = this.generator.getState?.();
    if (!state) throw new Error('Random: this pure-rand generator cannot export its state');
    return [...state];
  }

  /**
   * Returns a generator for an independent stream: a copy jumped 2^64 steps ahead, so the two
   * sequences never overlap in practice. This generator is unchanged.
   */
  split(): Random {
    const jumped = this.generator.jump?.();
    if (!jumped) throw new Error('Random: this pure-rand generator cannot jump');
    const random = new Random(0);
    random.generator = jumped;
    return random;
  }

  /** Returns a uniform float in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = prand.unsafeUniformIntDistribution(0, (1 << 26) - 1, this.generator);
    const low = prand.unsafeUniformIntDistribution(0, (1 << 27) - 1, this.generator);
    return (high * 134217728 + low) / 9007199254740992;
  }

  /** Returns an integer in [0, n). */
  integer(n: number): number {
    return prand.unsafeUniformIntDistribution(0, n - 1, this.generator);
  }

  /** Returns a standard normal sample (Box–Muller; the second value of each pair is discarded). */
  normal(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `values` in place (Fisher–Yates). */
  shuffle(values: Int32Array | number[]): void {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      const swap = values[i];
      values[i] = values[j];
      values[j] = swap;
    }
  }
}
