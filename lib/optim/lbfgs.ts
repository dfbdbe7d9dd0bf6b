// L-BFGS with PyTorch's algorithm (torch/optim/lbfgs.py): two-loop recursion over the last historySize curvature
// pairs, fixed steps or the strong-Wolfe line search, the same stopping rules and state keys.
import * as torch from '../torch/index.js';
import { Tensor } from '../torch/tensor.js';
import { pyArgs, type PyArgs } from './args.js';
import { pyScalar as S, strongWolfe, type PyScalar } from './line-search.js';
import { Optimizer, type Closure, type ParamsArg } from './optimizer.js';

/** LBFGS's hyper-parameters (PyTorch's names in camelCase). */
export interface LBFGSOptions {
  lr: number;
  maxIter: number;
  maxEval: number | null;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: 'strong_wolfe' | null;
}
const ARGS = ['lr', 'maxIter', 'maxEval', 'toleranceGrad', 'toleranceChange', 'historySize', 'lineSearchFn'] as const;
const DEFAULTS: LBFGSOptions = {
  lr: 1,
  maxIter: 20,
  maxEval: null,
  toleranceGrad: 1e-7,
  toleranceChange: 1e-9,
  historySize: 100,
  lineSearchFn: null,
};

/** LBFGS's state (kept on the first parameter, as PyTorch does). */
interface LBFGSState {
  funcEvals: number;
  nIter: number;
  al?: (Tensor | null)[];
  d?: Tensor;
  t?: PyScalar;
  oldDirs?: Tensor[];
  oldStps?: Tensor[];
  ro?: PyScalar[];
  hDiag?: PyScalar;
  prevFlatGrad?: Tensor;
  prevLoss?: number;
}
/** The curvature history and the last direction and step. */
interface History {
  d: Tensor;
  t: PyScalar;
  oldDirs: Tensor[];
  oldStps: Tensor[];
  ro: PyScalar[];
  hDiag: PyScalar;
}

