// Sequential, ModuleList, ModuleDict: children named as in PyTorch ('0', '1', ... or the dict keys).
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { Module } from './module.js';

/** A module whose forward takes and returns one tensor. */
export interface TensorModule extends Module { forward(x: Tensor): Tensor }

/**
 * Runs its children in order. Intermediate results are disposed as soon as the next child has
 * consumed them (the returned tensor is the caller's); autograd keeps what backward needs.
 */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }
  override get length(): number { return this._modules.size; }
  at<M extends Module = Module>(i: number): M {
    const idx = i < 0 ? i + this.length : i;
    return this.child<M>([...this._modules.keys()][idx]);
  }
  append(m: Module): this {
    this.registerModule(String(this._modules.size), m);
    return this;
  }
  [Symbol.iterator](): Iterator<Module> { return this.children(); }
  override forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      let y = x;
      for (const m of this._modules.values()) if (m) y = (m as TensorModule).forward(y);
      return y === x ? x.alias() : y;
    });
  }
}

export class ModuleList extends Module {
  constructor(modules: Module[] = []) {
    super();
    modules.forEach((m) => this.append(m));
  }
  override get length(): number { return this._modules.size; }
  at<M extends Module = Module>(i: number): M {
    const idx = i < 0 ? i + this.length : i;
    if (idx < 0 || idx >= this.length) throw new RangeError(`ModuleList: index ${i} out of range for length ${this.length}`);
    return this.child<M>(String(idx));
  }
  append(m: Module): this {
    this.registerModule(String(this._modules.size), m);
    return this;
  }
  [Symbol.iterator](): Iterator<Module> { return this.children(); }
  /** PyTorch's ModuleList repr: runs of identically printed children collapse to `(0-2): 3 x Layer(...)`. */
  override toString(): string {
    const reprs = [...this._modules.values()].map((m) => (m ? m.toString() : 'None'));
    if (!reprs.length) return `${this.typeName()}()`;
    const blocks: { start: number; end: number; text: string }[] = [];
    reprs.forEach((r, i) => {
      const last = blocks[blocks.length - 1];
      if (last && last.text === r) last.end = i;
      else blocks.push({ start: i, end: i, text: r });
    });
    const lines = blocks.map(({ start, end, text }) => {
      const head = start === end ? `(${start}): ` : `(${start}-${end}): ${end - start + 1} x `;
      return (head + text).split('\n').map((l, i) => (i === 0 ? l : `  ${l}`)).join('\n');
    });
    return `${this.typeName()}(\n  ${lines.join('\n  ')}\n)`;
  }
}

export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> | Map<string, Module> = {}) {
    super();
    const entries = modules instanceof Map ? [...modules] : Object.entries(modules);
    for (const [k, m] of entries) this.registerModule(k, m);
  }
  get(key: string): Module | undefined { return this._modules.get(key) ?? undefined; }
  set(key: string, m: Module): this {
    this.registerModule(key, m);
    return this;
  }
  has(key: string): boolean { return this._modules.has(key); }
  keys(): string[] { return [...this._modules.keys()]; }
  get size(): number { return this._modules.size; }
  [Symbol.iterator](): Iterator<[string, Module]> { return this.namedChildren(); }
}
