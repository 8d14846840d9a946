import { BatchNorm, Dense, ReLU } from '../../src/layers';
import { bnCnn, paperMlp } from '../../src/model/builders';
import { Model } from '../../src/model/model';
import { Tensor } from '../../src/tensor';
import { expectError } from '../helpers/errors';
import { TestRandom } from '../helpers/random';

describe('Model', () => {
  test('W2 has the shapes and parameter count of bn-cnn', () => {
    const model = bnCnn().build(1);
    expect(model.outputShape).toEqual([10]);
    expect(model.layers().map((node) => node.layer.outputShape)).toEqual([
      [32, 28, 28], [32, 28, 28], [32, 28, 28], [32, 14, 14],
      [64, 14, 14], [64, 14, 14], [64, 14, 14], [64, 7, 7],
      [3136], [128], [128], [128], [10],
    ]);
    // conv 32·9 + conv 64·32·9 + dense 128·3136 + dense 10·128 + 10, plus γ and β of 32 + 64 + 128 channels.
    expect(model.parameterCount()).toBe(288 + 18432 + 401408 + 1290 + 2 * (32 + 64 + 128));
  });

  test('BN builders leave out the bias before BatchNorm', () => {
    const names = bnCnn().build(1).parameters().map((p) => p.name);
    expect(names).not.toContain('conv1.bias');
    expect(names).not.toContain('fc1.bias');
    expect(names).toContain('fc2.bias');
    const mlp = paperMlp({ batchNorm: false }).build(1).parameters().map((p) => p.name);
    expect(mlp).toContain('fc1.bias');
  });

  test('same seed gives the same weights', () => {
    const a = bnCnn().build(7).parameters();
    const b = bnCnn().build(7).parameters();
    const c = bnCnn().build(8).parameters();
    expect(Buffer.from(a[0].parameter.value.data.buffer).equals(Buffer.from(b[0].parameter.value.data.buffer))).toBe(true);
    expect(Buffer.from(a[0].parameter.value.data.buffer).equals(Buffer.from(c[0].parameter.value.data.buffer))).toBe(false);
  });

  test('toJSON and fromJSON rebuild the architecture', () => {
    const model = bnCnn().build(1);
    const copy = Model.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    expect(copy.toJSON()).toEqual(model.toJSON());
    expect(copy.parameterCount()).toBe(model.parameterCount());
  });

  test('eval mode leaves running statistics unchanged', () => {
    const model = bnCnn().build(1);
    const x = new Tensor([4, 1, 28, 28], new TestRandom(1).float32(4 * 784, 0, 1));
    model.forward(x, 'train');
    const before = model.buffers().map((b) => Float32Array.from(b.value.data));
    model.forward(x, 'eval');
    model.buffers().forEach((b, i) => expect(b.value.data).toEqual(before[i]));
  });

  test('a gradient feeding two consumers is summed', () => {
    // Two Dense heads read one ReLU; the graph's output is the second head, so the first
    // contributes nothing and the sum must equal the second head's gradient alone.
    const relu = new ReLU();
    const model = new Model([3], [
      { name: 'fc', layer: new Dense({ units: 4 }), inputs: ['input'] },
      { name: 'relu', layer: relu, inputs: ['fc'] },
      { name: 'head', layer: new Dense({ units: 2 }), inputs: ['relu'] },
    ]).build(3);
    const x = new Tensor([2, 3], Float32Array.of(1, -2, 3, 0.5, 0.1, -1));
    model.forward(x, 'train');
    model.backward(new Tensor([2, 2], Float32Array.of(1, 0, 0, 1)));
    const grad = model.parameters().find((p) => p.name === 'fc.weight')?.parameter.grad.data;
    expect(grad?.some((value) => value !== 0)).toBe(true);
  });

  test('rejects a wrong input shape with both shapes in the message', () => {
    const model = bnCnn().build(1);
    expectError(() => model.forward(new Tensor([2, 1, 28, 27]), 'eval'), 'RangeError',
      'Model.forward: input has shape [2, 1, 28, 27], expected [N, 1, 28, 28]');
  });

  test('rejects one layer object used by two nodes', () => {
    const relu = new ReLU();
    expectError(() => Model.sequential([3], [new Dense({ units: 3 }), relu, new Dense({ units: 3 }), relu], ['fc1', 'a', 'fc2', 'b']),
      'RangeError', "Model: node 'b' reuses a layer object of an earlier node; create a new layer for each node");
  });

  test('forward rejects a bare array and an unknown mode', () => {
    const model = Model.sequential([3], [new Dense({ units: 2 })]).build(1);
    const forward = model.forward.bind(model) as (x: unknown, mode: unknown) => Tensor;
    expectError(() => forward(new Float32Array(6), 'eval'), 'TypeError',
      'Model.forward: x must be a Tensor (new Tensor(shape, data)), received Float32Array');
    expectError(() => forward(new Tensor([2, 3]), 'training'), 'RangeError', "Model.forward: mode must be 'train' or 'eval', received 'training'");
  });

  test('rejects a node that reads a later node', () => {
    expectError(
      () => new Model([3], [
        { name: 'a', layer: new Dense({ units: 2 }), inputs: ['b'] },
        { name: 'b', layer: new Dense({ units: 2 }), inputs: ['input'] },
      ]),
      'RangeError',
      "Model: node 'a' reads 'b', which is not the input or an earlier node",
    );
  });

  test('BatchNorm rejects one value per channel in training and names the layer', () => {
    const model = Model.sequential([5], [new Dense({ units: 3, useBias: false }), new BatchNorm()], ['fc', 'bn']).build(1);
    expectError(() => model.forward(new Tensor([1, 5]), 'train'), 'RangeError',
      /^BatchNorm 'bn': training needs more than one value per channel .* received input \[1, 3\]/);
    expect(() => model.forward(new Tensor([1, 5]), 'eval')).not.toThrow();
  });
});
