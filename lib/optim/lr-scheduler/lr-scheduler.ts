// torch.optim.lr_scheduler.LRScheduler: the base of the epoch-driven schedulers. The constructor records each
// group's `initial_lr`, the subclass's constructor ends with the initial step (epoch 0), `step()` moves one epoch
// on with the chainable form (`getLr`, from the groups' current lrs) and `step(epoch)` jumps with the closed form
// where PyTorch has one. State dicts have Python's keys (`last_epoch`, `base_lrs`, `_step_count`, `_last_lr`, ...).
import { Tensor } from '../../torch/tensor.js';
import type { Optimizer } from '../optimizer.js';

/** Any optimizer whose parameter groups have a learning rate (every optimizer of `optim`). */
export type SchedulerOptimizer = Optimizer<{ lr: number }>;
/** A parameter group as schedulers see it: `lr` and the other hyper-parameters by camelCase name. */
export interface LrGroup {
  lr: number;
  [key: string]: unknown;
}
/** A value in a scheduler's state dict (Python: int, float, bool, str, None, list, dict). */
export type SchedulerStateValue =
  | number
  | boolean
  | string
  | null
  | SchedulerStateValue[]
  | Map<number, number>
  | { [key: string]: SchedulerStateValue };
/** A scheduler's state dict: Python's attribute names as keys (`last_epoch`, `base_lrs`, `_last_lr`, ...). */
export type SchedulerStateDict = Record<string, SchedulerStateValue>;
/** A state-dict key and the property that holds it, or (prop null) a fixed value written and ignored when loading. */
export type StateKey =
  readonly [py: string, prop: string] | readonly [py: string, prop: null, written: SchedulerStateValue];

/**
 * One group entry per parameter group (Python's `_param_groups_val_list`).
 *
 * Args:
 *   optimizer: the optimizer.
 *   key: the group entry's camelCase name ('lr', 'initialLr', ...); a group without a number there is a TypeError.
 *
 * Example:
 *   groupValues(opt, 'lr'); // [0.1, 0.05]
 */
export function groupValues(optimizer: SchedulerOptimizer, key: string): number[] {
  return groupsOf(optimizer).map((g, i) => {
    const v = g[key];
    if (typeof v !== 'number') throw new TypeError(`param_groups[${i}] has no number '${key}'`);
    return v;
  });
}

/**
 * The optimizer's parameter groups, typed for schedulers (read and written in place).
 *
 * Args:
 *   optimizer: the optimizer.
 *
 * Example:
 *   for (const g of groupsOf(opt)) g.lr *= 0.5;
 */
export const groupsOf = (optimizer: SchedulerOptimizer): LrGroup[] => optimizer.paramGroups as unknown as LrGroup[];

/**
 * One value per group: a list is checked against the number of groups, a single value repeated (Python's
 * `_format_param`).
 *
 * Args:
 *   name: the argument's name for the error message.
 *   optimizer: the optimizer whose groups are counted.
 *   value: one number or one per group.
 *
 * Example:
 *   perGroup('maxLr', opt, 0.1); // [0.1, 0.1] for two groups
 */
export function perGroup(name: string, optimizer: SchedulerOptimizer, value: number | readonly number[]): number[] {
  const n = optimizer.paramGroups.length;
  if (typeof value === 'number') return Array.from({ length: n }, () => value);
  if (value.length !== n)
    throw new RangeError(
      `${name} must have the same length as optimizer.paramGroups: ${name} has ${value.length} values, paramGroups has ${n}`,
    );
  return [...value];
}

/**
 * Converts what torch.load gives (Maps, bigints, one-element tensors) into plain state values.
 *
 * Args:
 *   v: the loaded value.
 *   where: its place, for error messages.
 *
 * Example:
 *   plainValue(new Map([['a', 1n]]), 'sd'); // { a: 1 }
 */
