/**
 * 3-D resizing that reproduces PyTorch's CPU `F.interpolate(x[None, None], size, ...)`:
 * - `resizeTrilinear`: mode='trilinear', align_corners=False, float32 arithmetic;
 * - `resizeNearest`: mode='nearest' (the legacy, floor-based rule), bit for bit.
 *
 * Volumes are C-order typed arrays with shape [D, H, W]. Both run as separable passes over precomputed
 * per-axis index/weight tables; no per-voxel allocation.
 */

/** A 3-D size or index triple [D, H, W] (C order: W varies fastest); the one shape type of 3-D volumes. */
export type Shape3 = [number, number, number];
/** The typed arrays a volume to resize may be held in. */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array;

const f = Math.fround;

/** Per output index along one axis: the two input indices and their float32 weights (linear interpolation). */
export interface LinearTable {
  i0: Int32Array;
  i1: Int32Array;
  w0: Float32Array;
  w1: Float32Array;
}

/**
 * PyTorch's `compute_indices_weights_linear` for align_corners=False, in float32:
 * scale = (float)in / out; src = max(fma(scale, dst + 0.5f, -0.5f), 0); i0 = min(floor(src), in - 1);
 * i1 = i0 + (i0 < in - 1); lambda1 = clamp(src - i0, 0, 1); lambda0 = 1 - lambda1.
 */
export function linearTable(inSize: number, outSize: number): LinearTable {
  checkSize(inSize, outSize);
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w0 = new Float32Array(outSize);
  const w1 = new Float32Array(outSize);
  const scale = f(inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    if (inSize === outSize) {
      i0[o] = o;
      i1[o] = o;
      w0[o] = 1;
      w1[o] = 0;
      continue;
    }
    // PyTorch's vectorized (AVX2/AVX-512) build fuses this into one float32 fma: a single rounding of the
    // exact scale * (o + 0.5) - 0.5, which double arithmetic computes exactly here.
    let src = f(scale * (o + 0.5) - 0.5);
    if (src < 0) src = 0;
    const a = Math.min(Math.floor(src), inSize - 1);
    const l1 = Math.min(Math.max(f(src - a), 0), 1);
    i0[o] = a;
    i1[o] = a + (a < inSize - 1 ? 1 : 0);
    w1[o] = l1;
    w0[o] = f(1 - l1);
  }
  return { i0, i1, w0, w1 };
}

/**
 * PyTorch's legacy nearest index (`nearest_idx`): identity when out == in, dst >> 1 when out == 2 in,
 * otherwise min(floorf(dst * scale), in - 1) with scale = (float)in / out and the product in float32.
 */
export function nearestTable(inSize: number, outSize: number): Int32Array {
  checkSize(inSize, outSize);
  const idx = new Int32Array(outSize);
  const scale = f(inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    if (outSize === inSize) idx[o] = o;
    else if (outSize === 2 * inSize) idx[o] = o >> 1;
    else idx[o] = Math.min(Math.floor(f(f(o) * scale)), inSize - 1);
  }
  return idx;
}

function checkSize(inSize: number, outSize: number): void {
  if (!(Number.isInteger(inSize) && inSize > 0 && Number.isInteger(outSize) && outSize > 0)) {
    throw new Error(`resize: sizes must be positive integers (input ${inSize}, output ${outSize})`);
  }
}

function checkShape(
  name: string,
  src: { length: number },
  inShape: readonly number[],
  outShape: readonly number[],
): void {
  if (inShape.length !== 3 || outShape.length !== 3) {
    throw new Error(`${name}: expected 3-D shapes, got input [${inShape}] output [${outShape}]`);
  }
  const n = inShape[0]! * inShape[1]! * inShape[2]!;
  if (src.length !== n) throw new Error(`${name}: input has ${src.length} elements, shape [${inShape}] needs ${n}`);
}

