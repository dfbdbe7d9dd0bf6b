// Adam and AdamW with PyTorch's formulas (_single_tensor_adam), amsgrad optional.
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { checkImplementationFlags, Optimizer, type Closure, type ParamsArg } from './optimizer.js';

/**
 * Adam's hyper-parameters (PyTorch's names in camelCase). `decoupledWeightDecay` (PyTorch's `decoupled_weight_decay`,
 * default false) makes Adam decay as AdamW does; AdamW always decouples.
 */
export interface AdamOptions {
  lr: number; betas: [number, number]; eps: number; weightDecay: number; amsgrad: boolean; maximize: boolean;
  foreach: boolean | null; capturable: boolean; differentiable: boolean; fused: boolean | null; decoupledWeightDecay: boolean;
}
const FLAGS = { foreach: null, capturable: false, differentiable: false, fused: null } as const;

function check(name: string, o: AdamOptions): void {
  if (o.lr < 0) throw new RangeError(`${name}: invalid learning rate ${o.lr}`);
  if (o.eps < 0) throw new RangeError(`${name}: invalid epsilon ${o.eps}`);
  if (!(o.betas[0] >= 0 && o.betas[0] < 1) || !(o.betas[1] >= 0 && o.betas[1] < 1)) throw new RangeError(`${name}: invalid betas [${o.betas}]`);
  if (o.weightDecay < 0) throw new RangeError(`${name}: invalid weightDecay ${o.weightDecay}`);
  checkImplementationFlags(name, o);
}

/**
 * State per parameter: `step` (float32 scalar tensor, as PyTorch), `expAvg`, `expAvgSq`, `maxExpAvgSq`
 * (`step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` in stateDict()).
 */
export class Adam extends Optimizer<AdamOptions> {
  protected readonly decoupled: boolean = false;
  constructor(params: ParamsArg<AdamOptions>, options: Partial<AdamOptions> = {}) {
    const o: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...FLAGS, decoupledWeightDecay: false, ...options };
    check('Adam', o);
    super(params, o);
  }

  /** One Adam update of every parameter with a gradient; with a closure, runs it first and returns its loss. */
  step(closure?: Closure): Tensor | number | undefined {
    const loss = this.runClosure(closure);
    this.forEachParam((p, g0, st, group) => {
      let grad: Tensor = group.maximize ? g0.neg() : g0;
      const [beta1, beta2] = group.betas;
      if (!st.step) {
        st.step = torch.zeros([], { dtype: 'float32' });
        st.expAvg = torch.zerosLike(p, { dtype: p.dtype });
        st.expAvgSq = torch.zerosLike(p, { dtype: p.dtype });
        if (group.amsgrad) st.maxExpAvgSq = torch.zerosLike(p, { dtype: p.dtype });
      }
      const stepT = st.step as Tensor, expAvg = st.expAvg as Tensor, expAvgSq = st.expAvgSq as Tensor;
      stepT.add_(1);
      if (group.weightDecay !== 0) {
        if (this.decoupled || group.decoupledWeightDecay === true) p.mul_(1 - group.lr * group.weightDecay);
        else grad = grad.add(p, { alpha: group.weightDecay });
      }
      expAvg.lerp_(grad, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
      const step = stepT.item();
      const bc1 = 1 - beta1 ** step;
      const bc2 = 1 - beta2 ** step;
      const stepSize = group.lr / bc1;
      const bc2Sqrt = Math.sqrt(bc2);
      let denom: Tensor;
      if (group.amsgrad) {
        let maxSq = st.maxExpAvgSq as Tensor | undefined;
        if (!maxSq) { maxSq = torch.zerosLike(p); st.maxExpAvgSq = maxSq; }
        maxSq.copy_(torch.maximum(maxSq, expAvgSq));
        denom = maxSq.sqrt().div(bc2Sqrt).add_(group.eps);
      } else {
        denom = expAvgSq.sqrt().div(bc2Sqrt).add_(group.eps);
      }
      p.addcdiv_(expAvg, denom, { value: -stepSize });
    });
    return loss;
  }
}

/** Adam with decoupled weight decay (p *= 1 - lr * weightDecay before the Adam update); weightDecay defaults to 1e-2. */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;
  constructor(params: ParamsArg<AdamOptions>, options: Partial<AdamOptions> = {}) {
    const o: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false, ...FLAGS, ...options, decoupledWeightDecay: true };
    check('AdamW', o);
    super(params, o);
  }
}
