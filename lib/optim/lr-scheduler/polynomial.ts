// PolynomialLR: lr = base * (1 - epoch / totalIters)^power until totalIters, then 0 (PyTorch's chainable form,
// closed form for step(epoch)); PolyLR is the same schedule with nnU-Net's power 0.9 and a required length.
import { pyArgs, type PyArgs } from '../args.js';
import { groupsOf, groupValues, LRScheduler, type SchedulerOptimizer, type StateKey } from './lr-scheduler.js';

/** PolynomialLR's arguments (Python: `total_iters=5`, `power=1.0`, `last_epoch=-1`). */
export interface PolynomialLROptions {
  totalIters?: number;
  power?: number;
  lastEpoch?: number;
}
const ARGS = ['totalIters', 'power', 'lastEpoch'] as const;

/**
 * Decays each group's lr polynomially to 0 over `totalIters` epochs (PyTorch's `PolynomialLR`).
 *
 * Args:
 *   optimizer: the optimizer.
 *   totalIters: the number of epochs of decay (default 5).
 *   power: the polynomial's power (default 1).
 *   lastEpoch: the last epoch's index when resuming (default -1).
 *
 * Example:
 *   const sched = new optim.lrScheduler.PolynomialLR(opt, { totalIters: 100, power: 0.9 });
 */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;
  constructor(optimizer: SchedulerOptimizer, ...args: PyArgs<PolynomialLROptions, typeof ARGS>) {
    const o = pyArgs<Required<PolynomialLROptions>>('PolynomialLR', ARGS, args, {
      totalIters: 5,
      power: 1,
      lastEpoch: -1,
    });
    super(optimizer, o.lastEpoch);
    this.totalIters = o.totalIters;
    this.power = o.power;
    this.initialStep();
  }

  override getLr(): number[] {
    if (this.isInitial || this.lastEpoch > this.totalIters) return groupValues(this.optimizer, 'lr');
    const f = ((1 - this.lastEpoch / this.totalIters) / (1 - (this.lastEpoch - 1) / this.totalIters)) ** this.power;
    return groupsOf(this.optimizer).map((g) => g.lr * f);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (1 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }

  protected override stateKeys(): readonly StateKey[] {
    return [['total_iters', 'totalIters'], ['power', 'power'], ...super.stateKeys()];
  }
}

/**
 * nnU-Net's poly schedule as a scheduler: `PolynomialLR` with `totalIters = maxEpochs` and power 0.9 by default
 * (lr = base * (1 - epoch / maxEpochs)^0.9, 0 from maxEpochs on). Its state dict is PolynomialLR's.
 *
 * Args:
 *   optimizer: the optimizer.
 *   maxEpochs: the schedule's length (positive).
 *   power: the power (default 0.9).
 *   lastEpoch: the last epoch's index when resuming (default -1).
 *
 * Example:
 *   const sched = new optim.PolyLR(opt, 1000); // as PolynomialLR(opt, { totalIters: 1000, power: 0.9 })
 */
export class PolyLR extends PolynomialLR {
  constructor(optimizer: SchedulerOptimizer, maxEpochs: number, power = 0.9, lastEpoch = -1) {
    if (!(maxEpochs > 0)) throw new RangeError(`PolyLR: maxEpochs must be positive, got ${maxEpochs}`);
    super(optimizer, maxEpochs, power, lastEpoch);
  }

  /** The schedule's length (PolynomialLR's `totalIters`). */
  get maxEpochs(): number {
    return this.totalIters;
  }
}

/**
 * nnU-Net's poly learning rate as a function: baseLr * (1 - epoch / maxEpochs)^power (PolyLR's closed form).
 *
 * Args:
 *   epoch: the epoch index.
 *   maxEpochs: the schedule's length.
 *   baseLr: the initial learning rate.
 *   power: the power (default 0.9).
 *
 * Example:
 *   polyLr(9, 1500, 0.3); // 0.29837...
 */
export const polyLr = (epoch: number, maxEpochs: number, baseLr: number, power = 0.9): number =>
  baseLr * (1 - epoch / maxEpochs) ** power;
