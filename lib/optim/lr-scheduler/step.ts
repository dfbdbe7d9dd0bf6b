// StepLR and MultiStepLR: multiply the lr by gamma every stepSize epochs / at given milestones (PyTorch's chainable
// forms, closed forms for step(epoch)).
import { asCounter } from '../../torch/serialize.js';
import { pyArgs, type PyArgs } from '../args.js';
import {
  groupsOf,
  groupValues,
  LRScheduler,
  type SchedulerOptimizer,
  type SchedulerStateDict,
  type StateKey,
} from './lr-scheduler.js';

/** StepLR's arguments (Python: `step_size`, `gamma=0.1`, `last_epoch=-1`). */
export interface StepLROptions {
  stepSize: number;
  gamma?: number;
  lastEpoch?: number;
}
const STEP_ARGS = ['stepSize', 'gamma', 'lastEpoch'] as const;

/**
 * Decays each group's lr by `gamma` every `stepSize` epochs (PyTorch's `StepLR`).
 *
 * Args:
 *   optimizer: the optimizer.
 *   stepSize: the period of the decay, in epochs (positional or `{ stepSize }`).
 *   gamma: the factor (default 0.1).
 *   lastEpoch: the last epoch's index when resuming (default -1).
 *
 * Example:
 *   // lr 0.05 for epochs 0-29, 0.005 for 30-59, ...
 *   const sched = new optim.lrScheduler.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 *   for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(); }
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: SchedulerOptimizer, ...args: PyArgs<StepLROptions, typeof STEP_ARGS>) {
    const o = pyArgs<Required<StepLROptions>>('StepLR', STEP_ARGS, args, { gamma: 0.1, lastEpoch: -1 });
    if (!Number.isInteger(o.stepSize) || o.stepSize <= 0)
      throw new RangeError(`StepLR: stepSize must be a positive integer, got ${o.stepSize}`);
    super(optimizer, o.lastEpoch);
    this.stepSize = o.stepSize;
    this.gamma = o.gamma;
    this.initialStep();
  }

  override getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groupValues(this.optimizer, 'lr');
    return groupsOf(this.optimizer).map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected override stateKeys(): readonly StateKey[] {
    return [['step_size', 'stepSize'], ['gamma', 'gamma'], ...super.stateKeys()];
  }
}

/** MultiStepLR's arguments (Python: `milestones`, `gamma=0.1`, `last_epoch=-1`). */
export interface MultiStepLROptions {
  milestones: Iterable<number>;
  gamma?: number;
  lastEpoch?: number;
}
const MULTI_ARGS = ['milestones', 'gamma', 'lastEpoch'] as const;

/**
 * Decays each group's lr by `gamma` at each milestone epoch (a milestone listed twice decays twice; PyTorch's
 * `MultiStepLR`, whose `milestones` is a Counter: a Map from epoch to count here, a Counter in saved state dicts).
 *
 * Args:
 *   optimizer: the optimizer.
 *   milestones: epoch indices (positional or `{ milestones }`).
 *   gamma: the factor (default 0.1).
 *   lastEpoch: the last epoch's index when resuming (default -1).
 *
 * Example:
 *   // lr 0.05, then 0.005 from epoch 30, 0.0005 from 80
 *   const sched = new optim.lrScheduler.MultiStepLR(opt, [30, 80], { gamma: 0.1 });
 */
export class MultiStepLR extends LRScheduler {
  milestones: Map<number, number>;
  gamma: number;
  constructor(optimizer: SchedulerOptimizer, ...args: PyArgs<MultiStepLROptions, typeof MULTI_ARGS>) {
    const o = pyArgs<Required<MultiStepLROptions>>('MultiStepLR', MULTI_ARGS, args, { gamma: 0.1, lastEpoch: -1 });
    super(optimizer, o.lastEpoch);
    this.milestones = new Map();
    for (const m of o.milestones) {
      if (!Number.isInteger(m)) throw new TypeError(`MultiStepLR: milestones must be integers, got ${m}`);
      this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    }
    this.gamma = o.gamma;
    this.initialStep();
  }

  override getLr(): number[] {
    const n = this.milestones.get(this.lastEpoch);
    if (n === undefined) return groupValues(this.optimizer, 'lr');
    return groupsOf(this.optimizer).map((g) => g.lr * this.gamma ** n);
  }

  protected override closedFormLr(): number[] {
    let passed = 0;
    for (const [m, n] of this.milestones) if (m <= this.lastEpoch) passed += n;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }

  protected override stateKeys(): readonly StateKey[] {
    return [['milestones', 'milestones'], ['gamma', 'gamma'], ...super.stateKeys()];
  }

  /**
   * As the base's, with `milestones` marked as a Counter (torch.save writes `collections.Counter`, as Python
   * has it).
   */
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), milestones: asCounter(new Map(this.milestones)) };
  }

  protected override loadField(prop: string, v: unknown, where: string): void {
    if (prop !== 'milestones') {
      super.loadField(prop, v, where);
      return;
    }
    const entries =
      v instanceof Map
        ? [...v]
        : typeof v === 'object' && v !== null && !Array.isArray(v)
          ? Object.entries(v)
          : undefined;
    if (!entries) throw new TypeError(`${where} is not a dict of milestone counts`);
    this.milestones = new Map(entries.map(([k, n]) => [Number(k), Number(n)]));
    for (const [k, n] of this.milestones)
      if (!Number.isInteger(k) || !Number.isInteger(n))
        throw new TypeError(`${where} has a non-integer entry ${k}: ${n}`);
  }
}
