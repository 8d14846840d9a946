import { native } from '../../src/native/loader';
import {
  BatchNormShape, batchNormBackward, batchNormForwardInference, batchNormForwardTrain, batchNormShapeOf,
} from '../../src/kernels/batchnorm';
import * as reference from '../../src/reference/batchnorm';
import { expectAllClose, scaleOf } from '../helpers/compare';
import { expectError } from '../helpers/errors';
import { expectGradient, weightedSum } from '../helpers/gradcheck';
import { expectOracleClose, loadOracle } from '../helpers/oracle';
import { TestRandom } from '../helpers/random';
import { simdTargets, withSimdTarget, withThreads } from '../helpers/targets';

const addon = native();
const eps = 1e-5;

interface Case {
  name: string;
  shape: BatchNormShape;
}

// Per-channel shapes with HW below, at and past one 8-lane register (25 = 16 + 8 + 1 runs the
// AVX2 path's 16-wide body, one 8-wide step and the scalar tail), and dense (HW = 1) shapes
// with C below 8, past 8 and not a multiple of 8 (the AVX2 dense path's scalar tail).
const cases: Case[] = [
  { name: 'N=3 C=5 HW=7x5', shape: { N: 3, C: 5, HW: 35 } },
  { name: 'N=1 C=3 HW=37', shape: { N: 1, C: 3, HW: 37 } },
  { name: 'N=2 C=3 HW=5x5', shape: { N: 2, C: 3, HW: 25 } },
  { name: 'N=2 C=4 HW=8', shape: { N: 2, C: 4, HW: 8 } },
  { name: 'N=6 C=2 HW=3', shape: { N: 6, C: 2, HW: 3 } },
  { name: 'dense N=7 C=13', shape: { N: 7, C: 13, HW: 1 } },
  { name: 'dense N=9 C=5', shape: { N: 9, C: 5, HW: 1 } },
  { name: 'dense N=4 C=16', shape: { N: 4, C: 16, HW: 1 } },
];

// One per-channel and one dense shape for the tests that do not need the whole table.
const convShape: BatchNormShape = { N: 3, C: 5, HW: 35 };
const denseShape: BatchNormShape = { N: 7, C: 13, HW: 1 };

function sizeOf(shape: BatchNormShape): number {
  return shape.N * shape.C * shape.HW;
}

interface Inputs {
  x: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  dy: Float32Array;
}

function makeInputs(shape: BatchNormShape, seed: number, shift = 0.5, spread = 2): Inputs {
  const random = new TestRandom(seed);
  const x = random.float32(sizeOf(shape), shift - spread, shift + spread);
  return { x, gamma: random.float32(shape.C, 0.5, 1.5), beta: random.float32(shape.C), dy: random.float32(sizeOf(shape)) };
}

interface Outputs {
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
}

function runTrainStep(shape: BatchNormShape, inputs: Inputs, gamma: Float32Array | null = inputs.gamma,
  beta: Float32Array | null = inputs.beta): Outputs {
  const out: Outputs = {
    y: new Float32Array(sizeOf(shape)), mean: new Float32Array(shape.C), variance: new Float32Array(shape.C),
    dx: new Float32Array(sizeOf(shape)), dgamma: new Float32Array(shape.C), dbeta: new Float32Array(shape.C),
  };
  batchNormForwardTrain(shape, inputs.x, gamma, beta, out.y, out.mean, out.variance, eps);
  batchNormBackward(shape, inputs.x, inputs.dy, out.mean, out.variance, gamma,
    { dx: out.dx, dgamma: out.dgamma, dbeta: out.dbeta }, eps);
  return out;
}

// Statistics are summed in double and rounded once to float. y and dx are float expressions of
// order 1, so their error is a few float roundings of values of order 1.
const statsTolerance = { atol: 1e-6, rtol: 1e-6 };
const elementTolerance = { atol: 1e-5, rtol: 1e-5 };

