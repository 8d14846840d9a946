#!/usr/bin/env node
/**
 * `npm run bench`: training and inference throughput of the benchmark workloads
 * (W1 paper-mlp, W1-nobn, W2 bn-cnn, W3 bn-cnn-infer) at 1 and 2 threads, on synthetic
 * MNIST-shaped data. Prints one JSON line per figure, then a table.
 * Options: --only W2,W3  --threads 1,2  --windows 5  --window-s 2  --warmup 20
 */
import { Command } from 'commander';
import { bnCnn, paperMlp } from '../model/builders';
import type { Model } from '../model/model';
import { native } from '../native/loader';
import { Sgd } from '../optim/sgd';
import { Tensor } from '../tensor';
import { Trainer } from '../train/trainer';
import { integerOption } from '../cli/options';
import { TestData, syntheticBatches } from './synthetic';
import { Measurement, measureRate } from './measure';

interface Workload {
  name: string;
  description: string;
  unit: 'img/s';
  batch: number;
  run: (data: TestData) => () => void;
}

function trainingStep(model: Model, learningRate: number, momentum: number, data: TestData): () => void {
  const trainer = new Trainer(model, new Sgd(model.parameters(), { learningRate, momentum }));
  let i = 0;
  return () => {
    const batch = data.batches[i++ % data.batches.length];
    trainer.step(batch.images, batch.labels);
  };
}

const workloads: Workload[] = [
  {
    name: 'W1', description: 'paper-mlp training, batch 60', unit: 'img/s', batch: 60,
    run: (data) => trainingStep(paperMlp().build(1), 0.5, 0, data),
  },
  {
    name: 'W1-nobn', description: 'paper-mlp-nobn training, batch 60', unit: 'img/s', batch: 60,
    run: (data) => trainingStep(paperMlp({ batchNorm: false }).build(1), 0.5, 0, data),
  },
  {
    name: 'W2', description: 'bn-cnn training, batch 64', unit: 'img/s', batch: 64,
    run: (data) => trainingStep(bnCnn().build(1), 0.05, 0.9, data),
  },
  {
    name: 'W3', description: 'bn-cnn inference, batch 256', unit: 'img/s', batch: 256,
    run: (data) => {
      const model = bnCnn().build(1);
      let i = 0;
      return () => {
        const batch = data.batches[i++ % data.batches.length];
        model.forward(batch.images as Tensor, 'eval');
      };
    },
  },
];

async function main(): Promise<void> {
  const program = new Command('bntrain-bench')
    .option('--only <names>', 'comma-separated workloads (W1, W1-nobn, W2, W3)', 'W1,W1-nobn,W2,W3')
    .option('--threads <list>', 'comma-separated thread counts', '1,2')
    .option('--windows <count>', 'timed windows per figure', integerOption(1), 5)
    .option('--window-s <seconds>', 'minimum seconds per window', Number, 2)
    .option('--warmup <steps>', 'untimed steps before the windows', integerOption(0), 20)
    .parse(process.argv);
  const options = program.opts<{ only: string; threads: string; windows: number; windowS: number; warmup: number }>();
  const addon = native();
  const selected = options.only.split(',').map((name) => name.trim());
  const threadCounts = options.threads.split(',').map(Number);
  const rows: { workload: Workload; threads: number; result: Measurement }[] = [];

  for (const workload of workloads.filter((w) => selected.includes(w.name))) {
    const inputShape = workload.name.startsWith('W1') ? [784] : [1, 28, 28];
    const data = syntheticBatches(workload.batch, inputShape, 8, 42);
    for (const threads of threadCounts) {
      addon.setNumThreads(threads);
      const result = measureRate(workload.run(data), workload.batch, {
        warmup: options.warmup, windows: options.windows, windowSeconds: options.windowS,
      });
      rows.push({ workload, threads, result });
      console.log(JSON.stringify({
        peer: 'bntrain', workload: workload.name, threads, value: round(result.median), unit: workload.unit,
        win_min: round(result.min), win_max: round(result.max), simd: addon.simdTarget(),
      }));
    }
  }

  console.log('\nworkload  threads  median img/s  (min - max)   description');
  for (const { workload, threads, result } of rows) {
    console.log(
      `${workload.name.padEnd(9)} ${String(threads).padStart(7)}  ${round(result.median).toFixed(1).padStart(12)}  ` +
        `(${round(result.min).toFixed(0)} - ${round(result.max).toFixed(0)})   ${workload.description}`,
    );
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

main().catch((error: Error) => {
  console.error(`bench: ${error.message}`);
  process.exitCode = 1;
});
