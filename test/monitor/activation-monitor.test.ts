import { BatchNorm, Dense, ReLU } from '../../src/layers';
import { Model } from '../../src/model/model';
import { ActivationMonitor } from '../../src/monitor/activation-monitor';
import { percentileOfSorted, summarize } from '../../src/monitor/percentiles';
import { parseProbe } from '../../src/monitor/probe-spec';
import { Tensor } from '../../src/tensor';
import { expectError } from '../helpers/errors';

/** Builds a model whose output is its input (ReLU of non-negative values), so expected values are known. */
function identityModel(shape: number[]): Model {
  return Model.sequential(shape, [new ReLU()], ['relu']).build(1);
}

describe('percentiles', () => {
  test('interpolate linearly between ranks, as NumPy and torch.quantile do', () => {
    const sorted = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(percentileOfSorted(sorted, 15)).toBeCloseTo(1.5, 12);
    expect(percentileOfSorted(sorted, 50)).toBe(5);
    expect(percentileOfSorted(sorted, 100)).toBe(10);
    expect(percentileOfSorted(Float64Array.from([1, 2, 3, 4]), 50)).toBe(2.5);
    // numpy.percentile([3, 10, 20], 85) = 10 + 0.7·10.
    expect(percentileOfSorted(Float64Array.from([3, 10, 20]), 85)).toBeCloseTo(17, 12);
  });

  test('summarize sorts numerically and reports mean and population std', () => {
    const summary = summarize(Float64Array.from([10, 2, -1, 1]), [0, 50, 100]);
    expect(summary.percentiles).toEqual([-1, 1.5, 10]);
    expect(summary.mean).toBe(3);
    expect(summary.std).toBeCloseTo(Math.sqrt((49 + 1 + 16 + 4) / 4), 12);
  });

  test('reject percentiles outside [0, 100] and empty input', () => {
    expectError(() => percentileOfSorted(Float64Array.from([1]), 101), 'RangeError', 'percentile must be in [0, 100], received 101');
    expectError(() => percentileOfSorted(new Float64Array(0), 50), 'RangeError', 'percentileOfSorted: no values');
  });
});

