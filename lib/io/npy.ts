/**
 * NumPy `.npy` read/write (format versions 1.0, 2.0 and 3.0), pure TypeScript on typed arrays.
 *
 * - Any byte order in the file ('<', '>', '|', '=') is converted to native order on read.
 * - Fortran-ordered files are transposed to C order on read; `NdArray.data` is always C order.
 * - float16 is kept as raw IEEE half bits in a Uint16Array (dtype 'float16'); bool is a Uint8Array.
 * - `parseNpy` returns a zero-copy view of `bytes` when the data is native-order, C-order, aligned and
 *   at least 64 KiB; otherwise it copies.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';

/** The element types `.npy` files may hold here, by NumPy's names (complex and structured types are refused). */
export type NpyDType =
  | 'float16'
  | 'float32'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool';

/** The typed arrays that hold array data (float16 as raw Uint16 bits, bool as Uint8 0/1). */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** An n-dimensional array, always C order in memory. */
export interface NdArray {
  data: TypedArray;
  shape: number[];
  dtype: NpyDType;
}

type TypedArrayCtor = {
  new (length: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

/**
 * Data smaller than this is always copied: small Node buffers come from a shared pool, and a view
 * would keep (and expose through `.buffer`) unrelated bytes. Larger aligned data is a zero-copy view.
 */
export const SMALL_COPY_BYTES = 64 * 1024;

/** Whether this machine stores numbers little-endian (true on x86 and ARM as Node runs them). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface DTypeInfo {
  ctor: TypedArrayCtor;
  size: number;
  kind: string;
}

/** Per dtype: its typed array class, bytes per element and NumPy kind letter ('f', 'i', 'u', 'b'). */
export const DTYPE_INFO: Record<NpyDType, DTypeInfo> = {
  float16: { ctor: Uint16Array, size: 2, kind: 'f' },
  float32: { ctor: Float32Array, size: 4, kind: 'f' },
  float64: { ctor: Float64Array, size: 8, kind: 'f' },
  int8: { ctor: Int8Array, size: 1, kind: 'i' },
  uint8: { ctor: Uint8Array, size: 1, kind: 'u' },
  int16: { ctor: Int16Array, size: 2, kind: 'i' },
  uint16: { ctor: Uint16Array, size: 2, kind: 'u' },
  int32: { ctor: Int32Array, size: 4, kind: 'i' },
  uint32: { ctor: Uint32Array, size: 4, kind: 'u' },
  int64: { ctor: BigInt64Array, size: 8, kind: 'i' },
  uint64: { ctor: BigUint64Array, size: 8, kind: 'u' },
  bool: { ctor: Uint8Array, size: 1, kind: 'b' },
};

const DESCR_TO_DTYPE: Record<string, NpyDType> = {
  b1: 'bool',
  i1: 'int8',
  u1: 'uint8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  u8: 'uint64',
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
};

/** Number of elements of `shape`; throws (naming `name`) on negative, non-integer or overflowing dims. */
export function shapeSize(shape: readonly number[], name: string): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new Error(`${name}: invalid dimension ${d} in shape [${shape.join(', ')}]`);
    n *= d;
    if (!Number.isSafeInteger(n)) throw new Error(`${name}: shape [${shape.join(', ')}] has too many elements`);
  }
  return n;
}

/** Reverses the byte order of every `size`-byte element of `b` in place. */
export function swapBytes(b: Uint8Array, size: number): void {
  if (size === 2) {
    for (let i = 0; i + 1 < b.length; i += 2) {
      const t = b[i];
      b[i] = b[i + 1];
      b[i + 1] = t;
    }
  } else if (size === 4) {
    for (let i = 0; i + 3 < b.length; i += 4) {
      let t = b[i];
      b[i] = b[i + 3];
      b[i + 3] = t;
      t = b[i + 1];
      b[i + 1] = b[i + 2];
      b[i + 2] = t;
    }
  } else if (size === 8) {
    for (let i = 0; i + 7 < b.length; i += 8) {
      for (let j = 0; j < 4; j++) {
        const t = b[i + j];
        b[i + j] = b[i + 7 - j];
        b[i + 7 - j] = t;
      }
    }
  }
}

/**
 * Makes a typed array of `count` elements of `dtype` from `raw` (element bytes in the given order).
 * Returns a view when no swap is needed and the offset is aligned, otherwise an aligned copy.
 */
