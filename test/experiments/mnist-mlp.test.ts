import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createProgram } from '../../src/cli/main';
import { ReproduceOptions, reproduceMnistMlp } from '../../src/experiments/mnist-mlp';
import { binarize } from '../../src/experiments/mnist-mlp-data';
import { PLOT_FILES } from '../../src/experiments/mnist-mlp-plots';
import { Measurement, measurementSteps } from '../../src/experiments/mnist-mlp-run';
import { compareRuns, medianSpread } from '../../src/experiments/mnist-mlp-summary';

/** Builds a measurement with the given accuracy and median. The other fields do not matter here. */
function measurement(step: number, testAccuracy: number, median: number): Measurement {
  return { step, testAccuracy, testLoss: 0, trainLoss: null, percentiles: [median - 1, median, median + 1], mean: median, std: 1 };
}

/** Returns results.json without its timing fields, which alone may differ between two identical runs. */
function withoutTiming(file: string): string {
  const text = fs.readFileSync(file, 'utf8');
  const timing = /\n {2}"timing": \{[^}]*\}\n/;
  expect(text).toMatch(timing);
  return text.replace(timing, '\n');
}

describe('MNIST reproduction pieces', () => {
  test('binarize thresholds intensities at 0.5', () => {
    expect(Array.from(binarize(Float32Array.from([0, 0.49, 0.5, 0.51, 1])))).toEqual([0, 0, 0, 1, 1]);
  });

  test('measurements fall on every interval, at step 0 and at the last step', () => {
    expect(measurementSteps(3000, 1000)).toEqual([0, 1000, 2000, 3000]);
    expect(measurementSteps(2500, 1000)).toEqual([0, 1000, 2000, 2500]);
  });

  test('compareRuns reports spreads and lead', () => {
    const steps = [0, 1000, 5000, 6000, 10000];
    const bn = steps.map((step, i) => measurement(step, [0.1, 0.9, 0.95, 0.96, 0.97][i], [5, 0.1, 0.3, 0.2, 0.2][i]));
    const baseline = steps.map((step, i) => measurement(step, [0.1, 0.8, 0.95, 0.9, 0.96][i], [-5, 1, 2, 3, 1.5][i]));
    expect(medianSpread(bn, 1)).toBeCloseTo(0.2, 12);
    const comparison = compareRuns(bn, baseline, 1);
    expect(comparison.medianSpread.baseline).toBe(2);
    expect(comparison.medianSpread.ratio).toBeCloseTo(0.1, 12);
    expect(comparison.accuracyTable).toEqual([{ step: 10000, bn: 0.97, baseline: 0.96 }]);
    expect(comparison.checks).toEqual({ bnFinalAtLeastTarget: true, bnAheadFromLeadStep: false, stepsBnNotAhead: [5000], bnSpreadSmaller: true });
  });
});

describe('bntrain reproduce mnist-mlp', () => {
  let folder: string;
  const options = (out: string, threads: number): ReproduceOptions => ({
    steps: 2000, seed: 3, out, learningRate: 0.5, initStd: 0.05, batchSize: 60, measureEvery: 1000, unit: 0,
    binary: true, threads, sweep: false, sweepRates: [], sweepStds: [],
  });

  beforeAll(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bntrain-reproduce-'));
  });

  afterAll(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('same seed gives identical results.json', async () => {
    const quiet = (): void => undefined;
    const first = await reproduceMnistMlp(options(path.join(folder, 'a'), 1), quiet);
    await reproduceMnistMlp(options(path.join(folder, 'b'), 1), quiet);
    expect(withoutTiming(path.join(folder, 'b', 'results.json'))).toBe(withoutTiming(path.join(folder, 'a', 'results.json')));

    // The kernels promise bit-identical results at any thread count, so only settings.threads may change.
    const two = await reproduceMnistMlp(options(path.join(folder, 'c'), 2), quiet);
    expect(two.networks).toEqual(first.networks);

    expect(first.networks.withBn.measurements.map((m) => m.step)).toEqual([0, 1000, 2000]);
    expect(first.networks.withBn.monitoredNode).toBe('bn3');
    expect(first.networks.withoutBn.monitoredNode).toBe('fc3');
    // After 2000 steps with seed 3, BN reaches 94.35% and the baseline 77.38%.
    expect(first.comparison.finalAccuracy.bn).toBeGreaterThan(0.9);
    expect(first.comparison.finalAccuracy.bn).toBeGreaterThan(first.comparison.finalAccuracy.baseline);
    for (const name of Object.values(PLOT_FILES)) {
      const svg = fs.readFileSync(path.join(folder, 'a', name), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('Training steps');
    }
  });

  test('sweep reuses the main runs', async () => {
    const lines: string[] = [];
    const results = await reproduceMnistMlp(
      { ...options(path.join(folder, 'sweep'), 2), steps: 2000, sweep: true, sweepRates: [0.5, 0.1], sweepStds: [0.05] },
      (line) => lines.push(line),
    );
    const sweep = results.sweep ?? [];
    expect(sweep.map((entry) => [entry.learningRate, entry.initStd])).toEqual([[0.5, 0.05], [0.1, 0.05]]);
    expect(sweep[0].withBn.finalAccuracy).toBe(results.comparison.finalAccuracy.bn);
    expect(sweep[1].withBn.finalAccuracy).toBeGreaterThan(0.5);
    expect(sweep[1].medianSpreadRatio).toBeCloseTo((sweep[1].withBn.medianSpread ?? 0) / (sweep[1].withoutBn.medianSpread ?? 1), 12);
    expect(lines).toContainEqual(expect.stringMatching(/^sweep lr 0.1, std 0.05: with BN [0-9.]+%, without [0-9.]+%, median spread ratio [0-9.]+$/));
  });

  test('command help and unknown experiment', async () => {
    const reproduce = createProgram().commands.find((command) => command.name() === 'reproduce');
    const help = reproduce?.helpInformation() ?? '';
    for (const option of ['--steps', '--seed', '--out', '--lr', '--init-std', '--grey', '--sweep', '--sweep-rates', '--sweep-stds']) {
      expect(help).toContain(option);
    }
    expect(help).toContain('(default: 50000)');

    const program = createProgram();
    for (const command of [program, ...program.commands]) command.exitOverride().configureOutput({ writeErr: () => undefined });
    await expect(program.parseAsync(['node', 'bntrain', 'reproduce', 'imagenet'])).rejects.toThrow(
      "command-argument value 'imagenet' is invalid for argument 'experiment'. Allowed choices are mnist-mlp.",
    );
  });
});
