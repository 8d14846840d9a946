import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCheckpoint, saveCheckpoint } from '../../src/checkpoint/checkpoint';
import { readSafetensors, writeSafetensors } from '../../src/checkpoint/safetensors';
import { bnCnn } from '../../src/model/builders';
import { Sgd } from '../../src/optim/sgd';
import { Tensor } from '../../src/tensor';
import { expectError } from '../helpers/errors';
import { TestRandom } from '../helpers/random';

describe('checkpoint', () => {
  let folder: string;
  let file: string;

  beforeAll(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bntrain-checkpoint-'));
    file = path.join(folder, 'model.safetensors');
  });

  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  function trainedModel() {
    const model = bnCnn().build(4);
    const sgd = new Sgd(model.parameters(), { learningRate: 0.05, momentum: 0.9 });
    const x = new Tensor([8, 1, 28, 28], new TestRandom(2).float32(8 * 784, 0, 1));
    model.forward(x, 'train');
    model.backward(new Tensor([8, 10], new TestRandom(3).float32(80)));
    sgd.step();
    return { model, sgd, x };
  }

  test('round trip restores weights, statistics, velocities and progress', () => {
    const { model, sgd, x } = trainedModel();
    saveCheckpoint(file, model, sgd, { epoch: 1, step: 1, seed: 4, batchSize: 8, shuffleState: [1, 2, 3, 4] });
    const loaded = loadCheckpoint(file);

    const expected = Float32Array.from(model.forward(x, 'eval').data);
    expect(loaded.model.forward(x, 'eval').data).toEqual(expected);
    expect(loaded.velocities.map((v) => v.name).sort()).toEqual(sgd.state().map((v) => v.name).sort());
    expect(loaded.progress).toEqual({ epoch: 1, step: 1, seed: 4, batchSize: 8, shuffleState: [1, 2, 3, 4] });
    expect(loaded.optimizer).toMatchObject({ kind: 'sgd', learningRate: 0.05, momentum: 0.9, steps: 1 });
  });

  test('tensor names follow PyTorch state_dict names', () => {
    const { model, sgd } = trainedModel();
    saveCheckpoint(file, model, sgd, { epoch: 0, step: 1, seed: 4, batchSize: 8, shuffleState: [] });
    const names = [...readSafetensors(file).tensors.keys()];
    expect(names).toEqual(expect.arrayContaining([
      'conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var', 'bn1.num_batches_tracked',
      'fc2.bias', 'optimizer.conv1.weight.momentum_buffer',
    ]));
  });

  test('rejects a safetensors file that is not a bntrain checkpoint', () => {
    writeSafetensors(file, { w: { shape: [1], data: Float32Array.of(1) } }, { format: 'other' });
    expectError(() => loadCheckpoint(file), 'Error', `${file}: __metadata__.format is 'other', expected 'bntrain-checkpoint'; not a bntrain checkpoint`);
  });

  test('rejects a tensor with the wrong shape, naming it', () => {
    const { model, sgd } = trainedModel();
    saveCheckpoint(file, model, sgd, { epoch: 0, step: 1, seed: 4, batchSize: 8, shuffleState: [] });
    const { tensors, metadata } = readSafetensors(file);
    tensors.set('fc2.bias', { dtype: 'F32', shape: [11], data: new Float32Array(11) });
    const { sha256: _ignored, ...rest } = metadata;
    writeSafetensors(file, tensors, rest);
    expectError(() => loadCheckpoint(file), 'Error', `${file}: tensor 'fc2.bias' is F32 [11], expected F32 [10]`);
  });
});
