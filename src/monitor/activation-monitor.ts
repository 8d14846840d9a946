import type { Model } from '../model/model';
import { Tensor, formatShape, sizeOf } from '../tensor';
import { DistributionSummary, checkPercentile, summarize } from './percentiles';

/** One node to watch and the units of its output to summarize. */
export interface MonitorProbe {
  /** Name of the node whose OUTPUT is recorded, e.g. `bn3` (BN output = sigmoid input) or `fc3`. */
  node: string;
  /**
   * Indices along the node's first per-example axis: units of a [N, F] output, channels of a
   * [N, C, H, W] output (a channel's values are then pooled over N·H·W). Default [0].
   */
  units?: number[];
}

/** When to record: an explicit list of steps, or every `every` steps from step 0 on. */
export type MonitorSchedule = number[] | { every: number };

export interface ActivationMonitorOptions {
  probes: MonitorProbe[];
  /**
   * The fixed examples [count, ...model input shape] the model runs on at every recording, e.g. a
   * fixed batch of training images or the whole test set. The same examples every time, so that
   * changes in the summaries come from the model, not from sampling.
   */
  inputs: Tensor;
  /** Percentiles in [0, 100], reported in this order. Default [15, 50, 85], as in Ioffe & Szegedy's Figure 1. */
  percentiles?: number[];
  /** Default: every 1000 steps. */
  steps?: MonitorSchedule;
  /** Examples per forward pass while recording; changes memory use, never the values. Default 500. */
  batchSize?: number;
}

/** The summary of one unit at one step. */
export interface UnitRecord extends DistributionSummary {
  unit: number;
}

/** Summaries one probe recorded at one step. */
export interface MonitorRecord {
  step: number;
  node: string;
  units: UnitRecord[];
}

/**
 * Records percentiles of chosen units of chosen layers' outputs while a model trains: the tool
 * for watching the internal covariate shift that Ioffe & Szegedy's Figure 1 shows.
 *
 * Recording runs the model in eval mode on the fixed inputs, so it changes nothing in the model.
 * A train-mode pass would move BatchNorm's running averages and so alter the training run itself.
 * With BatchNorm the recorded values are therefore normalized with the population statistics, as
 * at inference. Call record(step) yourself, or recordIfDue(step) after every training step.
 */
export class ActivationMonitor {
  readonly percentiles: readonly number[];
  readonly records: MonitorRecord[] = [];
  private readonly probes: Required<MonitorProbe>[];
  private readonly inputs: Tensor;
  private readonly batchSize: number;
  private readonly schedule: MonitorSchedule;

  constructor(private readonly model: Model, options: ActivationMonitorOptions) {
    this.percentiles = (options.percentiles ?? [15, 50, 85]).map(checkPercentile);
    this.batchSize = options.batchSize ?? 500;
    this.schedule = options.steps ?? { every: 1000 };
    this.inputs = options.inputs;
    checkOptions(this.batchSize, this.schedule, this.inputs, model);
    if (options.probes.length === 0) throw new RangeError('ActivationMonitor: probes is empty; give at least one node to watch');
    this.probes = options.probes.map((probe) => checkProbe(model, probe));
  }

  /** Returns whether the schedule requests a recording after `step` training steps. */
  isDue(step: number): boolean {
    const schedule = this.schedule;
    return Array.isArray(schedule) ? schedule.includes(step) : step % schedule.every === 0;
  }

  /** Records when the schedule requests it, and returns the new records (empty otherwise). */
  recordIfDue(step: number): MonitorRecord[] {
    return this.isDue(step) ? this.record(step) : [];
  }

  /** Runs the model on the fixed inputs and appends one record per probe, labelled with `step`. */
  record(step: number): MonitorRecord[] {
    const values = this.probes.map((probe) => probe.units.map(() => new Float64Array(this.valuesPerUnit(probe.node))));
    const count = this.inputs.shape[0];
    const exampleShape = this.inputs.shape.slice(1);
    const exampleSize = sizeOf(exampleShape);

    for (let start = 0; start < count; start += this.batchSize) {
      const size = Math.min(this.batchSize, count - start);
      const batch = new Tensor([size, ...exampleShape], this.inputs.data.subarray(start * exampleSize, (start + size) * exampleSize));
      this.model.forward(batch, 'eval');
      this.probes.forEach((probe, p) => this.gather(probe, start, values[p]));
    }

    const added = this.probes.map((probe, p) => ({
      step,
      node: probe.node,
      units: probe.units.map((unit, u) => ({ unit, ...summarize(values[p][u], this.percentiles) })),
    }));
    this.records.push(...added);
    return added;
  }

  /** Returns the records of one node, in recording order. */
  recordsOf(node: string): MonitorRecord[] {
    return this.records.filter((record) => record.node === node);
  }

  // Values one unit contributes per recording: one per example, times H·W for a channel.
  private valuesPerUnit(node: string): number {
    const shape = this.model.nodeShape(node);
    return this.inputs.shape[0] * sizeOf(shape.slice(1));
  }

  // Copies the selected units of this batch's output into the per-unit arrays at offset `start`.
  private gather(probe: Required<MonitorProbe>, start: number, into: Float64Array[]): void {
    const output = this.model.nodeOutput(probe.node);
    const [N, C] = output.shape;
    const inner = sizeOf(output.shape.slice(2));
    probe.units.forEach((unit, u) => {
      const target = into[u];
      for (let n = 0; n < N; n++) {
        const from = (n * C + unit) * inner;
        const to = (start + n) * inner;
        for (let i = 0; i < inner; i++) target[to + i] = output.data[from + i];
      }
    });
  }
}

function checkOptions(batchSize: number, schedule: MonitorSchedule, inputs: Tensor, model: Model): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`ActivationMonitor: batchSize must be a positive integer, received ${batchSize}`);
  }
  if (Array.isArray(schedule)) {
    const bad = schedule.find((step) => !Number.isInteger(step) || step < 0);
    if (bad !== undefined) throw new RangeError(`ActivationMonitor: steps must be integers >= 0, received ${bad}`);
  } else if (!Number.isInteger(schedule.every) || schedule.every < 1) {
    throw new RangeError(`ActivationMonitor: steps.every must be a positive integer, received ${schedule.every}`);
  }
  const expected = model.inputShape;
  const matches = inputs.shape.length === expected.length + 1 && expected.every((dim, i) => inputs.shape[i + 1] === dim);
  if (!matches || inputs.shape[0] < 1) {
    throw new RangeError(`ActivationMonitor: inputs have shape ${formatShape(inputs.shape)}, expected [count >= 1, ${expected.join(', ')}]`);
  }
}

function checkProbe(model: Model, probe: MonitorProbe): Required<MonitorProbe> {
  const shape = model.nodeShape(probe.node);
  const units = probe.units ?? [0];
  if (units.length === 0) throw new RangeError(`ActivationMonitor: probe '${probe.node}' has no units`);
  for (const unit of units) {
    if (!Number.isInteger(unit) || unit < 0 || unit >= shape[0]) {
      throw new RangeError(
        `ActivationMonitor: unit ${unit} of '${probe.node}' is out of range; its output is [N, ${shape.join(', ')}], units are 0..${shape[0] - 1}`,
      );
    }
  }
  return { node: probe.node, units: [...units] };
}
