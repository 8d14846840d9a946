import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as path from 'path';
import fs = require('fs');
import { decodeSafetensors, encodeSafetensors, readSafetensors, TensorInput, writeSafetensors } from '../../src/checkpoint/safetensors';
import { expectError } from '../helpers/errors';
import { TempFolder } from '../helpers/files';

const folder = new TempFolder('safetensors');
afterAll(() => folder.remove());

/** Builds one tensor of every dtype, plus a scalar and empty tensors, with edge values. */
function everyDtype(): Map<string, TensorInput> {
  return new Map<string, TensorInput>([
    ['f32', { shape: [2, 3], data: Float32Array.of(1.5, -0, NaN, Infinity, -3.4e38, 1e-45) }],
    ['f64', { shape: [4], data: Float64Array.of(Math.PI, -1e308, 5e-324, -Infinity) }],
    ['i32', { shape: [3], data: Int32Array.of(-2147483648, 0, 2147483647) }],
    ['i64', { shape: [2, 1], data: BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n) }],
    ['u8', { shape: [5], data: Uint8Array.of(0, 1, 127, 128, 255) }],
    ['scalar', { shape: [], data: Float32Array.of(-7.25) }],
    ['empty', { shape: [0], data: new Float64Array(0) }],
    ['empty-3d', { shape: [2, 0, 3], data: new Int32Array(0) }],
  ]);
}

/** Builds a file from a header (object or raw text) and data bytes, padding the header with spaces. */
function craft(header: object | string, data: Uint8Array, padTo = 8): Buffer {
  let json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / padTo) * padTo;
  json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, data]);
}

/** Builds a file with two F32 tensors of shape [2] at the given offsets over `dataLength` bytes. */
function twoTensors(a: [number, number], b: [number, number], dataLength: number): Buffer {
  const header = {
    a: { dtype: 'F32', shape: [2], data_offsets: a },
    b: { dtype: 'F32', shape: [2], data_offsets: b },
  };
  return craft(header, new Uint8Array(dataLength));
}

describe('safetensors round trip', () => {
  test('keeps every dtype, scalar and empty tensor', () => {
    const file = path.join(folder.path, 'every-dtype.safetensors');
    const tensors = everyDtype();
    writeSafetensors(file, tensors, { step: '120', note: 'ünïcode ✓' });

    const read = readSafetensors(file);
    expect([...read.tensors.keys()].sort()).toEqual([...tensors.keys()].sort());
    for (const [name, input] of tensors) {
      const tensor = read.tensors.get(name)!;
      expect({ name, shape: tensor.shape }).toEqual({ name, shape: input.shape });
      expect(tensor.data.constructor).toBe(input.data.constructor);
      expect(Array.from(tensor.data as ArrayLike<unknown>)).toEqual(Array.from(input.data as ArrayLike<unknown>));
    }
    expect(Object.is(read.tensors.get('f32')!.data[1], -0)).toBe(true);
    expect(read.metadata.step).toBe('120');
    expect(read.metadata.note).toBe('ünïcode ✓');
  });

  test('returns aligned copies that own their memory', () => {
    const file = path.join(folder.path, 'aligned.safetensors');
    // u8 of 3 bytes then f32: unless the writer orders by element size, f32 would start at offset 3.
    writeSafetensors(file, { u8: { shape: [3], data: Uint8Array.of(1, 2, 3) }, f64: { shape: [1], data: Float64Array.of(2) } });

    for (const tensor of readSafetensors(file).tensors.values()) {
      expect(tensor.data.byteOffset).toBe(0);
      expect(tensor.data.buffer.byteLength).toBe(tensor.data.byteLength);
    }
  });

  test('accepts views on unaligned input memory', () => {
    const backing = new ArrayBuffer(64);
    new Float32Array(backing).set([0, 1, 2, 3, 4, 5]);
    const view = new Float32Array(backing, 4, 3);
    const [, , data] = encodeSafetensors({ view: { shape: [3], data: view } });
    expect(Array.from(new Float32Array(data.slice().buffer))).toEqual([1, 2, 3]);
  });

  test('replaces a given sha256 with the real one', () => {
    const file = path.join(folder.path, 'sha.safetensors');
    writeSafetensors(file, { x: { shape: [1], data: Uint8Array.of(9) } }, { sha256: 'stale' });
    expect(readSafetensors(file).metadata.sha256).toBe(createHash('sha256').update(Uint8Array.of(9)).digest('hex'));
  });

  test('loads a file without sha256, as other writers produce', () => {
    const bytes = craft({ x: { dtype: 'I32', shape: [1], data_offsets: [0, 4] } }, Uint8Array.of(1, 0, 0, 0));
    const read = decodeSafetensors(bytes, 'plain');
    expect(Array.from(read.tensors.get('x')!.data as Int32Array)).toEqual([1]);
    expect(read.metadata).toEqual({});
  });
});

