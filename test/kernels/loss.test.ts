import { native } from '../../src/native/loader';
import { ClassificationShape, softmaxCrossEntropyBackward, softmaxCrossEntropyForward } from '../../src/kernels/loss';
import * as reference from '../../src/reference/loss';
import { expectAllClose } from '../helpers/compare';
import { expectError } from '../helpers/errors';
import { expectGradient } from '../helpers/gradcheck';
import { expectOracleClose, loadOracle } from '../helpers/oracle';
import { TestRandom } from '../helpers/random';
import { simdTargets, withSimdTarget, withThreads } from '../helpers/targets';

const addon = native();

// K below, at and past one 8-lane register, and K = 1 (every probability is 1, the loss 0).
const shapes: ClassificationShape[] = [
  { N: 5, K: 10 }, { N: 3, K: 17 }, { N: 4, K: 8 }, { N: 2, K: 3 }, { N: 3, K: 1 }, { N: 1, K: 40 },
];

interface LossOutputs {
  loss: number;
  probs: Float32Array;
  dlogits: Float32Array;
}

function runLoss(shape: ClassificationShape, logits: Float32Array, labels: Int32Array): LossOutputs {
  const probs = new Float32Array(shape.N * shape.K);
  const dlogits = new Float32Array(shape.N * shape.K);
  const loss = softmaxCrossEntropyForward(shape, logits, labels, probs);
  softmaxCrossEntropyBackward(shape, probs, labels, dlogits);
  return { loss, probs, dlogits };
}

// The AVX2 exp has a relative error below 3e-7 (exp_avx2.h), and the scalar one rounds a double
// result to float. Either way the probabilities stay within a few float ulps of the reference.
const probsTolerance = { atol: 1e-30, rtol: 1e-6 };

describe.each(simdTargets)('softmax cross-entropy kernels (%s)', (target) => {
  test.each(shapes)('forward and backward, N=$N K=$K', (shape) => {
    const random = new TestRandom(shape.N * 100 + shape.K);
    const logits = random.float32(shape.N * shape.K, -6, 6);
    const labels = random.labels(shape.N, shape.K);
    const out = withSimdTarget(target, () => runLoss(shape, logits, labels));
    const expected = reference.softmaxCrossEntropyForward(logits, labels, shape.N, shape.K);

    expectAllClose('probs', out.probs, expected.probs, probsTolerance);
    expectAllClose('loss', [out.loss], [expected.loss], { atol: 1e-7, rtol: 1e-6 });
    // The backward is elementwise on the kernel's own probs: compare it with exactly that input.
    const dlogits = reference.softmaxCrossEntropyBackward(out.probs, labels, shape.N, shape.K);
    expectAllClose('dlogits', out.dlogits, dlogits, { atol: 0, rtol: 1e-7 });
  });

  test('huge logits stay finite', () => {
    const shape = { N: 4, K: 12 };
    const random = new TestRandom(3);
    const logits = random.float32(shape.N * shape.K, -3e4, 3e4);
    logits[5] = 3.4e38;
    logits[30] = -3.4e38;
    const labels = Int32Array.from([0, 5, 11, 6]);
    const out = withSimdTarget(target, () => runLoss(shape, logits, labels));
    const expected = reference.softmaxCrossEntropyForward(logits, labels, shape.N, shape.K);

    expect(Number.isFinite(out.loss)).toBe(true);
    expectAllClose('loss', [out.loss], [expected.loss], { atol: 0, rtol: 1e-12 });
    expectAllClose('probs', out.probs, expected.probs, probsTolerance);
    for (let n = 0; n < shape.N; n++) {
      const sum = out.probs.subarray(n * shape.K, (n + 1) * shape.K).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 6);
    }
  });

  test('NaN logits give a NaN loss', () => {
    const logits = new TestRandom(4).float32(20);
    logits[13] = NaN;
    const out = withSimdTarget(target, () => runLoss({ N: 2, K: 10 }, logits, Int32Array.from([0, 1])));
    expect(out.loss).toBeNaN();
    expect(out.probs[13]).toBeNaN();
    expect(Number.isFinite(out.probs[0])).toBe(true);
  });

  test('dlogits may be probs itself', () => {
    const shape = { N: 3, K: 11 };
    const random = new TestRandom(6);
    const logits = random.float32(shape.N * shape.K, -4, 4);
    const labels = random.labels(shape.N, shape.K);
    const out = withSimdTarget(target, () => runLoss(shape, logits, labels));
    withSimdTarget(target, () => softmaxCrossEntropyBackward(shape, out.probs, labels, out.probs));
    expect(Buffer.from(out.probs.buffer).equals(Buffer.from(out.dlogits.buffer))).toBe(true);
  });

  test('results are bit-identical at 1 and 2 threads', () => {
    // 3000·10 logits: two blocks of rows, so two threads both get work.
    const shape = { N: 3000, K: 10 };
    const random = new TestRandom(8);
    const logits = random.float32(shape.N * shape.K, -10, 10);
    const labels = random.labels(shape.N, shape.K);
    const oneThread = withSimdTarget(target, () => withThreads(1, () => runLoss(shape, logits, labels)));
    const twoThreads = withSimdTarget(target, () => withThreads(2, () => runLoss(shape, logits, labels)));
    expect(twoThreads.loss).toBe(oneThread.loss);
    expect(Buffer.from(twoThreads.probs.buffer).equals(Buffer.from(oneThread.probs.buffer))).toBe(true);
    expect(Buffer.from(twoThreads.dlogits.buffer).equals(Buffer.from(oneThread.dlogits.buffer))).toBe(true);
  });

  test.each(['softmax_ce_small', 'softmax_ce_large_logits'])('PyTorch case %s', (caseName) => {
    const oracle = loadOracle(caseName);
    const [N, K] = oracle.inputs.logits.shape;
    const labels = Int32Array.from(oracle.inputs.labels.data);
    const out = withSimdTarget(target, () => runLoss({ N, K }, Float32Array.from(oracle.inputs.logits.data), labels));
    expectOracleClose('loss', [out.loss], oracle.outputs.loss.data, oracle.tolerance);
    expectOracleClose('dlogits', out.dlogits, oracle.outputs.dlogits.data, oracle.tolerance);
  });
});

