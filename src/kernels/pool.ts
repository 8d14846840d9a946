/**
 * Typed wrappers over the native max-pooling kernels (native/kernels/pool), NCHW layout.
 */
import { native } from '../native/loader';

/** Arguments of {@link pool2dGeometry}. */
export interface Pool2dArgs {
  N: number;
  C: number;
  H: number;
  W: number;
  /** Window height. */
  KH: number;
  /** Window width. Default: KH. */
  KW?: number;
  /** Step between windows, in both directions. Default: KH (non-overlapping windows, as in PyTorch). */
  stride?: number;
  /** Rows and columns of padding on every side; padding never wins the maximum. Default: 0. */
  pad?: number;
}

/** A complete pooling geometry: x is [N, C, H, W], y and argmax are [N, C, OH, OW]. */
export interface Pool2dGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  KH: number;
  KW: number;
  stride: number;
  pad: number;
  /** floor((H + 2·pad − KH) / stride) + 1 */
  OH: number;
  /** floor((W + 2·pad − KW) / stride) + 1 */
  OW: number;
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`pool2dGeometry: ${name} must be an integer >= ${min}, received ${value}`);
  }
}

/**
 * Fills in the defaults and derives OH and OW. Throws a RangeError naming the argument when a size
 * is not an integer in range, when pad >= KH or pad >= KW (a window could then hold only padding),
 * or when the window is larger than the padded input.
 */
export function pool2dGeometry(args: Pool2dArgs): Pool2dGeometry {
  const KW = args.KW ?? args.KH;
  const stride = args.stride ?? args.KH;
  const pad = args.pad ?? 0;
  for (const name of ['N', 'C', 'H', 'W', 'KH'] as const) checkInteger(name, args[name], 1);
  checkInteger('KW', KW, 1);
  checkInteger('stride', stride, 1);
  checkInteger('pad', pad, 0);
  if (pad >= args.KH || pad >= KW) {
    throw new RangeError(`pool2dGeometry: pad must be less than KH and KW, received pad = ${pad} with KH = ${args.KH}, KW = ${KW}`);
  }
  const paddedH = args.H + 2 * pad;
  const paddedW = args.W + 2 * pad;
  if (args.KH > paddedH || KW > paddedW) {
    throw new RangeError(`pool2dGeometry: the ${args.KH}x${KW} window does not fit the padded input ` +
      `(H + 2*pad) x (W + 2*pad) = ${paddedH}x${paddedW}`);
  }
  return {
    N: args.N, C: args.C, H: args.H, W: args.W, KH: args.KH, KW, stride, pad,
    OH: Math.floor((paddedH - args.KH) / stride) + 1,
    OW: Math.floor((paddedW - KW) / stride) + 1,
  };
}

/**
 * Overwrites y with the maximum of every window and argmax with its index h·W + w in the H×W
 * plane. Ties go to the first maximum, and a NaN in a window wins.
 */
export function maxPool2dForward(geometry: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void {
  const g = geometry;
  native().maxPool2dForward(x, y, argmax, g.N, g.C, g.H, g.W, g.KH, g.KW, g.stride, g.pad);
}

/** Overwrites dx: zero, then each dy added at its argmax position (summed where windows overlap). */
export function maxPool2dBackward(geometry: Pool2dGeometry, dy: Float32Array, argmax: Int32Array, dx: Float32Array): void {
  const g = geometry;
  native().maxPool2dBackward(dy, argmax, dx, g.N, g.C, g.H, g.W, g.OH, g.OW);
}
