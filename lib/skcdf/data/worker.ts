/** Worker thread: builds batches (lib/data/dataset.ts) and hands them back as transferred ArrayBuffers. */
import { parentPort, workerData } from 'node:worker_threads';
import { buildBatch } from './dataset.js';
import type { BatchJob, BatchSource, CaseVolume } from './dataset.js';

interface Init { dataDir: string; patch: [number, number, number]; clip?: [number, number]; cache?: boolean }
const init = workerData as Init;
const src: BatchSource = { dataDir: init.dataDir, patch: init.patch, clip: init.clip, cache: init.cache ? new Map<string, CaseVolume>() : undefined };

parentPort!.on('message', (msg: { id: number; job: BatchJob }) => {
  try {
    const b = buildBatch(msg.job, src);
    parentPort!.postMessage({ id: msg.id, batch: b }, [b.imageL.buffer, b.labelL.buffer, b.imageU.buffer, b.labelU.buffer] as ArrayBuffer[]);
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: (err as Error).message });
  }
});
