/**
 * Preprocessing at dataset scale: worker threads over cases. Each worker holds one case at a time, so at
 * most `workers` raw volumes are in memory; results are folded in case order, so the summary and the
 * files equal the sequential run's (preprocessDataset). Resumable and atomic as the sequential run:
 * every case goes through runCase, which skips finished outputs and writes through writeFileAtomic.
 */
import { availableParallelism } from 'node:os';
import { WorkerPool } from '../data/worker-pool.js';
import { formatSummary, planDataset, preprocessDataset, summarizeCases } from './preprocess.js';
import { ProgressBar } from './progress.js';
import type { CaseSummary, PreprocessOptions, PreprocessSummary, RawCase } from './preprocess.js';
import type { DatasetName } from './classes.js';

/** One case for a preprocessing worker. */
export interface PreprocessJob {
  c: RawCase;
  dataset: DatasetName;
  outDir: string;
  size: number[];
}

/** preprocessDatasetParallel's options: preprocessDataset's and the number of worker threads. */
export interface ParallelPreprocessOptions extends PreprocessOptions {
  /** Worker threads (default: the available cores); 1 runs in this thread. */
  workers?: number;
}

/** Preprocesses every raw case with a pool of worker threads; resolves to the same summary as preprocessDataset. */
export async function preprocessDatasetParallel(opts: ParallelPreprocessOptions): Promise<PreprocessSummary> {
  const workers = opts.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1)
    throw new Error(`preprocess: workers must be a positive integer, got ${workers}`);
  if (workers === 1) return preprocessDataset(opts);
  const { dataset, outDir, onProgress, quiet = false } = opts;
  const { cases, size } = planDataset(opts);
  const n = Math.min(workers, cases.length);
  const bar = quiet
    ? undefined
    : new ProgressBar(cases.length, { title: `preprocess ${dataset} (${n} workers)`, intervalMs: 0 });
  const results: CaseSummary[] = new Array(cases.length);
  const pool = new WorkerPool<PreprocessJob, CaseSummary>(new URL('./preprocess-worker.js', import.meta.url), {
    size: n,
    label: (i) => `preprocess worker ${i}`,
  });
  let next = 0,
    finished = 0;
  // n lanes, one case in flight each: a lane's next case goes to the worker that just finished.
  const lane = async (): Promise<void> => {
    while (next < cases.length) {
      const index = next++;
      const r = await pool.request({ c: cases[index]!, dataset, outDir, size });
      results[index] = r;
      finished++;
      bar?.update(finished, `${r.id} ${r.status}`);
      onProgress?.({ done: finished, total: cases.length, id: r.id, status: r.status });
    }
  };
  try {
    await Promise.all(Array.from({ length: n }, lane));
  } finally {
    await pool.close();
  }
  const summary = summarizeCases(dataset, outDir, results);
  if (!quiet) console.log(formatSummary(summary));
  return summary;
}
