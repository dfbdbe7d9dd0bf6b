// Tensor construction from JS data and the factories, with PyTorch's defaults and options.
import { callOverloads, setErrorExplainer, type OverloadSpec } from './dispatch.js';
import { type DType, dtypeCode, dtypeOfTypedArray, type TypedArray } from './dtype.js';
import { tidy } from './handle.js';
import { native } from './native.js';
import { ATEN } from './generated/schemas.js';
import { integerDTypeHint, integerLiteralDType, noteIntegerLiteral, type LiteralFactory } from './literals.js';
import { fromData, Tensor, wrap, type NestedArray } from './tensor.js';

/**
 * The options of the tensor factories, as PyTorch's `dtype=`, `device=` and `requires_grad=` keyword arguments.
 *
 * Example:
 *   torch.zeros([2, 3], { dtype: 'float64', device: 'cuda', requiresGrad: true });
 */
export interface TensorOptions {
  /** The element type. Default: the factory's (float32 for most; see each factory). */
  dtype?: DType;
  /** Where the tensor lives: 'cpu', 'cuda' or 'cuda:N'. Default 'cpu'. */
  device?: string;
  /** Record operations on the result for autograd (it becomes a leaf). Default false. */
  requiresGrad?: boolean;
}

// An op's dtype error names the literal that made an argument int64, and the fix.
setErrorExplainer((err, tensors) => {
  if (!err.message.includes('(an argument is int64')) err.message += integerDTypeHint(err.message, tensors as Tensor[]);
});

const ops = (name: string, ...overloads: string[]): OverloadSpec[] => ATEN[name].filter((s) => overloads.includes(s.o));

function finish(t: Tensor, requiresGrad?: boolean): Tensor {
  if (requiresGrad) t.requiresGrad_(true);
  return t;
}

function factoryOptions(o: TensorOptions): Record<string, unknown> {
  return { dtype: o.dtype ?? null, device: o.device ?? null };
}

function flatten(
  data: NestedArray<number | boolean | bigint>,
  shape: number[],
  out: (number | boolean | bigint)[],
  depth: number,
): void {
  if (!Array.isArray(data)) {
    if (depth !== shape.length) throw new TypeError('tensor: ragged nested array (sub-arrays of different lengths)');
    out.push(data);
    return;
  }
  if (depth === shape.length) shape.push(data.length);
  else if (shape[depth] !== data.length)
    throw new TypeError(
      `tensor: ragged nested array at depth ${depth}: expected ${shape[depth]} elements, got ${data.length}`,
    );
  for (const d of data) flatten(d as NestedArray<number | boolean | bigint>, shape, out, depth + 1);
}

/**
 * A tensor from nested arrays, a TypedArray, or a number/boolean, copying the data. Like `torch.tensor`,
 * with JS numbers read by the literal rule (README "Using the library"): any fraction, NaN or infinity gives
 * float32, integer-valued numbers give what the rule says, bigints int64, booleans bool; TypedArrays keep
 * their type; `dtype` overrides all of it.
 */
export function tensor(
  data: NestedArray<number | boolean | bigint> | TypedArray,
  options: TensorOptions & { shape?: number[] } = {},
): Tensor {
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
    if (options.shape.reduce((a, b) => a * b, 1) !== flat.length)
      throw new RangeError(`tensor: ${flat.length} values do not fill shape [${options.shape}]`);
    shape.splice(0, shape.length, ...options.shape);
  }
  const target = options.dtype ?? inferDType(flat, options.requiresGrad ?? false);
  const t = tidy(() => finish(convert(stage(flat, shape), { ...options, dtype: target }), options.requiresGrad));
  return options.dtype === undefined && target === 'int64' && !flat.some((v) => typeof v === 'bigint')
    ? noteIntegerLiteral(t, `torch.tensor(${brief(data)})`)
    : t;
}

