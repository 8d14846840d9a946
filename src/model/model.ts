import { Layer, LayerConfig, layerFromConfig } from '../layers';
import type { Mode, LayerBuffer } from '../layers/layer';
import { Random } from '../random/random';
import { Parameter, Shape, Tensor, TensorCache, formatShape, sizeOf } from '../tensor';

/** The model's input, as named in a node's `inputs`. */
export const MODEL_INPUT = 'input';

/** One layer in the graph and the names of the nodes (or `input`) whose outputs feed it. */
export interface GraphNode {
  name: string;
  layer: Layer;
  inputs: string[];
}

/** A model's architecture as JSON, stored in checkpoints. */
export interface ModelJSON {
  format: 'bntrain-model';
  version: 1;
  inputShape: number[];
  nodes: { name: string; inputs: string[]; layer: LayerConfig }[];
  output: string;
}

export interface NamedParameter {
  /** `node.param`, e.g. `conv1.weight`, as PyTorch's state_dict names it. */
  name: string;
  parameter: Parameter;
}

export interface NamedBuffer {
  name: string;
  value: Tensor;
}

/**
 * A directed acyclic graph of layers, listed in an order where every node comes after its
 * inputs. Forward runs the nodes in that order; backward runs them in reverse and sums the
 * gradients of an output that feeds several nodes. Every layer has one input for now.
 */
export class Model {
  readonly inputShape: Shape;
  readonly output: string;
  private readonly nodes: GraphNode[];
  private readonly consumers = new Map<string, number>();
  private readonly gradientSums = new Map<string, TensorCache>();
  private readonly outputs = new Map<string, Tensor>();
  private built = false;

  constructor(inputShape: Shape, nodes: GraphNode[], output?: string) {
    this.inputShape = [...inputShape];
    this.nodes = nodes;
    this.output = output ?? nodes[nodes.length - 1]?.name;
    this.checkGraph();
  }

  /** Chains layers one after another, naming nodes from `names` or `<kind><index>`. */
  static sequential(inputShape: Shape, layers: Layer[], names?: string[]): Model {
    let previous = MODEL_INPUT;
    const nodes = layers.map((layer, i) => {
      const name = names?.[i] ?? `${layer.kind.toLowerCase()}${i + 1}`;
      const node = { name, layer, inputs: [previous] };
      previous = name;
      return node;
    });
    return new Model(inputShape, nodes);
  }

  /** Rebuilds the architecture from toJSON() output; parameters are freshly initialized from `seed`. */
  static fromJSON(json: ModelJSON, seed = 0): Model {
    if (json?.format !== 'bntrain-model' || json.version !== 1) {
      throw new RangeError(`Model.fromJSON: expected format 'bntrain-model' version 1, received ${json?.format} version ${json?.version}`);
    }
    const nodes = json.nodes.map((node) => ({ name: node.name, inputs: [...node.inputs], layer: layerFromConfig(node.layer) }));
    return new Model(json.inputShape, nodes, json.output).build(seed);
  }

  /** Creates every layer's parameters, drawing initial weights from a generator seeded with `seed`. */
  build(seed: number | Random = 0): this {
    const random = typeof seed === 'number' ? new Random(seed) : seed;
    const shapes = new Map<string, Shape>([[MODEL_INPUT, this.inputShape]]);
    for (const node of this.nodes) {
      node.layer.name = node.name;
      shapes.set(node.name, node.layer.build(shapes.get(node.inputs[0]) as Shape, random));
    }
    this.built = true;
    return this;
  }

  get outputShape(): Shape {
    return this.node(this.output).layer.outputShape;
  }

  /** Runs the graph on a batch [N, ...inputShape] and returns the output node's tensor (owned by the layer). */
  forward(x: Tensor, mode: Mode): Tensor {
    this.requireBuilt();
    if (!(x instanceof Tensor)) {
      throw new TypeError(`Model.forward: x must be a Tensor (new Tensor(shape, data)), received ${describeValue(x)}`);
    }
    if (mode !== 'train' && mode !== 'eval') {
      throw new RangeError(`Model.forward: mode must be 'train' or 'eval', received ${describeValue(mode)}`);
    }
    const expected = this.inputShape;
    if (x.shape.length !== expected.length + 1 || expected.some((dim, i) => x.shape[i + 1] !== dim)) {
      throw new RangeError(`Model.forward: input has shape ${formatShape(x.shape)}, expected [N, ${expected.join(', ')}]`);
    }
    this.outputs.clear();
    this.outputs.set(MODEL_INPUT, x);
    for (const node of this.nodes) {
      this.outputs.set(node.name, node.layer.forward(this.outputs.get(node.inputs[0]) as Tensor, mode));
    }
    return this.outputs.get(this.output) as Tensor;
  }

