/**
 * Float64 reference convolution: the oracle the native kernels are tested against.
 * Cross-correlation without bias, NCHW images, [K, C, KH, KW] filters, zero padding; geometry
 * from conv2dGeometry. Inputs may be Float32Array or Float64Array; outputs are Float64Array.
 */
import type { Conv2dGeometry } from '../kernels/conv2d';

type Numbers = ArrayLike<number>;

/** Element strides of the three tensors, named after tensor and dimension. */
function stridesOf(g: Conv2dGeometry) {
  return {
    xBatchStride: g.C * g.H * g.W,
    xChannelStride: g.H * g.W,
    xRowStride: g.W,
    wFilterStride: g.C * g.KH * g.KW,
    wChannelStride: g.KH * g.KW,
    wRowStride: g.KW,
    yBatchStride: g.K * g.OH * g.OW,
    yChannelStride: g.OH * g.OW,
    yRowStride: g.OW,
  };
}

/**
 * Calls visit(xIndex, wIndex, yIndex) for every product x·w that enters some y element, i.e.
 * every (n, k, oh, ow, c, kh, kw) whose input position lies inside the image.
 */
function forEachTerm(g: Conv2dGeometry, visit: (xIndex: number, wIndex: number, yIndex: number) => void): void {
  const s = stridesOf(g);
  for (let n = 0; n < g.N; n++) {
    for (let k = 0; k < g.K; k++) {
      for (let oh = 0; oh < g.OH; oh++) {
        for (let ow = 0; ow < g.OW; ow++) {
          const yIndex = n * s.yBatchStride + k * s.yChannelStride + oh * s.yRowStride + ow;
          for (let c = 0; c < g.C; c++) {
            for (let kh = 0; kh < g.KH; kh++) {
              const ih = oh * g.stride - g.pad + kh;
              if (ih < 0 || ih >= g.H) continue;
              for (let kw = 0; kw < g.KW; kw++) {
                const iw = ow * g.stride - g.pad + kw;
                if (iw < 0 || iw >= g.W) continue;
                const xIndex = n * s.xBatchStride + c * s.xChannelStride + ih * s.xRowStride + iw;
                const wIndex = k * s.wFilterStride + c * s.wChannelStride + kh * s.wRowStride + kw;
                visit(xIndex, wIndex, yIndex);
              }
            }
          }
        }
      }
    }
  }
}

/** y[n,k,oh,ow] = Σ over c, kh, kw of w[k,c,kh,kw] · x[n, c, oh·stride − pad + kh, ow·stride − pad + kw]. */
export function conv2dForward(x: Numbers, w: Numbers, g: Conv2dGeometry): Float64Array {
  const y = new Float64Array(g.N * g.K * g.OH * g.OW);
  forEachTerm(g, (xi, wi, yi) => {
    y[yi] += x[xi] * w[wi];
  });
  return y;
}

/** dx = ∂(Σ dy·y)/∂x: each x element collects w·dy over every window that reads it. */
export function conv2dBackwardData(dy: Numbers, w: Numbers, g: Conv2dGeometry): Float64Array {
  const dx = new Float64Array(g.N * g.C * g.H * g.W);
  forEachTerm(g, (xi, wi, yi) => {
    dx[xi] += w[wi] * dy[yi];
  });
  return dx;
}

/** dw = ∂(Σ dy·y)/∂w: each weight collects x·dy over all images and output positions. */
export function conv2dBackwardFilter(x: Numbers, dy: Numbers, g: Conv2dGeometry): Float64Array {
  const dw = new Float64Array(g.K * g.C * g.KH * g.KW);
  forEachTerm(g, (xi, wi, yi) => {
    dw[wi] += x[xi] * dy[yi];
  });
  return dw;
}
