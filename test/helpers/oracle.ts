/**
 * Loads the PyTorch reference cases (JSON files written by make_oracle.py in float64) from the
 * `shared/oracle` folder beside the repository, and applies their pass rule.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface OracleTensor {
  shape: number[];
  data: Float64Array;
}

export interface OracleCase {
  name: string;
  op: string;
  tolerance: number;
  attrs: Record<string, unknown>;
  inputs: Record<string, OracleTensor>;
  outputs: Record<string, OracleTensor>;
}

const oracleFolder = path.resolve(__dirname, '..', '..', '..', 'shared', 'oracle');

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

/** Reads `<caseName>.json`; throws with the path when the file is missing. */
export function loadOracle(caseName: string): OracleCase {
  const file = path.join(oracleFolder, `${caseName}.json`);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  return {
    name: raw.case,
    op: raw.op,
    tolerance: raw.tolerance,
    attrs: raw.attrs,
    inputs: toTensors(raw.inputs),
    outputs: toTensors(raw.outputs),
  };
}

/**
 * Applies the oracle's pass rule: max |got − reference| ≤ tolerance × max(1, max |reference|).
 * Fails with the tensor's name, the worst index and both values.
 */
export function expectOracleClose(name: string, got: ArrayLike<number>, reference: OracleTensor, tolerance: number): void {
  const expected = reference.data;
  if (got.length !== expected.length) throw new Error(`${name}: length ${got.length}, expected ${expected.length}`);
  let scale = 1;
  for (const value of expected) scale = Math.max(scale, Math.abs(value));
  let worst = 0;
  let worstIndex = 0;
  for (let i = 0; i < expected.length; i++) {
    const difference = Math.abs(got[i] - expected[i]);
    if (!(difference <= worst)) {
      worst = difference;
      worstIndex = i;
    }
  }
  const bound = tolerance * scale;
  if (worst <= bound) return;
  throw new Error(
    `${name}: max |got - reference| = ${worst.toExponential(3)} exceeds ${bound.toExponential(3)} ` +
      `(tolerance ${tolerance} x scale ${scale}) at index ${worstIndex}: got ${got[worstIndex]}, ` +
      `reference ${expected[worstIndex]}`,
  );
}
