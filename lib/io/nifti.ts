/**
 * NIfTI-1 / NIfTI-2 read and write (`.nii`, `.nii.gz`, `.hdr`/`.img` pairs), pure TypeScript.
 *
 * Parser choice: own implementation rather than `nifti-reader-js` (npm, maintained, v0.8.0 of 2025-10).
 * That package only reads headers and hands back the raw voxel ArrayBuffer: it does not write, does not
 * byte-swap, scale, reorder or type the voxel data, and it decompresses with fflate (pure JS, several
 * times slower than node:zlib). Everything we need beyond the ~150 lines of header layout would have
 * to be written anyway, so we parse the header ourselves and use node:zlib's native gunzip.
 *
 * Conventions (match SimpleITK's GetArrayFromImage):
 * - `shape` is the reversed NIfTI dim order: [z, y, x] for 3D, [t, z, y, x] for 4D (x fastest in
 *   memory, so no data movement is needed); trailing singleton dims beyond the 3rd are dropped.
 *   RGB24 / RGBA32 images become uint8 with a trailing channel axis of 3 / 4.
 * - `spacing` is per spatial array axis ([pz, py, px]; no entry for an RGB channel axis), from |pixdim|
 *   with 0 / non-finite treated as 1.
 * - scl_slope / scl_inter: slope 0 / non-finite or (1, 0) means no scaling; otherwise the data is
 *   scaled to float32 (float64 when the stored type is float64). `applyScaling: false` keeps raw values.
 * - `affine` maps voxel (i, j, k) to world: sform if sform_code > 0, else qform if qform_code > 0,
 *   else diag(pixdim) (NIfTI "method 1").
 */
import { readFileSync, existsSync } from 'node:fs';
import { constants as zc, gunzipSync, gzipSync } from 'node:zlib';
import { writeFileAtomic } from './atomic.js';
import {
  DTYPE_INFO,
  HOST_LITTLE_ENDIAN,
  SMALL_COPY_BYTES,
  checkArray,
  swapBytes,
  typedFromBytes,
  type NpyDType,
  type TypedArray,
} from './npy.js';

/**
 * Every field of a NIfTI-1 or NIfTI-2 header, by the names of the standard's C structs (nifti1.h / nifti2.h), plus
 * the version and the byte order it was read in. Strings are decoded up to their first NUL; `srow_*` are the rows
 * of the sform affine.
 */
export interface NiftiHeader {
  /** NIfTI-1 (348-byte header) or NIfTI-2 (540-byte header). */
  version: 1 | 2;
  /** The file's byte order (written files are always little-endian). */
  littleEndian: boolean;
  sizeof_hdr: number;
  magic: string;
  dim_info: number;
  /** dim[0..7]: dim[0] = number of dimensions, dim[1..] = sizes (x, y, z, t, ...). */
  dim: number[];
  intent_p1: number;
  intent_p2: number;
  intent_p3: number;
  intent_code: number;
  intent_name: string;
  datatype: number;
  bitpix: number;
  slice_start: number;
  slice_end: number;
  slice_code: number;
  slice_duration: number;
  /** pixdim[0..7]: pixdim[0] = qfac, pixdim[1..] = voxel sizes. */
  pixdim: number[];
  vox_offset: number;
  scl_slope: number;
  scl_inter: number;
  xyzt_units: number;
  cal_max: number;
  cal_min: number;
  toffset: number;
  descrip: string;
  aux_file: string;
  qform_code: number;
  sform_code: number;
  quatern_b: number;
  quatern_c: number;
  quatern_d: number;
  qoffset_x: number;
  qoffset_y: number;
  qoffset_z: number;
  srow_x: number[];
  srow_y: number[];
  srow_z: number[];
}

/**
 * A NIfTI image as `readNifti`/`parseNifti` return it: the voxels as a typed array in SimpleITK's array order, the
 * geometry, and the full header (see the conventions at the top of this module).
 */
export interface NiftiImage {
  /** Voxel data, C order with `shape`. */
  data: TypedArray;
  /** Array order as SimpleITK GetArrayFromImage: [z, y, x] (3D), [t, z, y, x] (4D). */
  shape: number[];
  /** The element type of `data` (float32 or float64 when scaling was applied). */
  dtype: NpyDType;
  /** Voxel size per array axis ([pz, py, px] for 3D). */
  spacing: number[];
  /** 4x4 voxel (i, j, k) -> world. */
  affine: number[][];
  /** The header as read. */
  header: NiftiHeader;
  /** Whether scl_slope / scl_inter were applied to `data`. */
  scaled: boolean;
}

/**
 * What `encodeNifti`/`writeNifti` take: voxels in the array order `NiftiImage` has, and optionally the geometry and
 * a header to carry over. A `NiftiImage` from `readNifti` is one, so an image can be read, changed and written back
 * with its header.
 */
