import * as fs from 'fs';
import * as path from 'path';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../plot/render';
import type { Measurement } from './mnist-mlp-run';

/** File names of the three panels of Figure 1, inside the output folder. */
export const PLOT_FILES = {
  accuracy: 'accuracy.svg',
  baselinePercentiles: 'percentiles-without-bn.svg',
  bnPercentiles: 'percentiles-with-bn.svg',
} as const;

const WIDTH = 420;
const HEIGHT = 260;

/** Builds panel (a): test accuracy against training steps for both networks. */
export function accuracySpec(bn: Measurement[], baseline: Measurement[]): TopLevelSpec {
  const values = [
    ...baseline.map((m) => ({ step: m.step, accuracy: m.testAccuracy, network: 'Without BN' })),
    ...bn.map((m) => ({ step: m.step, accuracy: m.testAccuracy, network: 'With BN' })),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: '(a) Test accuracy',
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    data: { values },
    // Ioffe & Szegedy's Figure 1(a) spans 0.7 to 1. Lower measurements (step 0) leave the frame, clipped at its edge.
    mark: { type: 'line', clip: true, point: { size: 18 } },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'Training steps' },
      y: { field: 'accuracy', type: 'quantitative', title: 'Test accuracy', scale: { domain: [0.7, 1] } },
      color: {
        field: 'network',
        type: 'nominal',
        title: null,
        scale: { domain: ['Without BN', 'With BN'], range: ['#d62728', '#1f77b4'] },
        legend: { orient: 'bottom-right' },
      },
    },
  };
}

/**
 * Builds panel (b) or (c): percentiles of one unit's sigmoid input (Ioffe & Szegedy plot the 15th,
 * 50th and 85th) against training steps, as lines over a band shaded from the lowest to the
 * highest. Both panels take the same y range, so their drift can be compared by eye.
 */
export function percentileSpec(
  title: string,
  measurements: Measurement[],
  percentiles: number[],
  yDomain: [number, number],
): TopLevelSpec {
  const last = percentiles.length - 1;
  const low = percentiles[0];
  const high = percentiles[last];
  const rows = measurements.map((m) => ({ step: m.step, low: m.percentiles[0], high: m.percentiles[last] }));
  const lines = measurements.flatMap((m) => m.percentiles.map((value, i) => ({ step: m.step, value, percentile: `${percentiles[i]}th` })));
  const x = { field: 'step', type: 'quantitative', title: 'Training steps' } as const;
  const y = { type: 'quantitative', title: 'Sigmoid input', scale: { domain: yDomain } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle: `Test set; shaded from the ${low}th to the ${high}th percentile` },
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    layer: [
      {
        data: { values: rows },
        mark: { type: 'area', opacity: 0.18, color: '#7f7f7f', clip: true },
        encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' } },
      },
      {
        data: { values: lines },
        mark: { type: 'line', clip: true },
        encoding: {
          x,
          y: { ...y, field: 'value' },
          color: { field: 'percentile', type: 'nominal', title: 'Percentile', sort: percentiles.map((p) => `${p}th`) },
        },
      },
    ],
  };
}

/** Returns a y range holding every percentile of both runs, padded by 5% on each side. */
export function sharedRange(runs: Measurement[][]): [number, number] {
  const values = runs.flatMap((run) => run.flatMap((m) => m.percentiles));
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = 0.05 * (max - min || 1);
  return [Math.floor((min - pad) * 100) / 100, Math.ceil((max + pad) * 100) / 100];
}

/** Writes the three panels of Figure 1 as SVG files into `folder`; returns their paths. */
export async function writePlots(folder: string, bn: Measurement[], baseline: Measurement[], percentiles: number[]): Promise<string[]> {
  const range = sharedRange([bn, baseline]);
  const specs: [string, TopLevelSpec][] = [
    [PLOT_FILES.accuracy, accuracySpec(bn, baseline)],
    [PLOT_FILES.baselinePercentiles, percentileSpec('(b) Without BN: last hidden layer, unit input', baseline, percentiles, range)],
    [PLOT_FILES.bnPercentiles, percentileSpec('(c) With BN: last hidden layer, unit input', bn, percentiles, range)],
  ];
  const files: string[] = [];
  for (const [name, spec] of specs) {
    const file = path.join(folder, name);
    fs.writeFileSync(file, await renderSvg(spec));
    files.push(file);
  }
  return files;
}
