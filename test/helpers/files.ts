import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';

/** A temporary folder for one test file; call `remove()` in afterAll. */
export class TempFolder {
  readonly path: string;

  constructor(prefix: string) {
    this.path = fs.mkdtempSync(path.join(os.tmpdir(), `bntrain-${prefix}-`));
  }

  /** Writes `bytes` to `name` inside the folder and returns the full path. */
  write(name: string, bytes: Uint8Array): string {
    const file = path.join(this.path, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
    return file;
  }

  /** Creates a fresh empty subfolder and returns its full path. */
  subfolder(name: string): string {
    const folder = path.join(this.path, name);
    fs.mkdirSync(folder, { recursive: true });
    return folder;
  }

  remove(): void {
    fs.rmSync(this.path, { recursive: true, force: true });
  }
}

/**
 * Encodes an IDX file: two zero bytes, `typeCode`, dims count, big-endian sizes, then `body` as is.
 * `body` is not checked against `dims`, so tests can build inconsistent files on purpose.
 */
export function encodeIdx(typeCode: number, dims: readonly number[], body: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = typeCode;
  header[3] = dims.length;
  dims.forEach((size, d) => header.writeUInt32BE(size, 4 + 4 * d));
  return Buffer.concat([header, body]);
}

/** Encodes a uint8 IDX file of `count` images of rows×cols whose byte i is (i * 37 + seed) mod 256. */
export function imageFile(count: number, rows: number, cols: number, seed = 0): Buffer {
  const body = Uint8Array.from({ length: count * rows * cols }, (_, i) => (i * 37 + seed) % 256);
  return encodeIdx(0x08, [count, rows, cols], body);
}

/** Encodes a uint8 IDX label file holding `labels`. */
export function labelFile(labels: readonly number[]): Buffer {
  return encodeIdx(0x08, [labels.length], Uint8Array.from(labels));
}

export function gzip(bytes: Uint8Array): Buffer {
  return zlib.gzipSync(bytes);
}
