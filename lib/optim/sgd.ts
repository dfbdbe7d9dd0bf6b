// SGD with momentum, dampening, Nesterov and weight decay (PyTorch's _single_tensor_sgd).
import type { Tensor } from '../torch/tensor.js';
import { Optimizer, type ParamsArg } from './optimizer.js';

export interface SGDOptions { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean }

/**
 * Parameters without a gradient are skipped entirely (no momentum buffer, no weight decay).
 * State per parameter: `momentumBuffer` (`momentum_buffer` in stateDict()).
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsArg<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    const o: SGDOptions = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options };
    if (o.lr < 0) throw new RangeError(`SGD: invalid learning rate ${o.lr}`);
    if (o.momentum < 0) throw new RangeError(`SGD: invalid momentum ${o.momentum}`);
    if (o.weightDecay < 0) throw new RangeError(`SGD: invalid weightDecay ${o.weightDecay}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new RangeError('SGD: Nesterov momentum requires a momentum and zero dampening');
    super(params, o);
  }

  step(): void {
    this.forEachParam((p, g0, st, group) => {
      let grad: Tensor = group.maximize ? g0.neg() : g0;
      if (group.weightDecay !== 0) grad = grad.add(p, { alpha: group.weightDecay });
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
