/**
 * Exact Euclidean distance transform (EDT) on 3D volumes in C order (z, y, x) with anisotropic
 * spacing, in linear time: a binary two-sweep pass along z followed by the Felzenszwalb–Huttenlocher
 * lower envelope of parabolas along y and then x. Squared distances are kept in float64 and summed in
 * the same order as SciPy's `distance_transform_edt` ((dz*sz)^2 + (dy*sy)^2) + (dx*sx)^2, so for the
 * same nearest feature the result is bit-identical; the square root is taken only at the end.
 *
 * Everything here works on plain typed arrays and reusable scratch buffers (no per-voxel allocations).
 */
import type { Shape3 } from '../data/resize.js';

/** Voxel size along axes 0, 1, 2 (z, y, x), e.g. [2.5, 0.8, 0.8]. */
export type Spacing3 = readonly [number, number, number];

/** Reusable scratch memory for the EDT; grows on demand. One workspace per concurrent computation. */
export class EdtWorkspace {
  /** Squared distances, one per voxel of the (cropped) volume. */
  sq: Float64Array = new Float64Array(0);
  /** One line of input values. */
  line: Float64Array = new Float64Array(0);
  /** One line of output values. */
  lineOut: Float64Array = new Float64Array(0);
  /** Envelope parabola positions. */
  vert: Int32Array = new Int32Array(0);
  /** Envelope boundaries. */
  bound: Float64Array = new Float64Array(0);

  /** Makes sure the buffers hold `voxels` voxels and lines of length `maxLine`. */
  ensure(voxels: number, maxLine: number): void {
    if (this.sq.length < voxels) this.sq = new Float64Array(Math.max(voxels, this.sq.length * 2));
    if (this.line.length < maxLine) {
      this.line = new Float64Array(maxLine);
      this.lineOut = new Float64Array(maxLine);
      this.vert = new Int32Array(maxLine);
      this.bound = new Float64Array(maxLine + 1);
    }
  }
}

