import type { Measurement } from './mnist-mlp-run';

/** The acceptance bar of the reproduction: BN's test accuracy after the full 50,000 steps. */
export const TARGET_BN_ACCURACY = 0.97;

/** BN must lead the baseline at every measurement from this step on. */
export const LEAD_FROM_STEP = 5000;

/** The median's spread is taken over the measurements from this step on (step 0 is the untrained net). */
export const SPREAD_FROM_STEP = 1000;

/** Steps between rows of the accuracy table, the tick interval of Ioffe & Szegedy's Figure 1(a). */
export const TABLE_EVERY = 10000;

/** Max − min of the watched unit's median sigmoid input over the measurements from SPREAD_FROM_STEP on. */
export function medianSpread(measurements: Measurement[], medianIndex: number): number {
  const medians = measurements.filter((m) => m.step >= SPREAD_FROM_STEP).map((m) => m.percentiles[medianIndex]);
  if (medians.length === 0) return 0;
  return Math.max(...medians) - Math.min(...medians);
}

/** Comparison of a pair of runs (with and without BN) in the terms of the reproduction's acceptance bars. */
export interface Comparison {
  /** Test accuracy of both networks at every TABLE_EVERY steps (or at the last step of a shorter run). */
  accuracyTable: { step: number; bn: number; baseline: number }[];
  finalAccuracy: { bn: number; baseline: number };
  /** ratio = bn / baseline; null when the baseline's median never moved (a run too short to measure it). */
  medianSpread: { bn: number; baseline: number; ratio: number | null };
  checks: {
    /** BN's accuracy at the last step is at least TARGET_BN_ACCURACY (meaningful for 50,000 steps). */
    bnFinalAtLeastTarget: boolean;
    /** BN's accuracy is strictly above the baseline's at every measurement from LEAD_FROM_STEP on. */
    bnAheadFromLeadStep: boolean;
    /** Steps from LEAD_FROM_STEP on where BN is not ahead (empty when bnAheadFromLeadStep). */
    stepsBnNotAhead: number[];
    /** BN's median spread is smaller than the baseline's. */
    bnSpreadSmaller: boolean;
  };
}

/** Compares the measurements of the BN run and the baseline run, taken at the same steps. */
export function compareRuns(bn: Measurement[], baseline: Measurement[], medianIndex: number): Comparison {
  if (bn.length !== baseline.length || bn.some((m, i) => m.step !== baseline[i].step)) {
    throw new RangeError('compareRuns: the two runs were not measured at the same steps');
  }
  const last = bn.length - 1;
  const tableRows = bn.map((m, i) => ({ step: m.step, bn: m.testAccuracy, baseline: baseline[i].testAccuracy }));
  const table = tableRows.filter((row) => row.step > 0 && row.step % TABLE_EVERY === 0);
  const spread = { bn: medianSpread(bn, medianIndex), baseline: medianSpread(baseline, medianIndex) };
  const ratio = spread.baseline > 0 ? spread.bn / spread.baseline : null;
  const notAhead = tableRows.filter((row) => row.step >= LEAD_FROM_STEP && !(row.bn > row.baseline)).map((row) => row.step);

  return {
    accuracyTable: table.length > 0 ? table : [tableRows[last]],
    finalAccuracy: { bn: bn[last].testAccuracy, baseline: baseline[last].testAccuracy },
    medianSpread: { ...spread, ratio },
    checks: {
      bnFinalAtLeastTarget: bn[last].testAccuracy >= TARGET_BN_ACCURACY,
      bnAheadFromLeadStep: notAhead.length === 0,
      stepsBnNotAhead: notAhead,
      bnSpreadSmaller: spread.bn < spread.baseline,
    },
  };
}
