// Autograd hooks that run JavaScript during backward: Tensor.registerHook (PyTorch's
// Tensor.register_hook) and the identity node nn.Module's full backward hooks are built on.
// The native side calls these functions from inside the autograd engine, synchronously on the JS
// thread; that holds for CPU graphs only (a hook reached on a CUDA tensor fails backward with an error).
import { wrapHandle } from './dispatch.js';
import { TensorBase } from './handle.js';
import { native } from './native.js';
import type { Tensor } from './tensor.js';

/**
 * Removes the hook it was returned for (PyTorch's RemovableHandle); also a Disposable, so `using h = ...`
 * removes it at the end of the block. Removing twice does nothing.
 *
 * @example
 * const h = x.registerHook((g) => g.mul(2));
 * y.backward();
 * h.remove();
 */
export interface RemovableHandle extends Disposable {
  /** A number identifying the hook. */
  readonly id: number;
  /** Unregisters the hook and releases its function. */
  remove(): void;
}

/**
 * A tensor hook: called with the gradient of the tensor during backward; a returned tensor (same shape
 * and dtype) replaces that gradient, undefined keeps it.
 *
 * @example
 * const double: TensorHook = (grad) => grad.mul(2);
 */
export type TensorHook = (grad: Tensor) => Tensor | void | undefined | null;

const describe = (v: unknown): string =>
  v === null ? 'null' : typeof v === 'object' ? ((v as object).constructor?.name ?? 'object') : typeof v;

/** The handle the native side takes for a hook's returned tensor (null keeps the gradient). */
function resultHandle(r: unknown, what: string): number | null {
  if (r === undefined || r === null) return null;
  if (!(r instanceof TensorBase))
    throw new TypeError(`${what}: the hook must return a Tensor or nothing, got ${describe(r)}`);
  if (r.isDisposed) throw new Error(`${what}: the hook returned a disposed tensor`);
  return r.h;
}

/**
 * Registers `hook` on `t` (what `t.registerHook(hook)` does; see there). Throws PyTorch's error when
 * `t` does not require grad.
 *
 * @example
 * const h = registerTensorHook(x, (g) => g.clamp(-1, 1));
 * h.remove();
 */
export function registerTensorHook(t: Tensor, hook: TensorHook): RemovableHandle {
  if (typeof hook !== 'function') throw new TypeError(`registerHook: expected a function, got ${describe(hook)}`);
  const id = native.registerTensorHook(t.h, (grad) => resultHandle(hook(wrapHandle(grad) as Tensor), 'registerHook'));
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    native.removeTensorHook(id);
  };
  return { id, remove, [Symbol.dispose]: remove };
}

/**
 * Gradients as module backward hooks see them: one entry per argument or output, null where none.
 *
 * @example
 * const halve = (grads: Grads): Grads => grads.map((g) => g?.mul(0.5) ?? null);
 */
export type Grads = (Tensor | null)[];

/**
 * lib/nn-internal: passes `tensors` through one identity node whose gradients go to `fn`, as PyTorch's
 * BackwardHookFunction. `kind` 'pre' calls `fn` with the gradients arriving at the node (those of the
 * returned tensors; null where none arrived), 'post' with those it passes on (zeros where none arrived).
 * `fn` may return an array of the same length to replace them. Returns the new tensors for those that
 * require grad, null for the others. `what` names the caller in errors.
 *
 * @example
 * const [y] = hookIdentity([x], 'pre', 'demo', (grads) => { console.log(grads[0]); });
 */
export function hookIdentity(
  tensors: Tensor[],
  kind: 'pre' | 'post',
  what: string,
  fn: (grads: Grads) => Grads | void,
): (Tensor | null)[] {
  const handles = native.backwardHookNode(
    tensors.map((t) => t.h),
    (grads) => {
      const r = fn(grads.map((g) => (g === null ? null : (wrapHandle(g) as Tensor))));
      if (r === undefined || r === null) return null;
      if (!Array.isArray(r)) throw new TypeError(`${what}: the hook must return an array of gradients or nothing`);
      return r.map((t) => resultHandle(t, what));
    },
    kind === 'post',
    what,
  );
  return handles.map((h) => (h === null ? null : (wrapHandle(h) as Tensor)));
}
