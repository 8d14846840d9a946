/**
 * Returns the `p`-th percentile (p in [0, 100]) of values sorted in ascending order, interpolating
 * linearly between the two nearest ranks: rank = p/100 · (n − 1). This is NumPy's default
 * ('linear') method and torch.quantile's default, so figures compare with PyTorch runs.
 */
export function percentileOfSorted(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('percentileOfSorted: no values');
  checkPercentile(p);
  const rank = (p / 100) * (n - 1);
  const below = Math.floor(rank);
  const above = Math.min(below + 1, n - 1);
  const weight = rank - below;
  return sorted[below] + weight * (sorted[above] - sorted[below]);
}

/** Throws a RangeError unless `p` is a number in [0, 100]. */
export function checkPercentile(p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in [0, 100], received ${p}`);
  return p;
}

/** Summary of one unit's values: the requested percentiles (same order), mean and standard deviation. */
export interface DistributionSummary {
  percentiles: number[];
  mean: number;
  /** Population standard deviation (divides by n). */
  std: number;
}

/** Sorts `values` in place and summarizes them; accumulates in float64. */
export function summarize(values: Float64Array, percentiles: readonly number[]): DistributionSummary {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;

  values.sort();
  return {
    percentiles: percentiles.map((p) => percentileOfSorted(values, p)),
    mean,
    std: Math.sqrt(squares / values.length),
  };
}
