// CosineAnnealingLR (SGDR's cosine without restarts, PyTorch's recursive form) and CosineAnnealingWarmRestarts.
import { pyArgs, type PyArgs } from '../args.js';
import { groupsOf, groupValues, LRScheduler, type SchedulerOptimizer, type StateKey } from './lr-scheduler.js';

/** CosineAnnealingLR's arguments (Python: `T_max`, `eta_min=0.0`, `last_epoch=-1`). */
export interface CosineAnnealingLROptions {
  tMax: number;
  etaMin?: number;
  lastEpoch?: number;
}
const COSINE_ARGS = ['tMax', 'etaMin', 'lastEpoch'] as const;

/**
 * Anneals each group's lr from its base value to `etaMin` along a half cosine over `tMax` epochs, then back up
 * (PyTorch's `CosineAnnealingLR`: the chainable recursion, so changes made to the lr in between carry on; the
 * closed form etaMin + (base - etaMin)(1 + cos(pi e / tMax)) / 2 for step(epoch)).
 *
 * Args:
 *   optimizer: the optimizer.
 *   tMax: the half period in epochs (Python's `T_max`).
 *   etaMin: the minimum lr (default 0).
 *   lastEpoch: the last epoch's index when resuming (default -1).
 *
 * Example:
 *   const sched = new optim.lrScheduler.CosineAnnealingLR(opt, 100, { etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;
  constructor(optimizer: SchedulerOptimizer, ...args: PyArgs<CosineAnnealingLROptions, typeof COSINE_ARGS>) {
    const o = pyArgs<Required<CosineAnnealingLROptions>>('CosineAnnealingLR', COSINE_ARGS, args, {
      etaMin: 0,
      lastEpoch: -1,
    });
    super(optimizer, o.lastEpoch);
    this.tMax = o.tMax;
    this.etaMin = o.etaMin;
    this.initialStep();
  }

  override getLr(): number[] {
    const { etaMin, tMax, lastEpoch: e } = this;
    const groups = groupsOf(this.optimizer);
    if (this.isInitial) return groupValues(this.optimizer, 'lr');
    if (this.stepCount === 1 && e > 0)
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / tMax))) / 2);
    if ((e - 1 - tMax) % (2 * tMax) === 0)
      return groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    return groups.map(
      (g) =>
        ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) * (g.lr - etaMin) + etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map(
      (b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2,
    );
  }

  protected override stateKeys(): readonly StateKey[] {
    return [['T_max', 'tMax'], ['eta_min', 'etaMin'], ...super.stateKeys()];
  }
}

/** CosineAnnealingWarmRestarts' arguments (Python: `T_0`, `T_mult=1`, `eta_min=0.0`, `last_epoch=-1`). */
export interface CosineAnnealingWarmRestartsOptions {
  t0: number;
  tMult?: number;
  etaMin?: number;
  lastEpoch?: number;
}
const RESTART_ARGS = ['t0', 'tMult', 'etaMin', 'lastEpoch'] as const;

/**
 * Cosine annealing with warm restarts (SGDR): the cosine restarts after `t0` epochs, each period `tMult` times
 * the last (PyTorch's `CosineAnnealingWarmRestarts`; `step(epoch)` accepts fractional epochs for per-batch use).
 *
 * Args:
 *   optimizer: the optimizer.
 *   t0: the first period in epochs, a positive integer (Python's `T_0`).
 *   tMult: the period's growth factor, an integer >= 1 (default 1).
 *   etaMin: the minimum lr (default 0).
 *   lastEpoch: the last epoch's index when resuming (default -1).
 *
 * Example:
 *   const sched = new optim.lrScheduler.CosineAnnealingWarmRestarts(opt, 10, { tMult: 2 });
 *   for (let epoch = 0; epoch < 70; epoch++) {
 *     for (let i = 0; i < iters; i++) {
 *       trainBatch();
 *       sched.step(epoch + i / iters);
 *     }
 *   }
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  t0: number;
  tI: number;
  tMult: number;
  etaMin: number;
  tCur: number;
  constructor(optimizer: SchedulerOptimizer, ...args: PyArgs<CosineAnnealingWarmRestartsOptions, typeof RESTART_ARGS>) {
    const o = pyArgs<Required<CosineAnnealingWarmRestartsOptions>>('CosineAnnealingWarmRestarts', RESTART_ARGS, args, {
      tMult: 1,
      etaMin: 0,
      lastEpoch: -1,
    });
    if (!Number.isInteger(o.t0) || o.t0 <= 0)
      throw new RangeError(`CosineAnnealingWarmRestarts: expected positive integer t0, but got ${o.t0}`);
    if (!Number.isInteger(o.tMult) || o.tMult < 1)
      throw new RangeError(`CosineAnnealingWarmRestarts: expected integer tMult >= 1, but got ${o.tMult}`);
    if (typeof o.etaMin !== 'number')
      throw new TypeError(`CosineAnnealingWarmRestarts: expected a number etaMin, but got ${typeof o.etaMin}`);
    super(optimizer, o.lastEpoch);
    this.t0 = o.t0;
    this.tI = o.t0;
    this.tMult = o.tMult;
    this.etaMin = o.etaMin;
    this.tCur = o.lastEpoch;
    this.initialStep();
  }

  override getLr(): number[] {
    return this.baseLrs.map(
      (b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2,
    );
  }

  /**
   * Moves to the next epoch, or to `epoch` (fractional values allowed), restarting the cosine at period ends.
   *
   * Args:
   *   epoch: the (fractional) epoch to move to; the next integer epoch when left out.
   */
  override step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur %= this.tI;
        this.tI *= this.tMult;
      }
    } else {
      if (epoch < 0) throw new RangeError(`CosineAnnealingWarmRestarts: expected non-negative epoch, but got ${epoch}`);
      this.jumpTo(epoch);
    }
    this.lastEpoch = Math.floor(epoch);
    this.writeLrs(this.getLr());
  }

  private jumpTo(epoch: number): void {
    if (epoch < this.t0) {
      this.tI = this.t0;
      this.tCur = epoch;
    } else if (this.tMult === 1) {
      this.tCur = epoch % this.t0;
    } else {
      const n = Math.trunc(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
      this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
      this.tI = this.t0 * this.tMult ** n;
    }
  }

  protected override stateKeys(): readonly StateKey[] {
    return [
      ['T_0', 't0'],
      ['T_i', 'tI'],
      ['T_mult', 'tMult'],
      ['eta_min', 'etaMin'],
      ['T_cur', 'tCur'],
      ...super.stateKeys(),
    ];
  }
}

/**
 * The cosine schedule as a function: etaMin + (baseLr - etaMin) (1 + cos(pi epoch / tMax)) / 2 (CosineAnnealingLR's
 * closed form; for epoch in 0..tMax it falls from baseLr to etaMin).
 *
 * Args:
 *   epoch: the epoch index.
 *   tMax: the half period in epochs (the schedule's length).
 *   baseLr: the initial learning rate.
 *   etaMin: the minimum lr (default 0).
 *
 * Example:
 *   cosineLr(50, 100, 0.1); // 0.05
 */
export const cosineLr = (epoch: number, tMax: number, baseLr: number, etaMin = 0): number =>
  etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * epoch) / tMax))) / 2;
