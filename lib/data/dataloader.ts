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
import type { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { deriveSeed, Rng } from './prng.js';
import { startWorker } from './worker-entry.js';
import { defaultCollate, type Collated } from './collate.js';
import { isMapDataset, toRng, type Dataset, type GeneratorLike, type IterableDataset } from './dataset.js';
import { BatchSampler, RandomSampler, SequentialSampler, type Sampler } from './sampler.js';

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
export interface DataLoaderOptions<T, B> {
  /** Items per batch, default 1. */ batchSize?: number;
  /** A new random order every epoch (map-style only). Default false. */ shuffle?: boolean;
  /** Custom index order (excludes shuffle). */ sampler?: Sampler;
  /** Custom index lists (excludes batchSize, shuffle, sampler, dropLast). */ batchSampler?: Iterable<number[]> & { length?: number };
  /** Drop the last incomplete batch. Default false. */ dropLast?: boolean;
  /** Items -> batch; default defaultCollate. Runs in the main thread. */ collateFn?: (items: T[]) => B;
  /** Seed or Rng for shuffling (default: a random seed). */ generator?: GeneratorLike;
  /** Worker threads (default 0: load in this thread). */ numWorkers?: number;
  /** How each worker builds the dataset; required with numWorkers > 0. */ workerDataset?: WorkerDataset;
  /** Batches requested ahead per worker, default 2. */ prefetchFactor?: number;
}

interface Pending { resolve: (items: unknown[]) => void; reject: (e: Error) => void; worker: Worker }

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
  private workers: Worker[] = [];
  private readonly owed = new Map<Worker, number>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;
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
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) throw new RangeError(`DataLoader: batchSize should be a positive integer, got ${this.batchSize}`);
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0) throw new RangeError(`DataLoader: numWorkers should be a non-negative integer, got ${this.numWorkers}`);
    if (!Number.isInteger(this.prefetchFactor) || this.prefetchFactor <= 0) throw new RangeError(`DataLoader: prefetchFactor should be a positive integer, got ${this.prefetchFactor}`);
    if (!isMapDataset(dataset)) {
      if (o.shuffle) throw new TypeError('DataLoader: an IterableDataset has no indices to shuffle (expected shuffle unset or false)');
      if (o.sampler || o.batchSampler) throw new TypeError('DataLoader: an IterableDataset takes no sampler or batchSampler');
      if (this.numWorkers > 0) throw new TypeError('DataLoader: worker threads load map-style datasets only (each worker would replay the whole stream)');
      return;
    }
    if (o.batchSampler) {
      if (o.batchSize !== undefined || o.shuffle || o.sampler || o.dropLast) throw new TypeError('DataLoader: batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast');
      this.batchSampler = o.batchSampler;
    } else {
      if (o.sampler && o.shuffle) throw new TypeError('DataLoader: sampler option is mutually exclusive with shuffle');
      this.sampler = o.sampler ?? (o.shuffle ? new RandomSampler(dataset.length, { generator: this.generator }) : new SequentialSampler(dataset.length));
      this.batchSampler = new BatchSampler(this.sampler, this.batchSize, this.dropLast);
    }
    if (this.numWorkers > 0 && !this.workerDataset) {
      throw new TypeError('DataLoader: numWorkers > 0 needs workerDataset: { module, export, args }, a module that builds this dataset in each worker (JavaScript objects cannot be sent to threads)');
    }
  }

  /** Batches per epoch (PyTorch's len(loader)); undefined for an iterable dataset or a sampler without length. */
  get length(): number | undefined {
    return this.batchSampler?.length;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    if (this.closed) throw new Error('DataLoader is closed');
    if (!isMapDataset(this.dataset)) { yield* this.iterateStream(this.dataset); return; }
    const ds = this.dataset;
    if (this.numWorkers === 0) {
      for (const indices of this.batchSampler!) yield this.collate(await Promise.all(indices.map((i) => ds.getItem(i))));
      return;
    }
    this.startWorkers();
    const it = this.batchSampler![Symbol.iterator]();
    const queue: Promise<unknown[]>[] = [];
    let k = 0;
    const limit = this.prefetchFactor * this.numWorkers;
    const fill = (): void => {
      while (queue.length < limit) {
        const next = it.next();
        if (next.done) return;
        const p = this.request(this.workers[k++ % this.workers.length]!, next.value);
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
    const src: AsyncIterable<T> | Iterable<T> = ds[Symbol.asyncIterator] ? (ds as AsyncIterable<T>) : (ds as Iterable<T>);
    if (!ds[Symbol.asyncIterator] && !ds[Symbol.iterator]) throw new TypeError('DataLoader: the dataset is neither map-style (length, getItem) nor iterable');
    for await (const item of src) {
      batch.push(item);
      if (batch.length === this.batchSize) { yield this.collate(batch); batch = []; }
    }
    if (batch.length && !this.dropLast) yield this.collate(batch);
  }

  private startWorkers(): void {
    if (this.workers.length) return;
    const wd = this.workerDataset!;
    const m = wd.module instanceof URL ? wd.module.href : /^[a-z]+:/i.test(wd.module) ? wd.module : pathToFileURL(isAbsolute(wd.module) ? wd.module : resolve(wd.module)).href;
    // Worker seeds must not consume the shuffle generator: that would make threaded epochs differ from in-thread ones.
    const base = this.workerSeedBase++;
    for (let id = 0; id < this.numWorkers; id++) {
      const w = startWorker(new URL('./worker.js', import.meta.url), {
        workerData: { module: m, export: wd.export ?? 'default', args: wd.args ?? [], id, numWorkers: this.numWorkers, seed: deriveSeed(base, id) },
      });
      w.on('message', (msg: { id: number; items?: unknown[]; error?: string; stack?: string }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        this.release(p.worker);
        if (msg.error !== undefined) {
          const e = new Error(`DataLoader worker ${id}: ${msg.error}`);
          if (msg.stack) e.stack = `${e.message}\n(worker stack)\n${msg.stack}`;
          p.reject(e);
        } else p.resolve(msg.items!);
      });
      w.on('error', (e) => this.failAll(new Error(`DataLoader worker ${id} failed: ${e.message}`)));
      w.on('exit', (code) => { if (!this.closed && code !== 0) this.failAll(new Error(`DataLoader worker ${id} exited with code ${code}`)); });
      w.unref(); // referenced only while it owes items, so an idle loader never keeps the process alive
      this.owed.set(w, 0);
      this.workers.push(w);
    }
  }

  private request(w: Worker, indices: number[]): Promise<unknown[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: w });
      if ((this.owed.get(w) ?? 0) === 0) w.ref();
      this.owed.set(w, (this.owed.get(w) ?? 0) + 1);
      w.postMessage({ id, indices });
    });
  }
  private release(w: Worker): void {
    const k = (this.owed.get(w) ?? 1) - 1;
    this.owed.set(w, k);
    if (k === 0) w.unref();
  }
  private failAll(e: Error): void {
    for (const p of this.pending.values()) { this.release(p.worker); p.reject(e); }
    this.pending.clear();
  }

  /** Stops the worker threads (a later epoch starts new ones). */
  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    this.failAll(new Error('DataLoader closed'));
    this.closed = true;
    await Promise.all(ws.map((w) => w.terminate()));
    this.closed = false;
  }
  async [Symbol.asyncDispose](): Promise<void> { await this.close(); }
}
