import { native } from '../../src/native/loader';
import { DenseGeometry, biasAdd, biasBackward, denseBackwardData, denseBackwardWeights, denseForward, denseGeometry } from '../../src/kernels/dense';
import * as reference from '../../src/reference/dense';
import { expectAllClose } from '../helpers/compare';
import { expectError } from '../helpers/errors';
import { expectGradient, weightedSum } from '../helpers/gradcheck';
import { expectOracleClose, loadOracle } from '../helpers/oracle';
import { TestRandom } from '../helpers/random';
import { absolute, expectSumClose } from '../helpers/sums';
import { simdTargets, withSimdTarget, withThreads } from '../helpers/targets';

const addon = native();

interface Outputs {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
  db: Float32Array;
}

/** Runs forward and both backwards; outputs start as NaN to prove they are overwritten. */
function runAll(g: DenseGeometry, x: Float32Array, w: Float32Array, b: Float32Array | null, dy: Float32Array): Outputs {
  const y = new Float32Array(g.N * g.O).fill(NaN);
  const dx = new Float32Array(g.N * g.I).fill(NaN);
  const dw = new Float32Array(g.O * g.I).fill(NaN);
  const db = new Float32Array(g.O).fill(NaN);
  denseForward(x, w, b, y, g);
  denseBackwardData(dy, w, dx, g);
  denseBackwardWeights(x, dy, dw, db, g);
  return { y, dx, dw, db };
}

// (N, I, O): ones, sizes off the 6x16 GEMM tile, and W2's 3136 -> 128 layer at a small batch.
const shapes: Array<[number, number, number]> = [
  [1, 1, 1],
  [6, 7, 4],
  [5, 33, 17],
  [64, 300, 10],
  [3, 3136, 128],
];

describe.each(simdTargets)('dense kernels (%s)', (target) => {
  test.each(shapes)('N %i I %i O %i matches the float64 reference', (N, I, O) => {
    const g = denseGeometry({ N, I, O });
    const random = new TestRandom(N * 100 + I + O);
    const x = random.float32(N * I);
    const w = random.float32(O * I);
    const b = random.float32(O);
    const dy = random.float32(N * O);
    const got = withSimdTarget(target, () => runAll(g, x, w, b, dy));

    expectSumClose('y', got.y, reference.denseForward(x, w, b, g), reference.denseForward(absolute(x), absolute(w), absolute(b), g));
    expectSumClose('dx', got.dx, reference.denseBackwardData(dy, w, g), reference.denseBackwardData(absolute(dy), absolute(w), g));
    const expected = reference.denseBackwardWeights(x, dy, g);
    const magnitude = reference.denseBackwardWeights(absolute(x), absolute(dy), g);
    expectSumClose('dw', got.dw, expected.dw, magnitude.dw);
    // db sums in double and rounds once.
    expectAllClose('db', got.db, expected.db, { atol: 1e-7 * N, rtol: 1e-6 });
  });

  test('forward without bias and backward without db', () => {
    const g = denseGeometry({ N: 7, I: 9, O: 5 });
    const random = new TestRandom(4);
    const x = random.float32(63);
    const w = random.float32(45);
    const dy = random.float32(35);
    const y = new Float32Array(35).fill(NaN);
    const dw = new Float32Array(45).fill(NaN);
    withSimdTarget(target, () => {
      denseForward(x, w, null, y, g);
      denseBackwardWeights(x, dy, dw, null, g);
    });
    expectSumClose('y', y, reference.denseForward(x, w, null, g), reference.denseForward(absolute(x), absolute(w), null, g));
    expectSumClose('dw', dw, reference.denseBackwardWeights(x, dy, g).dw, reference.denseBackwardWeights(absolute(x), absolute(dy), g).dw);
  });

  test('PyTorch case dense_6x7_to_4', () => {
    const oracle = loadOracle('dense_6x7_to_4');
    const [N, I] = oracle.inputs.x.shape;
    const [O] = oracle.inputs.weight.shape;
    const g = denseGeometry({ N, I, O });
    const x = Float32Array.from(oracle.inputs.x.data);
    const w = Float32Array.from(oracle.inputs.weight.data);
    const b = Float32Array.from(oracle.inputs.bias.data);
    const dy = Float32Array.from(oracle.inputs.dy.data);
    const got = withSimdTarget(target, () => runAll(g, x, w, b, dy));

    expectOracleClose('y', got.y, oracle.outputs.y.data, oracle.tolerance);
    expectOracleClose('dx', got.dx, oracle.outputs.dx.data, oracle.tolerance);
    expectOracleClose('dweight', got.dw, oracle.outputs.dweight.data, oracle.tolerance);
    expectOracleClose('dbias', got.db, oracle.outputs.dbias.data, oracle.tolerance);
  });

  // HW = 1 is a dense output; 13 and 37 leave an 8-lane tail; 784 is a 28x28 plane.
  test.each([
    [3, 5, 1],
    [2, 3, 13],
    [4, 7, 37],
    [2, 3, 784],
  ])('biasAdd and biasBackward, N %i C %i HW %i', (N, C, HW) => {
    const random = new TestRandom(N + C + HW);
    const y = random.float32(N * C * HW);
    const b = random.float32(C);
    const updated = Float32Array.from(y);
    const db = new Float32Array(C).fill(NaN);
    withSimdTarget(target, () => {
      biasAdd(updated, b, N, C, HW);
      biasBackward(y, db, N, C, HW);
    });
    // One float32 addition per element: within half an ulp of the exact sum.
    expectAllClose('y', updated, reference.biasAdd(y, b, N, C, HW), { atol: 0, rtol: 6e-8 });
    expectAllClose('db', db, reference.biasBackward(y, N, C, HW), { atol: 1e-9, rtol: 6e-8 });
  });

  test('dense and bias are bit-identical at 1 and 2 threads', () => {
    const g = denseGeometry({ N: 64, I: 3136, O: 128 });
    const random = new TestRandom(8);
    const x = random.float32(g.N * g.I);
    const w = random.float32(g.O * g.I);
    const b = random.float32(g.O);
    const dy = random.float32(g.N * g.O);
    const planes = random.float32(64 * 32 * 196);
    const run = () => {
      const outputs = runAll(g, x, w, b, dy);
      const biased = Float32Array.from(planes);
      const dbias = new Float32Array(32);
      biasAdd(biased, b.subarray(0, 32), 64, 32, 196);
      biasBackward(planes, dbias, 64, 32, 196);
      return { ...outputs, biased, dbias };
    };
    const one = withSimdTarget(target, () => withThreads(1, run));
    const two = withSimdTarget(target, () => withThreads(2, run));
    for (const name of ['y', 'dx', 'dw', 'db', 'biased', 'dbias'] as const) {
      expect([name, Buffer.from(two[name].buffer).equals(Buffer.from(one[name].buffer))]).toEqual([name, true]);
    }
  });
});

