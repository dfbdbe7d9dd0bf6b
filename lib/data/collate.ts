/**
 * PyTorch's default_collate for JavaScript values: a batch (array of items of one structure) becomes one
 * item of that structure with a leading batch dimension.
 *
 * | item            | batched                                  |
 * |-----------------|------------------------------------------|
 * | Tensor          | torch.stack (shapes must agree)          |
 * | TypedArray      | a [B, length] tensor of its dtype        |
 * | number          | float64 [B] (JS numbers are doubles)     |
 * | bigint          | int64 [B] (use for class labels)         |
 * | boolean         | bool [B]                                 |
 * | string          | string[]                                 |
 * | array / tuple   | per position, recursively                |
 * | plain object    | per key, recursively                     |
 * | Map             | per key, recursively                     |
 */
import * as torch from '../torch/index.js';
import { Tensor } from '../torch/tensor.js';
import type { TypedArray } from '../torch/dtype.js';

/** What defaultCollate makes of a batch of T. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | bigint | boolean
    ? Tensor
    : T extends TypedArray
      ? Tensor
      : T extends string
        ? string[]
        : T extends Map<infer K, infer V>
          ? Map<K, Collated<V>>
          : T extends readonly unknown[]
            ? { -readonly [K in keyof T]: Collated<T[K]> }
            : T extends object
              ? { -readonly [K in keyof T]: Collated<T[K]> }
              : never;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/** Stacks a batch as PyTorch's default_collate does (see the table above). Errors name the path inside the item. */
export function defaultCollate<T>(batch: readonly T[]): Collated<T> {
  return collateAt(batch as readonly unknown[], 'batch') as Collated<T>;
}

function collateAt(batch: readonly unknown[], path: string): unknown {
  if (!batch.length) throw new RangeError(`defaultCollate: ${path} is empty`);
  const elem = batch[0];
  const kind = (v: unknown): string =>
    v === null
      ? 'null'
      : v instanceof Tensor
        ? 'Tensor'
        : ArrayBuffer.isView(v)
          ? (v as object).constructor.name
          : Array.isArray(v)
            ? 'array'
            : typeof v;
  const k = kind(elem);
  const bad = batch.findIndex((v) => kind(v) !== k);
  if (bad >= 0) throw new TypeError(`defaultCollate: ${path}: item 0 is ${k} but item ${bad} is ${kind(batch[bad])}`);
  if (elem instanceof Tensor) {
    const s = elem.shape.join(',');
    const off = batch.findIndex((t) => (t as Tensor).shape.join(',') !== s);
    if (off >= 0)
      throw new RangeError(
        `defaultCollate: ${path}: stack expects each tensor to be equal size, but got [${elem.shape.join(', ')}] at ` +
        `entry 0 and [${(batch[off] as Tensor).shape.join(', ')}] at entry ${off}`,
      );
    return torch.stack(batch as Tensor[]);
  }
  if (ArrayBuffer.isView(elem) && !(elem instanceof DataView)) {
    const arrays = batch as TypedArray[];
    const n = arrays[0]!.length;
    const off = arrays.findIndex((a) => a.length !== n);
    if (off >= 0)
      throw new RangeError(
        `defaultCollate: ${path}: typed arrays must have equal lengths, got ${n} at entry 0 and ` +
        `${arrays[off]!.length} at entry ${off}`,
      );
    const Ctor = arrays[0]!.constructor as { new (n: number): TypedArray };
    const out = new Ctor(n * arrays.length);
    arrays.forEach((a, i) =>
      (out as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(a as ArrayLike<unknown>, i * n),
    );
    return torch.tensor(out, { shape: [arrays.length, n] });
  }
  if (typeof elem === 'number') return torch.tensor(Float64Array.from(batch as number[]));
  if (typeof elem === 'bigint') return torch.tensor(BigInt64Array.from(batch as bigint[]));
  if (typeof elem === 'boolean') return torch.tensor(batch as boolean[], { dtype: 'bool' });
  if (typeof elem === 'string') return [...batch];
  if (Array.isArray(elem)) {
    const n = elem.length;
    const off = batch.findIndex((v) => (v as unknown[]).length !== n);
    if (off >= 0)
      throw new RangeError(
        `defaultCollate: ${path}: each element in list of batch should be of equal size (${n} at entry 0, ` +
        `${(batch[off] as unknown[]).length} at entry ${off})`,
      );
    return torch.tidy(() =>
      Array.from({ length: n }, (_, i) =>
        collateAt(
          batch.map((v) => (v as unknown[])[i]),
          `${path}[${i}]`,
        ),
      ),
    );
  }
  if (elem instanceof Map) {
    return torch.tidy(
      () =>
        new Map(
          [...elem.keys()].map((key) => [
            key,
            collateAt(
              batch.map((v) => {
                const m = v as Map<unknown, unknown>;
                if (!m.has(key))
                  throw new TypeError(`defaultCollate: ${path}: key ${String(key)} is missing in an item`);
                return m.get(key);
              }),
              `${path}.${String(key)}`,
            ),
          ]),
        ),
    );
  }
  if (isPlainObject(elem)) {
    const out: Record<string, unknown> = {};
    torch.tidy(() => {
      for (const key of Object.keys(elem)) {
        out[key] = collateAt(
          batch.map((v) => {
            const o = v as Record<string, unknown>;
            if (!(key in o)) throw new TypeError(`defaultCollate: ${path}: key '${key}' is missing in an item`);
            return o[key];
          }),
          `${path}.${key}`,
        );
      }
      return out;
    });
    return out;
  }
  throw new TypeError(
    `defaultCollate: ${path}: batch must contain tensors, typed arrays, numbers, bigints, booleans, strings, arrays, ` +
    `Maps or plain objects; found ${k}`,
  );
}
