/**
 * Reader for the IDX format that MNIST and Fashion-MNIST ship in.
 *
 * Layout (all integers big-endian):
 *   bytes 0-1   zero
 *   byte  2     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
 *   byte  3     number of dimensions D
 *   4·D bytes   the D sizes, unsigned 32-bit each
 *   then        product(sizes) elements in row-major order
 *
 * Files may be gzip-compressed; gzip is detected by its magic bytes 1f 8b, whatever the file name.
 * Every size that the header declares is compared with the bytes actually present before anything
 * is allocated from it, so a corrupt header cannot trigger a huge allocation.
 */
import * as fs from 'fs';
import * as zlib from 'zlib';

/** Element type of an IDX file, named after the JavaScript typed array that stores it. */
export type IdxDataType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export type IdxTypedArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** Contents of one IDX file. */
export interface IdxTensor {
  type: IdxDataType;
  /** Sizes from the header, outermost first; empty for a scalar. */
  dims: number[];
  /**
   * The product(dims) elements in row-major order, in host byte order.
   * For uint8 and int8 this is a view on the file's bytes; wider types are converted copies.
   */
  data: IdxTypedArray;
}

/** Images from an IDX file of type uint8 with dimensions (count, rows, cols). */
export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count·rows·cols intensities in [0, 1] (byte / 255), image after image, row-major. */
  pixels: Float32Array;
}

export interface IdxReadOptions {
  /**
   * Maximum size in bytes of the file and, for gzip files, of the decompressed data.
   * Default 1 GiB, which is 20 times the largest MNIST file (47 MB).
   */
  maxBytes?: number;
}

/** The parsed header and the bytes that follow it. */
export interface IdxHeader {
  type: IdxDataType;
  dims: number[];
  /** The data section: everything after the header. */
  body: Uint8Array;
}

const DEFAULT_MAX_BYTES = 1 << 30;

interface TypeInfo {
  type: IdxDataType;
  size: number;
}

const TYPE_CODES: ReadonlyMap<number, TypeInfo> = new Map([
  [0x08, { type: 'uint8', size: 1 }],
  [0x09, { type: 'int8', size: 1 }],
  [0x0b, { type: 'int16', size: 2 }],
  [0x0c, { type: 'int32', size: 4 }],
  [0x0d, { type: 'float32', size: 4 }],
  [0x0e, { type: 'float64', size: 8 }],
]);

/** Size in bytes of one element of `type`. */
export function idxElementSize(type: IdxDataType): number {
  for (const info of TYPE_CODES.values()) if (info.type === type) return info.size;
  throw new Error(`idxElementSize: unknown IDX type '${type}' (a bug in the caller)`);
}

/**
 * Reads a file into memory, decompressing it when it starts with the gzip magic bytes.
 * Throws an Error naming the file when it is larger than `maxBytes` or its gzip stream is
 * truncated or corrupt.
 */
export function readMaybeGzip(file: string, options: IdxReadOptions = {}): Uint8Array {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = fs.statSync(file).size;
  if (size > maxBytes) {
    throw new Error(`${file}: file size ${size} bytes exceeds the limit of ${maxBytes} bytes (maxBytes option)`);
  }

  const raw = fs.readFileSync(file);
  if (raw.length < 2 || raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  return gunzip(raw, file, maxBytes);
}

function gunzip(compressed: Buffer, file: string, maxBytes: number): Uint8Array {
  try {
    // maxOutputLength stops a small gzip file from inflating into an unbounded allocation.
    return zlib.gunzipSync(compressed, { maxOutputLength: maxBytes });
  } catch (cause) {
    const error = cause as NodeJS.ErrnoException;
    if (error.code === 'Z_BUF_ERROR') {
      throw new Error(`${file}: truncated gzip stream (zlib: ${error.message})`, { cause });
    }
    if (error.code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(`${file}: gzip data decompresses to more than the limit of ${maxBytes} bytes (maxBytes option)`, {
        cause,
      });
    }
    throw new Error(`${file}: invalid gzip stream (zlib: ${error.message})`, { cause });
  }
}

/**
 * Parses the IDX header at the start of `bytes`: magic, type byte, dims byte and sizes.
 * Does not check the data length; see {@link checkIdxDataLength}.
 * `file` only names the source in error messages.
 */
export function parseIdxHeader(bytes: Uint8Array, file: string): IdxHeader {
  if (bytes.length < 4) {
    throw new Error(`${file}: truncated header: the file contains ${bytes.length} bytes but an IDX header needs at least 4`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const magic = view.getUint16(0);
  if (magic !== 0) {
    throw new Error(`${file}: magic bytes ${hex(magic, 4)} are not an IDX header (expected 0x0000)`);
  }

  const typeCode = bytes[2];
  const info = TYPE_CODES.get(typeCode);
  if (info === undefined) {
    throw new Error(
      `${file}: type byte ${hex(typeCode, 2)} is not an IDX type ` +
        '(expected 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32 or 0x0E float64)',
    );
  }

  const rank = bytes[3];
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new Error(
      `${file}: truncated header: ${rank} dimensions need ${headerLength} header bytes but the file contains ${bytes.length}`,
    );
  }

  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d));
  return { type: info.type, dims, body: bytes.subarray(headerLength) };
}

