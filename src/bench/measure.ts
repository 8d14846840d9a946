/**
 * Timing method of the benchmark workloads: at least `warmup` untimed steps, then `windows`
 * timed windows of at least `windowSeconds` each. The figure is the median window rate.
 */
export interface MeasureOptions {
  warmup: number;
  windows: number;
  windowSeconds: number;
}

export interface Measurement {
  /** Median over the windows, in items per second. */
  median: number;
  min: number;
  max: number;
  windows: number[];
}

export const defaultMeasureOptions: MeasureOptions = { warmup: 20, windows: 5, windowSeconds: 2 };

/** Runs `step` (which processes `itemsPerStep` items) under the timing method and returns item rates. */
export function measureRate(step: () => void, itemsPerStep: number, options: MeasureOptions = defaultMeasureOptions): Measurement {
  for (let i = 0; i < options.warmup; i++) step();
  const rates: number[] = [];
  for (let w = 0; w < options.windows; w++) {
    const started = performance.now();
    let steps = 0;
    let elapsed = 0;
    do {
      step();
      steps++;
      elapsed = (performance.now() - started) / 1000;
    } while (elapsed < options.windowSeconds);
    rates.push((steps * itemsPerStep) / elapsed);
  }
  const sorted = [...rates].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1], windows: rates };
}
