import { loadIdxImages, loadIdxLabels, readIdx } from '../../src/data/idx';
import { expectError } from '../helpers/errors';
import { encodeIdx, gzip, imageFile, labelFile, TempFolder } from '../helpers/files';

const folder = new TempFolder('idx');
afterAll(() => folder.remove());

/** Big-endian bytes of `values`, written with the DataView setter `set`. */
function bigEndian(
  values: readonly number[],
  size: number,
  set: (view: DataView, offset: number, value: number) => void,
): Uint8Array {
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => set(view, i * size, value));
  return bytes;
}

describe('readIdx', () => {
  test('reads every element type', () => {
    const cases = [
      { code: 0x08, type: 'uint8', values: [0, 1, 127, 128, 255, 7], size: 1 },
      { code: 0x09, type: 'int8', values: [-128, -1, 0, 1, 127, 5], size: 1 },
      { code: 0x0b, type: 'int16', values: [-32768, -2, 0, 258, 32767, 9], size: 2 },
      { code: 0x0c, type: 'int32', values: [-2147483648, -3, 0, 65536, 2147483647, 11], size: 4 },
      { code: 0x0d, type: 'float32', values: [-1.5, 0, 0.25, 3e38, -Infinity, 1e-40], size: 4 },
      { code: 0x0e, type: 'float64', values: [-1e300, 0, Math.PI, 5e-324, Infinity, -0.5], size: 8 },
    ];
    const setters: Record<number, (view: DataView, offset: number, value: number) => void> = {
      1: (view, offset, value) => view.setUint8(offset, value & 0xff),
      2: (view, offset, value) => view.setInt16(offset, value),
      4: (view, offset, value) => view.setInt32(offset, value),
    };

    for (const { code, type, values, size } of cases) {
      let set = setters[size];
      if (type === 'float32') set = (view, offset, value) => view.setFloat32(offset, value);
      if (type === 'float64') set = (view, offset, value) => view.setFloat64(offset, value);
      const file = folder.write(`type-${type}`, encodeIdx(code, [2, 3], bigEndian(values, size, set)));

      const tensor = readIdx(file);
      expect(tensor.type).toBe(type);
      expect(tensor.dims).toEqual([2, 3]);
      const expected = type === 'float32' ? values.map(Math.fround) : values;
      expect(Array.from(tensor.data)).toEqual(expected);
    }
  });

  test('reads a scalar (zero dimensions)', () => {
    const file = folder.write('scalar', encodeIdx(0x0c, [], Uint8Array.of(0, 0, 1, 2)));
    const tensor = readIdx(file);
    expect(tensor.dims).toEqual([]);
    expect(Array.from(tensor.data)).toEqual([258]);
  });

  test('reads an empty tensor', () => {
    const file = folder.write('empty', encodeIdx(0x0d, [3, 0], new Uint8Array(0)));
    const tensor = readIdx(file);
    expect(tensor.dims).toEqual([3, 0]);
    expect(tensor.data).toBeInstanceOf(Float32Array);
    expect(tensor.data.length).toBe(0);
  });

  test('detects gzip by magic bytes, not by suffix', () => {
    const bytes = encodeIdx(0x0b, [2], Uint8Array.of(0xff, 0xfe, 0x01, 0x00));
    for (const name of ['plain.gz', 'no-suffix']) {
      const tensor = readIdx(folder.write(name, gzip(bytes)));
      expect(Array.from(tensor.data)).toEqual([-2, 256]);
    }
  });

  test('rejects a file shorter than the magic', () => {
    const file = folder.write('tiny', Uint8Array.of(0, 0, 8));
    expectError(() => readIdx(file), 'Error', `${file}: truncated header: the file contains 3 bytes but an IDX header needs at least 4`);
  });

  test('rejects a header cut inside the sizes', () => {
    const file = folder.write('cut-sizes', encodeIdx(0x08, [5, 4, 4], new Uint8Array(0)).subarray(0, 10));
    expectError(
      () => readIdx(file),
      'Error',
      `${file}: truncated header: 3 dimensions need 16 header bytes but the file contains 10`,
    );
  });

  test('rejects wrong magic bytes', () => {
    const file = folder.write('magic', Uint8Array.of(0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0));
    expectError(() => readIdx(file), 'Error', `${file}: magic bytes 0x1234 are not an IDX header (expected 0x0000)`);
  });

  test('rejects an unknown type byte', () => {
    const file = folder.write('type-07', encodeIdx(0x07, [1], Uint8Array.of(1)));
    expectError(
      () => readIdx(file),
      'Error',
      `${file}: type byte 0x07 is not an IDX type ` +
        '(expected 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32 or 0x0E float64)',
    );
  });

  test('rejects truncated and trailing data', () => {
    const short = folder.write('short', encodeIdx(0x0c, [2, 2], new Uint8Array(15)));
    expectError(() => readIdx(short), 'Error', `${short}: header declares int32 dims [2, 2] (16 bytes) but the file contains 15 bytes of data`);

    const long = folder.write('long', encodeIdx(0x0c, [2, 2], new Uint8Array(17)));
    expectError(() => readIdx(long), 'Error', `${long}: header declares int32 dims [2, 2] (16 bytes) but the file contains 17 bytes of data`);
  });

  test('rejects absurd header sizes without allocating them', () => {
    const max = 0xffffffff;
    const file = folder.write('absurd', encodeIdx(0x0e, [max, max, max], new Uint8Array(8)));
    // 8 · (2^32 − 1)^3 is far beyond any buffer; the check compares it exactly as a BigInt.
    const bytes = 8n * BigInt(max) ** 3n;
    expectError(
      () => readIdx(file),
      'Error',
      `${file}: header declares float64 dims [${max}, ${max}, ${max}] (${bytes} bytes) but the file contains 8 bytes of data`,
    );
  });

  test('rejects a truncated gzip stream', () => {
    const compressed = gzip(imageFile(3, 4, 5));
    const file = folder.write('cut.gz', compressed.subarray(0, compressed.length - 12));
    expectError(() => readIdx(file), 'Error', new RegExp(`^${escape(file)}: truncated gzip stream \\(zlib: .+\\)$`));
  });

  test('rejects a corrupt gzip stream', () => {
    const compressed = Buffer.from(gzip(imageFile(3, 4, 5)));
    compressed[3] = 0xff; // reserved flag bits must be zero
    const file = folder.write('corrupt.gz', compressed);
    expectError(() => readIdx(file), 'Error', new RegExp(`^${escape(file)}: invalid gzip stream \\(zlib: .+\\)$`));
  });

  test('enforces maxBytes on raw files and on decompressed data', () => {
    const bytes = imageFile(10, 10, 10);
    const raw = folder.write('big', bytes);
    expectError(
      () => readIdx(raw, { maxBytes: 1000 }),
      'Error',
      `${raw}: file size 1016 bytes exceeds the limit of 1000 bytes (maxBytes option)`,
    );

    // 1016 bytes of fairly regular data compress well below the limit, then inflate past it.
    const compressed = folder.write('big.gz', gzip(bytes));
    expectError(
      () => readIdx(compressed, { maxBytes: 1000 }),
      'Error',
      `${compressed}: gzip data decompresses to more than the limit of 1000 bytes (maxBytes option)`,
    );
  });

  test('reports a missing file with its path', () => {
    const file = `${folder.path}/does-not-exist`;
    expect(() => readIdx(file)).toThrow(file);
  });
});

