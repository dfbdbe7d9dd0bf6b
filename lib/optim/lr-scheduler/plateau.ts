// ReduceLROnPlateau: cut the lr by `factor` when a metric stops improving for `patience` epochs (PyTorch's).
import { Tensor } from '../../torch/tensor.js';
import { pyArgs, type PyArgs } from '../args.js';
import { groupsOf, groupValues, LRScheduler, type SchedulerOptimizer, type StateKey } from './lr-scheduler.js';

/** ReduceLROnPlateau's arguments (Python's names in camelCase, same defaults). */
export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | readonly number[];
  eps?: number;
}
const ARGS = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'] as const;
const DEFAULTS = {
  mode: 'min',
  factor: 0.1,
  patience: 10,
  threshold: 1e-4,
  thresholdMode: 'rel',
  cooldown: 0,
  minLr: 0,
  eps: 1e-8,
} as const;

/**
 * Reduces each group's lr by `factor` once the metric passed to `step(metric)` has not improved for more than
 * `patience` epochs, then waits `cooldown` epochs (PyTorch's `ReduceLROnPlateau`).
 *
 * Args:
 *   optimizer: the optimizer.
 *   mode: 'min' (default: lower is better) or 'max'.
 *   factor: the reduction factor, < 1 (default 0.1).
 *   patience: epochs without improvement tolerated (default 10).
 *   threshold: the least change that counts as an improvement (default 1e-4).
 *   thresholdMode: 'rel' (default: relative to the best) or 'abs'.
 *   cooldown: epochs to wait after a reduction (default 0).
 *   minLr: the lower bound, or one per group (default 0).
 *   eps: reductions smaller than this are skipped (default 1e-8).
 *
 * Example:
 *   const sched = new optim.lrScheduler.ReduceLROnPlateau(opt, { mode: 'min', patience: 5 });
 *   for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(validationLoss()); }
 */
export class ReduceLROnPlateau extends LRScheduler {
  factor: number;
  defaultMinLr: number | null;
  minLrs: number[];
  patience: number;
  cooldown: number;
  eps: number;
  modeWorse = Infinity;
  mode: 'min' | 'max' = 'min';
  threshold = 0;
  thresholdMode: 'rel' | 'abs' = 'rel';
  best = Infinity;
  cooldownCounter = 0;
  numBadEpochs = 0;

  constructor(optimizer: SchedulerOptimizer, ...args: PyArgs<ReduceLROnPlateauOptions, typeof ARGS>) {
    const o = pyArgs<Required<ReduceLROnPlateauOptions>>('ReduceLROnPlateau', ARGS, args, DEFAULTS);
    if (o.factor >= 1) throw new RangeError(`ReduceLROnPlateau: factor should be < 1.0, got ${o.factor}`);
    super(optimizer, -1, false);
    this.factor = o.factor;
    const n = optimizer.paramGroups.length;
    if (typeof o.minLr === 'number') {
      this.defaultMinLr = o.minLr;
      this.minLrs = Array.from({ length: n }, () => o.minLr as number);
    } else {
      if (o.minLr.length !== n) throw new RangeError(`ReduceLROnPlateau: expected ${n} minLrs, got ${o.minLr.length}`);
      this.defaultMinLr = null;
      this.minLrs = [...o.minLr];
    }
    this.patience = o.patience;
    this.cooldown = o.cooldown;
    this.eps = o.eps;
    this.lastEpoch = 0;
    this.lastLr = groupValues(optimizer, 'lr');
    this.initIsBetter(o.mode, o.threshold, o.thresholdMode);
    this.reset();
  }

  private reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  /** ReduceLROnPlateau has no lr formula: its step takes a metric. */
  override getLr(): number[] {
    throw new Error('ReduceLROnPlateau has no getLr: call step(metric)');
  }

  /**
   * Records the epoch's metric and reduces the lrs when it has stopped improving.
   *
   * Args:
   *   metrics: the metric (a number or a one-element tensor).
   *   epoch: deprecated in PyTorch: the epoch's index (default: the last one + 1).
   */
  override step(metrics?: number | Tensor, epoch?: number): void {
    if (metrics === undefined) throw new TypeError('ReduceLROnPlateau.step: missing required argument metrics');
    const current = metrics instanceof Tensor ? (metrics.item() as number) : Number(metrics);
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = groupValues(this.optimizer, 'lr');
  }

  private reduceLr(): void {
    const groups = groupsOf(this.optimizer);
    if (groups.length !== this.minLrs.length) {
      if (this.defaultMinLr === null) {
        throw new Error(
          `ReduceLROnPlateau: the number of param groups in the optimizer (${groups.length}) differs from when it was initialized (${this.minLrs.length}), usually due to a new param group being added to the optimizer; set minLrs to match`,
        );
      }
      this.minLrs = groups.map(() => this.defaultMinLr as number);
    }
    groups.forEach((g, i) => {
      const old = g.lr;
      const next = Math.max(old * this.factor, this.minLrs[i]);
      if (old - next > this.eps) g.lr = next;
    });
  }

  /** Whether the scheduler is waiting out a cooldown. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  private initIsBetter(mode: string, threshold: number, thresholdMode: string): void {
    if (mode !== 'min' && mode !== 'max') throw new RangeError(`ReduceLROnPlateau: mode ${mode} is unknown!`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs')
      throw new RangeError(`ReduceLROnPlateau: threshold mode ${thresholdMode} is unknown!`);
    this.modeWorse = mode === 'min' ? Infinity : -Infinity;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
  }

  protected override stateKeys(): readonly StateKey[] {
    return [
      ['factor', 'factor'],
      ['default_min_lr', 'defaultMinLr'],
      ['min_lrs', 'minLrs'],
      ['patience', 'patience'],
      ['cooldown', 'cooldown'],
      ['eps', 'eps'],
      ['last_epoch', 'lastEpoch'],
      ['_last_lr', 'lastLr'],
      ['mode_worse', 'modeWorse'],
      ['mode', 'mode'],
      ['threshold', 'threshold'],
      ['threshold_mode', 'thresholdMode'],
      ['best', 'best'],
      ['cooldown_counter', 'cooldownCounter'],
      ['num_bad_epochs', 'numBadEpochs'],
    ];
  }

  override loadStateDict(sd: Parameters<LRScheduler['loadStateDict']>[0]): void {
    super.loadStateDict(sd);
    this.initIsBetter(this.mode, this.threshold, this.thresholdMode);
  }
}