export interface NiftiInput {
  /** Voxel data, C order with `shape` (length must be the product of `shape`). */
  data: TypedArray;
  /** Array order: [z, y, x] (3D), [t, z, y, x] (4D); 1 to 7 dimensions. */
  shape: number[];
  /** The element type of `data`; float16 cannot be stored (bool is written as uint8). */
  dtype: NpyDType;
  /** Voxel size per array axis ([pz, py, px] for 3D). Default: the header's pixdim, else 1. */
  spacing?: number[];
  /** 4x4 (or 3x4) voxel (i, j, k) -> world; written as sform and qform. Default: the header's, else diag(spacing). */
  affine?: number[][];
  /** Header fields to keep (description, intent, units, codes, ...); dims, datatype and offsets are recomputed. */
  header?: Partial<NiftiHeader>;
  /** True when `data` already has header.scl_slope/scl_inter applied (then 1/0 is written). */
  scaled?: boolean;
}

/** The options of `readNifti` and `parseNifti`. */
export interface NiftiReadOptions {
  /** Apply scl_slope / scl_inter to the data (giving float32 or float64). Default true; false keeps raw values. */
  applyScaling?: boolean;
}
/** The options of `encodeNifti` and `writeNifti`. */
export interface NiftiWriteOptions {
  /** NIfTI-1 or NIfTI-2. Default: the input header's version, else 1 (NIfTI-2 is needed for dims over 32767). */
  version?: 1 | 2;
  /** Gzip the output. Default: false for `encodeNifti`; for `writeNifti`, whether the path ends in `.gz`. */
  gzip?: boolean;
}

// ------------------------------------------------------------------------------------------ types

const DT: Record<number, { dtype: NpyDType; size: number; channels?: number; label: string }> = {
  2: { dtype: 'uint8', size: 1, label: 'uint8' },
  4: { dtype: 'int16', size: 2, label: 'int16' },
  8: { dtype: 'int32', size: 4, label: 'int32' },
  16: { dtype: 'float32', size: 4, label: 'float32' },
  64: { dtype: 'float64', size: 8, label: 'float64' },
  128: { dtype: 'uint8', size: 1, channels: 3, label: 'rgb24' },
  256: { dtype: 'int8', size: 1, label: 'int8' },
  512: { dtype: 'uint16', size: 2, label: 'uint16' },
  768: { dtype: 'uint32', size: 4, label: 'uint32' },
  1024: { dtype: 'int64', size: 8, label: 'int64' },
  1280: { dtype: 'uint64', size: 8, label: 'uint64' },
  2304: { dtype: 'uint8', size: 1, channels: 4, label: 'rgba32' },
};
const UNSUPPORTED_DT: Record<number, string> = {
  0: 'unknown',
  1: 'binary (1 bit)',
  32: 'complex64',
  1536: 'float128',
  1792: 'complex128',
  2048: 'complex256',
};
const DTYPE_TO_CODE: Partial<Record<NpyDType, number>> = {
  uint8: 2,
  bool: 2,
  int16: 4,
  int32: 8,
  float32: 16,
  float64: 64,
  int8: 256,
  uint16: 512,
  uint32: 768,
  int64: 1024,
  uint64: 1280,
};

// ------------------------------------------------------------------------------------------ header

