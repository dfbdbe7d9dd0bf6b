// Optimizer base: parameter groups, per-parameter state, zeroGrad, and PyTorch-layout state dicts.
import * as torch from '../torch/index.js';
import { Tensor } from '../torch/tensor.js';

export type StateValue = Tensor | number;
export type ParamState = Record<string, StateValue>;
/** A parameter group: the tensors and this group's hyper-parameters. */
export type ParamGroup<O> = O & { params: Tensor[] };
/** Parameters as a flat list, or groups that override the defaults per group. */
export type ParamsArg<O> = Tensor[] | Iterable<Tensor> | (Partial<O> & { params: Tensor[] })[];

/** PyTorch's optimizer state_dict layout: state keyed by parameter index, groups with index lists (snake_case keys). */
export interface OptimizerStateDict {
  state: Record<number, Record<string, StateValue>>;
  param_groups: (Record<string, number | boolean | string | null | number[]> & { params: number[] })[];
}

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
   * Tensors are copies owned by the caller (dispose them, e.g. with torch.dispose(sd)).
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const param_groups = this.paramGroups.map((g) => {
      const out: Record<string, number | boolean | string | null | number[]> = {};
      for (const [k, v] of Object.entries(g)) {
        if (k === 'params') continue;
        out[snake(k)] = Array.isArray(v) ? [...(v as unknown as number[])] : (v as number | boolean | string | null);
      }
      const params = g.params.map((p) => { if (!index.has(p)) index.set(p, index.size); return index.get(p)!; });
      return { ...out, params };
    });
    const state: Record<number, Record<string, StateValue>> = {};
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const o: Record<string, StateValue> = {};
      for (const [k, v] of Object.entries(st)) o[snake(k)] = v instanceof Tensor ? torch.noGrad(() => v.clone()) : v;
      state[i] = o;
    }
    return { state, param_groups };
  }

  /** Restores hyper-parameters and state from `stateDict()` output (tensors are copied; the argument stays the caller's). */
  loadStateDict(sd: OptimizerStateDict): void {
    if (sd.param_groups.length !== this.paramGroups.length) {
      throw new RangeError(`${this.constructor.name}.loadStateDict: loaded state dict has ${sd.param_groups.length} parameter groups, the optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    sd.param_groups.forEach((saved, gi) => {
      const g = this.paramGroups[gi];
      if (saved.params.length !== g.params.length) throw new RangeError(`${this.constructor.name}.loadStateDict: group ${gi} has ${saved.params.length} parameters in the state dict, ${g.params.length} in the optimizer`);
      saved.params.forEach((idx, j) => byIndex.set(idx, g.params[j]));
    });
    for (const st of this.state.values()) for (const v of Object.values(st)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
    for (const [key, saved] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      if (!p) throw new RangeError(`${this.constructor.name}.loadStateDict: state for unknown parameter index ${key}`);
      const st: ParamState = {};
      for (const [k, v] of Object.entries(saved)) {
        st[camel(k)] = v instanceof Tensor
          ? torch.keep(torch.noGrad(() => (k === 'step' ? v.to({ dtype: v.dtype, device: v.device, copy: true }) : v.to({ dtype: p.dtype, device: p.device, copy: true }))))
          : v;
      }
      this.state.set(p, st);
    }
    sd.param_groups.forEach((saved, gi) => {
      const g = this.paramGroups[gi] as Record<string, unknown>;
      for (const [k, v] of Object.entries(saved)) if (k !== 'params') g[camel(k)] = Array.isArray(v) ? [...v] : v;
    });
  }

  /** Frees the optimizer's state tensors. */
  dispose(): void {
    for (const st of this.state.values()) for (const v of Object.values(st)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
  }
}
