// The parts of lib/data that do not load the tensor library, for dataset modules that DataLoader worker
// threads import (libtorch can be loaded by one thread of a process only). Package path: 'skcdf/data/worker-safe'.
export * from './generic/dataset.js';
export * from './generic/sampler.js';
export { getWorkerInfo, type WorkerInfo } from './generic/worker-info.js';
export * from './prng.js';
