/**
 * torch.utils.data datasets: map-style `Dataset<T>` (length + getItem), `IterableDataset<T>`, and the
 * wrappers TensorDataset, Subset, ConcatDataset, plus `randomSplit` with PyTorch's length rules.
 */
import type { Tensor } from '../torch/tensor.js';
import { Rng } from './prng.js';

/** A map-style dataset: `length` items addressed by index 0..length-1 (PyTorch's __len__ / __getitem__). */
export interface Dataset<T> {
  readonly length: number;
  /** The sample at `index` (0 <= index < length), or a promise of it. */
  getItem(index: number): T | Promise<T>;
}
/** A stream of items (PyTorch's IterableDataset): no length, no random access. */
export interface IterableDataset<T> {
  /** Yields the samples asynchronously (one of the two iterators is required). */
  [Symbol.asyncIterator]?(): AsyncIterator<T>;
  /** Yields the samples synchronously (one of the two iterators is required). */
  [Symbol.iterator]?(): Iterator<T>;
}
/** Whether a dataset is map-style (has `length` and `getItem`) rather than iterable. */
export const isMapDataset = <T>(d: Dataset<T> | IterableDataset<T>): d is Dataset<T> =>
  typeof (d as Dataset<T>).getItem === 'function' && typeof (d as Dataset<T>).length === 'number';

/** Python's index rule: negative counts from the end; out of range throws a RangeError naming `what`. */
export function normalizeIndex(index: number, length: number, what: string): number {
  if (!Number.isInteger(index)) throw new TypeError(`${what}: index must be an integer, got ${index}`);
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length) throw new RangeError(`${what}: index ${index} out of range for length ${length}`);
  return i;
}

/** A dataset over an array of items. */
export class ArrayDataset<T> implements Dataset<T> {
  constructor(readonly items: readonly T[]) {}
  get length(): number {
    return this.items.length;
  }
  /** The item at `index`. */
  getItem(index: number): T {
    return this.items[normalizeIndex(index, this.items.length, 'ArrayDataset')]!;
  }
}

/** Rows of tensors sharing dim 0: item i is [t0[i], t1[i], ...] (new views; the caller owns them). */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    if (!tensors.length) throw new TypeError('TensorDataset: needs at least one tensor');
    const n = tensors[0]!.shape[0];
    if (tensors.some((t) => t.ndim === 0 || t.shape[0] !== n))
      throw new RangeError(
        `TensorDataset: size mismatch between tensors (dim 0 sizes: ` +
        `${tensors.map((t) => t.shape[0] ?? 'scalar').join(', ')})`,
      );
    this.tensors = tensors;
  }
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }
  /** Row `index` of every tensor. */
  getItem(index: number): Tensor[] {
    const i = normalizeIndex(index, this.length, 'TensorDataset');
    return this.tensors.map((t) => t.get(i));
  }
}

/** The items of `dataset` at `indices`, in that order. */
export class Subset<T> implements Dataset<T> {
  constructor(
    readonly dataset: Dataset<T>,
    readonly indices: readonly number[],
  ) {}
  get length(): number {
    return this.indices.length;
  }
  /** The sample at `index` of the underlying dataset(s). */
  getItem(index: number): T | Promise<T> {
    return this.dataset.getItem(this.indices[normalizeIndex(index, this.indices.length, 'Subset')]!);
  }
}

/** Datasets one after another; `cumulativeSizes` as PyTorch's. */
export class ConcatDataset<T> implements Dataset<T> {
  readonly datasets: readonly Dataset<T>[];
  readonly cumulativeSizes: number[];
  constructor(datasets: readonly Dataset<T>[]) {
    if (!datasets.length) throw new TypeError('ConcatDataset: datasets should not be an empty iterable');
    this.datasets = datasets;
    let s = 0;
    this.cumulativeSizes = datasets.map((d) => (s += d.length));
  }
  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }
  /** The sample at `index` of the underlying dataset(s). */
  getItem(index: number): T | Promise<T> {
    const i = normalizeIndex(index, this.length, 'ConcatDataset');
    // bisect_right over the cumulative sizes
    let lo = 0,
      hi = this.cumulativeSizes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeSizes[mid]! <= i) lo = mid + 1;
      else hi = mid;
    }
    return this.datasets[lo]!.getItem(lo === 0 ? i : i - this.cumulativeSizes[lo - 1]!);
  }
}

/** A generator argument: an Rng, or a seed for a new one. */
export type GeneratorLike = Rng | number;
/**
 * The Rng of a generator option: the Rng itself, a new Rng from a seed, or one from `fallbackSeed()` when none is
 * given.
 */
export const toRng = (g: GeneratorLike | undefined, fallbackSeed: () => number): Rng =>
  g instanceof Rng ? g : new Rng(g ?? fallbackSeed());
/** A uniformly random permutation of 0..n-1 drawn from `rng`. */
export const randperm = (n: number, rng: Rng): number[] => rng.shuffle(Array.from({ length: n }, (_, i) => i));

/**
 * PyTorch's random_split: `lengths` are counts summing to the dataset length, or fractions summing to 1
 * (floor(n * f) each, the remainder handed out one by one round-robin from the first split). The
 * permutation comes from `generator` (seed or Rng; the streams are this library's, not torch.Generator's).
 */
export function randomSplit<T>(
  dataset: Dataset<T>,
  lengths: readonly number[],
  generator?: GeneratorLike,
): Subset<T>[] {
  const n = dataset.length;
  let counts = [...lengths];
  const total = lengths.reduce((a, b) => a + b, 0);
  const isClose = Math.abs(total - 1) <= 1e-9 * Math.max(1, Math.abs(total));
  if (isClose && total <= 1) {
    counts = lengths.map((f, i) => {
      if (f < 0 || f > 1) throw new RangeError(`randomSplit: fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * f);
    });
    const remainder = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) counts[i % counts.length]! += 1;
  }
  if (counts.some((c) => !Number.isInteger(c) || c < 0))
    throw new RangeError(
      `randomSplit: lengths must be non-negative integers or fractions summing to 1, got [${lengths.join(', ')}]`,
    );
  if (counts.reduce((a, b) => a + b, 0) !== n)
    throw new RangeError(
      `randomSplit: sum of input lengths (${counts.reduce((a, b) => a + b, 0)}) does not equal the length of the ` +
      `input dataset (${n})`,
    );
  const perm = randperm(
    n,
    toRng(generator, () => Math.floor(Math.random() * 2 ** 32)),
  );
  let offset = 0;
  return counts.map((c) => new Subset(dataset, perm.slice(offset, (offset += c))));
}
