import { BatchNorm, Conv2D, Dense } from '../../src/layers';
import { bnCnn } from '../../src/model/builders';
import { foldBatchNorm } from '../../src/model/fold';
import { Model } from '../../src/model/model';
import { finalizeBatchNorm } from '../../src/model/population';
import { native } from '../../src/native/loader';
import { Random } from '../../src/random/random';
import { Tensor, sizeOf } from '../../src/tensor';
import { expectAllClose } from '../helpers/compare';
import { expectError } from '../helpers/errors';
import { expectOracleClose, loadOracle, OracleTensor } from '../helpers/oracle';
import { TestRandom } from '../helpers/random';
import { simdTargets, withSimdTarget } from '../helpers/targets';

/** Builds a lone BatchNorm layer for the per-example shape of an oracle tensor. */
function bnFor(input: OracleTensor, gamma: OracleTensor, beta: OracleTensor): BatchNorm {
  const layer = new BatchNorm({ epsilon: 1e-5, momentum: 0.1 });
  layer.name = 'bn';
  layer.build(input.shape.slice(1), new Random(0));
  const [weight, bias] = layer.parameters();
  weight.value.data.set(gamma.data);
  bias.value.data.set(beta.data);
  return layer;
}

const tensorOf = (oracle: OracleTensor): Tensor => new Tensor(oracle.shape, Float32Array.from(oracle.data));
const buffer = (layer: BatchNorm, name: string): Float32Array =>
  layer.buffers().find((b) => b.name === name)?.value.data as Float32Array;

describe.each(simdTargets)('BatchNorm layer against PyTorch (%s)', (target) => {
  test.each(['bn_conv_train', 'bn_dense_train', 'bn_conv_constant_channel', 'bn_conv_large_mean'])('one training step: %s', (name) => {
    withSimdTarget(target, () => {
      const oracle = loadOracle(name);
      const { x, gamma, beta, dy } = oracle.inputs;
      const layer = bnFor(x, gamma, beta);

      const y = layer.forward(tensorOf(x), 'train');
      const dx = layer.backward(tensorOf(dy), true) as Tensor;

      expectOracleClose('y', y.data, oracle.outputs.y.data, oracle.tolerance);
      expectOracleClose('dx', dx.data, oracle.outputs.dx.data, oracle.tolerance);
      expectOracleClose('dgamma', layer.parameters()[0].grad.data, oracle.outputs.dgamma.data, oracle.tolerance);
      expectOracleClose('dbeta', layer.parameters()[1].grad.data, oracle.outputs.dbeta.data, oracle.tolerance);
      expectOracleClose('running_mean', buffer(layer, 'running_mean'), oracle.outputs.running_mean.data, oracle.tolerance);
      expectOracleClose('running_var', buffer(layer, 'running_var'), oracle.outputs.running_var.data, oracle.tolerance);
    });
  });

  test.each(['bn_conv_running', 'bn_dense_running'])('running statistics and eval output: %s', (name) => {
    withSimdTarget(target, () => {
      const oracle = loadOracle(name);
      const { gamma, beta, x_eval: xEval } = oracle.inputs;
      const layer = bnFor(xEval, gamma, beta);
      const steps = oracle.attrs.steps as number;

      for (let step = 0; step < steps; step++) {
        layer.forward(tensorOf(oracle.inputs[`x${step}`]), 'train');
        expectOracleClose(`running_mean${step}`, buffer(layer, 'running_mean'), oracle.outputs[`running_mean${step}`].data, oracle.tolerance);
        expectOracleClose(`running_var${step}`, buffer(layer, 'running_var'), oracle.outputs[`running_var${step}`].data, oracle.tolerance);
      }
      const y = layer.forward(tensorOf(xEval), 'eval');
      expectOracleClose('y_eval', y.data, oracle.outputs.y_eval.data, oracle.tolerance);
      expect(layer.numBatchesTracked).toBe(steps);
    });
  });
});

