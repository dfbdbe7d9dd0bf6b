/**
 * torch.utils.data.DataLoader: batches of a map-style or iterable dataset, in sampler order, collated
 * (default: defaultCollate). `for await (const batch of loader)` runs one epoch.
 *
 * Workers: JavaScript objects cannot be handed to threads, so with `numWorkers > 0` each worker builds its
 * own copy of the dataset from `workerDataset` (a module URL, an exported factory and its arguments) and
 * answers index lists with raw items (structured-cloned: numbers, bigints, strings, typed arrays, arrays,
 * plain objects); the main thread collates. At most `prefetchFactor * numWorkers` batches are requested
 * ahead, so memory stays bounded. Batches come back in sampler order whatever the workers' timing, and are
 * the same as with `numWorkers: 0` for the same generator seed.
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { deriveSeed, Rng } from './prng.js';
import { WorkerPool } from './worker-pool.js';
import { defaultCollate, type Collated } from './collate.js';
import { isMapDataset, toRng, type Dataset, type GeneratorLike, type IterableDataset } from './dataset.js';
import { BatchSampler, RandomSampler, SequentialSampler, type Sampler } from './sampler.js';

/**
 * How a DataLoader worker thread builds its own copy of the dataset: a module, its exported factory and the factory's
 * arguments.
 */
export interface WorkerDataset {
  /**
   * Module that builds the dataset in a worker: a file URL, an absolute path, or a path relative to the cwd.
   * JavaScript, or TypeScript (.ts, .mts, .cts, .tsx) loaded with tsx, which must then be installed (as it is
   * for a user who runs .ts files with tsx).
   */
  module: string | URL;
  /** The exported factory (default 'default'); may be async. */
  export?: string;
  /** Structured-cloneable arguments of the factory. */
  args?: unknown[];
}
/** torch.utils.data.DataLoader's options, camelCase; defaults as in PyTorch. */
export interface DataLoaderOptions<T, B> {
  /** Items per batch, default 1. */ batchSize?: number;
  /** A new random order every epoch (map-style only). Default false. */ shuffle?: boolean;
  /** Custom index order (excludes shuffle). */ sampler?: Sampler;
  /** Custom index lists (excludes batchSize, shuffle, sampler, dropLast). */ batchSampler?: Iterable<number[]> & {
    length?: number;
  };
  /** Drop the last incomplete batch. Default false. */ dropLast?: boolean;
  /** Items -> batch; default defaultCollate. Runs in the main thread. */ collateFn?: (items: T[]) => B;
  /** Seed or Rng for shuffling (default: a random seed). */ generator?: GeneratorLike;
  /** Worker threads (default 0: load in this thread). */ numWorkers?: number;
  /** How each worker builds the dataset; required with numWorkers > 0. */ workerDataset?: WorkerDataset;
  /** Batches requested ahead per worker, default 2. */ prefetchFactor?: number;
}

/**
 * torch.utils.data.DataLoader: batches of a map-style or iterable dataset in sampler order, collated (default:
 * defaultCollate); `for await (const batch of loader)` runs one epoch.
 *
 * @example
 * const loader = new DataLoader(dataset, { batchSize: 16, shuffle: true, generator: 0 });
 * for await (const { features, label } of loader) train(features, label);
 */
export class DataLoader<T, B = Collated<T>> implements AsyncIterable<B> {
  readonly dataset: Dataset<T> | IterableDataset<T>;
  readonly batchSize: number;
  readonly dropLast: boolean;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  readonly generator: Rng;
  readonly sampler: Sampler | undefined;
  readonly batchSampler: (Iterable<number[]> & { length?: number }) | undefined;
  private readonly collate: (items: T[]) => B;
  private readonly workerDataset: WorkerDataset | undefined;
  private pool: WorkerPool<number[], unknown[]> | undefined;
  private inFlightNow = 0;
  private workerSeedBase = 0;
  /** Most index lists that were requested from workers and not yet yielded, over this loader's life. */
  maxInFlight = 0;