/**
 * Trilinear resize (align_corners=False) of a [D, H, W] volume to outShape, returned as float32.
 * The input is taken as float32 (as `tensor.float()` would); the arithmetic follows PyTorch's CPU kernel
 * as built with FMA: W innermost, then H, then D, each level `fma(t0, w0, fl(t1 * w1))` rounded to float32
 * (the product t0 * w0 of two float32 values is exact in double, so one rounding remains, as in the fma).
 * Checked bit for bit against PyTorch 2.x on an AVX2 CPU.
 */
export function resizeTrilinear(
  src: NumericArray,
  inShape: readonly number[],
  outShape: readonly number[],
): Float32Array {
  checkShape('resizeTrilinear', src, inShape, outShape);
  const [D, H, W] = inShape as Shape3;
  const [OD, OH, OW] = outShape as Shape3;
  const td = linearTable(D, OD);
  const th = linearTable(H, OH);
  const tw = linearTable(W, OW);
  // Only input rows/slices referenced by some output are interpolated.
  const needZ = new Uint8Array(D);
  for (let o = 0; o < OD; o++) {
    needZ[td.i0[o]!] = 1;
    needZ[td.i1[o]!] = 1;
  }
  const needY = new Uint8Array(H);
  for (let o = 0; o < OH; o++) {
    needY[th.i0[o]!] = 1;
    needY[th.i1[o]!] = 1;
  }

  // Passes 1 (W) and 2 (H), one input slice at a time through a small reused buffer:
  // rowW[y, ox] = W-interpolation of input row (z, y); tmpH[z, oy, ox] = H-interpolation of rowW.
  const rowW = new Float32Array(H * OW);
  const tmpH = new Float32Array(D * OH * OW);
  const { i0: wi0, i1: wi1, w0: ww0, w1: ww1 } = tw;
  const { i0: hi0, i1: hi1, w0: hw0, w1: hw1 } = th;
  for (let z = 0; z < D; z++) {
    if (!needZ[z]) continue;
    for (let y = 0; y < H; y++) {
      if (!needY[y]) continue;
      const sb = (z * H + y) * W;
      const ob = y * OW;
      for (let x = 0; x < OW; x++) {
        rowW[ob + x] = src[sb + wi0[x]!]! * ww0[x]! + f(src[sb + wi1[x]!]! * ww1[x]!);
      }
    }
    for (let y = 0; y < OH; y++) {
      const a = hi0[y]! * OW;
      const b = hi1[y]! * OW;
      const wa = hw0[y]!;
      const wb = hw1[y]!;
      const ob = (z * OH + y) * OW;
      for (let x = 0; x < OW; x++) tmpH[ob + x] = rowW[a + x]! * wa + f(rowW[b + x]! * wb);
    }
  }
  // Pass 3 (D): out[oz, oy, ox]
  const plane = OH * OW;
  const out = new Float32Array(OD * plane);
  for (let z = 0; z < OD; z++) {
    const a = td.i0[z]! * plane;
    const b = td.i1[z]! * plane;
    const wa = td.w0[z]!;
    const wb = td.w1[z]!;
    const ob = z * plane;
    for (let i = 0; i < plane; i++) out[ob + i] = tmpH[a + i]! * wa + f(tmpH[b + i]! * wb);
  }
  return out;
}

/**
 * Nearest resize (PyTorch mode='nearest') of a [D, H, W] volume; the result has the input's array type.
 */
export function resizeNearest<T extends NumericArray>(
  src: T,
  inShape: readonly number[],
  outShape: readonly number[],
): T {
  checkShape('resizeNearest', src, inShape, outShape);
  const [D, H, W] = inShape as Shape3;
  const [OD, OH, OW] = outShape as Shape3;
  const id = nearestTable(D, OD);
  const ih = nearestTable(H, OH);
  const iw = nearestTable(W, OW);
  const Ctor = src.constructor as new (n: number) => T;
  const out = new Ctor(OD * OH * OW);
  let o = 0;
  for (let z = 0; z < OD; z++) {
    const zb = id[z]! * H;
    for (let y = 0; y < OH; y++) {
      const rb = (zb + ih[y]!) * W;
      for (let x = 0; x < OW; x++) out[o++] = src[rb + iw[x]!]!;
    }
  }
  return out;
}
