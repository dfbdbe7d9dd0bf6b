// LambdaLR and MultiplicativeLR: the lr from a user function of the epoch (as a factor of the base lr, or of the
// current lr). The functions are not saved in state dicts (`lr_lambdas` holds None per group), as in PyTorch.
import { pyArgs, type PyArgs } from '../args.js';
import {
  groupsOf,
  groupValues,
  LRScheduler,
  type SchedulerOptimizer,
  type SchedulerStateDict,
} from './lr-scheduler.js';

/** A function of the epoch index giving a factor. */
export type LrLambda = (epoch: number) => number;
/** LambdaLR's / MultiplicativeLR's arguments (Python: `lr_lambda`, `last_epoch=-1`). */
export interface LambdaLROptions {
  lrLambda: LrLambda | readonly LrLambda[];
  lastEpoch?: number;
}
const ARGS = ['lrLambda', 'lastEpoch'] as const;

function lambdas(who: string, optimizer: SchedulerOptimizer, f: LrLambda | readonly LrLambda[]): LrLambda[] {
  const n = optimizer.paramGroups.length;
  const list = typeof f === 'function' ? Array.from({ length: n }, () => f) : [...f];
  if (list.length !== n) throw new RangeError(`${who}: expected ${n} lrLambdas, but got ${list.length}`);
  list.forEach((fn, i) => {
    if (typeof fn !== 'function')
      throw new TypeError(`${who}: lrLambda[${i}] should be a function, but got ${typeof fn}`);
  });
  return list;
}

/** What both share: the functions, and `lr_lambdas` (None per group) at the end of the state dict. */
abstract class LambdaScheduler extends LRScheduler {
  lrLambdas: LrLambda[] = [];
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

/**
 * lr = baseLr * lrLambda(epoch), one function for all groups or one per group (PyTorch's `LambdaLR`).
 *
 * Args:
 *   optimizer: the optimizer.
 *   lrLambda: a function of the epoch, or a list with one per group.
 *   lastEpoch: the last epoch's index when resuming (default -1).
 *
 * Example:
 *   const warmup = new optim.lrScheduler.LambdaLR(opt, (epoch) => Math.min(1, (epoch + 1) / 5));
 */
export class LambdaLR extends LambdaScheduler {
  constructor(optimizer: SchedulerOptimizer, ...args: PyArgs<LambdaLROptions, typeof ARGS>) {
    const o = pyArgs<Required<LambdaLROptions>>('LambdaLR', ARGS, args, { lastEpoch: -1 });
    const fns = lambdas('LambdaLR', optimizer, o.lrLambda);
    super(optimizer, o.lastEpoch);
    this.lrLambdas = fns;
    this.initialStep();
  }

  override getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i](this.lastEpoch));
  }
}

/**
 * lr = previous lr * lrLambda(epoch) from the first step on (PyTorch's `MultiplicativeLR`).
 *
 * Args:
 *   optimizer: the optimizer.
 *   lrLambda: a function of the epoch giving the factor, or a list with one per group.
 *   lastEpoch: the last epoch's index when resuming (default -1).
 *
 * Example:
 *   const sched = new optim.lrScheduler.MultiplicativeLR(opt, () => 0.95); // lr * 0.95 each epoch
 */
export class MultiplicativeLR extends LambdaScheduler {
  constructor(optimizer: SchedulerOptimizer, ...args: PyArgs<LambdaLROptions, typeof ARGS>) {
    const o = pyArgs<Required<LambdaLROptions>>('MultiplicativeLR', ARGS, args, { lastEpoch: -1 });
    const fns = lambdas('MultiplicativeLR', optimizer, o.lrLambda);
    super(optimizer, o.lastEpoch);
    this.lrLambdas = fns;
    this.initialStep();
  }

  override getLr(): number[] {
    if (this.isInitial) return groupValues(this.optimizer, 'lr');
    return groupsOf(this.optimizer).map((g, i) => g.lr * this.lrLambdas[i](this.lastEpoch));
  }
}
