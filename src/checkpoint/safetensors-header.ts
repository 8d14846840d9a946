/**
 * Validation of a safetensors header, the JSON object between the 8-byte length and the data.
 *
 * Format (https://github.com/huggingface/safetensors, README "Format"): each key except
 * `__metadata__` names a tensor and maps to { dtype, shape, data_offsets: [begin, end] }, with
 * offsets in bytes relative to the start of the data section. The tensors must cover the data
 * section completely, without overlaps or gaps. `__metadata__` is an optional string→string map.
 */

export type SafetensorsDtype = 'F32' | 'F64' | 'I32' | 'I64' | 'U8';

/** Bytes per element of each supported dtype. */
export const DTYPE_SIZES: Readonly<Record<SafetensorsDtype, number>> = { F64: 8, I64: 8, F32: 4, I32: 4, U8: 1 };

const SUPPORTED_DTYPES = 'F32, F64, I32, I64 or U8';

/** One tensor entry of a header, checked. */
export interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

export interface ParsedHeader {
  entries: HeaderEntry[];
  metadata: Record<string, string>;
}

/**
 * Checks a parsed header object against a data section of `dataLength` bytes.
 * Throws an Error prefixed with `file` that names the offending field or tensor.
 */
export function validateHeader(json: unknown, dataLength: number, file: string): ParsedHeader {
  if (!isPlainObject(json)) {
    throw new Error(`${file}: header is ${describeJson(json)}, expected a JSON object`);
  }

  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') metadata = validateMetadata(value, file);
    else entries.push(validateEntry(name, value, dataLength, file));
  }

  checkCoverage(entries, dataLength, file);
  return { entries, metadata };
}

function validateMetadata(value: unknown, file: string): Record<string, string> {
  if (!isPlainObject(value)) {
    throw new Error(`${file}: __metadata__ is ${describeJson(value)}, expected an object of strings`);
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      throw new Error(`${file}: __metadata__.${key} is ${describeJson(item)}, expected a string`);
    }
  }
  return value as Record<string, string>;
}

function validateEntry(name: string, value: unknown, dataLength: number, file: string): HeaderEntry {
  const where = `${file}: tensor '${name}'`;
  if (!isPlainObject(value)) {
    throw new Error(`${where} is ${describeJson(value)}, expected an object with dtype, shape and data_offsets`);
  }

  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_SIZES, dtype)) {
    throw new Error(`${where}: dtype ${show(dtype)} is not supported (expected ${SUPPORTED_DTYPES})`);
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    throw new Error(`${where}: shape ${show(shape)} is not an array of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
    throw new Error(`${where}: data_offsets ${show(offsets)} is not a pair of non-negative integers`);
  }

  const [begin, end] = offsets as number[];
  if (begin > end) {
    throw new Error(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  }
  if (end > dataLength) {
    throw new Error(`${where}: data_offsets [${begin}, ${end}] run past the data section (${dataLength} bytes)`);
  }

  const size = DTYPE_SIZES[dtype as SafetensorsDtype];
  const needed = shape.reduce((product: bigint, extent: number) => product * BigInt(extent), BigInt(size));
  if (BigInt(end - begin) !== needed) {
    throw new Error(
      `${where}: data_offsets [${begin}, ${end}] span ${end - begin} bytes ` +
        `but shape [${shape.join(', ')}] of ${dtype} needs ${needed}`,
    );
  }

  return { name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end };
}

/** Checks that the entries, sorted by offset, tile [0, dataLength) exactly. */
function checkCoverage(entries: readonly HeaderEntry[], dataLength: number, file: string): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);

  let covered = 0;
  let previous: HeaderEntry | undefined;
  for (const entry of sorted) {
    if (entry.begin < covered && previous !== undefined) {
      throw new Error(
        `${file}: tensors '${previous.name}' [${previous.begin}, ${previous.end}] ` +
          `and '${entry.name}' [${entry.begin}, ${entry.end}] overlap`,
      );
    }
    if (entry.begin > covered) {
      const before = previous === undefined ? 'the start of the data section' : `tensor '${previous.name}'`;
      throw new Error(
        `${file}: data bytes [${covered}, ${entry.begin}) between ${before} and tensor '${entry.name}' belong to no tensor`,
      );
    }
    covered = entry.end;
    previous = entry;
  }

  if (covered !== dataLength) {
    throw new Error(
      `${file}: data section contains ${dataLength} bytes but the tensors cover only the first ${covered}, so ` +
        `bytes [${covered}, ${dataLength}) belong to no tensor`,
    );
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Formats a header field for a message; a missing field prints as "(missing)". */
function show(value: unknown): string {
  return value === undefined ? '(missing)' : JSON.stringify(value);
}
