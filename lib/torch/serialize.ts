// torch.load / torch.save in PyTorch's .pth format and safetensors, between raw records
// (serialization/) and Tensors. Storages shared by several views stay shared both ways.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';
import { callOverloads } from './dispatch.js';
import type { DType } from './dtype.js';
import { tidy } from './handle.js';
import { native } from './native.js';
import { ATEN } from './generated/schemas.js';
import { fromData, Tensor } from './tensor.js';
import {
  loadPth,
  savePth,
  loadSafetensors as parseSafetensors,
  saveSafetensors as encodeSafetensors,
  isRawTensor,
  ITEM_SIZE,
  type PyDict,
  type PyValue,
  type RawStorage,
  type RawTensor,
  type DTypeName,
} from './serialization/index.js';

/** What `load` returns: tensors, numbers (bigint beyond 2^53), strings, booleans, null, arrays
 *  (Python lists and tuples) and Maps (dicts and OrderedDicts, insertion order kept). */
export type Loaded = Tensor | number | bigint | string | boolean | null | Loaded[] | Map<string | number, Loaded>;
/** What `save` accepts: the same, plus plain objects (written as dicts). Maps are written as OrderedDicts. */
export type Savable =
  | Tensor
  | number
  | bigint
  | string
  | boolean
  | null
  | Savable[]
  | Map<string | number, Savable>
  | { [key: string]: Savable };

/**
 * The options of `load` and `loadSafetensors`, as PyTorch's `torch.load` keyword arguments.
 *
 * Example:
 *   const sd = torch.load('model.pth', { mapLocation: 'cpu' }); // a GPU checkpoint on a CPU-only machine
 */
export interface LoadOptions {
  /** Device for every tensor ('cpu', 'cuda:0'); default: where it was saved, or CPU when CUDA is unavailable. */
  mapLocation?: string;
}

const AS_STRIDED = ATEN.as_strided.filter((s) => s.o === '');

function targetDevice(saved: string, options: LoadOptions): string {
  if (options.mapLocation) return options.mapLocation;
  return saved.startsWith('cuda') && !native.cudaIsAvailable() ? 'cpu' : saved;
}

function storageTensor(s: RawStorage, device: string): Tensor {
  const n = s.bytes.byteLength / ITEM_SIZE[s.dtype];
  const aligned = s.bytes.byteOffset % 8 === 0 ? s.bytes : s.bytes.slice();
  return fromData(aligned, s.dtype as DType, [n], device);
}

function toTensors(value: PyValue, options: LoadOptions, storages: Map<RawStorage, Tensor>): Loaded {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => toTensors(v, options, storages));
  if (isRawTensor(value)) {
    let base = storages.get(value.storage);
    if (!base) {
      base = storageTensor(value.storage, targetDevice(value.storage.device, options));
      storages.set(value.storage, base);
    }
    const view = callOverloads(AS_STRIDED, [base, value.shape, value.strides, value.storageOffset]) as Tensor;
    if (value.requiresGrad) view.requiresGrad_(true);
    return view;
  }
  if (value.kind === 'tuple') return value.items.map((v) => toTensors(v, options, storages));
  const out = new Map<string | number, Loaded>();
  for (const [k, v] of value.entries) out.set(k, toTensors(v, options, storages));
  return value.counter ? asCounter(out) : out;
}

const INT_KEYS = Symbol.for('skcdf.torch.intKeys');
const INT_KEY = /^-?(0|[1-9]\d*)$/;

/**
 * Marks a plain object so that `save`/`serialize` pickle its integer-like keys ('0', '12', '-3') as Python ints,
 * as Python's `optimizer.state_dict()['state']` is keyed (a JS object's keys are always strings). Other keys stay
 * strings. Returns the same object; the mark is not enumerable and is lost by copies such as `{ ...obj }`
 * (a `Map` with number keys needs no mark: its number keys are always written as ints).
 */
export function withIntKeys<T extends object>(record: T): T {
  Object.defineProperty(record, INT_KEYS, { value: true, enumerable: false, configurable: true });
  return record;
}

const COUNTER = Symbol.for('skcdf.torch.counter');

/**
 * Marks a Map as a Python `collections.Counter`, so that `save`/`serialize` write it as one (as MultiStepLR's
 * state dict holds its milestones); `load` marks the Maps it reads from a Counter. Returns the same Map; the
 * mark is not enumerable and is lost by copies such as `new Map(m)`.
 *
 * Args:
 *   map: the counts by key.
 *
 * Example:
 *   torch.save({ milestones: asCounter(new Map([[30, 1], [80, 1]])) }, 'sched.pth');
 */
export function asCounter<M extends Map<string | number, unknown>>(map: M): M {
  Object.defineProperty(map, COUNTER, { value: true, enumerable: false, configurable: true });
  return map;
}

/**
 * Whether `asCounter` (or `load`, reading a Counter) marked the Map.
 *
 * Args:
 *   v: any value.
 *
 * Example:
 *   isCounter(asCounter(new Map([[30, 1]]))); // true
 */