function cstr(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  let s = '';
  for (let i = off; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

function safeBig(v: bigint, what: string, name: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(`${name}: NIfTI ${what} out of range (${v})`);
  }
  return Number(v);
}

/** Parses a NIfTI-1 or NIfTI-2 header at the start of `b`. */
function parseHeader(b: Uint8Array, name: string): NiftiHeader {
  if (b.length < 348) throw new Error(`${name}: truncated NIfTI file (${b.length} bytes, header needs 348)`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let le = true;
  let size = dv.getInt32(0, true);
  if (size !== 348 && size !== 540) {
    le = false;
    size = dv.getInt32(0, false);
  }
  if (size !== 348 && size !== 540) {
    throw new Error(`${name}: not a NIfTI file (sizeof_hdr is ${dv.getInt32(0, true)}, expected 348 or 540)`);
  }
  if (size === 540 && b.length < 540)
    throw new Error(`${name}: truncated NIfTI-2 file (${b.length} bytes, header needs 540)`);
  const i16 = (o: number) => dv.getInt16(o, le);
  const i32 = (o: number) => dv.getInt32(o, le);
  const f32 = (o: number) => dv.getFloat32(o, le);
  const f64 = (o: number) => dv.getFloat64(o, le);
  const i64 = (o: number, what: string) => safeBig(dv.getBigInt64(o, le), what, name);
  if (size === 348) {
    const magic = cstr(b, 344, 4);
    if (magic !== 'n+1' && magic !== 'ni1') {
      throw new Error(
        `${name}: not a NIfTI-1 file (magic ${JSON.stringify(magic)}, expected "n+1" or "ni1"; Analyze 7.5 is not supported)`,
      );
    }
    const dim = Array.from({ length: 8 }, (_, k) => i16(40 + 2 * k));
    const pixdim = Array.from({ length: 8 }, (_, k) => f32(76 + 4 * k));
    const row = (o: number) => [f32(o), f32(o + 4), f32(o + 8), f32(o + 12)];
    return {
      version: 1,
      littleEndian: le,
      sizeof_hdr: 348,
      magic,
      dim_info: b[39],
      dim,
      intent_p1: f32(56),
      intent_p2: f32(60),
      intent_p3: f32(64),
      intent_code: i16(68),
      datatype: i16(70),
      bitpix: i16(72),
      slice_start: i16(74),
      pixdim,
      vox_offset: f32(108),
      scl_slope: f32(112),
      scl_inter: f32(116),
      slice_end: i16(120),
      slice_code: b[122],
      xyzt_units: b[123],
      cal_max: f32(124),
      cal_min: f32(128),
      slice_duration: f32(132),
      toffset: f32(136),
      descrip: cstr(b, 148, 80),
      aux_file: cstr(b, 228, 24),
      qform_code: i16(252),
      sform_code: i16(254),
      quatern_b: f32(256),
      quatern_c: f32(260),
      quatern_d: f32(264),
      qoffset_x: f32(268),
      qoffset_y: f32(272),
      qoffset_z: f32(276),
      srow_x: row(280),
      srow_y: row(296),
      srow_z: row(312),
      intent_name: cstr(b, 328, 16),
    };
  }
  const magic = cstr(b, 4, 8);
  if (magic !== 'n+2' && magic !== 'ni2') {
    throw new Error(`${name}: not a NIfTI-2 file (magic ${JSON.stringify(magic)}, expected "n+2" or "ni2")`);
  }
  const dim = Array.from({ length: 8 }, (_, k) => i64(16 + 8 * k, `dim[${k}]`));
  const pixdim = Array.from({ length: 8 }, (_, k) => f64(104 + 8 * k));
  const row = (o: number) => [f64(o), f64(o + 8), f64(o + 16), f64(o + 24)];
  return {
    version: 2,
    littleEndian: le,
    sizeof_hdr: 540,
    magic,
    datatype: i16(12),
    bitpix: i16(14),
    dim,
    intent_p1: f64(80),
    intent_p2: f64(88),
    intent_p3: f64(96),
    pixdim,
    vox_offset: i64(168, 'vox_offset'),
    scl_slope: f64(176),
    scl_inter: f64(184),
    cal_max: f64(192),
    cal_min: f64(200),
    slice_duration: f64(208),
    toffset: f64(216),
    // informational only: never reject a file for them
    slice_start: Number(dv.getBigInt64(224, le)),
    slice_end: Number(dv.getBigInt64(232, le)),
    descrip: cstr(b, 240, 80),
    aux_file: cstr(b, 320, 24),
    qform_code: i32(344),
    sform_code: i32(348),
    quatern_b: f64(352),
    quatern_c: f64(360),
    quatern_d: f64(368),
    qoffset_x: f64(376),
    qoffset_y: f64(384),
    qoffset_z: f64(392),
    srow_x: row(400),
    srow_y: row(432),
    srow_z: row(464),
    slice_code: i32(496),
    xyzt_units: i32(500),
    intent_code: i32(504),
    intent_name: cstr(b, 508, 16),
    dim_info: b[524],
  };
}

interface Layout {
  dims: number[]; // NIfTI sizes, x first (only the kept dims)
  shape: number[]; // array shape (reversed dims, + channels)
  count: number; // number of elements of `dtype`
  nbytes: number;
  offset: number; // data offset in the (single-file) stream
  info: (typeof DT)[number];
}

/** Validates dims / datatype / vox_offset and returns the data layout; checks nothing about the file length. */
function layoutOf(h: NiftiHeader, name: string, pair: boolean): Layout {
  const info = DT[h.datatype];
  if (!info) {
    const what = UNSUPPORTED_DT[h.datatype];
    throw new Error(`${name}: unsupported NIfTI datatype ${h.datatype}${what ? ` (${what})` : ''}`);
  }
  const nd = h.dim[0];
  if (!Number.isInteger(nd) || nd < 1 || nd > 7)
    throw new Error(`${name}: invalid NIfTI dim[0] = ${nd} (must be 1..7)`);
  let dims = h.dim.slice(1, nd + 1);
  for (let k = 0; k < dims.length; k++) {
    if (!Number.isSafeInteger(dims[k]) || dims[k] < 1)
      throw new Error(`${name}: invalid NIfTI dim[${k + 1}] = ${dims[k]} (dims: [${dims.join(', ')}])`);
  }
  while (dims.length > 3 && dims[dims.length - 1] === 1) dims = dims.slice(0, -1);
  let count = info.channels ?? 1;
  for (const d of dims) {
    count *= d;
    if (count * info.size > Number.MAX_SAFE_INTEGER)
      throw new Error(`${name}: NIfTI dims [${dims.join(', ')}] are absurdly large`);
  }
  const hdrSize = h.version === 1 ? 348 : 540;
  let offset = h.vox_offset;
  if (!Number.isFinite(offset) || offset < 0) throw new Error(`${name}: invalid NIfTI vox_offset ${offset}`);
  offset = Math.floor(offset);
  if (!pair) {
    if (offset === 0) offset = hdrSize + 4;
    else if (offset < hdrSize)
      throw new Error(`${name}: NIfTI vox_offset ${offset} lies inside the ${hdrSize}-byte header`);
  }
  const shape = dims.slice().reverse();
  if (info.channels) shape.push(info.channels);
  return { dims, shape, count, nbytes: count * info.size, offset, info };
}

// ------------------------------------------------------------------------------------------ geometry

function spacingOf(h: NiftiHeader): number[] {
  return h.pixdim.map((p) => (Number.isFinite(p) && p !== 0 ? Math.abs(p) : 1));
}

/** nifti_quatern_to_mat44 (float64). */
export function quaternToAffine(
  b: number,
  c: number,
  d: number,
  qx: number,
  qy: number,
  qz: number,
  dx: number,
  dy: number,
  dz: number,
  qfac: number,
): number[][] {
  let a = 1 - (b * b + c * c + d * d);
  if (a < 1e-7) {
    a = 1 / Math.sqrt(b * b + c * c + d * d);
    b *= a;
    c *= a;
    d *= a;
    a = 0;
  } else {
    a = Math.sqrt(a);
  }
  const xd = dx > 0 ? dx : 1;
  const yd = dy > 0 ? dy : 1;
  let zd = dz > 0 ? dz : 1;
  if (qfac < 0) zd = -zd;
  return [
    [(a * a + b * b - c * c - d * d) * xd, 2 * (b * c - a * d) * yd, 2 * (b * d + a * c) * zd, qx],
    [2 * (b * c + a * d) * xd, (a * a + c * c - b * b - d * d) * yd, 2 * (c * d - a * b) * zd, qy],
    [2 * (b * d - a * c) * xd, 2 * (c * d + a * b) * yd, (a * a + d * d - c * c - b * b) * zd, qz],
    [0, 0, 0, 1],
  ];
}

function qformOf(h: NiftiHeader): number[][] {
  const p = h.pixdim;
  return quaternToAffine(
    h.quatern_b,
    h.quatern_c,
    h.quatern_d,
    h.qoffset_x,
    h.qoffset_y,
    h.qoffset_z,
    Math.abs(p[1]),
    Math.abs(p[2]),
    Math.abs(p[3]),
    p[0] < 0 ? -1 : 1,
  );
}

function affineOf(h: NiftiHeader): number[][] {
  if (h.sform_code > 0) return [h.srow_x.slice(), h.srow_y.slice(), h.srow_z.slice(), [0, 0, 0, 1]];
  if (h.qform_code > 0) return qformOf(h);
  const s = spacingOf(h);
  return [
    [s[1], 0, 0, 0],
    [0, s[2], 0, 0],
    [0, 0, s[3], 0],
    [0, 0, 0, 1],
  ];
}

/**
 * nifti_mat44_to_quatern: the quaternion, offsets, voxel sizes and qfac that best represent `m`
 * (rotation part orthogonalised by polar decomposition).
 */
export function affineToQuatern(m: number[][]): {
  b: number;
  c: number;
  d: number;
  qx: number;
  qy: number;
  qz: number;
  dx: number;
  dy: number;
  dz: number;
  qfac: number;
} {
  let r11 = m[0][0],
    r12 = m[0][1],
    r13 = m[0][2];
  let r21 = m[1][0],
    r22 = m[1][1],
    r23 = m[1][2];
  let r31 = m[2][0],
    r32 = m[2][1],
    r33 = m[2][2];
  let dx = Math.hypot(r11, r21, r31),
    dy = Math.hypot(r12, r22, r32),
    dz = Math.hypot(r13, r23, r33);
  if (dx === 0) {
    r11 = 1;
    r21 = 0;
    r31 = 0;
    dx = 1;
  } else {
    r11 /= dx;
    r21 /= dx;
    r31 /= dx;
  }
  if (dy === 0) {
    r12 = 0;
    r22 = 1;
    r32 = 0;
    dy = 1;
  } else {
    r12 /= dy;
    r22 /= dy;
    r32 /= dy;
  }
  if (dz === 0) {
    r13 = 0;
    r23 = 0;
    r33 = 1;
    dz = 1;
  } else {
    r13 /= dz;
    r23 /= dz;
    r33 /= dz;
  }
  // Polar decomposition: iterate X <- (X + X^-T)/2 until orthogonal.
  let X = [
    [r11, r12, r13],
    [r21, r22, r23],
    [r31, r32, r33],
  ];
  for (let it = 0; it < 100; it++) {
    const inv = inv3(X);
    if (!inv) break;
    const Y = X.map((row, i) => row.map((v, j) => 0.5 * (v + inv[j][i])));
    let diff = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) diff = Math.max(diff, Math.abs(Y[i][j] - X[i][j]));
    X = Y;
    if (diff < 1e-15) break;
  }
  [[r11, r12, r13], [r21, r22, r23], [r31, r32, r33]] = X;
  const det = r11 * r22 * r33 - r11 * r32 * r23 - r21 * r12 * r33 + r21 * r32 * r13 + r31 * r12 * r23 - r31 * r22 * r13;
  let qfac = 1;
  if (det < 0) {
    r13 = -r13;
    r23 = -r23;
    r33 = -r33;
    qfac = -1;
  }
  let a = r11 + r22 + r33 + 1;
  let b: number, c: number, d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r32 - r23)) / a;
    c = (0.25 * (r13 - r31)) / a;
    d = (0.25 * (r21 - r12)) / a;
  } else {
    const xd = 1 + r11 - (r22 + r33),
      yd = 1 + r22 - (r11 + r33),
      zd = 1 + r33 - (r11 + r22);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r12 + r21)) / b;
      d = (0.25 * (r13 + r31)) / b;
      a = (0.25 * (r32 - r23)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r12 + r21)) / c;
      d = (0.25 * (r23 + r32)) / c;
      a = (0.25 * (r13 - r31)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r13 + r31)) / d;
      c = (0.25 * (r23 + r32)) / d;
      a = (0.25 * (r21 - r12)) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return { b, c, d, qx: m[0][3], qy: m[1][3], qz: m[2][3], dx, dy, dz, qfac };
}

