/**
 * Batch loader: epoch plans (dataset.ts) built in worker threads with a bounded prefetch queue, or in the
 * calling thread with `workers: 0`. Both give identical batches for the same seed: every batch depends only
 * on (seed, epoch, iteration).
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../data/worker-entry.js';
import { buildBatch, epochPlan } from './dataset.js';
import type { Shape3 } from '../../data/resize.js';
import type { Batch, BatchJob, BatchSource, CaseVolume } from './dataset.js';

export interface LoaderOptions {
  /** Folder with `<id>_image.npy` / `<id>_label.npy`. */
  dataDir: string;
  labeled: readonly string[];
  unlabeled: readonly string[];
  /** n labeled + n unlabeled per batch (default 2). */
  batchSize?: number;
  /** Patch [D, H, W] (default [64, 128, 128]). */
  patch?: Shape3;
  seed?: number;
  /** Worker threads (default 2); 0 builds batches synchronously in this thread. */
  workers?: number;
  /** Batches requested ahead (in flight or ready), default max(2, workers); bounds memory. */
  prefetch?: number;
  clip?: [number, number];
  /** Keep loaded cases in memory (per worker). Default false. */
  cache?: boolean;
}

interface Pending { resolve: (b: Batch) => void; reject: (e: Error) => void; worker: Worker }

export class BatchLoader {
  readonly batchSize: number;
  readonly patch: Shape3;
  readonly seed: number;
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly source: BatchSource;
  private nextId = 0;
  private closed = false;
  private readonly prefetch: number;

  constructor(private readonly opts: LoaderOptions) {
    this.batchSize = opts.batchSize ?? 2;
    this.patch = opts.patch ?? [64, 128, 128];
    this.seed = opts.seed ?? 0;
    const nw = opts.workers ?? 2;
    this.prefetch = Math.max(1, opts.prefetch ?? Math.max(2, nw));
    this.source = { dataDir: opts.dataDir, patch: this.patch, clip: opts.clip, cache: opts.cache ? new Map<string, CaseVolume>() : undefined };
    if (nw > 0) {
      for (let i = 0; i < nw; i++) {
        const w = startWorker(new URL('./worker.js', import.meta.url), {
          workerData: { dataDir: opts.dataDir, patch: this.patch, clip: opts.clip, cache: opts.cache ?? false },
        });
        w.on('message', (m: { id: number; batch?: Batch; error?: string }) => {
          const p = this.pending.get(m.id);
          if (!p) return;
          this.pending.delete(m.id);
          this.release(p.worker);
          if (m.error !== undefined) p.reject(new Error(m.error));
          else p.resolve(m.batch!);
        });
        w.on('error', (e) => this.failAll(e));
        w.on('exit', (code) => { if (!this.closed && code !== 0) this.failAll(new Error(`data worker exited with code ${code}`)); });
        w.unref(); // referenced only while it owes a batch, so an idle loader never keeps the process alive
        this.workers.push(w);
        this.owed.set(w, 0);
      }
    }
  }

  private readonly owed = new Map<Worker, number>();

  private release(w: Worker): void {
    const k = (this.owed.get(w) ?? 1) - 1;
    this.owed.set(w, k);
    if (k === 0) w.unref();
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) {
      this.release(p.worker);
      p.reject(e);
    }
    this.pending.clear();
  }

  /** The jobs of an epoch (deterministic in (seed, epoch)). */
  plan(epoch: number): BatchJob[] {
    return epochPlan({ labeled: this.opts.labeled, unlabeled: this.opts.unlabeled, batchSize: this.batchSize, seed: this.seed, epoch });
  }

  /** Iterations per epoch: floor(#unlabeled / n). */
  get iterations(): number {
    return Math.floor(this.opts.unlabeled.length / this.batchSize);
  }

  private submit(job: BatchJob): Promise<Batch> {
    if (this.workers.length === 0) {
      try {
        return Promise.resolve(buildBatch(job, this.source));
      } catch (e) {
        return Promise.reject(e as Error);
      }
    }
    const id = this.nextId++;
    const w = this.workers[job.iteration % this.workers.length]!;
    return new Promise<Batch>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: w });
      if ((this.owed.get(w) ?? 0) === 0) w.ref();
      this.owed.set(w, (this.owed.get(w) ?? 0) + 1);
      w.postMessage({ id, job });
    });
  }

  /**
   * Batches of one epoch, in order; at most `prefetch` are requested ahead. `start` skips the first
   * iterations without building them (resuming mid-epoch gives the batches an uninterrupted run gets).
   */
  async *epoch(epoch: number, start = 0): AsyncGenerator<Batch, void, undefined> {
    if (this.closed) throw new Error('BatchLoader is closed');
    const jobs = this.plan(epoch).slice(start);
    if (this.workers.length === 0) {
      for (const j of jobs) yield buildBatch(j, this.source);
      return;
    }
    const queue: Promise<Batch>[] = [];
    let next = 0;
    const fill = () => {
      while (next < jobs.length && queue.length < this.prefetch) {
        const p = this.submit(jobs[next++]!);
        p.catch(() => undefined); // surfaced when awaited
        queue.push(p);
      }
    };
    // On early exit (break/return), batches still in flight are dropped when they arrive.
    fill();
    while (queue.length > 0) {
      const b = await queue.shift()!;
      fill();
      yield b;
    }
  }

  /** Terminates the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new Error('BatchLoader closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Convenience: `new BatchLoader(opts)`. */
export function createLoader(opts: LoaderOptions): BatchLoader {
  return new BatchLoader(opts);
}
