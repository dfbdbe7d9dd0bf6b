/**
 * Where a training process stands among the ranks of a run, behind one interface: one process (every collective is
 * the identity) or data parallel (a default process group of several ranks, started by
 * `npm run train -- --nproc-per-node N`; see lib/distributed/launch.ts). The training loop asks this context and
 * never branches on the distributed handle itself.
 */
import * as torch from '../../torch/index.js';
import type { ProcessGroup } from '../../distributed/process-group.js';
import { broadcastCoalesced, DistributedDataParallel } from '../../nn/parallel/distributed.js';
import { deriveSeed } from '../../data/prng.js';
import type { VNetDecoupleAttentionABC } from '../model.js';
import type { StepResult } from './step.js';

/** A step's loss parts, averaged over ranks, and whether any rank asked to stop. */
export interface AgreedStep {
  result: StepResult;
  stop: boolean;
}

/** The collectives and per-rank choices the training loop needs. */
export interface RankContext {
  readonly rank: number;
  readonly worldSize: number;
  /** Rank 0: the one that writes the log, validates and saves checkpoints. */
  readonly main: boolean;
  /** The model wrapped for gradient averaging (the step's forwards go through it); undefined in one process. */
  readonly net: DistributedDataParallel<VNetDecoupleAttentionABC> | undefined;
  /** The seed of this rank's batches (one process keeps the run's seed). */
  dataSeed(seed: number): number;
  /** The per-iteration seed of this rank's masks and dropout. */
  iterationSeed(seed: number, epoch: number, iteration: number): number;
  /** The step's loss parts as the mean over ranks, and a stop that any rank's request triggers. */
  agreeOnStep(result: StepResult, stopRequested: boolean): AgreedStep;
  /**
   * Whether to stop after this iteration: on ranks the value agreed in the step (all stop together); one process
   * asks `local()` again, so a request made while the iteration's events ran counts at once.
   */
  stopAfterIteration(agreed: boolean, local: () => boolean): boolean;
  /** Whether any rank says yes. */
  anyRank(flag: boolean): boolean;
  /** Rank 0's answer, on every rank (it alone validates, so it decides about early stopping). */
  rank0Decides(flag: boolean): boolean;
  /** Makes every rank's BatchNorm statistics rank 0's (the last forward updated each with its own batch). */
  syncBuffers(model: VNetDecoupleAttentionABC): void;
  /** An error of the step on this rank, restated so the user learns which rank saw what. */
  stepError(err: unknown): unknown;
  /** A line describing the ranks for the run's log; undefined in one process. */
  describe(batchSize: number, unlabeledBatchSize: number): string | undefined;
  /** Releases what the context holds (the gradient reducer). */
  close(): void;
}

/** One process: rank 0 of 1, every collective the identity. */
export class SingleProcess implements RankContext {
  readonly rank = 0;
  readonly worldSize = 1;
  readonly main = true;
  readonly net = undefined;
  dataSeed(seed: number): number {
    return seed;
  }
  iterationSeed(seed: number, epoch: number, iteration: number): number {
    return deriveSeed(seed, epoch, iteration, 0x5eed);
  }
  agreeOnStep(result: StepResult, stopRequested: boolean): AgreedStep {
    return { result, stop: stopRequested };
  }
  stopAfterIteration(_agreed: boolean, local: () => boolean): boolean {
    return local();
  }
  anyRank(flag: boolean): boolean {
    return flag;
  }
  rank0Decides(flag: boolean): boolean {
    return flag;
  }
  syncBuffers(): void {
    /* one copy of the statistics */
  }
  stepError(err: unknown): unknown {
    return err;
  }
  describe(): string | undefined {
    return undefined;
  }
  close(): void {
    /* nothing held */
  }
}

/** Data parallel over the default process group: every rank trains on its own batches, gradients are averaged. */
export class DataParallelRanks implements RankContext {
  readonly rank: number;
  readonly worldSize: number;
  readonly main: boolean;

  constructor(
    readonly group: ProcessGroup,
    readonly net: DistributedDataParallel<VNetDecoupleAttentionABC>,
  ) {
    this.rank = group.rank;
    this.worldSize = group.worldSize;
    this.main = group.rank === 0;
  }

  dataSeed(seed: number): number {
    return deriveSeed(seed, 0xd15, this.rank);
  }
  iterationSeed(seed: number, epoch: number, iteration: number): number {
    return deriveSeed(seed, epoch, iteration, 0x5eed, this.rank);
  }

  /** Sums `values` over ranks (float64). */
  private sum(values: number[]): number[] {
    return torch.tidy(() => {
      const t = torch.tensor(values, { dtype: 'float64' });
      this.group.allReduce(t);
      return t.toArray() as number[];
    });
  }

  agreeOnStep(r: StepResult, stopRequested: boolean): AgreedStep {
    const w = this.worldSize;
    const v = this.sum([
      r.loss,
      r.lossSup,
      r.lossU,
      r.terms.sup,
      r.terms.supAbc,
      r.terms.u,
      r.terms.uAbc,
      stopRequested ? 1 : 0,
    ]);
    const result = {
      loss: v[0]! / w,
      lossSup: v[1]! / w,
      lossU: v[2]! / w,
      terms: { sup: v[3]! / w, supAbc: v[4]! / w, u: v[5]! / w, uAbc: v[6]! / w },
    };
    return { result, stop: v[7]! > 0 };
  }

  stopAfterIteration(agreed: boolean): boolean {
    return agreed;
  }
  anyRank(flag: boolean): boolean {
    return this.sum([flag ? 1 : 0])[0]! > 0;
  }
  rank0Decides(flag: boolean): boolean {
    return torch.tidy(() => this.group.broadcast(torch.tensor([flag ? 1 : 0], { dtype: 'float64' }), 0).item()) > 0;
  }
  syncBuffers(model: VNetDecoupleAttentionABC): void {
    broadcastCoalesced(this.group, model.buffers(), 0);
  }

  stepError(err: unknown): Error {
    const msg = err instanceof Error ? err.message : String(err);
    return new Error(
      `rank ${this.rank}/${this.worldSize}: distributed training step failed (another rank died, stopped or timed ` +
      `out?): ${msg}`,
    );
  }

  describe(batchSize: number, unlabeledBatchSize: number): string {
    const w = this.worldSize;
    return `distributed: rank ${this.rank} of ${w}, global batch ${w * batchSize}+${w * unlabeledBatchSize}`;
  }

  close(): void {
    this.net.disposeReducer();
  }
}

/**
 * The context of this process: DataParallelRanks when a default process group of more than one rank exists (the
 * model is wrapped for gradient averaging), else SingleProcess.
 */
export function rankContext(model: VNetDecoupleAttentionABC): RankContext {
  const dist = torch.distributed;
  if (!dist.isAvailable() || !dist.isInitialized() || dist.getWorldSize() < 2) return new SingleProcess();
  const group = dist.getGroup('train');
  // token_learner.map_in never gets a gradient, and decoder_l / decoder_u each get one from only one of the
  // two forwards: the reducer searches both forwards' graphs and skips what neither reaches.
  // Buffers are not broadcast before each forward: the second forward's broadcast would rewrite the BatchNorm
  // statistics the first forward saved for backward (autograd's in-place check fails; PyTorch's DDP has the
  // same limit). Training-mode BatchNorm uses batch statistics; the loop syncs rank 0's at each epoch end.
  const net = new DistributedDataParallel(model, {
    findUnusedParameters: true,
    broadcastBuffers: false,
    processGroup: group,
  });
  return new DataParallelRanks(group, net);
}
