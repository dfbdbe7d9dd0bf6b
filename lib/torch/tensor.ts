// The Tensor class: generated ATen methods (TensorMethods) plus what schemas cannot express:
// metadata, readback, device/dtype conversion, autograd entry points, indexing and printing.
import { callOverloads, setTensorFactory, type OverloadSpec } from './dispatch.js';
import {
  type DType,
  type MemoryFormat,
  TYPED_ARRAY_OF,
  type TypedArray,
  dtypeCode,
  dtypeName,
  ELEMENT_SIZE,
  isComplex,
  isDType,
  isFloatingPoint,
} from './dtype.js';
import { noteBackward } from './backward-count.js';
import { integerLiteralOrigin } from './literals.js';
import { formatTensor } from './printing.js';
import { TensorBase, tidy } from './handle.js';
import { registerTensorHook, type RemovableHandle, type TensorHook } from './hooks.js';
import { native } from './native.js';
import { TensorMethods } from './generated/methods.js';
import { ATEN } from './generated/schemas.js';

const pick = (name: string, overload: string): OverloadSpec[] => ATEN[name].filter((s) => s.o === overload);
const TO = pick('to', 'dtype_layout');
const SELECT = pick('select', 'int');
const SLICE = pick('slice', 'Tensor');
const UNSQUEEZE = pick('unsqueeze', '');
const INDEX = pick('index', 'Tensor');
const INDEX_PUT = pick('index_put_', '');
const COPY = pick('copy_', '');
const FILL = pick('fill_', 'Scalar');
const IS_CONTIGUOUS = ATEN.is_contiguous;
const WHERE = ATEN.where;
const UNIQUE = pick('_unique2', '');
const UNIQUE_DIM = pick('unique_dim', '');
const NONZERO = pick('nonzero', '');
const NONZERO_TUPLE = pick('nonzero_numpy', '');

/** A (nested) array index as a tensor: int64 positions, or a bool mask when every entry is boolean. */
function arrayIndex(a: unknown[], op: string): Tensor {
  const shape: number[] = [];
  const flat: unknown[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (!Array.isArray(v)) {
      if (depth !== shape.length) throw new TypeError(`${op}: ragged array index`);
      flat.push(v);
      return;
    }
    if (depth === shape.length) shape.push(v.length);
    else if (shape[depth] !== v.length) throw new TypeError(`${op}: ragged array index`);
    for (const e of v) walk(e, depth + 1);
  };
  walk(a, 0);
  if (flat.length && flat.every((v) => typeof v === 'boolean'))
    return fromData(
      Uint8Array.from(flat as boolean[], (v) => (v ? 1 : 0)),
      'bool',
      shape,
    );
  if (!flat.every((v) => typeof v === 'number' && Number.isInteger(v))) {
    throw new TypeError(
      `${op}: an array index holds integers or booleans only (a slice inside an array is not an index; pass it as its own argument)`,
    );
  }
  return fromData(
    BigInt64Array.from(flat as number[], (v) => BigInt(v)),
    'int64',
    shape,
  );
}

/** A slice, as Python's `start:stop:step` (each part optional). */
export interface Slice {
  start?: number | null;
  stop?: number | null;
  step?: number;
}

/** One index of `get`/`set`, what goes between the brackets in PyTorch, comma by comma:
 *  a number selects; a string slices (':', '1:3', '::2', '-1:'); '...' is an ellipsis; null adds an axis
 *  (None); a `{ start, stop, step }` object slices; a Tensor or a (nested) array of numbers or booleans
 *  indexes advanced, like a Python list in `x[[0, 2]]` (integer positions or a boolean mask). */
export type Index = number | string | null | Tensor | NestedArray<number> | NestedArray<boolean> | Slice;

/** The value of an index assignment: a tensor (broadcast) or a number/boolean (filled). */
export type SetValue = Tensor | number | boolean;

/**
 * The options of `Tensor.to`, as PyTorch's `Tensor.to` keyword arguments.
 *
 * Example:
 *   x.to({ device: 'cuda', dtype: 'float16', nonBlocking: true });
 */
