// torch.utils.data for JavaScript: datasets, samplers, default collation, the DataLoader (with worker threads),
// the distributed sampler, the seeded PRNG, and 3-D resizing of typed-array volumes.
export * from './dataset.js';
export * from './sampler.js';
export * from './collate.js';
export * from './dataloader.js';
export { getWorkerInfo, type WorkerInfo } from './worker-info.js';
export { workerEntry, startWorker, type WorkerEntry } from './worker-entry.js';
export { resizeTrilinear, resizeNearest, linearTable, nearestTable, type Shape3, type NumericArray } from './resize.js';
export * from './prng.js';
export { DistributedSampler, rankSeed, type DistributedSamplerOptions } from './distributed-sampler.js';