describe('safetensors byte layout', () => {
  test('matches a hand-computed file', () => {
    // Data: b (F32 1.5 = 0x3FC00000 little-endian) first because wider dtypes go first, then a.
    const data = Uint8Array.of(0x00, 0x00, 0xc0, 0x3f, 1, 2, 3);
    const sha = createHash('sha256').update(data).digest('hex');
    const json =
      `{"__metadata__":{"sha256":"${sha}"},` +
      '"b":{"dtype":"F32","shape":[],"data_offsets":[0,4]},' +
      '"a":{"dtype":"U8","shape":[3],"data_offsets":[4,7]}}';
    // 27 + 64 + 2 + 5 + 15 + 11 + 21 + 5 + 14 + 12 + 21 + 1 = 198 bytes, padded to 200.
    expect(json.length).toBe(198);

    const file = path.join(folder.path, 'tiny.safetensors');
    writeSafetensors(file, { a: { shape: [3], data: Uint8Array.of(1, 2, 3) }, b: { shape: [], data: Float32Array.of(1.5) } });
    const bytes = fs.readFileSync(file);

    expect(bytes.length).toBe(8 + 200 + 7);
    expect(bytes.readBigUInt64LE(0)).toBe(200n);
    expect(bytes.subarray(8, 8 + 198).toString('utf8')).toBe(json);
    expect(bytes.subarray(8 + 198, 8 + 200).toString('utf8')).toBe('  ');
    expect(Array.from(bytes.subarray(208))).toEqual(Array.from(data));
  });

  test('pads every header to a multiple of 8', () => {
    for (let length = 0; length < 9; length++) {
      const chunks = encodeSafetensors({ [`n${'x'.repeat(length)}`]: { shape: [1], data: Uint8Array.of(length) } });
      const headerLength = Number(Buffer.from(chunks[0]).readBigUInt64LE(0));
      expect({ length, remainder: headerLength % 8 }).toEqual({ length, remainder: 0 });
      expect(chunks[1].length).toBe(headerLength);
    }
  });
});

