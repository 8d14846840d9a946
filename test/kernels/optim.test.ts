import { native } from '../../src/native/loader';
import { expectAllClose } from '../helpers/compare';
import { expectError } from '../helpers/errors';
import { TestRandom } from '../helpers/random';
import { simdTargets, withSimdTarget, withThreads } from '../helpers/targets';

const addon = native();

interface Settings {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  firstStep: boolean;
}

/** Float64 reference of one SGD step; returns the new weights and velocities. */
function referenceStep(w: Float32Array, g: Float32Array, v: Float32Array, s: Settings): { w: Float64Array; v: Float64Array } {
  const newW = new Float64Array(w.length);
  const newV = Float64Array.from(v);
  for (let i = 0; i < w.length; i++) {
    const d = g[i] + s.weightDecay * w[i];
    if (s.momentum === 0) {
      newW[i] = w[i] - s.lr * d;
      continue;
    }
    newV[i] = s.firstStep ? d : s.momentum * v[i] + d;
    newW[i] = w[i] - s.lr * (s.nesterov ? d + s.momentum * newV[i] : newV[i]);
  }
  return { w: newW, v: newV };
}

const settings: [string, Settings][] = [
  ['plain', { lr: 0.5, momentum: 0, weightDecay: 0, nesterov: false, firstStep: false }],
  ['momentum first step', { lr: 0.05, momentum: 0.9, weightDecay: 0, nesterov: false, firstStep: true }],
  ['momentum', { lr: 0.05, momentum: 0.9, weightDecay: 0, nesterov: false, firstStep: false }],
  ['nesterov with decay', { lr: 0.1, momentum: 0.5, weightDecay: 1e-3, nesterov: true, firstStep: false }],
];

describe.each(simdTargets)('sgdUpdate (%s)', (target) => {
  test.each(settings)('%s matches the float64 reference', (_name, s) => {
    for (const length of [1, 7, 8, 33, 32768 + 5]) {
      const random = new TestRandom(length);
      const w = random.float32(length);
      const g = random.float32(length);
      const v = random.float32(length);
      const expected = referenceStep(w, g, v, s);

      withSimdTarget(target, () => addon.sgdUpdate(w, g, s.momentum === 0 ? null : v, s.lr, s.momentum, s.weightDecay, s.nesterov, s.firstStep));

      expectAllClose('w', w, expected.w, { atol: 1e-6, rtol: 1e-6 });
      if (s.momentum !== 0) expectAllClose('v', v, expected.v, { atol: 1e-6, rtol: 1e-6 });
    }
  });
});

describe('sgdUpdate threads and arguments', () => {
  test('results are bit-identical at 1 and 2 threads', () => {
    const run = (threads: number) => {
      const random = new TestRandom(9);
      const w = random.float32(100003);
      const g = random.float32(100003);
      const v = random.float32(100003);
      withThreads(threads, () => addon.sgdUpdate(w, g, v, 0.05, 0.9, 1e-4, false, false));
      return Buffer.from(w.buffer);
    };
    expect(run(2).equals(run(1))).toBe(true);
  });

  test('rejects a missing velocity with momentum', () => {
    expectError(() => addon.sgdUpdate(new Float32Array(3), new Float32Array(3), null, 0.1, 0.9, 0, false, false), 'RangeError',
      'sgdUpdate: v must be a Float32Array when momentum is not 0, received null');
  });

  test('rejects a gradient of another length', () => {
    expectError(() => addon.sgdUpdate(new Float32Array(3), new Float32Array(2), null, 0.1, 0, 0, false, false), 'RangeError',
      'sgdUpdate: g has 2 elements, expected w.length = 3');
  });

  test('rejects the gradient as the weights', () => {
    const w = new Float32Array(4);
    expectError(() => addon.sgdUpdate(w, w, null, 0.1, 0, 0, false, false), 'RangeError', 'sgdUpdate: w and g must not share memory');
  });
});
