// Optimizer base: parameter groups, per-parameter state, zeroGrad, and PyTorch-layout state dicts.
import * as torch from '../torch/index.js';
import { Tensor } from '../torch/tensor.js';
import type { Loaded } from '../torch/serialize.js';
import { readOptimizerState, type GroupValue, type SavedOptimizerState } from './state-dict.js';

export type { GroupValue } from './state-dict.js';
/** A per-parameter state entry: a tensor (momentum buffer, moments, `step`), a number, or a list (LBFGS's history). */
export type StateValue = Tensor | number | (Tensor | number | null)[];
/**
 * One parameter's optimizer state, by camelCase name (`momentumBuffer`, `expAvg`, `step`, ...); `stateDict()` writes
 * the names in Python's snake_case.
 */
export type ParamState = Record<string, StateValue>;
/** A fresh `step` count: a 0-d float32 zero, as PyTorch's single-tensor optimizers keep it. */
export const zeroStep = (): Tensor => torch.zeros([], { dtype: 'float32' });
/**
 * Weight decay as PyTorch's optimizers apply it: decoupled as AdamW's (`p *= 1 - lr * weightDecay`, the gradient
 * kept) or an L2 penalty (the gradient plus `weightDecay * p`). Returns the gradient to use.
 *
 * Args:
 *   p: the parameter (changed in place when decoupled).
 *   grad: its gradient.
 *   lr, weightDecay: the group's values; nothing happens when weightDecay is 0.
 *   decoupled: decay the weights instead of the gradient.
 */
export function decayWeights(p: Tensor, grad: Tensor, lr: number, weightDecay: number, decoupled: boolean): Tensor {
  if (weightDecay === 0) return grad;
  if (!decoupled) return grad.add(p, { alpha: weightDecay });
  p.mul_(1 - lr * weightDecay);
  return grad;
}

/** A parameter group: the tensors and this group's hyper-parameters. */
export type ParamGroup<O> = O & { params: Tensor[] };
/** Parameters as a flat list, or groups that override the defaults per group. */
export type ParamsArg<O> = Tensor[] | Iterable<Tensor> | (Partial<O> & { params: Tensor[] })[];
/**
 * What `step(closure)` takes: a function that zeroes the grads, computes the loss, calls backward and returns
 * the loss.
 */
export type Closure = () => Tensor | number;
/**
 * Python's implementation selectors that several optimizers accept (`foreach`, `capturable`, `differentiable`,
 * `fused`).
 */
export interface ImplementationFlags {
  foreach: boolean | null;
  capturable: boolean;
  differentiable: boolean;
  fused: boolean | null;
}

/**
 * Checks Python's implementation selectors: `foreach` and `capturable` are accepted and kept in the groups (so state
 * dicts have Python's keys) but change nothing here (one code path, the same arithmetic); `differentiable` and
 * `fused` are not supported.
 *
 * Args:
 *   who: the optimizer's name for the error.
 *   o: the options.
 *
 * Example:
 *   checkImplementationFlags('RMSprop', { foreach: null, capturable: false, differentiable: false });
 */
export function checkImplementationFlags(who: string, o: Partial<ImplementationFlags>): void {
  if (o.differentiable)
    throw new RangeError(`${who}: differentiable=true is not supported (the step runs without autograd)`);
  if (o.fused) throw new RangeError(`${who}: fused=true is not supported (there is one, unfused, implementation)`);
}

/**
 * PyTorch's optimizer state_dict layout: state keyed by parameter index, groups with index lists (snake_case keys).
 * `stateDict()` marks `state` with `torch.withIntKeys`, so `torch.save` writes its keys as Python ints (as Python's
 * `optimizer.state_dict()` has them) although a JS object's keys read back as strings ('0', '1', ...).
 */
export type OptimizerStateDict = {
  state: Record<number, Record<string, StateValue>>;
  param_groups: (Record<string, GroupValue> & { params: number[] })[];
};

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The base of every optimizer, as PyTorch's `torch.optim.Optimizer`: it holds the parameter groups (each with its
 * own hyper-parameters, the defaults filled in), the per-parameter state, and saves and restores both in PyTorch's
 * state-dict layout. Subclasses implement `step`.
 *
 * Args:
 *   params: the parameters to optimize, as tensors (an array or any iterable, e.g. `model.parameters()`) or as
 *     parameter groups `{ params, ...hyper-parameters }` whose values override the defaults for that group.
 *   defaults: every hyper-parameter's value for groups that do not set it.
 *
 * Throws:
 *   TypeError for an empty parameter list, a mix of tensors and groups, a parameter in two groups, or a
 *   non-leaf tensor.
 *
 * Example:
 *   const opt = new optim.SGD([
 *     { params: backbone.parameters() },
 *     { params: head.parameters(), lr: 0.1 },
 *   ], { lr: 0.01, momentum: 0.9 });
 *   for (const [x, y] of batches) {
 *     opt.zeroGrad();
 *     lossFn(model.forward(x), y).backward();
 *     opt.step();
 *   }
 */
