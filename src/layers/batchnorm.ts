import { batchNormBackward, batchNormForwardInference, batchNormForwardTrain } from '../kernels/batchnorm';
import type { Random } from '../random/random';
import { Parameter, Shape, Tensor, TensorCache, createParameter, formatShape } from '../tensor';
import { checkGradShape } from './dense';
import { Layer, LayerBuffer, LayerConfig } from './layer';

export interface BatchNormArgs {
  /** Added to the variance inside the square root. Default 1e-5. */
  epsilon?: number;
  /**
   * Weight of the newest batch in the running averages (PyTorch's convention, not Keras's):
   * running = (1 − momentum)·running + momentum·batch. Default 0.1.
   */
  momentum?: number;
  /** Learns the scale γ (init 1) and shift β (init 0). Default true. */
  affine?: boolean;
  /**
   * Checks every input for NaN and ±Infinity and throws a RangeError naming the layer and the
   * first bad element. Costs one extra pass over the input. Default false.
   */
  checkFinite?: boolean;
}

/** Sums of per-batch statistics for population estimates (Ioffe & Szegedy 2015, Algorithm 2). */
interface PopulationSums {
  batches: number;
  /** Values per channel in each batch; every batch must have the same m. */
  m: number;
  meanSum: Float64Array;
  varianceSum: Float64Array;
}

/**
 * Batch Normalization (Ioffe & Szegedy, 2015, Algorithm 1).
 *
 * Input [N, F] normalizes each activation over the batch (per-activation, after Dense); input
 * [N, C, H, W] normalizes each channel over N·H·W values (per-channel, after Conv2D), so the
 * effective mini-batch is m = N·H·W.
 *
 * Training: y = γ·(x − μ_B)/√(σ²_B + ε) + β with the batch mean μ_B and the biased batch variance
 * σ²_B; the running mean and variance are then updated, the variance with the unbiased estimate
 * m/(m − 1)·σ²_B, as PyTorch does. Evaluation normalizes with the running statistics and changes
 * nothing.
 */
export class BatchNorm extends Layer {
  readonly kind = 'BatchNorm';
  readonly epsilon: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly checkFinite: boolean;
  private population: PopulationSums | undefined;
  private gamma: Parameter | undefined;
  private beta: Parameter | undefined;
  private runningMean!: Tensor;
  private runningVar!: Tensor;
  private batchesTracked = 0;
  private batchMean!: Float32Array;
  private batchVar!: Float32Array;
  private input: Tensor | undefined;
  private readonly output = new TensorCache();
  private readonly inputGrad = new TensorCache();

  constructor(args: BatchNormArgs = {}) {
    super();
    this.epsilon = args.epsilon ?? 1e-5;
    this.momentum = args.momentum ?? 0.1;
    this.affine = args.affine ?? true;
    this.checkFinite = args.checkFinite ?? false;
    if (!(this.epsilon > 0) || !Number.isFinite(this.epsilon)) {
      throw new RangeError(`BatchNorm: epsilon must be a positive finite number, received ${args.epsilon}`);
    }
    if (!(this.momentum >= 0 && this.momentum <= 1)) {
      throw new RangeError(`BatchNorm: momentum must be in [0, 1], received ${args.momentum}`);
    }
  }

  /** Number of training batches that updated the running statistics (PyTorch's num_batches_tracked). */
  get numBatchesTracked(): number {
    return this.batchesTracked;
  }

  set numBatchesTracked(count: number) {
    this.batchesTracked = count;
  }

  protected initialize(inputShape: Shape, _random: Random): Shape {
    if (inputShape.length !== 1 && inputShape.length !== 3) {
      throw new RangeError(
        `${this.describe()}: input must be [N, features] or [N, C, H, W], received [N, ${inputShape.join(', ')}]`,
      );
    }
    const channels = inputShape[0];
    if (this.affine) {
      this.gamma = createParameter('weight', [channels]);
      this.gamma.value.data.fill(1);
      this.beta = createParameter('bias', [channels]);
    }
    this.runningMean = new Tensor([channels]);
    this.runningVar = new Tensor([channels]);
    this.runningVar.data.fill(1);
    this.batchMean = new Float32Array(channels);
    this.batchVar = new Float32Array(channels);
    return inputShape;
  }

  /**
   * Starts Algorithm 2 of Ioffe & Szegedy (2015): until endPopulationStatistics(), every
   * train-mode forward adds its batch mean and biased batch variance to running sums instead of
   * updating the running averages.
   */
  beginPopulationStatistics(): void {
    const channels = this.inputShape[0];
    this.population = { batches: 0, m: 0, meanSum: new Float64Array(channels), varianceSum: new Float64Array(channels) };
  }

