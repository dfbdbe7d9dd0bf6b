// The parts of lib/data that do not load the tensor library, for dataset modules that DataLoader worker
// threads import (libtorch can be loaded by one thread of a process only). Package export: `data/worker-safe`.
export * from './dataset.js';
export * from './sampler.js';
export { getWorkerInfo, type WorkerInfo } from './worker-info.js';
export * from './prng.js';
