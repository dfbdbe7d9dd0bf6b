// The strong-Wolfe line search of PyTorch's LBFGS (torch/optim/lbfgs.py's _strong_wolfe and _cubic_interpolate).
// Python mixes floats and 0-dim float32 tensors there (losses are floats, directional derivatives tensors), and
// which one a value is decides where float32 rounding happens; `PyScalar` keeps that distinction so the search
// takes the same steps as Python's.
import { Tensor } from '../torch/tensor.js';

/** A Python float (number) or a 0-dim tensor, as LBFGS's scalars are. */
export type PyScalar = number | Tensor;

const isT = (x: PyScalar): x is Tensor => x instanceof Tensor;
/** The value of a scalar (a tensor's item). */
const num = (x: PyScalar): number => (isT(x) ? (x.item() as number) : x);
// Tensor ops are overloaded per operand type, so a union operand is split before the call.
type Op = 'add' | 'sub' | 'mul' | 'div' | 'lt' | 'le' | 'gt' | 'ge';
const call = (a: Tensor, op: Op, b: PyScalar): Tensor => (typeof b === 'number' ? a[op](b) : a[op](b));

/** Python's `a + b`. */
const add = (a: PyScalar, b: PyScalar): PyScalar => (isT(a) ? call(a, 'add', b) : isT(b) ? b.add(a) : a + b);
/** Python's `a - b` (float - tensor is torch.rsub). */
const sub = (a: PyScalar, b: PyScalar): PyScalar => (isT(a) ? call(a, 'sub', b) : isT(b) ? b.neg().add(a) : a - b);
/** Python's `a * b`. */
const mul = (a: PyScalar, b: PyScalar): PyScalar => (isT(a) ? call(a, 'mul', b) : isT(b) ? b.mul(a) : a * b);
/** Python's `a / b` (float / tensor is `tensor.reciprocal() * float`, as Tensor.__rtruediv__). */
const div = (a: PyScalar, b: PyScalar): PyScalar =>
  isT(a) ? call(a, 'div', b) : isT(b) ? b.reciprocal().mul(a) : a / b;
/** Python's `a < b` (a tensor comparison rounds the float operand to the tensor's dtype). */
const lt = (a: PyScalar, b: PyScalar): boolean =>
  (isT(a) ? call(a, 'lt', b).item() : isT(b) ? b.gt(a).item() : a < b) as boolean;
/** Python's `a <= b`. */
const le = (a: PyScalar, b: PyScalar): boolean =>
  (isT(a) ? call(a, 'le', b).item() : isT(b) ? b.ge(a).item() : a <= b) as boolean;
/** Python's `a > b`. */
const gt = (a: PyScalar, b: PyScalar): boolean => lt(b, a);
/** Python's `a >= b`. */
const ge = (a: PyScalar, b: PyScalar): boolean => le(b, a);
/** Python's `abs(a)`. */
const abs = (a: PyScalar): PyScalar => (isT(a) ? a.abs() : Math.abs(a));
/** Python's `min(a, b)` (the first unless the second is smaller). */
const pyMin = (a: PyScalar, b: PyScalar): PyScalar => (lt(b, a) ? b : a);
/** Python's `max(a, b)` (the first unless the second is larger). */
const pyMax = (a: PyScalar, b: PyScalar): PyScalar => (gt(b, a) ? b : a);

/**
 * Python's arithmetic on LBFGS's scalars: a Python float stays a JS number, an operation with a 0-dim tensor is
 * the tensor op Python would call (float - tensor is rsub, float / tensor is reciprocal() * float, comparisons round
 * the float to the tensor's dtype), and `min`/`max` keep Python's choice on ties.
 *
 * Args:
 *   a, b: numbers or 0-dim tensors (each function takes one or two).
 *
 * Example:
 *   pyScalar.div(1, ys);               // ys.reciprocal().mul(1), as Python's 1.0 / ys
 *   pyScalar.gt(ys, 1e-10);            // ys > 1e-10 in float32
 */
