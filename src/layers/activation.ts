import { native } from '../native/loader';
import type { Random } from '../random/random';
import { Shape, Tensor, TensorCache } from '../tensor';
import { checkGradShape } from './dense';
import { Layer, LayerConfig } from './layer';

/** An elementwise activation whose derivative is a function of its output, so only y is kept. */
abstract class OutputActivation extends Layer {
  private lastOutput: Tensor | undefined;
  private readonly output = new TensorCache();
  private readonly inputGrad = new TensorCache();

  protected abstract apply(x: Float32Array, y: Float32Array): void;
  protected abstract derive(y: Float32Array, dy: Float32Array, dx: Float32Array): void;

  protected initialize(inputShape: Shape, _random: Random): Shape {
    return inputShape;
  }

  forward(x: Tensor, _mode: string): Tensor {
    this.checkInput(x);
    const y = this.output.get(x.shape);
    this.apply(x.data, y.data);
    this.lastOutput = y;
    return y;
  }

  backward(dy: Tensor, needInputGrad: boolean): Tensor | null {
    const y = this.lastOutput;
    if (!y) throw new Error(`${this.describe()}: backward() called before forward()`);
    checkGradShape(this, dy, y.shape);
    if (!needInputGrad) return null;
    const dx = this.inputGrad.get(y.shape);
    this.derive(y.data, dy.data, dx.data);
    return dx;
  }

  config(): LayerConfig {
    return { kind: this.kind };
  }
}

/** y = max(x, 0). */
export class ReLU extends OutputActivation {
  readonly kind = 'ReLU';

  protected apply(x: Float32Array, y: Float32Array): void {
    native().reluForward(x, y);
  }

  protected derive(y: Float32Array, dy: Float32Array, dx: Float32Array): void {
    native().reluBackward(y, dy, dx);
  }
}

/** y = 1 / (1 + exp(−x)). */
export class Sigmoid extends OutputActivation {
  readonly kind = 'Sigmoid';

  protected apply(x: Float32Array, y: Float32Array): void {
    native().sigmoidForward(x, y);
  }

  protected derive(y: Float32Array, dy: Float32Array, dx: Float32Array): void {
    native().sigmoidBackward(y, dy, dx);
  }
}
