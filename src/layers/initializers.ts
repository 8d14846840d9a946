import type { Random } from '../random/random';

/**
 * Weight initialization scheme, applied once before training:
 * - `he-normal`: N(0, 2 / fanIn), suited to ReLU networks (He et al., 2015);
 * - `normal`: N(0, std²), as Ioffe & Szegedy initialize their MNIST network;
 * - `zeros`.
 */
export type Initializer = { kind: 'he-normal' } | { kind: 'normal'; std: number } | { kind: 'zeros' };

/** Fills `values` in place; `fanIn` is the number of inputs that feed one output. */
export function initialize(values: Float32Array, initializer: Initializer, fanIn: number, random: Random): void {
  switch (initializer.kind) {
    case 'he-normal': {
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < values.length; i++) values[i] = std * random.normal();
      return;
    }
    case 'normal': {
      if (!(initializer.std >= 0)) throw new RangeError(`initializer: std must be >= 0, received ${initializer.std}`);
      for (let i = 0; i < values.length; i++) values[i] = initializer.std * random.normal();
      return;
    }
    case 'zeros':
      values.fill(0);
      return;
  }
}
