// nn.Module: parameters, buffers and child modules registered under PyTorch-compatible names.
//
// Ownership: a module owns its parameters and buffers. They are created `torch.keep`-ed so an
// enclosing `tidy` never frees them; `to()` replaces and disposes them; `dispose()` frees them all.
import * as torch from '../torch/index.js';
import { Tensor } from '../torch/tensor.js';
import type { DType } from '../torch/dtype.js';
import { Buffer, isParameter, markParameter } from './parameter.js';
import type { RemovableHandle } from '../torch/hooks.js';
import { BackwardHookCall, type FullBackwardHook, type FullBackwardPreHook } from './backward-hooks.js';

/** The keys loadStateDict did not find in the state dict, and the state-dict keys it did not use. */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Python's repr of a float (`1e-05`, `0.1`, `2.0`). */
export function pyFloat(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= 16) {
    const [m, e] = v.toExponential().split('e');
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return String(v);
}
/** Python's repr of a tuple of ints: `(3, 3, 3)`, `(64,)`. */
export const pyTuple = (v: readonly number[]): string => (v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`);
/** Python's repr of a boolean. */
export const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/** The registries every module has; the attribute traps below read them on the proxy's target. */
interface Registries {
  _parameters: Map<string, Tensor | null>;
  _buffers: Map<string, Tensor | null>;
  _nonPersistent: Set<string>;
  _modules: Map<string, Module | null>;
  /** Tensors computed from parameters (weight norm, spectral norm): read like parameters, not in the state dict. */
  _derived?: Map<string, Tensor>;
  registerParameter(name: string, value: Tensor | null): Tensor | null;
  registerBuffer(name: string, value: Tensor | null, persistent?: boolean): Tensor | null;
  registerModule(name: string, module: Module | null): Module | null;
}

const typeName = (v: unknown): string =>
  v === null
    ? 'null'
    : typeof v === 'object' || typeof v === 'function'
      ? ((v as object).constructor?.name ?? typeof v)
      : typeof v;

/** Whether `value` is already registered in `map` under a name other than `name` (a field that aliases it). */
function registeredElsewhere(map: Map<string, unknown>, name: string, value: unknown): boolean {
  for (const [k, v] of map) if (v === value && k !== name) return true;
  return false;
}

/** Drops `name` from the registries other than `keep` (PyTorch's remove_from before a re-registration). */
function removeFrom(t: Registries, name: string, keep: 'p' | 'b' | 'm'): void {
  if (keep !== 'p') t._parameters.delete(name);
  if (keep !== 'b') {
    t._buffers.delete(name);
    t._nonPersistent.delete(name);
  }
  if (keep !== 'm') t._modules.delete(name);
  const own = Object.getOwnPropertyDescriptor(t, name);
  if (own && 'value' in own) delete (t as unknown as Record<string, unknown>)[name];
}

/**
 * PyTorch's Module.__setattr__ for `module.name = value` (and class-field definitions): a Parameter
 * registers as a parameter, a Module as a child, an nn.Buffer (or any tensor assigned to a
 * registered buffer's name) as a buffer; null/undefined assigned to a registered name sets it to
 * None. Returns false when `value` is a plain attribute. A field that aliases a member already
 * registered under another name (`readonly outConv = this.registerModule('out_conv', ...)`) stays
 * a plain attribute. `declaration`: a class field without initializer (undefined) leaves a
 * registered name alone.
 */
function assignAttr(t: Registries, name: string, value: unknown, declaration: boolean): boolean {
  if (value === undefined && declaration)
    return t._parameters.has(name) || t._buffers.has(name) || t._modules.has(name);
  if (isParameter(value)) {
    if (registeredElsewhere(t._parameters, name, value)) return false;
    removeFrom(t, name, 'p');
    t.registerParameter(name, value as Tensor);
    return true;
  }
  if (t._parameters.has(name)) {
    if (value !== null && value !== undefined)
      throw new TypeError(`cannot assign '${typeName(value)}' as parameter '${name}' (nn.Parameter or null expected)`);
    t.registerParameter(name, null);
    return true;
  }
  if (value instanceof Module) {
    if (registeredElsewhere(t._modules, name, value)) return false;
    removeFrom(t, name, 'm');
    t.registerModule(name, value);
    return true;
  }
  if (t._modules.has(name)) {
    if (value !== null && value !== undefined)
      throw new TypeError(`cannot assign '${typeName(value)}' as child module '${name}' (nn.Module or null expected)`);
    t._modules.set(name, null);
    return true;
  }
  if (value instanceof Buffer || t._buffers.has(name)) {
    if (value !== null && value !== undefined && !(value instanceof Tensor))
      throw new TypeError(`cannot assign '${typeName(value)}' as buffer '${name}' (Tensor or null expected)`);
    if (value instanceof Tensor && registeredElsewhere(t._buffers, name, value)) return false;
    removeFrom(t, name, 'b');
    const persistent = value instanceof Buffer ? value.persistent : !t._nonPersistent.has(name);
    t.registerBuffer(name, (value ?? null) as Tensor | null, persistent);
    return true;
  }
  return false;
}

/** `module.name` for a registered name: the parameter, buffer or child (null when set to None). */
function lookup(t: Registries, name: string): Tensor | Module | null {
  const p = t._parameters.get(name) ?? t._derived?.get(name);
  if (p !== undefined) return p;
  const b = t._buffers.get(name);
  if (b !== undefined) return b;
  return t._modules.get(name) ?? null;
}

/**
 * Makes a registered name readable as an attribute (PyTorch's __getattr__ over the registries):
 * an accessor on the instance, unless the class (or the instance) already has a member of that name.
 */
function exposeAttr(t: Registries, name: string, value: unknown): void {
  const own = Object.getOwnPropertyDescriptor(t, name);
  if (own) {
    if (own.get || own.set || (own.value !== undefined && own.value !== value)) return;
  } else if (name in t) {
    return;
  }
  Reflect.defineProperty(t, name, {
    get: () => lookup(t, name),
    set: (v: unknown) => {
      if (!assignAttr(t, name, v, false))
        Reflect.defineProperty(t, name, { value: v, writable: true, enumerable: true, configurable: true });
    },
    enumerable: true,
    configurable: true,
  });
}

/** Traps of the proxy every module is: assignments and field definitions register members; reads are not trapped. */
const TRAPS: ProxyHandler<Registries> = {
  set(target, key, value, receiver) {
    if (typeof key === 'string' && assignAttr(target, key, value, false)) return true;
    return Reflect.set(target, key, value, receiver);
  },
  defineProperty(target, key, desc) {
    if (typeof key === 'string' && 'value' in desc && assignAttr(target, key, desc.value, true)) return true;
    return Reflect.defineProperty(target, key, desc);
  },
  deleteProperty(target, key) {
    if (typeof key === 'string') {
      if (target._parameters.delete(key) || target._modules.delete(key)) return Reflect.deleteProperty(target, key);
      if (target._buffers.delete(key)) {
        target._nonPersistent.delete(key);
        return Reflect.deleteProperty(target, key);
      }
    }
    return Reflect.deleteProperty(target, key);
  },
};

/**
 * lib/nn-internal access to a module's registries (used by nn.utils: weight norm, spectral norm, fusion).
 * `setDerived(name, t)` makes `t` (kept, the previous one disposed) what `module.param(name)` and
 * `module[name]` return while `name` is not a parameter; null removes it.
 */
export function registries(m: Module): {
  parameters: Map<string, Tensor | null>;
  buffers: Map<string, Tensor | null>;
  modules: Map<string, Module | null>;
  setDerived(name: string, t: Tensor | null): void;
} {
  const r = m as unknown as Registries;
  return {
    parameters: r._parameters,
    buffers: r._buffers,
    modules: r._modules,
    setDerived(name: string, t: Tensor | null): void {
      if (!r._derived)
        Object.defineProperty(r, '_derived', {
          value: new Map<string, Tensor>(),
          configurable: true,
          writable: true,
          enumerable: false,
        });
      const old = r._derived!.get(name);
      if (t) r._derived!.set(name, torch.keep(t));
      else r._derived!.delete(name);
      if (old && old !== t) old.dispose();
      if (t) exposeAttr(r, name, t);
    },
  };
}

export type { RemovableHandle } from '../torch/hooks.js';
export type { FullBackwardHook, FullBackwardPreHook } from './backward-hooks.js';
/** A forward pre-hook: (module, args) -> new args (an array), a new single argument, or undefined. */
export type ForwardPreHook<M = Module> = (module: M, args: unknown[]) => unknown;
/** A forward hook: (module, args, output) -> a replacement output, or undefined. */
export type ForwardHook<M = Module> = (module: M, args: unknown[], output: unknown) => unknown;
type AnyHook = ForwardPreHook<Module> | ForwardHook<Module> | FullBackwardHook | FullBackwardPreHook;
interface HookEntry {
  id: number;
  fn: AnyHook;
  alwaysCall: boolean;
}
interface HookState {
  pre: HookEntry[];
  post: HookEntry[];
  backward: HookEntry[];
  backwardPre: HookEntry[];
  inner: (...a: unknown[]) => unknown;
}
let nextHookId = 0;

/** The forward a module with hooks gets as an own property: pre-hooks, the class's forward, hooks. */
function hookedForward(module: Module, state: HookState): (...a: unknown[]) => unknown {
  return (...callArgs: unknown[]): unknown => {
    let args = callArgs;
    for (const h of [...state.pre]) {
      const r = (h.fn as ForwardPreHook<Module>)(module, args);
      if (r !== undefined) args = Array.isArray(r) ? r : [r];
    }
    const bw =
      state.backward.length || state.backwardPre.length
        ? new BackwardHookCall(
            module,
            state.backward.map((h) => h.fn as FullBackwardHook),
            state.backwardPre.map((h) => h.fn as FullBackwardPreHook),
          )
        : null;
    if (bw) args = bw.setupInputs(args);
    let out: unknown;
    try {
      out = state.inner.apply(module, args);
    } catch (err) {
      for (const h of [...state.post])
        if (h.alwaysCall) {
          try {
            (h.fn as ForwardHook<Module>)(module, args, undefined);
          } catch {
            /* the forward error wins */
          }
        }
      throw err;
    }
    for (const h of [...state.post]) {
      const r = (h.fn as ForwardHook<Module>)(module, args, out);
      if (r !== undefined) out = r;
    }
    return bw ? bw.setupOutput(out) : out;
  };
}

/**
 * Makes instances callable and gives them PyTorch's attribute registration: the constructor returns
 * a Proxy of an arrow function whose prototype is the subclass's, so `model(x)` runs
 * `model.forward(x)`, every field, getter and method still works, and assigning a module, an
 * nn.Parameter or an nn.Buffer to a field (class fields included) registers it. Own
 * `length`/`name` of the function are removed so getters such as `Sequential.length` are not shadowed.
 */
class CallableBase {
  constructor() {
    const self = ((...args: unknown[]): unknown =>
      (proxy as unknown as { forward(...a: unknown[]): unknown }).forward(...args)) as unknown as Registries;
    delete (self as { length?: number }).length;
    delete (self as { name?: string }).name;
    Object.setPrototypeOf(self, new.target.prototype);
    self._parameters = new Map();
    self._buffers = new Map();
    self._nonPersistent = new Set();
    self._modules = new Map();
    const proxy = new Proxy(self, TRAPS);
    return proxy;
  }
}

/** `model(x)` is `model.forward(x)`, typed by the subclass's forward (the last overload when overloaded). */
export interface Module {
  (...args: Parameters<this['forward']>): ReturnType<this['forward']>;
}
/**
 * Base of every layer (PyTorch's nn.Module): parameters, buffers and children registered by name (on
 * assignment or with register*), state dicts with PyTorch's keys, train/eval, to(), hooks, printing.
 */
// Declaration merging on purpose: the `Module` interface below adds the call signature.
export class Module extends CallableBase {
  /** Whether the module is in training mode (`train()` / `eval()`). */
  training = true;
  declare protected readonly _parameters: Map<string, Tensor | null>;
  declare protected readonly _buffers: Map<string, Tensor | null>;
  /** Buffers excluded from the state dict (PyTorch's persistent=False). */
  declare protected readonly _nonPersistent: Set<string>;
  declare protected readonly _modules: Map<string, Module | null>;

  /** The computation. Subclasses override it with their own signature. */
  forward(...args: never[]): unknown {
    void args;
    throw new Error(`${this.constructor.name}: forward() is not implemented`);
  }

  /** Calls `forward` (PyTorch's `module(x)`). */
  call<A extends unknown[], R>(this: { forward(...args: A): R }, ...args: A): R {
    return this.forward(...args);
  }

  // ---- registration ----
  /**
   * Registers (or replaces, disposing the old one) a parameter; it is kept out of scopes and, unless
   * it already was a parameter (an nn.Parameter keeps its requiresGrad), requires grad. The name
   * becomes readable as `module[name]` when the class has no member of that name.
   */
  registerParameter(name: string, value: Tensor | null): Tensor | null {
    this.checkName(name, this._buffers, this._modules);
    if (value !== null && !(value instanceof Tensor))
      throw new TypeError(
        `${this.constructor.name}.registerParameter('${name}'): expected a Tensor or null, got ${typeName(value)}`,
      );
    const old = this._parameters.get(name);
    if (value) {
      torch.keep(value);
      if (!isParameter(value) && !value.requiresGrad && value.isFloatingPoint()) value.requiresGrad_(true);
      markParameter(value);
    }
    this._parameters.set(name, value);
    if (old && old !== value) old.dispose();
    exposeAttr(this as unknown as Registries, name, value);
    return value;
  }
  /** Registers (or replaces, disposing the old one) a buffer. `persistent=false` keeps it out of the state dict. */
  registerBuffer(name: string, value: Tensor | null, persistent = true): Tensor | null {
    this.checkName(name, this._parameters, this._modules);
    if (value !== null && !(value instanceof Tensor))
      throw new TypeError(
        `${this.constructor.name}.registerBuffer('${name}'): expected a Tensor or null, got ${typeName(value)}`,
      );
    const old = this._buffers.get(name);
    if (value) torch.keep(value);
    this._buffers.set(name, value);
    if (persistent) this._nonPersistent.delete(name);
    else this._nonPersistent.add(name);
    if (old && old !== value) old.dispose();
    exposeAttr(this as unknown as Registries, name, value);
    return value;
  }
  /** Registers (or replaces) a child module under `name` (PyTorch's register_module / add_module). */
  registerModule<M extends Module | null>(name: string, module: M): M {
    this.checkName(name, this._parameters, this._buffers);
    if (module !== null && !(module instanceof Module))
      throw new TypeError(
        `${this.constructor.name}.registerModule('${name}'): expected an nn.Module or null, got ${typeName(module)}`,
      );
    this._modules.set(name, module);
    exposeAttr(this as unknown as Registries, name, module);
    return module;
  }
  // ---- hooks ----
  /**
   * Runs `hook(module, args)` before every forward (PyTorch's register_forward_pre_hook). It may return
   * new arguments: an array is the argument list, any other value the single argument; undefined
   * keeps them. `prepend` runs it before the hooks already registered.
   */
  registerForwardPreHook(hook: ForwardPreHook<this>, options: { prepend?: boolean } = {}): RemovableHandle {
    return this.addHook('pre', hook as ForwardPreHook<Module>, options.prepend ?? false, false);
  }
  /**
   * Runs `hook(module, args, output)` after every forward (PyTorch's register_forward_hook); a value
   * it returns replaces the output. With `alwaysCall` it also runs (its result ignored, output
   * undefined) when forward throws, before the error propagates.
   */
  registerForwardHook(
    hook: ForwardHook<this>,
    options: { prepend?: boolean; alwaysCall?: boolean } = {},
  ): RemovableHandle {
    return this.addHook('post', hook as ForwardHook<Module>, options.prepend ?? false, options.alwaysCall ?? false);
  }
  /**
   * Runs `hook(module, gradInput, gradOutput)` during backward, once the gradients with respect to this
   * call's inputs are computed (PyTorch's register_full_backward_hook). `gradInput` has one entry per
   * forward argument (null for non-tensor arguments; zeros for a tensor that got no gradient),
   * `gradOutput` one per output (a Tensor output, or each element of an array output; null where no
   * gradient arrived). Returning an array as long as `gradInput` replaces those gradients; the
   * arrays must not be modified in place. When no input requires grad the hook runs with `gradInput`
   * all null, once the output gradients are known, and may not replace anything. Only calls made
   * while the hook is registered run it, and only with grad mode on. `prepend` runs it before the
   * hooks already registered. Gradients reach hooks on the JS thread: modules on CUDA fail backward
   * with "hooks on CUDA tensors are not supported yet".
   *
   * @example
   * const lin = new nn.Linear(3, 2);
   * const h = lin.registerFullBackwardHook((m, gradInput, gradOutput) => {
   *   console.log(gradInput[0]?.shape, gradOutput[0]?.shape); // [4, 3] [4, 2]
   * });
   * lin(torch.randn([4, 3], { requiresGrad: true })).sum().backward();
   * h.remove();
   */
  registerFullBackwardHook(hook: FullBackwardHook<this>, options: { prepend?: boolean } = {}): RemovableHandle {
    return this.addHook('backward', hook as FullBackwardHook, options.prepend ?? false, false);
  }
  /**
   * Runs `hook(module, gradOutput)` during backward when the gradients with respect to this call's
   * outputs are available, before they flow into the module (PyTorch's
   * register_full_backward_pre_hook). `gradOutput` has one entry per output (null where no gradient
   * arrived); returning an array of the same length replaces them. Same conditions as
   * `registerFullBackwardHook`.
   *
   * @example
   * const h = lin.registerFullBackwardPreHook((m, gradOutput) => gradOutput.map((g) => g?.mul(0.5) ?? null));
   * lin(x).sum().backward(); // the module sees half the output gradient
   * h.remove();
   */
  registerFullBackwardPreHook(hook: FullBackwardPreHook<this>, options: { prepend?: boolean } = {}): RemovableHandle {
    return this.addHook('backwardPre', hook as FullBackwardPreHook, options.prepend ?? false, false);
  }
  private addHook(
    kind: 'pre' | 'post' | 'backward' | 'backwardPre',
    fn: AnyHook,
    prepend: boolean,
    alwaysCall: boolean,
  ): RemovableHandle {
    const self = this as unknown as { _hooks?: HookState; forward: (...a: unknown[]) => unknown };
    let state = self._hooks;
    if (!state) {
      const inner = self.forward;
      state = { pre: [], post: [], backward: [], backwardPre: [], inner };
      Object.defineProperty(this, '_hooks', { value: state, configurable: true, writable: true, enumerable: false });
      Object.defineProperty(this, 'forward', {
        value: hookedForward(this, state),
        configurable: true,
        writable: true,
        enumerable: false,
      });
    }
    const entry: HookEntry = { id: nextHookId++, fn, alwaysCall };
    const list = state[kind];
    if (prepend) list.unshift(entry);
    else list.push(entry);
    const remove = (): void => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
      const empty = !state.pre.length && !state.post.length && !state.backward.length && !state.backwardPre.length;
      if (self._hooks === state && empty) {
        delete (this as unknown as Record<string, unknown>).forward;
        delete (this as unknown as Record<string, unknown>)._hooks;
      }
    };
    return { id: entry.id, remove, [Symbol.dispose]: remove };
  }
  /** Alias of `registerModule` (PyTorch's add_module). */
  addModule<M extends Module | null>(name: string, module: M): M {
    return this.registerModule(name, module);
  }
  private checkName(name: string, ...others: Map<string, unknown>[]): void {
    if (name === '' || name.includes('.'))
      throw new TypeError(`${this.constructor.name}: invalid name '${name}' (empty or contains '.')`);
    if (others.some((m) => m.has(name)))
      throw new TypeError(`${this.constructor.name}: attribute '${name}' already exists`);
  }

  /**
   * A registered parameter by local name, or the tensor computed in its place by weightNorm / spectralNorm (throws
   * when absent).
   */
  param(name: string): Tensor {
    const t = this._parameters.get(name) ?? (this as unknown as Registries)._derived?.get(name);
    if (!t) throw new Error(`${this.constructor.name}: no parameter '${name}'`);
    return t;
  }
  /** A registered parameter or null. */
  paramOrNull(name: string): Tensor | null {
    return this._parameters.get(name) ?? (this as unknown as Registries)._derived?.get(name) ?? null;
  }
  /** A registered buffer of this module (not of submodules), or null when absent. */
  buffer(name: string): Tensor | null {
    return this._buffers.get(name) ?? null;
  }
  /** A direct submodule by name; throws naming it when there is none. */
  child<M extends Module = Module>(name: string): M {
    const m = this._modules.get(name);
    if (!m) throw new Error(`${this.constructor.name}: no submodule '${name}'`);
    return m as M;
  }
  /** Submodule by dotted path ('encoder.block_one.conv.0'). */
  getSubmodule(path: string): Module {
    if (path === '') return this;
    let m: Module = this;
    for (const part of path.split('.')) m = m.child(part);
    return m;
  }

  // ---- iteration ----
  /** (path, module) pairs of this module and every submodule, depth first, each module once. */
  *namedModules(prefix = '', memo: Set<Module> = new Set()): Generator<[string, Module]> {
    if (memo.has(this)) return;
    memo.add(this);
    yield [prefix, this];
    for (const [name, m] of this._modules) {
      if (!m) continue;
      yield* m.namedModules(prefix ? `${prefix}.${name}` : name, memo);
    }
  }
  /** This module and every submodule, depth first, each once. */
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }
  /** (name, module) pairs of the direct submodules, each module once. */
  *namedChildren(): Generator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [name, m] of this._modules) {
      if (m && !seen.has(m)) {
        seen.add(m);
        yield [name, m];
      }
    }
  }
  /** The direct submodules, each once. */
  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }
  private *namedMembers(
    kind: '_parameters' | '_buffers',
    prefix: string,
    recurse: boolean,
  ): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [name, t] of m[kind]) {
        if (!t || seen.has(t)) continue;
        seen.add(t);
        yield [mp ? `${mp}.${name}` : name, t];
      }
    }
  }
  /** (name, parameter) pairs in PyTorch's order; the tensors are the module's own (do not dispose). */
  *namedParameters(prefix = '', recurse = true): Generator<[string, Tensor]> {
    yield* this.namedMembers('_parameters', prefix, recurse);
  }
  /** The parameters in PyTorch's order (with submodules' unless `recurse` is false); the module's own tensors. */
  parameters(recurse = true): Tensor[] {
    return [...this.namedParameters('', recurse)].map(([, t]) => t);
  }
  /** (name, buffer) pairs in PyTorch's order; the tensors are the module's own (do not dispose). */
  *namedBuffers(prefix = '', recurse = true): Generator<[string, Tensor]> {
    yield* this.namedMembers('_buffers', prefix, recurse);
  }
  /** The buffers in PyTorch's order (with submodules' unless `recurse` is false); the module's own tensors. */
  buffers(recurse = true): Tensor[] {
    return [...this.namedBuffers('', recurse)].map(([, t]) => t);
  }
  /** Number of parameter elements (all, or only those requiring grad). */
  numParameters(onlyTrainable = false): number {
    return this.parameters().reduce((n, p) => n + (!onlyTrainable || p.requiresGrad ? p.numel() : 0), 0);
  }

  // ---- state dict ----
  /**
   * Map name -> tensor in PyTorch's order (own parameters, own persistent buffers, then children
   * recursively). By default the values are detached aliases (new handles sharing storage) that the
   * caller owns (dispose them, or call inside `torch.tidy`); `keepVars: true` gives the module's own
   * tensors (do not dispose those).
   */
  stateDict(options: { prefix?: string; keepVars?: boolean } = {}): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    this.collectState(options.prefix ?? '', out, options.keepVars ?? false);
    return out;
  }
  private collectState(prefix: string, out: Map<string, Tensor>, keepVars: boolean): void {
    for (const [name, t] of this._parameters) if (t) out.set(prefix + name, keepVars ? t : t.detach());
    for (const [name, t] of this._buffers) {
      if (t && !this._nonPersistent.has(name)) out.set(prefix + name, keepVars ? t : t.detach());
    }
    for (const [name, m] of this._modules) if (m) m.collectState(`${prefix}${name}.`, out, keepVars);
  }

  /**
   * Copies the values of `stateDict` into this module's parameters and buffers, in place and
   * without autograd (tensors keep their identity, so optimizers holding them stay valid).
   * Shape mismatches always fail; with `strict` (default) missing and unexpected keys fail too.
   */
  loadStateDict(
    stateDict: Map<string, Tensor> | Record<string, Tensor>,
    options: { strict?: boolean } = {},
  ): LoadStateDictResult {
    const strict = options.strict ?? true;
    const sd = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const own = this.stateDict({ keepVars: true });
    const missingKeys = [...own.keys()].filter((k) => !sd.has(k));
    const unexpectedKeys = [...sd.keys()].filter((k) => !own.has(k));
    const errors: string[] = [];
    for (const [k, target] of own) {
      const src = sd.get(k);
      if (!src) continue;
      const a = src.shape,
        b = target.shape;
      if (a.length !== b.length || a.some((v, i) => v !== b[i])) {
        errors.push(
          `size mismatch for ${k}: copying a param with shape [${a.join(', ')}] from checkpoint, the shape in current model is [${b.join(', ')}].`,
        );
      }
    }
    if (strict) {
      if (unexpectedKeys.length)
        errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}.`);
      if (missingKeys.length)
        errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}.`);
    }
    if (errors.length)
      throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    torch.noGrad(() => {
      for (const [k, target] of own) {
        const src = sd.get(k);
        if (src) target.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- modes, conversion ----
  /** Sets training mode (or eval mode with `false`) on this module and every submodule. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  /** Eval mode for this module and every submodule: `train(false)`. */
  eval(): this {
    return this.train(false);
  }
  /** Sets requiresGrad on every parameter in place. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }
  /** Sets every parameter's grad to null (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }
  /** Calls `fn` on every submodule (children first) and then on this module. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }
  /**
   * Moves/casts every parameter and buffer: a device string ('cuda', 'cpu'), a floating dtype
   * (only floating-point tensors are cast, as in PyTorch), or both. Old tensors are disposed;
   * tensors obtained earlier from `parameters()` are no longer the module's (build optimizers after `to`).
   */
  to(target: string | { device?: string; dtype?: DType }): this {
    const FLOATS = ['float16', 'bfloat16', 'float32', 'float64'];
    const opts =
      typeof target === 'string' ? (FLOATS.includes(target) ? { dtype: target as DType } : { device: target }) : target;
    if (opts.dtype && !FLOATS.includes(opts.dtype))
      throw new TypeError(`Module.to: dtype must be floating point, got ${opts.dtype}`);
    const convert = (t: Tensor): Tensor => {
      const dtype = opts.dtype && t.isFloatingPoint() ? opts.dtype : t.dtype;
      const device = opts.device ?? t.device;
      if (dtype === t.dtype && device === t.device) return t;
      return torch.noGrad(() => t.to({ dtype, device }));
    };
    for (const m of this.modules()) {
      for (const [name, t] of m._parameters) {
        if (!t) continue;
        const n = convert(t);
        if (n === t) continue;
        if (t.requiresGrad) n.requiresGrad_(true);
        m._parameters.set(name, torch.keep(markParameter(n)));
        t.dispose();
      }
      for (const [name, t] of m._buffers) {
        if (!t) continue;
        const n = convert(t);
        if (n === t) continue;
        m._buffers.set(name, torch.keep(n));
        t.dispose();
      }
    }
    return this;
  }
  /**
   * Replaces every parameter and buffer by an uninitialized tensor of the same shape and dtype on
   * `device` (PyTorch's to_empty: for modules built on the 'meta' device); the old ones are disposed.
   */
  toEmpty(options: { device?: string } = {}): this {
    const device = options.device ?? 'cpu';
    for (const m of this.modules()) {
      for (const map of [m._parameters, m._buffers]) {
        for (const [name, t] of map) {
          if (!t) continue;
          const n = torch.keep(torch.empty(t.shape, { dtype: t.dtype, device }));
          if (map === m._parameters) {
            if (t.requiresGrad) n.requiresGrad_(true);
            markParameter(n);
          }
          map.set(name, n);
          t.dispose();
        }
      }
    }
    return this;
  }
  /** Frees every parameter and buffer of this module tree now. */
  dispose(): void {
    for (const m of this.modules()) {
      for (const t of m._parameters.values()) t?.dispose();
      for (const t of m._buffers.values()) t?.dispose();
      for (const t of (m as unknown as Registries)._derived?.values() ?? []) t.dispose();
    }
  }

  // ---- printing ----
  /** The text inside the parentheses of this module's line (PyTorch's extra_repr). */
  extraRepr(): string {
    return '';
  }
  /** The module tree, as PyTorch prints it. */
  override toString(): string {
    const extra = this.extraRepr();
    const lines = extra ? extra.split('\n') : [];
    const childLines: string[] = [];
    for (const [name, m] of this._modules) {
      const text = m ? m.toString() : 'None';
      const indented = text
        .split('\n')
        .map((l, i) => (i === 0 ? l : `  ${l}`))
        .join('\n');
      childLines.push(`(${name}): ${indented}`);
    }
    const all = [...lines, ...childLines];
    let s = `${this.typeName()}(`;
    if (all.length) {
      if (lines.length === 1 && !childLines.length) s += extra;
      else s += `\n  ${all.join('\n  ')}\n`;
    }
    return `${s})`;
  }
  /** The class name shown by toString (defaults to the constructor name). */
  protected typeName(): string {
    return this.constructor.name;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
