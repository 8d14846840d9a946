import { native } from '../../src/native/loader';
import { Conv2dArgs, Conv2dGeometry, conv2dBackwardData, conv2dBackwardFilter, conv2dForward, conv2dGeometry } from '../../src/kernels/conv2d';
import * as reference from '../../src/reference/conv2d';
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
}

/** Runs the three kernels; outputs start as NaN to prove they are overwritten. */
function runAll(g: Conv2dGeometry, x: Float32Array, w: Float32Array, dy: Float32Array): Outputs {
  const y = new Float32Array(g.N * g.K * g.OH * g.OW).fill(NaN);
  const dx = new Float32Array(x.length).fill(NaN);
  const dw = new Float32Array(w.length).fill(NaN);
  conv2dForward(x, w, y, g);
  conv2dBackwardData(dy, w, dx, g);
  conv2dBackwardFilter(x, dy, dw, g);
  return { y, dx, dw };
}

function randomInputs(g: Conv2dGeometry, seed: number) {
  const random = new TestRandom(seed);
  return {
    x: random.float32(g.N * g.C * g.H * g.W),
    w: random.float32(g.K * g.C * g.KH * g.KW),
    dy: random.float32(g.N * g.K * g.OH * g.OW),
  };
}

// Odd shapes: stride 2 with padding, K not a multiple of 8 or of the 6x16 GEMM tile, 5x5, 1x1,
// a single input channel (the first layer of a CNN) and a single image. Also rectangular
// kernels, padding at least as wide as the kernel, and a kernel that covers the padded input.
const cases: Array<[string, Conv2dArgs]> = [
  ['1x3x7x5, 3x3 stride 2 pad 1', { N: 1, C: 3, H: 7, W: 5, K: 4, KH: 3, KW: 3, stride: 2, pad: 1 }],
  ['3x3 pad 1, K = 13', { N: 2, C: 5, H: 9, W: 11, K: 13, KH: 3, KW: 3, stride: 1, pad: 1 }],
  ['5x5 pad 2', { N: 2, C: 3, H: 9, W: 8, K: 6, KH: 5, KW: 5, stride: 1, pad: 2 }],
  ['1x1', { N: 3, C: 6, H: 4, W: 5, K: 7, KH: 1, KW: 1 }],
  ['1x1 stride 2', { N: 2, C: 5, H: 7, W: 7, K: 3, KH: 1, KW: 1, stride: 2 }],
  ['C = 1, 3x3 pad 1', { N: 3, C: 1, H: 11, W: 9, K: 10, KH: 3, KW: 3, stride: 1, pad: 1 }],
  ['N = 1, K = 17, C = 9', { N: 1, C: 9, H: 10, W: 10, K: 17, KH: 3, KW: 3, stride: 1, pad: 1 }],
  ['2x4 kernel, stride 3, pad 2', { N: 2, C: 3, H: 10, W: 11, K: 5, KH: 2, KW: 4, stride: 3, pad: 2 }],
  ['1x3 kernel pad 1, OW = W and OH = H + 2', { N: 2, C: 3, H: 5, W: 6, K: 4, KH: 1, KW: 3, stride: 1, pad: 1 }],
  ['pad wider than the kernel', { N: 1, C: 2, H: 3, W: 3, K: 2, KH: 2, KW: 2, stride: 1, pad: 2 }],
  ['kernel covers the padded input', { N: 2, C: 3, H: 4, W: 4, K: 2, KH: 6, KW: 6, stride: 1, pad: 1 }],
  ['patch of 300 rows, 40 filters', { N: 2, C: 12, H: 8, W: 9, K: 40, KH: 5, KW: 5, stride: 1, pad: 2 }],
];

