// Tensor construction from JS data and the factories, with PyTorch's defaults and options.
import { callOverloads, type OverloadSpec } from './dispatch.js';
import { type DType, dtypeCode, dtypeOfTypedArray, type TypedArray } from './dtype.js';
import { tidy } from './handle.js';
import { native } from './native.js';
import { ATEN } from './generated/schemas.js';
import { fromData, Tensor, wrap, type NestedArray } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  device?: string;
  requiresGrad?: boolean;
}

const ops = (name: string, ...overloads: string[]): OverloadSpec[] => ATEN[name].filter((s) => overloads.includes(s.o));

function finish(t: Tensor, requiresGrad?: boolean): Tensor {
  if (requiresGrad) t.requiresGrad_(true);
  return t;
}

function factoryOptions(o: TensorOptions): Record<string, unknown> {
  return { dtype: o.dtype ?? null, device: o.device ?? null };
}

function flatten(data: NestedArray<number | boolean | bigint>, shape: number[], out: (number | boolean | bigint)[], depth: number): void {
  if (!Array.isArray(data)) {
    if (depth !== shape.length) throw new TypeError('tensor: ragged nested array (sub-arrays of different lengths)');
    out.push(data);
    return;
  }
  if (depth === shape.length) shape.push(data.length);
  else if (shape[depth] !== data.length) throw new TypeError(`tensor: ragged nested array at depth ${depth}: expected ${shape[depth]} elements, got ${data.length}`);
  for (const d of data) flatten(d as NestedArray<number | boolean | bigint>, shape, out, depth + 1);
}

/**
 * A tensor from nested arrays, a TypedArray, or a number/boolean, copying the data. Like
 * `torch.tensor`: integers infer int64, any fraction float32, booleans bool; TypedArrays keep their type.
 */
export function tensor(data: NestedArray<number | boolean | bigint> | TypedArray, options: TensorOptions & { shape?: number[] } = {}): Tensor {
  if (ArrayBuffer.isView(data)) {
    const srcType = dtypeOfTypedArray(data);
    const shape = options.shape ?? [data.length];
    const t = fromData(data, srcType, shape, undefined);
    return tidy(() => finish(convert(t, options), options.requiresGrad));
  }
  const shape: number[] = [];
  const flat: (number | boolean | bigint)[] = [];
  flatten(data, shape, flat, 0);
  if (options.shape) {
    if (options.shape.reduce((a, b) => a * b, 1) !== flat.length) throw new RangeError(`tensor: ${flat.length} values do not fill shape [${options.shape}]`);
    shape.splice(0, shape.length, ...options.shape);
  }
  let inferred: DType;
  if (flat.length && flat.every((v) => typeof v === 'boolean')) inferred = 'bool';
  else if (flat.every((v) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)))) inferred = flat.length ? 'int64' : 'float32';
  else inferred = 'float32';
  let t: Tensor;
  if (inferred === 'bool') t = fromData(Uint8Array.from(flat as boolean[], (v) => (v ? 1 : 0)), 'bool', shape);
  else if (inferred === 'int64') t = fromData(BigInt64Array.from(flat, (v) => BigInt(v as number)), 'int64', shape);
  else t = fromData(Float64Array.from(flat as number[]), 'float64', shape);
  const target = options.dtype ?? inferred;
  return tidy(() => finish(convert(t, { ...options, dtype: target }), options.requiresGrad));
}

function convert(t: Tensor, o: TensorOptions): Tensor {
  const dtype = o.dtype ?? t.dtype;
  const device = o.device ?? 'cpu';
  if (dtype === t.dtype && device === 'cpu') return t;
  return t.to({ dtype, device });
}

export interface FromBufferOptions extends Omit<TensorOptions, 'dtype'> {
  /** Copy the bytes instead of sharing them (always the case for a non-CPU device). */
  copy?: boolean;
}