export const pyScalar = { num, add, sub, mul, div, lt, le, gt, ge, abs, min: pyMin, max: pyMax };

/**
 * The minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped to the bounds (their
 * midpoint when the cubic has no minimum), as PyTorch's `_cubic_interpolate`.
 *
 * Args:
 *   x1, f1, g1: the first point, value and slope.
 *   x2, f2, g2: the second point, value and slope.
 *   bounds: [min, max]; the interval between x1 and x2 by default.
 *
 * Example:
 *   cubicInterpolate(0, 1, -1, 1, 0.5, 0.2); // a point in [0, 1]
 */
export function cubicInterpolate(
  x1: PyScalar,
  f1: PyScalar,
  g1: PyScalar,
  x2: PyScalar,
  f2: PyScalar,
  g2: PyScalar,
  bounds?: [PyScalar, PyScalar],
): PyScalar {
  const [lo, hi] = bounds ?? (le(x1, x2) ? [x1, x2] : [x2, x1]);
  const d1 = sub(add(g1, g2), div(mul(3, sub(f1, f2)), sub(x1, x2)));
  const d2Square = sub(isT(d1) ? d1.pow(2) : d1 ** 2, mul(g1, g2));
  if (!ge(d2Square, 0)) return div(add(lo, hi), 2);
  const d2 = isT(d2Square) ? d2Square.sqrt() : Math.sqrt(d2Square);
  const minPos = le(x1, x2)
    ? sub(x2, mul(sub(x2, x1), div(sub(add(g2, d2), d1), add(sub(g2, g1), mul(2, d2)))))
    : sub(x1, mul(sub(x1, x2), div(sub(add(g1, d2), d1), add(sub(g1, g2), mul(2, d2)))));
  return pyMin(pyMax(minPos, lo), hi);
}

/** Evaluates the loss and flat gradient at x + t d (the parameters are restored afterwards). */
export type DirectionalEvaluate = (x: Tensor[], t: PyScalar, d: Tensor) => [number, Tensor];

/** The search's state: the bracket's points, values, gradients and slopes. */
interface Bracket {
  t: PyScalar[];
  f: number[];
  g: Tensor[];
  gtd: PyScalar[];
}

/**
 * A line search along d satisfying the strong Wolfe conditions (sufficient decrease c1, curvature c2): bracketing,
 * then zooming with cubic interpolation, as PyTorch's `_strong_wolfe`. Returns the new loss, flat gradient, step
 * and the number of evaluations.
 *
 * Args:
 *   objFunc: evaluates loss and flat gradient at x + t d.
 *   x: the parameters at the start (restored by objFunc after each evaluation).
 *   t: the initial step.
 *   d: the search direction (flat).
 *   f, g, gtd: the loss, flat gradient and directional derivative at x.
 *   options: c1 (1e-4), c2 (0.9), toleranceChange (1e-9), maxLs (25).
 *
 * Example:
 *   const [loss, grad, t, evals] = strongWolfe(evaluate, x0, 1, d, f0, g0, g0.dot(d));
 */