describe.each(simdTargets)('conv2d kernels (%s)', (target) => {
  test.each(cases)('%s matches the float64 reference', (_name, args) => {
    const g = conv2dGeometry(args);
    const { x, w, dy } = randomInputs(g, g.N * 1000 + g.C * 100 + g.K);
    const got = withSimdTarget(target, () => runAll(g, x, w, dy));

    expectSumClose('y', got.y, reference.conv2dForward(x, w, g), reference.conv2dForward(absolute(x), absolute(w), g));
    expectSumClose('dx', got.dx, reference.conv2dBackwardData(dy, w, g), reference.conv2dBackwardData(absolute(dy), absolute(w), g));
    expectSumClose('dw', got.dw, reference.conv2dBackwardFilter(x, dy, g), reference.conv2dBackwardFilter(absolute(x), absolute(dy), g));
  });

  test.each(['conv_3x3_stride2_pad1', 'conv_5x5_pad2', 'conv_1x1', 'conv_3x3_same'])('PyTorch case %s', (caseName) => {
    const oracle = loadOracle(caseName);
    const [N, C, H, W] = oracle.inputs.x.shape;
    const [K, , KH, KW] = oracle.inputs.weight.shape;
    const g = conv2dGeometry({ N, C, H, W, K, KH, KW, stride: oracle.attrs.stride as number, pad: oracle.attrs.padding as number });
    const x = Float32Array.from(oracle.inputs.x.data);
    const w = Float32Array.from(oracle.inputs.weight.data);
    const dy = Float32Array.from(oracle.inputs.dy.data);
    const got = withSimdTarget(target, () => runAll(g, x, w, dy));

    expectOracleClose('y', got.y, oracle.outputs.y.data, oracle.tolerance);
    expectOracleClose('dx', got.dx, oracle.outputs.dx.data, oracle.tolerance);
    expectOracleClose('dweight', got.dw, oracle.outputs.dweight.data, oracle.tolerance);
  });

  // Shapes large enough that 2 threads split images (N = 4), one image's GEMM (N = 1), the
  // filter gradient's patch rows (C = 16) and its output channels (C = 1).
  const threadCases: Array<[string, Conv2dArgs]> = [
    ['4 images, C = 16', { N: 4, C: 16, H: 14, W: 13, K: 24, KH: 3, KW: 3, stride: 1, pad: 1 }],
    ['1 image, C = 32', { N: 1, C: 32, H: 28, W: 28, K: 40, KH: 3, KW: 3, stride: 1, pad: 1 }],
    ['C = 1, K = 32', { N: 3, C: 1, H: 28, W: 28, K: 32, KH: 3, KW: 3, stride: 1, pad: 1 }],
  ];
  test.each(threadCases)('%s is bit-identical at 1 and 2 threads', (_name, args) => {
    const g = conv2dGeometry(args);
    const { x, w, dy } = randomInputs(g, 5);
    const one = withSimdTarget(target, () => withThreads(1, () => runAll(g, x, w, dy)));
    const two = withSimdTarget(target, () => withThreads(2, () => runAll(g, x, w, dy)));
    for (const name of ['y', 'dx', 'dw'] as const) {
      expect([name, Buffer.from(two[name].buffer).equals(Buffer.from(one[name].buffer))]).toEqual([name, true]);
    }
  });

  // A batch runs the patch matrix straight into GEMM panels, a single image through im2col and
  // the threaded sgemm; both must give the same bits.
  test('batch forward equals image-by-image forward', () => {
    const g = conv2dGeometry({ N: 3, C: 7, H: 9, W: 10, K: 11, KH: 3, KW: 3, stride: 1, pad: 1 });
    const { x, w } = randomInputs(g, 6);
    const batch = new Float32Array(g.N * g.K * g.OH * g.OW);
    const single = new Float32Array(batch.length);
    const one = { ...g, N: 1 };
    const xSize = g.C * g.H * g.W;
    const ySize = g.K * g.OH * g.OW;
    withSimdTarget(target, () => {
      conv2dForward(x, w, batch, g);
      for (let n = 0; n < g.N; n++) {
        conv2dForward(x.subarray(n * xSize, (n + 1) * xSize), w, single.subarray(n * ySize, (n + 1) * ySize), one);
      }
    });
    expect(Buffer.from(single.buffer).equals(Buffer.from(batch.buffer))).toBe(true);
  });
});

describe('conv2d references', () => {
  test.each([
    ['stride 2 pad 1', { N: 2, C: 2, H: 5, W: 4, K: 3, KH: 3, KW: 3, stride: 2, pad: 1 }],
    ['2x3 kernel pad 1', { N: 1, C: 3, H: 4, W: 5, K: 2, KH: 2, KW: 3, stride: 1, pad: 1 }],
  ] as Array<[string, Conv2dArgs]>)('%s backward matches finite differences', (_name, args) => {
    const g = conv2dGeometry(args);
    const random = new TestRandom(21);
    const x = Float64Array.from(random.float32(g.N * g.C * g.H * g.W));
    const w = Float64Array.from(random.float32(g.K * g.C * g.KH * g.KW));
    const dy = Float64Array.from(random.float32(g.N * g.K * g.OH * g.OW));
    const loss = () => weightedSum(reference.conv2dForward(x, w, g), dy);

    expectGradient('dx', x, reference.conv2dBackwardData(dy, w, g), loss);
    expectGradient('dw', w, reference.conv2dBackwardFilter(x, dy, g), loss);
  });
});

