import { BatchNorm, Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sigmoid } from '../layers';
import type { Initializer } from '../layers/initializers';
import { Model } from './model';

// A convolution or dense layer that feeds BatchNorm has no bias: BN subtracts the batch mean,
// which removes any constant added before it, and β takes over the role of the bias
// (Ioffe & Szegedy 2015, section 3.2).

/**
 * Builds workload W2 (`bn-cnn`) for 1×28×28 inputs and 10 classes. Layers:
 * Conv 3×3 32 → BN → ReLU → MaxPool 2 → Conv 3×3 64 → BN → ReLU → MaxPool 2 → Flatten (3136)
 * → Dense 128 → BN → ReLU → Dense 10. Returns the model unbuilt, so call build(seed) on it.
 */
export function bnCnn(options: { classes?: number; inputShape?: [number, number, number] } = {}): Model {
  const inputShape = options.inputShape ?? [1, 28, 28];
  return Model.sequential(
    inputShape,
    [
      new Conv2D({ filters: 32, kernelSize: 3, padding: 1, useBias: false }),
      new BatchNorm(),
      new ReLU(),
      new MaxPool2D({ poolSize: 2 }),
      new Conv2D({ filters: 64, kernelSize: 3, padding: 1, useBias: false }),
      new BatchNorm(),
      new ReLU(),
      new MaxPool2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 128, useBias: false }),
      new BatchNorm(),
      new ReLU(),
      new Dense({ units: options.classes ?? 10 }),
    ],
    ['conv1', 'bn1', 'relu1', 'pool1', 'conv2', 'bn2', 'relu2', 'pool2', 'flatten', 'fc1', 'bn3', 'relu3', 'fc2'],
  );
}

/**
 * Builds workload W1 (`paper-mlp`), the network of Ioffe & Szegedy's MNIST experiment:
 * 784 → [Dense 100 → (BatchNorm) → Sigmoid] × 3 → Dense 10. With `batchNorm: false` the hidden
 * Dense layers keep their bias. Weights start from N(0, std²); default std 0.05.
 */
export function paperMlp(options: { batchNorm?: boolean; std?: number; classes?: number } = {}): Model {
  const batchNorm = options.batchNorm ?? true;
  const kernelInitializer: Initializer = { kind: 'normal', std: options.std ?? 0.05 };
  const layers = [];
  const names = [];
  for (let i = 1; i <= 3; i++) {
    layers.push(new Dense({ units: 100, useBias: !batchNorm, kernelInitializer }));
    names.push(`fc${i}`);
    if (batchNorm) {
      layers.push(new BatchNorm());
      names.push(`bn${i}`);
    }
    layers.push(new Sigmoid());
    names.push(`sigmoid${i}`);
  }
  layers.push(new Dense({ units: options.classes ?? 10, kernelInitializer }));
  names.push('fc4');
  return Model.sequential([784], layers, names);
}
