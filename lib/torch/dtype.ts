// dtype names (PyTorch's, without the `torch.` prefix) and their c10::ScalarType codes.
/**
 * A tensor element type, by PyTorch's name without the `torch.` prefix ('float32' for `torch.float32`). Wherever a
 * dtype is taken, PyTorch's aliases are accepted too ('float', 'double', 'half', 'long', 'int', 'short', 'byte',
 * 'char', 'cfloat', 'cdouble').
 */
export type DType =
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'complex32'
  | 'complex64'
  | 'complex128'
  | 'bool'
  | 'bfloat16'
  | 'uint16'
  | 'uint32'
  | 'uint64';

/** Each dtype's c10::ScalarType code, as the addon exchanges dtypes. */
export const DTYPE_CODES: Readonly<Record<DType, number>> = {
  uint8: 0,
  int8: 1,
  int16: 2,
  int32: 3,
  int64: 4,
  float16: 5,
  float32: 6,
  float64: 7,
  complex32: 8,
  complex64: 9,
  complex128: 10,
  bool: 11,
  bfloat16: 15,
  uint16: 27,
  uint32: 28,
  uint64: 29,
};

/** PyTorch's aliases, accepted wherever a dtype is. */
const ALIASES: Record<string, DType> = {
  float: 'float32',
  double: 'float64',
  half: 'float16',
  long: 'int64',
  int: 'int32',
  short: 'int16',
  byte: 'uint8',
  char: 'int8',
  cfloat: 'complex64',
  cdouble: 'complex128',
};

const NAMES: string[] = [];
for (const [name, code] of Object.entries(DTYPE_CODES)) NAMES[code] = name;

/**
 * The c10::ScalarType code of a dtype name or alias.
 *
 * Throws:
 *   TypeError for an unknown name, listing the known ones.
 */
export function dtypeCode(d: DType | string): number {
  const code = DTYPE_CODES[(ALIASES[d] ?? d) as DType];
  if (code === undefined)
    throw new TypeError(`unknown dtype '${d}' (expected one of ${Object.keys(DTYPE_CODES).join(', ')})`);
  return code;
}

/**
 * The dtype name of a c10::ScalarType code (the inverse of `dtypeCode`).
 *
 * Throws:
 *   TypeError for a code with no supported dtype (quantized types, for instance).
 */
export function dtypeName(code: number): DType {
  const name = NAMES[code];
  if (!name) throw new TypeError(`unsupported dtype code ${code}`);
  return name as DType;
}

/** Whether `v` is a dtype name or one of PyTorch's aliases ('float', 'long', ...). */
export const isDType = (v: unknown): v is DType => typeof v === 'string' && (v in DTYPE_CODES || v in ALIASES);

/**
 * Whether a dtype is a real floating-point type (float16, bfloat16, float32, float64), as PyTorch's
 * `dtype.is_floating_point`.
 *
 * Example:
 *   isFloatingPoint('bfloat16'); // true
 *   isFloatingPoint('complex64'); // false
 */
export const isFloatingPoint = (d: DType): boolean =>
  d === 'float16' || d === 'float32' || d === 'float64' || d === 'bfloat16';
/** Whether a dtype is complex (complex32, complex64, complex128), as PyTorch's `dtype.is_complex`. */
export const isComplex = (d: DType): boolean => d === 'complex32' || d === 'complex64' || d === 'complex128';

/** The JS typed arrays that tensor data is read from and into. */
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

/** The TypedArray that holds each dtype's elements (16-bit floats as raw Uint16 bits, bool as Uint8). */
export const TYPED_ARRAY_OF: Readonly<
  Record<
    DType,
    { new (buf: ArrayBuffer, off?: number, len?: number): TypedArray; BYTES_PER_ELEMENT: number } | undefined
  >
> = {
  uint8: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  float16: Uint16Array,
  float32: Float32Array,
  float64: Float64Array,
  bool: Uint8Array,
  bfloat16: Uint16Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  complex32: undefined,
  complex64: Float32Array,
  complex128: Float64Array,
};

/** Bytes per element of each dtype, as PyTorch's `dtype.itemsize`. */
export const ELEMENT_SIZE: Readonly<Record<DType, number>> = {
  uint8: 1,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  float16: 2,
  float32: 4,
  float64: 8,
  complex32: 4,
  complex64: 8,
  complex128: 16,
  bool: 1,
  bfloat16: 2,
  uint16: 2,
  uint32: 4,
  uint64: 8,
};

/**
 * The dtype a typed array's elements have (Uint8ClampedArray counts as uint8).
 *
 * Throws:
 *   TypeError for a view with no matching dtype (DataView, Float16Array), naming its type.
 */
export function dtypeOfTypedArray(a: ArrayBufferView): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof BigUint64Array) return 'uint64';
  throw new TypeError(`unsupported typed array ${a.constructor.name}`);
}

/**
 * How a tensor's elements are laid out in memory, as PyTorch's `torch.memory_format`: 'contiguous' (row-major),
 * 'preserve' (keep the input's), 'channelsLast' (NHWC for 4-d) or 'channelsLast3d' (NDHWC for 5-d).
 */
export type MemoryFormat = 'contiguous' | 'preserve' | 'channelsLast' | 'channelsLast3d';
/** Each memory format's code, as the addon exchanges them. */
export const MEMORY_FORMAT_CODES: Readonly<Record<MemoryFormat, number>> = {
  contiguous: 0,
  preserve: 1,
  channelsLast: 2,
  channelsLast3d: 3,
};
/** A tensor's layout, as PyTorch's `torch.layout`: 'strided' (dense) or 'sparse' (COO). */
export type Layout = 'strided' | 'sparse';
/** Each layout's code, as the addon exchanges them. */
export const LAYOUT_CODES: Readonly<Record<Layout, number>> = { strided: 0, sparse: 1 };