/** `data` as written, shortened to about 40 characters (for messages). */
function brief(data: unknown): string {
  const s = JSON.stringify(data).replace(/,/g, ', ');
  return s.length <= 40 ? s : `${s.slice(0, 36)}...`;
}

/** The values in a CPU tensor that holds them exactly (bool, int64 or float64), before the cast to the target dtype. */
function stage(flat: (number | boolean | bigint)[], shape: number[]): Tensor {
  if (flat.length && flat.every((v) => typeof v === 'boolean'))
    return fromData(
      Uint8Array.from(flat as boolean[], (v) => (v ? 1 : 0)),
      'bool',
      shape,
    );
  // Integers (but not -0, which int64 would lose) stage exactly in int64, beyond 2^53 included.
  if (flat.length && flat.every((v) => typeof v !== 'number' || (Number.isInteger(v) && !Object.is(v, -0))))
    return fromData(
      BigInt64Array.from(flat, (v) => BigInt(v)),
      'int64',
      shape,
    );
  return fromData(
    Float64Array.from(flat, (v) => Number(v)),
    'float64',
    shape,
  );
}

/** The dtype `tensor` gives values without an explicit dtype: bool, int64 for bigints, float32 for fractions,
 *  else (integer-valued JS numbers) the literal rule's choice, which must hold every value exactly. */
function inferDType(flat: (number | boolean | bigint)[], requiresGrad: boolean): DType {
  if (flat.length === 0) return 'float32';
  if (flat.every((v) => typeof v === 'boolean')) return 'bool';
  if (flat.some((v) => typeof v === 'number' && !Number.isInteger(v))) return 'float32';
  if (flat.some((v) => typeof v === 'bigint')) return 'int64';
  const dtype = integerLiteralDType('tensor', requiresGrad);
  if (dtype === 'float32') {
    const inexact = flat.find((v) => typeof v === 'number' && Math.fround(v) !== v);
    if (inexact !== undefined) throw new RangeError(inexactMessage('tensor', inexact as number));
  }
  return dtype;
}

const inexactMessage = (fn: string, v: number): string =>
  `${fn}: ${fn === 'arange' ? `the values up to ${v} are not all` : `${v} is not`} exactly representable in float32 (beyond 2^24), ` +
  `the dtype these integer-valued JS numbers get here; pass { dtype: 'float64' }, or for integers { dtype: 'int64' } or bigints (${v}n)`;

function convert(t: Tensor, o: TensorOptions): Tensor {
  const dtype = o.dtype ?? t.dtype;
  const device = o.device ?? 'cpu';
  if (dtype === t.dtype && device === 'cpu') return t;
  return t.to({ dtype, device });
}