export interface ToOptions {
  /** The target dtype (default: unchanged). */
  dtype?: DType;
  /** The target device, 'cpu', 'cuda' or 'cuda:N' (default: unchanged). */
  device?: string;
  /** Copy even when nothing changes (default false: then the result shares `x`'s data). */
  copy?: boolean;
  /** Copy asynchronously with respect to the host when possible, e.g. from pinned memory (default false). */
  nonBlocking?: boolean;
  /** The memory format of the result (default: 'preserve'). */
  memoryFormat?: MemoryFormat;
}
/** Device names `to` takes as a bare string (any device string goes through `to({ device })`). */
export type DeviceName = 'cpu' | 'cuda' | `cuda:${number}` | 'meta';

/** torch.unique's options; which outputs come back follows returnInverse / returnCounts, as in Python. */
export interface UniqueOptions {
  sorted?: boolean;
  returnInverse?: boolean;
  returnCounts?: boolean;
  dim?: number | null;
}

// Python's legacy tensor type names, for `type()`.
const TYPE_NAMES: Partial<Record<DType, string>> = {
  float32: 'FloatTensor',
  float64: 'DoubleTensor',
  float16: 'HalfTensor',
  bfloat16: 'BFloat16Tensor',
  int64: 'LongTensor',
  int32: 'IntTensor',
  int16: 'ShortTensor',
  int8: 'CharTensor',
  uint8: 'ByteTensor',
  bool: 'BoolTensor',
  complex64: 'ComplexFloatTensor',
  complex128: 'ComplexDoubleTensor',
};

/** A value or arrays of arrays of values, any depth: the data of `torch.tensor` and the result of `tolist`. */
export type NestedArray<T> = T | NestedArray<T>[];

function parseSlice(s: string): { start: number | null; stop: number | null; step: number } {
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3)
    throw new TypeError(`index: cannot parse slice '${s}' (expected 'start:stop' or 'start:stop:step')`);
  const num = (p: string | undefined): number | null => {
    if (p === undefined || p.trim() === '') return null;
    const v = Number(p);
    if (!Number.isInteger(v)) throw new TypeError(`index: '${p}' in slice '${s}' is not an integer`);
    return v;
  };
  const step = num(parts[2]) ?? 1;
  if (step <= 0) throw new RangeError(`index: slice step must be positive, got ${step}`);
  return { start: num(parts[0]), stop: num(parts[1]), step };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A multi-dimensional array of one dtype on one device, as PyTorch's `torch.Tensor`, backed by a libtorch tensor.
 * Every ATen method is here under its camelCase name (`x.matmul(y)`, `x.logSoftmax(1)`, `x.add_(1)` in place),
 * with Python's positional and keyword arguments (keyword ones as a trailing options object); this class adds
 * what the op schemas cannot express: metadata (`shape`, `dtype`, `device`), readback (`item`, `toTypedArray`,
 * `tolist`), conversion (`to`, `float`, `cuda`), autograd (`backward`, `grad`, `requiresGrad_`), indexing (`get`,
 * `set`) and printing.
 *
 * Tensors hold native memory: dispose them (`x.dispose()`, `using x = ...`, or `torch.tidy`) rather than wait
 * for the garbage collector. Make them with the factories (`torch.tensor`, `torch.zeros`, ...), not with `new`.
 *
 * Example:
 *   const x = torch.tensor([[1, 2], [3, 4]], { dtype: 'float32', requiresGrad: true });
 *   const loss = x.matmul(x).sum();
 *   loss.backward();
 *   console.log(x.grad!.tolist()); // [[7, 11], [9, 13]]
 */
export class Tensor extends TensorMethods {
  private meta(): ReturnType<typeof native.meta> {
    return native.meta(this.h);
  }

