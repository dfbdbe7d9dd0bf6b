// Typed access to what torch.load returns for nested checkpoints ({ model: state_dict, optimizer:
// {...}, epoch: 3 }), so callers need no casts: each accessor checks the entry's type and names the
// key path and the file in its error.
import type { LoadOptions, Loaded } from './serialize.js';
import { load } from './serialize.js';
import { Tensor } from './tensor.js';

type Key = string | number;

function kindOf(v: Loaded | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'None';
  if (v instanceof Tensor) return 'a Tensor';
  if (v instanceof Map) return 'a dict';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}

/** A loaded checkpoint (or any part of one) with typed accessors; keys are given as a path:
 *  `ck.stateDict('model')`, `ck.number('state', 'epoch')`, `ck.tensor('model', 'fc.weight')`. */
export class Checkpoint {
  constructor(
    readonly value: Loaded,
    readonly source = '<checkpoint>',
  ) {}

  /** The entry at `path`, or undefined when a key is absent. */
  get(...path: Key[]): Loaded | undefined {
    let v: Loaded | undefined = this.value;
    for (const k of path) {
      if (v instanceof Map)
        v = v.has(k) ? v.get(k) : typeof k === 'number' && v.has(String(k)) ? v.get(String(k)) : undefined;
      else if (Array.isArray(v) && typeof k === 'number') v = v[k];
      else return undefined;
    }
    return v;
  }
  /** Whether a value exists at `path`. */
  has(...path: Key[]): boolean {
    return this.get(...path) !== undefined;
  }
  /** Keys of the dict at `path` (in file order). */
  keys(...path: Key[]): Key[] {
    return [...this.expect(path, 'a dict', (v): v is Map<Key, Loaded> => v instanceof Map).keys()];
  }
  /** The tensor at `path`; throws naming the path when it is missing or not a tensor. */
  tensor(...path: Key[]): Tensor {
    return this.expect(path, 'a Tensor', (v): v is Tensor => v instanceof Tensor);
  }
  /** A number (a Python int beyond 2^53 is refused rather than rounded). */
  number(...path: Key[]): number {
    const v = this.expect(
      path,
      'a number',
      (x): x is number | bigint => typeof x === 'number' || typeof x === 'bigint',
    );
    if (typeof v === 'bigint') {
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
        throw new RangeError(`${this.where(path)} is ${v}, beyond a JS number's exact range; use get()`);
      return Number(v);
    }
    return v;
  }
  /** The string at `path`; throws naming the path when it is missing or not a string. */
  string(...path: Key[]): string {
    return this.expect(path, 'a string', (v): v is string => typeof v === 'string');
  }
  /** The boolean at `path`; throws naming the path when it is missing or not a boolean. */
  boolean(...path: Key[]): boolean {
    return this.expect(path, 'a boolean', (v): v is boolean => typeof v === 'boolean');
  }
  /** The list (or tuple) at `path`; throws naming the path when it is missing or not a list. */
  list(...path: Key[]): Loaded[] {
    return this.expect(path, 'a list', (v): v is Loaded[] => Array.isArray(v));
  }
  /** The dict at `path` as a Checkpoint, for further typed access. */
  dict(...path: Key[]): Checkpoint {
    return new Checkpoint(
      this.expect(path, 'a dict', (v): v is Map<Key, Loaded> => v instanceof Map),
      `${this.where(path)}`,
    );
  }
  /** The dict of tensors at `path` (PyTorch's state_dict, its `_metadata` aside). */
  stateDict(...path: Key[]): Map<string, Tensor> {
    const m = this.expect(path, 'a dict', (v): v is Map<Key, Loaded> => v instanceof Map);
    const out = new Map<string, Tensor>();
    for (const [k, v] of m) {
      if (!(v instanceof Tensor))
        throw new TypeError(`${this.where([...path, k])} is ${kindOf(v)}, expected a Tensor (not a state dict)`);
      out.set(String(k), v);
    }
    return out;
  }

  private where(path: Key[]): string {
    return path.length ? `${this.source}: ${path.map((k) => `[${JSON.stringify(k)}]`).join('')}` : this.source;
  }
  private expect<T extends Loaded>(path: Key[], what: string, ok: (v: Loaded) => v is T): T {
    const v = this.get(...path);
    if (v === undefined || !ok(v)) throw new TypeError(`${this.where(path)} is ${kindOf(v)}, expected ${what}`);
    return v;
  }
}

/** torch.load with typed accessors: `const ck = torch.loadCheckpoint('last.pth'); ck.stateDict('model')`. */
export function loadCheckpoint(source: string | Uint8Array, options: LoadOptions = {}): Checkpoint {
  return new Checkpoint(load(source, options), typeof source === 'string' ? source : '<bytes>');
}
