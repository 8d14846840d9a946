import { native } from '../../src/native/loader';
import { GemmGeometry, gemm, gemmBackward, gemmMagnitude } from '../../src/reference/gemm';
import { expectError } from '../helpers/errors';
import { expectGradient, weightedSum } from '../helpers/gradcheck';
import { TestRandom } from '../helpers/random';
import { expectSumClose } from '../helpers/sums';
import { simdTargets, withSimdTarget, withThreads } from '../helpers/targets';

const addon = native();

function runSgemm(g: GemmGeometry, alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array): void {
  addon.sgemm(g.transA, g.transB, g.M, g.N, g.K, alpha, a, b, beta, c);
}

// M, N, K: 1s, sizes around the 6x16 micro-tile, K past one 256-deep block, M past one 120-row
// block, and N past one 3072-column block.
const shapes: Array<[number, number, number]> = [
  [1, 1, 1],
  [1, 17, 5],
  [7, 1, 9],
  [6, 16, 1],
  [13, 31, 7],
  [5, 3, 300],
  [37, 50, 257],
  [125, 19, 33],
  [2, 3100, 3],
];
const transposes: Array<[boolean, boolean]> = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];
// (alpha, beta): plain product, scaled with beta = 0 (C must not be read), and accumulation.
const scalings: Array<[number, number]> = [
  [1, 0],
  [-1.5, 0],
  [0.5, 1],
  [2, -0.75],
];

const sweep = shapes.flatMap(([M, N, K]) => transposes.map(([transA, transB]) => ({ M, N, K, transA, transB })));

describe.each(simdTargets)('sgemm (%s)', (target) => {
  test.each(sweep)('M $M N $N K $K transA $transA transB $transB', (g) => {
    const random = new TestRandom(g.M * 7919 + g.N * 31 + g.K + (g.transA ? 1 : 0) * 2 + (g.transB ? 1 : 0));
    const a = random.float32(g.M * g.K);
    const b = random.float32(g.K * g.N);
    const initial = random.float32(g.M * g.N);

    for (const [alpha, beta] of scalings) {
      // With beta = 0, C starts as NaN: reading it would poison the result.
      const c = beta === 0 ? new Float32Array(g.M * g.N).fill(NaN) : Float32Array.from(initial);
      withSimdTarget(target, () => runSgemm(g, alpha, a, b, beta, c));
      expectSumClose(`c (alpha ${alpha}, beta ${beta})`, c, gemm(g, alpha, a, b, beta, initial), gemmMagnitude(g, alpha, a, b, beta, initial));
    }
  });

  // N >= M splits C's columns over threads, M > N its rows.
  test.each([
    { M: 150, N: 300, K: 200, transA: false, transB: true },
    { M: 301, N: 90, K: 270, transA: true, transB: false },
  ])('M $M N $N K $K is bit-identical at 1 and 2 threads', (g) => {
    const random = new TestRandom(9);
    const a = random.float32(g.M * g.K);
    const b = random.float32(g.K * g.N);
    const initial = random.float32(g.M * g.N);
    const one = Float32Array.from(initial);
    const two = Float32Array.from(initial);
    withSimdTarget(target, () => withThreads(1, () => runSgemm(g, 0.5, a, b, 2, one)));
    withSimdTarget(target, () => withThreads(2, () => runSgemm(g, 0.5, a, b, 2, two)));
    expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
  });
});

describe('gemm reference', () => {
  test.each(transposes)('backward matches finite differences (transA %s, transB %s)', (transA, transB) => {
    const g = { M: 3, N: 4, K: 5, transA, transB };
    const random = new TestRandom(13);
    const a = Float64Array.from(random.float32(g.M * g.K));
    const b = Float64Array.from(random.float32(g.K * g.N));
    const c = Float64Array.from(random.float32(g.M * g.N));
    const dc = Float64Array.from(random.float32(g.M * g.N));
    const loss = () => weightedSum(gemm(g, 1.5, a, b, -0.5, c), dc);
    const gradients = gemmBackward(g, 1.5, a, b, -0.5, dc);

    expectGradient('da', a, gradients.da, loss);
    expectGradient('db', b, gradients.db, loss);
    expectGradient('dc', c, gradients.dc, loss);
  });
});

describe('sgemm argument checks', () => {
  const a = new Float32Array(6);
  const b = new Float32Array(12);
  const c = new Float32Array(8);

  test('rejects a wrong length of a', () => {
    expectError(() => addon.sgemm(false, false, 2, 4, 3, 1, new Float32Array(5), b, 0, c), 'RangeError', 'sgemm: a has 5 elements, expected M*K = 6');
  });

  test('rejects a wrong length of c', () => {
    expectError(() => addon.sgemm(true, true, 2, 4, 3, 1, a, b, 0, new Float32Array(9)), 'RangeError', 'sgemm: c has 9 elements, expected M*N = 8');
  });

  test('rejects a non-boolean transpose flag', () => {
    const call = addon.sgemm as unknown as (...args: unknown[]) => void;
    expectError(() => call(0, false, 2, 4, 3, 1, a, b, 0, c), 'TypeError', 'sgemm: transA must be a boolean, received number');
  });

  test('rejects a non-finite alpha', () => {
    expectError(() => addon.sgemm(false, false, 2, 4, 3, NaN, a, b, 0, c), 'RangeError', 'sgemm: alpha must be finite, received nan');
  });

  test('rejects M = 0', () => {
    expectError(() => addon.sgemm(false, false, 0, 4, 3, 1, new Float32Array(0), b, 0, new Float32Array(0)), 'RangeError', 'sgemm: M must be an integer in [1, 2147483647], received 0');
  });

  test('rejects c sharing memory with b', () => {
    const buffer = new Float32Array(20);
    expectError(() => addon.sgemm(false, false, 2, 4, 3, 1, a, buffer.subarray(0, 12), 0, buffer.subarray(10, 18)), 'RangeError', 'sgemm: c and b must not share memory');
    expectError(() => addon.sgemm(false, false, 2, 4, 3, 1, a, buffer.subarray(4, 16), 0, buffer.subarray(0, 8)), 'RangeError', 'sgemm: c and b must not share memory');
  });
});
