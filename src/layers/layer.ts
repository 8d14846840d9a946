import type { Random } from '../random/random';
import { Parameter, Shape, Tensor, formatShape } from '../tensor';

/**
 * Whether a forward pass trains or infers. It changes BatchNorm (batch statistics and running
 * average updates in `train`, population statistics in `eval`); it is always passed explicitly.
 */
export type Mode = 'train' | 'eval';

/** A layer's constructor arguments as plain JSON, with its `kind`, so a model can be rebuilt from a checkpoint. */
export interface LayerConfig {
  kind: string;
  [option: string]: unknown;
}

/** A non-trainable tensor saved with the model, such as BatchNorm's running mean. */
export interface LayerBuffer {
  readonly name: string;
  readonly value: Tensor;
}

/**
 * A differentiable operation on batches. Shapes given to build() are per example (no batch
 * axis); tensors given to forward() carry the batch axis first.
 *
 * Contract: forward() keeps what backward() needs. backward() takes the gradient of the loss with
 * respect to the output of the last forward() and overwrites every parameter's `grad`. Outputs
 * are buffers owned by the layer, reused while the batch size stays the same, so a caller must
 * copy an output it wants to keep across steps.
 */
export abstract class Layer {
  abstract readonly kind: string;
  private built: { input: Shape; output: Shape } | undefined;

  /** Name of the layer inside its model, set by the model (used in error messages and checkpoints). */
  name = '';

  /** Creates the parameters for a per-example input shape and returns the per-example output shape. */
  build(inputShape: Shape, random: Random): Shape {
    const output = this.initialize(inputShape, random);
    this.built = { input: [...inputShape], output: [...output] };
    return output;
  }

  get inputShape(): Shape {
    return this.requireBuilt().input;
  }

  get outputShape(): Shape {
    return this.requireBuilt().output;
  }

  abstract forward(x: Tensor, mode: Mode): Tensor;

  /** Returns dL/dx, or null when `needInputGrad` is false (the layer may then skip that work). */
  abstract backward(dy: Tensor, needInputGrad: boolean): Tensor | null;

  parameters(): Parameter[] {
    return [];
  }

  buffers(): LayerBuffer[] {
    return [];
  }

  abstract config(): LayerConfig;

  /** Validates the per-example input shape and creates parameters; returns the output shape. */
  protected abstract initialize(inputShape: Shape, random: Random): Shape;

  /** Throws unless `x` is a batch of this layer's per-example input shape. */
  protected checkInput(x: Tensor): number {
    const expected = this.inputShape;
    const matches = x.shape.length === expected.length + 1 && expected.every((dim, i) => x.shape[i + 1] === dim);
    if (!matches) {
      throw new RangeError(
        `${this.describe()}: input has shape ${formatShape(x.shape)}, expected [N, ${expected.join(', ')}]`,
      );
    }
    return x.shape[0];
  }

  /** Returns "Kind 'name'" for messages. */
  describe(): string {
    return this.name ? `${this.kind} '${this.name}'` : this.kind;
  }

  private requireBuilt(): { input: Shape; output: Shape } {
    if (!this.built) throw new Error(`${this.describe()}: used before build()`);
    return this.built;
  }
}

/** Returns `value` if it is a positive integer, else throws a RangeError naming the owner and option. */
export function positiveInteger(owner: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${owner}: ${name} must be a positive integer, received ${value}`);
  }
  return value;
}