function inv3(m: number[][]): number[][] | undefined {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const A = e * i - f * h,
    B = -(d * i - f * g),
    C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!det || !Number.isFinite(det)) return undefined;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

// ------------------------------------------------------------------------------------------ data

function scalingOf(h: NiftiHeader): { slope: number; inter: number } | undefined {
  const slope = h.scl_slope;
  if (!Number.isFinite(slope) || slope === 0) return undefined;
  const inter = Number.isFinite(h.scl_inter) ? h.scl_inter : 0;
  if (slope === 1 && inter === 0) return undefined;
  return { slope, inter };
}

function decodeData(
  h: NiftiHeader,
  lay: Layout,
  raw: Uint8Array,
  name: string,
  opts: NiftiReadOptions | undefined,
): NiftiImage {
  if (raw.length < lay.nbytes) {
    throw new Error(
      `${name}: truncated NIfTI data: dims [${lay.dims.join(', ')}] of ${lay.info.label} need ${lay.nbytes} bytes at offset ${lay.offset}, only ${raw.length} present`,
    );
  }
  let data = typedFromBytes(raw, lay.info.dtype, lay.count, h.littleEndian, lay.nbytes < SMALL_COPY_BYTES);
  let dtype = lay.info.dtype;
  const sc = opts?.applyScaling === false || lay.info.channels ? undefined : scalingOf(h);
  if (sc) {
    const out = dtype === 'float64' ? new Float64Array(lay.count) : new Float32Array(lay.count);
    const { slope, inter } = sc;
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      for (let i = 0; i < out.length; i++) out[i] = Number(data[i]) * slope + inter;
    } else {
      const src = data;
      for (let i = 0; i < out.length; i++) out[i] = src[i] * slope + inter;
    }
    data = out;
    dtype = out instanceof Float64Array ? 'float64' : 'float32';
  }
  const sp = spacingOf(h);
  const spacing = lay.dims.map((_, k) => sp[k + 1]).reverse();
  return { data, shape: lay.shape, dtype, spacing, affine: affineOf(h), header: h, scaled: !!sc };
}

