// CyclicLR: the lr cycles between baseLr and maxLr (triangular, triangular2, exp_range or a custom scale
// function), momentum (or Adam's beta1) cycling the other way; stepped once per batch (PyTorch's `CyclicLR`).
import { pyArgs, type PyArgs } from '../args.js';
import { groupsOf, LRScheduler, perGroup, type SchedulerOptimizer, type StateKey } from './lr-scheduler.js';

/** CyclicLR's modes. */
export type CyclicMode = 'triangular' | 'triangular2' | 'exp_range';
/** CyclicLR's arguments (Python's names in camelCase, same defaults). */
export interface CyclicLROptions {
  baseLr: number | readonly number[];
  maxLr: number | readonly number[];
  stepSizeUp?: number;
  stepSizeDown?: number | null;
  mode?: CyclicMode;
  gamma?: number;
  /** Custom amplitude scale of x (a cycle number or an iteration, per scaleMode); replaces mode's. */
  scaleFn?: ((x: number) => number) | null;
  scaleMode?: 'cycle' | 'iterations';
  cycleMomentum?: boolean;
  baseMomentum?: number | readonly number[];
  maxMomentum?: number | readonly number[];
  lastEpoch?: number;
}
const ARGS = [
  'baseLr',
  'maxLr',
  'stepSizeUp',
  'stepSizeDown',
  'mode',
  'gamma',
  'scaleFn',
  'scaleMode',
  'cycleMomentum',
  'baseMomentum',
  'maxMomentum',
  'lastEpoch',
] as const;
const DEFAULTS = {
  stepSizeUp: 2000,
  stepSizeDown: null,
  mode: 'triangular',
  gamma: 1,
  scaleFn: null,
  scaleMode: 'cycle',
  cycleMomentum: true,
  baseMomentum: 0.8,
  maxMomentum: 0.9,
  lastEpoch: -1,
} as const;

/**
 * Sets a group's momentum, or beta1 of its betas (Adam-like optimizers), as CyclicLR and OneCycleLR do.
 *
 * Args:
 *   group: the parameter group.
 *   useBeta1: write betas[0] instead of momentum.
 *   m: the value.
 *
 * Example:
 *   setMomentum(opt.paramGroups[0], true, 0.85); // betas = [0.85, betas[1]]
 */
export function setMomentum(group: Record<string, unknown>, useBeta1: boolean, m: number): void {
  if (useBeta1) group.betas = [m, ...(group.betas as number[]).slice(1)];
  else group.momentum = m;
}

/**
 * Cyclical learning rates (Smith 2017): the lr moves between `baseLr` and `maxLr` over `stepSizeUp` +
 * `stepSizeDown` iterations; with `cycleMomentum` the momentum (beta1 for Adam-like optimizers) moves between
 * `maxMomentum` and `baseMomentum` inversely. Call `step()` after every batch.
 *
 * Args:
 *   optimizer: the optimizer (with `momentum` or `betas` when cycleMomentum is on).
 *   baseLr: the lower lr, or one per group.
 *   maxLr: the upper lr, or one per group.
 *   stepSizeUp: iterations of the increasing half (default 2000).
 *   stepSizeDown: iterations of the decreasing half (default: stepSizeUp).
 *   mode: 'triangular' (default), 'triangular2' (amplitude halves each cycle) or 'exp_range' (gamma^iteration).
 *   gamma: exp_range's factor (default 1).
 *   scaleFn: a custom amplitude scale of the cycle or iteration (overrides mode; not saved in state dicts).
 *   scaleMode: what scaleFn takes, 'cycle' (default) or 'iterations'.
 *   cycleMomentum: cycle the momentum too (default true).
 *   baseMomentum: the lower momentum (default 0.8).
 *   maxMomentum: the upper momentum (default 0.9).
 *   lastEpoch: the last batch's index when resuming (default -1).
 *
 * Example:
 *   const sched = new optim.lrScheduler.CyclicLR(opt, 0.01, 0.1, { stepSizeUp: 500, mode: 'triangular2' });
 */
export class CyclicLR extends LRScheduler {
  maxLrs: number[];
  totalSize: number;
  stepRatio: number;
  mode: CyclicMode;
  gamma: number;
  scaleMode: 'cycle' | 'iterations';
  cycleMomentum: boolean;
  useBeta1 = false;
  baseMomentums: number[] = [];
  maxMomentums: number[] = [];
  private scaleFnCustom: ((x: number) => number) | null;