/**
 * A tensor over a TypedArray's (or ArrayBuffer's) bytes read as `dtype`, like Python's
 * `torch.frombuffer`: on the CPU it shares the memory, no copy, so writes through the TypedArray show
 * in the tensor and in-place ops on the tensor show in the TypedArray. Rules for sharing:
 * - the tensor (and every view of it) holds the ArrayBuffer alive until all of them are disposed;
 * - do not transfer (postMessage transfer list, `ArrayBuffer.prototype.transfer`), detach or shrink
 *   the buffer while a tensor uses it: the memory would go away under the tensor (resizable
 *   ArrayBuffers are refused for this reason);
 * - the data must start aligned to the element size (any TypedArray of the same element size is);
 * - `{ copy: true }`, or a device other than the CPU, copies instead.
 * The bytes are taken as they are (float16/bfloat16 raw bits, bool as 0/1 bytes, complex interleaved).
 */
export function fromBuffer(data: ArrayBufferView | ArrayBuffer, dtype: DType, shape: number[], options: FromBufferOptions = {}): Tensor {
  const given: unknown = data;
  if (!ArrayBuffer.isView(given) && !(given instanceof ArrayBuffer) && !(given instanceof SharedArrayBuffer)) {
    throw new TypeError('fromBuffer: data must be an ArrayBuffer or a TypedArray');
  }
  const device = options.device ?? 'cpu';
  if (options.copy || device !== 'cpu') return fromData(data, dtype, shape, options.device, options.requiresGrad);
  const buffer = data instanceof ArrayBuffer ? data : data.buffer;
  if ((buffer as ArrayBuffer & { resizable?: boolean }).resizable) {
    throw new TypeError('fromBuffer: the ArrayBuffer is resizable and could shrink under the tensor; pass { copy: true }');
  }
  return wrap(native.fromBufferShared(data, dtypeCode(dtype), shape, options.requiresGrad ?? false));
}

type Shape = number[] | number;
const shapeOf = (s: Shape): number[] => (typeof s === 'number' ? [s] : s);

/** A factory taking its size as PyTorch does: `zeros([2, 3])`, `zeros(2, 3)`, each optionally followed by options. */
export interface SizeFactory {
  (size: number[] | number, options?: TensorOptions): Tensor;
  (...sizeThenOptions: [number, ...number[], TensorOptions]): Tensor;
  (...size: [number, ...number[]]): Tensor;
}

function sizeArgs(name: string, args: unknown[]): [number[], TensorOptions] {
  let o: TensorOptions = {};
  let n = args.length;
  const last = args[n - 1];
  if (n > 0 && typeof last === 'object' && last !== null && !Array.isArray(last)) { o = last as TensorOptions; n--; }
  if (n === 1 && Array.isArray(args[0])) return [args[0] as number[], o];
  const size = args.slice(0, n);
  if (!size.every((d) => typeof d === 'number' && Number.isInteger(d))) {
    throw new TypeError(`${name}: size must be integers given one by one or as one array, optionally followed by options (got ${size.map((d) => (Array.isArray(d) ? 'array' : typeof d)).join(', ')})`);
  }
  return [size as number[], o];
}

function sizeFactory(name: string, overload: string): SizeFactory {
  const spec = ops(name, overload);
  return ((...args: unknown[]) => {
    const [size, o] = sizeArgs(name, args);
    return finish(callOverloads(spec, [size, factoryOptions(o)]) as Tensor, o.requiresGrad);
  }) as SizeFactory;
}

export const zeros = sizeFactory('zeros', '');
export const ones = sizeFactory('ones', '');
export const empty = sizeFactory('empty', 'memory_format');
export const rand = sizeFactory('rand', '');
export const randn = sizeFactory('randn', '');
/** Unlike ATen (which infers int64 from an integral fill), the default dtype is float32 unless the fill is boolean. */
export const full = (shape: Shape, fill: number | boolean, o: TensorOptions = {}): Tensor =>
  finish(callOverloads(ops('full', ''), [shapeOf(shape), fill, { ...factoryOptions(o), dtype: o.dtype ?? (typeof fill === 'boolean' ? 'bool' : 'float32') }]) as Tensor, o.requiresGrad);
