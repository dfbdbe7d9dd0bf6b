// Optimizer base: parameter groups, per-parameter state, zeroGrad, and PyTorch-layout state dicts.
import * as torch from '../torch/index.js';
import { Tensor } from '../torch/tensor.js';
import type { Loaded } from '../torch/serialize.js';
import { readOptimizerState, type GroupValue, type SavedOptimizerState } from './state-dict.js';

export type { GroupValue } from './state-dict.js';
/** A per-parameter state entry: a tensor (momentum buffer, moments, Adam's step) or a number. */
export type StateValue = Tensor | number;
export type ParamState = Record<string, StateValue>;
/** A parameter group: the tensors and this group's hyper-parameters. */
export type ParamGroup<O> = O & { params: Tensor[] };
/** Parameters as a flat list, or groups that override the defaults per group. */
export type ParamsArg<O> = Tensor[] | Iterable<Tensor> | (Partial<O> & { params: Tensor[] })[];

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

export abstract class Optimizer<O extends object> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (tensors owned by the optimizer). */
  readonly state = new Map<Tensor, ParamState>();
  readonly defaults: O;

  constructor(params: ParamsArg<O>, defaults: O) {
    this.defaults = defaults;
    const list = [...(params as Iterable<Tensor | (Partial<O> & { params: Tensor[] })>)];
    if (list.length === 0) throw new TypeError(`${this.constructor.name}: got an empty parameter list`);
    if (list.every((p) => p instanceof Tensor)) this.addParamGroup({ params: list as Tensor[] } as Partial<O> & { params: Tensor[] });
    else for (const g of list) {
      if (g instanceof Tensor) throw new TypeError(`${this.constructor.name}: mix of tensors and parameter groups`);
      this.addParamGroup(g);
    }
  }

  addParamGroup(group: Partial<O> & { params: Tensor[] }): void {
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const p of group.params) {
      if (seen.has(p)) throw new TypeError(`${this.constructor.name}: some parameters appear in more than one parameter group`);
      if (!p.isLeaf) throw new TypeError(`${this.constructor.name}: can't optimize a non-leaf Tensor`);
    }
    const full = { ...this.defaults, ...group, params: [...group.params] } as ParamGroup<O>;
    this.paramGroups.push(full);
  }

  /** Sets every parameter's grad to null (setToNone, the default) or zeroes it in place. */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) for (const p of g.params) {
      if (setToNone) p.grad = null;
      else {
        const gr = p.grad;
        if (gr) { torch.noGrad(() => gr.zero_()); gr.dispose(); }
      }
    }
  }

  /** One update of every parameter that has a gradient. */
  abstract step(): void;

  /** Runs `update(p, grad, state, group)` for each parameter with a gradient, without autograd, disposing temporaries. */
  protected forEachParam(update: (p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<O>) => void): void {
    torch.noGrad(() => {
      for (const group of this.paramGroups) for (const p of group.params) {
        torch.tidy(() => {
          const grad = p.grad;
          if (!grad) return;
          let st = this.state.get(p);
          if (!st) { st = {}; this.state.set(p, st); }
          update(p, grad, st, group);
          for (const v of Object.values(st)) if (v instanceof Tensor) torch.keep(v);
        });
      }
    });
  }

  /**
   * PyTorch's layout: `{ state: { index: { momentum_buffer | step, exp_avg, ... } }, param_groups: [{ lr, ..., params: [indices] }] }`.
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
      const params = g.params.map((p) => { if (!index.has(p)) index.set(p, index.size); return index.get(p)!; });
      return { ...out, params };
    });
    const state: Record<number, Record<string, StateValue>> = torch.withIntKeys({});
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const o: Record<string, StateValue> = {};
      for (const [k, v] of Object.entries(st)) o[snake(k)] = v instanceof Tensor ? torch.noGrad(() => v.clone()) : v;
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
      throw new RangeError(`${who}: loaded state dict has ${saved.groups.length} parameter groups, the optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    saved.groups.forEach((g, gi) => {
      const own = this.paramGroups[gi];
      if (g.params.length !== own.params.length) throw new RangeError(`${who}: group ${gi} has ${g.params.length} parameters in the state dict, ${own.params.length} in the optimizer`);
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
    try {
      for (const [index, entries] of saved.state) {
        const p = byIndex.get(index);
        if (!p) throw new RangeError(`${who}: state for unknown parameter index ${index}`);
        const st: ParamState = {};
        out.set(p, st);
        for (const [k, v] of entries) st[camel(k)] = copyStateValue(k, v, p, `${who}: state[${index}].${k}`);
      }
    } catch (err) {
      for (const st of out.values()) torch.dispose(Object.values(st));
      throw err;
    }
    return out;
  }

  /** Frees the optimizer's state tensors. */
  dispose(): void {
    for (const st of this.state.values()) for (const v of Object.values(st)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
  }
}

/** One state entry as the optimizer keeps it: `step` a float32 scalar tensor (PyTorch's form since 1.12, as
 *  Python's Adam converts a number), other tensors on the parameter's device, floating ones in its dtype. */
function copyStateValue(key: string, v: Tensor | number, p: Tensor, where: string): StateValue {
  if (key === 'step') {
    if (typeof v === 'number') return torch.keep(torch.tensor(v, { dtype: 'float32' }));
    return torch.keep(torch.noGrad(() => v.to({ dtype: v.dtype, device: v.device, copy: true })));
  }
  if (typeof v === 'number') return v;
  if (v.dim() > 0 && v.shape.join() !== p.shape.join()) {
    throw new RangeError(`${where} has shape [${v.shape}], the parameter [${p.shape}]`);
  }
  const dtype = v.isFloatingPoint() ? p.dtype : v.dtype;
  return torch.keep(torch.noGrad(() => v.to({ dtype, device: p.device, copy: true })));
}
