// Adagrad with PyTorch's formulas (_single_tensor_adagrad): lr decay, L2 weight decay, an initial accumulator.
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { pyArgs, type PyArgs } from './args.js';
import { checkImplementationFlags, decayWeights, Optimizer, type Closure, type ParamsArg } from './optimizer.js';

/** Adagrad's hyper-parameters (PyTorch's names in camelCase). */
export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  eps: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  foreach: boolean | null;
  maximize: boolean;
  differentiable: boolean;
  fused: boolean | null;
}
const ARGS = ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps', 'foreach'] as const;
const DEFAULTS: AdagradOptions = {
  lr: 1e-2,
  lrDecay: 0,
  eps: 1e-10,
  weightDecay: 0,
  initialAccumulatorValue: 0,
  foreach: null,
  maximize: false,
  differentiable: false,
  fused: null,
};

/**
 * Adagrad, as PyTorch's `torch.optim.Adagrad`: sum += g^2, p -= clr * g / (sqrt(sum) + eps) with
 * clr = lr / (1 + (step - 1) * lrDecay). As in PyTorch, every parameter's state (`step`, `sum`, filled with
 * `initialAccumulatorValue`) exists from the constructor on.
 *
 * Args:
 *   params: the parameters, or groups of them with their own options.
 *   lr: learning rate (default 1e-2).
 *   lrDecay: learning-rate decay (default 0).
 *   weightDecay: L2 penalty (default 0).
 *   initialAccumulatorValue: the accumulator's start value (default 0).
 *   eps: added to the denominator (default 1e-10).
 *   maximize: maximize the objective (keyword only; default false).
 *   foreach, differentiable, fused: Python's implementation selectors (see `checkImplementationFlags`).
 *
 * Example:
 *   const opt = new optim.Adagrad(model.parameters(), 0.1, { lrDecay: 1e-4 });
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsArg<AdagradOptions>, ...args: PyArgs<Partial<AdagradOptions>, typeof ARGS>) {
    const o = pyArgs<AdagradOptions>('Adagrad', ARGS, args, DEFAULTS);
    if (!(o.lr >= 0)) throw new RangeError(`Adagrad: invalid learning rate ${o.lr}`);
    if (!(o.lrDecay >= 0)) throw new RangeError(`Adagrad: invalid lrDecay value ${o.lrDecay}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`Adagrad: invalid weightDecay value ${o.weightDecay}`);
    if (!(o.initialAccumulatorValue >= 0))
      throw new RangeError(`Adagrad: invalid initialAccumulatorValue value ${o.initialAccumulatorValue}`);
    if (!(o.eps >= 0)) throw new RangeError(`Adagrad: invalid epsilon value ${o.eps}`);
    checkImplementationFlags('Adagrad', o);
    super(params, o);
    torch.noGrad(() => {
      for (const g of this.paramGroups) for (const p of g.params) this.state.set(p, this.freshState(p));
    });
  }

  private freshState(p: Tensor): Record<string, Tensor> {
    return torch.keep({
      step: torch.tensor(0, { dtype: 'float32' }),
      sum: torch.fullLike(p, this.defaults.initialAccumulatorValue),
    });
  }

  /** One Adagrad update of every parameter with a gradient; with a closure, runs it first and returns its loss. */
  step(closure?: Closure): Tensor | number | undefined {
    return this.stepEach(
      closure,
      (p) => this.freshState(p),
      (p, g, st, group) => {
        const stepT = (st.step as Tensor).add_(1);
        const step = stepT.item() as number;
        const grad = decayWeights(p, g, group.lr, group.weightDecay, false);
        const clr = group.lr / (1 + (step - 1) * group.lrDecay);
        const sum = (st.sum as Tensor).addcmul_(grad, grad, { value: 1 });
        p.addcdiv_(grad, sum.sqrt().add_(group.eps), { value: -clr });
      },
    );
  }
}
