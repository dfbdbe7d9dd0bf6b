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
 * A sequential container: its children run in the order they were given, each on the output of the one before.
 *
 * `forward(x)` passes `x` to the first child and each output on to the next, returning the last output; an empty
 * Sequential returns its input. The children are registered as `'0'`, `'1'`, ... (PyTorch's names, so state dicts
 * load), and can be reached with `at(i)` (negative counts from the end), added with `append(m)` and iterated over.
 * Intermediate results are disposed as soon as the next child has consumed them (the returned tensor is the caller's);
 * autograd keeps what backward needs. The whole container is one module: `parameters()`, `to()`, `train()` and hooks
 * reach every child. Each child must take and return one tensor. No Shape section: the input and output shapes are
 * those of the first and last children.
 *
 * @param modules - the child modules, in the order they run.
 * @example
 * import { torch, nn } from 'skcdf';
 * const model = new nn.Sequential(
 *   new nn.Conv2d(1, 20, 5),
 *   new nn.ReLU(),
 *   new nn.Conv2d(20, 64, 5),
 *   new nn.ReLU(),
 * );
 * console.log(model(torch.randn(2, 1, 28, 28)).shape); // [2, 64, 20, 20]
 * console.log(model.at(-2).constructor.name); // "Conv2d"
 */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }
  override get length(): number {
    return this._modules.size;
  }
  /** The submodule at `i` (negative counts from the end). */
  at<M extends Module = Module>(i: number): M {
    const idx = i < 0 ? i + this.length : i;
    return this.child<M>([...this._modules.keys()][idx]);
  }
  /** Adds `m` at the end (registered under the next index). */
  append(m: Module): this {
    this.registerModule(String(this._modules.size), m);
    return this;
  }
  /** Iterates the submodules in order. */
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

/**
 * Holds child modules in a list, registered as `'0'`, `'1'`, ... so that their parameters belong to the parent.
 *
 * Unlike a plain array of modules, the children are seen by `parameters()`, `stateDict()`, `to()`, `train()` and the
 * printed form. It has no forward of its own: the owner decides how to call them. `at(i)` (negative counts from the
 * end), `append(m)`, `length` and iteration work as on an array. The printed form collapses runs of identical children
 * as PyTorch's does (`(0-2): 3 x Linear(...)`).
 *
 * @param modules - the initial children (default none).
 * @example
 * import { torch, nn, type Tensor } from 'skcdf';
 * class Stack extends nn.Module {
 *   layers = new nn.ModuleList(Array.from({ length: 3 }, () => new nn.Linear(10, 10)));
 *   override forward(x: Tensor): Tensor {
 *     for (const layer of this.layers) x = (layer as nn.Linear).forward(x);
 *     return x;
 *   }
 * }
 * const model = new Stack();
 * console.log(model(torch.randn(4, 10)).shape); // [4, 10]
 * console.log(model.parameters().length); // 6
 */
export class ModuleList extends Module {
  constructor(modules: Module[] = []) {
    super();
    modules.forEach((m) => this.append(m));
  }
  override get length(): number {
    return this._modules.size;
  }
  /** The submodule at `i` (negative counts from the end). */
  at<M extends Module = Module>(i: number): M {
    const idx = i < 0 ? i + this.length : i;
    if (idx < 0 || idx >= this.length)
      throw new RangeError(`ModuleList: index ${i} out of range for length ${this.length}`);
    return this.child<M>(String(idx));
  }
  /** Adds `m` at the end (registered under the next index). */
  append(m: Module): this {
    this.registerModule(String(this._modules.size), m);
    return this;
  }
  /** Iterates the submodules in order. */
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

/**
 * Holds child modules by name, in insertion order, so that their parameters belong to the parent.
 *
 * Like a `Map` of modules whose entries are registered as children (seen by `parameters()`, `stateDict()`, `to()`,
 * `train()` and the printed form): `get(key)`, `set(key, m)`, `has(key)`, `keys()`, `size` and iteration over
 * `[name, module]` pairs. It has no forward of its own.
 *
 * @param modules - the initial children, as an object or a `Map` (default none).
 * @example
 * import { torch, nn } from 'skcdf';
 * const choices = new nn.ModuleDict({ conv: new nn.Conv2d(10, 10, 3), pool: new nn.MaxPool2d(3) });
 * const activations = new nn.ModuleDict(
 *   new Map<string, nn.Module>([['lrelu', new nn.LeakyReLU()], ['prelu', new nn.PReLU()]]),
 * );
 * const conv = choices.get('conv') as nn.Conv2d;
 * const act = activations.get('prelu') as nn.PReLU;
 * console.log(act(conv(torch.randn(1, 10, 8, 8))).shape); // [1, 10, 6, 6]
 * console.log(choices.keys()); // ["conv", "pool"]
 */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> | Map<string, Module> = {}) {
    super();
    const entries = modules instanceof Map ? [...modules] : Object.entries(modules);
    for (const [k, m] of entries) this.registerModule(k, m);
  }
  /** The submodule under `key`, or undefined. */
  get(key: string): Module | undefined {
    return this._modules.get(key) ?? undefined;
  }
  /** Registers `m` under `key` (replacing any module there). */
  set(key: string, m: Module): this {
    this.registerModule(key, m);
    return this;
  }
  /** Whether `key` is registered. */
  has(key: string): boolean {
    return this._modules.has(key);
  }
  /** The keys in insertion order. */
  keys(): string[] {
    return [...this._modules.keys()];
  }
  get size(): number {
    return this._modules.size;
  }
  /** Iterates (key, module) pairs in insertion order. */
  [Symbol.iterator](): Iterator<[string, Module]> {
    return this.namedChildren();
  }
}

