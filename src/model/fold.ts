import { BatchNorm, Conv2D, Dense, Layer } from '../layers';
import type { Parameter } from '../tensor';
import { GraphNode, Model, ModelJSON } from './model';

/**
 * Returns an inference model in which every BatchNorm that directly follows a Conv2D or Dense
 * (and is that layer's only consumer) is merged into it. With a = γ/√(Var + ε) per channel, the
 * BN of z = w·x + b is a·z + (β − a·E[x]), so the merged layer has
 *   w'[k, ...] = a[k]·w[k, ...]   and   b'[k] = a[k]·(b[k] − E[x][k]) + β[k].
 * The merged model matches the original in eval mode only; it is not meant for training. The
 * original model is not changed. Other layers keep their weights and statistics.
 */
export function foldBatchNorm(model: Model): Model {
  const nodes = model.layers();
  const consumers = new Map<string, GraphNode[]>();
  for (const node of nodes) {
    for (const input of node.inputs) consumers.set(input, [...(consumers.get(input) ?? []), node]);
  }

  // Map each foldable BN node to the Conv2D or Dense node it merges into.
  const foldedInto = new Map<string, GraphNode>();
  for (const node of nodes) {
    const next = consumers.get(node.name);
    const isLinear = node.layer instanceof Conv2D || node.layer instanceof Dense;
    if (isLinear && next?.length === 1 && next[0].layer instanceof BatchNorm && node.name !== model.output) {
      foldedInto.set(next[0].name, node);
    }
  }

  const rename = (name: string): string => foldedInto.get(name)?.name ?? name;
  const json: ModelJSON = model.toJSON();
  const linearNames = new Set([...foldedInto.values()].map((node) => node.name));
  json.nodes = json.nodes
    .filter((node) => !foldedInto.has(node.name))
    .map((node) => ({
      ...node,
      inputs: node.inputs.map(rename),
      layer: linearNames.has(node.name) ? { ...node.layer, useBias: true } : node.layer,
    }));
  json.output = rename(json.output);
  const folded = Model.fromJSON(json);

  for (const node of folded.layers()) {
    const original = nodes.find((candidate) => candidate.name === node.name) as GraphNode;
    const bn = [...foldedInto].find(([, linear]) => linear.name === node.name)?.[0];
    if (bn) mergeInto(node.layer, original.layer, nodes.find((candidate) => candidate.name === bn)?.layer as BatchNorm);
    else copyState(node.layer, original.layer);
  }
  return folded;
}

function copyState(target: Layer, source: Layer): void {
  target.parameters().forEach((parameter, i) => parameter.value.data.set(source.parameters()[i].value.data));
  target.buffers().forEach((buffer, i) => buffer.value.data.set(source.buffers()[i].value.data));
  if (target instanceof BatchNorm && source instanceof BatchNorm) target.numBatchesTracked = source.numBatchesTracked;
}

function mergeInto(target: Layer, linear: Layer, bn: BatchNorm): void {
  const byName = (parameters: Parameter[], name: string) => parameters.find((p) => p.name === name);
  const [runningMean, runningVar] = bn.buffers().map((buffer) => buffer.value.data);
  const gamma = byName(bn.parameters(), 'weight')?.value.data;
  const beta = byName(bn.parameters(), 'bias')?.value.data;
  const weight = byName(linear.parameters(), 'weight')?.value.data as Float32Array;
  const bias = byName(linear.parameters(), 'bias')?.value.data;
  const foldedWeight = byName(target.parameters(), 'weight')?.value.data as Float32Array;
  const foldedBias = byName(target.parameters(), 'bias')?.value.data as Float32Array;

  // Per output channel k: scale a = γ/√(Var + ε), computed in float64.
  const channels = runningMean.length;
  const perChannel = weight.length / channels;
  for (let k = 0; k < channels; k++) {
    const a = (gamma?.[k] ?? 1) / Math.sqrt(runningVar[k] + bn.epsilon);
    for (let i = 0; i < perChannel; i++) foldedWeight[k * perChannel + i] = a * weight[k * perChannel + i];
    foldedBias[k] = a * ((bias?.[k] ?? 0) - runningMean[k]) + (beta?.[k] ?? 0);
  }
}