export function typedFromBytes(
  raw: Uint8Array,
  dtype: NpyDType,
  count: number,
  littleEndian: boolean,
  copy = false,
): TypedArray {
  const { ctor, size } = DTYPE_INFO[dtype];
  const swap = size > 1 && littleEndian !== HOST_LITTLE_ENDIAN;
  if (!swap && !copy && raw.byteOffset % size === 0) return new ctor(raw.buffer, raw.byteOffset, count);
  const out = new ctor(count);
  const ob = new Uint8Array(out.buffer, out.byteOffset, count * size);
  ob.set(raw.subarray(0, count * size));
  if (swap) swapBytes(ob, size);
  return out;
}

/** Copies the Fortran-ordered `src` of `shape` into a new C-ordered array. */
function fortranToC(src: TypedArray, shape: number[]): TypedArray {
  const n = src.length;
  const ctor = src.constructor as TypedArrayCtor;
  const out = new ctor(n);
  const nd = shape.length;
  if (nd <= 1 || n === 0) {
    (out as Uint8Array).set(src as Uint8Array);
    return out;
  }
  // Source strides (Fortran): stride[0] = 1, stride[k] = stride[k-1] * shape[k-1].
  const fstride = new Array<number>(nd);
  fstride[0] = 1;
  for (let k = 1; k < nd; k++) fstride[k] = fstride[k - 1] * shape[k - 1];
  const idx = new Array<number>(nd).fill(0);
  const last = nd - 1;
  const inner = shape[last];
  const innerStride = fstride[last];
  const a = out as unknown as { [i: number]: number | bigint };
  const s = src as unknown as { [i: number]: number | bigint };
  let o = 0;
  let base = 0;
  while (o < n) {
    for (let j = 0, p = base; j < inner; j++, p += innerStride) a[o++] = s[p];
    // Increment the outer index (axes 0..nd-2), C order.
    let k = last - 1;
    while (k >= 0) {
      idx[k]++;
      base += fstride[k];
      if (idx[k] < shape[k]) break;
      base -= fstride[k] * shape[k];
      idx[k] = 0;
      k--;
    }
    if (k < 0) break;
  }
  return out;
}

interface NpyHeader {
  descr: string;
  fortran: boolean;
  shape: number[];
}

function parseHeaderDict(text: string, name: string): NpyHeader {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}'))
    throw new Error(`${name}: bad .npy header (not a dict): ${JSON.stringify(t.slice(0, 80))}`);
  const descrList = /['"]descr['"]\s*:\s*\[/.exec(t);
  if (descrList) throw new Error(`${name}: unsupported .npy dtype (structured array)`);
  const descr = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(t);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(t);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(t);
  if (!descr || !fortran || !shape)
    throw new Error(
      `${name}: bad .npy header (missing descr, fortran_order or shape): ${JSON.stringify(t.slice(0, 120))}`,
    );
  const dims: number[] = [];
  const parts = shape[1].split(',').map((s) => s.trim());
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  for (const p of parts) {
    const m = /^(\d+)L?$/.exec(p);
    if (!m) throw new Error(`${name}: bad .npy header (shape entry ${JSON.stringify(p)})`);
    dims.push(Number(m[1]));
  }
  return { descr: descr[2], fortran: fortran[1] === 'True', shape: dims };
}

