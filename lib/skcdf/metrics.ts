/**
 * Segmentation metrics of the SKCDF evaluation, exact re-implementations of
 * medpy 0.4.0 (`medpy.metric.binary`) on typed arrays:
 *
 * - border(X) = X minus its erosion by the 6-connected cross (SciPy `binary_erosion` with the default
 *   border_value 0, so voxels on the array faces are border voxels);
 * - sds(P, R) = distances (in `spacing` units) of P's border voxels to the nearest border voxel of R,
 *   listed in C order of P's border voxels (SciPy `distance_transform_edt(~border(R), sampling)[border(P)]`);
 * - `asd` = mean sds(pred, ref); `assd` = mean of both directed means; `hd` = max of both directions;
 *   `hd95` = 95th percentile (NumPy linear interpolation) of the POOLED distances of both directions.
 *
 * Distances use the exact linear-time EDT of `edt.ts`, computed only inside the union bounding box of
 * P and R. That crop is exact: every border voxel of R (the features) and of P (the queries) lies in
 * it, and voxels just outside it are background, so borders are unchanged too.
 */
import { EdtWorkspace, squaredEdtInto, checkShape, checkSpacing, type Spacing3 } from './edt.js';
import type { Shape3 } from '../data/resize.js';

export { distanceTransform, EdtWorkspace, type Spacing3 } from './edt.js';

/** Label maps accepted by {@link evaluateCase}: integer class indices in [0, numClasses). */
export type LabelArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** Binary masks: non-zero = foreground (normally Uint8Array of 0/1). */
export type Mask = ArrayLike<number>;

/** Value used by the reference for ASD (and here also ASSD and HD95) when exactly one mask is empty. */
export const EMPTY_MASK_DISTANCE = 128;

/** Per-class metrics of one case. */
export interface ClassMetrics {
  /** Foreground class index (1 .. numClasses-1). */
  classIndex: number;
  /** Dice in percent (0..100). */
  dice: number;
  /** Directed average surface distance pred -> label (medpy `asd(pred, label)`), in spacing units. */
  asd: number;
  /** Symmetric ASSD: mean of both directed ASDs (NaN when computed with `symmetric: false`). */
  assd: number;
  /** medpy HD95: 95th percentile of the pooled distances of both directions (NaN with `symmetric: false`). */
  hd95: number;
  /** Voxel counts of the class in pred and label. */
  nPred: number;
  nLabel: number;
}

/** evaluateCase's options: whether to compute the label -> prediction direction too (for ASSD and HD95). */
export interface EvaluateOptions {
  /**
   * Also compute the label -> pred direction, needed for ASSD and HD95 (default true). With false only
   * Dice and the directed ASD (all the reference reports) are computed; assd and hd95 are NaN.
   */
  symmetric?: boolean;
}

// ---------------------------------------------------------------------------------------------
// internals

/** Scratch buffers for the per-pair computation; grows on demand and is reused across classes. */
class PairWorkspace {
  p = new Uint8Array(0);
  g = new Uint8Array(0);
  bp = new Uint8Array(0);
  bg = new Uint8Array(0);
  rows = new Uint8Array(0);
  dPG = new Float64Array(0);
  dGP = new Float64Array(0);
  edt = new EdtWorkspace();

  ensure(voxels: number, rows: number): void {
    if (this.p.length < voxels) {
      const n = Math.max(voxels, this.p.length * 2);
      this.p = new Uint8Array(n);
      this.g = new Uint8Array(n);
      this.bp = new Uint8Array(n);
      this.bg = new Uint8Array(n);
    }
    if (this.rows.length < rows) this.rows = new Uint8Array(Math.max(rows, this.rows.length * 2));
  }

  dist(which: 0 | 1, n: number): Float64Array {
    if (which === 0) {
      if (this.dPG.length < n) this.dPG = new Float64Array(Math.max(n, this.dPG.length * 2));
      return this.dPG;
    }
    if (this.dGP.length < n) this.dGP = new Float64Array(Math.max(n, this.dGP.length * 2));
    return this.dGP;
  }
}

