// ExponentialLR: lr *= gamma every epoch (PyTorch's chainable form; closed form base * gamma^epoch for step(epoch)).
import { pyArgs, type PyArgs } from '../args.js';
import { groupsOf, groupValues, LRScheduler, type SchedulerOptimizer, type StateKey } from './lr-scheduler.js';

/** ExponentialLR's arguments (Python: `gamma`, `last_epoch=-1`). */
export interface ExponentialLROptions {
  gamma: number;
  lastEpoch?: number;
}
const ARGS = ['gamma', 'lastEpoch'] as const;

/**
 * Decays each group's lr by `gamma` every epoch (PyTorch's `ExponentialLR`).
 *
 * Args:
 *   optimizer: the optimizer.
 *   gamma: the factor per epoch (positional or `{ gamma }`).
 *   lastEpoch: the last epoch's index when resuming (default -1).
 *
 * Example:
 *   const sched = new optim.lrScheduler.ExponentialLR(opt, 0.95);
 */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: SchedulerOptimizer, ...args: PyArgs<ExponentialLROptions, typeof ARGS>) {
    const o = pyArgs<Required<ExponentialLROptions>>('ExponentialLR', ARGS, args, { lastEpoch: -1 });
    super(optimizer, o.lastEpoch);
    this.gamma = o.gamma;
    this.initialStep();
  }

  override getLr(): number[] {
    if (this.isInitial) return groupValues(this.optimizer, 'lr');
    return groupsOf(this.optimizer).map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }

  protected override stateKeys(): readonly StateKey[] {
    return [['gamma', 'gamma'], ...super.stateKeys()];
  }
}
