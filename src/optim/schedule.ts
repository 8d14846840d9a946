/**
 * A learning-rate schedule: the rate for step `step` (0-based) of a run of `totalSteps` steps,
 * given the base rate.
 */
export type LearningRateSchedule = (baseRate: number, step: number, totalSteps: number) => number;

export type ScheduleName = 'constant' | 'cosine';

export const scheduleNames: readonly ScheduleName[] = ['constant', 'cosine'];

/** The base rate at every step. */
export const constantSchedule: LearningRateSchedule = (baseRate) => baseRate;

/**
 * Cosine annealing without restarts (Loshchilov & Hutter, 2017): starts at the base rate and
 * falls as baseRate · (1 + cos(π · step / totalSteps)) / 2, reaching 0 after the last step.
 */
export const cosineSchedule: LearningRateSchedule = (baseRate, step, totalSteps) =>
  (baseRate * (1 + Math.cos((Math.PI * step) / totalSteps))) / 2;

export function scheduleByName(name: ScheduleName): LearningRateSchedule {
  switch (name) {
    case 'constant':
      return constantSchedule;
    case 'cosine':
      return cosineSchedule;
  }
}
