// Adamax (Adam with the infinity norm) with PyTorch's formulas (_single_tensor_adamax).
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { pyArgs, type PyArgs } from './args.js';
import {
  checkImplementationFlags,
  decayWeights,
  Optimizer,
  zeroStep,
  type Closure,
  type ParamState,
  type ParamsArg,
} from './optimizer.js';

/** Adamax's hyper-parameters (PyTorch's names in camelCase). */
export interface AdamaxOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  foreach: boolean | null;
  maximize: boolean;
  differentiable: boolean;
  capturable: boolean;
}
const ARGS = ['lr', 'betas', 'eps', 'weightDecay', 'foreach'] as const;
const DEFAULTS: AdamaxOptions = {
  lr: 2e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  foreach: null,
  maximize: false,
  differentiable: false,
  capturable: false,
};

/**
 * Checks lr, eps, betas and weight decay as PyTorch's Adam family does (RangeErrors naming `who`).
 *
 * Args:
 *   who: the optimizer's name.
 *   o: the options.
 *
 * Example:
 *   checkAdamLike('NAdam', { lr: 2e-3, eps: 1e-8, betas: [0.9, 0.999], weightDecay: 0 });
 */
export function checkAdamLike(
  who: string,
  o: { lr: number; eps: number; betas: readonly number[]; weightDecay: number },
): void {
  if (!(o.lr >= 0)) throw new RangeError(`${who}: invalid learning rate ${o.lr}`);
  if (!(o.eps >= 0)) throw new RangeError(`${who}: invalid epsilon value ${o.eps}`);
  o.betas.forEach((b, i) => {
    if (!(b >= 0 && b < 1)) throw new RangeError(`${who}: invalid beta parameter at index ${i}: ${b}`);
  });
  if (!(o.weightDecay >= 0)) throw new RangeError(`${who}: invalid weightDecay value ${o.weightDecay}`);
}

/**
 * Adamax (Kingma & Ba 2014, section 7), as PyTorch's `torch.optim.Adamax`: exp_avg as Adam's, exp_inf =
 * max(beta2 * exp_inf, |g| + eps), p -= lr / (1 - beta1^step) * exp_avg / exp_inf.
 * State per parameter: `step`, `exp_avg`, `exp_inf`.
 *
 * Args:
 *   params: the parameters, or groups of them with their own options.
 *   lr: learning rate (default 2e-3).
 *   betas: the averaging coefficients (default [0.9, 0.999]).
 *   eps: added to |g| (default 1e-8).
 *   weightDecay: L2 penalty (default 0).
 *   maximize: maximize the objective (keyword only; default false).
 *   foreach, differentiable, capturable: Python's implementation selectors (see `checkImplementationFlags`).
 *
 * Example:
 *   const opt = new optim.Adamax(model.parameters(), { lr: 2e-3 });
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(params: ParamsArg<AdamaxOptions>, ...args: PyArgs<Partial<AdamaxOptions>, typeof ARGS>) {
    const o = pyArgs<AdamaxOptions>('Adamax', ARGS, args, DEFAULTS);
    checkAdamLike('Adamax', o);
    checkImplementationFlags('Adamax', o);
    super(params, o);
  }

  /** One Adamax update of every parameter with a gradient; with a closure, runs it first and returns its loss. */
  step(closure?: Closure): Tensor | number | undefined {
    const init = (p: Tensor): ParamState => ({
      step: zeroStep(),
      expAvg: torch.zerosLike(p),
      expInf: torch.zerosLike(p),
    });
    return this.stepEach(closure, init, (p, g, st, group) => {
      const [beta1, beta2] = group.betas;
      const stepT = (st.step as Tensor).add_(1);
      const grad = decayWeights(p, g, group.lr, group.weightDecay, false);
      const expAvg = (st.expAvg as Tensor).lerp_(grad, 1 - beta1);
      const expInf = st.expInf as Tensor;
      expInf.copy_(torch.maximum(expInf.mul_(beta2), grad.abs().add_(group.eps)));
      const clr = group.lr / (1 - beta1 ** (stepT.item() as number));
      p.addcdiv_(expAvg, expInf, { value: -clr });
    });
  }
}
