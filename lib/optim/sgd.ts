// SGD with momentum, dampening, Nesterov and weight decay (PyTorch's _single_tensor_sgd).
import type { Tensor } from '../torch/tensor.js';
import { pyArgs, type PyArgs } from './args.js';
import { checkImplementationFlags, decayWeights, Optimizer, type Closure, type ParamsArg } from './optimizer.js';

/**
 * SGD's hyper-parameters (PyTorch's names in camelCase; `foreach`, `differentiable`, `fused` as
 * `checkImplementationFlags` says).
 */
export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  foreach: boolean | null;
  differentiable: boolean;
  fused: boolean | null;
}
const ARGS = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov'] as const;
const DEFAULTS: SGDOptions = {
  lr: 1e-3,
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  maximize: false,
  foreach: null,
  differentiable: false,
  fused: null,
};

/**
 * Stochastic gradient descent as PyTorch's `torch.optim.SGD`: momentum
 * (buffer = momentum * buffer + (1 - dampening) g), Nesterov, L2 weight decay. Parameters without a gradient are
 * skipped entirely (no momentum buffer, no weight decay).
 * State per parameter: `momentumBuffer` (`momentum_buffer` in stateDict()).
 *
 * Args:
 *   params: the parameters, or groups of them with their own options.
 *   lr: learning rate (default 1e-3, as PyTorch 2.x).
 *   momentum: momentum factor (default 0).
 *   dampening: dampening of the momentum (default 0).
 *   weightDecay: L2 penalty (default 0).
 *   nesterov: Nesterov momentum (default false).
 *   maximize: maximize the objective (keyword only; default false).
 *   foreach, differentiable, fused: Python's implementation selectors (see `checkImplementationFlags`).
 *
 * Example:
 *   const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9, nesterov: true });
 *   // or positionally: new optim.SGD(model.parameters(), 0.01, { momentum: 0.9, nesterov: true })
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsArg<SGDOptions>, ...args: PyArgs<Partial<SGDOptions>, typeof ARGS>) {
    const o = pyArgs<SGDOptions>('SGD', ARGS, args, DEFAULTS);
    if (o.lr < 0) throw new RangeError(`SGD: invalid learning rate ${o.lr}`);
    if (o.momentum < 0) throw new RangeError(`SGD: invalid momentum ${o.momentum}`);
    if (o.weightDecay < 0) throw new RangeError(`SGD: invalid weightDecay ${o.weightDecay}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0))
      throw new RangeError('SGD: Nesterov momentum requires a momentum and zero dampening');
    checkImplementationFlags('SGD', o);
    super(params, o);
  }

  /** One SGD update of every parameter with a gradient; with a closure, runs it first and returns its loss. */
  step(closure?: Closure): Tensor | number | undefined {
    return this.stepEach(closure, null, (p, g, st, group) => {
      let grad = decayWeights(p, g, group.lr, group.weightDecay, false);
      if (group.momentum !== 0) {
        let buf = st.momentumBuffer as Tensor | undefined;
        if (!buf) {
          buf = grad.clone().detach();
          st.momentumBuffer = buf;
        } else {
          buf.mul_(group.momentum).add_(grad, { alpha: 1 - group.dampening });
        }
        grad = group.nesterov ? grad.add(buf, { alpha: group.momentum }) : buf;
      }
      p.add_(grad, { alpha: -group.lr });
    });
  }
}
