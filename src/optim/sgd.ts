import type { NamedParameter } from '../model/model';
import { native } from '../native/loader';
import { Tensor } from '../tensor';

export interface SgdArgs {
  /** Step size. */
  learningRate: number;
  /** Velocity decay μ in v = μ·v + g; 0 gives plain SGD. Default 0. */
  momentum?: number;
  /** L2 penalty λ added to the gradient as λ·w. Default 0. */
  weightDecay?: number;
  /** Uses the Nesterov update w −= lr·(g + μ·v). Default false. */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent with momentum, in PyTorch's form:
 *   g ← g + λ·w;  v ← μ·v + g;  w ← w − lr·v   (v starts as g at the first step).
 * The velocities are optimizer state and are saved in checkpoints.
 */
export class Sgd {
  learningRate: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly velocities = new Map<string, Tensor>();
  private steps = 0;

  constructor(private readonly parameters: NamedParameter[], args: SgdArgs) {
    this.learningRate = args.learningRate;
    this.momentum = args.momentum ?? 0;
    this.weightDecay = args.weightDecay ?? 0;
    this.nesterov = args.nesterov ?? false;
    if (!(this.learningRate > 0) || !Number.isFinite(this.learningRate)) {
      throw new RangeError(`Sgd: learningRate must be a positive finite number, received ${args.learningRate}`);
    }
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new RangeError(`Sgd: momentum must be in [0, 1), received ${args.momentum}`);
    if (!(this.weightDecay >= 0)) throw new RangeError(`Sgd: weightDecay must be >= 0, received ${args.weightDecay}`);
    if (this.nesterov && this.momentum === 0) throw new RangeError('Sgd: nesterov needs a momentum above 0');
  }

  /** Number of updates applied so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** Applies one update to every parameter from its current gradient. */
  step(): void {
    const addon = native();
    for (const { name, parameter } of this.parameters) {
      const first = this.momentum !== 0 && !this.velocities.has(name);
      const velocity = this.momentum === 0 ? null : this.velocity(name, parameter.value);
      addon.sgdUpdate(parameter.value.data, parameter.grad.data, velocity, this.learningRate, this.momentum,
        this.weightDecay, this.nesterov, first);
    }
    this.steps++;
  }

  /** Returns the optimizer state: one velocity per parameter name (empty without momentum). */
  state(): { name: string; velocity: Tensor }[] {
    return [...this.velocities].map(([name, velocity]) => ({ name, velocity }));
  }

  /** Restores state() output and the step count, e.g. from a checkpoint. */
  loadState(velocities: { name: string; velocity: Tensor }[], steps: number): void {
    const known = new Map(this.parameters.map(({ name, parameter }) => [name, parameter.value.size]));
    for (const { name, velocity } of velocities) {
      const size = known.get(name);
      if (size === undefined) throw new RangeError(`Sgd.loadState: no parameter named '${name}'`);
      if (velocity.size !== size) {
        throw new RangeError(`Sgd.loadState: velocity of '${name}' has ${velocity.size} elements, the parameter has ${size}`);
      }
      this.velocities.set(name, velocity);
    }
    this.steps = steps;
  }

  private velocity(name: string, value: Tensor): Float32Array {
    let v = this.velocities.get(name);
    if (!v) this.velocities.set(name, (v = new Tensor(value.shape)));
    return v.data;
  }
}