  constructor(dataset: Dataset<T> | IterableDataset<T>, o: DataLoaderOptions<T, B> = {}) {
    this.dataset = dataset;
    this.batchSize = o.batchSize ?? 1;
    this.dropLast = o.dropLast ?? false;
    this.numWorkers = o.numWorkers ?? 0;
    this.prefetchFactor = o.prefetchFactor ?? 2;
    this.collate = o.collateFn ?? (defaultCollate as unknown as (items: T[]) => B);
    this.generator = toRng(o.generator, () => Math.floor(Math.random() * 2 ** 32));
    this.workerDataset = o.workerDataset;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0)
      throw new RangeError(`DataLoader: batchSize should be a positive integer, got ${this.batchSize}`);
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0)
      throw new RangeError(`DataLoader: numWorkers should be a non-negative integer, got ${this.numWorkers}`);
    if (!Number.isInteger(this.prefetchFactor) || this.prefetchFactor <= 0)
      throw new RangeError(`DataLoader: prefetchFactor should be a positive integer, got ${this.prefetchFactor}`);
    if (!isMapDataset(dataset)) {
      if (o.shuffle)
        throw new TypeError(
          'DataLoader: an IterableDataset has no indices to shuffle (expected shuffle unset or false)',
        );
      if (o.sampler || o.batchSampler)
        throw new TypeError('DataLoader: an IterableDataset takes no sampler or batchSampler');
      if (this.numWorkers > 0)
        throw new TypeError(
          'DataLoader: worker threads load map-style datasets only (each worker would replay the whole stream)',
        );
      return;
    }
    if (o.batchSampler) {
      if (o.batchSize !== undefined || o.shuffle || o.sampler || o.dropLast)
        throw new TypeError(
          'DataLoader: batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast',
        );
      this.batchSampler = o.batchSampler;
    } else {
      if (o.sampler && o.shuffle) throw new TypeError('DataLoader: sampler option is mutually exclusive with shuffle');
      this.sampler =
        o.sampler ??
        (o.shuffle
          ? new RandomSampler(dataset.length, { generator: this.generator })
          : new SequentialSampler(dataset.length));
      this.batchSampler = new BatchSampler(this.sampler, this.batchSize, this.dropLast);
    }
    if (this.numWorkers > 0 && !this.workerDataset) {
      throw new TypeError(
        'DataLoader: numWorkers > 0 needs workerDataset: { module, export, args }, a module that builds this dataset ' +
        'in each worker (JavaScript objects cannot be sent to threads)',
      );
    }
  }

  /** Batches per epoch (PyTorch's len(loader)); undefined for an iterable dataset or a sampler without length. */
  get length(): number | undefined {
    return this.batchSampler?.length;
  }

  /** Yields the batches of one epoch. */
  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    if (!isMapDataset(this.dataset)) {
      yield* this.iterateStream(this.dataset);
      return;
    }
    const ds = this.dataset;
    if (this.numWorkers === 0) {
      for (const indices of this.batchSampler!)
        yield this.collate(await Promise.all(indices.map((i) => ds.getItem(i))));
      return;
    }
    const pool = this.startWorkers();
    const it = this.batchSampler![Symbol.iterator]();
    const queue: Promise<unknown[]>[] = [];
    let k = 0;
    const limit = this.prefetchFactor * this.numWorkers;
    const fill = (): void => {
      while (queue.length < limit) {
        const next = it.next();
        if (next.done) return;
        const p = pool.request(next.value, { worker: k++ % this.numWorkers });
        p.catch(() => undefined); // surfaced when awaited
        queue.push(p);
        this.inFlightNow++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlightNow);
      }
    };
    fill();
    try {
      while (queue.length) {
        const items = await queue.shift()!;
        this.inFlightNow--;
        fill();
        yield this.collate(items as T[]);
      }
    } finally {
      // an early exit (break, error) drops what is still in flight when it arrives
      this.inFlightNow -= queue.length;
    }
  }

  private async *iterateStream(ds: IterableDataset<T>): AsyncGenerator<B> {
    let batch: T[] = [];
    const src: AsyncIterable<T> | Iterable<T> = ds[Symbol.asyncIterator]
      ? (ds as AsyncIterable<T>)
      : (ds as Iterable<T>);
    if (!ds[Symbol.asyncIterator] && !ds[Symbol.iterator])
      throw new TypeError('DataLoader: the dataset is neither map-style (length, getItem) nor iterable');
    for await (const item of src) {
      batch.push(item);
      if (batch.length === this.batchSize) {
        yield this.collate(batch);
        batch = [];
      }
    }
    if (batch.length && !this.dropLast) yield this.collate(batch);
  }

  private startWorkers(): WorkerPool<number[], unknown[]> {
    if (this.pool) return this.pool;
    const wd = this.workerDataset!;
    const m =
      wd.module instanceof URL
        ? wd.module.href
        : /^[a-z]+:/i.test(wd.module)
          ? wd.module
          : pathToFileURL(isAbsolute(wd.module) ? wd.module : resolve(wd.module)).href;
    // Worker seeds must not consume the shuffle generator: that would make threaded epochs differ from in-thread ones.
    const base = this.workerSeedBase++;
    const numWorkers = this.numWorkers;
    this.pool = new WorkerPool<number[], unknown[]>(new URL('./worker.js', import.meta.url), {
      size: numWorkers,
      label: (id) => `DataLoader worker ${id}`,
      workerData: (id) => ({
        module: m,
        export: wd.export ?? 'default',
        args: wd.args ?? [],
        id,
        numWorkers,
        seed: deriveSeed(base, id),
      }),
    });
    return this.pool;
  }

  /** Stops the worker threads (a later epoch starts new ones). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close('DataLoader closed');
  }
  /** Stops the worker threads, as {@link DataLoader.close} (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