describe('safetensors read errors', () => {
  const good = (): Buffer => {
    const file = path.join(folder.path, 'good.safetensors');
    writeSafetensors(file, { w: { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }, b: { shape: [2], data: Float32Array.of(5, 6) } });
    return fs.readFileSync(file);
  };

  test('detects a flipped data byte through sha256', () => {
    const bytes = good();
    bytes[bytes.length - 3] ^= 0x01;
    const file = folder.write('flipped.safetensors', bytes);
    expectError(
      () => readSafetensors(file),
      'Error',
      new RegExp(`^${escape(file)}: data section has sha256 [0-9a-f]{64} but __metadata__\\.sha256 is [0-9a-f]{64}, so the file is corrupted$`),
    );
  });

  test('rejects a truncated data section', () => {
    const bytes = good();
    const file = folder.write('truncated.safetensors', bytes.subarray(0, bytes.length - 1));
    expectError(() => readSafetensors(file), 'Error', `${file}: tensor 'w': data_offsets [8, 24] run past the data section (23 bytes)`);
  });

  test('rejects a file shorter than the length field', () => {
    const file = folder.write('stub.safetensors', Uint8Array.of(1, 2, 3));
    expectError(() => readSafetensors(file), 'Error', `${file}: file size 3 bytes is too small for the 8-byte header length`);
  });

  test('rejects a header length past the end', () => {
    const bytes = good();
    bytes.writeBigUInt64LE(2n ** 63n + 5n, 0);
    const file = folder.write('long-header.safetensors', bytes);
    expectError(
      () => readSafetensors(file),
      'Error',
      `${file}: header length ${2n ** 63n + 5n} runs past the end of the file (${bytes.length - 8} bytes follow it)`,
    );
  });

  test('rejects a header cut by truncation', () => {
    const file = folder.write('cut-header.safetensors', good().subarray(0, 40));
    expectError(() => readSafetensors(file), 'Error', /^.+cut-header\.safetensors: header length \d+ runs past the end of the file \(32 bytes follow it\)$/);
  });

  test('rejects overlapping offsets', () => {
    expectError(() => decodeSafetensors(twoTensors([0, 8], [4, 12], 12), 'f'), 'Error', "f: tensors 'a' [0, 8] and 'b' [4, 12] overlap");
  });

  test('rejects a gap between tensors', () => {
    expectError(
      () => decodeSafetensors(twoTensors([0, 8], [12, 20], 20), 'f'),
      'Error',
      "f: data bytes [8, 12) between tensor 'a' and tensor 'b' belong to no tensor",
    );
    expectError(
      () => decodeSafetensors(twoTensors([4, 12], [12, 20], 20), 'f'),
      'Error',
      "f: data bytes [0, 4) between the start of the data section and tensor 'a' belong to no tensor",
    );
  });

  test('rejects data after the last tensor', () => {
    expectError(
      () => decodeSafetensors(twoTensors([0, 8], [8, 16], 20), 'f'),
      'Error',
      'f: data section contains 20 bytes but the tensors cover only the first 16, so bytes [16, 20) belong to no tensor',
    );
  });

  test('rejects an empty tensor placed inside another', () => {
    const header = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      e: { dtype: 'F32', shape: [0], data_offsets: [4, 4] },
    };
    expectError(() => decodeSafetensors(craft(header, new Uint8Array(8)), 'f'), 'Error', "f: tensors 'a' [0, 8] and 'e' [4, 4] overlap");
  });

  test.each([
    ['unknown dtype', { dtype: 'F16', shape: [2], data_offsets: [0, 4] }, 'dtype "F16" is not supported (expected F32, F64, I32, I64 or U8)'],
    ['missing dtype', { shape: [2], data_offsets: [0, 4] }, 'dtype (missing) is not supported (expected F32, F64, I32, I64 or U8)'],
    ['negative shape', { dtype: 'U8', shape: [-4], data_offsets: [0, 4] }, 'shape [-4] is not an array of non-negative integers'],
    ['fractional shape', { dtype: 'U8', shape: [2.5], data_offsets: [0, 4] }, 'shape [2.5] is not an array of non-negative integers'],
    ['three offsets', { dtype: 'U8', shape: [4], data_offsets: [0, 4, 4] }, 'data_offsets [0,4,4] is not a pair of non-negative integers'],
    ['reversed offsets', { dtype: 'U8', shape: [0], data_offsets: [4, 0] }, 'data_offsets [4, 0] end before they begin'],
    ['offsets past data', { dtype: 'U8', shape: [8], data_offsets: [0, 8] }, 'data_offsets [0, 8] run past the data section (4 bytes)'],
    ['span mismatch', { dtype: 'F32', shape: [2], data_offsets: [0, 4] }, 'data_offsets [0, 4] span 4 bytes but shape [2] of F32 needs 8'],
    ['not an object', [1, 2], 'is an array, expected an object with dtype, shape and data_offsets'],
  ])('rejects %s', (_, entry, message) => {
    const bytes = craft({ t: entry }, new Uint8Array(4));
    const separator = message.startsWith('is ') ? ' ' : ': ';
    expectError(() => decodeSafetensors(bytes, 'f'), 'Error', `f: tensor 't'${separator}${message}`);
  });

  test('rejects bad JSON', () => {
    expectError(() => decodeSafetensors(craft('{"t": {', new Uint8Array(0)), 'f'), 'Error', /^f: header is not valid JSON \(.+\)$/);
  });

  test('rejects invalid UTF-8', () => {
    const bytes = craft('{"\u00e9": 1}', new Uint8Array(0));
    bytes[10] = 0xff; // first byte of the two-byte é
    expectError(() => decodeSafetensors(bytes, 'f'), 'Error', 'f: header is not valid UTF-8');
  });

  test('rejects a header that is not an object', () => {
    expectError(() => decodeSafetensors(craft('[1, 2]', new Uint8Array(0)), 'f'), 'Error', 'f: header is an array, expected a JSON object');
  });

  test('rejects non-string metadata', () => {
    const bytes = craft({ __metadata__: { epoch: 3 } }, new Uint8Array(0));
    expectError(() => decodeSafetensors(bytes, 'f'), 'Error', 'f: __metadata__.epoch is a number, expected a string');
    const list = craft({ __metadata__: ['a'] }, new Uint8Array(0));
    expectError(() => decodeSafetensors(list, 'f'), 'Error', 'f: __metadata__ is an array, expected an object of strings');
  });
});