export abstract class Optimizer<O extends object> {
  /** The parameter groups, each with all hyper-parameters (a scheduler changes `lr` here). */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (tensors owned by the optimizer). */
  readonly state = new Map<Tensor, ParamState>();
  /** The hyper-parameters that groups without their own values take. */
  readonly defaults: O;

  constructor(params: ParamsArg<O>, defaults: O) {
    this.defaults = defaults;
    const list = [...(params as Iterable<Tensor | (Partial<O> & { params: Tensor[] })>)];
    if (list.length === 0) throw new TypeError(`${this.constructor.name}: got an empty parameter list`);
    if (list.every((p) => p instanceof Tensor))
      this.addParamGroup({ params: list as Tensor[] } as Partial<O> & { params: Tensor[] });
    else
      for (const g of list) {
        if (g instanceof Tensor) throw new TypeError(`${this.constructor.name}: mix of tensors and parameter groups`);
        this.addParamGroup(g);
      }
  }

  /**
   * Adds a parameter group, as PyTorch's `add_param_group` (e.g. to train layers unfrozen during training); values
   * it leaves out come from `defaults`.
   *
   * Throws:
   *   TypeError when a parameter is already in a group or is not a leaf.
   */
  addParamGroup(group: Partial<O> & { params: Tensor[] }): void {
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const p of group.params) {
      if (seen.has(p))
        throw new TypeError(`${this.constructor.name}: some parameters appear in more than one parameter group`);
      if (!p.isLeaf) throw new TypeError(`${this.constructor.name}: can't optimize a non-leaf Tensor`);
    }
    const full = { ...this.defaults, ...group, params: [...group.params] } as ParamGroup<O>;
    this.paramGroups.push(full);
  }

  /** Sets every parameter's grad to null (setToNone, the default) or zeroes it in place. */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups)
      for (const p of g.params) {
        if (setToNone) p.grad = null;
        else {
          const gr = p.grad;
          if (gr) {
            torch.noGrad(() => gr.zero_());
            gr.dispose();
          }
        }
      }
  }

  /**
   * One update of every parameter that has a gradient. With a closure, the closure runs first (with grad
   * enabled) and its loss is returned, as in PyTorch; LBFGS requires one.
   */
  abstract step(closure?: Closure): Tensor | number | undefined;

  /** Runs the closure, if any, with grad enabled (what every `step` does first). */
  protected runClosure(closure?: Closure): Tensor | number | undefined {
    return closure ? torch.enableGrad(closure) : undefined;
  }

  /**
   * Runs `update(p, grad, state, group)` for each parameter with a gradient, without autograd, disposing
   * temporaries.
   */
  protected forEachParam(update: (p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<O>) => void): void {
    torch.noGrad(() => {
      for (const group of this.paramGroups)
        for (const p of group.params) {
          torch.tidy(() => {
            const grad = p.grad;
            if (!grad) return;
            let st = this.state.get(p);
            if (!st) {
              st = {};
              this.state.set(p, st);
            }
            update(p, grad, st, group);
            torch.keep(Object.values(st));
          });
        }
    });
  }

  /**
   * The body of most `step`s, PyTorch's single-tensor loop: runs the closure, then, for each parameter with a
   * gradient, fills its state with `init(p, grad, group)` while the state is empty and calls `update` with the
   * gradient (negated when the group has `maximize` set). Returns the closure's loss.
   */
  protected stepEach(
    closure: Closure | undefined,
    init: ((p: Tensor, grad: Tensor, group: ParamGroup<O>) => ParamState) | null,
    update: (p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<O>) => void,
  ): Tensor | number | undefined {
    const loss = this.runClosure(closure);
    this.forEachParam((p, grad, st, group) => {
      if (init && Object.keys(st).length === 0) Object.assign(st, init(p, grad, group));
      update(p, (group as { maximize?: boolean }).maximize ? grad.neg() : grad, st, group);
    });
    return loss;
  }

  /**
   * PyTorch's layout:
   * `{ state: { index: { momentum_buffer | step, exp_avg, ... } }, param_groups: [{ lr, ..., params: [indices] }] }`.
   * `torch.save` writes it as Python writes `optimizer.state_dict()` (state keys as ints), so Python's
   * `optimizer.load_state_dict(torch.load(path))` resumes from it. Tensors are copies owned by the caller
   * (dispose them, e.g. with torch.dispose(sd)).
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const param_groups = this.paramGroups.map((g) => {
      const out: Record<string, GroupValue> = {};
      for (const [k, v] of Object.entries(g)) {
        if (k === 'params') continue;
        out[snake(k)] = Array.isArray(v) ? [...(v as unknown as number[])] : (v as GroupValue);
      }
      const params = g.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return { ...out, params };
    });
    const state: Record<number, Record<string, StateValue>> = torch.withIntKeys({});
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const o: Record<string, StateValue> = {};
      for (const [k, v] of Object.entries(st)) o[this.pyStateKeys[k] ?? snake(k)] = copyOut(v);
      state[i] = o;
    }
    return { state, param_groups };
  }

  /**
   * Restores hyper-parameters and state from `stateDict()` output, or from what `torch.load` returns for a file
   * written by Python's `torch.save(optimizer.state_dict(), path)` (or by `torch.save` here). State keyed by
   * strings ('0', '1': older checkpoints of ours) is accepted too. Tensors are copied; the argument stays the caller's.
   */
  loadStateDict(sd: OptimizerStateDict | Loaded): void {
    const who = `${this.constructor.name}.loadStateDict`;
    const saved = readOptimizerState(sd, who);
    if (saved.groups.length !== this.paramGroups.length) {
      throw new RangeError(
        `${who}: loaded state dict has ${saved.groups.length} parameter groups, the optimizer has ${this.paramGroups.length}`,
      );
    }
    const byIndex = new Map<number, Tensor>();
    saved.groups.forEach((g, gi) => {
      const own = this.paramGroups[gi];
      if (g.params.length !== own.params.length)
        throw new RangeError(
          `${who}: group ${gi} has ${g.params.length} parameters in the state dict, ${own.params.length} in the optimizer`,
        );
      g.params.forEach((idx, j) => byIndex.set(idx, own.params[j]));
    });
    const state = this.copyState(saved, byIndex, who);
    this.dispose();
    for (const [p, st] of state) this.state.set(p, st);
    saved.groups.forEach((g, gi) => {
      const own = this.paramGroups[gi] as Record<string, unknown>;
      for (const [k, v] of g.options) own[camel(k)] = Array.isArray(v) ? [...v] : v;
    });
  }

  /** Copies the saved per-parameter state onto the parameters' dtype and device (Adam's `step` keeps its own). */
  private copyState(saved: SavedOptimizerState, byIndex: Map<number, Tensor>, who: string): Map<Tensor, ParamState> {
    const out = new Map<Tensor, ParamState>();
    const ownKey = new Map(Object.entries(this.pyStateKeys).map(([own, py]) => [py, own]));
    try {
      for (const [index, entries] of saved.state) {
        const p = byIndex.get(index);
        if (!p) throw new RangeError(`${who}: state for unknown parameter index ${index}`);
        const st: ParamState = {};
        out.set(p, st);
        for (const [k, v] of entries)
          st[ownKey.get(k) ?? camel(k)] = copyStateValue(
            k,
            v,
            p,
            `${who}: state[${index}].${k}`,
            this.stateFollowsParamShapes,
          );
      }
    } catch (err) {
      for (const st of out.values()) torch.dispose(Object.values(st));
      throw err;
    }
    return out;
  }

  /** State keys whose Python name is not the camelCase one's snake_case (LBFGS's hDiag is 'H_diag'). */
  protected readonly pyStateKeys: Record<string, string> = {};
  /**
   * Whether state tensors have their parameter's shape (checked when loading); LBFGS's flat vectors and
   * Adafactor's factored moments do not.
   */
  protected readonly stateFollowsParamShapes: boolean = true;

  /** Frees the optimizer's state tensors. */
  dispose(): void {
    for (const st of this.state.values()) torch.dispose(Object.values(st));
    this.state.clear();
  }
}

