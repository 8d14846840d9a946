/** A tensor's dimensions, outermost first (row-major). Images are [N, C, H, W]. */
export type Shape = readonly number[];

/** Returns the number of elements of a shape (1 for a scalar shape []). */
export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** A float32 tensor: a row-major Float32Array with a shape. The data is shared, never copied implicitly. */
export class Tensor {
  readonly shape: Shape;
  readonly data: Float32Array;

  constructor(shape: Shape, data?: Float32Array) {
    for (const dim of shape) {
      if (!Number.isInteger(dim) || dim < 0) {
        throw new RangeError(`Tensor: shape ${formatShape(shape)} must contain non-negative integers`);
      }
    }
    const size = sizeOf(shape);
    if (data && data.length !== size) {
      throw new RangeError(`Tensor: data has ${data.length} elements, shape ${formatShape(shape)} needs ${size}`);
    }
    this.shape = Object.freeze([...shape]);
    this.data = data ?? new Float32Array(size);
  }

  get size(): number {
    return this.data.length;
  }

  /** Returns a tensor of another shape over the same data. */
  reshape(shape: Shape): Tensor {
    return new Tensor(shape, this.data);
  }
}

/**
 * A reusable output buffer: returns the same tensor while the requested shape stays the same, so
 * a training loop with a fixed batch size allocates nothing after its first step.
 */
export class TensorCache {
  private tensor: Tensor | undefined;

  get(shape: Shape): Tensor {
    const current = this.tensor;
    if (current && current.shape.length === shape.length && current.shape.every((dim, i) => dim === shape[i])) {
      return current;
    }
    this.tensor = new Tensor(shape);
    return this.tensor;
  }
}

/** A trainable tensor and its gradient (same shape), overwritten by each backward pass. */
export interface Parameter {
  /** Name within its layer, as PyTorch names it: `weight` or `bias`. */
  readonly name: string;
  readonly value: Tensor;
  readonly grad: Tensor;
}

export function createParameter(name: string, shape: Shape): Parameter {
  return { name, value: new Tensor(shape), grad: new Tensor(shape) };
}