  constructor(optimizer: SchedulerOptimizer, ...args: PyArgs<CyclicLROptions, typeof ARGS>) {
    const o = pyArgs<Required<CyclicLROptions>>('CyclicLR', ARGS, args, DEFAULTS);
    const baseLrs = perGroup('baseLr', optimizer, o.baseLr);
    const groups = groupsOf(optimizer);
    if (o.lastEpoch === -1)
      groups.forEach((g, i) => {
        g.lr = baseLrs[i];
      });
    if (!['triangular', 'triangular2', 'exp_range'].includes(o.mode) && !o.scaleFn)
      throw new RangeError(`CyclicLR: mode '${o.mode}' is invalid and scaleFn is null`);
    const momentum = o.cycleMomentum ? CyclicLR.momenta(optimizer, o) : undefined;
    super(optimizer, o.lastEpoch);
    this.maxLrs = perGroup('maxLr', optimizer, o.maxLr);
    const down = o.stepSizeDown ?? o.stepSizeUp;
    this.totalSize = o.stepSizeUp + down;
    this.stepRatio = o.stepSizeUp / this.totalSize;
    this.mode = o.mode;
    this.gamma = o.gamma;
    this.scaleFnCustom = o.scaleFn;
    this.scaleMode = o.scaleMode;
    this.initScaleFn();
    this.cycleMomentum = o.cycleMomentum;
    if (momentum) [this.useBeta1, this.baseMomentums, this.maxMomentums] = momentum;
    this.initialStep();
    this.baseLrs = baseLrs;
  }

  /** Checks the optimizer has a momentum, and starts each group at its max momentum (a fresh schedule). */
  private static momenta(optimizer: SchedulerOptimizer, o: Required<CyclicLROptions>): [boolean, number[], number[]] {
    const defaults = optimizer.defaults as Record<string, unknown>;
    if (!('momentum' in defaults) && !('betas' in defaults))
      throw new TypeError('CyclicLR: optimizer must support momentum or beta1 with the `cycleMomentum` option enabled');
    const useBeta1 = 'betas' in defaults;
    const base = perGroup('baseMomentum', optimizer, o.baseMomentum);
    const max = perGroup('maxMomentum', optimizer, o.maxMomentum);
    if (o.lastEpoch === -1) {
      groupsOf(optimizer).forEach((g, i) => {
        setMomentum(g, useBeta1, max[i]);
        g.maxMomentum = max[i];
        g.baseMomentum = base[i];
      });
    }
    return [useBeta1, base, max];
  }

  private initScaleFn(): void {
    if (this.scaleFnCustom) return;
    this.scaleMode = this.mode === 'exp_range' ? 'iterations' : 'cycle';
  }

  /** The amplitude scale at `x` (a cycle number or an iteration, per scaleMode). */
  scaleFn(x: number): number {
    if (this.scaleFnCustom) return this.scaleFnCustom(x);
    if (this.mode === 'triangular') return 1;
    if (this.mode === 'triangular2') return 1 / 2 ** (x - 1);
    return this.gamma ** x;
  }

  override getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1 + this.lastEpoch / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = this.scaleFn(this.scaleMode === 'cycle' ? cycle : this.lastEpoch);
    const lrs = this.baseLrs.map((b, i) => b + (this.maxLrs[i] - b) * scaleFactor * scale);
    if (this.cycleMomentum) {
      groupsOf(this.optimizer).forEach((g, i) => {
        const height = (this.maxMomentums[i] - this.baseMomentums[i]) * scaleFactor;
        setMomentum(g, this.useBeta1, this.maxMomentums[i] - height * scale);
      });
    }
    return lrs;
  }

  protected override stateKeys(): readonly StateKey[] {
    const momentum: StateKey[] = this.cycleMomentum
      ? [
          ['use_beta1', 'useBeta1'],
          ['base_momentums', 'baseMomentums'],
          ['max_momentums', 'maxMomentums'],
        ]
      : [];
    return [
      ['max_lrs', 'maxLrs'],
      ['total_size', 'totalSize'],
      ['step_ratio', 'stepRatio'],
      ['mode', 'mode'],
      ['gamma', 'gamma'],
      ['scale_mode', 'scaleMode'],
      ['cycle_momentum', 'cycleMomentum'],
      ...momentum,
      ...super.stateKeys(),
      ['_scale_fn_custom', null, null],
    ];
  }

  override loadStateDict(sd: Parameters<LRScheduler['loadStateDict']>[0]): void {
    super.loadStateDict(sd);
    this.initScaleFn();
  }
}
