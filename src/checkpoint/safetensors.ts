/**
 * Reading and writing the safetensors format (https://github.com/huggingface/safetensors):
 *
 *   8 bytes   N, the header length, unsigned 64-bit little-endian
 *   N bytes   UTF-8 JSON header, padded with spaces so that 8 + N is a multiple of 8
 *   rest      the data section: every tensor's elements, little-endian, row-major, back to back
 *
 * Files written here always carry `__metadata__.sha256`, the hex SHA-256 of the data section, and
 * reading verifies it when present, so a flipped data byte is reported instead of loaded.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import { writeFileAtomic } from './atomic-write';
import { DTYPE_SIZES, HeaderEntry, SafetensorsDtype, validateHeader } from './safetensors-header';

export type { SafetensorsDtype } from './safetensors-header';

/** Element storage of each dtype: F32 Float32Array, F64 Float64Array, I32 Int32Array, I64 BigInt64Array, U8 Uint8Array. */
export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** A tensor to write; its dtype follows from the class of `data`. */
export interface TensorInput {
  /** Sizes, outermost first; [] for a scalar (one element). */
  shape: readonly number[];
  /** product(shape) elements in row-major order. */
  data: TensorData;
}

/** A tensor read from a file. `data` is a fresh, aligned copy that owns its buffer. */
export interface Tensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: TensorData;
}

export interface SafetensorsContents {
  /** Tensors in the order of their data offsets. */
  tensors: Map<string, Tensor>;
  /** The `__metadata__` map, including `sha256` when the file has one; {} when absent. */
  metadata: Record<string, string>;
}

/**
 * Header sizes above this are rejected before parsing. The reference Rust implementation uses the
 * same limit (100 MB); a CNN checkpoint header is a few kilobytes.
 */
const MAX_HEADER_LENGTH = 100_000_000;

const ARRAY_TYPES = {
  F32: Float32Array,
  F64: Float64Array,
  I32: Int32Array,
  I64: BigInt64Array,
  U8: Uint8Array,
} as const;

/**
 * Writes `tensors` to `file` atomically: a failure, including an invalid tensor, leaves a
 * previous `file` untouched and no temporary file behind.
 * `metadata.sha256` is always set to the hash of the data section; a given value is replaced.
 */
export function writeSafetensors(
  file: string,
  tensors: ReadonlyMap<string, TensorInput> | Readonly<Record<string, TensorInput>>,
  metadata: Readonly<Record<string, string>> = {},
): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata, file));
}

/** Reads and verifies a safetensors file; see {@link decodeSafetensors} for the checks. */
export function readSafetensors(file: string): SafetensorsContents {
  return decodeSafetensors(fs.readFileSync(file), file);
}

/**
 * Encodes tensors into the byte chunks of a safetensors file: length, padded header, data.
 * Tensors are laid out by element size, widest first, then by name. Every tensor then starts
 * at a multiple of its element size, so a reader that maps the file can view it without copying.
 * `file` only names the target in error messages.
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, TensorInput> | Readonly<Record<string, TensorInput>>,
  metadata: Readonly<Record<string, string>> = {},
  file = 'encodeSafetensors',
): Uint8Array[] {
  checkHostEndianness(file);
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const layout = entries.map(([name, tensor]) => checkTensorInput(name, tensor, file));
  layout.sort((a, b) => DTYPE_SIZES[b.dtype] - DTYPE_SIZES[a.dtype] || compareNames(a.name, b.name));

  // A null prototype keeps a tensor named "__proto__" an ordinary key.
  const header: Record<string, unknown> = Object.create(null);
  const data: Uint8Array[] = [];
  const hash = createHash('sha256');
  let offset = 0;
  for (const { name, dtype, shape, bytes } of layout) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    data.push(bytes);
    hash.update(bytes);
    offset += bytes.length;
  }

  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new TypeError(`${file}: metadata.${key} is a ${typeof value}, expected a string`);
    }
  }
  const withMetadata = { __metadata__: { ...metadata, sha256: hash.digest('hex') }, ...header };
  return [...encodeHeader(withMetadata), ...data];
}

/**
 * Parses and verifies the bytes of a safetensors file. The header length must lie within the
 * file, and the header must be valid UTF-8 JSON with known dtypes and non-negative integer shapes.
 * Offsets must match the shapes and tile the data section without overlaps or gaps, metadata
 * values must be strings, and the data must match `__metadata__.sha256` when present.
 * Throws an Error prefixed with `file` that names the field or tensor.
 */
