// Adam and AdamW with PyTorch's formulas (_single_tensor_adam), amsgrad optional.
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { pyArgs, type PyArgs } from './args.js';
import {
  checkImplementationFlags,
  decayWeights,
  Optimizer,
  type Closure,
  type ParamState,
  type ParamsArg,
} from './optimizer.js';

/**
 * Adam's hyper-parameters (PyTorch's names in camelCase). `decoupledWeightDecay` (PyTorch's `decoupled_weight_decay`,
 * default false) makes Adam decay as AdamW does; AdamW always decouples.
 */
export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  foreach: boolean | null;
  capturable: boolean;
  differentiable: boolean;
  fused: boolean | null;
  decoupledWeightDecay: boolean;
}
/** AdamW's options: Adam's but `decoupledWeightDecay`, which AdamW always sets. */
export type AdamWOptions = Omit<AdamOptions, 'decoupledWeightDecay'>;
const ARGS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'] as const;
const FLAGS = { foreach: null, capturable: false, differentiable: false, fused: null } as const;
const DEFAULTS: AdamOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
  ...FLAGS,
  decoupledWeightDecay: false,
};

/**
 * Adam's moment estimates, updated in place in the state: `exp_avg` moves toward the gradient by `1 - beta1`,
 * `exp_avg_sq` toward its square by `1 - beta2`. Returns both.
 *
 * Args:
 *   st: the parameter's state, with `expAvg` and `expAvgSq`.
 *   grad: the gradient.
 *   beta1, beta2: the averaging coefficients.
 */
export function updateMoments(st: ParamState, grad: Tensor, beta1: number, beta2: number): [Tensor, Tensor] {
  const expAvg = (st.expAvg as Tensor).lerp_(grad, 1 - beta1);
  const expAvgSq = (st.expAvgSq as Tensor).mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
  return [expAvg, expAvgSq];
}

function check(name: string, o: AdamOptions): void {
  if (o.lr < 0) throw new RangeError(`${name}: invalid learning rate ${o.lr}`);
  if (o.eps < 0) throw new RangeError(`${name}: invalid epsilon ${o.eps}`);
  if (!(o.betas[0] >= 0 && o.betas[0] < 1) || !(o.betas[1] >= 0 && o.betas[1] < 1))
    throw new RangeError(`${name}: invalid betas [${o.betas}]`);
  if (o.weightDecay < 0) throw new RangeError(`${name}: invalid weightDecay ${o.weightDecay}`);
  checkImplementationFlags(name, o);
}

/**
 * Adam (Kingma & Ba 2014) as PyTorch's `torch.optim.Adam`, amsgrad optional; L2 weight decay, or decoupled as AdamW
 * with `decoupledWeightDecay`. State per parameter: `step` (float32 scalar tensor, as PyTorch), `expAvg`, `expAvgSq`,
 * `maxExpAvgSq` (`step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` in stateDict()).
 *
 * Args:
 *   params: the parameters, or groups of them with their own options.
 *   lr: learning rate (default 1e-3).
 *   betas: the averaging coefficients (default [0.9, 0.999]).
 *   eps: added to the denominator (default 1e-8).
 *   weightDecay: weight decay (default 0).
 *   amsgrad: use the maximum of past second moments (default false).
 *   maximize, decoupledWeightDecay: keyword only (default false).
 *   foreach, capturable, differentiable, fused: Python's implementation selectors (see `checkImplementationFlags`).
 *
 * Example:
 *   const opt = new optim.Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.99] }); // or (params, 1e-3, [0.9, 0.99])
 */
export class Adam extends Optimizer<AdamOptions> {
  protected readonly decoupled: boolean = false;
  constructor(params: ParamsArg<AdamOptions>, ...args: PyArgs<Partial<AdamOptions>, typeof ARGS>) {
    const o = pyArgs<AdamOptions>('Adam', ARGS, args, DEFAULTS);
    check('Adam', o);
    super(params, o);
  }

  /** One Adam update of every parameter with a gradient; with a closure, runs it first and returns its loss. */
  step(closure?: Closure): Tensor | number | undefined {
    return this.stepEach(closure, null, (p, g, st, group) => {
      const [beta1, beta2] = group.betas;
      if (!st.step) {
        st.step = torch.zeros([], { dtype: 'float32' });
        st.expAvg = torch.zerosLike(p, { dtype: p.dtype });
        st.expAvgSq = torch.zerosLike(p, { dtype: p.dtype });
        if (group.amsgrad) st.maxExpAvgSq = torch.zerosLike(p, { dtype: p.dtype });
      }
      const stepT = (st.step as Tensor).add_(1);
      const decoupled = this.decoupled || group.decoupledWeightDecay === true;
      const grad = decayWeights(p, g, group.lr, group.weightDecay, decoupled);
      const [expAvg, expAvgSq] = updateMoments(st, grad, beta1, beta2);
      const step = stepT.item();
      const bc1 = 1 - beta1 ** step;
      const bc2 = 1 - beta2 ** step;
      const stepSize = group.lr / bc1;
      const bc2Sqrt = Math.sqrt(bc2);
      let denom: Tensor;
      if (group.amsgrad) {
        let maxSq = st.maxExpAvgSq as Tensor | undefined;
        if (!maxSq) {
          maxSq = torch.zerosLike(p);
          st.maxExpAvgSq = maxSq;
        }
        maxSq.copy_(torch.maximum(maxSq, expAvgSq));
        denom = maxSq.sqrt().div(bc2Sqrt).add_(group.eps);
      } else {
        denom = expAvgSq.sqrt().div(bc2Sqrt).add_(group.eps);
      }
      p.addcdiv_(expAvg, denom, { value: -stepSize });
    });
  }
}

/**
 * AdamW (Loshchilov & Hutter 2019) as PyTorch's `torch.optim.AdamW`: Adam with decoupled weight decay
 * (p *= 1 - lr * weightDecay before the Adam update); weightDecay defaults to 1e-2. Same state as Adam.
 *
 * Args:
 *   params: the parameters, or groups of them with their own options.
 *   lr, betas, eps, amsgrad: as Adam's (positional in this order around weightDecay).
 *   weightDecay: decoupled weight decay (default 1e-2).
 *   maximize, foreach, capturable, differentiable, fused: keyword only, as Adam's.
 *
 * Example:
 *   const opt = new optim.AdamW(model.parameters(), { lr: 3e-4, weightDecay: 0.05 });
 */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;
  constructor(params: ParamsArg<AdamOptions>, ...args: PyArgs<Partial<AdamWOptions>, typeof ARGS>) {
    const { decoupledWeightDecay: _, ...defaults } = DEFAULTS;
    const o = pyArgs<AdamWOptions>('AdamW', ARGS, args, { ...defaults, weightDecay: 1e-2 });
    check('AdamW', { ...o, decoupledWeightDecay: true });
    super(params, { ...o, decoupledWeightDecay: true });
  }
}
