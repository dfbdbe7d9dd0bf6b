/**
 * Preprocessing at dataset scale: worker threads over cases. Each worker holds one case at a time, so at
 * most `workers` raw volumes are in memory; results are folded in case order, so the summary and the
 * files equal the sequential run's (preprocessDataset). Resumable and atomic as the sequential run:
 * every case goes through runCase, which skips finished outputs and writes through writeFileAtomic.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../data/worker-entry.js';
import { formatSummary, planDataset, preprocessDataset, ProgressBar, summarizeCases } from './preprocess.js';
import type { CaseSummary, PreprocessOptions, PreprocessSummary } from './preprocess.js';

export interface ParallelPreprocessOptions extends PreprocessOptions {
  /** Worker threads (default: the available cores); 1 runs in this thread. */
  workers?: number;
}

/** Preprocesses every raw case with a pool of worker threads; resolves to the same summary as preprocessDataset. */
export async function preprocessDatasetParallel(opts: ParallelPreprocessOptions): Promise<PreprocessSummary> {
  const workers = opts.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`preprocess: workers must be a positive integer, got ${workers}`);
  if (workers === 1) return preprocessDataset(opts);
  const { dataset, outDir, onProgress, quiet = false } = opts;
  const { cases, size } = planDataset(opts);
  const n = Math.min(workers, cases.length);
  const bar = quiet ? undefined : new ProgressBar(cases.length, `preprocess ${dataset} (${n} workers)`);
  const results: CaseSummary[] = new Array(cases.length);
  const pool: Worker[] = [];
  let next = 0, finished = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (e: Error): void => { if (!failed) { failed = true; reject(e); } };
      const feed = (w: Worker): void => {
        if (next >= cases.length) return;
        const index = next++;
        w.postMessage({ index, c: cases[index], dataset, outDir, size });
      };
      for (let i = 0; i < n; i++) {
        const w = startWorker(new URL('./preprocess-worker.js', import.meta.url));
        w.on('message', (m: { index: number; result?: CaseSummary; error?: string }) => {
          if (failed) return;
          if (m.error !== undefined) { fail(new Error(m.error)); return; }
          results[m.index] = m.result!;
          finished++;
          bar?.update(finished, `${m.result!.id} ${m.result!.status}`);
          onProgress?.({ done: finished, total: cases.length, id: m.result!.id, status: m.result!.status });
          if (finished === cases.length) resolve();
          else feed(w);
        });
        w.on('error', (e) => fail(new Error(`preprocess worker: ${e.message}`)));
        w.on('exit', (code) => { if (code !== 0) fail(new Error(`preprocess worker exited with code ${code}`)); });
        pool.push(w);
        feed(w);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  const summary = summarizeCases(dataset, outDir, results);
  if (!quiet) console.log(formatSummary(summary));
  return summary;
}
