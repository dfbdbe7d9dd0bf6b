// nn.parallel: data-parallel training across processes.
export { DistributedDataParallel, broadcastCoalesced, type DistributedDataParallelOptions } from './distributed.js';
