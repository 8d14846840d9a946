import { native } from '../../src/native/loader';
import { Pool2dArgs, Pool2dGeometry, maxPool2dBackward, maxPool2dForward, pool2dGeometry } from '../../src/kernels/pool';
import * as reference from '../../src/reference/pool';
import { expectAllClose } from '../helpers/compare';
import { expectError } from '../helpers/errors';
import { expectGradient, weightedSum } from '../helpers/gradcheck';
import { expectOracleClose, loadOracle } from '../helpers/oracle';
import { TestRandom } from '../helpers/random';
import { simdTargets, withSimdTarget, withThreads } from '../helpers/targets';

const addon = native();

// The 2x2 stride-2 cases run the AVX2 path: W = 37 gives OW = 18, two 8-wide blocks and a
// scalar tail of 2; 7x5 gives OW = 2, scalar only. The others run the general loop.
const geometries: { name: string; args: Pool2dArgs }[] = [
  { name: '2x2 on 7x5', args: { N: 2, C: 3, H: 7, W: 5, KH: 2 } },
  { name: '2x2 on 6x37', args: { N: 1, C: 2, H: 6, W: 37, KH: 2 } },
  { name: '2x2 on 28x28', args: { N: 2, C: 3, H: 28, W: 28, KH: 2 } },
  { name: '3x3 stride 1 pad 1', args: { N: 1, C: 2, H: 5, W: 6, KH: 3, stride: 1, pad: 1 } },
  { name: '3x3 stride 2 pad 1', args: { N: 2, C: 2, H: 7, W: 8, KH: 3, stride: 2, pad: 1 } },
  { name: '2x3 stride 1', args: { N: 1, C: 3, H: 4, W: 9, KH: 2, KW: 3, stride: 1 } },
  { name: '3x2 stride 3 pad 1', args: { N: 2, C: 1, H: 8, W: 7, KH: 3, KW: 2, stride: 3, pad: 1 } },
  { name: '1x1 stride 1', args: { N: 1, C: 2, H: 3, W: 3, KH: 1 } },
];

interface PoolOutputs {
  y: Float32Array;
  argmax: Int32Array;
  dx: Float32Array;
}

function inputSize(g: Pool2dGeometry): number {
  return g.N * g.C * g.H * g.W;
}

function outputSize(g: Pool2dGeometry): number {
  return g.N * g.C * g.OH * g.OW;
}

function runPool(g: Pool2dGeometry, x: Float32Array, dy: Float32Array): PoolOutputs {
  const out = { y: new Float32Array(outputSize(g)), argmax: new Int32Array(outputSize(g)), dx: new Float32Array(inputSize(g)).fill(7) };
  maxPool2dForward(g, x, out.y, out.argmax);
  maxPool2dBackward(g, dy, out.argmax, out.dx);
  return out;
}