describe.each(simdTargets)('batch norm kernels (%s)', (target) => {
  test.each(cases)('training forward, $name', ({ shape }) => {
    const inputs = makeInputs(shape, sizeOf(shape));
    const out = withSimdTarget(target, () => runTrainStep(shape, inputs));
    const expected = reference.batchNormForwardTrain(inputs.x, inputs.gamma, inputs.beta, shape, eps);

    expectAllClose('mean', out.mean, expected.mean, statsTolerance);
    expectAllClose('variance', out.variance, expected.variance, statsTolerance);
    expectAllClose('y', out.y, expected.y, elementTolerance);
  });

  test.each(cases)('backward, $name', ({ shape }) => {
    const inputs = makeInputs(shape, sizeOf(shape) + 1);
    const out = withSimdTarget(target, () => runTrainStep(shape, inputs));
    // The kernel differentiates around the float statistics it was given, so the reference does too.
    const expected = reference.batchNormBackward(inputs.x, inputs.dy, out.mean, out.variance, inputs.gamma, shape, eps);

    expectAllClose('dbeta', out.dbeta, expected.dbeta, statsTolerance);
    expectAllClose('dgamma', out.dgamma, expected.dgamma, { atol: 1e-5, rtol: 1e-5 });
    expectAllClose('dx', out.dx, expected.dx, { atol: 1e-5 * scaleOf(expected.dx), rtol: 1e-5 });
  });

  test.each(cases)('inference forward, $name', ({ shape }) => {
    const inputs = makeInputs(shape, sizeOf(shape) + 2);
    const random = new TestRandom(5);
    const mean = random.float32(shape.C, -1, 1);
    const variance = random.float32(shape.C, 0.2, 3);
    const y = new Float32Array(sizeOf(shape));
    withSimdTarget(target, () => batchNormForwardInference(shape, inputs.x, mean, variance, inputs.gamma, inputs.beta, y, eps));

    const expected = reference.batchNormForwardInference(inputs.x, mean, variance, inputs.gamma, inputs.beta, shape, eps);
    expectAllClose('y', y, expected, elementTolerance);
  });

  test.each([
    { name: 'gamma and beta null', gamma: false, beta: false },
    { name: 'gamma only', gamma: true, beta: false },
    { name: 'beta only', gamma: false, beta: true },
  ])('training with $name', ({ gamma, beta }) => {
    for (const shape of [convShape, denseShape]) {
      const inputs = makeInputs(shape, 77);
      const g = gamma ? inputs.gamma : null;
      const b = beta ? inputs.beta : null;
      const out = withSimdTarget(target, () => runTrainStep(shape, inputs, g, b));
      const forward = reference.batchNormForwardTrain(inputs.x, g, b, shape, eps);
      const backward = reference.batchNormBackward(inputs.x, inputs.dy, out.mean, out.variance, g, shape, eps);

      expectAllClose('y', out.y, forward.y, elementTolerance);
      expectAllClose('dx', out.dx, backward.dx, { atol: 1e-5 * scaleOf(backward.dx), rtol: 1e-5 });
      expectAllClose('dgamma', out.dgamma, backward.dgamma, { atol: 1e-5, rtol: 1e-5 });
    }
  });

  test.each([
    { name: 'dx only', dx: true, dgamma: false, dbeta: false },
    { name: 'dgamma and dbeta only', dx: false, dgamma: true, dbeta: true },
    { name: 'dbeta only', dx: false, dgamma: false, dbeta: true },
  ])('backward computing $name', (wanted) => {
    for (const shape of [convShape, denseShape]) {
      const inputs = makeInputs(shape, 91);
      const full = withSimdTarget(target, () => runTrainStep(shape, inputs));
      const dx = wanted.dx ? new Float32Array(sizeOf(shape)) : null;
      const dgamma = wanted.dgamma ? new Float32Array(shape.C) : null;
      const dbeta = wanted.dbeta ? new Float32Array(shape.C) : null;
      withSimdTarget(target, () => batchNormBackward(shape, inputs.x, inputs.dy, full.mean, full.variance,
        inputs.gamma, { dx, dgamma, dbeta }, eps));

      if (dx) expect(Buffer.from(dx.buffer).equals(Buffer.from(full.dx.buffer))).toBe(true);
      if (dgamma) expect(Array.from(dgamma)).toEqual(Array.from(full.dgamma));
      if (dbeta) expect(Array.from(dbeta)).toEqual(Array.from(full.dbeta));
    }
  });

  test.each([
    { name: 'per-channel', shape: { N: 3, C: 3, HW: 16 } },
    { name: 'dense', shape: { N: 5, C: 11, HW: 1 } },
  ])('constant channel gives beta, $name', ({ shape }) => {
    const inputs = makeInputs(shape, 3);
    const constant = 1;
    for (let n = 0; n < shape.N; n++) inputs.x.fill(1.75, (n * shape.C + constant) * shape.HW, (n * shape.C + constant + 1) * shape.HW);
    const out = withSimdTarget(target, () => runTrainStep(shape, inputs));

    expect(out.mean[constant]).toBe(1.75);
    expect(out.variance[constant]).toBe(0);
    for (let n = 0; n < shape.N; n++) {
      for (let i = 0; i < shape.HW; i++) {
        const index = (n * shape.C + constant) * shape.HW + i;
        expect(out.y[index]).toBe(inputs.beta[constant]);
        expect(Number.isFinite(out.dx[index])).toBe(true);
      }
    }
    const expected = reference.batchNormBackward(inputs.x, inputs.dy, out.mean, out.variance, inputs.gamma, shape, eps);
    expectAllClose('dx', out.dx, expected.dx, { atol: 1e-5 * scaleOf(expected.dx), rtol: 1e-5 });
  });

  test.each([
    { name: 'per-channel', shape: { N: 4, C: 3, HW: 50 } },
    { name: 'dense', shape: { N: 40, C: 9, HW: 1 } },
  ])('large mean keeps the variance, $name', ({ shape }) => {
    // |mean| = 1e4 with unit spread: a one-pass E[x²] − E[x]² in float would return noise here.
    const inputs = makeInputs(shape, 13, 1e4, 1);
    const out = withSimdTarget(target, () => runTrainStep(shape, inputs));
    const forward = reference.batchNormForwardTrain(inputs.x, inputs.gamma, inputs.beta, shape, eps);

    expectAllClose('mean', out.mean, forward.mean, { atol: 0, rtol: 1e-7 });
    expectAllClose('variance', out.variance, forward.variance, { atol: 0, rtol: 1e-6 });
    expectAllClose('y', out.y, forward.y, elementTolerance);

    // Around the float mean the kernel was given, the backward is as accurate as usual.
    const backward = reference.batchNormBackward(inputs.x, inputs.dy, out.mean, out.variance, inputs.gamma, shape, eps);
    expectAllClose('dx', out.dx, backward.dx, { atol: 1e-4 * scaleOf(backward.dx), rtol: 1e-4 });
    expectAllClose('dgamma', out.dgamma, backward.dgamma, { atol: 1e-5, rtol: 1e-5 });
    // Against the exact batch mean, the float mean's rounding (up to 4.9e-4 at 1e4) shows.
    const exact = reference.batchNormBackward(inputs.x, inputs.dy, forward.mean, forward.variance, inputs.gamma, shape, eps);
    expectAllClose('dx against the exact mean', out.dx, exact.dx, { atol: 2e-3 * scaleOf(exact.dx), rtol: 0 });
  });

  test('y may be x itself', () => {
    const shape = convShape;
    const inputs = makeInputs(shape, 21);
    const expected = reference.batchNormForwardTrain(inputs.x, inputs.gamma, inputs.beta, shape, eps);
    const mean = new Float32Array(shape.C);
    const variance = new Float32Array(shape.C);
    withSimdTarget(target, () => batchNormForwardTrain(shape, inputs.x, inputs.gamma, inputs.beta, inputs.x, mean, variance, eps));
    expectAllClose('y', inputs.x, expected.y, elementTolerance);
  });

  test('results are bit-identical at 1 and 2 threads', () => {
    for (const shape of [{ N: 8, C: 12, HW: 100 }, { N: 64, C: 40, HW: 1 }]) {
      const inputs = makeInputs(shape, 4);
      const oneThread = withSimdTarget(target, () => withThreads(1, () => runTrainStep(shape, inputs)));
      const twoThreads = withSimdTarget(target, () => withThreads(2, () => runTrainStep(shape, inputs)));
      for (const key of ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'] as const) {
        expect([key, Buffer.from(twoThreads[key].buffer).equals(Buffer.from(oneThread[key].buffer))]).toEqual([key, true]);
      }
    }
  });

  test.each(['bn_conv_train', 'bn_dense_train', 'bn_conv_constant_channel', 'bn_conv_large_mean'])(
    'PyTorch case %s', (caseName) => {
      const oracle = loadOracle(caseName);
      const shape = batchNormShapeOf(oracle.inputs.x.shape);
      const inputs: Inputs = {
        x: Float32Array.from(oracle.inputs.x.data), gamma: Float32Array.from(oracle.inputs.gamma.data),
        beta: Float32Array.from(oracle.inputs.beta.data), dy: Float32Array.from(oracle.inputs.dy.data),
      };
      const out = withSimdTarget(target, () => runTrainStep(shape, inputs));
      const ref = oracle.outputs;

      expectOracleClose('y', out.y, ref.y.data, oracle.tolerance);
      expectOracleClose('dx', out.dx, ref.dx.data, oracle.tolerance);
      expectOracleClose('dgamma', out.dgamma, ref.dgamma.data, oracle.tolerance);
      expectOracleClose('dbeta', out.dbeta, ref.dbeta.data, oracle.tolerance);

      // One momentum-0.1 step from running mean 0 and variance 1 stores 0.1·mean and
      // 0.9 + 0.1·unbiased variance, where unbiased = biased·m/(m − 1).
      const m = shape.N * shape.HW;
      const batchMean = Array.from(ref.running_mean.data, (value) => value / 0.1);
      const unbiased = Array.from(ref.running_var.data, (value) => (value - 0.9) / 0.1);
      expectOracleClose('mean', out.mean, batchMean, oracle.tolerance);
      expectOracleClose('variance·m/(m−1)', Array.from(out.variance, (v) => (v * m) / (m - 1)), unbiased, oracle.tolerance);
    });
});

