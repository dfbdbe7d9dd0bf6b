// nn.Module's full backward hooks, as PyTorch's BackwardHook: one BackwardHookCall per module call.
// The call's tensor arguments go through one identity node whose post-hook sees their gradients
// (grad_input); its tensor outputs go through another whose pre-hook sees theirs (grad_output).
// Backward reaches the output node first: the pre-hooks run there and may replace grad_output; the
// module hooks run at the input node, once every grad_input has been computed, and may replace those.
import { type Grads, hookIdentity } from '../torch/hooks.js';
import * as torch from '../torch/index.js';
import { Tensor } from '../torch/tensor.js';

/**
 * A full backward hook: `(module, gradInput, gradOutput)`, called once the gradients with respect to the
 * module's inputs are computed. `gradInput` has one entry per forward argument (null for non-tensors),
 * `gradOutput` one per output (the output itself, or each element of an array output; null where no
 * gradient arrived). Returning an array of the same length as `gradInput` replaces those gradients.
 *
 * @example
 * const hook: FullBackwardHook = (m, gradInput, gradOutput) => gradInput.map((g) => g?.clamp(-1, 1) ?? null);
 */
export type FullBackwardHook<M = unknown> = (module: M, gradInput: Grads, gradOutput: Grads) => Grads | void;

/**
 * A full backward pre-hook: `(module, gradOutput)`, called when the gradients with respect to the module's
 * outputs are available, before they flow into the module; returning an array of the same length
 * replaces them.
 *
 * @example
 * const scale: FullBackwardPreHook = (m, gradOutput) => gradOutput.map((g) => g?.mul(0.5) ?? null);
 */
export type FullBackwardPreHook<M = unknown> = (module: M, gradOutput: Grads) => Grads | void;

/**
 * The backward hooks of one call of a module (lib/nn-internal): `setupInputs` before forward,
 * `setupOutput` after it. The hook lists are those registered when the call started, as in PyTorch.
 *
 * @example
 * const call = new BackwardHookCall(module, [hook], []);
 * const out = call.setupOutput(module.forward(...call.setupInputs(args)));
 */
export class BackwardHookCall {
  private gradOutputs: Grads | null = null;
  private nInputs = -1;
  private inputIdx: number[] | null = null;
  private nOutputs = -1;
  private outputIdx: number[] | null = null;

  constructor(
    private readonly module: object,
    private readonly hooks: FullBackwardHook[],
    private readonly preHooks: FullBackwardPreHook[],
  ) {}

  private get name(): string {
    return this.module.constructor.name;
  }

  /** The arguments to call forward with: tensors that require grad replaced by the input node's outputs. */
  setupInputs(args: unknown[]): unknown[] {
    const { values, idx } = this.applyOnTensors(args, 'post', (grads) => this.onGradInputs(grads));
    this.nInputs = args.length;
    this.inputIdx = idx;
    return values;
  }

  /** The output to return: its tensors (a Tensor, or the Tensors of an array) through the output node. */
  setupOutput(output: unknown): unknown {
    const isArray = Array.isArray(output);
    const outputs = isArray ? (output as unknown[]) : [output];
    const { values, idx } = this.applyOnTensors(outputs, 'pre', (grads) => this.onGradOutputs(grads));
    this.nOutputs = outputs.length;
    this.outputIdx = idx;
    return isArray ? values : values[0];
  }

  /** PyTorch's _apply_on_tensors: nothing when no tensor requires grad or grad mode is off. */
  private applyOnTensors(
    values: unknown[],
    kind: 'pre' | 'post',
    fn: (grads: Grads) => Grads | void,
  ): { values: unknown[]; idx: number[] | null } {
    const idx: number[] = [];
    const tensors: Tensor[] = [];
    values.forEach((v, i) => {
      if (v instanceof Tensor) {
        idx.push(i);
        tensors.push(v);
      }
    });
    if (!tensors.some((t) => t.requiresGrad) || !torch.isGradEnabled()) return { values, idx: null };
    const what = `${this.name}: ${kind === 'pre' ? 'backward hook on the outputs' : 'backward hook on the inputs'}`;
    const wrapped = hookIdentity(tensors, kind, what, fn);
    const out = [...values];
    idx.forEach((pos, k) => {
      if (wrapped[k]) out[pos] = wrapped[k];
    });
    return { values: out, idx };
  }

  /** The output node's pre-hook: records grad_output, runs the pre-hooks (and the hooks when no input needs grad). */
  private onGradOutputs(grads: Grads): Grads {
    this.gradOutputs = pack(this.outputIdx!, grads, this.nOutputs);
    for (const pre of this.preHooks) {
      const r = pre(this.module, this.gradOutputs);
      if (r === undefined || r === null) continue;
      checkLength(
        r,
        this.gradOutputs.length,
        `${this.name}: Backward pre hook returned an invalid number of grad_output`,
      );
      this.gradOutputs = r;
    }
    const local = this.gradOutputs;
    if (this.inputIdx === null) {
      const gradInputs: Grads = new Array<Tensor | null>(this.nInputs).fill(null);
      for (const hook of this.hooks) {
        const r = hook(this.module, gradInputs, local);
        if (r !== undefined && r !== null && !(Array.isArray(r) && r.every((g) => g === null || g === undefined)))
          throw new Error(
            `${this.name}: Backward hook for Modules where no input requires gradient should always return ` +
              'nothing or null for all gradients.',
          );
      }
      this.gradOutputs = null;
    }
    return this.outputIdx!.map((i) => local[i] ?? null);
  }

  /** The input node's post-hook: runs the hooks with grad_input and grad_output; they may replace grad_input. */
  private onGradInputs(grads: Grads): Grads | void {
    // Gradient reached the inputs without passing the outputs (double backward): not this call's.
    if (this.gradOutputs === null) return;
    let res = pack(this.inputIdx!, grads, this.nInputs);
    for (const hook of this.hooks) {
      const r = hook(this.module, res, this.gradOutputs);
      if (r === undefined || r === null) continue;
      checkLength(r, res.length, `${this.name}: Backward hook returned an invalid number of grad_input`);
      res = r;
    }
    this.gradOutputs = null;
    return this.inputIdx!.map((i) => res[i] ?? null);
  }
}

/** One entry per position (`size`), the values at `indices`, null elsewhere (PyTorch's _pack_with_none). */
function pack(indices: number[], values: Grads, size: number): Grads {
  const res: Grads = new Array<Tensor | null>(size).fill(null);
  indices.forEach((pos, k) => (res[pos] = values[k] ?? null));
  return res;
}

function checkLength(r: unknown, expected: number, message: string): asserts r is Grads {
  if (!Array.isArray(r)) throw new TypeError(`${message}: expected an array of ${expected} gradients, got ${typeof r}`);
  if (r.length !== expected) throw new Error(`${message}, got ${r.length}, but expected ${expected}`);
}