describe('loadIdxImages', () => {
  test('scales bytes to [0, 1], raw and gzip', () => {
    const bytes = imageFile(3, 4, 5, 11);
    for (const file of [folder.write('images', bytes), folder.write('images.gz', gzip(bytes))]) {
      const images = loadIdxImages(file);
      expect([images.count, images.rows, images.cols]).toEqual([3, 4, 5]);
      expect(images.pixels).toBeInstanceOf(Float32Array);
      const expected = Array.from(bytes.subarray(16), (byte) => Math.fround(byte / 255));
      expect(Array.from(images.pixels)).toEqual(expected);
    }
  });

  test('maps 0 and 255 to exactly 0 and 1', () => {
    const file = folder.write('extremes', encodeIdx(0x08, [1, 1, 2], Uint8Array.of(0, 255)));
    expect(Array.from(loadIdxImages(file).pixels)).toEqual([0, 1]);
  });

  test('names the image geometry when data is missing', () => {
    const file = folder.write('train-images-idx3-ubyte', imageFile(6, 28, 28).subarray(0, 16 + 6 * 784 - 1));
    expectError(
      () => loadIdxImages(file),
      'Error',
      `${file}: header declares 6 images of 28×28 (4704 bytes) but the file contains 4703 bytes of data`,
    );
  });

  test('rejects a type other than uint8', () => {
    const file = folder.write('float-images', encodeIdx(0x0d, [1, 1, 1], new Uint8Array(4)));
    expectError(() => loadIdxImages(file), 'Error', `${file}: images must be uint8 (type byte 0x08), but the type byte declares float32`);
  });

  test('rejects a dims count other than 3', () => {
    const file = folder.write('flat-images', encodeIdx(0x08, [2, 784], new Uint8Array(1568)));
    expectError(
      () => loadIdxImages(file),
      'Error',
      `${file}: header declares 2 dimensions, but images need 3 (count, rows, cols)`,
    );
  });
});

describe('loadIdxLabels', () => {
  test('returns an Int32Array, raw and gzip', () => {
    const bytes = labelFile([0, 9, 3, 255]);
    for (const file of [folder.write('labels', bytes), folder.write('labels.gz', gzip(bytes))]) {
      const labels = loadIdxLabels(file);
      expect(labels).toBeInstanceOf(Int32Array);
      expect(Array.from(labels)).toEqual([0, 9, 3, 255]);
    }
  });

  test('rejects a dims count other than 1', () => {
    const file = folder.write('labels-2d', encodeIdx(0x08, [2, 1], Uint8Array.of(1, 2)));
    expectError(() => loadIdxLabels(file), 'Error', `${file}: header declares 2 dimensions, but labels need 1 (count)`);
  });

  test('rejects truncated label data', () => {
    const file = folder.write('labels-short', encodeIdx(0x08, [5], Uint8Array.of(1, 2, 3)));
    expectError(() => loadIdxLabels(file), 'Error', `${file}: header declares 5 labels (5 bytes) but the file contains 3 bytes of data`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