describe('batch norm references', () => {
  test.each([
    { name: 'per-channel', shape: { N: 2, C: 3, HW: 4 } },
    { name: 'dense', shape: { N: 5, C: 2, HW: 1 } },
  ])('backward matches finite differences, $name', ({ shape }) => {
    const random = new TestRandom(31);
    const x = Float64Array.from(random.float32(sizeOf(shape), -2, 2));
    const gamma = Float64Array.from(random.float32(shape.C, 0.5, 1.5));
    const beta = Float64Array.from(random.float32(shape.C));
    const dy = Float64Array.from(random.float32(sizeOf(shape)));
    const loss = () => weightedSum(reference.batchNormForwardTrain(x, gamma, beta, shape, eps).y, dy);

    const forward = reference.batchNormForwardTrain(x, gamma, beta, shape, eps);
    const analytic = reference.batchNormBackward(x, dy, forward.mean, forward.variance, gamma, shape, eps);
    expectGradient('dx', x, analytic.dx, loss);
    expectGradient('dgamma', gamma, analytic.dgamma, loss);
    expectGradient('dbeta', beta, analytic.dbeta, loss);
  });

  test('inference equals training forward with the batch statistics', () => {
    const shape = { N: 3, C: 2, HW: 5 };
    const x = new TestRandom(8).float32(sizeOf(shape));
    const train = reference.batchNormForwardTrain(x, null, null, shape, eps);
    const inference = reference.batchNormForwardInference(x, train.mean, train.variance, null, null, shape, eps);
    expectAllClose('y', inference, train.y, { atol: 1e-15, rtol: 1e-12 });
  });
});

