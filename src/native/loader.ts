import * as path from 'path';
import type { NativeAddon } from './addon';

// The package root: this file is src/native/loader.ts or dist/native/loader.js.
const packageRoot = path.join(__dirname, '..', '..');

let loaded: NativeAddon | undefined;

/**
 * Loads the compiled addon once, from build/Release (cmake-js or node-gyp output) or a prebuild,
 * and applies BNTRAIN_SIMD and BNTRAIN_THREADS from the environment.
 * Throws one Error that names the folder it searched and explains how to build the addon.
 */
export function native(): NativeAddon {
  if (loaded) return loaded;

  let addon: NativeAddon;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeGypBuild = require('node-gyp-build') as (root: string) => NativeAddon;
    addon = nodeGypBuild(packageRoot);
  } catch (cause) {
    throw new Error(
      `bntrain: could not load the native addon from ${packageRoot}/build/Release ` +
        `(${(cause as Error).message}). Build it with \`npm run build:native\` (cmake-js, needs cmake ` +
        'and a C++17 compiler) or `npx node-gyp rebuild`.',
      { cause },
    );
  }

  applyEnvironment(addon);
  loaded = addon;
  return addon;
}

function applyEnvironment(addon: NativeAddon): void {
  const simd = process.env.BNTRAIN_SIMD;
  if (simd !== undefined && simd !== '') {
    if (simd !== 'scalar' && simd !== 'avx2' && simd !== 'auto') {
      throw new RangeError(`bntrain: BNTRAIN_SIMD must be scalar, avx2 or auto, received '${simd}'`);
    }
    addon.setSimdTarget(simd);
  }

  const threads = process.env.BNTRAIN_THREADS;
  if (threads !== undefined && threads !== '') {
    const count = Number(threads);
    if (!Number.isInteger(count) || count < 1 || count > 256) {
      throw new RangeError(`bntrain: BNTRAIN_THREADS must be an integer in [1, 256], received '${threads}'`);
    }
    addon.setNumThreads(count);
  }
}