  /** Sizes of every dimension. */
  get shape(): number[] {
    return native.shape(this.h);
  }
  /** `size()` is the shape; `size(d)` one dimension's size (negative counts from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    const s = this.shape;
    if (dim === undefined) return s;
    const d = dim < 0 ? dim + s.length : dim;
    if (d < 0 || d >= s.length) throw new RangeError(`size: dimension ${dim} out of range for a ${s.length}-d tensor`);
    return s[d];
  }
  get dtype(): DType {
    return dtypeName(native.dtype(this.h));
  }
  get device(): string {
    return native.device(this.h);
  }
  get ndim(): number {
    return this.shape.length;
  }
  /** Number of dimensions (PyTorch's `dim()`, the same as `ndim`). */
  dim(): number {
    return this.shape.length;
  }
  /** Number of elements (the product of the shape). */
  numel(): number {
    return native.numel(this.h);
  }
  get strides(): number[] {
    return this.meta()[3];
  }
  /** The strides of every dimension, in elements. */
  stride(): number[];
  /** The stride of dimension `dim` (negative counts from the end), in elements. */
  stride(dim: number): number;
  stride(dim?: number): number | number[] {
    const s = this.strides;
    if (dim === undefined) return s;
    const d = dim < 0 ? dim + s.length : dim;
    if (d < 0 || d >= s.length)
      throw new RangeError(`stride: dimension ${dim} out of range for a ${s.length}-d tensor`);
    return s[d];
  }
  /** Whether the elements are laid out densely in the given memory format (C order by default). */
  isContiguous(memoryFormat?: MemoryFormat): boolean {
    return callOverloads(IS_CONTIGUOUS, memoryFormat === undefined ? [this] : [this, memoryFormat]) as boolean;
  }
  /** Offset of the first element in the underlying storage, in elements. */
  storageOffset(): number {
    return this.meta()[4];
  }
  /** Bytes per element of the dtype. */
  elementSize(): number {
    return ELEMENT_SIZE[this.dtype];
  }
  get nbytes(): number {
    return this.numel() * this.elementSize();
  }
  get isCuda(): boolean {
    return this.device.startsWith('cuda');
  }
  /** Whether the dtype is a floating-point type. */
  isFloatingPoint(): boolean {
    return isFloatingPoint(this.dtype);
  }
  /** Whether the dtype is a complex type. */
  isComplex(): boolean {
    return isComplex(this.dtype);
  }

  // ---- autograd ----
  get requiresGrad(): boolean {
    return this.meta()[5];
  }
  set requiresGrad(value: boolean) {
    this.setRequiresGrad(value);
  }
  /** Sets requiresGrad in place (PyTorch's `requires_grad_`); returns this tensor. */
  requiresGrad_(value = true): this {
    this.setRequiresGrad(value);
    return this;
  }
  private setRequiresGrad(value: boolean): void {
    try {
      native.setRequiresGrad(this.h, value);
    } catch (err) {
      const origin = integerLiteralOrigin(this);
      if (origin && err instanceof Error) {
        err.message +=
          ` (this tensor is int64 because ${origin} got only integer-valued JS numbers, which read as Python ints; ` +
          `create it with { dtype: 'float32' }, or pass { requiresGrad: true } to the factory, which then makes float32)`;
      }
      throw err;
    }
  }
  get isLeaf(): boolean {
    return this.meta()[6];
  }
  /** Name of the autograd node that produced this tensor, e.g. 'AddBackward0'; null for leaves. */
  get gradFn(): string | null {
    return native.gradFn(this.h);
  }
  /** The accumulated gradient (a new handle on the same storage each access), or null. */
  get grad(): Tensor | null {
    const g = native.getGrad(this.h);
    return g === null ? null : new Tensor(g);
  }
  set grad(value: Tensor | null) {
    native.setGrad(this.h, value ? value.h : null);
  }
  /** Keeps `.grad` for this non-leaf tensor after backward (PyTorch's `retain_grad`); returns this tensor. */
  retainGrad(): this {
    native.retainGrad(this.h);
    return this;
  }
  /**
   * Registers a backward hook (PyTorch's `Tensor.register_hook`): during backward (`backward()`,
   * `torch.autograd.backward`, `torch.autograd.grad`) `hook(grad)` is called with the gradient with respect
   * to this tensor; a tensor it returns (same shape and dtype) replaces that gradient for the rest of the
   * graph, undefined keeps it. On a leaf it runs before the gradient is accumulated into `.grad`. Hooks run
   * in registration order, each seeing what the previous one returned. A hook that throws makes backward
   * throw that error. The returned handle's `remove()` unregisters it and releases the function (so does
   * freeing the tensor and its graph). Throws when the tensor does not require grad.
   *
   * Hooks run on the JS thread, which the autograd engine uses for CPU tensors only: a hook on a CUDA
   * tensor makes backward fail with "hooks on CUDA tensors are not supported yet".
   *
   * @example
   * const x = torch.tensor([1, 2, 3], { requiresGrad: true });
   * const h = x.registerHook((g) => g.mul(2)); // double the gradient
   * x.pow(2).sum().backward();
   * x.grad!.toArray(); // [4, 8, 12]
   * h.remove();
   */
  registerHook(hook: TensorHook): RemovableHandle {
    return registerTensorHook(this, hook);
  }
  /**
   * Computes the gradients of this tensor with respect to the graph's leaves (PyTorch's `backward`), accumulating
   * them into their `.grad`; `gradient` is required for a non-scalar tensor.
   */
  backward(
    gradient?: Tensor | null,
    options: { retainGraph?: boolean; createGraph?: boolean; inputs?: Tensor[] } = {},
  ): void {
    noteBackward();
    native.backward(
      [this.h],
      gradient ? [gradient.h] : null,
      options.retainGraph,
      options.createGraph ?? false,
      options.inputs ? options.inputs.map((t) => t.h) : null,
    );
  }

