// ASGD (averaged SGD) with PyTorch's formulas (_single_tensor_asgd).
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { pyArgs, type PyArgs } from './args.js';
import {
  checkImplementationFlags,
  decayWeights,
  Optimizer,
  type Closure,
  type ParamGroup,
  type ParamState,
  type ParamsArg,
} from './optimizer.js';

/** ASGD's hyper-parameters (PyTorch's names in camelCase). */
export interface ASGDOptions {
  lr: number;
  lambd: number;
  alpha: number;
  t0: number;
  weightDecay: number;
  foreach: boolean | null;
  maximize: boolean;
  differentiable: boolean;
  capturable: boolean;
}
const ARGS = [
  'lr',
  'lambd',
  'alpha',
  't0',
  'weightDecay',
  'foreach',
  'maximize',
  'differentiable',
  'capturable',
] as const;
const DEFAULTS: ASGDOptions = {
  lr: 1e-2,
  lambd: 1e-4,
  alpha: 0.75,
  t0: 1e6,
  weightDecay: 0,
  foreach: null,
  maximize: false,
  differentiable: false,
  capturable: false,
};

/**
 * Averaged SGD (Polyak & Juditsky 1992), as PyTorch's `torch.optim.ASGD`: p = p (1 - lambd eta) - eta g, with
 * eta = lr / (1 + lambd lr step)^alpha, and the average `ax` of the iterates from step t0 on
 * (mu = 1 / max(1, step - t0)).
 * State per parameter: `step`, `eta`, `mu`, `ax`.
 *
 * Args:
 *   params: the parameters, or groups of them with their own options.
 *   lr: learning rate (default 1e-2).
 *   lambd: decay term (default 1e-4).
 *   alpha: power for the eta update (default 0.75).
 *   t0: the step at which averaging starts (default 1e6).
 *   weightDecay: L2 penalty (default 0).
 *   maximize: maximize the objective (default false).
 *   foreach, differentiable, capturable: Python's implementation selectors (see `checkImplementationFlags`).
 *
 * Example:
 *   const opt = new optim.ASGD(model.parameters(), { lr: 0.01, t0: 100 });
 */
export class ASGD extends Optimizer<ASGDOptions> {
  constructor(params: ParamsArg<ASGDOptions>, ...args: PyArgs<Partial<ASGDOptions>, typeof ARGS>) {
    const o = pyArgs<ASGDOptions>('ASGD', ARGS, args, DEFAULTS);
    if (!(o.lr >= 0)) throw new RangeError(`ASGD: invalid learning rate ${o.lr}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`ASGD: invalid weightDecay value ${o.weightDecay}`);
    checkImplementationFlags('ASGD', o);
    super(params, o);
  }

  /** One ASGD update of every parameter with a gradient; with a closure, runs it first and returns its loss. */
  step(closure?: Closure): Tensor | number | undefined {
    // On the parameter's device, as PyTorch's ASGD keeps them.
    const init = (p: Tensor, _: Tensor, group: ParamGroup<ASGDOptions>): ParamState => ({
      step: torch.zeros([], { dtype: 'float32', device: p.device }),
      eta: torch.tensor(group.lr, { dtype: 'float32', device: p.device }),
      mu: torch.ones([], { dtype: 'float32', device: p.device }),
      ax: torch.zerosLike(p),
    });
    return this.stepEach(closure, init, (p, g, st, group) => {
      const { lr, lambd, alpha, t0 } = group;
      const stepT = (st.step as Tensor).add_(1);
      const grad = decayWeights(p, g, lr, group.weightDecay, false);
      const eta = st.eta as Tensor,
        mu = st.mu as Tensor,
        ax = st.ax as Tensor;
      const etaValue = eta.item() as number;
      p.mul_(1 - lambd * etaValue);
      p.add_(grad, { alpha: -etaValue });
      if (mu.item() !== 1) ax.add_(p.sub(ax).mul_(mu));
      else ax.copy_(p);
      const step = stepT.item() as number;
      eta.fill_(lr / (1 + lambd * lr * step) ** alpha);
      mu.fill_(1 / Math.max(1, step - t0));
    });
  }
}
