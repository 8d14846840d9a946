import { Conv2dGeometry, conv2dBackwardData, conv2dBackwardFilter, conv2dForward, conv2dGeometry } from '../kernels/conv2d';
import { biasAdd, biasBackward } from '../kernels/dense';
import type { Random } from '../random/random';
import { Parameter, Shape, Tensor, TensorCache, createParameter } from '../tensor';
import { checkGradShape } from './dense';
import { Initializer, initialize } from './initializers';
import { Layer, LayerConfig, positiveInteger } from './layer';

export interface Conv2DArgs {
  /** Number of output channels K. */
  filters: number;
  /** Square kernel side KH = KW. */
  kernelSize: number;
  /** Step between windows, in pixels. Default 1. */
  stride?: number;
  /** Zero padding on every side, in pixels. Default 0. */
  padding?: number;
  /** Adds a learned per-channel bias. Default true; builders turn it off before BatchNorm. */
  useBias?: boolean;
  /** Default he-normal (fan-in C·KH·KW). The bias starts at zero. */
  kernelInitializer?: Initializer;
}

/** 2-D cross-correlation over NCHW input with weights [K, C, KH, KW], as PyTorch's Conv2d. */
export class Conv2D extends Layer {
  readonly kind = 'Conv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  private weight!: Parameter;
  private bias: Parameter | undefined;
  private input: Tensor | undefined;
  private geometry: Conv2dGeometry | undefined;
  private readonly output = new TensorCache();
  private readonly inputGrad = new TensorCache();

  constructor(args: Conv2DArgs) {
    super();
    this.filters = positiveInteger('Conv2D', 'filters', args.filters);
    this.kernelSize = positiveInteger('Conv2D', 'kernelSize', args.kernelSize);
    this.stride = positiveInteger('Conv2D', 'stride', args.stride ?? 1);
    this.padding = args.padding ?? 0;
    if (!Number.isInteger(this.padding) || this.padding < 0) {
      throw new RangeError(`Conv2D: padding must be a non-negative integer, received ${args.padding}`);
    }
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? { kind: 'he-normal' };
  }

  protected initialize(inputShape: Shape, random: Random): Shape {
    if (inputShape.length !== 3) {
      throw new RangeError(`${this.describe()}: input must be [N, C, H, W], received [N, ${inputShape.join(', ')}]`);
    }
    const [C, H, W] = inputShape;
    const geometry = this.geometryFor(1, C, H, W);
    this.weight = createParameter('weight', [this.filters, C, this.kernelSize, this.kernelSize]);
    initialize(this.weight.value.data, this.kernelInitializer, C * this.kernelSize * this.kernelSize, random);
    this.bias = this.useBias ? createParameter('bias', [this.filters]) : undefined;
    return [this.filters, geometry.OH, geometry.OW];
  }

  forward(x: Tensor, _mode: string): Tensor {
    const N = this.checkInput(x);
    const [C, H, W] = this.inputShape;
    const g = this.geometryFor(N, C, H, W);
    const y = this.output.get([N, g.K, g.OH, g.OW]);
    conv2dForward(x.data, this.weight.value.data, y.data, g);
    if (this.bias) biasAdd(y.data, this.bias.value.data, N, g.K, g.OH * g.OW);
    this.input = x;
    this.geometry = g;
    return y;
  }

  backward(dy: Tensor, needInputGrad: boolean): Tensor | null {
    const x = this.input;
    const g = this.geometry;
    if (!x || !g) throw new Error(`${this.describe()}: backward() called before forward()`);
    checkGradShape(this, dy, [g.N, g.K, g.OH, g.OW]);

    conv2dBackwardFilter(x.data, dy.data, this.weight.grad.data, g);
    if (this.bias) biasBackward(dy.data, this.bias.grad.data, g.N, g.K, g.OH * g.OW);
    if (!needInputGrad) return null;

    const dx = this.inputGrad.get(x.shape);
    conv2dBackwardData(dy.data, this.weight.value.data, dx.data, g);
    return dx;
  }

  override parameters(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  config(): LayerConfig {
    return {
      kind: this.kind,
      filters: this.filters,
      kernelSize: this.kernelSize,
      stride: this.stride,
      padding: this.padding,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
    };
  }

  private geometryFor(N: number, C: number, H: number, W: number): Conv2dGeometry {
    try {
      return conv2dGeometry({ N, C, H, W, K: this.filters, KH: this.kernelSize, KW: this.kernelSize, stride: this.stride, pad: this.padding });
    } catch (error) {
      throw new RangeError(`${this.describe()}: ${(error as Error).message}`);
    }
  }
}

