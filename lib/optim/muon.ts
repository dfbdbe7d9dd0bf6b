// Muon with PyTorch's formulas (_single_tensor_muon): momentum, then the update orthogonalized by Newton-Schulz.
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { pyArgs, type PyArgs } from './args.js';
import { Optimizer, type Closure, type ParamsArg } from './optimizer.js';

/** Muon's hyper-parameters (PyTorch's names in camelCase). */
export interface MuonOptions {
  lr: number;
  weightDecay: number;
  momentum: number;
  nesterov: boolean;
  nsCoefficients: [number, number, number];
  eps: number;
  nsSteps: number;
  adjustLrFn: 'original' | 'match_rms_adamw' | null;
}
const ARGS = ['lr', 'weightDecay', 'momentum', 'nesterov', 'nsCoefficients', 'eps', 'nsSteps', 'adjustLrFn'] as const;
const DEFAULTS: MuonOptions = {
  lr: 1e-3,
  weightDecay: 0.1,
  momentum: 0.95,
  nesterov: true,
  nsCoefficients: [3.4445, -4.775, 2.0315],
  eps: 1e-7,
  nsSteps: 5,
  adjustLrFn: null,
};

/**
 * The update's nearest semi-orthogonal matrix by a quintic Newton-Schulz iteration in bfloat16 (PyTorch's
 * `_zeropower_via_newtonschulz`).
 *
 * Args:
 *   grad: a 2-d update.
 *   coefficients: the iteration's (a, b, c).
 *   steps: the number of iterations (< 100).
 *   eps: the floor of the norm used to scale the input.
 *
 * Example:
 *   // bfloat16, with nearly orthonormal columns
 *   const o = zeropowerViaNewtonSchulz(torch.randn([4, 3]), [3.4445, -4.775, 2.0315], 5, 1e-7);
 */
export function zeropowerViaNewtonSchulz(
  grad: Tensor,
  coefficients: readonly number[],
  steps: number,
  eps: number,
): Tensor {
  if (steps >= 100) throw new RangeError('Muon: the number of Newton-Schulz steps must be less than 100');
  if (grad.dim() !== 2) throw new RangeError(`Muon: the update must be a 2-d matrix, got shape [${grad.shape}]`);
  if (coefficients.length !== 3) throw new RangeError('Muon: nsCoefficients must be exactly 3 values');
  const [a, b, c] = coefficients;
  const tall = grad.shape[0] > grad.shape[1];
  let x = grad.to('bfloat16');
  if (tall) x = x.t();
  x.div_(torch.linalgVectorNorm(x).clamp({ min: eps }));
  for (let i = 0; i < steps; i++) {
    const gram = x.matmul(x.t());
    const gramUpdate = gram.addmm(gram, gram, { beta: b, alpha: c });
    x = x.addmm(gramUpdate, x, { beta: a });
  }
  return tall ? x.t() : x;
}

/** The learning rate scaled for the matrix's shape (PyTorch's `_adjust_lr`). */
function adjustLr(lr: number, fn: MuonOptions['adjustLrFn'], shape: readonly number[]): number {
  const [rows, cols] = shape;
  if (fn === null || fn === 'original') return lr * Math.sqrt(Math.max(1, rows / cols));
  if (fn === 'match_rms_adamw') return lr * 0.2 * Math.sqrt(Math.max(rows, cols));
  return lr;
}

/**
 * Muon (Jordan et al. 2024), as PyTorch's `torch.optim.Muon`, for 2-d parameters: a momentum buffer (Nesterov by
 * default) whose update is orthogonalized by Newton-Schulz, decoupled weight decay, the lr scaled by the shape
 * (`adjustLrFn`). State per parameter: `momentum_buffer`.
 *
 * Args:
 *   params: 2-d parameters, or groups of them with their own options.
 *   lr: learning rate (default 1e-3).
 *   weightDecay: decoupled weight decay (default 0.1).
 *   momentum: momentum factor (default 0.95).
 *   nesterov: Nesterov momentum (default true).
 *   nsCoefficients: Newton-Schulz's (a, b, c) (default [3.4445, -4.775, 2.0315]).
 *   eps: the norm floor (default 1e-7).
 *   nsSteps: Newton-Schulz iterations (default 5).
 *   adjustLrFn: 'original' (sqrt(max(1, rows/cols)), the default) or 'match_rms_adamw' (0.2 sqrt(max(rows, cols))).
 *
 * Example:
 *   const opt = new optim.Muon(hiddenMatrices, { lr: 0.02 });
 */
export class Muon extends Optimizer<MuonOptions> {
  constructor(params: ParamsArg<MuonOptions>, ...args: PyArgs<Partial<MuonOptions>, typeof ARGS>) {
    const o = pyArgs<MuonOptions>('Muon', ARGS, args, DEFAULTS);
    if (!(o.lr >= 0)) throw new RangeError(`Muon: learning rate should be >= 0 but is ${o.lr}`);
    if (!(o.momentum >= 0)) throw new RangeError(`Muon: momentum should be >= 0 but is ${o.momentum}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`Muon: weight decay should be >= 0 but is ${o.weightDecay}`);
    if (o.adjustLrFn !== null && o.adjustLrFn !== 'original' && o.adjustLrFn !== 'match_rms_adamw')
      throw new RangeError(`Muon: adjustLrFn ${String(o.adjustLrFn)} is not supported`);
    super(params, o);
    for (const g of this.paramGroups)
      for (const p of g.params) {
        if (p.dim() !== 2)
          throw new RangeError(`Muon only supports 2-d parameters, but found one of shape [${p.shape}]`);
      }
  }

  /** One Muon update of every parameter with a gradient; with a closure, runs it first and returns its loss. */
  step(closure?: Closure): Tensor | number | undefined {
    const loss = this.runClosure(closure);
    this.forEachParam((p, grad, st, group) => {
      st.momentumBuffer ??= torch.zerosLike(grad);
      const buf = (st.momentumBuffer as Tensor).lerp_(grad, 1 - group.momentum);
      const update = zeropowerViaNewtonSchulz(
        group.nesterov ? grad.lerp(buf, group.momentum) : buf,
        group.nsCoefficients,
        group.nsSteps,
        group.eps,
      );
      p.mul_(1 - group.lr * group.weightDecay);
      p.add_(update, { alpha: -adjustLr(group.lr, group.adjustLrFn, p.shape) });
    });
    return loss;
  }
}
