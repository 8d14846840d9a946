/**
 * Typed wrappers of the native 2-D convolution (cross-correlation, no bias, groups = 1).
 * Layouts are NCHW for images and [K, C, KH, KW] for filters; outputs are overwritten.
 */
import { native } from '../native/loader';

/** Shape of one convolution: the arguments plus the derived output size. */
export interface Conv2dGeometry {
  /** Batch size. */
  N: number;
  /** Input channels. */
  C: number;
  /** Input height. */
  H: number;
  /** Input width. */
  W: number;
  /** Output channels (filters). */
  K: number;
  /** Filter height. */
  KH: number;
  /** Filter width. */
  KW: number;
  /** Step between windows, the same on both axes. */
  stride: number;
  /** Zero padding added on every side. */
  pad: number;
  /** Output height: floor((H + 2·pad − KH) / stride) + 1. */
  OH: number;
  /** Output width: floor((W + 2·pad − KW) / stride) + 1. */
  OW: number;
}

export interface Conv2dArgs {
  N: number;
  C: number;
  H: number;
  W: number;
  K: number;
  KH: number;
  KW: number;
  /** Default 1. */
  stride?: number;
  /** Default 0. */
  pad?: number;
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > 0x7fffffff) {
    throw new RangeError(`conv2dGeometry: ${name} must be an integer in [${min}, 2147483647], received ${value}`);
  }
}

/**
 * Validates the arguments and derives OH and OW. Throws a RangeError naming the argument, or
 * saying that the kernel is larger than the padded input.
 */
export function conv2dGeometry(args: Conv2dArgs): Conv2dGeometry {
  const { N, C, H, W, K, KH, KW } = args;
  const stride = args.stride ?? 1;
  const pad = args.pad ?? 0;
  for (const [name, value] of Object.entries({ N, C, H, W, K, KH, KW, stride })) checkInteger(name, value, 1);
  checkInteger('pad', pad, 0);

  const paddedH = H + 2 * pad;
  const paddedW = W + 2 * pad;
  if (KH > paddedH || KW > paddedW) {
    throw new RangeError(
      `conv2dGeometry: kernel ${KH}x${KW} is larger than the padded input ${paddedH}x${paddedW} (H + 2*pad by W + 2*pad)`,
    );
  }
  const OH = Math.floor((paddedH - KH) / stride) + 1;
  const OW = Math.floor((paddedW - KW) / stride) + 1;
  return { N, C, H, W, K, KH, KW, stride, pad, OH, OW };
}

/** y [N, K, OH, OW] = conv(x [N, C, H, W], w [K, C, KH, KW]). */
export function conv2dForward(x: Float32Array, w: Float32Array, y: Float32Array, g: Conv2dGeometry): void {
  native().conv2dForward(x, w, y, g.N, g.C, g.H, g.W, g.K, g.KH, g.KW, g.stride, g.pad);
}

/** dx [N, C, H, W] = gradient of Σ dy·y with respect to x. */
export function conv2dBackwardData(dy: Float32Array, w: Float32Array, dx: Float32Array, g: Conv2dGeometry): void {
  native().conv2dBackwardData(dy, w, dx, g.N, g.C, g.H, g.W, g.K, g.KH, g.KW, g.stride, g.pad);
}

/** dw [K, C, KH, KW] = gradient of Σ dy·y with respect to w, summed over the batch. */
export function conv2dBackwardFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, g: Conv2dGeometry): void {
  native().conv2dBackwardFilter(x, dy, dw, g.N, g.C, g.H, g.W, g.K, g.KH, g.KW, g.stride, g.pad);
}
