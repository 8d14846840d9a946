import { Pool2dGeometry, maxPool2dBackward, maxPool2dForward, pool2dGeometry } from '../kernels/pool';
import type { Random } from '../random/random';
import { Shape, Tensor, TensorCache } from '../tensor';
import { checkGradShape } from './dense';
import { Layer, LayerConfig, positiveInteger } from './layer';

export interface MaxPool2DArgs {
  /** Square window side, in pixels. Default 2. */
  poolSize?: number;
  /** Step between windows, in pixels. Default poolSize. */
  stride?: number;
  /** Padding on every side, in pixels; padded positions never win. Default 0. */
  padding?: number;
}

/** Max pooling over NCHW input; the gradient goes to the first maximum of each window. */
export class MaxPool2D extends Layer {
  readonly kind = 'MaxPool2D';
  readonly poolSize: number;
  readonly stride: number;
  readonly padding: number;
  private geometry: Pool2dGeometry | undefined;
  private argmax = new Int32Array(0);
  private readonly output = new TensorCache();
  private readonly inputGrad = new TensorCache();

  constructor(args: MaxPool2DArgs = {}) {
    super();
    this.poolSize = positiveInteger('MaxPool2D', 'poolSize', args.poolSize ?? 2);
    this.stride = positiveInteger('MaxPool2D', 'stride', args.stride ?? this.poolSize);
    this.padding = args.padding ?? 0;
    if (!Number.isInteger(this.padding) || this.padding < 0 || 2 * this.padding > this.poolSize) {
      throw new RangeError(`MaxPool2D: padding must be an integer in [0, poolSize / 2], received ${args.padding}`);
    }
  }

  protected initialize(inputShape: Shape, _random: Random): Shape {
    if (inputShape.length !== 3) {
      throw new RangeError(`${this.describe()}: input must be [N, C, H, W], received [N, ${inputShape.join(', ')}]`);
    }
    const [C, H, W] = inputShape;
    const g = this.geometryFor(1, C, H, W);
    return [C, g.OH, g.OW];
  }

  forward(x: Tensor, _mode: string): Tensor {
    const N = this.checkInput(x);
    const [C, H, W] = this.inputShape;
    const g = this.geometryFor(N, C, H, W);
    const y = this.output.get([N, C, g.OH, g.OW]);
    if (this.argmax.length !== y.size) this.argmax = new Int32Array(y.size);
    maxPool2dForward(g, x.data, y.data, this.argmax);
    this.geometry = g;
    return y;
  }

  backward(dy: Tensor, needInputGrad: boolean): Tensor | null {
    const g = this.geometry;
    if (!g) throw new Error(`${this.describe()}: backward() called before forward()`);
    checkGradShape(this, dy, [g.N, g.C, g.OH, g.OW]);
    if (!needInputGrad) return null;
    const dx = this.inputGrad.get([g.N, g.C, g.H, g.W]);
    maxPool2dBackward(g, dy.data, this.argmax, dx.data);
    return dx;
  }

  config(): LayerConfig {
    return { kind: this.kind, poolSize: this.poolSize, stride: this.stride, padding: this.padding };
  }

  private geometryFor(N: number, C: number, H: number, W: number): Pool2dGeometry {
    try {
      return pool2dGeometry({ N, C, H, W, KH: this.poolSize, KW: this.poolSize, stride: this.stride, pad: this.padding });
    } catch (error) {
      throw new RangeError(`${this.describe()}: ${(error as Error).message}`);
    }
  }
}
