// OneCycleLR: the 1cycle policy (Smith & Topin 2017): lr from maxLr/divFactor up to maxLr, then annealed far below
// the start, momentum the other way; stepped once per batch (PyTorch's `OneCycleLR`, its phase table and keys).
import { pyArgs, type PyArgs } from '../args.js';
import { setMomentum } from './cyclic.js';
import {
  groupsOf,
  LRScheduler,
  perGroup,
  type SchedulerOptimizer,
  type SchedulerStateValue,
  type StateKey,
} from './lr-scheduler.js';

/** One phase of the schedule, with Python's keys (the group entries it anneals between are named as in Python). */
export interface SchedulePhase {
  [key: string]: SchedulerStateValue;
  end_step: number;
  start_lr: string;
  end_lr: string;
  start_momentum: string;
  end_momentum: string;
}
/** OneCycleLR's arguments (Python's names in camelCase, same defaults). */
export interface OneCycleLROptions {
  maxLr: number | readonly number[];
  totalSteps?: number | null;
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | readonly number[];
  maxMomentum?: number | readonly number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  lastEpoch?: number;
}
const ARGS = [
  'maxLr',
  'totalSteps',
  'epochs',
  'stepsPerEpoch',
  'pctStart',
  'annealStrategy',
  'cycleMomentum',
  'baseMomentum',
  'maxMomentum',
  'divFactor',
  'finalDivFactor',
  'threePhase',
  'lastEpoch',
] as const;
const DEFAULTS = {
  totalSteps: null,
  epochs: null,
  stepsPerEpoch: null,
  pctStart: 0.3,
  annealStrategy: 'cos',
  cycleMomentum: true,
  baseMomentum: 0.85,
  maxMomentum: 0.95,
  divFactor: 25,
  finalDivFactor: 1e4,
  threePhase: false,
  lastEpoch: -1,
} as const;

const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const phase = (end: number, lr: [string, string], m: [string, string]): SchedulePhase => ({
  end_step: end,
  start_lr: lr[0],
  end_lr: lr[1],
  start_momentum: m[0],
  end_momentum: m[1],
});

function totalStepsOf(o: Required<OneCycleLROptions>): number {
  const posInt = (v: number | null): v is number => v !== null && Number.isInteger(v) && v > 0;
  if (o.totalSteps !== null) {
    if (!posInt(o.totalSteps))
      throw new RangeError(`OneCycleLR: expected positive integer totalSteps, but got ${o.totalSteps}`);
    return o.totalSteps;
  }
  if (o.epochs !== null && o.stepsPerEpoch !== null) {
    if (!posInt(o.epochs)) throw new RangeError(`OneCycleLR: expected positive integer epochs, but got ${o.epochs}`);
    if (!posInt(o.stepsPerEpoch))
      throw new RangeError(`OneCycleLR: expected positive integer stepsPerEpoch, but got ${o.stepsPerEpoch}`);
    return o.epochs * o.stepsPerEpoch;
  }
  throw new TypeError('OneCycleLR: you must define either totalSteps OR (epochs AND stepsPerEpoch)');
}

function phasesOf(total: number, pct: number, threePhase: boolean): SchedulePhase[] {
  const up = phase(pct * total - 1, ['initial_lr', 'max_lr'], ['max_momentum', 'base_momentum']);
  if (!threePhase) return [up, phase(total - 1, ['max_lr', 'min_lr'], ['base_momentum', 'max_momentum'])];
  return [
    up,
    phase(2 * pct * total - 2, ['max_lr', 'initial_lr'], ['base_momentum', 'max_momentum']),
    phase(total - 1, ['initial_lr', 'min_lr'], ['max_momentum', 'max_momentum']),
  ];
}