  /**
   * Ends Algorithm 2 and replaces the running statistics with the population estimates
   * E[x] = mean of the batch means and Var[x] = m/(m − 1) · mean of the biased batch variances.
   * Returns the number of batches seen; throws if there were none.
   */
  endPopulationStatistics(): number {
    const population = this.population;
    this.population = undefined;
    if (!population || population.batches === 0) {
      throw new Error(`${this.describe()}: endPopulationStatistics() needs at least one train-mode forward after beginPopulationStatistics()`);
    }
    const { batches, m } = population;
    for (let c = 0; c < population.meanSum.length; c++) {
      this.runningMean.data[c] = population.meanSum[c] / batches;
      this.runningVar.data[c] = ((m / (m - 1)) * population.varianceSum[c]) / batches;
    }
    return batches;
  }

  /** Abandons a beginPopulationStatistics() pass, keeping the running statistics as they were. */
  cancelPopulationStatistics(): void {
    this.population = undefined;
  }

  forward(x: Tensor, mode: string): Tensor {
    const N = this.checkInput(x);
    if (this.checkFinite) this.requireFinite(x);
    const { C, HW } = this.layout();
    const y = this.output.get(x.shape);
    const gamma = this.gamma?.value.data ?? null;
    const beta = this.beta?.value.data ?? null;

    if (mode !== 'train') {
      batchNormForwardInference({ N, C, HW }, x.data, this.runningMean.data, this.runningVar.data, gamma, beta, y.data, this.epsilon);
      return y;
    }

    const m = N * HW;
    if (m < 2) {
      throw new RangeError(
        `${this.describe()}: training needs more than one value per channel to estimate a variance, ` +
          `received input ${formatShape(x.shape)} (${m} value per channel); use a batch of at least 2 or eval mode`,
      );
    }
    batchNormForwardTrain({ N, C, HW }, x.data, gamma, beta, y.data, this.batchMean, this.batchVar, this.epsilon);
    if (this.population) this.addPopulationBatch(m);
    else this.updateRunningStatistics(m);
    this.input = x;
    return y;
  }

  backward(dy: Tensor, needInputGrad: boolean): Tensor | null {
    const x = this.input;
    if (!x) throw new Error(`${this.describe()}: backward() needs a forward() in train mode first`);
    checkGradShape(this, dy, x.shape);
    const { C, HW } = this.layout();
    const dx = needInputGrad ? this.inputGrad.get(x.shape) : null;
    batchNormBackward({ N: x.shape[0], C, HW }, x.data, dy.data, this.batchMean, this.batchVar, this.gamma?.value.data ?? null, {
      dx: dx?.data ?? null,
      dgamma: this.gamma?.grad.data ?? null,
      dbeta: this.beta?.grad.data ?? null,
    }, this.epsilon);
    return dx;
  }

  override parameters(): Parameter[] {
    return this.gamma && this.beta ? [this.gamma, this.beta] : [];
  }

  override buffers(): LayerBuffer[] {
    return [
      { name: 'running_mean', value: this.runningMean },
      { name: 'running_var', value: this.runningVar },
    ];
  }

  config(): LayerConfig {
    return { kind: this.kind, epsilon: this.epsilon, momentum: this.momentum, affine: this.affine, checkFinite: this.checkFinite };
  }

  private requireFinite(x: Tensor): void {
    const data = x.data;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw new RangeError(`${this.describe()}: input element ${i} of ${formatShape(x.shape)} is ${data[i]}; inputs must be finite`);
      }
    }
  }

  private addPopulationBatch(m: number): void {
    const population = this.population as PopulationSums;
    if (population.batches > 0 && population.m !== m) {
      throw new RangeError(
        `${this.describe()}: population statistics need batches of equal size, received ${m} values per channel after ${population.m}`,
      );
    }
    population.m = m;
    population.batches++;
    for (let c = 0; c < population.meanSum.length; c++) {
      population.meanSum[c] += this.batchMean[c];
      population.varianceSum[c] += this.batchVar[c];
    }
  }

  private layout(): { C: number; HW: number } {
    const shape = this.inputShape;
    return { C: shape[0], HW: shape.length === 3 ? shape[1] * shape[2] : 1 };
  }

  // Running averages in float64 arithmetic, stored as float32 like every other tensor.
  private updateRunningStatistics(m: number): void {
    const unbiased = m / (m - 1);
    const momentum = this.momentum;
    const mean = this.runningMean.data;
    const variance = this.runningVar.data;
    for (let c = 0; c < mean.length; c++) {
      mean[c] = (1 - momentum) * mean[c] + momentum * this.batchMean[c];
      variance[c] = (1 - momentum) * variance[c] + momentum * unbiased * this.batchVar[c];
    }
    this.batchesTracked++;
  }
}