describe.each(simdTargets)('max pooling kernels (%s)', (target) => {
  test.each(geometries)('forward and backward, $name', ({ args }) => {
    const g = pool2dGeometry(args);
    const random = new TestRandom(inputSize(g));
    const x = random.float32(inputSize(g), -3, 3);
    const dy = random.float32(outputSize(g));
    const out = withSimdTarget(target, () => runPool(g, x, dy));
    const expected = reference.maxPool2dForward(x, g);

    // Selecting a maximum is exact, so y and argmax must match the reference exactly.
    expectAllClose('y', out.y, expected.y, { atol: 0, rtol: 0 });
    expect(Array.from(out.argmax)).toEqual(Array.from(expected.argmax));
    // Overlapping windows add up to KH·KW float values in one dx element.
    expectAllClose('dx', out.dx, reference.maxPool2dBackward(dy, expected.argmax, g), { atol: 1e-6, rtol: 1e-6 });
  });

  test.each(geometries)('ties pick the first maximum, $name', ({ args }) => {
    const g = pool2dGeometry(args);
    // Values from a set of three, so most windows hold repeated maxima.
    const random = new TestRandom(5);
    const x = Float32Array.from({ length: inputSize(g) }, () => random.integer(0, 2));
    const out = withSimdTarget(target, () => runPool(g, x, new Float32Array(outputSize(g))));
    expect(Array.from(out.argmax)).toEqual(Array.from(reference.maxPool2dForward(x, g).argmax));
  });

  test('padding never wins over negative inputs', () => {
    const g = pool2dGeometry({ N: 1, C: 1, H: 4, W: 5, KH: 3, stride: 1, pad: 1 });
    const x = new TestRandom(2).float32(inputSize(g), -5, -1);
    const out = withSimdTarget(target, () => runPool(g, x, new Float32Array(outputSize(g))));
    for (const value of out.y) expect(value).toBeLessThan(-1 + 1e-6);
    expectAllClose('y', out.y, reference.maxPool2dForward(x, g).y, { atol: 0, rtol: 0 });
  });

  test.each([geometries[1], geometries[3]])('-Infinity windows keep a valid argmax, $name', ({ args }) => {
    const g = pool2dGeometry(args);
    const x = new Float32Array(inputSize(g)).fill(-Infinity);
    const out = withSimdTarget(target, () => runPool(g, x, new Float32Array(outputSize(g)).fill(1)));
    for (const value of out.y) expect(value).toBe(-Infinity);
    expect(Array.from(out.argmax)).toEqual(Array.from(reference.maxPool2dForward(x, g).argmax));
  });

  test.each([geometries[1], geometries[4]])('NaN wins and the first NaN is kept, $name', ({ args }) => {
    const g = pool2dGeometry(args);
    const x = new TestRandom(9).float32(inputSize(g));
    for (const index of [1, 2, g.W + 1, 3 * g.W - 2]) x[index] = NaN;
    const out = withSimdTarget(target, () => runPool(g, x, new Float32Array(outputSize(g))));
    const expected = reference.maxPool2dForward(x, g);
    expect(Array.from(out.argmax)).toEqual(Array.from(expected.argmax));
    expect(out.y[0]).toBeNaN();
    expect(out.argmax[0]).toBe(1);
    // toEqual counts NaN as equal to NaN, which expectAllClose does not.
    expect(Array.from(out.y)).toEqual(Array.from(expected.y));
  });

  test('results are bit-identical at 1 and 2 threads', () => {
    for (const args of [geometries[2].args, { N: 4, C: 5, H: 13, W: 11, KH: 3, stride: 1, pad: 1 }]) {
      const g = pool2dGeometry(args);
      const random = new TestRandom(12);
      const x = random.float32(inputSize(g));
      const dy = random.float32(outputSize(g));
      const oneThread = withSimdTarget(target, () => withThreads(1, () => runPool(g, x, dy)));
      const twoThreads = withSimdTarget(target, () => withThreads(2, () => runPool(g, x, dy)));
      for (const key of ['y', 'argmax', 'dx'] as const) {
        expect([key, Buffer.from(twoThreads[key].buffer).equals(Buffer.from(oneThread[key].buffer))]).toEqual([key, true]);
      }
    }
  });

  test.each(['maxpool_2x2_odd', 'maxpool_3x3_stride1_pad1'])('PyTorch case %s', (caseName) => {
    const oracle = loadOracle(caseName);
    const [N, C, H, W] = oracle.inputs.x.shape;
    const attrs = oracle.attrs as { kernel: number; stride: number; padding: number };
    const g = pool2dGeometry({ N, C, H, W, KH: attrs.kernel, stride: attrs.stride, pad: attrs.padding });
    expect([N, C, g.OH, g.OW]).toEqual(oracle.outputs.y.shape);

    const out = withSimdTarget(target, () => runPool(g, Float32Array.from(oracle.inputs.x.data), Float32Array.from(oracle.inputs.dy.data)));
    expectOracleClose('y', out.y, oracle.outputs.y.data, oracle.tolerance);
    expectOracleClose('dx', out.dx, oracle.outputs.dx.data, oracle.tolerance);
  });
});

describe('max pooling reference', () => {
  test.each([geometries[0], geometries[3], geometries[6]])('backward matches finite differences, $name', ({ args }) => {
    const g = pool2dGeometry(args);
    // Distinct values at least 1/size apart, so a step of 1e-6 never changes a window's maximum.
    const random = new TestRandom(41);
    const order = Array.from({ length: inputSize(g) }, (_, i) => i).sort(() => random.uniform() - 0.5 > 0 ? 1 : -1);
    const x = Float64Array.from(order, (rank) => rank / inputSize(g));
    const dy = Float64Array.from(random.float32(outputSize(g)));
    const analytic = reference.maxPool2dBackward(dy, reference.maxPool2dForward(x, g).argmax, g);
    expectGradient('dx', x, analytic, () => weightedSum(reference.maxPool2dForward(x, g).y, dy));
  });
});

describe('pool2dGeometry', () => {
  test('derives OH and OW with defaults', () => {
    expect(pool2dGeometry({ N: 2, C: 3, H: 7, W: 5, KH: 2 })).toEqual(
      { N: 2, C: 3, H: 7, W: 5, KH: 2, KW: 2, stride: 2, pad: 0, OH: 3, OW: 2 });
    expect(pool2dGeometry({ N: 1, C: 1, H: 5, W: 6, KH: 3, stride: 1, pad: 1 })).toMatchObject({ OH: 5, OW: 6 });
    expect(pool2dGeometry({ N: 1, C: 1, H: 7, W: 8, KH: 3, KW: 2, stride: 2, pad: 1 })).toMatchObject({ OH: 4, OW: 5 });
  });

  test('rejects invalid sizes', () => {
    expect(() => pool2dGeometry({ N: 1, C: 1, H: 4, W: 4, KH: 0 })).toThrow(
      new RangeError('pool2dGeometry: KH must be an integer >= 1, received 0'));
    expect(() => pool2dGeometry({ N: 1.5, C: 1, H: 4, W: 4, KH: 2 })).toThrow(
      new RangeError('pool2dGeometry: N must be an integer >= 1, received 1.5'));
    expect(() => pool2dGeometry({ N: 1, C: 1, H: 4, W: 4, KH: 2, pad: -1 })).toThrow(
      new RangeError('pool2dGeometry: pad must be an integer >= 0, received -1'));
    expect(() => pool2dGeometry({ N: 1, C: 1, H: 4, W: 4, KH: 2, pad: 2 })).toThrow(
      new RangeError('pool2dGeometry: pad must be less than KH and KW, received pad = 2 with KH = 2, KW = 2'));
    expect(() => pool2dGeometry({ N: 1, C: 1, H: 4, W: 2, KH: 3, stride: 1 })).toThrow(
      new RangeError('pool2dGeometry: the 3x3 window does not fit the padded input (H + 2*pad) x (W + 2*pad) = 4x2'));
  });
});

