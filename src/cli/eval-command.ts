import { Command } from 'commander';
import { loadCheckpoint } from '../checkpoint/checkpoint';
import { loadImageDataset } from '../data/load';
import { dataFolderFor } from './data-folder';
import { native } from '../native/loader';
import { Evaluation, evaluate } from '../train/evaluate';
import { integerOption } from './options';
import { formatPercent } from './report';

export interface EvalCommandOptions {
  checkpoint: string;
  data?: string;
  batchSize: number;
  threads?: number;
}

export function evalCommand(): Command {
  return new Command('eval')
    .description('reload a checkpoint and print its accuracy on the test images (inference mode)')
    .requiredOption('--checkpoint <file>', 'checkpoint written by `bntrain train` (.safetensors; required)')
    .option('--data <dir>', 'folder with the four MNIST-style IDX files, raw or .gz (default: the data the checkpoint was trained on)')
    .option('--batch-size <count>', 'test images per forward pass (does not change the result)', integerOption(1), 500)
    .option('--threads <count>', 'native threads (default: every core)', integerOption(1))
    .action((options: EvalCommandOptions) => {
      runEval(options, (line) => console.log(line));
    });
}

/** Evaluates a checkpoint on the test split and prints its loss and accuracy. */
export function runEval(options: EvalCommandOptions, write: (line: string) => void): Evaluation {
  if (options.threads !== undefined) native().setNumThreads(options.threads);
  const checkpoint = loadCheckpoint(options.checkpoint);
  const data = loadImageDataset(dataFolderFor(checkpoint, options.checkpoint, options.data));
  const result = evaluate(checkpoint.model, data.test, options.batchSize);
  write(`checkpoint: ${options.checkpoint} (epoch ${checkpoint.progress.epoch}, step ${checkpoint.progress.step})`);
  write(`data: ${data.test.count} test images from ${data.directory}`);
  write(`test loss ${result.loss.toFixed(4)}`);
  write(`test accuracy ${formatPercent(result.accuracy)} (${result.correct}/${result.count})`);
  return result;
}