  /**
   * Returns the output of node `name` (or the model's input for `input`) from the last forward(),
   * e.g. for an activation monitor. The tensor is owned by the layer and overwritten by the next
   * forward(); copy what you keep.
   */
  nodeOutput(name: string): Tensor {
    if (name !== MODEL_INPUT) this.node(name);
    const output = this.outputs.get(name);
    if (!output) throw new Error(`Model.nodeOutput: no forward() has run since the model was built`);
    return output;
  }

  /** Returns the per-example output shape of node `name`. */
  nodeShape(name: string): Shape {
    return name === MODEL_INPUT ? this.inputShape : this.node(name).layer.outputShape;
  }

  /**
   * Back-propagates the gradient of the loss with respect to the output of the last forward()
   * (which must have been in train mode), overwriting every parameter's gradient.
   */
  backward(outputGrad: Tensor): void {
    this.requireBuilt();
    const grads = new Map<string, Tensor>([[this.output, outputGrad]]);
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      const dy = grads.get(node.name);
      if (!dy) throw new Error(`Model.backward: node '${node.name}' does not reach the output '${this.output}'`);
      const source = node.inputs[0];
      const dx = node.layer.backward(dy, source !== MODEL_INPUT);
      if (dx) this.accumulate(grads, source, dx);
    }
  }

  parameters(): NamedParameter[] {
    return this.nodes.flatMap((node) => node.layer.parameters().map((parameter) => ({ name: `${node.name}.${parameter.name}`, parameter })));
  }

  buffers(): NamedBuffer[] {
    return this.nodes.flatMap((node) =>
      node.layer.buffers().map((buffer: LayerBuffer) => ({ name: `${node.name}.${buffer.name}`, value: buffer.value })),
    );
  }

  layers(): readonly GraphNode[] {
    return this.nodes;
  }

  parameterCount(): number {
    return this.parameters().reduce((count, { parameter }) => count + parameter.value.size, 0);
  }

  toJSON(): ModelJSON {
    return {
      format: 'bntrain-model',
      version: 1,
      inputShape: [...this.inputShape],
      nodes: this.nodes.map((node) => ({ name: node.name, inputs: [...node.inputs], layer: node.layer.config() })),
      output: this.output,
    };
  }

  /** Returns one line per node: name, kind, output shape and parameter count. */
  summary(): string[] {
    this.requireBuilt();
    return this.nodes.map((node) => {
      const params = node.layer.parameters().reduce((count, p) => count + sizeOf(p.value.shape), 0);
      return `${node.name.padEnd(10)} ${node.layer.kind.padEnd(10)} -> ${formatShape(node.layer.outputShape).padEnd(16)} ${params} parameters`;
    });
  }

  private accumulate(grads: Map<string, Tensor>, source: string, dx: Tensor): void {
    const existing = grads.get(source);
    if (!existing) {
      // A gradient owned by a layer is reused next step; copy it only if another consumer will add to it.
      if ((this.consumers.get(source) ?? 0) < 2) {
        grads.set(source, dx);
        return;
      }
      let cache = this.gradientSums.get(source);
      if (!cache) this.gradientSums.set(source, (cache = new TensorCache()));
      const sum = cache.get(dx.shape);
      sum.data.set(dx.data);
      grads.set(source, sum);
      return;
    }
    for (let i = 0; i < existing.data.length; i++) existing.data[i] += dx.data[i];
  }

  private node(name: string): GraphNode {
    const found = this.nodes.find((node) => node.name === name);
    if (!found) throw new RangeError(`Model: no node named '${name}'`);
    return found;
  }

  private checkGraph(): void {
    const seen = new Set<string>([MODEL_INPUT]);
    const layers = new Set<Layer>();
    for (const node of this.nodes) {
      // A layer keeps the inputs of its last forward() for backward(), so one instance cannot serve two nodes.
      if (layers.has(node.layer)) {
        throw new RangeError(`Model: node '${node.name}' reuses a layer object of an earlier node; create a new layer for each node`);
      }
      layers.add(node.layer);
      if (!node.name || seen.has(node.name)) {
        throw new RangeError(`Model: node names must be unique and not '${MODEL_INPUT}', received '${node.name}'`);
      }
      if (node.inputs.length !== 1) {
        throw new RangeError(`Model: node '${node.name}' has ${node.inputs.length} inputs; layers take exactly one`);
      }
      for (const input of node.inputs) {
        if (!seen.has(input)) {
          throw new RangeError(`Model: node '${node.name}' reads '${input}', which is not the input or an earlier node`);
        }
        this.consumers.set(input, (this.consumers.get(input) ?? 0) + 1);
      }
      seen.add(node.name);
    }
    if (!this.nodes.some((node) => node.name === this.output)) {
      throw new RangeError(`Model: output '${this.output}' is not a node`);
    }
  }

  private requireBuilt(): void {
    if (!this.built) throw new Error('Model: call build() before forward() or backward()');
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null || typeof value !== 'object') return String(value);
  return value.constructor?.name ?? 'object';
}
