/**
 * Raw records exchanged by the checkpoint readers/writers (`.pth`, safetensors).
 * They are independent of the Tensor class: a tensor is a view (offset, shape, strides in elements)
 * onto a little-endian byte storage. Views that share a storage share one RawStorage object.
 */

export type DTypeName =
  | 'float16'
  | 'bfloat16'
  | 'float32'
  | 'float64'
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'bool'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'complex64'
  | 'complex128';

/** A whole storage, little-endian. `key` identifies it: views with the same key share it. */
export interface RawStorage {
  key: string;
  dtype: DTypeName;
  device: string;
  bytes: Uint8Array;
}

/** A strided view onto a storage; offset and strides count elements, not bytes. */
export interface RawTensor {
  kind: 'tensor';
  storage: RawStorage;
  storageOffset: number;
  shape: number[];
  strides: number[];
  requiresGrad: boolean;
  /** True when Python had an `nn.Parameter` (written back as one by savePth). */
  parameter?: boolean;
}

/** A Python tuple (kept apart from lists so that savePth writes it back as a tuple). */
export interface PyTuple {
  kind: 'tuple';
  items: PyValue[];
}

/**
 * A Python dict (`ordered: false`) or `collections.OrderedDict` (`ordered: true`); insertion order is kept.
 * `attributes` holds the state of a BUILD on the dict: `model.state_dict()` sets `_metadata` there
 * (module versions); savePth writes it back.
 */
export interface PyDict {
  kind: 'dict';
  ordered: boolean;
  entries: Map<string | number, PyValue>;
  attributes?: Map<string, PyValue>;
  /** A `collections.Counter` (e.g. MultiStepLR's milestones): read and written as `Counter(dict)`. */
  counter?: boolean;
}

/**
 * A value from a pickle. Python ints that are safe integers in a double become numbers, larger ones
 * bigint; floats become numbers (so a float with an integral value is written back as an int);
 * sets and frozensets are read as lists.
 */
export type PyValue = null | boolean | number | bigint | string | RawTensor | PyValue[] | PyTuple | PyDict;

/** Bytes per element of each storage dtype. */
export const ITEM_SIZE: Record<DTypeName, number> = {
  float16: 2,
  bfloat16: 2,
  float32: 4,
  float64: 8,
  uint8: 1,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  bool: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  complex64: 8,
  complex128: 16,
};

/** Every storage dtype name the checkpoint formats support. */
export const DTYPE_NAMES = Object.keys(ITEM_SIZE) as DTypeName[];

/** Whether a value from a checkpoint is a tensor record. */
export function isRawTensor(v: unknown): v is RawTensor {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'tensor';
}

/** The number of elements of a shape (1 for `[]`, a scalar). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides, in elements, of a shape (`[2, 3, 4]` -> `[12, 4, 1]`). */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Whether the view is laid out row-major without gaps (size-1 dims may have any stride). */
export function isContiguous(t: RawTensor): boolean {
  let acc = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    if (t.shape[i] !== 1 && t.strides[i] !== acc) return false;
    acc *= t.shape[i];
  }
  return true;
}

/** Checks that every element of the view lies inside its storage; returns a problem or undefined. */
export function viewProblem(t: RawTensor): string | undefined {
  const { shape, strides, storageOffset } = t;
  if (shape.length !== strides.length) return `shape [${shape}] and strides [${strides}] differ in rank`;
  for (const d of shape) if (!Number.isInteger(d) || d < 0) return `bad shape [${shape}]`;
  for (const s of strides) if (!Number.isInteger(s)) return `bad strides [${strides}]`;
  if (!Number.isInteger(storageOffset) || storageOffset < 0) return `bad storage offset ${storageOffset}`;
  const item = ITEM_SIZE[t.storage.dtype];
  const storageNumel = Math.floor(t.storage.bytes.byteLength / item);
  if (numel(shape) === 0) return undefined;
  let lo = storageOffset,
    hi = storageOffset;
  for (let i = 0; i < shape.length; i++) {
    const ext = (shape[i] - 1) * strides[i];
    if (ext < 0) lo += ext;
    else hi += ext;
  }
  if (lo < 0 || hi >= storageNumel) {
    return (
      `storage too small for the view: shape [${shape}], strides [${strides}], offset ${storageOffset} ` +
      `needs elements ${lo}..${hi} but the storage has ${storageNumel} ${t.storage.dtype} elements`
    );
  }
  return undefined;
}

/** The view's elements, row-major, as little-endian bytes (a subarray when already contiguous). */
export function contiguousBytes(t: RawTensor): Uint8Array {
  const item = ITEM_SIZE[t.storage.dtype];
  const n = numel(t.shape);
  if (isContiguous(t)) {
    const start = t.storageOffset * item;
    return t.storage.bytes.subarray(start, start + n * item);
  }
  const out = new Uint8Array(n * item);
  const src = t.storage.bytes;
  const rank = t.shape.length;
  const idx = new Array<number>(rank).fill(0);
  let off = t.storageOffset;
  for (let k = 0; k < n; k++) {
    out.set(src.subarray(off * item, off * item + item), k * item);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      off += t.strides[d];
      if (idx[d] < t.shape[d]) break;
      off -= t.strides[d] * t.shape[d];
      idx[d] = 0;
    }
  }
  return out;
}