function descrToDtype(descr: string, name: string): { dtype: NpyDType; littleEndian: boolean } {
  const m = /^([<>|=]?)([a-zA-Z]\d*)$/.exec(descr);
  const code = m ? m[2] : descr;
  const dtype = m ? (DESCR_TO_DTYPE[code] ?? (code === '?' ? 'bool' : undefined)) : undefined;
  if (!m || !dtype) {
    const what = /^[<>|=]?c/.test(descr)
      ? 'complex'
      : /^[<>|=]?O/.test(descr)
        ? 'object'
        : /^[<>|=]?[USVa]/.test(descr)
          ? 'string/void'
          : 'unknown';
    throw new Error(`${name}: unsupported .npy dtype '${descr}' (${what})`);
  }
  const order = m[1];
  const littleEndian = order === '>' ? false : order === '<' ? true : HOST_LITTLE_ENDIAN;
  return { dtype, littleEndian };
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parses the bytes of a `.npy` file. `name` (the file) is used in error messages. */
export function parseNpy(bytes: Uint8Array, name = '<npy>'): NdArray {
  try {
    return parseNpyImpl(bytes, name);
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    if (msg.includes(name)) throw err;
    throw new Error(`${name}: invalid .npy file: ${msg}`);
  }
}

function parseNpyImpl(bytes: Uint8Array, name: string): NdArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new Error(`${name}: not a .npy file (bad magic)`);
  const major = bytes[6];
  const minor = bytes[7];
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = bytes[8] | (bytes[9] << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`${name}: truncated .npy header`);
    headerLen = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16)) + bytes[11] * 0x1000000;
    start = 12;
  } else {
    throw new Error(`${name}: unsupported .npy format version ${major}.${minor}`);
  }
  if (start + headerLen > bytes.length)
    throw new Error(`${name}: truncated .npy header (header length ${headerLen}, file ${bytes.length} bytes)`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const h = parseHeaderDict(text, name);
  const { dtype, littleEndian } = descrToDtype(h.descr, name);
  const count = shapeSize(h.shape, name);
  const size = DTYPE_INFO[dtype].size;
  const dataStart = start + headerLen;
  const avail = bytes.length - dataStart;
  if (count * size !== avail) {
    throw new Error(
      `${name}: .npy data size mismatch: shape [${h.shape.join(', ')}] of ${dtype} needs ${count * size} bytes, file has ${avail}`,
    );
  }
  const raw = bytes.subarray(dataStart, dataStart + count * size);
  let data = typedFromBytes(raw, dtype, count, littleEndian, raw.length < SMALL_COPY_BYTES);
  if (h.fortran && h.shape.length > 1) data = fortranToC(data, h.shape);
  return { data, shape: h.shape, dtype };
}

/** Reads a `.npy` file. */
export function readNpy(path: string): NdArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseNpy(bytes, path);
}

const DTYPE_TO_DESCR: Record<NpyDType, string> = {
  bool: '|b1',
  int8: '|i1',
  uint8: '|u1',
  int16: '<i2',
  uint16: '<u2',
  int32: '<i4',
  uint32: '<u4',
  int64: '<i8',
  uint64: '<u8',
  float16: '<f2',
  float32: '<f4',
  float64: '<f8',
};

/** Checks that `data` is the typed array `dtype` calls for and matches `shape`. */
export function checkArray(arr: { data: TypedArray; shape: number[]; dtype: NpyDType }, name: string): number {
  const info = DTYPE_INFO[arr.dtype];
  if (!info) throw new Error(`${name}: unsupported dtype '${String(arr.dtype)}'`);
  if (!(arr.data instanceof info.ctor)) {
    throw new Error(
      `${name}: dtype ${arr.dtype} needs a ${info.ctor.name}, got ${(arr.data as object)?.constructor?.name}`,
    );
  }
  const n = shapeSize(arr.shape, name);
  if (arr.data.length !== n)
    throw new Error(`${name}: data has ${arr.data.length} elements, shape [${arr.shape.join(', ')}] needs ${n}`);
  return n;
}

/** Encodes an array as a `.npy` file (version 1.0, or 2.0 for huge headers), little-endian, C order. */
export function encodeNpy(arr: NdArray): Uint8Array {
  const n = checkArray(arr, 'encodeNpy');
  const size = DTYPE_INFO[arr.dtype].size;
  const shapeStr = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  let dict = `{'descr': '${DTYPE_TO_DESCR[arr.dtype]}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  let pre = 10;
  let total = pre + dict.length + 1;
  if (total - pre > 0xffff) {
    pre = 12;
    total = pre + dict.length + 1;
  }
  const pad = (64 - (total % 64)) % 64;
  dict += ' '.repeat(pad) + '\n';
  const headerLen = dict.length;
  const out = new Uint8Array(pre + headerLen + n * size);
  out.set(MAGIC, 0);
  out[6] = pre === 10 ? 1 : 2;
  out[7] = 0;
  if (pre === 10) {
    out[8] = headerLen & 0xff;
    out[9] = headerLen >> 8;
  } else new DataView(out.buffer).setUint32(8, headerLen, true);
  for (let i = 0; i < headerLen; i++) out[pre + i] = dict.charCodeAt(i);
  const body = out.subarray(pre + headerLen);
  body.set(new Uint8Array(arr.data.buffer, arr.data.byteOffset, n * size));
  if (!HOST_LITTLE_ENDIAN && size > 1) swapBytes(body, size);
  return out;
}

/** Writes a `.npy` file atomically. */
export function writeNpy(path: string, arr: NdArray): void {
  let bytes: Uint8Array;
  try {
    bytes = encodeNpy(arr);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
  writeFileAtomic(path, bytes);
}
