// The Tensor class: generated ATen methods (TensorMethods) plus what schemas cannot express:
// metadata, readback, device/dtype conversion, autograd entry points, indexing and printing.
import { callOverloads, setTensorFactory, type OverloadSpec } from './dispatch.js';
import { type DType, type MemoryFormat, TYPED_ARRAY_OF, type TypedArray, dtypeCode, dtypeName, ELEMENT_SIZE, isComplex, isDType, isFloatingPoint } from './dtype.js';
import { noteBackward } from './backward-count.js';
import { TensorBase, tidy } from './handle.js';
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
const FROM_LIST = (values: number[]): Tensor => fromData(new BigInt64Array(values.map((v) => BigInt(v))), 'int64', [values.length]);

/** One entry of `get`/`set` indexing, numpy/PyTorch style:
 *  a number selects; a string slices ('1:3', ':', '::2', '-1:'); '...' is an ellipsis; null adds an axis;
 *  a Tensor or number[] indexes advanced (integer or boolean mask); `{ start, stop, step }` slices. */
export type Index = number | string | null | Tensor | number[] | { start?: number | null; stop?: number | null; step?: number };

export interface ToOptions { dtype?: DType; device?: string; copy?: boolean; nonBlocking?: boolean; memoryFormat?: MemoryFormat }

export type NestedArray<T> = T | NestedArray<T>[];

function parseSlice(s: string): { start: number | null; stop: number | null; step: number } {
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3) throw new TypeError(`index: cannot parse slice '${s}' (expected 'start:stop' or 'start:stop:step')`);
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

function formatNumber(v: number | boolean | bigint, floating: boolean): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (!floating) return String(v);
  const n = v as number;
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return Math.abs(n) >= 1e8 || (Math.abs(n) < 1e-4 && n !== 0) ? n.toExponential(4) : n.toFixed(4);
}

export class Tensor extends TensorMethods {
  private meta(): ReturnType<typeof native.meta> {
    return native.meta(this.h);
  }

  /** Sizes of every dimension. */
  get shape(): number[] {
    return native.shape(this.h);
  }
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
  dim(): number {
    return this.shape.length;
  }
  numel(): number {
    return native.numel(this.h);
  }
  get strides(): number[] {
    return this.meta()[3];
  }
  stride(dim?: number): number | number[] {
    const s = this.strides;
    return dim === undefined ? s : s[dim < 0 ? dim + s.length : dim];
  }
  storageOffset(): number {
    return this.meta()[4];
  }
  elementSize(): number {
    return ELEMENT_SIZE[this.dtype];
  }
  get nbytes(): number {
    return this.numel() * this.elementSize();
  }
  get isCuda(): boolean {
    return this.device.startsWith('cuda');
  }
  isFloatingPoint(): boolean {
    return isFloatingPoint(this.dtype);
  }
  isComplex(): boolean {
    return isComplex(this.dtype);
  }

