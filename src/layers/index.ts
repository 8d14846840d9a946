import { ReLU, Sigmoid } from './activation';
import { BatchNorm } from './batchnorm';
import { Conv2D } from './conv2d';
import { Dense } from './dense';
import { Flatten } from './flatten';
import { Layer, LayerConfig } from './layer';
import { MaxPool2D } from './pooling';

export { ReLU, Sigmoid, BatchNorm, Conv2D, Dense, Flatten, MaxPool2D, Layer };
export type { LayerConfig };

/** Rebuilds a layer from its config() output (as stored in a checkpoint). */
export function layerFromConfig(config: LayerConfig): Layer {
  // The constructors validate every option, so a corrupted config fails with a named error.
  const options = config as never;
  switch (config.kind) {
    case 'Dense':
      return new Dense(options);
    case 'Conv2D':
      return new Conv2D(options);
    case 'BatchNorm':
      return new BatchNorm(options);
    case 'ReLU':
      return new ReLU();
    case 'Sigmoid':
      return new Sigmoid();
    case 'MaxPool2D':
      return new MaxPool2D(options);
    case 'Flatten':
      return new Flatten();
    default:
      throw new RangeError(`layerFromConfig: unknown layer kind '${String(config.kind)}'`);
  }
}
