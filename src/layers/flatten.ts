import type { Random } from '../random/random';
import { Shape, Tensor } from '../tensor';
import { Layer, LayerConfig } from './layer';

/** Reshapes [N, C, H, W] to [N, C·H·W] without copying. */
export class Flatten extends Layer {
  readonly kind = 'Flatten';

  protected initialize(inputShape: Shape, _random: Random): Shape {
    return [inputShape.reduce((product, dim) => product * dim, 1)];
  }

  forward(x: Tensor, _mode: string): Tensor {
    const N = this.checkInput(x);
    return x.reshape([N, this.outputShape[0]]);
  }

  backward(dy: Tensor, needInputGrad: boolean): Tensor | null {
    if (!needInputGrad) return null;
    return dy.reshape([dy.shape[0], ...this.inputShape]);
  }

  config(): LayerConfig {
    return { kind: this.kind };
  }
}