/** Throws (naming `name`) unless `shape` is three positive integers whose product is `length`. */
export function checkShape(shape: Readonly<Shape3>, length: number, name: string): void {
  if (shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${name}: shape must be three positive integers, got [${shape.join(', ')}]`);
  }
  if (shape[0] * shape[1] * shape[2] !== length) {
    throw new Error(`${name}: ${length} elements do not match shape [${shape.join(', ')}]`);
  }
}

/** Throws (naming `name`) unless `spacing` is three positive finite numbers. */
export function checkSpacing(spacing: Spacing3, name: string): void {
  if (spacing.length !== 3 || !spacing.every((s) => Number.isFinite(s) && s > 0)) {
    throw new Error(`${name}: spacing must be three positive finite numbers, got [${spacing.join(', ')}]`);
  }
}

/**
 * Pass 1 (axis z, binary): out[i] = (sz * |z - nearest feature z in the same column|)^2, or Infinity
 * when the column has no feature. Sweeps whole planes so memory access stays contiguous.
 */
function passZ(feat: Uint8Array, out: Float64Array, Z: number, plane: number, sz: number): void {
  for (let i = 0; i < plane; i++) out[i] = feat[i] ? 0 : Infinity;
  for (let z = 1; z < Z; z++) {
    const b = z * plane;
    for (let i = b, e = b + plane; i < e; i++) out[i] = feat[i] ? 0 : out[i - plane] + 1;
  }
  for (let z = Z - 2; z >= 0; z--) {
    const b = z * plane;
    for (let i = b, e = b + plane; i < e; i++) {
      const t = out[i + plane] + 1;
      if (t < out[i]) out[i] = t;
    }
  }
  for (let i = 0, e = Z * plane; i < e; i++) {
    const d = out[i];
    if (d !== Infinity) {
      const t = sz * d;
      out[i] = t * t;
    }
  }
}

/**
 * One-dimensional squared distance transform of sampled function f (Infinity = no feature):
 * out[p] = min_q f[q] + (s * (p - q))^2 (Felzenszwalb & Huttenlocher 2012). Returns false (and leaves
 * `out` untouched) when every f[q] is Infinity.
 */
function envelope1d(
  f: Float64Array,
  n: number,
  s: number,
  out: Float64Array,
  v: Int32Array,
  zb: Float64Array,
): boolean {
  let q0 = 0;
  while (q0 < n && f[q0] === Infinity) q0++;
  if (q0 === n) return false;
  const s2 = s * s;
  let k = 0;
  v[0] = q0;
  zb[0] = -Infinity;
  zb[1] = Infinity;
  for (let q = q0 + 1; q < n; q++) {
    const fq = f[q];
    if (fq === Infinity) continue;
    const hq = fq + s2 * q * q;
    for (;;) {
      const vk = v[k];
      const sect = (hq - (f[vk] + s2 * vk * vk)) / (2 * s2 * (q - vk));
      if (sect <= zb[k]) {
        k--; // zb[0] = -Infinity guarantees k stays >= 0
      } else {
        k++;
        v[k] = q;
        zb[k] = sect;
        zb[k + 1] = Infinity;
        break;
      }
    }
  }
  k = 0;
  for (let p = 0; p < n; p++) {
    while (zb[k + 1] < p) k++;
    const vk = v[k];
    const t = s * (p - vk);
    out[p] = f[vk] + t * t;
  }
  return true;
}

/**
 * Squared EDT in place on `ws.sq` for a volume of dims [Z, Y, X]: ws.sq[i] = squared distance from
 * voxel i to the nearest voxel with feat != 0 (Infinity when there is none). When `rows` is given,
 * the final x pass is done only for rows (z*Y + y) with rows[row] != 0; other rows keep partial
 * (z, y only) values and must not be read.
 */
export function squaredEdtInto(
  feat: Uint8Array,
  dims: Readonly<Shape3>,
  spacing: Spacing3,
  ws: EdtWorkspace,
  rows?: Uint8Array,
): Float64Array {
  const [Z, Y, X] = dims;
  const plane = Y * X;
  ws.ensure(Z * plane, Math.max(Y, X));
  const sq = ws.sq;
  passZ(feat, sq, Z, plane, spacing[0]);
  const line = ws.line,
    lineOut = ws.lineOut,
    v = ws.vert,
    zb = ws.bound;
  const sy = spacing[1],
    sx = spacing[2];
  // pass 2: along y (stride X)
  if (Y > 1) {
    for (let z = 0; z < Z; z++) {
      const b = z * plane;
      for (let x = 0; x < X; x++) {
        let any = false;
        for (let y = 0, i = b + x; y < Y; y++, i += X) {
          const val = sq[i];
          line[y] = val;
          if (val !== Infinity) any = true;
        }
        if (!any) continue;
        envelope1d(line, Y, sy, lineOut, v, zb);
        for (let y = 0, i = b + x; y < Y; y++, i += X) sq[i] = lineOut[y];
      }
    }
  }
  // pass 3: along x (contiguous)
  if (X > 1) {
    const nRows = Z * Y;
    for (let r = 0; r < nRows; r++) {
      if (rows !== undefined && !rows[r]) continue;
      const b = r * X;
      let any = false;
      for (let x = 0; x < X; x++) {
        const val = sq[b + x];
        line[x] = val;
        if (val !== Infinity) any = true;
      }
      if (!any) continue;
      envelope1d(line, X, sx, lineOut, v, zb);
      for (let x = 0; x < X; x++) sq[b + x] = lineOut[x];
    }
  }
  return sq;
}

/**
 * Exact Euclidean distance from every voxel to the nearest voxel where `features` is non-zero,
 * with voxel size `spacing` (SciPy: `distance_transform_edt(features == 0, sampling=spacing)`).
 * Voxels of a volume without any feature get Infinity (SciPy returns an undefined-looking value
 * there). Linear time in the number of voxels.
 */
export function distanceTransform(
  features: ArrayLike<number>,
  shape: Readonly<Shape3>,
  spacing: Spacing3,
): Float64Array {
  checkShape(shape, features.length, 'distanceTransform(features)');
  checkSpacing(spacing, 'distanceTransform');
  const n = features.length;
  let feat: Uint8Array;
  if (features instanceof Uint8Array) feat = features;
  else {
    feat = new Uint8Array(n);
    for (let i = 0; i < n; i++) feat[i] = features[i] ? 1 : 0;
  }
  const ws = new EdtWorkspace();
  const sq = squaredEdtInto(feat, shape, spacing, ws);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(sq[i]);
  return out;
}
