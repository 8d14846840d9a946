import type { MlpData } from './mnist-mlp-data';
import { NetworkRun, NetworkRunSettings, runNetwork } from './mnist-mlp-run';
import { medianSpread } from './mnist-mlp-summary';

/** Final state of one network at one grid point. */
export interface SweepOutcome {
  /** Test accuracy after the last step; null when training diverged. */
  finalAccuracy: number | null;
  /** Max − min of the watched unit's median sigmoid input from step 1000 on; null when training diverged. */
  medianSpread: number | null;
  /** Reason the run stopped early, e.g. a loss that became NaN. */
  error?: string;
}

/** Both networks at one (learning rate, initialization) grid point. */
export interface SweepEntry {
  learningRate: number;
  initStd: number;
  withBn: SweepOutcome;
  withoutBn: SweepOutcome;
  /** medianSpread with BN divided by medianSpread without; null when either run diverged or the baseline's is 0. */
  medianSpreadRatio: number | null;
  /** Whether BN's final accuracy is above the baseline's; null when either run diverged. */
  bnAhead: boolean | null;
}

export interface SweepPlan {
  rates: number[];
  stds: number[];
  settingsOf: (batchNorm: boolean, learningRate: number, initStd: number) => NetworkRunSettings;
  /** The main runs, reused at their grid point instead of training them again. */
  known: { learningRate: number; initStd: number; withBn: NetworkRun; withoutBn: NetworkRun };
}

// Index of the 50th percentile in the experiment's [15, 50, 85].
const MEDIAN = 1;

/**
 * Trains both networks at every (initialization std, learning rate) pair with the main run's
 * other settings, so that a reader can see whether BN's lead depends on one learning rate.
 */
export async function runSweep(data: MlpData, plan: SweepPlan, write: (line: string) => void): Promise<SweepEntry[]> {
  const entries: SweepEntry[] = [];
  for (const initStd of plan.stds) {
    for (const learningRate of plan.rates) {
      const isKnown = learningRate === plan.known.learningRate && initStd === plan.known.initStd;
      const withBn = isKnown ? outcomeOf(plan.known.withBn) : await tryRun(data, plan.settingsOf(true, learningRate, initStd));
      const withoutBn = isKnown ? outcomeOf(plan.known.withoutBn) : await tryRun(data, plan.settingsOf(false, learningRate, initStd));
      const entry = combine(learningRate, initStd, withBn, withoutBn);
      entries.push(entry);
      write(describeEntry(entry));
    }
  }
  return entries;
}

function combine(learningRate: number, initStd: number, withBn: SweepOutcome, withoutBn: SweepOutcome): SweepEntry {
  const complete = withBn.finalAccuracy !== null && withoutBn.finalAccuracy !== null;
  const baselineSpread = withoutBn.medianSpread ?? 0;
  return {
    learningRate,
    initStd,
    withBn,
    withoutBn,
    medianSpreadRatio: complete && baselineSpread > 0 ? (withBn.medianSpread as number) / baselineSpread : null,
    bnAhead: complete ? (withBn.finalAccuracy as number) > (withoutBn.finalAccuracy as number) : null,
  };
}

async function tryRun(data: MlpData, settings: NetworkRunSettings): Promise<SweepOutcome> {
  try {
    return outcomeOf(await runNetwork(data, settings));
  } catch (error) {
    return { finalAccuracy: null, medianSpread: null, error: (error as Error).message };
  }
}

function outcomeOf(run: NetworkRun): SweepOutcome {
  const last = run.measurements[run.measurements.length - 1];
  return { finalAccuracy: last.testAccuracy, medianSpread: medianSpread(run.measurements, MEDIAN) };
}

function describeEntry(entry: SweepEntry): string {
  const accuracy = (outcome: SweepOutcome): string =>
    outcome.finalAccuracy === null ? `diverged (${outcome.error})` : `${(outcome.finalAccuracy * 100).toFixed(2)}%`;
  const ratio = entry.medianSpreadRatio === null ? 'n/a' : entry.medianSpreadRatio.toFixed(3);
  return `sweep lr ${entry.learningRate}, std ${entry.initStd}: with BN ${accuracy(entry.withBn)}, ` +
    `without ${accuracy(entry.withoutBn)}, median spread ratio ${ratio}`;
}