/** A state value as stateDict() hands it out: tensors (also in lists) cloned, owned by the caller. */
function copyOut(v: StateValue): StateValue {
  if (v instanceof Tensor) return torch.noGrad(() => v.clone());
  if (Array.isArray(v)) return v.map((x) => (x instanceof Tensor ? torch.noGrad(() => x.clone()) : x));
  return v;
}

/** One state entry as the optimizer keeps it: `step` a float32 scalar tensor (PyTorch's form since 1.12, as
 *  Python's Adam converts a number), other tensors on the parameter's device, floating ones in its dtype. */
function copyStateValue(
  key: string,
  v: Tensor | number | (Tensor | number | null)[],
  p: Tensor,
  where: string,
  sameShape: boolean,
): StateValue {
  if (Array.isArray(v))
    return v.map((x, i) => (x instanceof Tensor ? (copyStateValue(key, x, p, `${where}[${i}]`, false) as Tensor) : x));
  if (key === 'step') {
    if (typeof v === 'number') return torch.keep(torch.tensor(v, { dtype: 'float32' }));
    return torch.keep(torch.noGrad(() => v.to({ dtype: v.dtype, device: v.device, copy: true })));
  }
  if (typeof v === 'number') return v;
  if (sameShape && v.dim() > 0 && v.shape.join() !== p.shape.join()) {
    throw new RangeError(`${where} has shape [${v.shape}], the parameter [${p.shape}]`);
  }
  const dtype = v.isFloatingPoint() ? p.dtype : v.dtype;
  return torch.keep(torch.noGrad(() => v.to({ dtype, device: p.device, copy: true })));
}
