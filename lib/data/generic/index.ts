// torch.utils.data for JavaScript: datasets, samplers, default collation and the DataLoader.
export * from './dataset.js';
export * from './sampler.js';
export * from './collate.js';
export * from './dataloader.js';
export { getWorkerInfo, type WorkerInfo } from './worker-info.js';
