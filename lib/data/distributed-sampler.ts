// PyTorch's torch.utils.data.distributed.DistributedSampler: each epoch's plan (shuffled from
// seed + epoch, the same on every rank) is padded by repeating its head to a multiple of the world
// size (or truncated with dropLast) and dealt round-robin, so the ranks get disjoint shards of equal
// length. The shuffle uses this project's Rng, so the permutation differs from torch.randperm's;
// without shuffling the shards equal PyTorch's index for index.
import { getRank, getWorldSize, isInitialized } from '../distributed/distributed-c10d.js';
import { deriveSeed, Rng } from './prng.js';

/**
 * torch.utils.data.distributed.DistributedSampler's options; the world size and rank default to the default process
 * group's.
 */
export interface DistributedSamplerOptions {
  /** Default: the default process group's world size. */
  numReplicas?: number;
  /** Default: the default process group's rank. */
  rank?: number;
  shuffle?: boolean;
  seed?: number;
  dropLast?: boolean;
}

/**
 * torch.utils.data.distributed.DistributedSampler: each rank's disjoint, equally long share of the dataset indices,
 * reshuffled per epoch (`setEpoch`) from seed + epoch.
 *
 * @example
 * const sampler = new DistributedSampler(dataset.length, { seed: 0 });
 * sampler.setEpoch(epoch);
 * const loader = new DataLoader(dataset, { sampler, batchSize: 8 });
 */
export class DistributedSampler implements Iterable<number> {
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** Indices this rank draws per epoch. */
  readonly numSamples: number;
  readonly totalSize: number;
  epoch = 0;

  constructor(
    readonly datasetLength: number,
    options: DistributedSamplerOptions = {},
  ) {
    if (!Number.isInteger(datasetLength) || datasetLength < 0)
      throw new RangeError(`DistributedSampler: dataset length must be a non-negative integer, got ${datasetLength}`);
    const fromGroup = (what: string): never => {
      throw new Error(`DistributedSampler: pass ${what} or initialize the default process group first`);
    };
    this.numReplicas = options.numReplicas ?? (isInitialized() ? getWorldSize() : fromGroup('numReplicas'));
    this.rank = options.rank ?? (isInitialized() ? getRank() : fromGroup('rank'));
    if (!Number.isInteger(this.numReplicas) || this.numReplicas < 1)
      throw new RangeError(`DistributedSampler: numReplicas must be a positive integer, got ${this.numReplicas}`);
    if (!Number.isInteger(this.rank) || this.rank < 0 || this.rank >= this.numReplicas) {
      throw new RangeError(
        `DistributedSampler: invalid rank ${this.rank}, rank should be in the interval [0, ${this.numReplicas - 1}]`,
      );
    }
    this.shuffle = options.shuffle ?? true;
    this.seed = options.seed ?? 0;
    this.dropLast = options.dropLast ?? false;
    this.numSamples =
      this.dropLast && datasetLength % this.numReplicas !== 0
        ? Math.ceil((datasetLength - this.numReplicas) / this.numReplicas)
        : Math.ceil(datasetLength / this.numReplicas);
    this.totalSize = this.numSamples * this.numReplicas;
  }

  /** Makes the next iteration use epoch `epoch`'s shuffle (call before each epoch, as in PyTorch). */
  setEpoch(epoch: number): void {
    this.epoch = epoch;
  }

  /** This rank's indices for the current epoch. */
  indices(): number[] {
    let order = [...Array(this.datasetLength).keys()];
    if (this.shuffle) order = new Rng(deriveSeed(this.seed, this.epoch)).shuffle(order);
    if (!this.dropLast) {
      const padding = this.totalSize - order.length;
      if (padding > 0 && order.length > 0) {
        const head = order.slice();
        while (order.length < this.totalSize) order.push(...head.slice(0, this.totalSize - order.length));
      }
    } else {
      order = order.slice(0, this.totalSize);
    }
    const mine: number[] = [];
    for (let i = this.rank; i < this.totalSize; i += this.numReplicas) mine.push(order[i]);
    return mine;
  }

  get length(): number {
    return this.numSamples;
  }

  /** Yields this rank's indices for the current epoch. */
  [Symbol.iterator](): Iterator<number> {
    return this.indices()[Symbol.iterator]();
  }
}

/**
 * The seed of a rank's own random stream for one epoch (masks, augmentation): distinct per rank and
 * epoch, reproducible from (seed, rank, epoch). Model initialization should use the plain seed instead,
 * so every rank starts from the same weights (DDP also broadcasts rank 0's).
 */
export function rankSeed(seed: number, rank: number, epoch: number): number {
  return deriveSeed(seed, 0x5eed, rank, epoch);
}
