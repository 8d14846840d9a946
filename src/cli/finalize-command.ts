import { Command } from 'commander';
import { loadCheckpoint, restoreOptimizer, saveCheckpoint } from '../checkpoint/checkpoint';
import { loadImageDataset } from '../data/load';
import { dataFolderFor } from './data-folder';
import { finalizeBatchNormOnSet } from '../model/population';
import { native } from '../native/loader';
import { Random } from '../random/random';
import { evaluate } from '../train/evaluate';
import { integerOption } from './options';
import { formatPercent } from './report';

export interface FinalizeCommandOptions {
  checkpoint: string;
  batches: number;
  batchSize?: number;
  seed?: number;
  data?: string;
  out?: string;
  threads?: number;
}

export function finalizeCommand(): Command {
  return new Command('finalize')
    .description(
      "replace BatchNorm's running averages in a checkpoint with population statistics over K training " +
        'mini-batches (Ioffe & Szegedy 2015, Algorithm 2)',
    )
    .requiredOption('--checkpoint <file>', 'checkpoint written by `bntrain train` (.safetensors; required)')
    .requiredOption('--batches <count>', 'number K of training mini-batches to average over (required)', integerOption(1))
    .option('--batch-size <count>', "examples per mini-batch (default: the checkpoint's training batch size)", integerOption(2))
    .option('--seed <integer>', "seed of the shuffle that picks the batches (default: the checkpoint's seed)", integerOption(0))
    .option('--data <dir>', 'folder with the four MNIST-style IDX files, raw or .gz (default: the data the checkpoint was trained on)')
    .option('--out <file>', 'where to write the finalized checkpoint (default: replace --checkpoint)')
    .option('--threads <count>', 'native threads (default: every core)', integerOption(1))
    .action((options: FinalizeCommandOptions) => {
      runFinalize(options, (line) => console.log(line));
    });
}

/** Finalizes a checkpoint's BatchNorm statistics and reports the test accuracy before and after. */
export function runFinalize(options: FinalizeCommandOptions, write: (line: string) => void): { before: number; after: number } {
  if (options.threads !== undefined) native().setNumThreads(options.threads);
  const checkpoint = loadCheckpoint(options.checkpoint);
  const data = loadImageDataset(dataFolderFor(checkpoint, options.checkpoint, options.data));
  const batchSize = options.batchSize ?? checkpoint.progress.batchSize;
  const seed = options.seed ?? checkpoint.progress.seed;

  const before = evaluate(checkpoint.model, data.test);
  const layers = finalizeBatchNormOnSet(checkpoint.model, data.train, { batches: options.batches, batchSize, random: new Random(seed) });
  const after = evaluate(checkpoint.model, data.test);

  const out = options.out ?? options.checkpoint;
  saveCheckpoint(out, checkpoint.model, restoreOptimizer(checkpoint), checkpoint.progress, {
    batchnorm_statistics: JSON.stringify({ method: 'population (Algorithm 2)', batches: options.batches, batchSize, seed }),
  });
  const layerWord = layers === 1 ? 'layer' : 'layers';
  write(`finalize: ${layers} BatchNorm ${layerWord}, population statistics over ${options.batches} batches of ${batchSize} from ${data.directory}`);
  write(`test accuracy with running averages:       ${formatPercent(before.accuracy)} (${before.correct}/${before.count})`);
  write(`test accuracy with population statistics: ${formatPercent(after.accuracy)} (${after.correct}/${after.count})`);
  write(`checkpoint: ${out}`);
  return { before: before.accuracy, after: after.accuracy };
}
