// SequentialLR (one scheduler after another at milestone epochs) and ChainedScheduler (several stepped together),
// with PyTorch's constructor semantics (SequentialLR undoes the sub-schedulers' initial steps) and nested state dicts.
import { pyArgs, type PyArgs } from '../args.js';
import {
  groupsOf,
  groupValues,
  LRScheduler,
  stateEntries,
  type SchedulerOptimizer,
  type SchedulerStateDict,
  type StateKey,
} from './lr-scheduler.js';
import { ReduceLROnPlateau } from './plateau.js';

/** Schedulers that may be combined: any but ReduceLROnPlateau (whose step needs a metric). */
function checkSchedulers(who: string, schedulers: readonly LRScheduler[], optimizer: SchedulerOptimizer): void {
  schedulers.forEach((s, i) => {
    if (!(s instanceof LRScheduler)) throw new TypeError(`${who}: the scheduler at index ${i} is not an LRScheduler`);
    if (s instanceof ReduceLROnPlateau) {
      throw new TypeError(
        `${who} does not support ReduceLROnPlateau, as its step needs a metric, but got one at index ${i} in the given schedulers sequence`,
      );
    }
    if (s.optimizer !== optimizer)
      throw new RangeError(
        `${who} expects all schedulers to belong to the same optimizer, but the scheduler ${s.constructor.name} at index ${i} has another`,
      );
  });
}

/** Nested state dicts: own keys, then `_schedulers` (each sub-scheduler's state dict). */
abstract class CompositeScheduler extends LRScheduler {
  schedulers: LRScheduler[] = [];
  override getLr(): number[] {
    throw new Error(`${this.constructor.name} has no getLr of its own: step() delegates to its schedulers`);
  }
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), _schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  override loadStateDict(sd: Parameters<LRScheduler['loadStateDict']>[0]): void {
    const who = `${this.constructor.name}.loadStateDict`;
    super.loadStateDict(sd);
    const subs = stateEntries(sd, who).find(([k]) => k === '_schedulers')?.[1];
    if (!Array.isArray(subs) || subs.length !== this.schedulers.length) {
      throw new RangeError(`${who}: '_schedulers' must be a list of ${this.schedulers.length} state dicts`);
    }
    subs.forEach((s, i) => this.schedulers[i].loadStateDict(s as SchedulerStateDict));
  }
}

/** SequentialLR's arguments (Python: `schedulers`, `milestones`, `last_epoch=-1`). */
export interface SequentialLROptions {
  schedulers: readonly LRScheduler[];
  milestones: readonly number[];
  lastEpoch?: number;
}
const SEQ_ARGS = ['schedulers', 'milestones', 'lastEpoch'] as const;
const bisectRight = (xs: readonly number[], x: number): number => {
  let i = 0;
  while (i < xs.length && xs[i] <= x) i++;
  return i;
};

/**
 * Runs schedulers one after another: `schedulers[i + 1]` takes over at epoch `milestones[i]`, starting from its
 * closed form at its own epoch 0 (PyTorch's `SequentialLR`).
 *
 * Args:
 *   optimizer: the optimizer all schedulers belong to.
 *   schedulers: the schedulers, in order (built on this optimizer, before this one).
 *   milestones: the epochs at which the next scheduler starts (one fewer than schedulers).
 *   lastEpoch: the last epoch's index when resuming (default -1).
 *
 * Example:
 *   const warmup = new optim.lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 *   const decay = new optim.lrScheduler.CosineAnnealingLR(opt, 95);
 *   const sched = new optim.lrScheduler.SequentialLR(opt, [warmup, decay], [5]);
 */
export class SequentialLR extends CompositeScheduler {
  milestones: number[];
  constructor(optimizer: SchedulerOptimizer, ...args: PyArgs<SequentialLROptions, typeof SEQ_ARGS>) {
    const o = pyArgs<Required<SequentialLROptions>>('SequentialLR', SEQ_ARGS, args, { lastEpoch: -1 });
    if (o.schedulers.length < 1)
      throw new RangeError('SequentialLR expects at least one scheduler, but got no scheduler');
    checkSchedulers('SequentialLR', o.schedulers, optimizer);
    if (o.milestones.length !== o.schedulers.length - 1) {
      throw new RangeError(
        `SequentialLR expects the number of schedulers provided to be one more than the number of milestone points, but got ${o.schedulers.length} schedulers and ${o.milestones.length} milestones`,
      );
    }
    super(optimizer, -1, false);
    this.schedulers = [...o.schedulers];
    this.milestones = [...o.milestones];
    this.lastEpoch = o.lastEpoch + 1;
    const initial = groupValues(optimizer, 'initialLr');
    groupsOf(optimizer).forEach((g, i) => {
      g.lr = initial[i];
    });
    this.recursiveUndo(this);
    const idx = bisectRight(this.milestones, 0);
    this.schedulers[idx].initialStep();
    this.lastLr = this.schedulers[idx].getLastLr();
  }

  /** Takes one epoch off every (nested) scheduler, undoing their constructors' initial steps. */
  private recursiveUndo(s: LRScheduler): void {
    if (s instanceof CompositeScheduler) for (const sub of s.schedulers) this.recursiveUndo(sub);
    else s.lastEpoch -= 1;
  }

  /** Moves to the next epoch: the scheduler in charge steps (or starts at its epoch 0 on a milestone). */
  override step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.updateLr(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  protected override stateKeys(): readonly StateKey[] {
    return [
      ['_milestones', 'milestones'],
      ['last_epoch', 'lastEpoch'],
      ['_last_lr', 'lastLr'],
    ];
  }
}

/** ChainedScheduler's arguments (Python: `schedulers`, `optimizer=None`). */
export interface ChainedSchedulerOptions {
  schedulers: readonly LRScheduler[];
  optimizer?: SchedulerOptimizer | null;
}
const CHAIN_ARGS = ['schedulers', 'optimizer'] as const;

/**
 * Steps several schedulers of one optimizer together, each multiplying in its own factor (PyTorch's
 * `ChainedScheduler`).
 *
 * Args:
 *   schedulers: the schedulers (built on one optimizer).
 *   optimizer: that optimizer (default: the first scheduler's).
 *
 * Example:
 *   const sched = new optim.lrScheduler.ChainedScheduler([
 *     new optim.lrScheduler.ConstantLR(opt, { factor: 0.1, totalIters: 2 }),
 *     new optim.lrScheduler.ExponentialLR(opt, 0.9),
 *   ]);
 */
export class ChainedScheduler extends CompositeScheduler {
  constructor(...args: PyArgs<ChainedSchedulerOptions, typeof CHAIN_ARGS>) {
    const o = pyArgs<Required<ChainedSchedulerOptions>>('ChainedScheduler', CHAIN_ARGS, args, { optimizer: null });
    if (o.schedulers.length < 1)
      throw new RangeError('ChainedScheduler expects at least one scheduler to be chained, but got no scheduler');
    const optimizer = o.optimizer ?? o.schedulers[0].optimizer;
    checkSchedulers('ChainedScheduler', o.schedulers, optimizer);
    super(optimizer, -1, false);
    this.schedulers = [...o.schedulers];
    this.lastLr = groupValues(this.schedulers[this.schedulers.length - 1].optimizer, 'lr');
  }

  /** Steps every scheduler, in order. */
  override step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = groupValues(this.schedulers[this.schedulers.length - 1].optimizer, 'lr');
  }

  protected override stateKeys(): readonly StateKey[] {
    return [['_last_lr', 'lastLr']];
  }
}