describe('dense references', () => {
  test('backward matches finite differences', () => {
    const g = { N: 3, I: 5, O: 4 };
    const random = new TestRandom(17);
    const x = Float64Array.from(random.float32(15));
    const w = Float64Array.from(random.float32(20));
    const b = Float64Array.from(random.float32(4));
    const dy = Float64Array.from(random.float32(12));
    const loss = () => weightedSum(reference.denseForward(x, w, b, g), dy);
    const weights = reference.denseBackwardWeights(x, dy, g);

    expectGradient('dx', x, reference.denseBackwardData(dy, w, g), loss);
    expectGradient('dw', w, weights.dw, loss);
    expectGradient('db', b, weights.db, loss);
  });

  test('biasBackward matches finite differences of biasAdd', () => {
    const random = new TestRandom(18);
    const y = Float64Array.from(random.float32(2 * 3 * 4));
    const b = Float64Array.from(random.float32(3));
    const dy = Float64Array.from(random.float32(24));
    expectGradient('db', b, reference.biasBackward(dy, 2, 3, 4), () => weightedSum(reference.biasAdd(y, b, 2, 3, 4), dy));
  });
});

describe('dense argument checks', () => {
  const x = new Float32Array(6);
  const w = new Float32Array(12);
  const y = new Float32Array(8);

  test('rejects a wrong weight length', () => {
    expectError(() => addon.denseForward(x, new Float32Array(11), null, y, 2, 3, 4), 'RangeError', 'denseForward: w has 11 elements, expected O*I = 12');
  });

  test('rejects a wrong bias length', () => {
    expectError(() => addon.denseForward(x, w, new Float32Array(3), y, 2, 3, 4), 'RangeError', 'denseForward: b has 3 elements, expected O = 4');
  });

  test('rejects a wrong dx length', () => {
    expectError(() => addon.denseBackwardData(y, w, new Float32Array(7), 2, 3, 4), 'RangeError', 'denseBackwardData: dx has 7 elements, expected N*I = 6');
  });

  test('rejects a wrong db length', () => {
    expectError(() => addon.denseBackwardWeights(x, y, new Float32Array(12), new Float32Array(5), 2, 3, 4), 'RangeError', 'denseBackwardWeights: db has 5 elements, expected O = 4');
  });

  test('rejects a bias that is not a Float32Array', () => {
    expectError(() => addon.denseForward(x, w, [1, 2, 3, 4] as unknown as Float32Array, y, 2, 3, 4), 'TypeError', 'denseForward: b must be a Float32Array or null, received Array');
  });

  test('rejects a fractional size', () => {
    expectError(() => addon.denseForward(x, w, null, y, 2, 3, 4.5), 'RangeError', 'denseForward: O must be an integer in [1, 2147483647], received 4.5');
  });

  test('rejects dw sharing memory with db', () => {
    const buffer = new Float32Array(16);
    expectError(() => addon.denseBackwardWeights(x, y, buffer.subarray(0, 12), buffer.subarray(10, 14), 2, 3, 4), 'RangeError', 'denseBackwardWeights: db and dw must not share memory');
  });

  test('rejects a wrong biasAdd length', () => {
    expectError(() => addon.biasAdd(new Float32Array(23), new Float32Array(3), 2, 3, 4), 'RangeError', 'biasAdd: y has 23 elements, expected N*C*HW = 24');
  });

  test('rejects biasBackward with db inside dy', () => {
    const dy = new Float32Array(24);
    expectError(() => addon.biasBackward(dy, dy.subarray(0, 3), 2, 3, 4), 'RangeError', 'biasBackward: db and dy must not share memory');
  });

  test('denseGeometry rejects a zero size', () => {
    expect(() => denseGeometry({ N: 0, I: 3, O: 4 })).toThrow(new RangeError('denseGeometry: N must be an integer in [1, 2147483647], received 0'));
  });
});
