// RAdam (rectified Adam) with PyTorch's formulas (_single_tensor_radam).
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { updateMoments } from './adam.js';
import { checkAdamLike } from './adamax.js';
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

/** RAdam's hyper-parameters (PyTorch's names in camelCase). */
export interface RAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
  foreach: boolean | null;
  capturable: boolean;
  decoupledWeightDecay: boolean;
  differentiable: boolean;
}
const ARGS = ['lr', 'betas', 'eps', 'weightDecay', 'decoupledWeightDecay'] as const;
const DEFAULTS: RAdamOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  maximize: false,
  foreach: null,
  capturable: false,
  decoupledWeightDecay: false,
  differentiable: false,
};

/**
 * RAdam (Liu et al. 2019), as PyTorch's `torch.optim.RAdam`: Adam whose adaptive step is used only once the
 * variance estimate is tractable (rho_t > 5), rectified by
 * sqrt((rho_t-4)(rho_t-2)rho_inf / ((rho_inf-4)(rho_inf-2)rho_t)); before that a momentum-SGD step.
 * `decoupledWeightDecay` decays as AdamW does.
 * State per parameter: `step`, `exp_avg`, `exp_avg_sq`.
 *
 * Args:
 *   params: the parameters, or groups of them with their own options.
 *   lr: learning rate (default 1e-3).
 *   betas: the averaging coefficients (default [0.9, 0.999]).
 *   eps: added to the denominator (default 1e-8).
 *   weightDecay: weight decay (default 0).
 *   decoupledWeightDecay: decay the weights directly, as AdamW (default false).
 *   maximize: maximize the objective (keyword only; default false).
 *   foreach, capturable, differentiable: Python's implementation selectors (see `checkImplementationFlags`).
 *
 * Example:
 *   const opt = new optim.RAdam(model.parameters(), 1e-3);
 */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: ParamsArg<RAdamOptions>, ...args: PyArgs<Partial<RAdamOptions>, typeof ARGS>) {
    const o = pyArgs<RAdamOptions>('RAdam', ARGS, args, DEFAULTS);
    checkAdamLike('RAdam', o);
    checkImplementationFlags('RAdam', o);
    super(params, o);
  }

  /** One RAdam update of every parameter with a gradient; with a closure, runs it first and returns its loss. */
  step(closure?: Closure): Tensor | number | undefined {
    const init = (p: Tensor): ParamState => ({
      step: zeroStep(),
      expAvg: torch.zerosLike(p),
      expAvgSq: torch.zerosLike(p),
    });
    return this.stepEach(closure, init, (p, g, st, group) => {
      const [beta1, beta2] = group.betas;
      const { lr } = group;
      const step = (st.step as Tensor).add_(1).item() as number;
      const grad = decayWeights(p, g, lr, group.weightDecay, group.decoupledWeightDecay);
      const [expAvg, expAvgSq] = updateMoments(st, grad, beta1, beta2);
      const bc1 = 1 - beta1 ** step;
      const bc2 = 1 - beta2 ** step;
      const corrected = expAvg.div(bc1);
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = rhoInf - (2 * step * beta2 ** step) / bc2;
      if (rhoT > 5) {
        const rect = (((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) ** 0.5;
        // Python's `float / tensor` is tensor.reciprocal() * float.
        const adaptive = expAvgSq
          .sqrt()
          .add_(group.eps)
          .reciprocal()
          .mul(bc2 ** 0.5);
        p.add_(corrected.mul(lr).mul(adaptive).mul(rect), { alpha: -1 });
      } else {
        p.add_(corrected.mul(lr), { alpha: -1 });
      }
    });
  }
}