describe('batch norm shapes', () => {
  test('batchNormShapeOf maps NCHW and NC', () => {
    expect(batchNormShapeOf([4, 3, 5, 7])).toEqual({ N: 4, C: 3, HW: 35 });
    expect(batchNormShapeOf([8, 5])).toEqual({ N: 8, C: 5, HW: 1 });
  });

  test('batchNormShapeOf rejects other ranks', () => {
    expect(() => batchNormShapeOf([2, 3, 4])).toThrow(
      new RangeError('batchNormShapeOf: expected [N, C] or [N, C, H, W], received [2, 3, 4]'));
    expect(() => batchNormShapeOf([2, 0])).toThrow(
      new RangeError('batchNormShapeOf: dimension 1 must be a positive integer, received 0'));
  });
});

describe('batch norm argument checks', () => {
  const shape = { N: 3, C: 5, HW: 7 };
  const f32 = (length: number) => new Float32Array(length);
  const train = (overrides: Partial<Record<string, unknown>> = {}) => {
    const args = { x: f32(105), gamma: f32(5), beta: f32(5), y: f32(105), mean: f32(5), variance: f32(5),
      N: shape.N, C: shape.C, HW: shape.HW, eps, ...overrides };
    const call = addon.batchNormForwardTrain as unknown as (...values: unknown[]) => void;
    return () => call(args.x, args.gamma, args.beta, args.y, args.mean, args.variance, args.N, args.C, args.HW, args.eps);
  };
  const backward = (overrides: Partial<Record<string, unknown>> = {}) => {
    const args = { x: f32(105), dy: f32(105), mean: f32(5), variance: f32(5), gamma: f32(5), dx: f32(105),
      dgamma: f32(5), dbeta: f32(5), N: shape.N, C: shape.C, HW: shape.HW, eps, ...overrides };
    const call = addon.batchNormBackward as unknown as (...values: unknown[]) => void;
    return () => call(args.x, args.dy, args.mean, args.variance, args.gamma, args.dx, args.dgamma, args.dbeta,
      args.N, args.C, args.HW, args.eps);
  };
  const inference = (overrides: Partial<Record<string, unknown>> = {}) => {
    const args = { x: f32(105), mean: f32(5), variance: f32(5), gamma: f32(5), beta: f32(5), y: f32(105),
      N: shape.N, C: shape.C, HW: shape.HW, eps, ...overrides };
    const call = addon.batchNormForwardInference as unknown as (...values: unknown[]) => void;
    return () => call(args.x, args.mean, args.variance, args.gamma, args.beta, args.y, args.N, args.C, args.HW, args.eps);
  };

  test('accepts valid arguments', () => {
    expect(train()).not.toThrow();
    expect(backward({ gamma: null, dx: null })).not.toThrow();
    expect(inference({ gamma: undefined, beta: null })).not.toThrow();
  });

  test('rejects wrong types', () => {
    expectError(train({ x: new Float64Array(105) }), 'TypeError', 'batchNormForwardTrain: x must be a Float32Array, received Float64Array');
    expectError(train({ gamma: [1, 2, 3, 4, 5] }), 'TypeError', 'batchNormForwardTrain: gamma must be a Float32Array or null, received Array');
    expectError(backward({ dbeta: 0 }), 'TypeError', 'batchNormBackward: dbeta must be a Float32Array or null, received number');
    expectError(inference({ HW: '7' }), 'TypeError', 'batchNormForwardInference: HW must be an integer, received string');
  });

  test('rejects invalid dimensions', () => {
    expectError(train({ N: 0 }), 'RangeError', 'batchNormForwardTrain: N must be an integer in [1, 2147483647], received 0');
    expectError(train({ HW: 1.5 }), 'RangeError', 'batchNormForwardTrain: HW must be an integer in [1, 2147483647], received 1.5');
    expectError(backward({ C: -5 }), 'RangeError', 'batchNormBackward: C must be an integer in [1, 2147483647], received -5');
  });

  test('rejects eps that is not positive and finite', () => {
    expectError(train({ eps: 0 }), 'RangeError', 'batchNormForwardTrain: eps must be positive, received 0');
    expectError(backward({ eps: -1e-5 }), 'RangeError', 'batchNormBackward: eps must be positive, received -1.0000000000000001e-05');
    expectError(inference({ eps: Infinity }), 'RangeError', 'batchNormForwardInference: eps must be finite, received inf');
    expectError(train({ eps: NaN }), 'RangeError', 'batchNormForwardTrain: eps must be finite, received nan');
  });

  test('rejects wrong lengths', () => {
    expectError(train({ x: f32(104) }), 'RangeError', 'batchNormForwardTrain: x has 104 elements, expected N*C*HW = 105');
    expectError(train({ gamma: f32(4) }), 'RangeError', 'batchNormForwardTrain: gamma has 4 elements, expected C = 5');
    expectError(train({ variance: f32(6) }), 'RangeError', 'batchNormForwardTrain: variance has 6 elements, expected C = 5');
    expectError(backward({ dx: f32(3) }), 'RangeError', 'batchNormBackward: dx has 3 elements, expected N*C*HW = 105');
    expectError(backward({ dy: f32(106) }), 'RangeError', 'batchNormBackward: dy has 106 elements, expected N*C*HW = 105');
    expectError(inference({ y: f32(1) }), 'RangeError', 'batchNormForwardInference: y has 1 elements, expected N*C*HW = 105');
  });

  test('rejects empty optional arrays', () => {
    // An empty array is not null: it must fail the length check rather than mean "skip".
    expectError(train({ gamma: f32(0) }), 'RangeError', 'batchNormForwardTrain: gamma has 0 elements, expected C = 5');
    expectError(inference({ beta: f32(0) }), 'RangeError', 'batchNormForwardInference: beta has 0 elements, expected C = 5');
    expectError(backward({ dx: f32(0) }), 'RangeError', 'batchNormBackward: dx has 0 elements, expected N*C*HW = 105');
    expectError(backward({ dgamma: f32(0) }), 'RangeError', 'batchNormBackward: dgamma has 0 elements, expected C = 5');
  });

  test('rejects outputs that share memory with other arrays', () => {
    const buffer = new Float32Array(106);
    expectError(train({ x: buffer.subarray(0, 105), y: buffer.subarray(1, 106) }), 'RangeError',
      'batchNormForwardTrain: y and x must not share memory');
    const stats = new Float32Array(8);
    expectError(train({ mean: stats.subarray(0, 5), variance: stats.subarray(3, 8) }), 'RangeError',
      'batchNormForwardTrain: mean and variance must not share memory');
    const gamma = f32(5);
    expectError(backward({ gamma, dgamma: gamma }), 'RangeError', 'batchNormBackward: dgamma and gamma must not share memory');
    const x = f32(105);
    expectError(backward({ x, dx: x }), 'RangeError', 'batchNormBackward: dx and x must not share memory');
    expectError(inference({ mean: x.subarray(0, 5), y: x }), 'RangeError',
      'batchNormForwardInference: y and mean must not share memory');
  });

  test('accepts dx as dy itself', () => {
    const inputs = makeInputs(shape, 17);
    const out = runTrainStep(shape, inputs);
    batchNormBackward(shape, inputs.x, inputs.dy, out.mean, out.variance, inputs.gamma, { dx: inputs.dy, dgamma: null, dbeta: null }, eps);
    expect(Buffer.from(inputs.dy.buffer).equals(Buffer.from(out.dx.buffer))).toBe(true);
  });
});
