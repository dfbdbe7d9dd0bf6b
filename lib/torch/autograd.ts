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

export interface GradModeGuard extends Disposable {
  restore(): void;
}

function guard(enabled: boolean): GradModeGuard {
  const previous = native.isGradEnabled();
  native.setGradEnabled(enabled);
  const restore = (): void => native.setGradEnabled(previous);
  return { restore, [Symbol.dispose]: restore };
}

/** `noGrad(() => ...)` runs the callback without recording autograd; `using g = noGrad()` disables it until the block ends. */
export function noGrad<T>(fn: () => T): T;
export function noGrad(): GradModeGuard;
export function noGrad<T>(fn?: () => T): T | GradModeGuard {
  return fn ? withGradMode(false, fn) : guard(false);
}

export function enableGrad<T>(fn: () => T): T;
export function enableGrad(): GradModeGuard;
export function enableGrad<T>(fn?: () => T): T | GradModeGuard {
  return fn ? withGradMode(true, fn) : guard(true);
}

export const isGradEnabled = (): boolean => native.isGradEnabled();
export const setGradEnabled = (enabled: boolean): void => native.setGradEnabled(enabled);

export interface GradOptions {
  gradOutputs?: (Tensor | null)[];
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
}

/** Gradients of `outputs` with respect to `inputs` (like torch.autograd.grad); null for unused inputs when allowUnused. */
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

/** Runs backward from several tensors at once (like torch.autograd.backward). */
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
