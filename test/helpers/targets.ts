import { native } from '../../src/native/loader';
import type { SimdTarget } from '../../src/native/addon';

/** SIMD targets this machine runs; kernel suites run once per target (`describe.each`). */
export const simdTargets: SimdTarget[] = native().simdTargets();

/** Runs `body` with the kernels forced to `target`, then restores the previous target. */
export function withSimdTarget<T>(target: SimdTarget, body: () => T): T {
  const addon = native();
  const previous = addon.simdTarget();
  addon.setSimdTarget(target);
  try {
    return body();
  } finally {
    addon.setSimdTarget(previous);
  }
}

/** Runs `body` with the native thread pool set to `threads`, then restores the previous count. */
export function withThreads<T>(threads: number, body: () => T): T {
  const addon = native();
  const previous = addon.numThreads();
  addon.setNumThreads(threads);
  try {
    return body();
  } finally {
    addon.setNumThreads(previous);
  }
}