  // ---- conversion ----
  /** `to('float64')`, `to('cuda')`, `to('cuda', 'float16')`, `to(other)` (its dtype and device) or
   *  `to({ dtype, device, copy, nonBlocking, memoryFormat })`. A dtype or device name that is not one
   *  (a typo) is a compile error; a device held in a `string` goes through `to({ device })`. */
  to(dtype: DType, options?: Omit<ToOptions, 'dtype' | 'device'>): Tensor;
  to(device: DeviceName, options?: Omit<ToOptions, 'dtype' | 'device'>): Tensor;
  to(device: DeviceName, dtype: DType, options?: Omit<ToOptions, 'dtype' | 'device'>): Tensor;
  to(other: Tensor, options?: Omit<ToOptions, 'dtype' | 'device'>): Tensor;
  to(options: ToOptions): Tensor;
  to(
    target: DType | DeviceName | Tensor | ToOptions,
    second?: DType | Omit<ToOptions, 'dtype' | 'device'>,
    third?: Omit<ToOptions, 'dtype' | 'device'>,
  ): Tensor {
    let opts: ToOptions;
    const options = (typeof second === 'object' ? second : third) ?? {};
    if (target instanceof Tensor) opts = { dtype: target.dtype, device: target.device, ...options };
    else if (typeof target === 'string') {
      if (isDType(target)) opts = { dtype: target, ...options };
      else opts = { device: target, dtype: typeof second === 'string' ? second : undefined, ...options };
    } else opts = target;
    return callOverloads(TO, [
      this,
      {
        dtype: opts.dtype,
        device: opts.device,
        nonBlocking: opts.nonBlocking ?? false,
        copy: opts.copy ?? false,
        memoryFormat: opts.memoryFormat,
      },
    ]) as Tensor;
  }
  /** Python's `x.type()`: the legacy type name ('torch.FloatTensor'); `x.type(dtype)` converts like `to(dtype)`. */
  type(): string;
  type(dtype: DType): Tensor;
  type(dtype?: DType): string | Tensor {
    if (dtype !== undefined) return this.to({ dtype });
    const name = TYPE_NAMES[this.dtype] ?? `${this.dtype}Tensor`;
    return this.device === 'cpu' ? `torch.${name}` : `torch.${this.device.replace(/:\d+$/, '')}.${name}`;
  }
  /** On the CPU (`to({ device: 'cpu' })`). */
  cpu(): Tensor {
    return this.to({ device: 'cpu' });
  }
  /** On CUDA device `index`, default 0 (`to({ device: 'cuda:<index>' })`). */
  cuda(index = 0): Tensor {
    return this.to({ device: `cuda:${index}` });
  }
  /** Converted to float32. */
  float(): Tensor {
    return this.to({ dtype: 'float32' });
  }
  /** Converted to float64. */
  double(): Tensor {
    return this.to({ dtype: 'float64' });
  }
  /** Converted to float16. */
  half(): Tensor {
    return this.to({ dtype: 'float16' });
  }
  /** Converted to bfloat16. */
  bfloat16(): Tensor {
    return this.to({ dtype: 'bfloat16' });
  }
  /** Converted to int64. */
  long(): Tensor {
    return this.to({ dtype: 'int64' });
  }
  /** Converted to int32. */
  int(): Tensor {
    return this.to({ dtype: 'int32' });
  }
  /** Converted to int16. */
  short(): Tensor {
    return this.to({ dtype: 'int16' });
  }
  /** Converted to int8. */
  char(): Tensor {
    return this.to({ dtype: 'int8' });
  }
  /** Converted to uint8. */
  byte(): Tensor {
    return this.to({ dtype: 'uint8' });
  }
  /** Converted to bool. */
  bool(): Tensor {
    return this.to({ dtype: 'bool' });
  }
  /** Transpose of a 2-D tensor (all dims reversed otherwise), like PyTorch's `.T`. */
  get T(): Tensor {
    return this.permute([...Array(this.ndim).keys()].reverse());
  }
  /** Transpose of the last two dims. */
  get mT(): Tensor {
    return this.transpose(-2, -1);
  }

