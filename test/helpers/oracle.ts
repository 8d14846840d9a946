/**
 * Loads the PyTorch reference cases (computed in float64 by make_oracle.py beside them) from the
 * shared oracle folder next to the repository, and applies their pass rule.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface OracleTensor {
  shape: number[];
  data: Float64Array;
}

export interface OracleCase {
  case: string;
  op: string;
  note: string;
  tolerance: number;
  attrs: Record<string, unknown>;
  inputs: Record<string, OracleTensor>;
  outputs: Record<string, OracleTensor>;
}

/** The oracle folder: `shared/oracle` beside the repository root. */
export const oracleDir = path.resolve(__dirname, '..', '..', '..', 'shared', 'oracle');

interface RawTensor {
  shape: number[];
  data: number[];
}

function toTensors(raw: Record<string, RawTensor>): Record<string, OracleTensor> {
  const tensors: Record<string, OracleTensor> = {};
  for (const [name, tensor] of Object.entries(raw)) {
    tensors[name] = { shape: tensor.shape, data: Float64Array.from(tensor.data) };
  }
  return tensors;
}

/** Reads `<oracleDir>/<caseName>.json`. */
export function loadOracle(caseName: string): OracleCase {
  const raw = JSON.parse(fs.readFileSync(path.join(oracleDir, `${caseName}.json`), 'utf8'));
  return { ...raw, inputs: toTensors(raw.inputs), outputs: toTensors(raw.outputs) };
}

/**
 * Applies the oracle pass rule max |got − reference| ≤ tolerance · max(1, max |reference|), and
 * fails with the output's name, the worst index and both values.
 */
export function expectOracleClose(name: string, got: ArrayLike<number>, reference: ArrayLike<number>,
  tolerance: number): void {
  if (got.length !== reference.length) throw new Error(`${name}: length ${got.length}, expected ${reference.length}`);
  let scale = 1;
  for (let i = 0; i < reference.length; i++) scale = Math.max(scale, Math.abs(reference[i]));
  let worst = 0;
  let worstIndex = 0;
  for (let i = 0; i < reference.length; i++) {
    const difference = Math.abs(got[i] - reference[i]);
    if (Number.isNaN(difference) || difference > worst) {
      worst = Number.isNaN(difference) ? Infinity : difference;
      worstIndex = i;
    }
  }
  const bound = tolerance * scale;
  if (worst > bound) {
    throw new Error(`${name}: max |got − reference| = ${worst.toExponential(3)} exceeds ${tolerance} × ${scale} = ` +
      `${bound.toExponential(3)}; worst at index ${worstIndex}: got ${got[worstIndex]}, reference ${reference[worstIndex]}`);
  }
}