const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

function gunzipAll(b: Uint8Array, name: string, maxOut: number): Uint8Array {
  try {
    const chunkSize = Math.max(64 * 1024, Math.min(maxOut + 1, 1 << 30));
    return gunzipSync(b, { maxOutputLength: maxOut, chunkSize });
  } catch (err) {
    const e = err as Error;
    if (e instanceof RangeError)
      throw new Error(`${name}: decompressed data is larger than the NIfTI header describes (over ${maxOut} bytes)`);
    throw new Error(`${name}: corrupt gzip data (${e.message})`);
  }
}

/** Decompresses just enough of a gzip stream to read `need` bytes (lenient about truncation). */
function gunzipHead(b: Uint8Array, name: string, need: number): Uint8Array {
  for (let n = 1024; ; n *= 4) {
    let out: Uint8Array;
    try {
      out = gunzipSync(b.subarray(0, Math.min(n, b.length)), { finishFlush: zc.Z_SYNC_FLUSH });
    } catch (err) {
      throw new Error(`${name}: corrupt gzip data (${(err as Error).message})`);
    }
    if (out.length >= need || n >= b.length) return out;
  }
}

/** Largest output a deflate stream of `n` compressed bytes can produce (ratio bound ~1032:1). */
const maxInflated = (n: number) => n * 1032 + 1024 * 1024;

/**
 * Parses a NIfTI-1/2 single file (`.nii`, or gzipped). `name` (the file) is used in error messages.
 * When the data needs no conversion and is at least 64 KiB, it is a view into `bytes` (or into the
 * decompressed buffer); otherwise a copy.
 */
export function parseNifti(bytes: Uint8Array, name = '<nifti>', opts?: NiftiReadOptions): NiftiImage {
  return withName(name, () => parseNiftiImpl(bytes, name, opts));
}

function withName<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    const msg = (err as Error)?.message ?? String(err);
    if (msg.includes(name)) throw err;
    throw new Error(`${name}: invalid NIfTI file: ${msg}`);
  }
}

