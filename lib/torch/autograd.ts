// Grad mode scopes and torch.autograd.grad.
import { noteBackward } from './backward-count.js';
import { native } from './native.js';
import type { Tensor } from './tensor.js';
import { wrap } from './tensor.js';

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = native.isGradEnabled();
  native.setGradEnabled(enabled);
  try {
    const result = fn();
    if (result instanceof Promise) {
      throw new TypeError(
        'noGrad/enableGrad: the callback returned a Promise; grad mode is per thread and cannot follow awaits',
      );
    }
    return result;
  } finally {
    native.setGradEnabled(previous);
  }
}

/**
 * What `noGrad()` and `enableGrad()` return when called without a callback: a scope that holds the grad mode until
 * it is disposed (`using g = noGrad()`) or `restore()` is called. Either puts back the mode that was in force when
 * the guard was made.
 */
export interface GradModeGuard extends Disposable {
  /** Puts back the grad mode that was in force before the guard (also what disposing it does). */
  restore(): void;
}

function guard(enabled: boolean): GradModeGuard {
  const previous = native.isGradEnabled();
  native.setGradEnabled(enabled);
  const restore = (): void => native.setGradEnabled(previous);
  return { restore, [Symbol.dispose]: restore };
}

/**
 * Disables gradient recording, as PyTorch's `torch.no_grad()`: operations inside run without building the autograd
 * graph (their results have `requiresGrad` false), which saves memory in inference and in parameter updates.
 * Grad mode is per thread, so the callback must be synchronous.
 *
 * Args:
 *   fn: the code to run without autograd.
 *
 * Returns:
 *   What `fn` returns; the previous grad mode is restored even if it throws.
 *
 * Throws:
 *   TypeError when `fn` returns a Promise (the mode cannot follow an await).
 *
 * Example:
 *   const pred = torch.noGrad(() => model.forward(x)); // no graph is recorded
 */
export function noGrad<T>(fn: () => T): T;
/**
 * Disables gradient recording until the returned guard is disposed, as `with torch.no_grad():` does for a block.
 *
 * Returns:
 *   A `GradModeGuard`; disposing it (or its `restore()`) puts back the previous grad mode.
 *
 * Example:
 *   {
 *     using _g = torch.noGrad();
 *     w.sub_(w.grad!.mul(0.1)); // an update autograd does not see
 *   }
 */
export function noGrad(): GradModeGuard;
/** noGrad: the implementation of the overloads above. */
export function noGrad<T>(fn?: () => T): T | GradModeGuard {
  return fn ? withGradMode(false, fn) : guard(false);
}

/**
 * Enables gradient recording, as PyTorch's `torch.enable_grad()`: undoes an enclosing `noGrad` for the callback.
 * Grad mode is per thread, so the callback must be synchronous.
 *
 * Args:
 *   fn: the code to run with autograd.
 *
 * Returns:
 *   What `fn` returns; the previous grad mode is restored even if it throws.
 *
 * Throws:
 *   TypeError when `fn` returns a Promise (the mode cannot follow an await).
 *
 * Example:
 *   torch.noGrad(() => {
 *     const y = torch.enableGrad(() => x.mul(2)); // recorded: y.requiresGrad is true when x requires grad
 *   });
 */
export function enableGrad<T>(fn: () => T): T;
/**
 * Enables gradient recording until the returned guard is disposed, as `with torch.enable_grad():` does for a block.
 *
 * Returns:
 *   A `GradModeGuard`; disposing it (or its `restore()`) puts back the previous grad mode.
 *
 * Example:
 *   using _g = torch.enableGrad();
 */
export function enableGrad(): GradModeGuard;
/** enableGrad: the implementation of the overloads above. */
export function enableGrad<T>(fn?: () => T): T | GradModeGuard {
  return fn ? withGradMode(true, fn) : guard(true);
}

/**
 * Whether gradient recording is on in this thread, as PyTorch's `torch.is_grad_enabled()`.
 *
 * Returns:
 *   true unless inside `noGrad` (or after `setGradEnabled(false)`).
 *
 * Example:
 *   torch.noGrad(() => torch.isGradEnabled()); // false
 */