/** out = border(m) on a crop of dims [Z, Y, X] whose outside is background; returns the border count. */
function borderInto(m: Uint8Array, out: Uint8Array, Z: number, Y: number, X: number): number {
  const plane = Y * X;
  let count = 0;
  for (let z = 0; z < Z; z++) {
    const zIn = z > 0 && z < Z - 1;
    for (let y = 0; y < Y; y++) {
      const yzIn = zIn && y > 0 && y < Y - 1;
      const b = (z * Y + y) * X;
      for (let x = 0; x < X; x++) {
        const i = b + x;
        if (!m[i]) {
          out[i] = 0;
          continue;
        }
        const interior =
          yzIn && x > 0 && x < X - 1 && m[i - 1] && m[i + 1] && m[i - X] && m[i + X] && m[i - plane] && m[i + plane];
        if (interior) out[i] = 0;
        else {
          out[i] = 1;
          count++;
        }
      }
    }
  }
  return count;
}

/**
 * Distances of the `nQuery` voxels with query[i] != 0 (C order) to the nearest voxel with feat != 0,
 * written to out[0..nQuery).
 */
function directedInto(
  query: Uint8Array,
  feat: Uint8Array,
  dims: Shape3,
  spacing: Spacing3,
  ws: PairWorkspace,
  out: Float64Array,
): void {
  const [Z, Y, X] = dims;
  const nRows = Z * Y;
  const rows = ws.rows;
  for (let r = 0; r < nRows; r++) {
    let any = 0;
    for (let i = r * X, e = i + X; i < e; i++) any |= query[i];
    rows[r] = any;
  }
  const sq = squaredEdtInto(feat, dims, spacing, ws.edt, rows);
  let k = 0;
  for (let r = 0; r < nRows; r++) {
    if (!rows[r]) continue;
    for (let i = r * X, e = i + X; i < e; i++) if (query[i]) out[k++] = Math.sqrt(sq[i]);
  }
}

interface PairResult {
  nP: number;
  nG: number;
  nI: number;
  /** sds(P, G) (length = border count of P). */
  dPG: Float64Array;
  /** sds(G, P), or undefined when not requested. */
  dGP: Float64Array | undefined;
}

/**
 * Core on cropped binary masks ws.p, ws.g (0/1) of dims; both must be non-empty. The returned arrays
 * are views into the workspace (valid until its next use).
 */
function pairCore(dims: Shape3, spacing: Spacing3, ws: PairWorkspace, symmetric: boolean): PairResult {
  const [Z, Y, X] = dims;
  const n = Z * Y * X;
  const p = ws.p,
    g = ws.g;
  let nP = 0,
    nG = 0,
    nI = 0;
  for (let i = 0; i < n; i++) {
    const a = p[i],
      b = g[i];
    nP += a;
    nG += b;
    nI += a & b;
  }
  const nbP = borderInto(p, ws.bp, Z, Y, X);
  const nbG = borderInto(g, ws.bg, Z, Y, X);
  const dPG = ws.dist(0, nbP).subarray(0, nbP);
  directedInto(ws.bp, ws.bg, dims, spacing, ws, dPG);
  let dGP: Float64Array | undefined;
  if (symmetric) {
    dGP = ws.dist(1, nbG).subarray(0, nbG);
    directedInto(ws.bg, ws.bp, dims, spacing, ws, dGP);
  }
  return { nP, nG, nI, dPG, dGP };
}

/** Crops two full binary masks to the bounding box of their union into ws.p / ws.g; null if both empty. */
function cropUnion(pred: Mask, ref: Mask, shape: Shape3, ws: PairWorkspace): Shape3 | null {
  const [Z, Y, X] = shape;
  let z0 = Z,
    z1 = -1,
    y0 = Y,
    y1 = -1,
    x0 = X,
    x1 = -1;
  for (let z = 0, i = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, i++) {
        if (pred[i] || ref[i]) {
          if (z < z0) z0 = z;
          if (z > z1) z1 = z;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
        }
      }
    }
  }
  if (z1 < 0) return null;
  const dims: Shape3 = [z1 - z0 + 1, y1 - y0 + 1, x1 - x0 + 1];
  ws.ensure(dims[0] * dims[1] * dims[2], dims[0] * dims[1]);
  const p = ws.p,
    g = ws.g;
  let k = 0;
  for (let z = z0; z <= z1; z++) {
    for (let y = y0; y <= y1; y++) {
      for (let i = (z * Y + y) * X + x0, e = i + dims[2]; i < e; i++, k++) {
        p[k] = pred[i] ? 1 : 0;
        g[k] = ref[i] ? 1 : 0;
      }
    }
  }
  return dims;
}

