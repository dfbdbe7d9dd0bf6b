/** Samplers (torch.utils.data.sampler): orders of indices, and BatchSampler grouping them. */
import { Rng } from './prng.js';
import { randperm, toRng, type GeneratorLike } from './dataset.js';

/** Yields dataset indices; `length` when known. */
export interface Sampler {
  /** Yields dataset indices for one epoch. */
  [Symbol.iterator](): Iterator<number>;
  readonly length?: number;
}
const randomSeed = (): number => Math.floor(Math.random() * 2 ** 32);

/** 0, 1, ..., n-1. */
export class SequentialSampler implements Sampler {
  constructor(private readonly n: number) {}
  get length(): number {
    return this.n;
  }
  /** Yields this epoch's dataset indices. */
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.n; i++) yield i;
  }
}

/**
 * A random order of 0..n-1 (a new permutation each iteration, drawn from one generator, so a seed gives the
 * same sequence of epochs), or `numSamples` draws with replacement.
 */
export class RandomSampler implements Sampler {
  readonly replacement: boolean;
  readonly numSamples: number;
  readonly generator: Rng;
  constructor(
    private readonly n: number,
    o: { replacement?: boolean; numSamples?: number; generator?: GeneratorLike } = {},
  ) {
    this.replacement = o.replacement ?? false;
    this.numSamples = o.numSamples ?? n;
    if (!Number.isInteger(this.numSamples) || this.numSamples <= 0)
      throw new RangeError(
        `RandomSampler: numSamples should be a positive integer value, but got numSamples=${this.numSamples}`,
      );
    this.generator = toRng(o.generator, randomSeed);
  }
  get length(): number {
    return this.numSamples;
  }
  /** Yields this epoch's dataset indices. */
  *[Symbol.iterator](): Iterator<number> {
    if (this.replacement) {
      for (let i = 0; i < this.numSamples; i++) yield this.generator.int(0, this.n);
      return;
    }
    // PyTorch: whole permutations, the last one cut to what numSamples still needs
    for (let left = this.numSamples; left > 0; left -= this.n)
      yield* randperm(this.n, this.generator).slice(0, Math.min(left, this.n));
  }
}

/** The given indices in a random order. */
export class SubsetRandomSampler implements Sampler {
  readonly generator: Rng;
  constructor(
    readonly indices: readonly number[],
    generator?: GeneratorLike,
  ) {
    this.generator = toRng(generator, randomSeed);
  }
  get length(): number {
    return this.indices.length;
  }
  /** Yields this epoch's dataset indices. */
  *[Symbol.iterator](): Iterator<number> {
    for (const i of randperm(this.indices.length, this.generator)) yield this.indices[i]!;
  }
}

/** `numSamples` indices drawn with probability proportional to `weights` (with replacement by default). */
export class WeightedRandomSampler implements Sampler {
  readonly generator: Rng;
  readonly replacement: boolean;
  constructor(
    readonly weights: readonly number[],
    readonly numSamples: number,
    o: { replacement?: boolean; generator?: GeneratorLike } = {},
  ) {
    if (weights.some((w) => !(w >= 0)) || !weights.some((w) => w > 0))
      throw new RangeError('WeightedRandomSampler: weights must be non-negative with a positive sum');
    this.replacement = o.replacement ?? true;
    if (!this.replacement && numSamples > weights.filter((w) => w > 0).length)
      throw new RangeError('WeightedRandomSampler: numSamples exceeds the non-zero weights without replacement');
    this.generator = toRng(o.generator, randomSeed);
  }
  get length(): number {
    return this.numSamples;
  }
  /** Yields this epoch's dataset indices. */
  *[Symbol.iterator](): Iterator<number> {
    const w = [...this.weights];
    for (let k = 0; k < this.numSamples; k++) {
      const total = w.reduce((a, b) => a + b, 0);
      let u = this.generator.next() * total,
        i = 0;
      while (i < w.length - 1 && (u >= w[i]! || w[i] === 0)) {
        u -= w[i]!;
        i++;
      }
      if (!this.replacement) w[i] = 0;
      yield i;
    }
  }
}

/** Groups a sampler's indices into lists of `batchSize`; the last short one is kept unless `dropLast`. */
export class BatchSampler implements Iterable<number[]> {
  constructor(
    readonly sampler: Sampler | Iterable<number>,
    readonly batchSize: number,
    readonly dropLast = false,
  ) {
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new RangeError(
        `BatchSampler: batchSize should be a positive integer value, but got batchSize=${batchSize}`,
      );
  }
  /** floor(n / batchSize) with dropLast, else ceil; undefined when the sampler's length is unknown. */
  get length(): number | undefined {
    const n = (this.sampler as Sampler).length;
    if (n === undefined) return undefined;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
  /** Yields this epoch's batches of dataset indices. */
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length && !this.dropLast) yield batch;
  }
}