function parseNiftiImpl(bytes: Uint8Array, name: string, opts?: NiftiReadOptions): NiftiImage {
  let buf = bytes;
  if (isGzip(bytes)) {
    const head = gunzipHead(bytes, name, 540);
    const h = parseHeader(head, name);
    if (h.magic.startsWith('ni'))
      throw new Error(
        `${name}: header-only NIfTI (.hdr, magic "${h.magic}"); read it with readNifti(path) so the .img is found`,
      );
    const lay = layoutOf(h, name, false);
    const total = lay.offset + lay.nbytes;
    if (total > maxInflated(bytes.length)) {
      throw new Error(
        `${name}: NIfTI dims [${lay.dims.join(', ')}] need ${total} bytes, more than the ${bytes.length}-byte gzip file can hold`,
      );
    }
    buf = gunzipAll(bytes, name, total + (1 << 20));
  }
  const h = parseHeader(buf, name);
  if (h.magic.startsWith('ni'))
    throw new Error(
      `${name}: header-only NIfTI (.hdr, magic "${h.magic}"); read it with readNifti(path) so the .img is found`,
    );
  const lay = layoutOf(h, name, false);
  if (lay.offset > buf.length)
    throw new Error(`${name}: NIfTI vox_offset ${lay.offset} is beyond the end of the file (${buf.length} bytes)`);
  return decodeData(h, lay, buf.subarray(lay.offset), name, opts);
}

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}

function pairPaths(path: string): { hdr: string; img: string } | undefined {
  const m = /^(.*)\.(hdr|img)(\.gz)?$/i.exec(path);
  if (!m) return undefined;
  const find = (ext: string) => {
    for (const cand of [
      `${m[1]}.${ext}${m[3] ?? ''}`,
      `${m[1]}.${ext}`,
      `${m[1]}.${ext}.gz`,
      `${m[1]}.${ext.toUpperCase()}`,
    ]) {
      if (existsSync(cand)) return cand;
    }
    return `${m[1]}.${ext}${m[3] ?? ''}`;
  };
  return { hdr: find('hdr'), img: find('img') };
}

/** Reads a NIfTI file: `.nii`, `.nii.gz`, or a `.hdr`/`.img` pair (either name, optionally gzipped). */
export function readNifti(path: string, opts?: NiftiReadOptions): NiftiImage {
  const pair = pairPaths(path);
  if (!pair) return parseNifti(readBytes(path), path, opts);
  return withName(path, () => {
    let hb = readBytes(pair.hdr);
    if (isGzip(hb)) hb = gunzipAll(hb, pair.hdr, 1 << 20);
    const h = parseHeader(hb, pair.hdr);
    const lay = layoutOf(h, pair.hdr, true);
    let ib = readBytes(pair.img);
    if (isGzip(ib)) {
      const total = lay.offset + lay.nbytes;
      if (total > maxInflated(ib.length))
        throw new Error(
          `${pair.img}: NIfTI dims [${lay.dims.join(', ')}] need ${total} bytes, more than the gzip file can hold`,
        );
      ib = gunzipAll(ib, pair.img, total + (1 << 20));
    }
    if (lay.offset > ib.length)
      throw new Error(
        `${pair.img}: NIfTI vox_offset ${lay.offset} is beyond the end of the image file (${ib.length} bytes)`,
      );
    return decodeData(h, lay, ib.subarray(lay.offset), pair.img, opts);
  });
}

// ------------------------------------------------------------------------------------------ write

const near = (a: number[][], b: number[][]) =>
  a.every((r, i) => r.every((v, j) => Math.abs(v - b[i][j]) <= 1e-5 * Math.max(1, Math.abs(v))));

