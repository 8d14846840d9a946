import { native } from '../../src/native/loader';
import * as reference from '../../src/reference/activation';
import { expectAllClose } from '../helpers/compare';
import { expectError } from '../helpers/errors';
import { expectGradient, weightedSum } from '../helpers/gradcheck';
import { TestRandom } from '../helpers/random';
import { simdTargets, withSimdTarget, withThreads } from '../helpers/targets';

const addon = native();

// Odd lengths exercise the 8-lane body, the scalar tail, and more than one 16K-float block.
const lengths = [1, 7, 8, 9, 31, 16384 + 13];

describe.each(simdTargets)('activation kernels (%s)', (target) => {
  test.each(lengths)('relu forward and backward, length %i', (length) => {
    const random = new TestRandom(length);
    const x = random.float32(length, -3, 3);
    const dy = random.float32(length);
    const y = new Float32Array(length);
    const dx = new Float32Array(length);

    withSimdTarget(target, () => {
      addon.reluForward(x, y);
      addon.reluBackward(y, dy, dx);
    });

    // ReLU is exact in float32.
    expectAllClose('y', y, reference.reluForward(x), { atol: 0, rtol: 0 });
    expectAllClose('dx', dx, reference.reluBackward(y, dy), { atol: 0, rtol: 0 });
  });

  test.each(lengths)('sigmoid forward and backward, length %i', (length) => {
    const random = new TestRandom(length + 100);
    const x = random.float32(length, -12, 12);
    const dy = random.float32(length);
    const y = new Float32Array(length);
    const dx = new Float32Array(length);

    withSimdTarget(target, () => {
      addon.sigmoidForward(x, y);
      addon.sigmoidBackward(y, dy, dx);
    });

    expectAllClose('y', y, reference.sigmoidForward(x), { atol: 0, rtol: 1e-6 });
    expectAllClose('dx', dx, reference.sigmoidBackward(y, dy), { atol: 1e-7, rtol: 1e-6 });
  });

  test('sigmoid saturates without NaN at extreme inputs', () => {
    const x = new Float32Array([-1e30, -200, -88, -30, 0, 30, 88, 200, 1e30, Infinity, -Infinity]);
    const y = new Float32Array(x.length);
    withSimdTarget(target, () => addon.sigmoidForward(x, y));
    for (const value of y) expect(Number.isFinite(value)).toBe(true);
    expectAllClose('y', y, reference.sigmoidForward(x), { atol: 1e-30, rtol: 1e-6 });
  });

  test('relu passes NaN through', () => {
    const x = new Float32Array(9).fill(NaN);
    const y = new Float32Array(9);
    withSimdTarget(target, () => addon.reluForward(x, y));
    for (const value of y) expect(value).toBeNaN();
  });

  test('outputs may alias inputs', () => {
    const random = new TestRandom(7);
    const x = random.float32(37);
    const expected = reference.sigmoidForward(x);
    withSimdTarget(target, () => addon.sigmoidForward(x, x));
    expectAllClose('x', x, expected, { atol: 0, rtol: 1e-6 });
  });
});

describe('activation exp accuracy', () => {
  test('avx2 sigmoid stays within 3e-7 relative of float64 over [-87, 87]', () => {
    if (!simdTargets.includes('avx2')) return;
    const count = 200001;
    const x = new Float32Array(count);
    for (let i = 0; i < count; i++) x[i] = -87 + (174 * i) / (count - 1);
    const y = new Float32Array(count);
    withSimdTarget('avx2', () => addon.sigmoidForward(x, y));
    expectAllClose('sigmoid', y, reference.sigmoidForward(x), { atol: 0, rtol: 3e-7 });
  });
});

describe('activation threads', () => {
  test('results are bit-identical at 1 and 2 threads', () => {
    const x = new TestRandom(3).float32(100003, -5, 5);
    const one = new Float32Array(x.length);
    const two = new Float32Array(x.length);
    withThreads(1, () => addon.sigmoidForward(x, one));
    withThreads(2, () => addon.sigmoidForward(x, two));
    expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
  });
});

describe('activation references', () => {
  test('sigmoid backward matches finite differences', () => {
    const random = new TestRandom(11);
    const x = Float64Array.from(random.float32(13, -4, 4));
    const dy = Float64Array.from(random.float32(13));
    const analytic = reference.sigmoidBackward(reference.sigmoidForward(x), dy);
    expectGradient('dx', x, analytic, () => weightedSum(reference.sigmoidForward(x), dy));
  });

  test('relu backward matches finite differences away from zero', () => {
    const x = Float64Array.from([-2, -0.5, 0.25, 1, 3]);
    const dy = Float64Array.from([0.3, -1, 2, 0.5, -0.7]);
    const analytic = reference.reluBackward(reference.reluForward(x), dy);
    expectGradient('dx', x, analytic, () => weightedSum(reference.reluForward(x), dy));
  });
});

describe('activation argument checks', () => {
  test('rejects a non-Float32Array input', () => {
    expectError(() => addon.reluForward(new Float64Array(3) as unknown as Float32Array, new Float32Array(3)), 'TypeError', 'reluForward: x must be a Float32Array, received Float64Array');
  });

  test('rejects mismatched lengths', () => {
    expectError(() => addon.sigmoidBackward(new Float32Array(4), new Float32Array(4), new Float32Array(3)), 'RangeError', 'sigmoidBackward: dx has 3 elements, expected y.length = 4');
  });

  test('rejects a missing argument', () => {
    const call = addon.reluForward as unknown as (x: Float32Array) => void;
    expectError(() => call(new Float32Array(2)), 'TypeError', 'reluForward: y must be a Float32Array, received undefined');
  });
});
