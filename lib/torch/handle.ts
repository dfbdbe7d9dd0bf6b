// The JS side of a tensor handle and the memory model: explicit dispose, scopes (sync `tidy`,
// async `scope`), and a finalizer backstop for what escapes every scope. Native memory is
// invisible to the GC (and GPU memory entirely), so scopes are the primary mechanism.
import { AsyncLocalStorage } from 'node:async_hooks';
import { native } from './native.js';

const finalizer = new FinalizationRegistry<number>((h) => native.dispose(h));

type Scope = TensorBase[];

// Registering with a FinalizationRegistry costs ~0.3 us, more than a small op. Tensors created
// outside any scope are registered in batches at the end of the current job (or every 1024
// tensors); those disposed before then are never registered at all.
// The waiting tensors are the first `unregisteredCount` slots of a fixed array (a store and a count per
// tensor; Array.prototype.push on a growing array cost more than that on every op). A tensor disposed
// while it is the last one waiting leaves at once (the common create-use-dispose sequence), so that
// disposed tensors are not kept reachable until the batch is registered.
const BATCH = 1024;
const unregistered = new Array<TensorBase | undefined>(BATCH).fill(undefined);
let unregisteredCount = 0;
let flushQueued = false;
function registerWaiting(): void {
  const n = unregisteredCount;
  unregisteredCount = 0;
  for (let i = 0; i < n; i++) {
    const t = unregistered[i]!;
    unregistered[i] = undefined;
    t.registerFinalizer();
  }
}
function flushRegistrations(): void {
  flushQueued = false;
  registerWaiting();
}
function deferRegistration(t: TensorBase): void {
  if (unregisteredCount === BATCH) registerWaiting();
  unregistered[unregisteredCount++] = t;
  if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flushRegistrations);
  }
}
function leaveWaiting(t: TensorBase): void {
  if (unregisteredCount > 0 && unregistered[unregisteredCount - 1] === t) unregistered[--unregisteredCount] = undefined;
}
// Deferred disposal: dispose() appends the handle to a queue the addon shares (slot 0: how many follow) instead of
// calling into it, which costs as much as a small op. The addon releases the queued handles at the start of its next
// entry (before the next op allocates, so peak memory is what an immediate release gives), and this module at the end
// of the current job, or at once when the queue is full.
const disposeQueue = new Int32Array(native.disposeQueue);
const DISPOSE_CAPACITY = disposeQueue.length - 1;
let drainQueued = false;
function drainDisposed(): void {
  drainQueued = false;
  native.drainDisposed();
}
function queueDisposal(h: number): void {
  const n = disposeQueue[0]! + 1;
  disposeQueue[n] = h;
  disposeQueue[0] = n;
  if (n === DISPOSE_CAPACITY) native.drainDisposed();
  else if (!drainQueued) {
    drainQueued = true;
    queueMicrotask(drainDisposed);
  }
}

const syncScopes: Scope[] = [];
const asyncScopes = new AsyncLocalStorage<Scope>();

let openAsyncScopes = 0; // AsyncLocalStorage lookups cost; skip them when no async scope is open

function currentScope(): Scope | undefined {
  if (syncScopes.length) return syncScopes[syncScopes.length - 1];
  return openAsyncScopes ? asyncScopes.getStore() : undefined;
}

/** Base of Tensor: owns one native handle. */
export class TensorBase {
  /** Native handle; -1 once disposed. */
  declare h: number;
  /** Survives scope exits (set by `keep`). */
  declare kept: boolean;
  /** Registered with the finalizer (only tensors outside every scope are). */
  private declare registered: boolean;

  constructor(h: number) {
    // Plain assignments rather than class field initializers: with those, V8 does not inline the
    // construction of a Tensor (two derived classes deep) and took ~2x the instructions per tensor.
    this.h = h;
    this.kept = false;
    this.registered = false;
    const scope = currentScope();
    if (scope) scope.push(this);
    else deferRegistration(this);
  }

  /** Lets the garbage collector free the native tensor if it is never disposed (once; a no-op when disposed). */
  registerFinalizer(): void {
    if (!this.registered && this.h >= 0) {
      finalizer.register(this, this.h, this);
      this.registered = true;
    }
  }

  get isDisposed(): boolean {
    return this.h < 0;
  }