/** Builds the full header (defaults + source header + spacing/affine overrides) for `img`. */
function buildHeader(
  img: NiftiInput,
  version: 1 | 2,
  name: string,
): { h: NiftiHeader; code: number; size: number; channels: number } {
  checkArray(img, name);
  const src = img.header ?? {};
  let code = DTYPE_TO_CODE[img.dtype];
  if (code === undefined)
    throw new Error(`${name}: dtype ${img.dtype} cannot be stored in NIfTI (convert to float32 first)`);
  let channels = 0;
  let dimsArr = img.shape.slice().reverse();
  if (
    (src.datatype === 128 || src.datatype === 2304) &&
    img.dtype === 'uint8' &&
    img.shape[img.shape.length - 1] === (src.datatype === 128 ? 3 : 4) &&
    img.shape.length >= 2
  ) {
    code = src.datatype;
    channels = img.shape[img.shape.length - 1];
    dimsArr = img.shape.slice(0, -1).reverse();
  }
  if (dimsArr.length < 1 || dimsArr.length > 7)
    throw new Error(`${name}: NIfTI needs 1..7 dims, shape is [${img.shape.join(', ')}]`);
  const maxDim = version === 1 ? 32767 : Number.MAX_SAFE_INTEGER;
  for (const d of dimsArr) {
    if (d < 1 || d > maxDim)
      throw new Error(`${name}: dim ${d} of shape [${img.shape.join(', ')}] cannot be stored in NIfTI-${version}`);
  }
  const size = DTYPE_INFO[img.dtype].size;
  const dim = [dimsArr.length, ...dimsArr, ...new Array(7 - dimsArr.length).fill(1)];
  const pixdim = src.pixdim?.length === 8 ? src.pixdim.slice() : [1, 1, 1, 1, 1, 1, 1, 1];
  if (pixdim[0] !== -1 && pixdim[0] !== 1) pixdim[0] = 1;
  if (img.spacing) {
    const sp = channels && img.spacing.length === dimsArr.length + 1 ? img.spacing.slice(0, -1) : img.spacing;
    if (sp.length !== dimsArr.length)
      throw new Error(`${name}: spacing [${img.spacing.join(', ')}] does not match shape [${img.shape.join(', ')}]`);
    sp.slice()
      .reverse()
      .forEach((s, k) => {
        pixdim[k + 1] = s;
      });
  }
  const h: NiftiHeader = {
    version,
    littleEndian: true,
    sizeof_hdr: version === 1 ? 348 : 540,
    magic: version === 1 ? 'n+1' : 'n+2',
    dim_info: src.dim_info ?? 0,
    dim,
    intent_p1: src.intent_p1 ?? 0,
    intent_p2: src.intent_p2 ?? 0,
    intent_p3: src.intent_p3 ?? 0,
    intent_code: src.intent_code ?? 0,
    intent_name: src.intent_name ?? '',
    datatype: code,
    bitpix: 8 * size * (channels || 1),
    slice_start: src.slice_start ?? 0,
    slice_end: src.slice_end ?? 0,
    slice_code: src.slice_code ?? 0,
    slice_duration: src.slice_duration ?? 0,
    pixdim,
    vox_offset: version === 1 ? 352 : 544,
    scl_slope: 1,
    scl_inter: 0,
    xyzt_units: src.xyzt_units ?? 10 /* mm, s */,
    cal_max: src.cal_max ?? 0,
    cal_min: src.cal_min ?? 0,
    toffset: src.toffset ?? 0,
    descrip: src.descrip ?? '',
    aux_file: src.aux_file ?? '',
    qform_code: src.qform_code ?? 0,
    sform_code: src.sform_code ?? 0,
    quatern_b: src.quatern_b ?? 0,
    quatern_c: src.quatern_c ?? 0,
    quatern_d: src.quatern_d ?? 0,
    qoffset_x: src.qoffset_x ?? 0,
    qoffset_y: src.qoffset_y ?? 0,
    qoffset_z: src.qoffset_z ?? 0,
    srow_x: src.srow_x?.slice() ?? [pixdim[1], 0, 0, 0],
    srow_y: src.srow_y?.slice() ?? [0, pixdim[2], 0, 0],
    srow_z: src.srow_z?.slice() ?? [0, 0, pixdim[3], 0],
  };
  // Keep the source scaling only when the data is still raw values of the stored type.
  if (!img.scaled && src.datatype === code && src.scl_slope !== undefined) {
    h.scl_slope = src.scl_slope;
    h.scl_inter = src.scl_inter ?? 0;
  }
  if (img.affine) {
    const A = img.affine;
    if (A.length < 3 || A.slice(0, 3).some((r) => r.length !== 4 || r.some((v) => !Number.isFinite(v)))) {
      throw new Error(`${name}: affine must be a finite 4x4 (or 3x4) matrix`);
    }
    if (!near(affineOf(h).slice(0, 3), A.slice(0, 3))) {
      h.srow_x = A[0].slice();
      h.srow_y = A[1].slice();
      h.srow_z = A[2].slice();
      h.sform_code = h.sform_code > 0 ? h.sform_code : 2;
      const q = affineToQuatern(A);
      h.quatern_b = q.b;
      h.quatern_c = q.c;
      h.quatern_d = q.d;
      h.qoffset_x = q.qx;
      h.qoffset_y = q.qy;
      h.qoffset_z = q.qz;
      h.qform_code = h.qform_code > 0 ? h.qform_code : 2;
      h.pixdim[0] = q.qfac;
      if (!img.spacing) {
        h.pixdim[1] = q.dx;
        h.pixdim[2] = q.dy;
        h.pixdim[3] = q.dz;
      }
    }
  }
  return { h, code, size, channels };
}