  // ---- readback ----
  /**
   * The value of a one-element tensor, exactly, as the JS type of its dtype (Python's `item()`):
   * - a bool tensor gives `true` or `false`;
   * - a floating tensor gives a number (float16, bfloat16 and float32 values are exact in a double);
   * - an integer tensor gives a number when the value is a safe integer (`Number.isSafeInteger`: |v| <= 2^53 - 1);
   *   an int64 or uint64 value beyond that throws a RangeError naming `itemBigInt()`, never a rounded number;
   * - a complex tensor throws a TypeError.
   * The declared type is `number`; for a bool tensor write `mask.item<boolean>()` to have a `boolean`.
   */
  item<T extends number | boolean = number>(): T {
    let v: number | boolean;
    try {
      v = native.item(this.h);
    } catch (err) {
      // A uint64 value beyond int64: read it exactly.
      if (this.numel() === 1 && this.dtype === 'uint64') return this.exactInteger(-1) as T;
      throw err;
    }
    if (typeof v === 'number' && Number.isInteger(v) && (v < 0 || v > Number.MAX_SAFE_INTEGER))
      return this.exactInteger(v) as T;
    return v as T;
  }
  /**
   * `v` as item() read it, or the exact value when the dtype is 64-bit (the addon's double may have rounded or
   * wrapped it).
   */
  private exactInteger(v: number): number {
    const dtype = this.dtype;
    if (dtype !== 'int64' && dtype !== 'uint64') return v;
    const exact = this.itemBigInt();
    if (exact >= -MAX_SAFE && exact <= MAX_SAFE) return Number(exact);
    throw new RangeError(
      `item: the ${dtype} value ${exact} is beyond Number.MAX_SAFE_INTEGER (2^53 - 1), where a number ` +
        'would round it; use itemBigInt() for the exact value',
    );
  }
  /**
   * The exact value of a one-element integer or bool tensor as a bigint (int64 and uint64 values beyond 2^53
   * included; bool gives 0n or 1n). Floating and complex tensors throw a TypeError (use item()).
   */
  itemBigInt(): bigint {
    const dtype = this.dtype;
    if (isFloatingPoint(dtype) || isComplex(dtype))
      throw new TypeError(`itemBigInt: the tensor is ${dtype}, not an integer dtype; use item()`);
    const n = this.numel();
    if (n !== 1) throw new RangeError(`itemBigInt: a tensor with ${n} elements cannot be converted to a bigint`);
    const first = this.toTypedArray()[0];
    return typeof first === 'bigint' ? first : BigInt(first);
  }
  /** The elements in a new TypedArray: always a copy (C order, taken after any pending device work),
   *  never a view, so writing to it leaves the tensor unchanged (for shared memory create the tensor
   *  over a TypedArray with `torch.fromBuffer`). float16/bfloat16 come as raw Uint16 bits, bool as
   *  Uint8 0/1, complex64/complex128 as interleaved (re, im) Float32Array/Float64Array of 2 * numel. */
  toTypedArray(): TypedArray {
    const dtype = this.dtype;
    const Ctor = TYPED_ARRAY_OF[dtype];
    if (!Ctor) throw new TypeError(`toTypedArray: no TypedArray holds ${dtype}`);
    return new Ctor(native.toBuffer(this.h));
  }
  /**
   * Elements as nested JS arrays: booleans for bool tensors, numbers otherwise (Python's `tolist()`). Complex
   * elements are [re, im] pairs, so the nesting is one level deeper: what `torch.view_as_real(x).tolist()` gives.
   * Values are exact: an int64 or uint64 element beyond Number.MAX_SAFE_INTEGER (2^53 - 1) throws a RangeError
   * naming the element, never a rounded number; `toTypedArray()` gives such tensors exactly (a BigInt64Array or
   * BigUint64Array).
   */
  toArray(): NestedArray<number | boolean> {
    const dtype = this.dtype;
    return this.nested((v, i) => {
      if (typeof v !== 'bigint') return v;
      if (v >= -MAX_SAFE && v <= MAX_SAFE) return Number(v);
      throw new RangeError(
        `toArray: element ${i} of this ${dtype} tensor, ${v}, is beyond Number.MAX_SAFE_INTEGER (2^53 - 1), ` +
          `where a number would round it; toTypedArray() gives the exact values (a ${dtype === 'int64' ? 'BigInt64Array' : 'BigUint64Array'})`,
      );
    });
  }
  /** The elements nested by shape (complex as [re, im]), each passed through `conv` with its flat index. */
  private nested<E>(conv: (v: number | bigint | boolean, i: number) => E): NestedArray<E> {
    let flat: ArrayLike<number | bigint | boolean>;
    const dtype = this.dtype;
    let shape = this.shape;
    if (dtype === 'float16' || dtype === 'bfloat16') flat = tidy(() => this.float().toTypedArray()) as Float32Array;
    else if (dtype === 'bool') flat = Array.from(this.toTypedArray() as Uint8Array, (v) => v !== 0);
    else if (dtype === 'complex32')
      throw new TypeError("toArray: complex32 has no JS representation; convert with to('complex64') first");
    else {
      flat = this.toTypedArray() as ArrayLike<number | bigint>;
      if (isComplex(dtype)) shape = [...shape, 2];
    }
    if (shape.length === 0) return conv(flat[0], 0);
    let pos = 0;
    const build = (d: number): NestedArray<E> => {
      const out: NestedArray<E>[] = [];
      for (let i = 0; i < shape[d]; i++) out.push(d === shape.length - 1 ? conv(flat[pos], pos++) : build(d + 1));
      return out;
    };
    return build(0);
  }
  /** The elements as nested arrays (PyTorch's `tolist`; the same as `toArray`). */
  tolist(): NestedArray<number | boolean> {
    return this.toArray();
  }