  /**
   * Frees the native tensor: its memory is released before the next native call (the next op) or at the end of the
   * current job, whichever comes first. Safe to call twice.
   */
  dispose(): void {
    if (this.h < 0) return;
    if (this.registered) finalizer.unregister(this);
    else leaveWaiting(this);
    queueDisposal(this.h);
    this.h = -1;
  }

  /** Frees the native tensor, as {@link TensorBase.dispose} (for `using`). */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Every tensor reachable in a returned value (tensors, arrays, plain objects, Maps). */
function collect(value: unknown, out: Set<TensorBase>, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (value instanceof TensorBase) {
    out.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collect(v, out, depth + 1);
  } else if (value instanceof Map) {
    for (const v of value.values()) collect(v, out, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out, depth + 1);
  }
}

function closeScope(scope: Scope, result: unknown, failed: boolean): void {
  // Most scopes return nothing or one tensor: avoid building a Set for those.
  let returned: Set<TensorBase> | TensorBase | undefined;
  if (!failed && result !== null && typeof result === 'object') {
    if (result instanceof TensorBase) returned = result;
    else collect(result, (returned = new Set<TensorBase>()));
  }
  const parent = currentScope();
  for (const t of scope) {
    if (t.h < 0) continue;
    const isReturned = returned !== undefined && (returned instanceof TensorBase ? returned === t : returned.has(t));
    if (isReturned || t.kept) {
      if (t.kept) t.registerFinalizer();
      else if (parent) parent.push(t);
      else t.registerFinalizer();
    } else {
      t.dispose();
    }
  }
}

/**
 * Runs `fn` and disposes every tensor it created, except those it returns (moved to the
 * enclosing scope) and those marked with `keep`. Synchronous: use `scope` across `await`.
 */
export function tidy<T>(fn: () => T): T {
  const scope: Scope = [];
  syncScopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    syncScopes.pop();
    closeScope(scope, undefined, true);
    throw err;
  }
  syncScopes.pop();
  if (result instanceof Promise) {
    closeScope(scope, undefined, true);
    throw new TypeError('torch.tidy: the callback returned a Promise; use torch.scope for async code');
  }
  closeScope(scope, result, false);
  return result;
}

/** Like `tidy`, for async callbacks: tensors created in this async context (across awaits) are scoped. */
export async function scope<T>(fn: () => Promise<T>): Promise<T> {
  const s: Scope = [];
  let result: T;
  openAsyncScopes++;
  try {
    result = await asyncScopes.run(s, fn);
  } catch (err) {
    closeScope(s, undefined, true);
    throw err;
  } finally {
    openAsyncScopes--;
  }
  closeScope(s, result, false);
  return result;
}

/** Exempts tensors from disposal by enclosing scopes; the caller disposes them (or the GC does). */
export function keep<T>(value: T): T {
  const found = new Set<TensorBase>();
  collect(value, found);
  for (const t of found) t.kept = true;
  return value;
}

/** Disposes every tensor reachable in `value`. */
export function dispose(value: unknown): void {
  const found = new Set<TensorBase>();
  collect(value, found);
  for (const t of found) t.dispose();
}

/** What `memory()` reports: the tensors this process holds and the memory behind them. */
export interface MemoryInfo {
  /** Tensor handles alive in the native table (JS Tensors not yet disposed or collected). */
  liveTensors: number;
  /** Bytes of distinct CPU storages referenced by live tensors. */
  cpuBytes: number;
  /** Bytes of distinct non-CPU storages referenced by live tensors. */
  deviceBytes: number;
  /** CUDA caching-allocator figures for device 0, when CUDA is available. */
  cuda: { allocated: number; reserved: number; peakAllocated: number; peakReserved: number } | null;
}

/**
 * A snapshot of the tensors alive in this process and the memory they reference, for finding leaks (a count that
 * grows from one iteration to the next means tensors that are neither disposed nor collected).
 *
 * Returns:
 *   Live tensor handles, bytes of distinct CPU and non-CPU storages they reference, and the CUDA caching
 *   allocator's figures for device 0 (null without CUDA).
 *
 * Example:
 *   const before = torch.memory().liveTensors;
 *   trainStep();
 *   console.log(torch.memory().liveTensors - before, 'tensors leaked');
 */
export function memory(): MemoryInfo {
  return { ...native.stats(), cuda: native.cudaIsAvailable() ? native.cudaMemory(0) : null };
}
