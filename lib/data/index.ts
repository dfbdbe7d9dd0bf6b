// Datasets, transforms, the batch loader, splits, resizing and the seeded PRNG.
export * from './dataset.js';
export * from './loader.js';
export * from './splits.js';
export { resizeTrilinear, resizeNearest, linearTable, nearestTable } from './resize.js';
export * from './prng.js';
export { DistributedSampler, rankSeed, type DistributedSamplerOptions } from './distributed-sampler.js';
