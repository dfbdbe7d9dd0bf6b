// Adadelta with PyTorch's formulas (_single_tensor_adadelta).
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

/** Adadelta's hyper-parameters (PyTorch's names in camelCase). */
export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
  capturable: boolean;
  foreach: boolean | null;
  differentiable: boolean;
}
const ARGS = ['lr', 'rho', 'eps', 'weightDecay', 'foreach'] as const;
const DEFAULTS: AdadeltaOptions = {
  lr: 1,
  rho: 0.9,
  eps: 1e-6,
  weightDecay: 0,
  maximize: false,
  capturable: false,
  foreach: null,
  differentiable: false,
};

/**
 * Adadelta (Zeiler 2012), as PyTorch's `torch.optim.Adadelta`: square_avg and acc_delta are running averages of
 * g^2 and of the squared updates; the update is sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g, scaled by lr.
 * State per parameter: `step`, `square_avg`, `acc_delta`.
 *
 * Args:
 *   params: the parameters, or groups of them with their own options.
 *   lr: scale of the update (default 1).
 *   rho: averaging coefficient (default 0.9).
 *   eps: added inside the square roots (default 1e-6).
 *   weightDecay: L2 penalty (default 0).
 *   maximize: maximize the objective (keyword only; default false).
 *   foreach, capturable, differentiable: Python's implementation selectors (see `checkImplementationFlags`).
 *
 * Example:
 *   const opt = new optim.Adadelta(model.parameters(), { rho: 0.95 });
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: ParamsArg<AdadeltaOptions>, ...args: PyArgs<Partial<AdadeltaOptions>, typeof ARGS>) {
    const o = pyArgs<AdadeltaOptions>('Adadelta', ARGS, args, DEFAULTS);
    if (!(o.lr >= 0)) throw new RangeError(`Adadelta: invalid learning rate ${o.lr}`);
    if (!(o.rho >= 0 && o.rho <= 1)) throw new RangeError(`Adadelta: invalid rho value ${o.rho}`);
    if (!(o.eps >= 0)) throw new RangeError(`Adadelta: invalid epsilon value ${o.eps}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`Adadelta: invalid weightDecay value ${o.weightDecay}`);
    checkImplementationFlags('Adadelta', o);
    super(params, o);
  }

  /** One Adadelta update of every parameter with a gradient; with a closure, runs it first and returns its loss. */
  step(closure?: Closure): Tensor | number | undefined {
    const init = (p: Tensor): ParamState => ({
      step: zeroStep(),
      squareAvg: torch.zerosLike(p),
      accDelta: torch.zerosLike(p),
    });
    return this.stepEach(closure, init, (p, g, st, group) => {
      (st.step as Tensor).add_(1);
      const grad = decayWeights(p, g, group.lr, group.weightDecay, false);
      const { rho, eps } = group;
      const squareAvg = (st.squareAvg as Tensor).mul_(rho).addcmul_(grad, grad, { value: 1 - rho });
      const std = squareAvg.add(eps).sqrt_();
      const accDelta = st.accDelta as Tensor;
      const delta = accDelta.add(eps).sqrt_().div_(std).mul_(grad);
      accDelta.mul_(rho).addcmul_(delta, delta, { value: 1 - rho });
      p.add_(delta, { alpha: -group.lr });
    });
  }
}