describe('conv2d argument checks', () => {
  // N=1, C=2, H=4, W=4, K=3, KH=KW=3, stride 1, pad 1: x 32, w 54, y 48 elements.
  const dims = [1, 2, 4, 4, 3, 3, 3, 1, 1] as const;
  const x = new Float32Array(32);
  const w = new Float32Array(54);
  const y = new Float32Array(48);

  test('rejects a wrong input length', () => {
    expectError(() => addon.conv2dForward(new Float32Array(31), w, y, ...dims), 'RangeError', 'conv2dForward: x has 31 elements, expected N*C*H*W = 32');
  });

  test('rejects a wrong filter length', () => {
    expectError(() => addon.conv2dBackwardData(y, new Float32Array(53), x, ...dims), 'RangeError', 'conv2dBackwardData: w has 53 elements, expected K*C*KH*KW = 54');
  });

  test('rejects a wrong output length', () => {
    expectError(() => addon.conv2dBackwardFilter(x, new Float32Array(47), w, ...dims), 'RangeError', 'conv2dBackwardFilter: dy has 47 elements, expected N*K*OH*OW = 48');
  });

  test('rejects a kernel larger than the padded input', () => {
    expectError(() => addon.conv2dForward(x, new Float32Array(3 * 2 * 7 * 7), y, 1, 2, 4, 4, 3, 7, 7, 1, 1), 'RangeError', 'conv2dForward: kernel 7x7 is larger than the padded input 6x6 (H + 2*pad by W + 2*pad)');
  });

  test('rejects stride 0', () => {
    expectError(() => addon.conv2dForward(x, w, y, 1, 2, 4, 4, 3, 3, 3, 0, 1), 'RangeError', 'conv2dForward: stride must be an integer in [1, 2147483647], received 0');
  });

  test('rejects negative padding', () => {
    expectError(() => addon.conv2dForward(x, w, y, 1, 2, 4, 4, 3, 3, 3, 1, -1), 'RangeError', 'conv2dForward: pad must be an integer in [0, 2147483647], received -1');
  });

  test('rejects a fractional dimension', () => {
    expectError(() => addon.conv2dForward(x, w, y, 1, 2, 4.5, 4, 3, 3, 3, 1, 1), 'RangeError', 'conv2dForward: H must be an integer in [1, 2147483647], received 4.5');
  });

  test('rejects a kernel size of 0', () => {
    expectError(() => addon.conv2dForward(x, w, y, 1, 2, 4, 4, 3, 0, 3, 1, 1), 'RangeError', 'conv2dForward: KH must be an integer in [1, 2147483647], received 0');
  });

  test('rejects a Float64Array', () => {
    expectError(() => addon.conv2dBackwardFilter(x, y, new Float64Array(54) as unknown as Float32Array, ...dims), 'TypeError', 'conv2dBackwardFilter: dw must be a Float32Array, received Float64Array');
  });

  test('rejects an output that shares memory with an input', () => {
    const buffer = new Float32Array(32 + 48);
    const shared = buffer.subarray(0, 32);
    const overlapping = buffer.subarray(16, 64);
    expectError(() => addon.conv2dForward(shared, w, overlapping, ...dims), 'RangeError', 'conv2dForward: y and x must not share memory');
  });

  test('conv2dGeometry derives the output size', () => {
    expect(conv2dGeometry({ N: 1, C: 3, H: 7, W: 5, K: 4, KH: 3, KW: 3, stride: 2, pad: 1 })).toEqual({
      N: 1, C: 3, H: 7, W: 5, K: 4, KH: 3, KW: 3, stride: 2, pad: 1, OH: 4, OW: 3,
    });
  });

  test('conv2dGeometry rejects a kernel larger than the padded input', () => {
    expect(() => conv2dGeometry({ N: 1, C: 1, H: 2, W: 9, K: 1, KH: 5, KW: 5, pad: 1 })).toThrow(
      new RangeError('conv2dGeometry: kernel 5x5 is larger than the padded input 4x11 (H + 2*pad by W + 2*pad)'),
    );
  });

  test('conv2dGeometry rejects a fractional stride', () => {
    expect(() => conv2dGeometry({ N: 1, C: 1, H: 5, W: 5, K: 1, KH: 3, KW: 3, stride: 1.5 })).toThrow(
      new RangeError('conv2dGeometry: stride must be an integer in [1, 2147483647], received 1.5'),
    );
  });
});