function checkPair(pred: Mask, ref: Mask, shape: Shape3, spacing: Spacing3, fn: string): void {
  checkShape(shape, pred.length, `${fn}(pred)`);
  checkShape(shape, ref.length, `${fn}(ref)`);
  checkSpacing(spacing, fn);
}

/** Both directions on full masks; throws (like medpy) when either mask is empty. */
function surfaceDistancesBoth(
  pred: Mask,
  ref: Mask,
  shape: Shape3,
  spacing: Spacing3,
  symmetric: boolean,
  fn: string,
): PairResult {
  checkPair(pred, ref, shape, spacing, fn);
  const ws = new PairWorkspace();
  const dims = cropUnion(pred, ref, shape, ws);
  let nP = 0,
    nG = 0;
  if (dims) {
    const n = dims[0] * dims[1] * dims[2];
    for (let i = 0; i < n; i++) {
      nP += ws.p[i];
      nG += ws.g[i];
    }
  }
  if (!dims || nP === 0) throw new Error(`${fn}: pred contains no foreground voxel`);
  if (nG === 0) throw new Error(`${fn}: ref contains no foreground voxel`);
  return pairCore(dims, spacing, ws, symmetric);
}

function mean(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

function max(a: Float64Array): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// ---------------------------------------------------------------------------------------------
// public API

/**
 * q-th percentile (0..100) with NumPy's default 'linear' method, bit-exact with `numpy.percentile`
 * (same virtual index (n-1)*q/100 and the same two-sided lerp). Does not modify `values`.
 */
export function percentile(values: ArrayLike<number>, q: number): number {
  const n = values.length;
  if (n === 0) throw new Error('percentile: empty input');
  if (!(q >= 0 && q <= 100)) throw new Error(`percentile: q must be in [0, 100], got ${q}`);
  const s = Float64Array.from(values).sort();
  const virt = (n - 1) * (q / 100);
  const prev = Math.floor(virt);
  const next = Math.min(prev + 1, n - 1);
  const gamma = virt - prev;
  const a = s[prev],
    b = s[next];
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/**
 * Dice coefficient 2|P and R| / (|P| + |R|) as a fraction (medpy `dc`); 0 when both are empty
 * (medpy's ZeroDivisionError fallback). Masks: non-zero = foreground.
 */
export function dice(pred: Mask, ref: Mask): number {
  if (pred.length !== ref.length) {
    throw new Error(`dice: pred has ${pred.length} elements but ref has ${ref.length}`);
  }
  let nP = 0,
    nR = 0,
    nI = 0;
  for (let i = 0; i < pred.length; i++) {
    const a = pred[i] ? 1 : 0,
      b = ref[i] ? 1 : 0;
    nP += a;
    nR += b;
    nI += a & b;
  }
  return nP + nR === 0 ? 0 : (2 * nI) / (nP + nR);
}

/**
 * sds(pred, ref): Euclidean distance (scaled by `spacing` = voxel size along z, y, x) from each border
 * voxel of `pred` to the nearest border voxel of `ref`, in C order of pred's border voxels
 * (= SciPy `distance_transform_edt(~border(ref), sampling=spacing)[border(pred)]`).
 * Throws when either mask is empty (medpy raises RuntimeError).
 */
export function directedSurfaceDistances(pred: Mask, ref: Mask, shape: Shape3, spacing: Spacing3): Float64Array {
  return surfaceDistancesBoth(pred, ref, shape, spacing, false, 'directedSurfaceDistances').dPG.slice();
}

/** Average surface distance pred -> ref, medpy `asd(pred, ref, spacing)` = mean sds(pred, ref). */
export function asd(pred: Mask, ref: Mask, shape: Shape3, spacing: Spacing3): number {
  return mean(surfaceDistancesBoth(pred, ref, shape, spacing, false, 'asd').dPG);
}

/** Average symmetric surface distance, medpy 0.4.0 `assd` = (asd(pred, ref) + asd(ref, pred)) / 2. */
export function assd(pred: Mask, ref: Mask, shape: Shape3, spacing: Spacing3): number {
  const r = surfaceDistancesBoth(pred, ref, shape, spacing, true, 'assd');
  return (mean(r.dPG) + mean(r.dGP!)) / 2;
}

/** Hausdorff distance, medpy `hd`: max over both directions of the surface distances. */
export function hd(pred: Mask, ref: Mask, shape: Shape3, spacing: Spacing3): number {
  const r = surfaceDistancesBoth(pred, ref, shape, spacing, true, 'hd');
  return Math.max(max(r.dPG), max(r.dGP!));
}

/**
 * medpy `hd95`: `numpy.percentile(concatenate(sds(pred, ref), sds(ref, pred)), 95)`, one percentile
 * of the POOLED distances of both directions (not the max of two directed percentiles).
 */
export function hd95(pred: Mask, ref: Mask, shape: Shape3, spacing: Spacing3): number {
  const r = surfaceDistancesBoth(pred, ref, shape, spacing, true, 'hd95');
  return percentile(concat(r.dPG, r.dGP!), 95);
}

/**
 * Per-case, per-class evaluation, as the reference evaluates a test case. For each foreground class
 * c = 1..numClasses-1, with P = (pred == c) and G = (label == c):
 *
 * - both non-empty: dice = 100 * dc(P, G), asd = medpy asd(P, G) (directed, pred -> label), assd,
 *   hd95 (medpy, pooled) — all with `spacing`;
 * - exactly one empty: dice 0, asd 128 — the reference's rule; assd and hd95 are set to 128 too;
 * - both empty: dice 100, asd 0 (and assd = hd95 = 0). NOTE: the reference records ASD 1 here — a
 *   scale slip (it stores Dice as a fraction 1 = 100 %); we record 0, which is the correct distance.
 *
 * One pass over each label map collects the per-class bounding boxes; each class is then processed
 * only inside the union bounding box of P and G. Labels must be integers in [0, numClasses).
 */
export function evaluateCase(
  pred: LabelArray,
  label: LabelArray,
  shape: Shape3,
  spacing: Spacing3,
  numClasses: number,
  options: EvaluateOptions = {},
): ClassMetrics[] {
  checkShape(shape, pred.length, 'evaluateCase(pred)');
  checkShape(shape, label.length, 'evaluateCase(label)');
  checkSpacing(spacing, 'evaluateCase');
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 65536) {
    throw new Error(`evaluateCase: numClasses must be an integer in [1, 65536], got ${numClasses}`);
  }
  const symmetric = options.symmetric ?? true;
  const p = toNumberLabels(pred, 'pred');
  const l = toNumberLabels(label, 'label');
  const bbP = classBoxes(p, shape, numClasses, 'evaluateCase(pred)');
  const bbL = classBoxes(l, shape, numClasses, 'evaluateCase(label)');
  const [, Y, X] = shape;
  const ws = new PairWorkspace();
  const out: ClassMetrics[] = [];
  for (let c = 1; c < numClasses; c++) {
    const o = c * 6;
    const emptyP = bbP[o + 1] < 0,
      emptyL = bbL[o + 1] < 0;
    if (emptyP && emptyL) {
      out.push({ classIndex: c, dice: 100, asd: 0, assd: 0, hd95: 0, nPred: 0, nLabel: 0 });
      continue;
    }
    if (emptyP || emptyL) {
      const e = EMPTY_MASK_DISTANCE;
      const nPred = emptyP ? 0 : countInBox(p, c, bbP, o, Y, X);
      const nLabel = emptyL ? 0 : countInBox(l, c, bbL, o, Y, X);
      out.push({ classIndex: c, dice: 0, asd: e, assd: e, hd95: e, nPred, nLabel });
      continue;
    }
    const z0 = Math.min(bbP[o], bbL[o]),
      z1 = Math.max(bbP[o + 1], bbL[o + 1]);
    const y0 = Math.min(bbP[o + 2], bbL[o + 2]),
      y1 = Math.max(bbP[o + 3], bbL[o + 3]);
    const x0 = Math.min(bbP[o + 4], bbL[o + 4]),
      x1 = Math.max(bbP[o + 5], bbL[o + 5]);
    const dims: Shape3 = [z1 - z0 + 1, y1 - y0 + 1, x1 - x0 + 1];
    ws.ensure(dims[0] * dims[1] * dims[2], dims[0] * dims[1]);
    const cp = ws.p,
      cg = ws.g;
    let k = 0;
    for (let z = z0; z <= z1; z++) {
      for (let y = y0; y <= y1; y++) {
        for (let i = (z * Y + y) * X + x0, e = i + dims[2]; i < e; i++, k++) {
          cp[k] = p[i] === c ? 1 : 0;
          cg[k] = l[i] === c ? 1 : 0;
        }
      }
    }
    const r = pairCore(dims, spacing, ws, symmetric);
    const a = mean(r.dPG);
    let s = NaN,
      h = NaN;
    if (r.dGP) {
      s = (a + mean(r.dGP)) / 2;
      h = percentile(concat(r.dPG, r.dGP), 95);
    }
    out.push({
      classIndex: c,
      dice: 100 * ((2 * r.nI) / (r.nP + r.nG)),
      asd: a,
      assd: s,
      hd95: h,
      nPred: r.nP,
      nLabel: r.nG,
    });
  }
  return out;
}

type NumberLabels = Exclude<LabelArray, BigInt64Array | BigUint64Array>;

function toNumberLabels(a: LabelArray, name: string): NumberLabels {
  if (!(a instanceof BigInt64Array || a instanceof BigUint64Array)) return a;
  const out = new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v < 0n || v > 65535n) throw new Error(`evaluateCase(${name}): label ${v} at index ${i} out of range`);
    out[i] = Number(v);
  }
  return out;
}