/**
 * The options of `fromBuffer`: a device and `requiresGrad` as for the other factories (the dtype is an argument of
 * its own), and whether to copy.
 */
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
export function fromBuffer(
  data: ArrayBufferView | ArrayBuffer,
  dtype: DType,
  shape: number[],
  options: FromBufferOptions = {},
): Tensor {
  const given: unknown = data;
  if (!ArrayBuffer.isView(given) && !(given instanceof ArrayBuffer) && !(given instanceof SharedArrayBuffer)) {
    throw new TypeError('fromBuffer: data must be an ArrayBuffer or a TypedArray');
  }
  const device = options.device ?? 'cpu';
  if (options.copy || device !== 'cpu') return fromData(data, dtype, shape, options.device, options.requiresGrad);
  const buffer = data instanceof ArrayBuffer ? data : data.buffer;
  if ((buffer as ArrayBuffer & { resizable?: boolean }).resizable) {
    throw new TypeError(
      'fromBuffer: the ArrayBuffer is resizable and could shrink under the tensor; pass { copy: true }',
    );
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
  if (n > 0 && typeof last === 'object' && last !== null && !Array.isArray(last)) {
    o = last as TensorOptions;
    n--;
  }
  if (n === 1 && Array.isArray(args[0])) return [args[0] as number[], o];
  const size = args.slice(0, n);
  if (!size.every((d) => typeof d === 'number' && Number.isInteger(d))) {
    throw new TypeError(
      `${name}: size must be integers given one by one or as one array, optionally followed by options (got ${size.map((d) => (Array.isArray(d) ? 'array' : typeof d)).join(', ')})`,
    );
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

/**
 * A tensor filled with 0, as PyTorch's `torch.zeros`.
 *
 * Args:
 *   size: the shape, as one array or as integers one by one (`zeros([2, 3])` or `zeros(2, 3)`).
 *   options: dtype (default float32), device (default CPU), requiresGrad (default false).
 *
 * Throws:
 *   TypeError when the size is not integers.
 *
 * Example:
 *   torch.zeros(2, 3); // float32 [2, 3] of 0
 */
export const zeros = sizeFactory('zeros', '');
/**
 * A tensor filled with 1, as PyTorch's `torch.ones`.
 *
 * Args:
 *   size: the shape, as one array or as integers one by one (`ones([2, 3])` or `ones(2, 3)`).
 *   options: dtype (default float32), device (default CPU), requiresGrad (default false).
 *
 * Example:
 *   torch.ones([4], { dtype: 'int64' }); // [1, 1, 1, 1]
 */
export const ones = sizeFactory('ones', '');
/**
 * A tensor whose memory is allocated but not initialised, as PyTorch's `torch.empty`: the values are whatever the
 * memory held, so write every element before reading it.
 *
 * Args:
 *   size: the shape, as one array or as integers one by one.
 *   options: dtype (default float32), device (default CPU), requiresGrad (default false).
 *
 * Example:
 *   const buf = torch.empty([1024]).fill_(0.5);
 */
export const empty = sizeFactory('empty', 'memory_format');
/**
 * Random numbers uniform in [0, 1), as PyTorch's `torch.rand`, from the default generator (see `manualSeed`).
 *
 * Args:
 *   size: the shape, as one array or as integers one by one.
 *   options: dtype (a floating type; default float32), device (default CPU), requiresGrad (default false).
 *
 * Example:
 *   torch.manualSeed(0);
 *   const u = torch.rand(2, 2);
 */
export const rand = sizeFactory('rand', '');
/**
 * Random numbers from the standard normal distribution (mean 0, variance 1), as PyTorch's `torch.randn`, from the
 * default generator (see `manualSeed`).
 *
 * Args:
 *   size: the shape, as one array or as integers one by one.
 *   options: dtype (a floating type; default float32), device (default CPU), requiresGrad (default false).
 *
 * Example:
 *   const w = torch.randn([3, 5], { requiresGrad: true });
 */
export const randn = sizeFactory('randn', '');
/** `fill` everywhere. Without a dtype: bool for a boolean, int64 for a bigint, float32 for a fraction, and
 *  for an integer-valued number what the literal rule says (README "Using the library"). */
export function full(shape: Shape, fill: number | boolean | bigint, o: TensorOptions = {}): Tensor {
  const dtype = o.dtype ?? scalarDType('full', [fill], o.requiresGrad ?? false);
  return finish(
    callOverloads(ops('full', ''), [shapeOf(shape), fill, { ...factoryOptions(o), dtype }]) as Tensor,
    o.requiresGrad,
  );
}

/** The dtype that scalar arguments give a factory without a dtype (see `full`); integers that the rule makes
 *  float32 must be exact in float32. */
function scalarDType(fn: LiteralFactory, values: (number | boolean | bigint)[], requiresGrad: boolean): DType {
  if (values.every((v) => typeof v === 'boolean')) return 'bool';
  if (values.some((v) => typeof v === 'number' && !Number.isInteger(v))) return 'float32';
  if (values.some((v) => typeof v === 'bigint')) return 'int64';
  const dtype = integerLiteralDType(fn, requiresGrad);
  // arange's float32 values are exact only while every step lands on an integer float32 holds (|v| <= 2^24).
  const inexact = values.find(
    (v) => typeof v === 'number' && (fn === 'arange' ? Math.abs(v) > 2 ** 24 : Math.fround(v) !== v),
  );
  if (dtype === 'float32' && inexact !== undefined) throw new RangeError(inexactMessage(fn, inexact as number));
  return dtype;
}
/** Integers uniform in [low, high) (int64 by default). */
export function randint(low: number, high: number, shape: Shape, o: TensorOptions = {}): Tensor {
  return finish(
    callOverloads(ops('randint', 'low'), [
      low,
      high,
      shapeOf(shape),
      { ...factoryOptions(o), dtype: o.dtype ?? 'int64' },
    ]) as Tensor,
    o.requiresGrad,
  );
}
/** `arange(end)`, `arange(start, end)` or `arange(start, end, step)`, each optionally followed by options.
 *  Without a dtype: float32 when any is a fraction, int64 when any is a bigint, else (integer-valued numbers)
 *  what the literal rule says (README "Using the library"). */
export function arange(...args: (number | bigint | TensorOptions)[]): Tensor {
  const o = (typeof args[args.length - 1] === 'object' ? args.pop() : {}) as TensorOptions;
  const nums = args as (number | bigint)[];
  if (nums.length < 1 || nums.length > 3 || nums.some((v) => typeof v !== 'number' && typeof v !== 'bigint')) {
    throw new TypeError(
      `arange: expected (end), (start, end) or (start, end, step) as numbers or bigints, optionally followed by options`,
    );
  }
  const [start, end, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  const dtype = o.dtype ?? scalarDType('arange', [start, end, step], o.requiresGrad ?? false);
  const t = finish(
    callOverloads(ops('arange', 'start_step'), [start, end, step, { ...factoryOptions(o), dtype }]) as Tensor,
    o.requiresGrad,
  );
  return o.dtype === undefined && dtype === 'int64' && !nums.some((v) => typeof v === 'bigint')
    ? noteIntegerLiteral(t, `torch.arange(${nums.join(', ')})`)
    : t;
}
/**
 * `steps` values evenly spaced from `start` to `end`, both included, as PyTorch's `torch.linspace`.
 *
 * Args:
 *   start: the first value.
 *   end: the last value.
 *   steps: how many values (a non-negative integer; 1 gives just `start`).
 *   o: dtype (default float32), device (default CPU), requiresGrad (default false).
 *
 * Example:
 *   torch.linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 */
export const linspace = (start: number, end: number, steps: number, o: TensorOptions = {}): Tensor =>
  finish(callOverloads(ops('linspace', ''), [start, end, steps, factoryOptions(o)]) as Tensor, o.requiresGrad);
/**
 * A 2-d tensor with ones on the diagonal and zeros elsewhere, as PyTorch's `torch.eye`.
 *
 * Args:
 *   n: the number of rows.
 *   m: the number of columns (default `n`).
 *   o: dtype (default float32), device (default CPU), requiresGrad (default false).
 *
 * Example:
 *   torch.eye(2); // [[1, 0], [0, 1]]
 *   torch.eye(2, 3, { dtype: 'int64' }); // [[1, 0, 0], [0, 1, 0]]
 */
export function eye(n: number, m?: number, o: TensorOptions = {}): Tensor {
  const t =
    m === undefined
      ? callOverloads(ops('eye', ''), [n, factoryOptions(o)])
      : callOverloads(ops('eye', 'm'), [n, m, factoryOptions(o)]);
  return finish(t as Tensor, o.requiresGrad);
}
/** Bernoulli draws with probabilities `p` (a tensor, or a number with `shape`). */
export function bernoulli(p: Tensor | number, shape?: Shape, o: TensorOptions = {}): Tensor {
  if (p instanceof Tensor) return callOverloads(ops('bernoulli', ''), [p]) as Tensor;
  if (shape === undefined) throw new TypeError('bernoulli: a numeric probability needs a shape');
  return tidy(() => callOverloads(ops('bernoulli', 'p'), [empty(shape, o), p]) as Tensor);
}

const likeOptions = (like: Tensor, o: TensorOptions): Record<string, unknown> => ({
  dtype: o.dtype ?? like.dtype,
  device: o.device ?? like.device,
});
/**
 * A tensor of zeros with the shape of `t`, as PyTorch's `torch.zeros_like`.
 *
 * Args:
 *   t: the tensor whose shape is taken.
 *   o: dtype and device (default: those of `t`), requiresGrad (default false).
 *
 * Example:
 *   torch.zerosLike(x); // shape, dtype and device of x
 */
export const zerosLike = (t: Tensor, o: TensorOptions = {}): Tensor =>
  finish(callOverloads(ops('zeros_like', ''), [t, likeOptions(t, o)]) as Tensor, o.requiresGrad);
/**
 * A tensor of ones with the shape of `t`, as PyTorch's `torch.ones_like`.
 *
 * Args:
 *   t: the tensor whose shape is taken.
 *   o: dtype and device (default: those of `t`), requiresGrad (default false).
 *
 * Example:
 *   torch.onesLike(x, { dtype: 'bool' });
 */
export const onesLike = (t: Tensor, o: TensorOptions = {}): Tensor =>
  finish(callOverloads(ops('ones_like', ''), [t, likeOptions(t, o)]) as Tensor, o.requiresGrad);
/**
 * An uninitialised tensor with the shape of `t`, as PyTorch's `torch.empty_like`: write every element
 * before reading it.
 *
 * Args:
 *   t: the tensor whose shape is taken.
 *   o: dtype and device (default: those of `t`), requiresGrad (default false).
 *
 * Example:
 *   const out = torch.emptyLike(x);
 */
export const emptyLike = (t: Tensor, o: TensorOptions = {}): Tensor =>
  finish(callOverloads(ops('empty_like', ''), [t, likeOptions(t, o)]) as Tensor, o.requiresGrad);
/**
 * Random numbers uniform in [0, 1) with the shape of `t`, as PyTorch's `torch.rand_like`.
 *
 * Args:
 *   t: the tensor whose shape is taken.
 *   o: dtype and device (default: those of `t`), requiresGrad (default false).
 *
 * Example:
 *   const noise = torch.randLike(x);
 */
export const randLike = (t: Tensor, o: TensorOptions = {}): Tensor =>
  finish(callOverloads(ops('rand_like', ''), [t, likeOptions(t, o)]) as Tensor, o.requiresGrad);
/**
 * Standard normal random numbers with the shape of `t`, as PyTorch's `torch.randn_like`.
 *
 * Args:
 *   t: the tensor whose shape is taken.
 *   o: dtype and device (default: those of `t`), requiresGrad (default false).
 *
 * Example:
 *   const noisy = x.add(torch.randnLike(x).mul(0.1));
 */
export const randnLike = (t: Tensor, o: TensorOptions = {}): Tensor =>
  finish(callOverloads(ops('randn_like', ''), [t, likeOptions(t, o)]) as Tensor, o.requiresGrad);
/**
 * A tensor filled with `fill`, with the shape of `t`, as PyTorch's `torch.full_like`.
 *
 * Args:
 *   t: the tensor whose shape is taken.
 *   fill: the value of every element.
 *   o: dtype and device (default: those of `t`), requiresGrad (default false).
 *
 * Example:
 *   torch.fullLike(x, -1); // x's shape, dtype and device, every element -1
 */
export const fullLike = (t: Tensor, fill: number | boolean, o: TensorOptions = {}): Tensor =>
  finish(callOverloads(ops('full_like', ''), [t, fill, likeOptions(t, o)]) as Tensor, o.requiresGrad);

/** Seeds the CPU and every CUDA device's default generator. */
export function manualSeed(seed: number | bigint): void {
  native.manualSeed(seed);
}
