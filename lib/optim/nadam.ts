// NAdam (Adam with Nesterov momentum and momentum decay) with PyTorch's formulas (_single_tensor_nadam).
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

/** NAdam's hyper-parameters (PyTorch's names in camelCase). */
export interface NAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  momentumDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
  foreach: boolean | null;
  capturable: boolean;
  differentiable: boolean;
}
const ARGS = ['lr', 'betas', 'eps', 'weightDecay', 'momentumDecay', 'decoupledWeightDecay'] as const;
const DEFAULTS: NAdamOptions = {
  lr: 2e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  momentumDecay: 4e-3,
  decoupledWeightDecay: false,
  maximize: false,
  foreach: null,
  capturable: false,
  differentiable: false,
};

/**
 * NAdam (Dozat 2016), as PyTorch's `torch.optim.NAdam`: Adam's moments with a Nesterov-style update whose momentum
 * mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentumDecay)) and their running product `mu_product`. `decoupledWeightDecay`
 * decays as AdamW does (NAdamW). State per parameter: `step`, `mu_product`, `exp_avg`, `exp_avg_sq`.
 *
 * Args:
 *   params: the parameters, or groups of them with their own options.
 *   lr: learning rate (default 2e-3).
 *   betas: the averaging coefficients (default [0.9, 0.999]).
 *   eps: added to the denominator (default 1e-8).
 *   weightDecay: weight decay (default 0).
 *   momentumDecay: the momentum schedule's decay (default 4e-3).
 *   decoupledWeightDecay: decay the weights directly, as AdamW (default false).
 *   maximize: maximize the objective (keyword only; default false).
 *   foreach, capturable, differentiable: Python's implementation selectors (see `checkImplementationFlags`).
 *
 * Example:
 *   const opt = new optim.NAdam(model.parameters(), { lr: 2e-3, weightDecay: 1e-2, decoupledWeightDecay: true });
 */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: ParamsArg<NAdamOptions>, ...args: PyArgs<Partial<NAdamOptions>, typeof ARGS>) {
    const o = pyArgs<NAdamOptions>('NAdam', ARGS, args, DEFAULTS);
    checkAdamLike('NAdam', o);
    if (!(o.momentumDecay >= 0)) throw new RangeError(`NAdam: invalid momentumDecay value ${o.momentumDecay}`);
    checkImplementationFlags('NAdam', o);
    super(params, o);
  }

  /** One NAdam update of every parameter with a gradient; with a closure, runs it first and returns its loss. */
  step(closure?: Closure): Tensor | number | undefined {
    const init = (p: Tensor): ParamState => ({
      step: zeroStep(),
      muProduct: torch.tensor(1, { dtype: 'float32' }),
      expAvg: torch.zerosLike(p),
      expAvgSq: torch.zerosLike(p),
    });
    return this.stepEach(closure, init, (p, g, st, group) => {
      const [beta1, beta2] = group.betas;
      const { lr, momentumDecay } = group;
      const step = (st.step as Tensor).add_(1).item() as number;
      const bc2 = 1 - beta2 ** step;
      const grad = decayWeights(p, g, lr, group.weightDecay, group.decoupledWeightDecay);
      const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
      const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
      const muProduct = (st.muProduct as Tensor).mul_(mu).item() as number;
      const [expAvg, expAvgSq] = updateMoments(st, grad, beta1, beta2);
      const denom = expAvgSq.div(bc2).sqrt().add_(group.eps);
      const muProductNext = muProduct * muNext;
      p.addcdiv_(grad, denom, { value: (-lr * (1 - mu)) / (1 - muProduct) });
      p.addcdiv_(expAvg, denom, { value: (-lr * muNext) / (1 - muProductNext) });
    });
  }
}
