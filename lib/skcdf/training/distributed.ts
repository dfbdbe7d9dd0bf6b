// Data-parallel SKCDF: what the training loop needs from torch.distributed when it runs on several
// ranks (started by `npm run train -- --nproc-per-node N`, see lib/distributed/launch.ts).
import * as torch from '../../torch/index.js';
import type { ProcessGroup } from '../../distributed/process-group.js';
import { broadcastCoalesced, DistributedDataParallel } from '../../nn/parallel/distributed.js';
import { deriveSeed } from '../../data/prng.js';
import type { VNetDecoupleAttentionABC } from '../model.js';

export interface TrainDistributed {
  rank: number;
  worldSize: number;
  group: ProcessGroup;
  /** The model wrapped for gradient averaging; the forwards of a step go through it. */
  net: DistributedDataParallel<VNetDecoupleAttentionABC>;
}

/** The distributed context when a default process group of more than one rank exists, else null. */
export function trainDistributed(model: VNetDecoupleAttentionABC): TrainDistributed | null {
  const dist = torch.distributed;
  if (!dist.isAvailable() || !dist.isInitialized() || dist.getWorldSize() < 2) return null;
  const group = dist.getGroup('train');
  // token_learner.map_in never gets a gradient, and decoder_l / decoder_u each get one from only one of the
  // two forwards: the reducer searches both forwards' graphs and skips what neither reaches.
  // Buffers are not broadcast before each forward: the second forward's broadcast would rewrite the BatchNorm
  // statistics the first forward saved for backward (autograd's in-place check fails; PyTorch's DDP has the
  // same limit). Training-mode BatchNorm uses batch statistics; the loop syncs rank 0's at each epoch end.
  const net = new DistributedDataParallel(model, { findUnusedParameters: true, broadcastBuffers: false, processGroup: group });
  return { rank: group.rank, worldSize: group.worldSize, group, net };
}

/** The data seed of a rank (rank 0 of a 1-rank run keeps the run's seed). */
export function rankDataSeed(seed: number, d: TrainDistributed | null): number {
  return d ? deriveSeed(seed, 0xd15, d.rank) : seed;
}

/** The per-iteration seed of the masks and dropout on this rank. */
export function iterationSeed(seed: number, epoch: number, iteration: number, d: TrainDistributed | null): number {
  return d ? deriveSeed(seed, epoch, iteration, 0x5eed, d.rank) : deriveSeed(seed, epoch, iteration, 0x5eed);
}

/** Sums `values` over ranks (float64): losses to average for the log, stop flags to agree on. */
export function sumOverRanks(d: TrainDistributed | null, values: number[]): number[] {
  if (!d) return values;
  return torch.tidy(() => {
    const t = torch.tensor(values, { dtype: 'float64' });
    d.group.allReduce(t);
    return t.toArray() as number[];
  });
}

/** Rank 0's value of a flag or number, on every rank. */
export function fromRank0(d: TrainDistributed | null, value: number): number {
  if (!d) return value;
  return torch.tidy(() => d.group.broadcast(torch.tensor([value], { dtype: 'float64' }), 0).item());
}

/** Makes every rank's BatchNorm statistics rank 0's (before validation and checkpoints). */
export function syncBuffers(d: TrainDistributed | null, model: VNetDecoupleAttentionABC): void {
  if (d) broadcastCoalesced(d.group, model.buffers(), 0);
}

/** A failure inside a collective on this rank, restated so the user learns which rank saw what. */
export function distributedError(d: TrainDistributed, err: unknown): Error {
  const msg = err instanceof Error ? err.message : String(err);
  return new Error(`rank ${d.rank}/${d.worldSize}: distributed training step failed (another rank died, stopped or timed out?): ${msg}`);
}
