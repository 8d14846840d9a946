import { denseBackwardData, denseBackwardWeights, denseForward } from '../kernels/dense';
import type { Random } from '../random/random';
import { Parameter, Shape, Tensor, TensorCache, createParameter, formatShape } from '../tensor';
import { Initializer, initialize } from './initializers';
import { Layer, LayerConfig } from './layer';

export interface DenseArgs {
  /** Number of outputs O. */
  units: number;
  /** Adds a learned bias. Default true; builders turn it off before BatchNorm, whose β subsumes it. */
  useBias?: boolean;
  /** Default he-normal. The bias starts at zero. */
  kernelInitializer?: Initializer;
}

/** Fully connected layer: y = x·wᵀ + b with x [N, I], w [O, I] (PyTorch's layout), b [O]. */
export class Dense extends Layer {
  readonly kind = 'Dense';
  readonly units: number;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  private weight!: Parameter;
  private bias: Parameter | undefined;
  private input: Tensor | undefined;
  private readonly output = new TensorCache();
  private readonly inputGrad = new TensorCache();

  constructor(args: DenseArgs) {
    super();
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new RangeError(`Dense: units must be a positive integer, received ${args.units}`);
    }
    this.units = args.units;
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? { kind: 'he-normal' };
  }

  protected initialize(inputShape: Shape, random: Random): Shape {
    if (inputShape.length !== 1) {
      throw new RangeError(`${this.describe()}: input must be [N, features], received [N, ${inputShape.join(', ')}]; add a Flatten`);
    }
    const inputs = inputShape[0];
    this.weight = createParameter('weight', [this.units, inputs]);
    initialize(this.weight.value.data, this.kernelInitializer, inputs, random);
    this.bias = this.useBias ? createParameter('bias', [this.units]) : undefined;
    return [this.units];
  }

  forward(x: Tensor, _mode: string): Tensor {
    const N = this.checkInput(x);
    const I = this.inputShape[0];
    const y = this.output.get([N, this.units]);
    denseForward(x.data, this.weight.value.data, this.bias?.value.data ?? null, y.data, { N, I, O: this.units });
    this.input = x;
    return y;
  }

  backward(dy: Tensor, needInputGrad: boolean): Tensor | null {
    const x = this.requireInput();
    const N = x.shape[0];
    const I = this.inputShape[0];
    checkGradShape(this, dy, [N, this.units]);
    const g = { N, I, O: this.units };
    denseBackwardWeights(x.data, dy.data, this.weight.grad.data, this.bias?.grad.data ?? null, g);
    if (!needInputGrad) return null;

    const dx = this.inputGrad.get(x.shape);
    denseBackwardData(dy.data, this.weight.value.data, dx.data, g);
    return dx;
  }

  override parameters(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  config(): LayerConfig {
    return { kind: this.kind, units: this.units, useBias: this.useBias, kernelInitializer: this.kernelInitializer };
  }

  private requireInput(): Tensor {
    if (!this.input) throw new Error(`${this.describe()}: backward() called before forward()`);
    return this.input;
  }
}

/** Throws unless the upstream gradient has the shape of the layer's last output. */
export function checkGradShape(layer: Layer, dy: Tensor, expected: Shape): void {
  if (dy.shape.length !== expected.length || dy.shape.some((dim, i) => dim !== expected[i])) {
    throw new RangeError(
      `${layer.describe()}: gradient has shape ${formatShape(dy.shape)}, expected ${formatShape(expected)}`,
    );
  }
}