describe('BatchNorm population statistics (Algorithm 2)', () => {
  test('equal a float64 computation over the same batches', () => {
    // Conv2D -> BatchNorm: the BN input of each batch is recomputed with the same conv kernel
    // (identical float32 values), then its statistics are taken in float64.
    const conv = new Conv2D({ filters: 3, kernelSize: 3, padding: 1, useBias: false });
    const model = Model.sequential([2, 5, 4], [conv, new BatchNorm()], ['conv', 'bn']).build(9);
    const random = new TestRandom(21);
    const batches = [0, 1, 2, 3].map(() => new Tensor([6, 2, 5, 4], random.float32(6 * 40, -2, 3)));

    finalizeBatchNorm(model, batches);

    const [C, HW, N] = [3, 20, 6];
    const m = N * HW;
    const meanSum = new Float64Array(C);
    const varianceSum = new Float64Array(C);
    const w = model.parameters()[0].parameter.value.data;
    for (const batch of batches) {
      const z = new Float32Array(N * C * HW);
      native().conv2dForward(batch.data, w, z, N, 2, 5, 4, C, 3, 3, 1, 1);
      for (let c = 0; c < C; c++) {
        let sum = 0;
        for (let n = 0; n < N; n++) for (let i = 0; i < HW; i++) sum += z[(n * C + c) * HW + i];
        const mean = sum / m;
        let squares = 0;
        for (let n = 0; n < N; n++) for (let i = 0; i < HW; i++) squares += (z[(n * C + c) * HW + i] - mean) ** 2;
        meanSum[c] += mean;
        varianceSum[c] += squares / m;
      }
    }
    const expectedMean = Array.from(meanSum, (sum) => sum / batches.length);
    const expectedVar = Array.from(varianceSum, (sum) => ((m / (m - 1)) * sum) / batches.length);
    const bn = model.layers()[1].layer as BatchNorm;
    expectAllClose('E[x]', buffer(bn, 'running_mean'), expectedMean, { atol: 1e-6, rtol: 1e-6 });
    expectAllClose('Var[x]', buffer(bn, 'running_var'), expectedVar, { atol: 1e-6, rtol: 1e-6 });
    expect(bn.numBatchesTracked).toBe(0);
  });

  test('a failed pass leaves the running statistics unchanged', () => {
    const model = Model.sequential([4], [new BatchNorm()], ['bn']).build(1);
    const bn = model.layers()[0].layer as BatchNorm;
    const badBatches = [new Tensor([3, 4], new Float32Array(12)), new Tensor([3, 5])];
    expect(() => finalizeBatchNorm(model, badBatches)).toThrow();
    expect(buffer(bn, 'running_var')).toEqual(new Float32Array(4).fill(1));

    // Training afterwards updates the running averages again.
    model.forward(new Tensor([2, 4], Float32Array.of(0, 0, 0, 0, 2, 2, 2, 2)), 'train');
    expect(buffer(bn, 'running_mean')[0]).toBeCloseTo(0.1, 6);
  });
});