/**
 * Per-class inclusive bounding boxes [z0, z1, y0, y1, x0, x1] in one pass (z1 = -1 marks an empty class).
 */
function classBoxes(a: NumberLabels, shape: Shape3, numClasses: number, name: string): Int32Array {
  const [Z, Y, X] = shape;
  const bb = new Int32Array(numClasses * 6);
  for (let c = 0; c < numClasses; c++) {
    bb[c * 6] = Z;
    bb[c * 6 + 1] = -1;
    bb[c * 6 + 2] = Y;
    bb[c * 6 + 3] = -1;
    bb[c * 6 + 4] = X;
    bb[c * 6 + 5] = -1;
  }
  // rowSeen[c] == row stamp: class c already recorded for this (z, y) row, only x needs updating
  const rowSeen = new Int32Array(numClasses).fill(-1);
  for (let z = 0, i = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      const row = z * Y + y;
      for (let x = 0; x < X; x++, i++) {
        const v = a[i];
        if (v === 0) continue;
        if (!(v > 0 && v < numClasses) || (v | 0) !== v) {
          throw new Error(`${name}: label ${v} at index ${i} is not an integer in [0, ${numClasses})`);
        }
        const o = v * 6;
        if (rowSeen[v] !== row) {
          rowSeen[v] = row;
          if (z < bb[o]) bb[o] = z;
          if (z > bb[o + 1]) bb[o + 1] = z;
          if (y < bb[o + 2]) bb[o + 2] = y;
          if (y > bb[o + 3]) bb[o + 3] = y;
          if (x < bb[o + 4]) bb[o + 4] = x;
        }
        if (x > bb[o + 5]) bb[o + 5] = x;
      }
    }
  }
  return bb;
}

function countInBox(a: NumberLabels, c: number, bb: Int32Array, o: number, Y: number, X: number): number {
  let n = 0;
  for (let z = bb[o]; z <= bb[o + 1]; z++) {
    for (let y = bb[o + 2]; y <= bb[o + 3]; y++) {
      for (let i = (z * Y + y) * X + bb[o + 4], e = (z * Y + y) * X + bb[o + 5]; i <= e; i++) if (a[i] === c) n++;
    }
  }
  return n;
}