/**
 * The 1cycle learning-rate policy: for `pctStart` of `totalSteps` the lr rises from maxLr / divFactor to maxLr,
 * then anneals to maxLr / (divFactor * finalDivFactor) ('cos' or 'linear'); momentum (beta1 for Adam-like
 * optimizers) goes from maxMomentum to baseMomentum and back. Call `step()` after every batch.
 *
 * Args:
 *   optimizer: the optimizer.
 *   maxLr: the peak lr, or one per group.
 *   totalSteps: the schedule's length; or give epochs and stepsPerEpoch.
 *   epochs: the number of epochs (with stepsPerEpoch).
 *   stepsPerEpoch: batches per epoch (with epochs).
 *   pctStart: the fraction of steps spent rising (default 0.3).
 *   annealStrategy: 'cos' (default) or 'linear'.
 *   cycleMomentum: cycle the momentum too (default true).
 *   baseMomentum: the lower momentum (default 0.85).
 *   maxMomentum: the upper momentum (default 0.95).
 *   divFactor: initial lr = maxLr / divFactor (default 25).
 *   finalDivFactor: final lr = initial lr / finalDivFactor (default 1e4).
 *   threePhase: go back down to the initial lr before the final annealing (default false).
 *   lastEpoch: the last batch's index when resuming (default -1).
 *
 * Example:
 *   const sched = new optim.lrScheduler.OneCycleLR(opt, 0.1, { epochs: 10, stepsPerEpoch: loader.length });
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  schedulePhases: SchedulePhase[];
  annealFuncType: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1 = false;

  constructor(optimizer: SchedulerOptimizer, ...args: PyArgs<OneCycleLROptions, typeof ARGS>) {
    const o = pyArgs<Required<OneCycleLROptions>>('OneCycleLR', ARGS, args, DEFAULTS);
    const total = totalStepsOf(o);
    if (!(o.pctStart >= 0 && o.pctStart <= 1))
      throw new RangeError(`OneCycleLR: expected pctStart between 0 and 1, but got ${o.pctStart}`);
    if (o.annealStrategy !== 'cos' && o.annealStrategy !== 'linear')
      throw new RangeError(
        `OneCycleLR: annealStrategy must be one of 'cos' or 'linear', instead got ${String(o.annealStrategy)}`,
      );
    const maxLrs = perGroup('maxLr', optimizer, o.maxLr);
    if (o.lastEpoch === -1) {
      groupsOf(optimizer).forEach((g, i) => {
        const initial = maxLrs[i] / o.divFactor;
        g.initialLr = initial;
        g.maxLr = maxLrs[i];
        g.minLr = initial / o.finalDivFactor;
      });
    }
    const useBeta1 = o.cycleMomentum ? OneCycleLR.momenta(optimizer, o) : false;
    super(optimizer, o.lastEpoch);
    this.totalSteps = total;
    this.schedulePhases = phasesOf(total, o.pctStart, o.threePhase);
    this.annealFuncType = o.annealStrategy;
    this.cycleMomentum = o.cycleMomentum;
    this.useBeta1 = useBeta1;
    this.initialStep();
  }

  private static momenta(optimizer: SchedulerOptimizer, o: Required<OneCycleLROptions>): boolean {
    const defaults = optimizer.defaults as Record<string, unknown>;
    if (!('momentum' in defaults) && !('betas' in defaults))
      throw new TypeError(
        'OneCycleLR: optimizer must support momentum or beta1 with the `cycleMomentum` option enabled',
      );
    const useBeta1 = 'betas' in defaults;
    const max = perGroup('maxMomentum', optimizer, o.maxMomentum);
    const base = perGroup('baseMomentum', optimizer, o.baseMomentum);
    if (o.lastEpoch === -1) {
      groupsOf(optimizer).forEach((g, i) => {
        setMomentum(g, useBeta1, max[i]);
        g.maxMomentum = max[i];
        g.baseMomentum = base[i];
      });
    }
    return useBeta1;
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealFuncType === 'cos') return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  override getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps)
      throw new RangeError(
        `OneCycleLR: tried to step ${step} times. The specified number of total steps is ${this.totalSteps}`,
      );
    return groupsOf(this.optimizer).map((g) => {
      const at = (key: string): number => g[camel(key)] as number;
      let start = 0;
      for (const [i, p] of this.schedulePhases.entries()) {
        if (step <= p.end_step || i === this.schedulePhases.length - 1) {
          const pct = (step - start) / (p.end_step - start);
          if (this.cycleMomentum)
            setMomentum(g, this.useBeta1, this.anneal(at(p.start_momentum), at(p.end_momentum), pct));
          return this.anneal(at(p.start_lr), at(p.end_lr), pct);
        }
        start = p.end_step;
      }
      throw new Error('OneCycleLR: no schedule phases');
    });
  }

  protected override stateKeys(): readonly StateKey[] {
    return [
      ['total_steps', 'totalSteps'],
      ['_schedule_phases', 'schedulePhases'],
      ['_anneal_func_type', 'annealFuncType'],
      ['cycle_momentum', 'cycleMomentum'],
      ...(this.cycleMomentum ? [['use_beta1', 'useBeta1'] as const] : []),
      ...super.stateKeys(),
    ];
  }
}