/** Integers uniform in [low, high) (int64 by default). */
export function randint(low: number, high: number, shape: Shape, o: TensorOptions = {}): Tensor {
  return finish(callOverloads(ops('randint', 'low'), [low, high, shapeOf(shape), { ...factoryOptions(o), dtype: o.dtype ?? 'int64' }]) as Tensor, o.requiresGrad);
}
/** `arange(end)`, `arange(start, end)` or `arange(start, end, step)`, each optionally followed by options;
 *  int64 when all are integers, else float32 (as PyTorch). */
export function arange(...args: (number | TensorOptions)[]): Tensor {
  const o = (typeof args[args.length - 1] === 'object' ? args.pop() : {}) as TensorOptions;
  const nums = args as number[];
  const [start, end, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  const integral = [start, end, step].every(Number.isInteger);
  return finish(callOverloads(ops('arange', 'start_step'), [start, end, step, { ...factoryOptions(o), dtype: o.dtype ?? (integral ? 'int64' : 'float32') }]) as Tensor, o.requiresGrad);
}
export const linspace = (start: number, end: number, steps: number, o: TensorOptions = {}): Tensor =>
  finish(callOverloads(ops('linspace', ''), [start, end, steps, factoryOptions(o)]) as Tensor, o.requiresGrad);
export function eye(n: number, m?: number, o: TensorOptions = {}): Tensor {
  const t = m === undefined ? callOverloads(ops('eye', ''), [n, factoryOptions(o)]) : callOverloads(ops('eye', 'm'), [n, m, factoryOptions(o)]);
  return finish(t as Tensor, o.requiresGrad);
}
/** Bernoulli draws with probabilities `p` (a tensor, or a number with `shape`). */
export function bernoulli(p: Tensor | number, shape?: Shape, o: TensorOptions = {}): Tensor {
  if (p instanceof Tensor) return callOverloads(ops('bernoulli', ''), [p]) as Tensor;
  if (shape === undefined) throw new TypeError('bernoulli: a numeric probability needs a shape');
  return tidy(() => callOverloads(ops('bernoulli', 'p'), [empty(shape, o), p]) as Tensor);
}

const likeOptions = (like: Tensor, o: TensorOptions): Record<string, unknown> => ({ dtype: o.dtype ?? like.dtype, device: o.device ?? like.device });
export const zerosLike = (t: Tensor, o: TensorOptions = {}): Tensor => finish(callOverloads(ops('zeros_like', ''), [t, likeOptions(t, o)]) as Tensor, o.requiresGrad);
export const onesLike = (t: Tensor, o: TensorOptions = {}): Tensor => finish(callOverloads(ops('ones_like', ''), [t, likeOptions(t, o)]) as Tensor, o.requiresGrad);
export const emptyLike = (t: Tensor, o: TensorOptions = {}): Tensor => finish(callOverloads(ops('empty_like', ''), [t, likeOptions(t, o)]) as Tensor, o.requiresGrad);
export const randLike = (t: Tensor, o: TensorOptions = {}): Tensor => finish(callOverloads(ops('rand_like', ''), [t, likeOptions(t, o)]) as Tensor, o.requiresGrad);
export const randnLike = (t: Tensor, o: TensorOptions = {}): Tensor => finish(callOverloads(ops('randn_like', ''), [t, likeOptions(t, o)]) as Tensor, o.requiresGrad);
export const fullLike = (t: Tensor, fill: number | boolean, o: TensorOptions = {}): Tensor =>
  finish(callOverloads(ops('full_like', ''), [t, fill, likeOptions(t, o)]) as Tensor, o.requiresGrad);

/** Seeds the CPU and every CUDA device's default generator. */
export function manualSeed(seed: number | bigint): void {
  native.manualSeed(seed);
}

