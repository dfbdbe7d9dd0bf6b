// RMSprop with PyTorch's formulas (_single_tensor_rmsprop): centered variant, momentum, L2 weight decay.
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { pyArgs, type PyArgs } from './args.js';
import {
  checkImplementationFlags,
  decayWeights,
  Optimizer,
  zeroStep,
  type Closure,
  type ParamGroup,
  type ParamState,
  type ParamsArg,
} from './optimizer.js';

/** RMSprop's hyper-parameters (PyTorch's names in camelCase). */
export interface RMSpropOptions {
  lr: number;
  momentum: number;
  alpha: number;
  eps: number;
  centered: boolean;
  weightDecay: number;
  capturable: boolean;
  foreach: boolean | null;
  maximize: boolean;
  differentiable: boolean;
}
const ARGS = [
  'lr',
  'alpha',
  'eps',
  'weightDecay',
  'momentum',
  'centered',
  'capturable',
  'foreach',
  'maximize',
  'differentiable',
] as const;
const DEFAULTS: RMSpropOptions = {
  lr: 1e-2,
  momentum: 0,
  alpha: 0.99,
  eps: 1e-8,
  centered: false,
  weightDecay: 0,
  capturable: false,
  foreach: null,
  maximize: false,
  differentiable: false,
};

/**
 * RMSprop (Hinton's), as PyTorch's `torch.optim.RMSprop`: square_avg = alpha * square_avg + (1 - alpha) * g^2, the
 * step g / (sqrt(square_avg) + eps) (centered: minus the squared mean gradient), optionally through a momentum buffer.
 * State per parameter: `step`, `square_avg`, `momentum_buffer` (momentum > 0), `grad_avg` (centered).
 *
 * Args:
 *   params: the parameters, or groups of them with their own options.
 *   lr: learning rate (default 1e-2).
 *   alpha: smoothing constant (default 0.99).
 *   eps: added to the denominator (default 1e-8).
 *   weightDecay: L2 penalty (default 0).
 *   momentum: momentum factor (default 0).
 *   centered: normalize by the gradient's estimated variance (default false).
 *   maximize: maximize the objective (default false).
 *   capturable, foreach, differentiable: Python's implementation selectors (see `checkImplementationFlags`).
 *
 * Example:
 *   const opt = new optim.RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsArg<RMSpropOptions>, ...args: PyArgs<Partial<RMSpropOptions>, typeof ARGS>) {
    const o = pyArgs<RMSpropOptions>('RMSprop', ARGS, args, DEFAULTS);
    if (!(o.lr >= 0)) throw new RangeError(`RMSprop: invalid learning rate ${o.lr}`);
    if (!(o.eps >= 0)) throw new RangeError(`RMSprop: invalid epsilon value ${o.eps}`);
    if (!(o.momentum >= 0)) throw new RangeError(`RMSprop: invalid momentum value ${o.momentum}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`RMSprop: invalid weightDecay value ${o.weightDecay}`);
    if (!(o.alpha >= 0)) throw new RangeError(`RMSprop: invalid alpha value ${o.alpha}`);
    checkImplementationFlags('RMSprop', o);
    super(params, o);
  }

  /** One RMSprop update of every parameter with a gradient; with a closure, runs it first and returns its loss. */
  step(closure?: Closure): Tensor | number | undefined {
    const init = (p: Tensor, _: Tensor, group: ParamGroup<RMSpropOptions>): ParamState => ({
      step: zeroStep(),
      squareAvg: torch.zerosLike(p),
      ...(group.momentum > 0 ? { momentumBuffer: torch.zerosLike(p) } : {}),
      ...(group.centered ? { gradAvg: torch.zerosLike(p) } : {}),
    });
    return this.stepEach(closure, init, (p, g, st, group) => {
      const squareAvg = st.squareAvg as Tensor;
      (st.step as Tensor).add_(1);
      const grad = decayWeights(p, g, group.lr, group.weightDecay, false);
      squareAvg.mul_(group.alpha).addcmul_(grad, grad, { value: 1 - group.alpha });
      let avg: Tensor;
      if (group.centered) {
        const gradAvg = (st.gradAvg as Tensor).lerp_(grad, 1 - group.alpha);
        avg = squareAvg.addcmul(gradAvg, gradAvg, { value: -1 }).sqrt_();
      } else {
        avg = squareAvg.sqrt();
      }
      avg = avg.add_(group.eps);
      if (group.momentum > 0) {
        const buf = (st.momentumBuffer as Tensor).mul_(group.momentum).addcdiv_(grad, avg);
        p.add_(buf, { alpha: -group.lr });
      } else {
        p.addcdiv_(grad, avg, { value: -group.lr });
      }
    });
  }
}