export const isCounter = (v: unknown): boolean => v instanceof Map && (v as { [COUNTER]?: boolean })[COUNTER] === true;

function dictKey(k: string | number, intKeys: boolean): string | number {
  if (!intKeys || typeof k !== 'string' || !INT_KEY.test(k)) return k;
  const n = Number(k);
  return Number.isSafeInteger(n) ? n : k;
}

function fromTensors(value: Savable, storages: Map<string, RawStorage>, where: string): PyValue {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Tensor) {
    if (value.isDisposed) throw new Error(`save: ${where} is a disposed tensor`);
    const key = native.storageKey(value.h);
    let storage = storages.get(key);
    const dtype = value.dtype as DTypeName;
    if (!(dtype in ITEM_SIZE))
      throw new TypeError(`save: ${where} has dtype ${dtype}, which .pth/safetensors writing does not support`);
    if (!storage) {
      storage = {
        key: String(storages.size),
        dtype,
        device: value.device,
        bytes: new Uint8Array(native.storageBuffer(value.h)),
      };
      storages.set(key, storage);
    }
    const raw: RawTensor = {
      kind: 'tensor',
      storage,
      storageOffset: value.storageOffset(),
      shape: value.shape,
      strides: value.strides,
      requiresGrad: value.requiresGrad,
    };
    return raw;
  }
  if (Array.isArray(value)) return value.map((v, i) => fromTensors(v, storages, `${where}[${i}]`));
  const dict: PyDict = isCounter(value)
    ? { kind: 'dict', ordered: false, entries: new Map(), counter: true }
    : { kind: 'dict', ordered: value instanceof Map, entries: new Map() };
  const entries = value instanceof Map ? value.entries() : Object.entries(value);
  const intKeys = !(value instanceof Map) && (value as { [INT_KEYS]?: boolean })[INT_KEYS] === true;
  for (const [k, v] of entries)
    dict.entries.set(dictKey(k, intKeys), fromTensors(v, storages, `${where}.${String(k)}`));
  return dict;
}

/** Reads a PyTorch checkpoint (`torch.save` zip format) from a path or bytes. Only tensors and
 *  containers are accepted (like `weights_only=True`); anything else is refused with an error. */
export function load(source: string | Uint8Array, options: LoadOptions = {}): Loaded {
  const name = typeof source === 'string' ? source : '<bytes>';
  let bytes: Uint8Array;
  try {
    bytes = typeof source === 'string' ? readFileSync(source) : source;
  } catch (err) {
    throw new Error(`torch.load: cannot read ${name}: ${(err as Error).message}`);
  }
  const raw = loadPth(bytes, name);
  return tidy(() => toTensors(raw, options, new Map()));
}

/** Loads a state dict (a dict of tensors, possibly nested under one key such as 'model'). */
export function loadStateDict(
  source: string | Uint8Array,
  options: LoadOptions & { key?: string } = {},
): Map<string, Tensor> {
  const name = typeof source === 'string' ? source : '<bytes>';
  let value = load(source, options);
  if (options.key !== undefined) {
    if (!(value instanceof Map) || !value.has(options.key))
      throw new Error(`${name}: no entry '${options.key}' in the checkpoint`);
    value = value.get(options.key)!;
  }
  if (!(value instanceof Map) || ![...value.values()].every((v) => v instanceof Tensor)) {
    throw new Error(
      `${name}: not a state dict (a dict of tensors)${options.key === undefined ? '; pass { key } if it is nested' : ''}`,
    );
  }
  return value as Map<string, Tensor>;
}

/** Encodes to PyTorch's .pth format (bytes that Python's torch.load reads, weights_only=True included). */
export function serialize(value: Savable): Uint8Array {
  return savePth(fromTensors(value, new Map(), 'value'));
}

/** Writes a checkpoint atomically (readers never see a partial file). */
export function save(value: Savable, path: string): void {
  writeFileAtomic(path, serialize(value));
}

/** Reads a .safetensors file into a Map of tensors (and its metadata). */
export function loadSafetensors(
  source: string | Uint8Array,
  options: LoadOptions = {},
): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const name = typeof source === 'string' ? source : '<bytes>';
  const bytes = typeof source === 'string' ? readFileSync(source) : source;
  const { tensors, metadata } = parseSafetensors(bytes, name);
  const out = tidy(() => {
    const storages = new Map<RawStorage, Tensor>();
    const m = new Map<string, Tensor>();
    for (const [k, t] of tensors) m.set(k, toTensors(t, options, storages) as Tensor);
    return m;
  });
  return { tensors: out, metadata };
}

/** Writes tensors as .safetensors (atomically). */
export function saveSafetensors(tensors: Map<string, Tensor>, path: string, metadata?: Record<string, string>): void {
  const storages = new Map<string, RawStorage>();
  const raw = [...tensors].map(([k, t]) => [k, fromTensors(t, storages, k) as RawTensor] as [string, RawTensor]);
  writeFileAtomic(path, encodeSafetensors(raw, metadata));
}
