// The `torch.distributed` namespace: process groups on libtorch's c10d (Gloo) and the collectives,
// each in a sync and an async (Promise) form. The sampler for data-parallel training is
// data.DistributedSampler; the DDP wrapper is nn.parallel.DistributedDataParallel.
export * from './distributed-c10d.js';
export { ProcessGroup, type Backend, type ReduceOp } from './process-group.js';