function writeHeader(h: NiftiHeader, out: Uint8Array): void {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const str = (o: number, s: string, len: number) => {
    for (let i = 0; i < Math.min(s.length, len - 1); i++) out[o + i] = s.charCodeAt(i) & 0xff;
  };
  const le = true;
  if (h.version === 1) {
    dv.setInt32(0, 348, le);
    out[39] = h.dim_info;
    h.dim.forEach((d, k) => dv.setInt16(40 + 2 * k, d, le));
    dv.setFloat32(56, h.intent_p1, le);
    dv.setFloat32(60, h.intent_p2, le);
    dv.setFloat32(64, h.intent_p3, le);
    dv.setInt16(68, h.intent_code, le);
    dv.setInt16(70, h.datatype, le);
    dv.setInt16(72, h.bitpix, le);
    dv.setInt16(74, h.slice_start, le);
    h.pixdim.forEach((p, k) => dv.setFloat32(76 + 4 * k, p, le));
    dv.setFloat32(108, h.vox_offset, le);
    dv.setFloat32(112, h.scl_slope, le);
    dv.setFloat32(116, h.scl_inter, le);
    dv.setInt16(120, h.slice_end, le);
    out[122] = h.slice_code;
    out[123] = h.xyzt_units;
    dv.setFloat32(124, h.cal_max, le);
    dv.setFloat32(128, h.cal_min, le);
    dv.setFloat32(132, h.slice_duration, le);
    dv.setFloat32(136, h.toffset, le);
    str(148, h.descrip, 80);
    str(228, h.aux_file, 24);
    dv.setInt16(252, h.qform_code, le);
    dv.setInt16(254, h.sform_code, le);
    [h.quatern_b, h.quatern_c, h.quatern_d, h.qoffset_x, h.qoffset_y, h.qoffset_z].forEach((v, k) =>
      dv.setFloat32(256 + 4 * k, v, le),
    );
    [...h.srow_x, ...h.srow_y, ...h.srow_z].forEach((v, k) => dv.setFloat32(280 + 4 * k, v, le));
    str(328, h.intent_name, 16);
    str(344, h.magic, 4);
  } else {
    dv.setInt32(0, 540, le);
    str(4, h.magic, 4);
    out.set([0x0d, 0x0a, 0x1a, 0x0a], 8);
    dv.setInt16(12, h.datatype, le);
    dv.setInt16(14, h.bitpix, le);
    h.dim.forEach((d, k) => dv.setBigInt64(16 + 8 * k, BigInt(d), le));
    dv.setFloat64(80, h.intent_p1, le);
    dv.setFloat64(88, h.intent_p2, le);
    dv.setFloat64(96, h.intent_p3, le);
    h.pixdim.forEach((p, k) => dv.setFloat64(104 + 8 * k, p, le));
    dv.setBigInt64(168, BigInt(h.vox_offset), le);
    dv.setFloat64(176, h.scl_slope, le);
    dv.setFloat64(184, h.scl_inter, le);
    dv.setFloat64(192, h.cal_max, le);
    dv.setFloat64(200, h.cal_min, le);
    dv.setFloat64(208, h.slice_duration, le);
    dv.setFloat64(216, h.toffset, le);
    const big = (v: number) => (Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n);
    dv.setBigInt64(224, big(h.slice_start), le);
    dv.setBigInt64(232, big(h.slice_end), le);
    str(240, h.descrip, 80);
    str(320, h.aux_file, 24);
    dv.setInt32(344, h.qform_code, le);
    dv.setInt32(348, h.sform_code, le);
    [h.quatern_b, h.quatern_c, h.quatern_d, h.qoffset_x, h.qoffset_y, h.qoffset_z].forEach((v, k) =>
      dv.setFloat64(352 + 8 * k, v, le),
    );
    [...h.srow_x, ...h.srow_y, ...h.srow_z].forEach((v, k) => dv.setFloat64(400 + 8 * k, v, le));
    dv.setInt32(496, h.slice_code, le);
    dv.setInt32(500, h.xyzt_units, le);
    dv.setInt32(504, h.intent_code, le);
    str(508, h.intent_name, 16);
    out[524] = h.dim_info;
  }
}

function encodeParts(
  img: NiftiInput,
  version: 1 | 2,
  name: string,
  pair: boolean,
): { hdr: Uint8Array; data: Uint8Array } {
  const { h, size } = buildHeader(img, version, name);
  const hdrSize = version === 1 ? 348 : 540;
  if (pair) {
    h.vox_offset = 0;
    h.magic = version === 1 ? 'ni1' : 'ni2';
  }
  const hdr = new Uint8Array(pair ? hdrSize + 4 : h.vox_offset);
  writeHeader(h, hdr);
  const data = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length * size);
  return { hdr, data };
}

function toLittle(data: Uint8Array, size: number): Uint8Array {
  if (HOST_LITTLE_ENDIAN || size === 1) return data;
  const c = data.slice();
  swapBytes(c, size);
  return c;
}

/** Encodes a single-file NIfTI (`n+1` / `n+2`), little-endian, optionally gzipped. */
export function encodeNifti(img: NiftiInput, opts?: NiftiWriteOptions): Uint8Array {
  const name = 'encodeNifti';
  const { hdr, data } = encodeParts(img, opts?.version ?? img.header?.version ?? 1, name, false);
  const le = toLittle(data, DTYPE_INFO[img.dtype].size);
  const out = new Uint8Array(hdr.length + le.length);
  out.set(hdr, 0);
  out.set(le, hdr.length);
  return opts?.gzip ? gzipSync(out, { level: 6 }) : out;
}

/**
 * Writes a NIfTI file atomically. `.gz` suffix => gzipped; `.hdr`/`.img` (optionally `.gz`) writes a pair.
 */
export function writeNifti(path: string, img: NiftiInput, opts?: NiftiWriteOptions): void {
  const gz = opts?.gzip ?? /\.gz$/i.test(path);
  const pair = pairPaths(path);
  let parts: { hdr: Uint8Array; data: Uint8Array };
  try {
    if (!pair) {
      writeFileAtomic(path, encodeNifti(img, { ...opts, gzip: gz }));
      return;
    }
    parts = encodeParts(img, opts?.version ?? img.header?.version ?? 1, path, true);
  } catch (err) {
    const msg = (err as Error).message;
    throw new Error(msg.includes(path) ? msg : `${path}: ${msg.replace(/^encodeNifti: /, '')}`);
  }
  const m = /^(.*)\.(hdr|img)(\.gz)?$/i.exec(path)!;
  const suffix = gz ? '.gz' : '';
  const data = toLittle(parts.data, DTYPE_INFO[img.dtype].size);
  writeFileAtomic(`${m[1]}.img${suffix}`, gz ? gzipSync(data) : data);
  writeFileAtomic(`${m[1]}.hdr${suffix}`, gz ? gzipSync(parts.hdr) : parts.hdr);
}