export function decodeSafetensors(bytes: Uint8Array, file = 'decodeSafetensors'): SafetensorsContents {
  checkHostEndianness(file);
  if (bytes.length < 8) {
    throw new Error(`${file}: file size ${bytes.length} bytes is too small for the 8-byte header length`);
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  const available = bytes.length - 8;
  if (headerLength > BigInt(available)) {
    throw new Error(`${file}: header length ${headerLength} runs past the end of the file (${available} bytes follow it)`);
  }
  if (headerLength > BigInt(MAX_HEADER_LENGTH)) {
    throw new Error(`${file}: header length ${headerLength} exceeds the limit of ${MAX_HEADER_LENGTH} bytes`);
  }

  const dataStart = 8 + Number(headerLength);
  const json = parseHeaderJson(bytes.subarray(8, dataStart), file);
  const dataSection = bytes.subarray(dataStart);
  const { entries, metadata } = validateHeader(json, dataSection.length, file);

  if (metadata.sha256 !== undefined) checkSha256(dataSection, metadata.sha256, file);

  entries.sort((a, b) => a.begin - b.begin);
  const tensors = new Map<string, Tensor>();
  for (const entry of entries) tensors.set(entry.name, copyTensor(entry, dataSection));
  return { tensors, metadata };
}

interface TensorLayout {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  bytes: Uint8Array;
}

function checkTensorInput(name: string, tensor: TensorInput, file: string): TensorLayout {
  const where = `${file}: tensor '${name}'`;
  if (name === '__metadata__') {
    throw new RangeError(`${file}: the tensor name __metadata__ is reserved for the metadata map`);
  }

  const dtype = dtypeOf(tensor.data);
  if (dtype === undefined) {
    throw new TypeError(
      `${where}: data is a ${tensor.data?.constructor?.name ?? typeof tensor.data}, ` +
        'expected Float32Array, Float64Array, Int32Array, BigInt64Array or Uint8Array',
    );
  }

  const shape = [...tensor.shape];
  if (!shape.every((extent) => Number.isSafeInteger(extent) && extent >= 0)) {
    throw new RangeError(`${where}: shape [${shape.join(', ')}] is not an array of non-negative integers`);
  }
  const elements = shape.reduce((product, extent) => product * extent, 1);
  if (tensor.data.length !== elements) {
    throw new RangeError(
      `${where}: data has ${tensor.data.length} elements but shape [${shape.join(', ')}] needs ${elements}`,
    );
  }

  const { data } = tensor;
  return { name, dtype, shape, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function dtypeOf(data: unknown): SafetensorsDtype | undefined {
  // Buffer is a Uint8Array subclass, so it is accepted as U8.
  for (const [dtype, ArrayType] of Object.entries(ARRAY_TYPES)) {
    if (data instanceof ArrayType) return dtype as SafetensorsDtype;
  }
  return undefined;
}

/** Encodes the header object as [length, JSON padded with spaces to a multiple of 8]. */
function encodeHeader(header: Record<string, unknown>): Uint8Array[] {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  const headerBytes = Buffer.alloc(padded, 0x20);
  json.copy(headerBytes);

  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(padded));
  return [length, headerBytes];
}

function parseHeaderJson(headerBytes: Uint8Array, file: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch (cause) {
    throw new Error(`${file}: header is not valid UTF-8`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new Error(`${file}: header is not valid JSON (${(cause as Error).message})`, { cause });
  }
}

function checkSha256(dataSection: Uint8Array, expected: string, file: string): void {
  const actual = createHash('sha256').update(dataSection).digest('hex');
  if (actual !== expected.toLowerCase()) {
    throw new Error(
      `${file}: data section has sha256 ${actual} but __metadata__.sha256 is ${expected}, so the file is corrupted`,
    );
  }
}

/** Copies one tensor into a new typed array, whose buffer is aligned for its element type. */
function copyTensor(entry: HeaderEntry, dataSection: Uint8Array): Tensor {
  const ArrayType = ARRAY_TYPES[entry.dtype];
  const data = new ArrayType((entry.end - entry.begin) / DTYPE_SIZES[entry.dtype]);
  new Uint8Array(data.buffer).set(dataSection.subarray(entry.begin, entry.end));
  return { dtype: entry.dtype, shape: entry.shape, data };
}

function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function checkHostEndianness(file: string): void {
  // Tensors are copied byte for byte, which is only right where typed arrays are little-endian.
  if (os.endianness() !== 'LE') {
    throw new Error(`${file}: safetensors data is little-endian and this host is big-endian, which is not supported`);
  }
}