  // ---- Python forms whose schema differs ----
  /**
   * `x.where(condition, other)`: elements of x where condition holds, else of other
   * (torch.where(condition, x, other)).
   */
  where(condition: Tensor, other: Tensor | number | boolean): Tensor {
    return callOverloads(WHERE, [condition, this, other]) as Tensor;
  }
  /** torch.unique: the sorted distinct elements (or slices along `dim`), plus the inverse indices and
   *  counts when asked for, in Python's order (output, inverse?, counts?). */
  unique(options?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
  unique(options: UniqueOptions & { returnInverse: true; returnCounts?: false }): [Tensor, Tensor];
  unique(options: UniqueOptions & { returnInverse?: false; returnCounts: true }): [Tensor, Tensor];
  unique(options: UniqueOptions & { returnInverse: true; returnCounts: true }): [Tensor, Tensor, Tensor];
  unique(options: UniqueOptions = {}): Tensor | Tensor[] {
    const inverse = options.returnInverse ?? false,
      counts = options.returnCounts ?? false;
    return tidy(() => {
      const [out, inv, cnt] = (
        options.dim === undefined || options.dim === null
          ? callOverloads(UNIQUE, [this, options.sorted ?? true, inverse, counts])
          : callOverloads(UNIQUE_DIM, [this, options.dim, options.sorted ?? true, inverse, counts])
      ) as [Tensor, Tensor, Tensor];
      if (inverse && counts) return [out, inv, cnt];
      if (inverse) return [out, inv];
      if (counts) return [out, cnt];
      return out;
    });
  }
  /** Indices of the non-zero elements: one row per element (n, ndim), or with `{ asTuple: true }`
   *  one 1-D tensor per dimension (as Python's `as_tuple=True`). */
  nonzero(options?: { asTuple?: false }): Tensor;
  nonzero(options: { asTuple: true }): Tensor[];
  nonzero(options: { asTuple?: boolean } = {}): Tensor | Tensor[] {
    return options.asTuple
      ? (callOverloads(NONZERO_TUPLE, [this]) as Tensor[])
      : (callOverloads(NONZERO, [this]) as Tensor);
  }

  // ---- indexing ----
  /** PyTorch's `x[i0, i1, ...]`: each argument is one comma-separated index (see `Index`), so
   *  `x.get(0, 1)` is `x[0, 1]`, `x.get(':', '1:3', '...', null)` is `x[:, 1:3, ..., None]` and
   *  `x.get([0, 2])` is `x[[0, 2]]` (advanced). Basic indices give views. */
  get(...indices: Index[]): Tensor {
    return tidy(() => {
      const [view, advanced] = this.basicIndex(indices, 'get');
      if (!advanced) return view;
      return callOverloads(INDEX, [view, advanced]) as Tensor;
    });
  }
  /** PyTorch's `x[i0, i1, ...] = value`: the same indices as `get`, then the value last, so
   *  `x.set(0, 1, 5)` is `x[0, 1] = 5`, `x.set(':', 0, 5)` is `x[:, 0] = 5` and `x.set([0, 1], 5)` is
   *  `x[[0, 1]] = 5`. Writes in place; returns this. */
  set(...indicesThenValue: [...Index[], SetValue]): this {
    if (indicesThenValue.length === 0)
      throw new TypeError('set: expected indices followed by a value, e.g. x.set(0, 1, 5) for x[0, 1] = 5');
    const value = indicesThenValue[indicesThenValue.length - 1] as unknown;
    if (!(value instanceof Tensor) && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new TypeError(
        `set: the last argument is the value to write and must be a Tensor, number or boolean, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value} (x[i, j] = v is x.set(i, j, v))`,
      );
    }
    const indices = indicesThenValue.slice(0, -1) as Index[];
    const origin = typeof value === 'number' && !Number.isInteger(value) ? integerLiteralOrigin(this) : undefined;
    if (origin !== undefined) {
      throw new TypeError(
        `set: writing ${value} into this int64 tensor would truncate it; it is int64 because ${origin} got only ` +
          `integer-valued JS numbers, which read as Python ints; where the Python code wrote floats (1.0, 2.) create it with { dtype: 'float32' }`,
      );
    }
    tidy(() => {
      const [view, advanced] = this.basicIndex(indices, 'set');
      if (advanced) {
        const v = value instanceof Tensor ? value : fromScalarLike(value, view);
        callOverloads(INDEX_PUT, [view, advanced, v]);
      } else if (value instanceof Tensor) {
        callOverloads(COPY, [view, value]);
      } else {
        callOverloads(FILL, [view, value]);
      }
    });
    return this;
  }

  /** Applies numbers, slices, ellipsis and new axes as views; returns advanced indices per remaining dim. */
  private basicIndex(raw: Index[], op: string): [Tensor, (Tensor | null)[] | null] {
    // Arrays become index tensors first (Python turns a list index into a tensor the same way).
    const indices = raw.map((i) => (Array.isArray(i) ? arrayIndex(i, op) : i));
    const consumes = (i: Index): number => {
      if (i === null || i === '...') return 0;
      if (i instanceof Tensor && i.dtype === 'bool') return i.ndim;
      return 1;
    };
    const ellipses = indices.filter((i) => i === '...').length;
    if (ellipses > 1) throw new TypeError('index: at most one ellipsis (...) allowed');
    const used = indices.reduce<number>((n, i) => n + consumes(i), 0);
    const ndim = this.ndim;
    if (used > ndim)
      throw new RangeError(`index: too many indices (${used}) for a ${ndim}-d tensor of shape [${this.shape}]`);
    let r: Tensor = this;
    let d = 0; // current dimension of r
    // One entry per index item that survives as a dim: null for sliced dims, the tensor for advanced ones.
    const advanced: (Tensor | null)[] = [];
    for (const idx of indices) {
      if (idx === '...') {
        for (let k = 0; k < ndim - used; k++, d++) advanced.push(null);
      } else if (idx === null) {
        r = callOverloads(UNSQUEEZE, [r, d]) as Tensor;
        advanced.push(null);
        d++;
      } else if (typeof idx === 'number') {
        const size = r.shape[d];
        if (idx >= size || idx < -size)
          throw new RangeError(`index: ${idx} is out of bounds for dimension ${d} with size ${size}`);
        r = callOverloads(SELECT, [r, d, idx]) as Tensor;
      } else if (
        typeof idx === 'string' ||
        (typeof idx === 'object' && !(idx instanceof Tensor) && !Array.isArray(idx))
      ) {
        const s =
          typeof idx === 'string'
            ? parseSlice(idx)
            : {
                start: (idx as Slice).start ?? null,
                stop: (idx as Slice).stop ?? null,
                step: (idx as Slice).step ?? 1,
              };
        r = callOverloads(SLICE, [r, d, s.start, s.stop, s.step]) as Tensor;
        advanced.push(null);
        d++;
      } else if (idx instanceof Tensor) {
        const t = idx;
        advanced.push(t);
        d += t.dtype === 'bool' ? t.ndim : 1;
      }
    }
    return [r, advanced.some((a) => a !== null) ? advanced : null];
  }

  // ---- printing ----
  /** Python's `repr(x)`: `tensor([0., 1., 2.])`, `tensor([1, 2])`, `tensor([True, False])`, with its precision,
   *  scientific notation, summarisation, line width and suffixes (see `torch.setPrintOptions`). */
  override toString(): string {
    return formatTensor(this);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

setTensorFactory((h) => new Tensor(h));

/** Wraps a native handle (internal). */
export const wrap = (h: number): Tensor => new Tensor(h);

/** A tensor from a TypedArray (copied), with the given dtype and shape. */
export function fromData(
  data: ArrayBufferView | ArrayBuffer,
  dtype: DType,
  shape: number[],
  device?: string,
  requiresGrad = false,
): Tensor {
  return new Tensor(native.fromBuffer(data, dtypeCode(dtype), shape, device, requiresGrad));
}

function fromScalarLike(value: number | boolean, like: Tensor): Tensor {
  const dtype = like.dtype;
  const Ctor = TYPED_ARRAY_OF[dtype];
  if (dtype === 'bool' || !Ctor || dtype === 'float16' || dtype === 'bfloat16') {
    return fromData(new Float64Array([Number(value)]), 'float64', [], like.device).to({ dtype });
  }
  const arr = new Ctor(new ArrayBuffer(Ctor.BYTES_PER_ELEMENT));
  (arr as unknown as (number | bigint)[])[0] =
    arr instanceof BigInt64Array || arr instanceof BigUint64Array ? BigInt(value) : Number(value);
  return fromData(arr, dtype, [], like.device);
}