  // ---- autograd ----
  get requiresGrad(): boolean {
    return this.meta()[5];
  }
  set requiresGrad(value: boolean) {
    native.setRequiresGrad(this.h, value);
  }
  requiresGrad_(value = true): this {
    native.setRequiresGrad(this.h, value);
    return this;
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
  retainGrad(): this {
    native.retainGrad(this.h);
    return this;
  }
  backward(gradient?: Tensor | null, options: { retainGraph?: boolean; createGraph?: boolean; inputs?: Tensor[] } = {}): void {
    noteBackward();
    native.backward([this.h], gradient ? [gradient.h] : null, options.retainGraph, options.createGraph ?? false,
      options.inputs ? options.inputs.map((t) => t.h) : null);
  }

  // ---- conversion ----
  /** `to('cuda')`, `to('float64')`, `to(other)` (its dtype and device) or `to({ dtype, device, copy, nonBlocking, memoryFormat })`. */
  to(target: DType | string | Tensor | ToOptions, options: Omit<ToOptions, 'dtype' | 'device'> = {}): Tensor {
    let opts: ToOptions;
    if (target instanceof Tensor) opts = { dtype: target.dtype, device: target.device, ...options };
    else if (typeof target === 'string') opts = isDType(target) ? { dtype: target, ...options } : { device: target, ...options };
    else opts = target;
    return callOverloads(TO, [this, { dtype: opts.dtype, device: opts.device, nonBlocking: opts.nonBlocking ?? false, copy: opts.copy ?? false, memoryFormat: opts.memoryFormat }]) as Tensor;
  }
  cpu(): Tensor { return this.to({ device: 'cpu' }); }
  cuda(index = 0): Tensor { return this.to({ device: `cuda:${index}` }); }
  float(): Tensor { return this.to({ dtype: 'float32' }); }
  double(): Tensor { return this.to({ dtype: 'float64' }); }
  half(): Tensor { return this.to({ dtype: 'float16' }); }
  bfloat16(): Tensor { return this.to({ dtype: 'bfloat16' }); }
  long(): Tensor { return this.to({ dtype: 'int64' }); }
  int(): Tensor { return this.to({ dtype: 'int32' }); }
  short(): Tensor { return this.to({ dtype: 'int16' }); }
  char(): Tensor { return this.to({ dtype: 'int8' }); }
  byte(): Tensor { return this.to({ dtype: 'uint8' }); }
  bool(): Tensor { return this.to({ dtype: 'bool' }); }
  /** Transpose of a 2-D tensor (all dims reversed otherwise), like PyTorch's `.T`. */
  get T(): Tensor { return this.permute([...Array(this.ndim).keys()].reverse()); }
  /** Transpose of the last two dims. */
  get mT(): Tensor { return this.transpose(-2, -1); }

  // ---- readback ----
  /** The value of a one-element tensor (bool tensors give 1 or 0, so the result is always a number). */
  item(): number {
    const v = native.item(this.h);
    return typeof v === 'boolean' ? Number(v) : v;
  }
  /** A copy of the elements in a TypedArray (C order; float16/bfloat16 as raw Uint16 bits; bool as Uint8). */
  toTypedArray(): TypedArray {
    const dtype = this.dtype;
    const Ctor = TYPED_ARRAY_OF[dtype];
    if (!Ctor) throw new TypeError(`toTypedArray: no TypedArray holds ${dtype}`);
    return new Ctor(native.toBuffer(this.h));
  }
  /** Elements as nested JS arrays (numbers, or booleans for bool tensors). */
  toArray(): NestedArray<number | boolean> {
    let flat: ArrayLike<number | bigint | boolean>;
    const dtype = this.dtype;
    if (dtype === 'float16' || dtype === 'bfloat16') flat = tidy(() => this.float().toTypedArray()) as Float32Array;
    else if (dtype === 'bool') flat = Array.from(this.toTypedArray() as Uint8Array, (v) => v !== 0);
    else if (isComplex(dtype)) throw new TypeError('toArray: complex tensors are not supported; use viewAsReal');
    else flat = this.toTypedArray() as ArrayLike<number | bigint>;
    const shape = this.shape;
    const conv = (v: number | bigint | boolean): number | boolean => (typeof v === 'bigint' ? Number(v) : v);
    if (shape.length === 0) return conv(flat[0]);
    let pos = 0;
    const build = (d: number): NestedArray<number | boolean> => {
      const out: NestedArray<number | boolean>[] = [];
      for (let i = 0; i < shape[d]; i++) out.push(d === shape.length - 1 ? conv(flat[pos++]) : build(d + 1));
      return out;
    };
    return build(0);
  }
  tolist(): NestedArray<number | boolean> {
    return this.toArray();
  }

  // ---- indexing ----
  /** `x.get(':', '1:3', '...', null)` is PyTorch's `x[:, 1:3, ..., None]`; see `Index`. */
  get(...indices: Index[]): Tensor {
    return tidy(() => {
      const [view, advanced] = this.basicIndex(indices);
      if (!advanced) return view;
      return callOverloads(INDEX, [view, advanced]) as Tensor;
    });
  }
  /** Index assignment: `x.set([':', 0], 5)` is PyTorch's `x[:, 0] = 5`. Writes in place; returns this. */
  set(indices: Index | Index[], value: Tensor | number | boolean): this {
    tidy(() => {
      const list = Array.isArray(indices) && !indices.every((i) => typeof i === 'number') ? indices : [indices as Index];
      const [view, advanced] = this.basicIndex(list);
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
  private basicIndex(indices: Index[]): [Tensor, (Tensor | null)[] | null] {
    const consumes = (i: Index): number => {
      if (i === null || i === '...') return 0;
      if (i instanceof Tensor && i.dtype === 'bool') return i.ndim;
      return 1;
    };
    const ellipses = indices.filter((i) => i === '...').length;
    if (ellipses > 1) throw new TypeError('index: at most one ellipsis (...) allowed');
    const used = indices.reduce<number>((n, i) => n + consumes(i), 0);
    const ndim = this.ndim;
    if (used > ndim) throw new RangeError(`index: too many indices (${used}) for a ${ndim}-d tensor of shape [${this.shape}]`);
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
        if (idx >= size || idx < -size) throw new RangeError(`index: ${idx} is out of bounds for dimension ${d} with size ${size}`);
        r = callOverloads(SELECT, [r, d, idx]) as Tensor;
      } else if (typeof idx === 'string' || (typeof idx === 'object' && !(idx instanceof Tensor) && !Array.isArray(idx))) {
        const s = typeof idx === 'string' ? parseSlice(idx) : { start: idx.start ?? null, stop: idx.stop ?? null, step: idx.step ?? 1 };
        r = callOverloads(SLICE, [r, d, s.start, s.stop, s.step]) as Tensor;
        advanced.push(null);
        d++;
      } else {
        const t = idx instanceof Tensor ? idx : FROM_LIST(idx);
        advanced.push(t);
        d += t.dtype === 'bool' ? t.ndim : 1;
      }
    }
    return [r, advanced.some((a) => a !== null) ? advanced : null];
  }

  // ---- printing ----
  override toString(): string {
    if (this.h < 0) return 'tensor(<disposed>)';
    const shape = this.shape;
    const dtype = this.dtype;
    const extras: string[] = [];
    if (this.device !== 'cpu') extras.push(`device='${this.device}'`);
    if (dtype !== 'float32' && dtype !== 'int64' && dtype !== 'bool') extras.push(`dtype=${dtype}`);
    if (this.requiresGrad) extras.push(this.gradFn ? `grad_fn=<${this.gradFn}>` : 'requires_grad=True');
    const n = this.numel();
    let body: string;
    if (n > 1000 || isComplex(dtype)) body = `[... ${n} elements, shape [${shape.join(', ')}]]`;
    else {
      const floating = isFloatingPoint(dtype);
      const fmt = (v: NestedArray<number | boolean>, depth: number): string =>
        Array.isArray(v) ? `[${v.map((e) => fmt(e, depth + 1)).join(depth === shape.length - 2 ? `,\n${' '.repeat(8 + depth)}` : ', ')}]` : formatNumber(v, floating);
      body = fmt(this.toArray(), 0);
      if (n === 0) body = `[]`;
    }
    return `tensor(${body}${extras.length ? `, ${extras.join(', ')}` : ''})`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

setTensorFactory((h) => new Tensor(h));

/** Wraps a native handle (internal). */
export const wrap = (h: number): Tensor => new Tensor(h);

/** A tensor from a TypedArray (copied), with the given dtype and shape. */
export function fromData(data: ArrayBufferView | ArrayBuffer, dtype: DType, shape: number[], device?: string, requiresGrad = false): Tensor {
  return new Tensor(native.fromBuffer(data, dtypeCode(dtype), shape, device, requiresGrad));
}


function fromScalarLike(value: number | boolean, like: Tensor): Tensor {
  const dtype = like.dtype;
  const Ctor = TYPED_ARRAY_OF[dtype];
  if (dtype === 'bool' || !Ctor || dtype === 'float16' || dtype === 'bfloat16') {
    return (fromData(new Float64Array([Number(value)]), 'float64', [], like.device).to({ dtype }));
  }
  const arr = new Ctor(new ArrayBuffer(Ctor.BYTES_PER_ELEMENT));
  (arr as unknown as (number | bigint)[])[0] = arr instanceof BigInt64Array || arr instanceof BigUint64Array ? BigInt(value) : Number(value);
  return fromData(arr, dtype, [], like.device);
}

