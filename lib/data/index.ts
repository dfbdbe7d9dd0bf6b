// Datasets, transforms, the batch loader, splits, resizing, the seeded PRNG, and torch.utils.data-style
// Dataset / DataLoader (generic/).
export * from './dataset.js';
export * from './loader.js';
export * from './splits.js';
export { resizeTrilinear, resizeNearest, linearTable, nearestTable } from './resize.js';
export * from './prng.js';
export * from './generic/index.js';
export { DistributedSampler, rankSeed, type DistributedSamplerOptions } from './distributed-sampler.js';
