// Rprop (resilient backpropagation) with PyTorch's formulas (_single_tensor_rprop).
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { pyArgs, type PyArgs } from './args.js';
import {
  checkImplementationFlags,
  Optimizer,
  zeroStep,
  type Closure,
  type ParamState,
  type ParamsArg,
} from './optimizer.js';

/** Rprop's hyper-parameters (PyTorch's names in camelCase). */
export interface RpropOptions {
  lr: number;
  etas: [number, number];
  stepSizes: [number, number];
  foreach: boolean | null;
  maximize: boolean;
  differentiable: boolean;
  capturable: boolean;
}
const ARGS = ['lr', 'etas', 'stepSizes'] as const;
const DEFAULTS: RpropOptions = {
  lr: 1e-2,
  etas: [0.5, 1.2],
  stepSizes: [1e-6, 50],
  foreach: null,
  maximize: false,
  differentiable: false,
  capturable: false,
};

/**
 * Rprop, as PyTorch's `torch.optim.Rprop`: each weight has its own step size, multiplied by etaplus while the
 * gradient keeps its sign and by etaminus when it flips (that step then skipped), clamped to stepSizes; the
 * update is -sign(g) * step size. State per parameter: `step`, `prev`, `step_size`.
 *
 * Args:
 *   params: the parameters, or groups of them with their own options.
 *   lr: the initial step size (default 1e-2).
 *   etas: [etaminus, etaplus], with 0 < etaminus < 1 < etaplus (default [0.5, 1.2]).
 *   stepSizes: [minimal, maximal] step size (default [1e-6, 50]).
 *   maximize: maximize the objective (keyword only; default false).
 *   foreach, differentiable, capturable: Python's implementation selectors (see `checkImplementationFlags`).
 *
 * Example:
 *   const opt = new optim.Rprop(model.parameters(), { lr: 0.01, etas: [0.5, 1.2] });
 */
export class Rprop extends Optimizer<RpropOptions> {
  constructor(params: ParamsArg<RpropOptions>, ...args: PyArgs<Partial<RpropOptions>, typeof ARGS>) {
    const o = pyArgs<RpropOptions>('Rprop', ARGS, args, DEFAULTS);
    if (!(o.lr >= 0)) throw new RangeError(`Rprop: invalid learning rate ${o.lr}`);
    if (!(o.etas[0] > 0 && o.etas[0] < 1 && o.etas[1] > 1))
      throw new RangeError(`Rprop: invalid eta values ${o.etas[0]}, ${o.etas[1]}`);
    checkImplementationFlags('Rprop', o);
    super(params, o);
  }

  /** One Rprop update of every parameter with a gradient; with a closure, runs it first and returns its loss. */
  step(closure?: Closure): Tensor | number | undefined {
    const init = (p: Tensor, g: Tensor, group: { lr: number }): ParamState => ({
      step: zeroStep(),
      prev: torch.zerosLike(p),
      stepSize: torch.fullLike(g, group.lr),
    });
    return this.stepEach(closure, init, (p, grad0, st, group) => {
      const [etaminus, etaplus] = group.etas;
      const [min, max] = group.stepSizes;
      (st.step as Tensor).add_(1);
      const prev = st.prev as Tensor;
      const sign = grad0.mul(prev).sign();
      sign.maskedFill_(sign.gt(0), etaplus);
      sign.maskedFill_(sign.lt(0), etaminus);
      sign.maskedFill_(sign.eq(0), 1);
      const stepSize = (st.stepSize as Tensor).mul_(sign).clamp_(min, max);
      const grad = grad0.clone().maskedFill_(sign.eq(etaminus), 0);
      p.addcmul_(grad.sign(), stepSize, { value: -1 });
      prev.copy_(grad);
    });
  }
}