describe('ActivationMonitor', () => {
  test('summarizes one unit of a [N, F] output over every example', () => {
    const model = identityModel([2]);
    // Unit 0 takes 0..9, unit 1 takes 100..109.
    const inputs = new Tensor([10, 2], Float32Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? i / 2 : 100 + (i - 1) / 2)));
    const monitor = new ActivationMonitor(model, { probes: [{ node: 'relu', units: [1, 0] }], inputs, percentiles: [0, 50, 100], batchSize: 3 });
    const [record] = monitor.record(7);
    expect(record.step).toBe(7);
    expect(record.node).toBe('relu');
    expect(record.units.map((u) => u.unit)).toEqual([1, 0]);
    expect(record.units[0].percentiles).toEqual([100, 104.5, 109]);
    expect(record.units[1].percentiles).toEqual([0, 4.5, 9]);
    expect(record.units[1].mean).toBe(4.5);
  });

  test('pools a channel over N, H and W', () => {
    const model = identityModel([2, 1, 2]);
    // Per example: channel 0 = [n, n + 10], channel 1 = [50, 50].
    const inputs = new Tensor([3, 2, 1, 2], Float32Array.from([0, 10, 50, 50, 1, 11, 50, 50, 2, 12, 50, 50]));
    const monitor = new ActivationMonitor(model, { probes: [{ node: 'relu', units: [0, 1] }], inputs, percentiles: [0, 100] });
    const [record] = monitor.record(0);
    expect(record.units[0].percentiles).toEqual([0, 12]);
    expect(record.units[0].mean).toBe(6);
    expect(record.units[1].percentiles).toEqual([50, 50]);
  });

  test('gives the same values whatever the batch size, and leaves BatchNorm statistics alone', () => {
    const build = (): Model => Model.sequential([6], [new Dense({ units: 4 }), new BatchNorm()], ['fc', 'bn']).build(3);
    const inputs = new Tensor([37, 6], Float32Array.from({ length: 37 * 6 }, (_, i) => Math.sin(i)));
    const model = build();
    const train = new Tensor([8, 6], inputs.data.subarray(0, 48));
    model.forward(train, 'train');
    const runningBefore = model.buffers().map((b) => Float32Array.from(b.value.data));

    const small = new ActivationMonitor(model, { probes: [{ node: 'bn', units: [0, 3] }, { node: 'fc' }], inputs, batchSize: 5 });
    const large = new ActivationMonitor(model, { probes: [{ node: 'bn', units: [0, 3] }, { node: 'fc' }], inputs, batchSize: 500 });
    expect(small.record(1)).toEqual(large.record(1));
    expect(model.buffers().map((b) => Float32Array.from(b.value.data))).toEqual(runningBefore);
    expect(small.recordsOf('fc')).toHaveLength(1);
    expect(small.records).toHaveLength(2);
  });

  test('follows its schedule', () => {
    const model = identityModel([1]);
    const inputs = new Tensor([2, 1], Float32Array.from([1, 2]));
    const every = new ActivationMonitor(model, { probes: [{ node: 'relu' }], inputs, steps: { every: 3 } });
    expect([0, 1, 2, 3, 4, 6].map((step) => every.isDue(step))).toEqual([true, false, false, true, false, true]);
    const listed = new ActivationMonitor(model, { probes: [{ node: 'relu' }], inputs, steps: [0, 5] });
    expect(listed.recordIfDue(4)).toEqual([]);
    expect(listed.recordIfDue(5)).toHaveLength(1);
    expect(listed.records.map((r) => r.step)).toEqual([5]);
  });

  test('rejects unknown nodes, units out of range and inputs of the wrong shape', () => {
    const model = identityModel([3]);
    const inputs = new Tensor([2, 3]);
    expectError(() => new ActivationMonitor(model, { probes: [{ node: 'bn9' }], inputs }), 'RangeError', "Model: no node named 'bn9'");
    expectError(
      () => new ActivationMonitor(model, { probes: [{ node: 'relu', units: [3] }], inputs }),
      'RangeError',
      "ActivationMonitor: unit 3 of 'relu' is out of range; its output is [N, 3], units are 0..2",
    );
    expectError(
      () => new ActivationMonitor(model, { probes: [{ node: 'relu' }], inputs: new Tensor([2, 4]) }),
      'RangeError',
      'ActivationMonitor: inputs have shape [2, 4], expected [count >= 1, 3]',
    );
    expectError(
      () => new ActivationMonitor(model, { probes: [{ node: 'relu' }], inputs, steps: { every: 0 } }),
      'RangeError',
      'ActivationMonitor: steps.every must be a positive integer, received 0',
    );
    expectError(() => new ActivationMonitor(model, { probes: [], inputs }), 'RangeError', 'ActivationMonitor: probes is empty; give at least one node to watch');
  });
});

describe('parseProbe', () => {
  test('reads a node with optional units and ranges', () => {
    expect(parseProbe('bn3')).toEqual({ node: 'bn3' });
    expect(parseProbe('conv1:0,4-6')).toEqual({ node: 'conv1', units: [0, 4, 5, 6] });
  });

  test('rejects malformed probes', () => {
    expectError(() => parseProbe('bn3:x'), 'RangeError', "monitor probe 'bn3:x': 'x' is not a unit index or a range like 4-7");
    expectError(() => parseProbe('bn3:5-2'), 'RangeError', "monitor probe 'bn3:5-2': range 5-2 ends before it starts");
    expectError(() => parseProbe(':1'), 'RangeError', "monitor probe ':1' must be <node> or <node>:<units>, e.g. bn3 or bn3:0,4-7");
  });
});
