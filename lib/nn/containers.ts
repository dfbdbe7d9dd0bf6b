// Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict: members named as in PyTorch ('0', '1',
// ... or the dict keys).
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { Module } from './module.js';

/** A module whose forward takes and returns one tensor. */
export interface TensorModule extends Module {
  forward(x: Tensor): Tensor;
}

/**
 * Runs its children in order. Intermediate results are disposed as soon as the next child has
 * consumed them (the returned tensor is the caller's); autograd keeps what backward needs.
 */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }
  override get length(): number {
    return this._modules.size;
  }
  at<M extends Module = Module>(i: number): M {
    const idx = i < 0 ? i + this.length : i;
    return this.child<M>([...this._modules.keys()][idx]);
  }
  append(m: Module): this {
    this.registerModule(String(this._modules.size), m);
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
  override forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      let y = x;
      for (const m of this._modules.values()) if (m) y = (m as TensorModule).forward(y);
      return y === x ? x.alias() : y;
    });
  }
}

/** A list of child modules registered as '0', '1', ... (PyTorch's ModuleList). */
export class ModuleList extends Module {
  constructor(modules: Module[] = []) {
    super();
    modules.forEach((m) => this.append(m));
  }
  override get length(): number {
    return this._modules.size;
  }
  at<M extends Module = Module>(i: number): M {
    const idx = i < 0 ? i + this.length : i;
    if (idx < 0 || idx >= this.length)
      throw new RangeError(`ModuleList: index ${i} out of range for length ${this.length}`);
    return this.child<M>(String(idx));
  }
  append(m: Module): this {
    this.registerModule(String(this._modules.size), m);
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
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
      return (head + text)
        .split('\n')
        .map((l, i) => (i === 0 ? l : `  ${l}`))
        .join('\n');
    });
    return `${this.typeName()}(\n  ${lines.join('\n  ')}\n)`;
  }
}

/** Child modules by name, in insertion order (PyTorch's ModuleDict). */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> | Map<string, Module> = {}) {
    super();
    const entries = modules instanceof Map ? [...modules] : Object.entries(modules);
    for (const [k, m] of entries) this.registerModule(k, m);
  }
  get(key: string): Module | undefined {
    return this._modules.get(key) ?? undefined;
  }
  set(key: string, m: Module): this {
    this.registerModule(key, m);
    return this;
  }
  has(key: string): boolean {
    return this._modules.has(key);
  }
  keys(): string[] {
    return [...this._modules.keys()];
  }
  get size(): number {
    return this._modules.size;
  }
  [Symbol.iterator](): Iterator<[string, Module]> {
    return this.namedChildren();
  }
}

/** PyTorch's ParameterList/ParameterDict line for one tensor: `Parameter containing: [torch.float32 of size 3x2]`. */
function paramLine(key: string, t: Tensor, typeName: string): string {
  const device = t.device.startsWith('cuda') ? ` (${t.device.includes(':') ? t.device : `${t.device}:0`})` : '';
  return `  (${key}): Parameter containing: [${typeName} of size ${t.shape.join('x')}${device}]`;
}

/** A list of parameters registered as '0', '1', ... (plain tensors become parameters, as in PyTorch). */
export class ParameterList extends Module {
  constructor(values: Iterable<Tensor> = []) {
    super();
    for (const v of values) this.append(v);
  }
  override get length(): number {
    return this._parameters.size;
  }
  /** The parameter at `i` (negative counts from the end). */
  at(i: number): Tensor {
    const idx = i < 0 ? i + this.length : i;
    if (idx < 0 || idx >= this.length)
      throw new RangeError(`ParameterList: index ${i} out of range for length ${this.length}`);
    return this.param(String(idx));
  }
  /** Replaces the parameter at `i` (disposing the old one). */
  set(i: number, value: Tensor): this {
    const idx = i < 0 ? i + this.length : i;
    if (idx < 0 || idx >= this.length)
      throw new RangeError(`ParameterList: index ${i} out of range for length ${this.length}`);
    this.registerParameter(String(idx), value);
    return this;
  }
  append(value: Tensor): this {
    this.registerParameter(String(this.length), value);
    return this;
  }
  extend(values: Iterable<Tensor>): this {
    for (const v of values) this.append(v);
    return this;
  }
  *[Symbol.iterator](): Iterator<Tensor> {
    for (const p of this._parameters.values()) if (p) yield p;
  }
  override extraRepr(): string {
    return [...this._parameters]
      .map(([k, p]) => (p ? paramLine(k, p, `torch.${p.dtype}`) : `  (${k}): None`))
      .join('\n');
  }
}

/** Parameters by name, in insertion order (plain tensors become parameters, as in PyTorch). */
export class ParameterDict extends Module {
  constructor(parameters: Record<string, Tensor> | Map<string, Tensor> | Iterable<[string, Tensor]> = {}) {
    super();
    const entries =
      parameters instanceof Map || Symbol.iterator in parameters
        ? [...(parameters as Iterable<[string, Tensor]>)]
        : Object.entries(parameters);
    for (const [k, v] of entries) this.set(k, v);
  }
  get(key: string): Tensor | undefined {
    return this._parameters.get(key) ?? undefined;
  }
  set(key: string, value: Tensor): this {
    this.registerParameter(key, value);
    return this;
  }
  has(key: string): boolean {
    return this._parameters.has(key);
  }
  /** Removes `key` and returns its parameter (PyTorch's pop). */
  pop(key: string): Tensor {
    const p = this._parameters.get(key);
    if (!p) throw new RangeError(`ParameterDict: no key '${key}'`);
    this._parameters.delete(key);
    delete (this as unknown as Record<string, unknown>)[key];
    return p;
  }
  keys(): string[] {
    return [...this._parameters.keys()];
  }
  values(): Tensor[] {
    return [...this._parameters.values()].filter((p): p is Tensor => p !== null);
  }
  get size(): number {
    return this._parameters.size;
  }
  [Symbol.iterator](): Iterator<[string, Tensor]> {
    return this.namedParameters('', false);
  }
  override extraRepr(): string {
    return [...this._parameters].map(([k, p]) => (p ? paramLine(k, p, p.type()) : `  (${k}): None`)).join('\n');
  }
}