describe('safetensors write errors', () => {
  test('rejects data that disagrees with the shape', () => {
    expectError(
      () => encodeSafetensors({ w: { shape: [2, 3], data: new Float32Array(5) } }, {}, 'out.safetensors'),
      'RangeError',
      "out.safetensors: tensor 'w': data has 5 elements but shape [2, 3] needs 6",
    );
  });

  test('rejects an unsupported array type', () => {
    const data = new Int16Array(2) as unknown as Int32Array;
    expectError(
      () => encodeSafetensors({ w: { shape: [2], data } }),
      'TypeError',
      "encodeSafetensors: tensor 'w': data is a Int16Array, expected Float32Array, Float64Array, Int32Array, BigInt64Array or Uint8Array",
    );
  });

  test('rejects a negative shape', () => {
    expectError(
      () => encodeSafetensors({ w: { shape: [-1], data: new Uint8Array(0) } }),
      'RangeError',
      "encodeSafetensors: tensor 'w': shape [-1] is not an array of non-negative integers",
    );
  });

  test('rejects the reserved name __metadata__', () => {
    const tensors = new Map([['__metadata__', { shape: [0], data: new Uint8Array(0) }]]);
    expectError(
      () => encodeSafetensors(tensors),
      'RangeError',
      'encodeSafetensors: the tensor name __metadata__ is reserved for the metadata map',
    );
  });
});