/**
 * Checks that the data section contains exactly product(dims) elements.
 * `describe` phrases the declared contents for the message, e.g. "60000 images of 28×28";
 * the error then reads `<file>: header declares <describe> (<n> bytes) but the file contains <m> bytes of data`.
 */
export function checkIdxDataLength(header: IdxHeader, file: string, describe: string): void {
  // BigInt keeps the product exact: four 32-bit sizes can exceed 2^53.
  let expected = BigInt(idxElementSize(header.type));
  for (const size of header.dims) expected *= BigInt(size);

  if (expected !== BigInt(header.body.length)) {
    throw new Error(
      `${file}: header declares ${describe} (${expected} bytes) but the file contains ${header.body.length} bytes of data`,
    );
  }
}

/**
 * Reads a whole IDX file (raw or gzip) of any type and rank.
 * Throws an Error naming the file and the field for a bad magic, type byte, truncated header,
 * or a data section shorter or longer than the header declares.
 */
export function readIdx(file: string, options: IdxReadOptions = {}): IdxTensor {
  const header = parseIdxHeader(readMaybeGzip(file, options), file);
  checkIdxDataLength(header, file, `${header.type} dims [${header.dims.join(', ')}]`);
  return { type: header.type, dims: header.dims, data: decodeElements(header) };
}

/**
 * Loads an IDX image file: type uint8, dimensions (count, rows, cols).
 * Pixels are scaled to [0, 1] by dividing each byte by 255.
 */
export function loadIdxImages(file: string, options: IdxReadOptions = {}): IdxImages {
  const header = parseIdxHeader(readMaybeGzip(file, options), file);
  expectLayout(header, file, 3, 'images', '(count, rows, cols)');

  const [count, rows, cols] = header.dims;
  checkIdxDataLength(header, file, `${count} images of ${rows}×${cols}`);

  const pixels = new Float32Array(header.body.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = header.body[i] / 255;
  return { count, rows, cols, pixels };
}

/** Loads an IDX label file: type uint8, one dimension (count). */
export function loadIdxLabels(file: string, options: IdxReadOptions = {}): Int32Array {
  const header = parseIdxHeader(readMaybeGzip(file, options), file);
  expectLayout(header, file, 1, 'labels', '(count)');
  checkIdxDataLength(header, file, `${header.dims[0]} labels`);
  return Int32Array.from(header.body);
}

function expectLayout(header: IdxHeader, file: string, rank: number, what: string, dimNames: string): void {
  if (header.type !== 'uint8') {
    throw new Error(`${file}: ${what} must be uint8 (type byte 0x08), but the type byte declares ${header.type}`);
  }
  if (header.dims.length !== rank) {
    throw new Error(
      `${file}: header declares ${header.dims.length} dimensions, but ${what} need ${rank} ${dimNames}`,
    );
  }
}

/** Converts the big-endian data section into a typed array in host byte order. */
function decodeElements(header: IdxHeader): IdxTypedArray {
  const { body } = header;
  if (header.type === 'uint8') return body;
  if (header.type === 'int8') return new Int8Array(body.buffer, body.byteOffset, body.length);

  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const count = body.length / idxElementSize(header.type);
  switch (header.type) {
    case 'int16':
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(2 * i));
    case 'int32':
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i));
    case 'float32':
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i));
    case 'float64':
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i));
  }
}

function hex(value: number, digits: number): string {
  return '0x' + value.toString(16).toUpperCase().padStart(digits, '0');
}
