/**
 * Batch loader: epoch plans (dataset.ts) built in worker threads with a bounded prefetch queue, or in the
 * calling thread with `workers: 0`. Both give identical batches for the same seed: every batch depends only
 * on (seed, epoch, iteration).
 */
import { WorkerPool } from '../../data/worker-pool.js';
import { PAPER_PATCH } from '../training/config.js';
import { buildBatch, epochPlan } from './dataset.js';
import type { Shape3 } from '../../data/resize.js';
import type { Batch, BatchJob, BatchSource, CaseVolume } from './dataset.js';

/** Options of the BatchLoader: data, ids, batch size, patch, seed, worker threads, prefetch, clip, cache. */
export interface LoaderOptions {
  /** Folder with `<id>_image.npy` / `<id>_label.npy`. */
  dataDir: string;
  labeled: readonly string[];
  unlabeled: readonly string[];
  /** n labeled + n unlabeled per batch (default 2). */
  batchSize?: number;
  /** Patch [D, H, W] (default: PAPER_PATCH, 64x128x128). */
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

/** SKCDF's labeled + unlabeled batches for training, built in worker threads or in the calling thread. */
export class BatchLoader {
  readonly batchSize: number;
  readonly patch: Shape3;
  readonly seed: number;
  private readonly pool: WorkerPool<BatchJob, Batch> | undefined;
  private readonly source: BatchSource;
  private closed = false;
  private readonly prefetch: number;

  constructor(private readonly opts: LoaderOptions) {
    this.batchSize = opts.batchSize ?? 2;
    this.patch = opts.patch ?? [...PAPER_PATCH];
    this.seed = opts.seed ?? 0;
    const nw = opts.workers ?? 2;
    this.prefetch = Math.max(1, opts.prefetch ?? Math.max(2, nw));
    this.source = {
      dataDir: opts.dataDir,
      patch: this.patch,
      clip: opts.clip,
      cache: opts.cache ? new Map<string, CaseVolume>() : undefined,
    };
    if (nw > 0) {
      const workerData = { dataDir: opts.dataDir, patch: this.patch, clip: opts.clip, cache: opts.cache ?? false };
      this.pool = new WorkerPool(new URL('./worker.js', import.meta.url), {
        size: nw,
        label: (i) => `data worker ${i}`,
        workerData: () => workerData,
      });
    }
  }

  /** The jobs of an epoch (deterministic in (seed, epoch)). */
  plan(epoch: number): BatchJob[] {
    return epochPlan({
      labeled: this.opts.labeled,
      unlabeled: this.opts.unlabeled,
      batchSize: this.batchSize,
      seed: this.seed,
      epoch,
    });
  }

  /** Iterations per epoch: floor(#unlabeled / n). */
  get iterations(): number {
    return Math.floor(this.opts.unlabeled.length / this.batchSize);
  }

  /**
   * Batches of one epoch, in order; at most `prefetch` are requested ahead. `start` skips the first
   * iterations without building them (resuming mid-epoch gives the batches an uninterrupted run gets).
   */
  async *epoch(epoch: number, start = 0): AsyncGenerator<Batch, void, undefined> {
    if (this.closed) throw new Error('BatchLoader is closed');
    const jobs = this.plan(epoch).slice(start);
    const pool = this.pool;
    if (!pool) {
      for (const j of jobs) yield buildBatch(j, this.source);
      return;
    }
    const queue: Promise<Batch>[] = [];
    let next = 0;
    const fill = () => {
      while (next < jobs.length && queue.length < this.prefetch) {
        const job = jobs[next++]!;
        const p = pool.request(job, { worker: job.iteration % pool.size });
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
    await this.pool?.close('BatchLoader closed');
  }

  /** Terminates the workers, as {@link BatchLoader.close} (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Convenience: `new BatchLoader(opts)`. */
export function createLoader(opts: LoaderOptions): BatchLoader {
  return new BatchLoader(opts);
}
