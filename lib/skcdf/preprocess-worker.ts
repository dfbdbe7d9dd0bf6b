/** Worker thread of the parallel preprocessing (preprocess-pool.ts): one case per message, results back as plain data. */
import { parentPort } from 'node:worker_threads';
import { runCase } from './preprocess.js';
import type { RawCase } from './preprocess.js';
import type { DatasetName } from './classes.js';

interface Job { index: number; c: RawCase; dataset: DatasetName; outDir: string; size: number[] }

parentPort!.on('message', (job: Job) => {
  try {
    parentPort!.postMessage({ index: job.index, result: runCase(job.c, job.dataset, job.outDir, job.size) });
  } catch (err) {
    parentPort!.postMessage({ index: job.index, error: (err as Error).message });
  }
});