describe('softmax exp accuracy', () => {
  test('avx2 probabilities stay within 1e-6 relative over differences down to -80', () => {
    if (!simdTargets.includes('avx2')) return;
    // One row: logit 0 (the maximum) plus many far below it; the maximum's probability is near 1.
    const K = 4001;
    const logits = Float32Array.from({ length: K }, (_, k) => (k === 0 ? 0 : -80 + (75 * k) / K));
    const out = withSimdTarget('avx2', () => runLoss({ N: 1, K }, logits, Int32Array.from([0])));
    const expected = reference.softmaxCrossEntropyForward(logits, [0], 1, K);
    expectAllClose('probs', out.probs, expected.probs, { atol: 0, rtol: 1e-6 });
  });
});

describe('softmax cross-entropy reference', () => {
  test('backward matches finite differences', () => {
    const shape = { N: 3, K: 5 };
    const random = new TestRandom(10);
    const logits = Float64Array.from(random.float32(shape.N * shape.K, -3, 3));
    const labels = random.labels(shape.N, shape.K);
    const forward = reference.softmaxCrossEntropyForward(logits, labels, shape.N, shape.K);
    const analytic = reference.softmaxCrossEntropyBackward(forward.probs, labels, shape.N, shape.K);
    expectGradient('dlogits', logits, analytic, () => reference.softmaxCrossEntropyForward(logits, labels, shape.N, shape.K).loss);
  });
});

describe('softmax cross-entropy argument checks', () => {
  const f32 = (length: number) => new Float32Array(length);
  const forward = (overrides: Partial<Record<string, unknown>> = {}) => {
    const a = { logits: f32(50), labels: new Int32Array(5), probs: f32(50), N: 5, K: 10, ...overrides };
    const call = addon.softmaxCrossEntropyForward as unknown as (...values: unknown[]) => number;
    return () => call(a.logits, a.labels, a.probs, a.N, a.K);
  };
  const backward = (overrides: Partial<Record<string, unknown>> = {}) => {
    const a = { probs: f32(50), labels: new Int32Array(5), dlogits: f32(50), N: 5, K: 10, ...overrides };
    const call = addon.softmaxCrossEntropyBackward as unknown as (...values: unknown[]) => void;
    return () => call(a.probs, a.labels, a.dlogits, a.N, a.K);
  };

  test('accepts valid arguments', () => {
    expect(forward()()).toBeCloseTo(Math.log(10), 6);
    expect(backward()).not.toThrow();
  });

  test('rejects wrong types', () => {
    expectError(forward({ labels: new Float64Array(5) }), 'TypeError', 'softmaxCrossEntropyForward: labels must be an Int32Array, received Float64Array');
    expectError(backward({ probs: [0.5] }), 'TypeError', 'softmaxCrossEntropyBackward: probs must be a Float32Array, received Array');
    expectError(forward({ K: '10' }), 'TypeError', 'softmaxCrossEntropyForward: K must be an integer, received string');
  });

  test('rejects invalid dimensions and lengths', () => {
    expectError(forward({ N: 0 }), 'RangeError', 'softmaxCrossEntropyForward: N must be an integer in [1, 2147483647], received 0');
    expectError(forward({ logits: f32(49) }), 'RangeError', 'softmaxCrossEntropyForward: logits has 49 elements, expected N*K = 50');
    expectError(forward({ labels: new Int32Array(4) }), 'RangeError', 'softmaxCrossEntropyForward: labels has 4 elements, expected N = 5');
    expectError(backward({ dlogits: f32(51) }), 'RangeError', 'softmaxCrossEntropyBackward: dlogits has 51 elements, expected N*K = 50');
  });

  test.each([10, -1, 2147483647])('rejects label %i', (bad) => {
    const labels = Int32Array.from([0, 9, bad, 3, 4]);
    expectError(forward({ labels }), 'RangeError', `softmaxCrossEntropyForward: labels[2] = ${bad} is outside [0, K) = [0, 10)`);
    const dlogits = f32(50).fill(7);
    expectError(backward({ labels, dlogits }), 'RangeError', `softmaxCrossEntropyBackward: labels[2] = ${bad} is outside [0, K) = [0, 10)`);
    expect(dlogits.every((value) => value === 7)).toBe(true);
  });

  test('rejects shared memory', () => {
    const logits = f32(50);
    expectError(forward({ logits, probs: logits }), 'RangeError', 'softmaxCrossEntropyForward: probs and logits must not share memory');
    const buffer = f32(51);
    expectError(backward({ probs: buffer.subarray(0, 50), dlogits: buffer.subarray(1, 51) }), 'RangeError',
      'softmaxCrossEntropyBackward: dlogits and probs must not share memory');
  });
});
