// ConstantLR and LinearLR: warm-up schedules that scale the lr by a factor for the first totalIters epochs
// (constant, or moving linearly from startFactor to endFactor), with PyTorch's chainable and closed forms.
import { pyArgs, type PyArgs } from '../args.js';
import { groupsOf, groupValues, LRScheduler, type SchedulerOptimizer, type StateKey } from './lr-scheduler.js';

/** ConstantLR's arguments (Python: `factor=1/3`, `total_iters=5`, `last_epoch=-1`). */
export interface ConstantLROptions {
  factor?: number;
  totalIters?: number;
  lastEpoch?: number;
}
const CONSTANT_ARGS = ['factor', 'totalIters', 'lastEpoch'] as const;

/**
 * Multiplies each group's lr by `factor` until epoch `totalIters`, then restores it (PyTorch's `ConstantLR`).
 *
 * Args:
 *   optimizer: the optimizer.
 *   factor: the factor, in [0, 1] (default 1/3).
 *   totalIters: the number of epochs at the reduced lr (default 5).
 *   lastEpoch: the last epoch's index when resuming (default -1).
 *
 * Example:
 *   const sched = new optim.lrScheduler.ConstantLR(opt, { factor: 0.5, totalIters: 4 }); // lr/2 for epochs 0-3
 */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;
  constructor(optimizer: SchedulerOptimizer, ...args: PyArgs<ConstantLROptions, typeof CONSTANT_ARGS>) {
    const o = pyArgs<Required<ConstantLROptions>>('ConstantLR', CONSTANT_ARGS, args, {
      factor: 1 / 3,
      totalIters: 5,
      lastEpoch: -1,
    });
    if (o.factor > 1 || o.factor < 0)
      throw new RangeError(
        `ConstantLR: constant multiplicative factor expected to be between 0 and 1, got ${o.factor}`,
      );
    super(optimizer, o.lastEpoch);
    this.factor = o.factor;
    this.totalIters = o.totalIters;
    this.initialStep();
  }

  override getLr(): number[] {
    const groups = groupsOf(this.optimizer);
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return groupValues(this.optimizer, 'lr');
    return groups.map((g) => g.lr * (1 / this.factor));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }

  protected override stateKeys(): readonly StateKey[] {
    return [['factor', 'factor'], ['total_iters', 'totalIters'], ...super.stateKeys()];
  }
}

/** LinearLR's arguments (Python: `start_factor=1/3`, `end_factor=1.0`, `total_iters=5`, `last_epoch=-1`). */
export interface LinearLROptions {
  startFactor?: number;
  endFactor?: number;
  totalIters?: number;
  lastEpoch?: number;
}
const LINEAR_ARGS = ['startFactor', 'endFactor', 'totalIters', 'lastEpoch'] as const;

/**
 * Scales each group's lr by a factor moving linearly from `startFactor` to `endFactor` over `totalIters` epochs
 * (PyTorch's `LinearLR`).
 *
 * Args:
 *   optimizer: the optimizer.
 *   startFactor: the factor at epoch 0, in (0, 1] (default 1/3).
 *   endFactor: the factor from epoch `totalIters` on, in [0, 1] (default 1).
 *   totalIters: the length of the ramp in epochs (default 5).
 *   lastEpoch: the last epoch's index when resuming (default -1).
 *
 * Example:
 *   const warmup = new optim.lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 10 });
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  constructor(optimizer: SchedulerOptimizer, ...args: PyArgs<LinearLROptions, typeof LINEAR_ARGS>) {
    const o = pyArgs<Required<LinearLROptions>>('LinearLR', LINEAR_ARGS, args, {
      startFactor: 1 / 3,
      endFactor: 1,
      totalIters: 5,
      lastEpoch: -1,
    });
    if (o.startFactor > 1 || o.startFactor <= 0)
      throw new RangeError(
        `LinearLR: starting multiplicative factor expected to be greater than 0 and less or equal to 1, got ${o.startFactor}`,
      );
    if (o.endFactor > 1 || o.endFactor < 0)
      throw new RangeError(`LinearLR: ending multiplicative factor expected to be between 0 and 1, got ${o.endFactor}`);
    super(optimizer, o.lastEpoch);
    this.startFactor = o.startFactor;
    this.endFactor = o.endFactor;
    this.totalIters = o.totalIters;
    this.initialStep();
  }

  override getLr(): number[] {
    const groups = groupsOf(this.optimizer);
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.startFactor);
    if (this.isInitial || this.lastEpoch > this.totalIters) return groupValues(this.optimizer, 'lr');
    const span = this.endFactor - this.startFactor;
    const f = 1 + span / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * span);
    return groups.map((g) => g.lr * f);
  }

  protected override closedFormLr(): number[] {
    const f =
      this.startFactor +
      ((this.endFactor - this.startFactor) * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters;
    return this.baseLrs.map((b) => b * f);
  }

  protected override stateKeys(): readonly StateKey[] {
    return [
      ['start_factor', 'startFactor'],
      ['end_factor', 'endFactor'],
      ['total_iters', 'totalIters'],
      ...super.stateKeys(),
    ];
  }
}