describe('max pooling argument checks', () => {
  const f32 = (length: number) => new Float32Array(length);
  // 2x2 stride 2 on [2, 3, 7, 5]: y is [2, 3, 3, 2].
  const forward = (overrides: Partial<Record<string, unknown>> = {}) => {
    const a = { x: f32(210), y: f32(36), argmax: new Int32Array(36), N: 2, C: 3, H: 7, W: 5, KH: 2, KW: 2, stride: 2, pad: 0, ...overrides };
    const call = addon.maxPool2dForward as unknown as (...values: unknown[]) => void;
    return () => call(a.x, a.y, a.argmax, a.N, a.C, a.H, a.W, a.KH, a.KW, a.stride, a.pad);
  };
  const backward = (overrides: Partial<Record<string, unknown>> = {}) => {
    const a = { dy: f32(36), argmax: new Int32Array(36), dx: f32(210), N: 2, C: 3, H: 7, W: 5, OH: 3, OW: 2, ...overrides };
    const call = addon.maxPool2dBackward as unknown as (...values: unknown[]) => void;
    return () => call(a.dy, a.argmax, a.dx, a.N, a.C, a.H, a.W, a.OH, a.OW);
  };

  test('accepts valid arguments', () => {
    expect(forward()).not.toThrow();
    expect(backward()).not.toThrow();
  });

  test('rejects wrong types', () => {
    expectError(forward({ argmax: f32(36) }), 'TypeError', 'maxPool2dForward: argmax must be an Int32Array, received Float32Array');
    expectError(backward({ dy: null }), 'TypeError', 'maxPool2dBackward: dy must be a Float32Array, received null');
  });

  test('rejects invalid geometry', () => {
    expectError(forward({ stride: 0 }), 'RangeError', 'maxPool2dForward: stride must be an integer in [1, 2147483647], received 0');
    expectError(forward({ pad: 2 }), 'RangeError', 'maxPool2dForward: pad must be less than KH and KW, received pad = 2 with KH = 2, KW = 2');
    expectError(forward({ KH: 9, KW: 9, pad: 1 }), 'RangeError',
      'maxPool2dForward: the 9x9 window does not fit the padded input (H + 2*pad) x (W + 2*pad) = 9x7');
    expectError(backward({ OW: 0 }), 'RangeError', 'maxPool2dBackward: OW must be an integer in [1, 2147483647], received 0');
    expectError(forward({ H: 65536, W: 65536 }), 'RangeError',
      'maxPool2dForward: H*W = 4294967296 exceeds 2147483647, the largest index argmax can hold');
  });

  test('rejects wrong lengths', () => {
    expectError(forward({ x: f32(200) }), 'RangeError', 'maxPool2dForward: x has 200 elements, expected N*C*H*W = 210');
    expectError(forward({ y: f32(35) }), 'RangeError', 'maxPool2dForward: y has 35 elements, expected N*C*OH*OW = 36');
    expectError(backward({ argmax: new Int32Array(37) }), 'RangeError', 'maxPool2dBackward: argmax has 37 elements, expected N*C*OH*OW = 36');
    expectError(backward({ dx: f32(1) }), 'RangeError', 'maxPool2dBackward: dx has 1 elements, expected N*C*H*W = 210');
  });

  test('rejects outputs that share memory with inputs', () => {
    const x = f32(210);
    expectError(forward({ x, y: x.subarray(0, 36) }), 'RangeError', 'maxPool2dForward: y and x must not share memory');
    const dx = f32(210);
    expectError(backward({ dx, dy: dx.subarray(10, 46) }), 'RangeError', 'maxPool2dBackward: dx and dy must not share memory');
  });

  test.each([35, -1, 2147483647])('rejects argmax %i before writing dx', (bad) => {
    const argmax = new Int32Array(36);
    argmax[3] = bad;
    const dx = f32(210).fill(7);
    expectError(backward({ argmax, dx }), 'RangeError', `maxPool2dBackward: argmax[3] = ${bad} is outside [0, H*W) = [0, 35)`);
    expect(dx.every((value) => value === 7)).toBe(true);
  });
});