export function strongWolfe(
  objFunc: DirectionalEvaluate,
  x: Tensor[],
  t: PyScalar,
  d: Tensor,
  f: number,
  g: Tensor,
  gtd: PyScalar,
  options: { c1?: number; c2?: number; toleranceChange?: number; maxLs?: number } = {},
): [number, Tensor, PyScalar, number] {
  const { c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25 } = options;
  const dNorm = d.abs().max();
  const sufficient = (tt: PyScalar, fNew: number): boolean => gt(fNew, add(f, mul(mul(c1, tt), gtd)));
  const curvature = (gtdNew: PyScalar): boolean => le(abs(gtdNew), mul(-c2, gtd));
  let [fNew, gNew] = objFunc(x, t, d);
  let evals = 1;
  let gtdNew: PyScalar = gNew.dot(d);
  let [tPrev, fPrev, gPrev, gtdPrev]: [PyScalar, number, Tensor, PyScalar] = [0, f, g.clone(), gtd];
  let done = false,
    lsIter = 0;
  let br: Bracket | undefined;
  while (lsIter < maxLs) {
    if (sufficient(t, fNew) || (lsIter > 1 && fNew >= fPrev)) {
      br = { t: [tPrev, t], f: [fPrev, fNew], g: [gPrev, gNew.clone()], gtd: [gtdPrev, gtdNew] };
      break;
    }
    if (curvature(gtdNew)) {
      br = { t: [t], f: [fNew], g: [gNew], gtd: [] };
      done = true;
      break;
    }
    if (ge(gtdNew, 0)) {
      br = { t: [tPrev, t], f: [fPrev, fNew], g: [gPrev, gNew.clone()], gtd: [gtdPrev, gtdNew] };
      break;
    }
    const minStep = add(t, mul(0.01, sub(t, tPrev)));
    const maxStep = mul(t, 10);
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    [tPrev, fPrev, gPrev, gtdPrev] = [tmp, fNew, gNew.clone(), gtdNew];
    [fNew, gNew] = objFunc(x, t, d);
    evals += 1;
    gtdNew = gNew.dot(d);
    lsIter += 1;
  }
  if (lsIter === maxLs) br = { t: [0, t], f: [f, fNew], g: [g, gNew], gtd: [] };
  const bracket = br as Bracket;
  const zoomed = zoom(bracket, done, lsIter, { objFunc, x, d, dNorm, sufficient, curvature, toleranceChange, maxLs });
  return [bracket.f[zoomed.low], bracket.g[zoomed.low], bracket.t[zoomed.low], evals + zoomed.evals];
}

interface ZoomContext {
  objFunc: DirectionalEvaluate;
  x: Tensor[];
  d: Tensor;
  dNorm: Tensor;
  toleranceChange: number;
  maxLs: number;
  sufficient: (t: PyScalar, f: number) => boolean;
  curvature: (gtd: PyScalar) => boolean;
}

/**
 * The zoom phase: shrinks the bracket (in place) until the conditions hold; returns the best end and the
 * evaluations.
 */
function zoom(b: Bracket, done: boolean, lsIter: number, c: ZoomContext): { low: number; evals: number } {
  let insufProgress = false,
    evals = 0;
  let [low, high] = b.f[0] <= b.f[b.f.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < c.maxLs) {
    if (lt(mul(abs(sub(b.t[1], b.t[0])), c.dNorm), c.toleranceChange)) break;
    let t = cubicInterpolate(b.t[0], b.f[0], b.gtd[0], b.t[1], b.f[1], b.gtd[1]);
    const [bMax, bMin] = [pyMax(b.t[0], b.t[1]), pyMin(b.t[0], b.t[1])];
    const eps = mul(0.1, sub(bMax, bMin));
    if (lt(pyMin(sub(bMax, t), sub(t, bMin)), eps)) {
      if (insufProgress || ge(t, bMax) || le(t, bMin)) {
        t = lt(abs(sub(t, bMax)), abs(sub(t, bMin))) ? sub(bMax, eps) : add(bMin, eps);
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    const [fNew, gNew] = c.objFunc(c.x, t, c.d);
    evals += 1;
    const gtdNew = gNew.dot(c.d);
    lsIter += 1;
    if (c.sufficient(t, fNew) || fNew >= b.f[low]) {
      [b.t[high], b.f[high], b.g[high], b.gtd[high]] = [t, fNew, gNew.clone(), gtdNew];
      [low, high] = b.f[0] <= b.f[1] ? [0, 1] : [1, 0];
    } else {
      if (c.curvature(gtdNew)) done = true;
      else if (ge(mul(gtdNew, sub(b.t[high], b.t[low])), 0))
        [b.t[high], b.f[high], b.g[high], b.gtd[high]] = [b.t[low], b.f[low], b.g[low], b.gtd[low]];
      [b.t[low], b.f[low], b.g[low], b.gtd[low]] = [t, fNew, gNew.clone(), gtdNew];
    }
  }
  return { low, evals };
}
