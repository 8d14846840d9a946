import { BatchNorm, Conv2D, Dense, Flatten, Layer, MaxPool2D, ReLU, Sigmoid } from '../../src/layers';
import { Random } from '../../src/random/random';
import { Shape, Tensor, sizeOf } from '../../src/tensor';
import { expectAllClose } from '../helpers/compare';
import { TestRandom } from '../helpers/random';
import { simdTargets, withSimdTarget } from '../helpers/targets';

// Whole-layer float32 gradient checks: central differences of L = Σ dy·layer(x) with a step of
// 1e-2 (float32 forward passes cannot resolve smaller steps), summed in float64. The bound allows
// the stencil's O(eps²) error and float32 rounding of each output (about 6e-8 relative) divided by 2·eps.
const STEP = 1e-2;
const TOLERANCE = { atol: 1e-3, rtol: 1e-2 };

interface Case {
  name: string;
  make: () => Layer;
  inputShape: Shape;
  batch: number;
  /** Inputs away from kinks (ReLU at 0, max-pool ties) so a step of 1e-2 never crosses one. */
  input: (random: TestRandom, size: number) => Float32Array;
}

const uniform = (random: TestRandom, size: number): Float32Array => random.float32(size, -1, 1);

// Values whose magnitudes differ by at least 0.05 and stay 0.05 away from zero, in random order.
const separated = (random: TestRandom, size: number): Float32Array => {
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = (i - size / 2 + 0.5) * 0.05;
  for (let i = size - 1; i > 0; i--) {
    const j = random.integer(0, i);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return values;
};

const cases: Case[] = [
  { name: 'Dense with bias', make: () => new Dense({ units: 5 }), inputShape: [7], batch: 3, input: uniform },
  { name: 'Dense without bias', make: () => new Dense({ units: 4, useBias: false }), inputShape: [9], batch: 2, input: uniform },
  { name: 'Conv2D 3x3 stride 2 pad 1', make: () => new Conv2D({ filters: 4, kernelSize: 3, stride: 2, padding: 1 }), inputShape: [3, 7, 5], batch: 1, input: uniform },
  { name: 'Conv2D 3x3 pad 1 no bias', make: () => new Conv2D({ filters: 3, kernelSize: 3, padding: 1, useBias: false }), inputShape: [2, 5, 6], batch: 2, input: uniform },
  { name: 'BatchNorm per channel', make: () => new BatchNorm(), inputShape: [3, 4, 5], batch: 2, input: uniform },
  { name: 'BatchNorm per activation', make: () => new BatchNorm(), inputShape: [5], batch: 6, input: uniform },
  { name: 'BatchNorm without affine', make: () => new BatchNorm({ affine: false }), inputShape: [2, 3, 3], batch: 3, input: uniform },
  { name: 'ReLU', make: () => new ReLU(), inputShape: [2, 3, 5], batch: 2, input: separated },
  { name: 'Sigmoid', make: () => new Sigmoid(), inputShape: [11], batch: 3, input: uniform },
  { name: 'MaxPool2D 2x2 on 7x5', make: () => new MaxPool2D(), inputShape: [2, 7, 5], batch: 2, input: separated },
  { name: 'MaxPool2D 3x3 stride 1 pad 1', make: () => new MaxPool2D({ poolSize: 3, stride: 1, padding: 1 }), inputShape: [1, 5, 6], batch: 1, input: separated },
  { name: 'Flatten', make: () => new Flatten(), inputShape: [2, 3, 2], batch: 2, input: uniform },
];

/** Returns Σ dy·layer(x) in float64, running the layer in train mode. */
function objective(layer: Layer, x: Tensor, dy: Float32Array): number {
  const y = layer.forward(x, 'train');
  let sum = 0;
  for (let i = 0; i < dy.length; i++) sum += dy[i] * y.data[i];
  return sum;
}

function numericGradient(values: Float32Array, evaluate: () => number): Float64Array {
  const gradient = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const saved = values[i];
    values[i] = saved + STEP;
    const plus = evaluate();
    values[i] = saved - STEP;
    const minus = evaluate();
    values[i] = saved;
    gradient[i] = (plus - minus) / (2 * STEP);
  }
  return gradient;
}

describe.each(simdTargets)('layer gradients (%s)', (target) => {
  test.each(cases)('$name', ({ make, inputShape, batch, input }) => {
    withSimdTarget(target, () => {
      const random = new TestRandom(sizeOf(inputShape) + batch);
      const layer = make();
      layer.name = 'checked';
      const outputShape = layer.build(inputShape, new Random(5));
      const x = new Tensor([batch, ...inputShape], input(random, batch * sizeOf(inputShape)));
      const dy = random.float32(batch * sizeOf(outputShape));

      // Analytic gradients from one forward and backward.
      objective(layer, x, dy);
      const dx = layer.backward(new Tensor([batch, ...outputShape], dy), true) as Tensor;
      const analyticInput = Float64Array.from(dx.data);
      const analyticParams = layer.parameters().map((p) => Float64Array.from(p.grad.data));

      expectAllClose('dx', analyticInput, numericGradient(x.data, () => objective(layer, x, dy)), TOLERANCE);
      layer.parameters().forEach((parameter, i) => {
        const numeric = numericGradient(parameter.value.data, () => objective(layer, x, dy));
        expectAllClose(`d${parameter.name}`, analyticParams[i], numeric, TOLERANCE);
      });
    });
  });
});
