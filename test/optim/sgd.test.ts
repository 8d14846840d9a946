import type { NamedParameter } from '../../src/model/model';
import { cosineSchedule } from '../../src/optim/schedule';
import { Sgd } from '../../src/optim/sgd';
import { createParameter } from '../../src/tensor';
import { expectError } from '../helpers/errors';

function singleParameter(value: number): NamedParameter {
  const parameter = createParameter('weight', [1]);
  parameter.value.data[0] = value;
  return { name: 'layer.weight', parameter };
}

describe('Sgd', () => {
  test('momentum update matches PyTorch', () => {
    const named = singleParameter(1);
    const sgd = new Sgd([named], { learningRate: 0.1, momentum: 0.9 });
    const gradients = [0.5, -0.25, 1];
    const expected: number[] = [];
    let w = 1;
    let v = 0;
    gradients.forEach((g, step) => {
      v = step === 0 ? g : 0.9 * v + g;
      w -= 0.1 * v;
      expected.push(w);
    });

    const got = gradients.map((g) => {
      named.parameter.grad.data[0] = g;
      sgd.step();
      return named.parameter.value.data[0];
    });

    got.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 6));
    expect(sgd.stepCount).toBe(3);
    expect(sgd.state()[0].velocity.data[0]).toBeCloseTo(v, 6);
  });

  test('weight decay adds lambda·w to the gradient', () => {
    const named = singleParameter(2);
    const sgd = new Sgd([named], { learningRate: 0.5, weightDecay: 0.1 });
    named.parameter.grad.data[0] = 1;
    sgd.step();
    expect(named.parameter.value.data[0]).toBeCloseTo(2 - 0.5 * (1 + 0.2), 6);
  });

  test('nesterov uses g + mu·v', () => {
    const named = singleParameter(0);
    const sgd = new Sgd([named], { learningRate: 1, momentum: 0.5, nesterov: true });
    named.parameter.grad.data[0] = 1;
    sgd.step();
    expect(named.parameter.value.data[0]).toBeCloseTo(-1.5, 6);
  });

  test('loadState restores velocities and checks their size', () => {
    const named = singleParameter(0);
    const source = new Sgd([named], { learningRate: 1, momentum: 0.5 });
    named.parameter.grad.data[0] = 2;
    source.step();
    const restored = new Sgd([named], { learningRate: 1, momentum: 0.5 });
    restored.loadState(source.state(), source.stepCount);
    expect(restored.state()[0].velocity.data[0]).toBe(2);
    expect(restored.stepCount).toBe(1);
    expectError(() => restored.loadState([{ name: 'other', velocity: source.state()[0].velocity }], 1), 'RangeError',
      "Sgd.loadState: no parameter named 'other'");
  });

  test('rejects invalid settings', () => {
    expectError(() => new Sgd([], { learningRate: 0 }), 'RangeError', 'Sgd: learningRate must be a positive finite number, received 0');
    expectError(() => new Sgd([], { learningRate: 1, momentum: 1 }), 'RangeError', 'Sgd: momentum must be in [0, 1), received 1');
    expectError(() => new Sgd([], { learningRate: 1, nesterov: true }), 'RangeError', 'Sgd: nesterov needs a momentum above 0');
  });
});

describe('cosineSchedule', () => {
  test('starts at the base rate, halves midway and ends near zero', () => {
    expect(cosineSchedule(0.05, 0, 100)).toBe(0.05);
    expect(cosineSchedule(0.05, 50, 100)).toBeCloseTo(0.025, 12);
    expect(cosineSchedule(0.05, 99, 100)).toBeLessThan(0.0001);
  });
});