describe('BatchNorm properties', () => {
  test('scale invariance: scaling the weights leaves the output and divides their gradient', () => {
    // Ioffe & Szegedy (2015), section 3.3: BN((aW)u) = BN(Wu), and ∂BN((aW)u)/∂(aW) = (1/a)·∂BN(Wu)/∂W.
    // Exact for eps = 0; eps = 1e-12 keeps it well below float32 resolution.
    const run = (scale: number) => {
      const model = Model.sequential([2, 6, 5], [
        new Conv2D({ filters: 4, kernelSize: 3, padding: 1, useBias: false }),
        new BatchNorm({ epsilon: 1e-12 }),
      ], ['conv', 'bn']).build(2);
      const weight = model.parameters()[0].parameter;
      for (let i = 0; i < weight.value.size; i++) weight.value.data[i] *= scale;
      const x = new Tensor([3, 2, 6, 5], new TestRandom(4).float32(3 * 60));
      const y = Float32Array.from(model.forward(x, 'train').data);
      model.backward(new Tensor([3, 4, 6, 5], new TestRandom(5).float32(3 * 120)));
      return { y, grad: Float32Array.from(weight.grad.data) };
    };
    const base = run(1);
    const scaled = run(8);
    expectAllClose('y', scaled.y, base.y, { atol: 1e-5, rtol: 1e-5 });
    expectAllClose('dW · a', scaled.grad.map((g) => g * 8), base.grad, { atol: 1e-5, rtol: 1e-4 });
  });

  test('folded W2 matches the unfolded model in eval mode to 1e-5', () => {
    const model = bnCnn().build(3);
    const random = new TestRandom(8);
    // A few training steps give the running statistics values away from their initial 0 and 1.
    for (let step = 0; step < 3; step++) model.forward(new Tensor([16, 1, 28, 28], random.float32(16 * 784, 0, 1)), 'train');
    const folded = foldBatchNorm(model);
    const x = new Tensor([32, 1, 28, 28], random.float32(32 * 784, 0, 1));

    const expected = Float32Array.from(model.forward(x, 'eval').data);
    const got = folded.forward(x, 'eval').data;

    expect(folded.layers().map((node) => node.name)).toEqual(['conv1', 'relu1', 'pool1', 'conv2', 'relu2', 'pool2', 'flatten', 'fc1', 'relu3', 'fc2']);
    const scale = expected.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
    expectAllClose('logits', got, expected, { atol: 1e-5 * scale, rtol: 0 });
  });

  test('a constant channel gives finite output equal to beta', () => {
    const layer = new BatchNorm();
    layer.build([2, 3, 3], new Random(0));
    layer.parameters()[1].value.data.set([0.25, -1.5]);
    const x = new Tensor([4, 2, 3, 3], new Float32Array(72).fill(7.5));
    const y = layer.forward(x, 'train');
    expect(y.data.every((value, i) => value === (Math.floor(i / 9) % 2 === 0 ? 0.25 : -1.5))).toBe(true);
  });

  test('training with one value per channel names the layer', () => {
    const layer = new BatchNorm();
    layer.name = 'bn7';
    layer.build([3, 1, 1], new Random(0));
    expectError(() => layer.forward(new Tensor([1, 3, 1, 1]), 'train'), 'RangeError',
      "BatchNorm 'bn7': training needs more than one value per channel to estimate a variance, received input " +
        '[1, 3, 1, 1] (1 value per channel); use a batch of at least 2 or eval mode');
  });

  test('the finiteness check rejects NaN and names the element', () => {
    const layer = new BatchNorm({ checkFinite: true });
    layer.name = 'bn';
    layer.build([3], new Random(0));
    const x = new Tensor([2, 3], Float32Array.of(1, 2, 3, 4, NaN, 6));
    expectError(() => layer.forward(x, 'train'), 'RangeError', "BatchNorm 'bn': input element 4 of [2, 3] is NaN; inputs must be finite");
    expect(() => new BatchNorm().build([3], new Random(0))).not.toThrow();
  });

  test('affine off has no parameters and normalizes to zero mean, unit variance', () => {
    const layer = new BatchNorm({ affine: false });
    layer.build([1], new Random(0));
    expect(layer.parameters()).toEqual([]);
    const y = layer.forward(new Tensor([4, 1], Float32Array.of(1, 2, 3, 4)), 'train');
    const mean = y.data.reduce((sum, v) => sum + v, 0) / 4;
    const variance = y.data.reduce((sum, v) => sum + (v - mean) ** 2, 0) / 4;
    expect(Math.abs(mean)).toBeLessThan(1e-6);
    expect(variance).toBeCloseTo(1.25 / (1.25 + 1e-5), 5);
  });

  test('dense before BatchNorm in the builders has no bias', () => {
    const fc = bnCnn().build(1).layers().find((node) => node.name === 'fc1')?.layer as Dense;
    expect(fc.useBias).toBe(false);
    expect(sizeOf(fc.parameters()[0].value.shape)).toBe(128 * 3136);
  });
});
