import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createProgram } from '../../src/cli/main';
import { runTrain } from '../../src/cli/train-command';

describe('bntrain train --monitor', () => {
  let folder: string;

  beforeAll(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bntrain-monitor-'));
  });

  afterAll(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('records the chosen percentiles of the chosen units into metrics.json', async () => {
    await runTrain(
      {
        epochs: 1, batchSize: 64, lr: 0.05, momentum: 0.9, seed: 1, out: folder, logEvery: 100, progress: false, limit: 640,
        schedule: 'cosine', monitor: [{ node: 'bn3', units: [0, 5] }, { node: 'conv1' }], monitorEvery: 5,
        monitorPercentiles: [10, 90], monitorExamples: 200,
      },
      () => undefined,
    );
    const metrics = JSON.parse(fs.readFileSync(path.join(folder, 'metrics.json'), 'utf8'));
    expect(metrics.monitor.percentiles).toEqual([10, 90]);
    expect(metrics.monitor.examples).toBe(200);
    const records = metrics.monitor.records as { step: number; node: string; units: { unit: number; percentiles: number[] }[] }[];
    expect(records.map((r) => `${r.step}:${r.node}`)).toEqual(['0:bn3', '0:conv1', '5:bn3', '5:conv1', '10:bn3', '10:conv1']);
    expect(records[0].units.map((u) => u.unit)).toEqual([0, 5]);
    for (const record of records) {
      for (const unit of record.units) expect(unit.percentiles[0]).toBeLessThanOrEqual(unit.percentiles[1]);
    }
    // Training moves the BN output's distribution: the recorded values change between steps.
    expect(records[4].units[0].percentiles).not.toEqual(records[0].units[0].percentiles);
  });

  test('parses repeated --monitor options and rejects bad ones', async () => {
    const train = createProgram().commands.find((command) => command.name() === 'train');
    train?.parseOptions(['--monitor', 'bn3:0-2', '--monitor', 'fc1', '--monitor-percentiles', '5,95']);
    expect(train?.opts().monitor).toEqual([{ node: 'bn3', units: [0, 1, 2] }, { node: 'fc1' }]);
    expect(train?.opts().monitorPercentiles).toEqual([5, 95]);

    const program = createProgram();
    for (const command of [program, ...program.commands]) command.exitOverride().configureOutput({ writeErr: () => undefined });
    await expect(program.parseAsync(['node', 'bntrain', 'train', '--monitor-percentiles', '50,120'])).rejects.toThrow(
      "expected comma-separated percentiles in [0, 100], received '50,120'",
    );
  });
});