describe('safetensors atomic write', () => {
  const previous = { v: { shape: [2], data: Int32Array.of(1, 2) } };
  const next = { v: { shape: [3], data: Int32Array.of(7, 8, 9) }, w: { shape: [1], data: Float64Array.of(0.5) } };

  /** Writes `previous` into a fresh folder and returns the folder, file and its bytes. */
  function setUp(name: string): { directory: string; file: string; before: Buffer } {
    const directory = folder.subfolder(`atomic-${name}`);
    const file = path.join(directory, 'model.safetensors');
    writeSafetensors(file, previous);
    return { directory, file, before: fs.readFileSync(file) };
  }

  function expectUntouched(directory: string, file: string, before: Buffer): void {
    expect(fs.readdirSync(directory)).toEqual(['model.safetensors']);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  }

  function diskFull(): Error {
    return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  }

  test('replaces a previous file', () => {
    const { directory, file } = setUp('replace');
    writeSafetensors(file, next);
    expect(fs.readdirSync(directory)).toEqual(['model.safetensors']);
    expect(Array.from(readSafetensors(file).tensors.get('v')!.data as Int32Array)).toEqual([7, 8, 9]);
  });

  test('an invalid tensor leaves the previous file', () => {
    const { directory, file, before } = setUp('invalid');
    const bad = { ...next, w: { shape: [2], data: Float64Array.of(0.5) } };
    expectError(() => writeSafetensors(file, bad), 'RangeError', `${file}: tensor 'w': data has 1 elements but shape [2] needs 2`);
    expectUntouched(directory, file, before);
  });

  test('a write failing mid-way leaves the previous file', () => {
    const { directory, file, before } = setUp('mid-way');
    const realWrite = fs.writeSync;
    let calls = 0;
    let entriesDuringWrite: string[] = [];
    const spy = jest.spyOn(fs, 'writeSync').mockImplementation(((...args: Parameters<typeof fs.writeSync>) => {
      calls++;
      // Chunks are: length, header, then one per tensor; fail on the first tensor's data.
      if (calls === 3) {
        entriesDuringWrite = fs.readdirSync(directory);
        throw diskFull();
      }
      return realWrite(...args);
    }) as typeof fs.writeSync);

    try {
      expectError(() => writeSafetensors(file, next), 'Error', 'ENOSPC: no space left on device, write');
    } finally {
      spy.mockRestore();
    }

    // The temporary file existed, half written, when the failure struck.
    expect(entriesDuringWrite).toHaveLength(2);
    expectUntouched(directory, file, before);
  });

  test('a failed fsync leaves the previous file', () => {
    const { directory, file, before } = setUp('fsync');
    const spy = jest.spyOn(fs, 'fsyncSync').mockImplementation(() => {
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    });

    try {
      expectError(() => writeSafetensors(file, next), 'Error', 'EIO: i/o error, fsync');
    } finally {
      spy.mockRestore();
    }
    expectUntouched(directory, file, before);
  });

  test('a failed rename removes the temporary file', () => {
    const directory = folder.subfolder('atomic-rename');
    const target = path.join(directory, 'model.safetensors');
    fs.mkdirSync(path.join(target, 'inside'), { recursive: true });

    expect(() => writeSafetensors(target, next)).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(fs.readdirSync(directory)).toEqual(['model.safetensors']);
    expect(fs.statSync(target).isDirectory()).toBe(true);
  });

  test('a missing folder fails without leftovers', () => {
    const file = path.join(folder.path, 'no-such-folder', 'model.safetensors');
    expect(() => writeSafetensors(file, next)).toThrow(/ENOENT/);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });
});

// Cross-check with the reference implementation when Python has it (pip package safetensors;
// Debian 12 has no python3-safetensors package).
const pythonProbe = spawnSync('python3', ['-c', 'import numpy, safetensors.numpy'], { encoding: 'utf8' });
const havePythonSafetensors = pythonProbe.status === 0;
if (!havePythonSafetensors) {
  const reason = pythonProbe.error?.message ?? pythonProbe.stderr.trim().split('\n').pop();
  console.warn(`Python safetensors cross-check skipped: python3 cannot import numpy and safetensors.numpy (${reason})`);
}

const PYTHON_DUMP = `
import json, sys
from safetensors import safe_open
from safetensors.numpy import load_file
tensors = load_file(sys.argv[1])
with safe_open(sys.argv[1], framework="np") as handle:
    metadata = handle.metadata()
out = {name: {"dtype": str(t.dtype), "shape": list(t.shape), "hex": t.tobytes().hex()} for name, t in tensors.items()}
print(json.dumps({"tensors": out, "metadata": metadata}))
`;

(havePythonSafetensors ? test : test.skip)('python safetensors.numpy loads a written file', () => {
  const file = path.join(folder.path, 'for-python.safetensors');
  const tensors = everyDtype();
  writeSafetensors(file, tensors, { step: '3' });

  const run = spawnSync('python3', ['-c', PYTHON_DUMP, file], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  const loaded = JSON.parse(run.stdout) as {
    tensors: Record<string, { dtype: string; shape: number[]; hex: string }>;
    metadata: Record<string, string>;
  };

  const numpyNames: Record<string, string> = { F32: 'float32', F64: 'float64', I32: 'int32', I64: 'int64', U8: 'uint8' };
  const dtypes = new Map([...readSafetensors(file).tensors].map(([name, tensor]) => [name, tensor.dtype]));
  for (const [name, input] of tensors) {
    const bytes = Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength).toString('hex');
    expect({ name, ...loaded.tensors[name] }).toEqual({
      name,
      dtype: numpyNames[dtypes.get(name)!],
      shape: input.shape,
      hex: bytes,
    });
  }
  expect(loaded.metadata.step).toBe('3');
  expect(loaded.metadata.sha256).toMatch(/^[0-9a-f]{64}$/);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
