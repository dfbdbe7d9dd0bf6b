/** Worker thread of the BatchLoader: builds batches (./dataset.ts) and hands them back as transferred ArrayBuffers. */
import { workerData } from 'node:worker_threads';
import { serveRequests } from '../../data/worker-serve.js';
import { buildBatch } from './dataset.js';
import type { Batch, BatchJob, BatchSource, CaseVolume } from './dataset.js';

interface Init {
  dataDir: string;
  patch: [number, number, number];
  clip?: [number, number];
  cache?: boolean;
}
const init = workerData as Init;
const src: BatchSource = {
  dataDir: init.dataDir,
  patch: init.patch,
  clip: init.clip,
  cache: init.cache ? new Map<string, CaseVolume>() : undefined,
};

serveRequests(
  (job: BatchJob): Batch => buildBatch(job, src),
  (b) => [b.imageL.buffer, b.labelL.buffer, b.imageU.buffer, b.labelU.buffer] as ArrayBuffer[],
);