/** PyTorch's ParameterList/ParameterDict line for one tensor: `Parameter containing: [torch.float32 of size 3x2]`. */
function paramLine(key: string, t: Tensor, typeName: string): string {
  const device = t.device.startsWith('cuda') ? ` (${t.device.includes(':') ? t.device : `${t.device}:0`})` : '';
  return `  (${key}): Parameter containing: [${typeName} of size ${t.shape.join('x')}${device}]`;
}

/**
 * Holds parameters in a list, registered as `'0'`, `'1'`, ... so that they belong to the parent module.
 *
 * Plain tensors given to it become parameters, as in PyTorch. `at(i)` (negative counts from the end), `set(i, t)`,
 * `append(t)`, `extend(ts)`, `length` and iteration work as on an array; the printed form lists each parameter's dtype
 * and size as PyTorch's does.
 *
 * @param values - the initial parameters (default none).
 * @example
 * import { torch, nn } from 'skcdf';
 * const params = new nn.ParameterList(Array.from({ length: 3 }, () => torch.randn(10, 10)));
 * let x = torch.randn(2, 10);
 * for (const p of params) x = x.matmul(p);
 * console.log(x.shape); // [2, 10]
 * console.log(params.at(0).requiresGrad); // true
 */
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
  /** Adds a parameter at the end (registered under the next index). */
  append(value: Tensor): this {
    this.registerParameter(String(this.length), value);
    return this;
  }
  /** Appends every parameter of `values` in order. */
  extend(values: Iterable<Tensor>): this {
    for (const v of values) this.append(v);
    return this;
  }
  /** Iterates the parameters in order. */
  *[Symbol.iterator](): Iterator<Tensor> {
    for (const p of this._parameters.values()) if (p) yield p;
  }
  override extraRepr(): string {
    return [...this._parameters]
      .map(([k, p]) => (p ? paramLine(k, p, `torch.${p.dtype}`) : `  (${k}): None`))
      .join('\n');
  }
}

/**
 * Holds parameters by name, in insertion order, so that they belong to the parent module.
 *
 * Like a `Map` of parameters: `get(key)`, `set(key, t)`, `has(key)`, `pop(key)`, `keys()`, `values()`, `size` and
 * iteration over `[name, parameter]` pairs. Plain tensors given to it become parameters, as in PyTorch.
 *
 * @param parameters - the initial parameters, as an object, a `Map` or `[name, tensor]` pairs (default none).
 * @example
 * import { torch, nn } from 'skcdf';
 * const choices = new nn.ParameterDict({ left: torch.randn(5, 10), right: torch.randn(5, 10) });
 * const output = torch.randn(2, 5).matmul(choices.get('left')!);
 * console.log(output.shape); // [2, 10]
 * console.log(choices.keys()); // ["left", "right"]
 */
export class ParameterDict extends Module {
  constructor(parameters: Record<string, Tensor> | Map<string, Tensor> | Iterable<[string, Tensor]> = {}) {
    super();
    const entries =
      parameters instanceof Map || Symbol.iterator in parameters
        ? [...(parameters as Iterable<[string, Tensor]>)]
        : Object.entries(parameters);
    for (const [k, v] of entries) this.set(k, v);
  }
  /** The parameter under `key`, or undefined. */
  get(key: string): Tensor | undefined {
    return this._parameters.get(key) ?? undefined;
  }
  /** Registers `value` as the parameter under `key` (replacing any there). */
  set(key: string, value: Tensor): this {
    this.registerParameter(key, value);
    return this;
  }
  /** Whether `key` is registered. */
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
  /** The keys in insertion order. */
  keys(): string[] {
    return [...this._parameters.keys()];
  }
  /** The parameters in insertion order. */
  values(): Tensor[] {
    return [...this._parameters.values()].filter((p): p is Tensor => p !== null);
  }
  get size(): number {
    return this._parameters.size;
  }
  /** Iterates (key, parameter) pairs in insertion order. */
  [Symbol.iterator](): Iterator<[string, Tensor]> {
    return this.namedParameters('', false);
  }
  override extraRepr(): string {
    return [...this._parameters].map(([k, p]) => (p ? paramLine(k, p, p.type()) : `  (${k}): None`)).join('\n');
  }
}
