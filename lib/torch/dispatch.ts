// Runtime side of the generated op surface: picks the overload whose schema fits the JS
// arguments, converts them (tensors to handles, dtype names to codes) and calls the native
// generic dispatcher. Overload tables come from generated/schemas.ts.
import { LAYOUT_CODES, MEMORY_FORMAT_CODES, dtypeCode, dtypeName, isDType } from './dtype.js';
import { TensorBase } from './handle.js';
import { native } from './native.js';
import { HAS_DEFAULT, KWARG_ONLY, OPTIONAL, SIZED, type ArgKind, type OverloadSpec } from './schema-spec.js';

export {
  OPTIONAL,
  HAS_DEFAULT,
  KWARG_ONLY,
  SIZED,
  type ArgKind,
  type ArgSpec,
  type OverloadSpec,
} from './schema-spec.js';

let makeTensor: (h: number) => TensorBase = (h) => new TensorBase(h);
/** Called once by tensor.ts so results are wrapped in the full Tensor class. */
export function setTensorFactory(f: (h: number) => TensorBase): void {
  makeTensor = f;
}
/** Wraps a native tensor handle in a Tensor (a TensorBase until tensor.ts has registered the full class). */
export const wrapHandle = (h: number): TensorBase => makeTensor(h);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

function isInt(v: unknown): boolean {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

function fits(v: unknown, kind: ArgKind, flags: number): boolean {
  if (v === undefined) return (flags & (OPTIONAL | HAS_DEFAULT)) !== 0;
  if (v === null) return (flags & OPTIONAL) !== 0;
  switch (kind) {
    case 'T':
      return v instanceof TensorBase;
    case 'S':
      return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint';
    case 'I':
      return isInt(v);
    case 'F':
      return typeof v === 'number';
    case 'B':
      return typeof v === 'boolean';
    // A bare number fills only a fixed-size list (int[3]); `int[]` needs an array (Python's rule).
    case 'IL':
      return Array.isArray(v) ? v.every(isInt) : (flags & SIZED) !== 0 && isInt(v);
    case 'FL':
      return Array.isArray(v) ? v.every((e) => typeof e === 'number') : (flags & SIZED) !== 0 && typeof v === 'number';
    case 'BL':
      return Array.isArray(v) && v.every((e) => typeof e === 'boolean');
    case 'SL':
      return Array.isArray(v) && v.every((e) => typeof e === 'number' || typeof e === 'boolean');
    case 'TL':
      return Array.isArray(v) && v.every((e) => e instanceof TensorBase);
    case 'OTL':
      return Array.isArray(v) && v.every((e) => e === null || e === undefined || e instanceof TensorBase);
    case 'ST':
      return isDType(v);
    case 'MF':
      return typeof v === 'string' && v in MEMORY_FORMAT_CODES;
    case 'L':
      return typeof v === 'string' && v in LAYOUT_CODES;
    case 'D':
      return typeof v === 'string' || (typeof v === 'object' && v !== null && 'type' in v);
    case 'STR':
      return typeof v === 'string';
    default:
      return false;
  }
}

function handleOf(t: TensorBase, spec: OverloadSpec, arg: string): number {
  if (t.h < 0) throw new Error(`${spec.n}.${spec.o}: argument '${arg}' is a disposed tensor`);
  return t.h;
}

function checkDevice(d: string, spec: OverloadSpec): string {
  if (d.startsWith('cuda') && !native.cudaIsAvailable()) {
    throw new Error(
      `${spec.n}: device '${d}' requested but CUDA is not available (${native.cudaCompiled() ? 'no CUDA device found' : 'this libtorch build has no CUDA support'})`,
    );
  }
  return d;
}

function toNative(v: unknown, kind: ArgKind, spec: OverloadSpec, name: string): unknown {
  if (v === undefined || v === null) return v;
  switch (kind) {
    case 'T':
      return handleOf(v as TensorBase, spec, name);
    case 'TL':
      return (v as TensorBase[]).map((t) => handleOf(t, spec, name));
    case 'OTL':
      return (v as (TensorBase | null)[]).map((t) => (t ? handleOf(t, spec, name) : null));
    case 'ST':
      return dtypeCode(v as string);
    case 'MF':
      return MEMORY_FORMAT_CODES[v as keyof typeof MEMORY_FORMAT_CODES];
    case 'L':
      return LAYOUT_CODES[v as keyof typeof LAYOUT_CODES];
    case 'D':
      return checkDevice(typeof v === 'string' ? v : String(v), spec);
    default:
      return v;
  }
}

function wrapReturn(v: unknown, kind: string): unknown {
  switch (kind) {
    case 'T':
      return typeof v === 'number' ? makeTensor(v) : v;
    case 'L':
      return (v as (number | null)[]).map((h) => (h === null ? null : makeTensor(h)));
    case 'D':
      return dtypeName(v as number);
    default:
      return v;
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (v instanceof TensorBase) return 'Tensor';
  if (Array.isArray(v)) return `[${v.map(describe).join(', ')}]`;
  if (isPlainObject(v)) return `{${Object.keys(v).join(', ')}}`;
  return typeof v;
}

function signature(spec: OverloadSpec): string {
  return `${spec.n}.${spec.o}(${spec.a.map(([n, k, f]) => `${f & KWARG_ONLY ? '*' : ''}${n}: ${k}${f & OPTIONAL ? '?' : ''}${f & HAS_DEFAULT ? '=' : ''}`).join(', ')})`;
}

const NO_MATCH: unique symbol = Symbol('no overload');

// Call-shape cache. Which overload a call selects depends, for most calls, only on the shape of the
// arguments: how many, and for each whether it is a Tensor, an integer, another number, a boolean,
// null, missing, or an array of integers / numbers / Tensors (empty arrays apart). For such calls
// the overload the full search selected is remembered per group under a key that encodes that shape,
// and the next call of the same shape skips the search. Calls with named arguments, strings, bigints
// or other values always search (whether they fit depends on their value, not their shape).
const SHAPE_MISSING = 0;
const SHAPE_TENSOR = 1;
const SHAPE_INT = 2;
const SHAPE_NUMBER = 3;
const SHAPE_BOOL = 4;
const SHAPE_NULL = 5;
const SHAPE_EMPTY_ARRAY = 6;
const SHAPE_INTS = 7;
const SHAPE_NUMBERS = 8;
const SHAPE_TENSORS = 9;
const MAX_CACHED_ARGS = 6;
const CACHE_ENTRIES = 4;

// How a cached call is made: the generic callSpec, or (LANE_DIMS) an op of (Tensor, int[]) whose list is given as
// an array of integers, passed to native.callDims as separate numbers.
const LANE_GENERIC = 0;
const LANE_DIMS = 1;
const MAX_LANE_DIMS = 16;
const KEY_METHOD_INTS = 2 * 16 + SHAPE_INTS; // t.view([2, 3])
const KEY_FUNCTION_TENSOR_INTS = (1 * 16 + SHAPE_TENSOR) * 16 + SHAPE_INTS; // torch.reshape(t, [2, 3])

/** An overload group with its call-shape cache (added on first use). */
type CachedGroup = readonly OverloadSpec[] & {
  /** Whether shapes decide overloads here: false when an overload takes a Device (an object fits it by content). */
  shapeDecides?: boolean;
  shapeKeys?: number[];
  shapeSpecs?: OverloadSpec[];
  shapeLanes?: number[];
};

function arrayShape(v: unknown[]): number {
  const n = v.length;
  if (n === 0) return SHAPE_EMPTY_ARRAY;
  const first = v[0];
  if (typeof first === 'number') {
    let ints = true;
    for (let i = 0; i < n; i++) {
      const e = v[i];
      if (typeof e !== 'number') return -1;
      if (ints && !Number.isInteger(e)) ints = false;
    }
    return ints ? SHAPE_INTS : SHAPE_NUMBERS;
  }
  if (first instanceof TensorBase) {
    for (let i = 1; i < n; i++) if (!(v[i] instanceof TensorBase)) return -1;
    return SHAPE_TENSORS;
  }
  return -1;
}

function argShape(v: unknown): number {
  if (v instanceof TensorBase) return SHAPE_TENSOR;
  switch (typeof v) {
    case 'number':
      return Number.isInteger(v) ? SHAPE_INT : SHAPE_NUMBER;
    case 'undefined':
      return SHAPE_MISSING;
    case 'boolean':
      return SHAPE_BOOL;
    case 'object':
      if (v === null) return SHAPE_NULL;
      return Array.isArray(v) ? arrayShape(v) : -1;
    default:
      return -1;
  }
}

/** The call's shape as a small integer (a leading 1 or 2 for function or method, then 4 bits per argument), or -1
 *  when it is not cacheable. Trailing undefined arguments count as not given, as in the full search. */
function shapeKey(args: unknown[], self: TensorBase | undefined): number {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  if (n > MAX_CACHED_ARGS) return -1;
  let key = 1;
  if (self !== undefined) {
    if (!(self instanceof TensorBase)) return -1;
    key = 2;
  }
  for (let i = 0; i < n; i++) {
    const c = argShape(args[i]);
    if (c < 0) return -1;
    key = key * 16 + c;
  }
  return key;
}

/** The cache slot of `key` in `group`, or -1. */
function cachedIndex(group: CachedGroup, key: number): number {
  const keys = group.shapeKeys;
  if (keys === undefined) return -1;
  for (let i = 0; i < keys.length; i++) if (keys[i] === key) return i;
  return -1;
}

/** LANE_DIMS for a call of shape `key` (two arguments, the second an array of integers) to a (Tensor, int[]) op. */
function laneOf(spec: OverloadSpec, key: number): number {
  const a = spec.a;
  return a.length === 2 &&
    a[0][1] === 'T' &&
    a[1][1] === 'IL' &&
    spec.w === undefined &&
    spec.r === 'T' &&
    (key === KEY_METHOD_INTS || key === KEY_FUNCTION_TENSOR_INTS)
    ? LANE_DIMS
    : LANE_GENERIC;
}

/** Calls a (Tensor, int[]) op with the list's integers as separate arguments (see native.callDims). */
function callDims(spec: OverloadSpec, t: TensorBase, dims: number[]): unknown {
  const id = spec.id ?? opId(spec);
  const h = t.h;
  let r: unknown;
  switch (dims.length) {
    case 1:
      r = native.callDims(id, h, dims[0]!);
      break;
    case 2:
      r = native.callDims(id, h, dims[0]!, dims[1]!);
      break;
    case 3:
      r = native.callDims(id, h, dims[0]!, dims[1]!, dims[2]!);
      break;
    case 4:
      r = native.callDims(id, h, dims[0]!, dims[1]!, dims[2]!, dims[3]!);
      break;
    case 5:
      r = native.callDims(id, h, dims[0]!, dims[1]!, dims[2]!, dims[3]!, dims[4]!);
      break;
    default:
      r = native.callDims(id, h, ...dims);
  }
  return typeof r === 'number' ? makeTensor(r) : r;
}

function shapeDecides(group: CachedGroup): boolean {
  if (group.shapeDecides === undefined) group.shapeDecides = !group.some((s) => s.a.some((a) => a[1] === 'D'));
  return group.shapeDecides;
}

/** The full search for a cacheable call; the selected overload is remembered under `key`. */
function resolveAndCache(group: CachedGroup, key: number, args: unknown[], self: TensorBase | undefined): unknown {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  const spec = selectOverload(group, args, n, undefined, self);
  if (spec === undefined) return resolveAndCall(group, args, self);
  if (shapeDecides(group)) {
    const keys = (group.shapeKeys ??= []);
    const specs = (group.shapeSpecs ??= []);
    const lanes = (group.shapeLanes ??= []);
    const at = keys.length < CACHE_ENTRIES ? keys.length : CACHE_ENTRIES - 1;
    keys[at] = key;
    specs[at] = spec;
    lanes[at] = laneOf(spec, key);
  }
  return callSpec(spec, args, self);
}

/** The JS value of argument `j` of a call without named arguments. */
function argAt(args: unknown[], self: TensorBase | undefined, j: number): unknown {
  return self === undefined ? args[j] : j === 0 ? self : args[j - 1];
}

/** The native value of argument `j` (a handle for a Tensor, codes for names; others as they are). */
function nativeArg(spec: OverloadSpec, args: unknown[], self: TensorBase | undefined, j: number): unknown {
  const v = argAt(args, self, j);
  if (v instanceof TensorBase) return handleOf(v, spec, spec.a[j][0]);
  return v === undefined || v === null || typeof v !== 'object' ? v : toNative(v, spec.a[j][1], spec, spec.a[j][0]);
}

/** Calls `spec` with positional arguments only (no named ones), known to fit: arguments past the last given
 *  one are left out (the native side fills in their defaults). */
function callSpec(spec: OverloadSpec, args: unknown[], self: TensorBase | undefined): unknown {
  let total = args.length + (self === undefined ? 0 : 1);
  if (total > spec.a.length) total = spec.a.length;
  if (spec.w !== undefined) {
    const bound = new Array<unknown>(spec.a.length);
    const values = new Array<unknown>(spec.a.length);
    for (let j = 0; j < spec.a.length; j++) {
      values[j] = j < total ? argAt(args, self, j) : undefined;
      bound[j] = j < total ? nativeArg(spec, args, self, j) : undefined;
    }
    return invoke(spec, bound, values);
  }
  const id = spec.id ?? opId(spec);
  let result: unknown;
  switch (total) {
    case 1:
      result = native.call(id, nativeArg(spec, args, self, 0));
      break;
    case 2:
      result = native.call(id, nativeArg(spec, args, self, 0), nativeArg(spec, args, self, 1));
      break;
    case 3:
      result = native.call(
        id,
        nativeArg(spec, args, self, 0),
        nativeArg(spec, args, self, 1),
        nativeArg(spec, args, self, 2),
      );
      break;
    default: {
      const bound = new Array<unknown>(total);
      for (let j = 0; j < total; j++) bound[j] = nativeArg(spec, args, self, j);
      result = callNative(id, bound);
    }
  }
  const r = spec.r;
  if (r === 'T') return typeof result === 'number' ? makeTensor(result) : result;
  if (r.length === 1) return wrapReturn(result, r);
  if (r.length === 0) return undefined;
  const arr = result as unknown[];
  for (let i = 0; i < arr.length; i++) arr[i] = wrapReturn(arr[i], r[i]);
  return arr;
}

function opId(spec: OverloadSpec): number {
  const id = (spec.id = native.findOp(spec.n, spec.o));
  if (id < 0) throw new Error(`${spec.n}.${spec.o}: operator not found in this libtorch`);
  return id;
}

/**
 * Calls the first overload of `group` that accepts the arguments: `self` (for methods), then
 * `args`, of which a trailing plain object holds named arguments. Written for speed: this runs
 * on every op call.
 */
export function callOverloads(group: readonly OverloadSpec[], args: unknown[], self?: TensorBase): unknown {
  try {
    const g = group as CachedGroup;
    const key = shapeKey(args, self);
    if (key >= 0) {
      const i = cachedIndex(g, key);
      if (i < 0) return resolveAndCache(g, key, args, self);
      const spec = g.shapeSpecs![i]!;
      if (g.shapeLanes![i] === LANE_DIMS) {
        // The key proved a tensor and an array of integers (method: self and args[0]; function: args[0] and [1]).
        const t = (self ?? args[0]) as TensorBase;
        const dims = (self === undefined ? args[1] : args[0]) as number[];
        if (t.h >= 0 && dims.length <= MAX_LANE_DIMS) return callDims(spec, t, dims);
      }
      return callSpec(spec, args, self);
    }
    return resolveAndCall(group, args, self);
  } catch (err) {
    if (explainError !== undefined && err instanceof Error) explainError(err, tensorArgs(args, self));
    throw err;
  }
}

let explainError: ((err: Error, tensors: TensorBase[]) => void) | undefined;
/** Registers what may add to the message of an error an op call raised, given the call's tensor arguments. */
export function setErrorExplainer(f: (err: Error, tensors: TensorBase[]) => void): void {
  explainError = f;
}

function tensorArgs(args: unknown[], self?: TensorBase): TensorBase[] {
  const out: TensorBase[] = self ? [self] : [];
  const visit = (v: unknown): void => {
    if (v instanceof TensorBase) out.push(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (isPlainObject(v)) Object.values(v).forEach(visit);
  };
  args.forEach(visit);
  return out.filter((t) => t.h >= 0);
}

function resolveAndCall(group: readonly OverloadSpec[], args: unknown[], self?: TensorBase): unknown {
  let n = args.length;
  let kwargs: Record<string, unknown> | undefined;
  if (n > 0 && isPlainObject(args[n - 1])) kwargs = args[--n] as Record<string, unknown>;
  while (n > 0 && args[n - 1] === undefined) n--;
  const r = tryOverloads(group, args, n, kwargs, self);
  if (r !== NO_MATCH) return r;
  // Python's varargs rule: when an overload's only positional argument (after self) is an int list,
  // integers given one by one form that list, so x.view(2, 3) is x.view([2, 3]).
  if (n > 0 && isInt(args[0])) {
    const off = self === undefined ? 0 : 1;
    const varargs = group.filter((s) => s.p - off === 1 && s.a[off]?.[1] === 'IL');
    if (varargs.length) {
      const packed = tryOverloads(varargs, [args.slice(0, n)], 1, kwargs, self);
      if (packed !== NO_MATCH) return packed;
    }
  }
  const positional = self === undefined ? args.slice(0, n) : [self, ...args.slice(0, n)];
  throw new TypeError(
    `${group[0]?.n ?? 'op'}: no overload accepts (${positional.map(describe).join(', ')}${kwargs ? `, ${describe(kwargs)}` : ''}). Overloads:\n  ` +
      group.map(signature).join('\n  '),
  );
}

/** The first overload of `group` that every argument fits (positional, then named), or undefined. */
function selectOverload(
  group: readonly OverloadSpec[],
  args: unknown[],
  n: number,
  kwargs: Record<string, unknown> | undefined,
  self: TensorBase | undefined,
): OverloadSpec | undefined {
  const off = self === undefined ? 0 : 1;
  const total = n + off;
  for (let g = 0; g < group.length; g++) {
    const spec = group[g];
    if (total > spec.p) continue;
    const a = spec.a;
    // Does every argument fit? (no allocation; most rejected overloads fail here)
    let used = 0;
    let i = 0;
    for (; i < a.length; i++) {
      const arg = a[i];
      let v = i < off ? self : i < total ? args[i - off] : undefined;
      if (kwargs !== undefined && v === undefined) {
        const snake = arg[3];
        if (arg[0] in kwargs) {
          v = kwargs[arg[0]];
          used++;
        } else if (snake !== undefined && snake in kwargs) {
          v = kwargs[snake];
          used++;
        }
      }
      if (!fits(v, arg[1], arg[2])) break;
    }
    if (i < a.length || (kwargs !== undefined && used !== Object.keys(kwargs).length)) continue;
    return spec;
  }
  return undefined;
}

function tryOverloads(
  group: readonly OverloadSpec[],
  args: unknown[],
  n: number,
  kwargs: Record<string, unknown> | undefined,
  self: TensorBase | undefined,
): unknown {
  const spec = selectOverload(group, args, n, kwargs, self);
  if (spec === undefined) return NO_MATCH;
  const off = self === undefined ? 0 : 1;
  const total = n + off;
  const a = spec.a;
  // Native values (tensors to handles, names to codes); `values` keeps the JS ones.
  const bound = new Array<unknown>(a.length);
  const values = spec.w === undefined ? undefined : new Array<unknown>(a.length);
  for (let j = 0; j < a.length; j++) {
    const arg = a[j];
    let v = j < off ? self : j < total ? args[j - off] : undefined;
    if (kwargs !== undefined && v === undefined)
      v = kwargs[arg[0]] ?? (arg[3] !== undefined ? kwargs[arg[3]] : undefined);
    if (values !== undefined) values[j] = v;
    bound[j] =
      v === undefined || v === null
        ? v
        : arg[1] === 'T'
          ? handleOf(v as TensorBase, spec, arg[0])
          : toNative(v, arg[1], spec, arg[0]);
  }
  return invoke(spec, bound, values);
}

function callNative(id: number, b: unknown[]): unknown {
  switch (b.length) {
    case 0:
      return native.call(id);
    case 1:
      return native.call(id, b[0]);
    case 2:
      return native.call(id, b[0], b[1]);
    case 3:
      return native.call(id, b[0], b[1], b[2]);
    case 4:
      return native.call(id, b[0], b[1], b[2], b[3]);
    case 5:
      return native.call(id, b[0], b[1], b[2], b[3], b[4]);
    default:
      return native.call(id, ...b);
  }
}

function invoke(spec: OverloadSpec, bound: unknown[], values: unknown[] | undefined): unknown {
  const result = callNative(spec.id ?? opId(spec), bound);
  const r = spec.r;
  const w = spec.w;
  if (r.length === 1) {
    if (w !== undefined && w[0] >= 0) return values![w[0]];
    return r === 'T' && typeof result === 'number' ? makeTensor(result) : wrapReturn(result, r);
  }
  if (r.length === 0) return undefined;
  const arr = result as unknown[];
  for (let i = 0; i < arr.length; i++) arr[i] = w !== undefined && w[i] >= 0 ? values![w[i]] : wrapReturn(arr[i], r[i]);
  return arr;
}