export function plainValue(v: unknown, where: string): SchedulerStateValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER))
      throw new RangeError(`${where} is ${v}, beyond a JS number's exact range`);
    return Number(v);
  }
  if (v instanceof Tensor) {
    if (v.numel() !== 1) throw new TypeError(`${where} is a tensor of shape [${v.shape}], expected a number`);
    return v.item() as number;
  }
  if (Array.isArray(v)) return v.map((x, i) => plainValue(x, `${where}[${i}]`));
  if (v instanceof Map)
    return Object.fromEntries([...v].map(([k, x]) => [String(k), plainValue(x, `${where}.${String(k)}`)]));
  if (typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainValue(x, `${where}.${k}`)]));
  throw new TypeError(`${where} is a ${typeof v}, not a state value`);
}

/**
 * The entries of a state dict given as a plain object (stateDict()) or a Map (torch.load).
 *
 * Args:
 *   sd: the state dict.
 *   who: the caller, for the error when `sd` is not a dict.
 *
 * Example:
 *   stateEntries(new Map([['last_epoch', 3]]), 'StepLR.loadStateDict'); // [['last_epoch', 3]]
 */
export function stateEntries(sd: unknown, who: string): [string, unknown][] {
  if (sd instanceof Map) return [...sd].map(([k, v]) => [String(k), v]);
  if (typeof sd === 'object' && sd !== null && !Array.isArray(sd) && !(sd instanceof Tensor)) return Object.entries(sd);
  throw new TypeError(`${who}: not a scheduler state dict (expected a dict)`);
}

const kindOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'list' : v instanceof Map ? 'dict' : typeof v;

/**
 * Base class of the learning-rate schedulers (PyTorch's `torch.optim.lr_scheduler.LRScheduler`).
 *
 * Args:
 *   optimizer: the optimizer whose groups' `lr` the scheduler sets.
 *   lastEpoch: the index of the last epoch (-1, the default, starts a schedule; a resumed schedule needs every
 *     group's `initialLr`, which the first scheduler recorded and the optimizer's state dict keeps).
 *
 * Example:
 *   class Halving extends LRScheduler {
 *     constructor(opt: SchedulerOptimizer) { super(opt); this.initialStep(); }
 *     override getLr(): number[] { return this.baseLrs.map((b) => b * 0.5 ** this.lastEpoch); }
 *   }
 */
export abstract class LRScheduler {
  /** The optimizer whose learning rates are scheduled. */
  optimizer: SchedulerOptimizer;
  /** Each group's `initialLr` when the schedule started (Python's `base_lrs`). */
  baseLrs: number[] = [];
  /** The index of the current epoch (Python's `last_epoch`): 0 after the constructor's initial step. */
  lastEpoch = -1;
  /** How many times `step` ran, the initial step included (Python's `_step_count`). */
  stepCount = 0;
  /** True only during the constructor's initial step (Python's `_is_initial`). */
  protected isInitial = false;
  /** The learning rates the last step set (Python's `_last_lr`). */
  protected lastLr: number[] = [];