export const isGradEnabled = (): boolean => native.isGradEnabled();
/**
 * Turns gradient recording on or off for this thread, as PyTorch's `torch.set_grad_enabled(mode)` used as a
 * function. The setting stays until changed again; prefer `noGrad`/`enableGrad`, which restore the previous mode.
 *
 * Args:
 *   enabled: whether operations record the autograd graph.
 *
 * Example:
 *   torch.setGradEnabled(false); // evaluation from here on
 */
export const setGradEnabled = (enabled: boolean): void => native.setGradEnabled(enabled);

/** The options of `grad`, as the keyword arguments of PyTorch's `torch.autograd.grad` (camelCase). */
export interface GradOptions {
  /**
   * The vector of the vector-Jacobian product, one per output (Python's `grad_outputs`); null or absent for a
   * scalar output means 1. Default: none (every output must then be a scalar).
   */
  gradOutputs?: (Tensor | null)[];
  /** Keep the graph for another backward pass. Default: the value of `createGraph`. */
  retainGraph?: boolean;
  /** Record the gradient computation itself, for higher-order derivatives. Default false. */
  createGraph?: boolean;
  /** Return null for inputs the outputs do not depend on, instead of throwing. Default false. */
  allowUnused?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs`, as PyTorch's `torch.autograd.grad`; unlike `backward()`, they are
 * returned and not accumulated into the inputs' `.grad`.
 *
 * Args:
 *   outputs: the tensor(s) to differentiate.
 *   inputs: the tensor(s) to differentiate with respect to (leaves or not; they must require grad).
 *   options: see `GradOptions` (default: scalar outputs, graph freed, no graph of the gradient, unused inputs throw).
 *
 * Returns:
 *   One gradient per input, of its shape; null for an input the outputs do not depend on when `allowUnused`.
 *
 * Throws:
 *   Error from libtorch when an input is unused (without `allowUnused`), an output is not a scalar and has no
 *   `gradOutputs` entry, or the graph was already freed.
 *
 * Example:
 *   const x = torch.tensor([1, 2, 3], { requiresGrad: true });
 *   const [dx] = torch.autograd.grad(x.pow(2).sum(), x); // [2, 4, 6]
 */
export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  options: GradOptions = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  noteBackward();
  const handles = native.autogradGrad(
    outs.map((t) => t.h),
    ins.map((t) => t.h),
    options.gradOutputs ? options.gradOutputs.map((t) => (t ? t.h : null)) : null,
    options.retainGraph,
    options.createGraph ?? false,
    options.allowUnused ?? false,
  );
  return handles.map((h) => (h === null ? null : wrap(h)));
}

/**
 * Runs backward from several tensors at once, as PyTorch's `torch.autograd.backward`: the gradients of the sum of
 * `tensors` (each weighted by its `gradTensors` entry) are accumulated into the `.grad` of the leaves.
 *
 * Args:
 *   tensors: the roots of the backward pass.
 *   gradTensors: one weight per root (Python's `grad_tensors`); null or absent for a scalar root means 1.
 *   options: `retainGraph` (default: the value of `createGraph`), `createGraph` (record the backward pass for
 *     higher-order derivatives; default false), `inputs` (accumulate only into these; default: all leaves).
 *
 * Throws:
 *   Error from libtorch when a non-scalar root has no weight or the graph was already freed.
 *
 * Example:
 *   torch.autograd.backward([loss1, loss2]); // as loss1.add(loss2).backward()
 */
export function backward(
  tensors: Tensor[],
  gradTensors?: (Tensor | null)[],
  options: { retainGraph?: boolean; createGraph?: boolean; inputs?: Tensor[] } = {},
): void {
  noteBackward();
  native.backward(
    tensors.map((t) => t.h),
    gradTensors ? gradTensors.map((t) => (t ? t.h : null)) : null,
    options.retainGraph,
    options.createGraph ?? false,
    options.inputs ? options.inputs.map((t) => t.h) : null,
  );
}
