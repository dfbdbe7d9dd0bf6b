/**
 * A pool of worker threads that answer requests, the one pool behind DataLoader's workers and any other work
 * handed to threads. Each request gets an id; a worker module answers through `serveRequests`
 * (./worker-serve.ts) with the result or the error. A worker is referenced only while it owes answers, so an
 * idle pool never keeps the process alive; a worker that fails or exits rejects every request in flight.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from './worker-entry.js';
import type { WorkerReply } from './worker-serve.js';

/** How a WorkerPool starts its threads. */
export interface WorkerPoolOptions {
  /** Number of threads (a positive integer). */
  size: number;
  /** Names worker i in errors, e.g. `DataLoader worker ${i}` (default `worker ${i}`). */
  label?: (index: number) => string;
  /** The `workerData` of worker i (structured-cloneable). */
  workerData?: (index: number) => unknown;
}

/** Where a request goes and what it transfers. */
export interface RequestOptions {
  /** The worker that answers (default: the one owing the fewest answers, lowest index first). */
  worker?: number;
  /** ArrayBuffers moved to the worker instead of copied. */
  transfer?: ArrayBuffer[];
}

interface Pending<Res> {
  resolve: (r: Res) => void;
  reject: (e: Error) => void;
  worker: number;
}

/**
 * Worker threads running `module` (a `.js` URL next to the caller; see workerEntry for running from sources).
 * `Req` is what a request posts, `Res` what the worker's handler returns.
 *
 * @example
 * const pool = new WorkerPool<number[], string[]>(new URL('./my-worker.js', import.meta.url), { size: 2 });
 * const items = await pool.request([0, 1, 2]);
 * await pool.close();
 */
export class WorkerPool<Req, Res> {
  private readonly workers: Worker[] = [];
  private readonly owed: number[] = [];
  private readonly pending = new Map<number, Pending<Res>>();
  private readonly label: (index: number) => string;
  private nextId = 0;
  private closed = false;

  constructor(
    readonly module: URL,
    options: WorkerPoolOptions,
  ) {
    const { size } = options;
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`WorkerPool: size must be a positive integer, got ${size}`);
    this.label = options.label ?? ((i) => `worker ${i}`);
    for (let i = 0; i < size; i++) this.workers.push(this.start(i, options.workerData?.(i)));
  }

  /** Number of threads. */
  get size(): number {
    return this.workers.length;
  }

  private start(i: number, workerData: unknown): Worker {
    const w = startWorker(this.module, { workerData });
    w.on('message', (m: WorkerReply<Res>) => this.answer(m));
    w.on('error', (e) => this.failAll(new Error(`${this.label(i)} failed: ${e.message}`)));
    w.on('exit', (code) => {
      if (!this.closed && code !== 0) this.failAll(new Error(`${this.label(i)} exited with code ${code}`));
    });
    w.unref(); // referenced only while it owes answers
    this.owed.push(0);
    return w;
  }

  private answer(m: WorkerReply<Res>): void {
    const p = this.pending.get(m.id);
    if (!p) return; // dropped: the request was rejected when the pool failed or closed
    this.pending.delete(m.id);
    this.release(p.worker);
    if (m.error === undefined) {
      p.resolve(m.result as Res);
      return;
    }
    const e = new Error(`${this.label(p.worker)}: ${m.error}`);
    if (m.stack) e.stack = `${e.message}\n(worker stack)\n${m.stack}`;
    p.reject(e);
  }

  private release(i: number): void {
    this.owed[i] = Math.max(0, this.owed[i]! - 1);
    if (this.owed[i] === 0) this.workers[i]?.unref();
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) {
      this.release(p.worker);
      p.reject(e);
    }
    this.pending.clear();
  }

  /** Sends one request; resolves to the worker's answer, rejects with its error (prefixed by the worker's label). */
  request(message: Req, options: RequestOptions = {}): Promise<Res> {
    if (this.closed) return Promise.reject(new Error('WorkerPool: the pool is closed'));
    const i = options.worker ?? this.owed.indexOf(Math.min(...this.owed));
    const w = this.workers[i];
    if (!w) return Promise.reject(new RangeError(`WorkerPool: no worker ${i} in a pool of ${this.workers.length}`));
    const id = this.nextId++;
    return new Promise<Res>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: i });
      if (this.owed[i] === 0) w.ref();
      this.owed[i]!++;
      w.postMessage({ id, request: message }, options.transfer ?? []);
    });
  }

  /** Terminates the threads; requests still in flight reject with `reason`. */
  async close(reason = 'WorkerPool closed'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new Error(reason));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