  constructor(optimizer: SchedulerOptimizer, lastEpoch = -1, setup = true) {
    this.optimizer = optimizer;
    if (!setup) return;
    const groups = groupsOf(optimizer);
    if (lastEpoch === -1) for (const g of groups) g.initialLr ??= g.lr;
    else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined)
          throw new Error(
            `${this.constructor.name}: param group ${i} has no initialLr ('initial_lr'), needed when resuming with lastEpoch ${lastEpoch}: load the optimizer's state dict first`,
          );
      });
    }
    this.baseLrs = groupValues(optimizer, 'initialLr');
    this.lastEpoch = lastEpoch;
  }

  /** The constructor's step (Python's `_initial_step`): resets `stepCount` and steps once in initial mode. */
  initialStep(): void {
    this.stepCount = 0;
    this.isInitial = true;
    try {
      this.step();
    } finally {
      this.isInitial = false;
    }
  }

  /**
   * The learning rates of the next epoch, one per group (the chainable form, computed from the groups' current
   * lrs where PyTorch does so). Called by `step`; to read the current rates use `getLastLr()`.
   */
  abstract getLr(): number[];

  /** The closed form for `step(epoch)`, where PyTorch has one (Python's `_get_closed_form_lr`). */
  protected closedFormLr?(): number[];

  /**
   * Moves to the next epoch and writes the new learning rates into the optimizer's groups. Call it after
   * `optimizer.step()`.
   *
   * Args:
   *   epoch: deprecated in PyTorch: jump to this epoch, with the closed form where the scheduler has one.
   */
  step(epoch?: number): void {
    this.stepCount += 1;
    this.updateLr(epoch);
  }

  /**
   * Sets the next (or the given) epoch's rates without counting a step (Python's `_update_lr`; SequentialLR
   * uses it).
   */
  updateLr(epoch?: number): void {
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr ? this.closedFormLr() : this.getLr();
    }
    this.writeLrs(values);
  }

  /** Writes one lr per group and records them as the last rates. */
  protected writeLrs(values: number[]): void {
    const groups = groupsOf(this.optimizer);
    if (values.length !== groups.length)
      throw new RangeError(
        `${this.constructor.name}: ${values.length} learning rates for ${groups.length} param groups`,
      );
    groups.forEach((g, i) => {
      g.lr = values[i];
    });
    this.lastLr = groupValues(this.optimizer, 'lr');
  }

  /** The learning rates the last step set, one per parameter group (a copy). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The state-dict keys in Python's order: the subclass's own attributes, then the base's. */
  protected stateKeys(): readonly StateKey[] {
    return [
      ['base_lrs', 'baseLrs'],
      ['last_epoch', 'lastEpoch'],
      ['_step_count', 'stepCount'],
      ['_is_initial', 'isInitial'],
      ['_get_lr_called_within_step', null, false],
      ['_last_lr', 'lastLr'],
    ];
  }

  /**
   * The scheduler's state with Python's keys (`step_size`, `base_lrs`, `last_epoch`, `_step_count`, `_last_lr`, ...),
   * so `torch.save` writes what Python's `scheduler.state_dict()` holds and Python's `load_state_dict` reads it.
   * Functions (lambdas, scale functions) are not saved, as in PyTorch.
   */
  stateDict(): SchedulerStateDict {
    const self = this as unknown as Record<string, unknown>;
    const out: SchedulerStateDict = {};
    for (const [py, prop, written] of this.stateKeys())
      out[py] = prop === null ? (written ?? null) : copyValue(self[prop] as SchedulerStateValue);
    return out;
  }

  /**
   * Restores the state from `stateDict()` output or from what `torch.load` returns for Python's
   * `scheduler.state_dict()`. Keys this scheduler does not have are ignored (as Python stores them unused);
   * a key whose value has the wrong kind is a TypeError naming it.
   *
   * Args:
   *   sd: the state dict (a plain object or a Map).
   */
  loadStateDict(sd: SchedulerStateDict | Map<string | number, unknown>): void {
    const who = `${this.constructor.name}.loadStateDict`;
    const keys = new Map(this.stateKeys().map(([py, prop]) => [py, prop]));
    for (const [k, v] of stateEntries(sd, who)) {
      const prop = keys.get(k);
      if (prop === undefined || prop === null) continue;
      this.loadField(prop, v, `${who}: '${k}'`);
    }
  }

  /** Sets one property from a loaded value, checking that its kind matches the current one. */
  protected loadField(prop: string, v: unknown, where: string): void {
    const self = this as unknown as Record<string, unknown>;
    const value = plainValue(v, where);
    const now = self[prop];
    const [a, b] = [kindOf(now), kindOf(value)];
    if (now !== null && now !== undefined && value !== null && a !== b && !(a === 'dict' && b === 'object')) {
      throw new TypeError(`${where} is a ${b}, expected a ${a}`);
    }
    self[prop] = value;
  }
}

function copyValue(v: SchedulerStateValue): SchedulerStateValue {
  if (v instanceof Map) return new Map(v);
  if (Array.isArray(v)) return v.map(copyValue);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyValue(x)]));
  return v;
}
