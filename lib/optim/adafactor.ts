// Adafactor with PyTorch's formulas (_single_tensor_adafactor): factored second moments for matrices.
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { pyArgs, type PyArgs } from './args.js';
import { Optimizer, zeroStep, type Closure, type ParamState, type ParamsArg } from './optimizer.js';

/** Adafactor's hyper-parameters (PyTorch's names in camelCase; `eps` is [eps1 or null, eps2]). */
export interface AdafactorOptions {
  lr: number;
  beta2Decay: number;
  eps: [number | null, number];
  d: number;
  weightDecay: number;
  foreach: boolean | null;
  maximize: boolean;
}
const ARGS = ['lr', 'beta2Decay', 'eps', 'd', 'weightDecay'] as const;
const DEFAULTS: AdafactorOptions = {
  lr: 1e-2,
  beta2Decay: -0.8,
  eps: [null, 1e-3],
  d: 1,
  weightDecay: 0,
  foreach: null,
  maximize: false,
};
const FLOAT_EPS: Record<string, number> = {
  float32: 2 ** -23,
  float64: 2 ** -52,
  float16: 2 ** -10,
  bfloat16: 2 ** -7,
};

/**
 * Adafactor (Shazeer & Stern 2018) as PyTorch's `torch.optim.Adafactor`: the second moment of a matrix gradient is
 * kept as row and column means (`row_var`, `col_var`), of a vector as `variance`; beta2_t = 1 - step^beta2Decay,
 * the step is relative (max(eps2, RMS(p)) * min(lr, 1/sqrt(step))) and its RMS clipped at d; weight decay is
 * decoupled. State per parameter: `step`, `row_var` and `col_var` (2-d and up) or `variance`.
 *
 * Args:
 *   params: the parameters, or groups of them with their own options.
 *   lr: the relative step cap (default 1e-2).
 *   beta2Decay: the decay rate of beta2 (default -0.8).
 *   eps: [eps1 (default null: the dtype's machine epsilon), eps2 (default 1e-3)].
 *   d: the update's RMS clipping threshold (default 1).
 *   weightDecay: decoupled weight decay (default 0).
 *   maximize: maximize the objective (keyword only; default false).
 *   foreach: accepted, no effect (one code path).
 *
 * Example:
 *   const opt = new optim.Adafactor(model.parameters(), { lr: 1e-2 });
 */
export class Adafactor extends Optimizer<AdafactorOptions> {
  protected override readonly stateFollowsParamShapes: boolean = false; // row_var and col_var are factored
  constructor(params: ParamsArg<AdafactorOptions>, ...args: PyArgs<Partial<AdafactorOptions>, typeof ARGS>) {
    const o = pyArgs<AdafactorOptions>('Adafactor', ARGS, args, DEFAULTS);
    if (!(o.lr >= 0)) throw new RangeError(`Adafactor: learning rate should be >= 0 but is ${o.lr}`);
    if (!(o.beta2Decay <= 0)) throw new RangeError(`Adafactor: beta2Decay should be <= 0 but is ${o.beta2Decay}`);
    if (o.eps[0] !== null && !(o.eps[0] >= 0))
      throw new RangeError(`Adafactor: epsilon1 should be >= 0 but is ${o.eps[0]}`);
    if (!(o.eps[1] >= 0)) throw new RangeError(`Adafactor: epsilon2 should be >= 0 but is ${o.eps[1]}`);
    if (!(o.d >= 1)) throw new RangeError(`Adafactor: clipping threshold d should be >= 1 but is ${o.d}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`Adafactor: weightDecay should be >= 0 but is ${o.weightDecay}`);
    super(params, o);
  }

  /** One Adafactor update of every parameter with a gradient; with a closure, runs it first and returns its loss. */
  step(closure?: Closure): Tensor | number | undefined {
    // factored second moments (row and column variances) for matrices, a full one otherwise
    const init = (_: Tensor, g: Tensor): ParamState =>
      g.dim() > 1
        ? {
            step: zeroStep(),
            rowVar: g.newZeros([...g.shape.slice(0, -1), 1]),
            colVar: g.newZeros([...g.shape.slice(0, -2), 1, g.shape[g.dim() - 1]]),
          }
        : { step: zeroStep(), variance: torch.zerosLike(g) };
    return this.stepEach(closure, init, (p, grad, st, group) => {
      const eps1 = group.eps[0] ?? FLOAT_EPS[p.dtype];
      const step = (st.step as Tensor).add_(1).item() as number;
      const oneMinusBeta2 = step ** group.beta2Decay;
      const rho = Math.min(group.lr, 1 / step ** 0.5);
      const alpha = Math.max(group.eps[1], (torch.linalgVectorNorm(p, 2).item() as number) / p.numel() ** 0.5) * rho;
      if (group.weightDecay !== 0) p.mul_(1 - group.lr * group.weightDecay);
      const varEstimate =
        grad.dim() > 1
          ? factored(grad, st.rowVar as Tensor, st.colVar as Tensor, oneMinusBeta2, eps1)
          : (st.variance as Tensor).lerp_(grad.mul(grad), oneMinusBeta2).clone();
      const update = varEstimate
        .clamp_({ min: eps1 * eps1 })
        .rsqrt_()
        .mul_(grad);
      const denom = Math.max(
        1,
        (torch.linalgVectorNorm(update, 2).item() as number) / (update.numel() ** 0.5 * group.d),
      );
      p.add_(update, { alpha: -alpha / denom });
    });
  }
}

/** The factored second-moment estimate: row and column means of g^2, updated in place, and their outer product. */
function factored(grad: Tensor, rowVar: Tensor, colVar: Tensor, oneMinusBeta2: number, eps1: number): Tensor {
  const n = grad.dim();
  rowVar.lerp_(
    torch
      .linalgVectorNorm(grad, 2, [-1], true)
      .square_()
      .div_(grad.shape[n - 1]),
    oneMinusBeta2,
  );
  colVar.lerp_(
    torch
      .linalgVectorNorm(grad, 2, [-2], true)
      .square_()
      .div_(grad.shape[n - 2]),
    oneMinusBeta2,
  );
  return rowVar.matmul(colVar).div_(rowVar.mean(-2, true).clamp_({ min: eps1 }));
}