/**
 * L-BFGS, as PyTorch's `torch.optim.LBFGS`: each `step(closure)` runs up to `maxIter` iterations (at most `maxEval`
 * closure calls), with the step `lr` (the first scaled by min(1, 1/|g|_1)) or a strong-Wolfe line search
 * (`lineSearchFn: 'strong_wolfe'`). One parameter group only. The closure must zero the grads, compute the loss, call
 * backward and return the loss; every tensor it creates is freed after each call except the first loss, which
 * `step` returns (the caller's to dispose). State (on the first parameter, as in PyTorch): `func_evals`, `n_iter`,
 * `d`, `t`, `old_dirs`, `old_stps`, `ro`, `H_diag`, `prev_flat_grad`, `prev_loss`, `al`.
 *
 * Args:
 *   params: the parameters (one group).
 *   lr: the step (default 1).
 *   maxIter: iterations per step (default 20).
 *   maxEval: closure calls per step (default maxIter * 5 / 4, rounded down).
 *   toleranceGrad: stop when max |g| <= this (default 1e-7).
 *   toleranceChange: stop when the step or the loss changes less (default 1e-9).
 *   historySize: curvature pairs kept (default 100).
 *   lineSearchFn: 'strong_wolfe' or null (default null: fixed steps).
 *
 * Example:
 *   const opt = new optim.LBFGS(model.parameters(), { lineSearchFn: 'strong_wolfe' });
 *   const loss = opt.step(() => { opt.zeroGrad(); const l = lossFn(model(x), y); l.backward(); return l; });
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  protected override readonly stateFollowsParamShapes: boolean = false;
  protected override readonly pyStateKeys: Record<string, string> = { hDiag: 'H_diag' };

  constructor(params: ParamsArg<LBFGSOptions>, ...args: PyArgs<Partial<LBFGSOptions>, typeof ARGS>) {
    const o = pyArgs<LBFGSOptions>('LBFGS', ARGS, args, DEFAULTS);
    if (!(o.lr >= 0)) throw new RangeError(`LBFGS: invalid learning rate ${o.lr}`);
    if (o.lineSearchFn !== null && o.lineSearchFn !== 'strong_wolfe')
      throw new RangeError(`LBFGS: only 'strong_wolfe' is supported as lineSearchFn, got ${String(o.lineSearchFn)}`);
    super(params, { ...o, maxEval: o.maxEval ?? Math.floor((o.maxIter * 5) / 4) });
    if (this.paramGroups.length !== 1)
      throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  /**
   * Runs up to `maxIter` L-BFGS iterations and returns the closure's first loss.
   *
   * Args:
   *   closure: re-evaluates the model: zeroes the grads, computes the loss, calls backward, returns the loss.
   */
  override step(closure?: Closure): Tensor | number {
    if (!closure) throw new TypeError('LBFGS.step: a closure is required (it re-evaluates the loss and its gradient)');
    let st = this.state.get(this.params[0]) as unknown as LBFGSState | undefined;
    if (!st) {
      st = { funcEvals: 0, nIter: 0 };
      this.state.set(this.params[0], st as never);
    }
    const before = new Set(tensorsOf(st));
    const loss = torch.noGrad(() =>
      torch.tidy(() => {
        const out = this.iterate(closure, st);
        torch.keep(Object.values(st));
        return out;
      }),
    );
    const after = new Set(tensorsOf(st));
    for (const t of before) if (!after.has(t)) t.dispose();
    return loss;
  }

  /** The body of Python's `step`: iterations until a stopping rule holds; updates `st`. */
  private iterate(closure: Closure, st: LBFGSState): Tensor | number {
    const g = this.paramGroups[0];
    st.funcEvals ??= 0;
    st.nIter ??= 0;
    const origLoss = torch.enableGrad(closure);
    let loss = S.num(origLoss);
    let currentEvals = 1;
    st.funcEvals += 1;
    let flatGrad = this.gatherFlatGrad();
    let optCond = S.le(flatGrad.abs().max(), g.toleranceGrad);
    if (optCond) return origLoss;
    let h: History | undefined = st.d
      ? { d: st.d, t: st.t!, oldDirs: st.oldDirs!, oldStps: st.oldStps!, ro: st.ro!, hDiag: st.hDiag! }
      : undefined;
    let prevFlatGrad = st.prevFlatGrad,
      prevLoss = st.prevLoss ?? 0;
    for (let nIter = 1; nIter <= g.maxIter; nIter++) {
      st.nIter += 1;
      h =
        st.nIter === 1 || !h
          ? { d: flatGrad.neg(), t: 0, oldDirs: [], oldStps: [], ro: [], hDiag: 1 }
          : this.direction(h, flatGrad, prevFlatGrad!, st);
      if (!prevFlatGrad) prevFlatGrad = flatGrad.clone();
      else prevFlatGrad.copy_(flatGrad);
      prevLoss = loss;
      h.t = st.nIter === 1 ? S.mul(S.min(1, S.div(1, flatGrad.abs().sum())), g.lr) : g.lr;
      const gtd = flatGrad.dot(h.d);
      if (S.gt(gtd, -g.toleranceChange)) break;
      let lsEvals = 0;
      if (g.lineSearchFn !== null) {
        const evaluate = (x: Tensor[], t: PyScalar, d: Tensor): [number, Tensor] =>
          this.directionalEvaluate(closure, x, t, d);
        [loss, flatGrad, h.t, lsEvals] = strongWolfe(
          evaluate,
          this.params.map((p) => p.clone()),
          h.t,
          h.d,
          loss,
          flatGrad,
          gtd,
          { maxLs: (g.maxEval as number) - currentEvals },
        );
        this.addGrad(h.t, h.d);
        optCond = S.le(flatGrad.abs().max(), g.toleranceGrad);
      } else {
        this.addGrad(h.t, h.d);
        if (nIter !== g.maxIter) {
          loss = this.evaluate(closure);
          flatGrad = this.gatherFlatGrad();
          optCond = S.le(flatGrad.abs().max(), g.toleranceGrad);
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      st.funcEvals += lsEvals;
      if (nIter === g.maxIter || currentEvals >= (g.maxEval as number) || optCond) break;
      if (
        S.le((S.mul(h.d, h.t) as Tensor).abs().max(), g.toleranceChange) ||
        Math.abs(loss - prevLoss) < g.toleranceChange
      )
        break;
    }
    if (h) Object.assign(st, { d: h.d, t: h.t, oldDirs: h.oldDirs, oldStps: h.oldStps, ro: h.ro, hDiag: h.hDiag });
    Object.assign(st, { prevFlatGrad, prevLoss });
    return origLoss;
  }

  /** Updates the curvature history with the last step and computes the new direction (two-loop recursion). */
  private direction(h: History, flatGrad: Tensor, prevFlatGrad: Tensor, st: LBFGSState): History {
    const historySize = this.paramGroups[0].historySize;
    const y = flatGrad.sub(prevFlatGrad);
    const s = S.mul(h.d, h.t) as Tensor;
    const ys = y.dot(s);
    let hDiag = h.hDiag;
    if (S.gt(ys, 1e-10)) {
      if (h.oldDirs.length === historySize) {
        h.oldDirs.shift();
        h.oldStps.shift();
        h.ro.shift();
      }
      h.oldDirs.push(y);
      h.oldStps.push(s);
      h.ro.push(S.div(1, ys));
      hDiag = ys.div(y.dot(y));
    }
    st.al ??= Array.from({ length: historySize }, () => null);
    const al = st.al;
    const q = flatGrad.neg();
    for (let i = h.oldDirs.length - 1; i >= 0; i--) {
      const a = S.mul(h.oldStps[i].dot(q), h.ro[i]) as Tensor;
      al[i] = a;
      q.add_(h.oldDirs[i], { alpha: -S.num(a) });
    }
    const r = S.mul(q, hDiag) as Tensor;
    for (let i = 0; i < h.oldDirs.length; i++) {
      const be = S.mul(h.oldDirs[i].dot(r), h.ro[i]);
      r.add_(h.oldStps[i], { alpha: S.num(S.sub(al[i]!, be)) });
    }
    return { ...h, d: r, hDiag };
  }

  /** The closure's loss as a number; everything the call created is freed. */
  private evaluate(closure: Closure): number {
    return torch.tidy(() => S.num(torch.enableGrad(closure)));
  }

  private directionalEvaluate(closure: Closure, x: Tensor[], t: PyScalar, d: Tensor): [number, Tensor] {
    this.addGrad(t, d);
    const loss = this.evaluate(closure);
    const flatGrad = this.gatherFlatGrad();
    this.params.forEach((p, i) => p.copy_(x[i]));
    return [loss, flatGrad];
  }

  /** All gradients in one flat vector (zeros for parameters without one). */
  private gatherFlatGrad(): Tensor {
    return torch.cat(
      this.params.map((p) => {
        const g = p.grad;
        return g === null ? torch.zeros([p.numel()], { dtype: p.dtype, device: p.device }) : g.reshape(-1);
      }),
      0,
    );
  }

  /** p += stepSize * (p's slice of the flat update), for every parameter. */
  private addGrad(stepSize: PyScalar, update: Tensor): void {
    const alpha = S.num(stepSize);
    let offset = 0;
    for (const p of this.params) {
      const n = p.numel();
      p.add_(update.narrow(0, offset, n).viewAs(p), { alpha });
      offset += n;
    }
  }
}

function tensorsOf(st: LBFGSState): Tensor[] {
  return Object.values(st).flatMap((v): Tensor[] =>
    v instanceof Tensor ? [v] : Array.isArray(v) ? v.filter((x): x is Tensor => x instanceof Tensor) : [],
  );
}
