// Reductions and statistics by the names a PyTorch user knows, as Tensor methods and as torch.* functions, with
// Python's signatures (dim, keepdim, unbiased / correction, dtype), compared with live Python torch.
import { beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { hasPython, runPython } from '../test-support/python.js';

const py = hasPython('torch');
// float64 inputs: the same libtorch kernels on both sides; only summation order could differ.
const RTOL = 1e-12;

const N = 3 * 4 * 5;
const X = Array.from({ length: N }, (_, i) => Math.sin(i * 1.7 + 0.3) * 2 + Math.cos(i * 0.37));
const Y = Array.from({ length: N }, (_, i) => Math.cos(i * 0.9));
const XI = Array.from({ length: N }, (_, i) => (((i * i) % 7) % 4) - 1); // repeats (mode), zeros (countNonzero)
const XN = X.map((v, i) => (i % 7 === 3 ? NaN : v)); // NaNs (no row all NaN), set the same way in Python

// [label, Python expression over x, y, xi, xn, op name, self, arguments after self]
type Case = [string, string, string, 'x' | 'xi' | 'xn', unknown[]];
const CASES: Case[] = [
  ['var()', 'x.var()', 'var', 'x', []],
  ['var(dim)', 'x.var(1)', 'var', 'x', [1]],
  ['var(dim, unbiased=False)', 'x.var(1, False)', 'var', 'x', [1, false]],
  ['var(unbiased=False)', 'x.var(unbiased=False)', 'var', 'x', [{ unbiased: false }]],
  ['var(dim, correction=0)', 'x.var(1, correction=0)', 'var', 'x', [1, { correction: 0 }]],
  [
    'var(dims, correction=2, keepdim)',
    'x.var([0, 2], correction=2, keepdim=True)',
    'var',
    'x',
    [[0, 2], { correction: 2, keepdim: true }],
  ],
  ['var(dim, unbiased, keepdim)', 'x.var(2, True, True)', 'var', 'x', [2, true, true]],
  ['std()', 'x.std()', 'std', 'x', []],
  ['std(dim, unbiased=False)', 'x.std(0, False)', 'std', 'x', [0, false]],
  [
    'std(dim, correction=0, keepdim)',
    'x.std(1, correction=0, keepdim=True)',
    'std',
    'x',
    [1, { correction: 0, keepdim: true }],
  ],
  ['std(correction=3)', 'x.std(correction=3)', 'std', 'x', [{ correction: 3 }]],
  ['var_mean(dim, correction=0)', 'torch.var_mean(x, 1, correction=0)', 'varMean', 'x', [1, { correction: 0 }]],
  ['var_mean()', 'torch.var_mean(x)', 'varMean', 'x', []],
  ['std_mean(dims, keepdim)', 'torch.std_mean(x, [0, 1], keepdim=True)', 'stdMean', 'x', [[0, 1], { keepdim: true }]],
  ['std_mean(unbiased=False)', 'torch.std_mean(x, unbiased=False)', 'stdMean', 'x', [{ unbiased: false }]],
  ['median()', 'x.median()', 'median', 'x', []],
  ['median(dim)', 'x.median(1)', 'median', 'x', [1]],
  ['median(dim, keepdim)', 'x.median(2, keepdim=True)', 'median', 'x', [2, { keepdim: true }]],
  ['nanmedian()', 'xn.nanmedian()', 'nanmedian', 'xn', []],
  ['nanmedian(dim)', 'xn.nanmedian(0)', 'nanmedian', 'xn', [0]],
  ['mode()', 'xi.mode()', 'mode', 'xi', []],
  ['mode(dim, keepdim)', 'xi.mode(1, True)', 'mode', 'xi', [1, true]],
  ['quantile(q)', 'x.quantile(0.3)', 'quantile', 'x', [0.3]],
  ['quantile(q, dim, keepdim)', 'x.quantile(0.3, 1, True)', 'quantile', 'x', [0.3, 1, true]],
  [
    'quantile(q, dim, interpolation)',
    "x.quantile(0.5, dim=2, interpolation='midpoint')",
    'quantile',
    'x',
    [0.5, { dim: 2, interpolation: 'midpoint' }],
  ],
  ['nanquantile(q)', 'xn.nanquantile(0.4)', 'nanquantile', 'xn', [0.4]],
  [
    'nanquantile(q, dim)',
    "xn.nanquantile(0.9, 1, interpolation='nearest')",
    'nanquantile',
    'xn',
    [0.9, 1, { interpolation: 'nearest' }],
  ],
  ['nanmean()', 'xn.nanmean()', 'nanmean', 'xn', []],
  ['nanmean(dim, keepdim)', 'xn.nanmean(1, keepdim=True)', 'nanmean', 'xn', [1, { keepdim: true }]],
  ['nansum()', 'xn.nansum()', 'nansum', 'xn', []],
  ['nansum(dims)', 'xn.nansum([0, 2])', 'nansum', 'xn', [[0, 2]]],
  ['mean()', 'x.mean()', 'mean', 'x', []],
  ['mean(dim)', 'x.mean(1)', 'mean', 'x', [1]],
  ['mean(dims, keepdim)', 'x.mean([0, 2], keepdim=True)', 'mean', 'x', [[0, 2], { keepdim: true }]],
  ['mean(dtype) of ints', 'xi.mean(dtype=torch.float64)', 'mean', 'xi', [{ dtype: 'float64' }]],
  ['sum()', 'x.sum()', 'sum', 'x', []],
  ['sum(dim)', 'x.sum(1)', 'sum', 'x', [1]],
  ['sum(dim, keepdim) of ints', 'xi.sum(0, keepdim=True)', 'sum', 'xi', [0, { keepdim: true }]],
  ['sum(dtype)', 'x.sum(dtype=torch.float32)', 'sum', 'x', [{ dtype: 'float32' }]],
  ['prod()', 'x.prod()', 'prod', 'x', []],
  ['prod(dim) of ints', 'xi.prod(2)', 'prod', 'xi', [2]],
  ['logsumexp(dim)', 'x.logsumexp(1)', 'logsumexp', 'x', [1]],
  ['logsumexp(dims, keepdim)', 'x.logsumexp([0, 2], keepdim=True)', 'logsumexp', 'x', [[0, 2], { keepdim: true }]],
  ['cumsum(dim)', 'x.cumsum(1)', 'cumsum', 'x', [1]],
  ['cumsum(dim) of ints', 'xi.cumsum(0)', 'cumsum', 'xi', [0]],
  ['cumsum(dim, dtype)', 'x.cumsum(2, dtype=torch.float32)', 'cumsum', 'x', [2, { dtype: 'float32' }]],
  ['cumprod(dim)', 'x.cumprod(2)', 'cumprod', 'x', [2]],
  ['amax()', 'x.amax()', 'amax', 'x', []],
  ['amax(dims, keepdim)', 'x.amax([0, 2], keepdim=True)', 'amax', 'x', [[0, 2], { keepdim: true }]],
  ['amin(dim)', 'x.amin(1)', 'amin', 'x', [1]],
  ['aminmax()', 'x.aminmax()', 'aminmax', 'x', []],
  ['aminmax(dim, keepdim)', 'x.aminmax(dim=1, keepdim=True)', 'aminmax', 'x', [{ dim: 1, keepdim: true }]],
  ['max()', 'x.max()', 'max', 'x', []],
  ['max(dim): values, indices', 'x.max(1)', 'max', 'x', [1]],
  ['max(dim, keepdim)', 'x.max(2, keepdim=True)', 'max', 'x', [2, { keepdim: true }]],
  ['max(other)', 'torch.max(x, y)', 'max', 'x', ['y']],
  ['min()', 'x.min()', 'min', 'x', []],
  ['min(dim): values, indices', 'x.min(0)', 'min', 'x', [0]],
  ['min(dim, keepdim) of ints', 'xi.min(1, True)', 'min', 'xi', [1, true]],
  ['min(other)', 'torch.min(x, y)', 'min', 'x', ['y']],
  ['argmax()', 'x.argmax()', 'argmax', 'x', []],
  ['argmax(dim)', 'x.argmax(1)', 'argmax', 'x', [1]],
  ['argmin(dim, keepdim)', 'x.argmin(2, keepdim=True)', 'argmin', 'x', [2, { keepdim: true }]],
  ['norm()', 'x.norm()', 'norm', 'x', []],
  ['norm(p)', 'x.norm(1)', 'norm', 'x', [1]],
  ['norm(p, dim)', 'x.norm(2, 1)', 'norm', 'x', [2, 1]],
  ['norm(p, dims, keepdim)', 'x.norm(3, [0, 2], True)', 'norm', 'x', [3, [0, 2], true]],
  ['norm(inf)', "x.norm(float('inf'))", 'norm', 'x', [Infinity]],
  ['count_nonzero()', 'xi.count_nonzero()', 'countNonzero', 'xi', []],
  ['count_nonzero(dim)', 'xi.count_nonzero(1)', 'countNonzero', 'xi', [1]],
  ['count_nonzero(dims)', 'xi.count_nonzero([0, 2])', 'countNonzero', 'xi', [[0, 2]]],
  ['allclose (close)', 'torch.allclose(x, x + 1e-10)', 'allclose', 'x', ['x+1e-10']],
  ['allclose (not close)', 'torch.allclose(x, x + 1e-3)', 'allclose', 'x', ['x+1e-3']],
  [
    'allclose(rtol, atol)',
    'x.allclose(x + 1e-3, rtol=0, atol=2e-3)',
    'allclose',
    'x',
    ['x+1e-3', { rtol: 0, atol: 2e-3 }],
  ],
];

type Out = { values: number[]; dtype: string; shape: number[] } | boolean | number;

const PY = `
import json, sys, torch
d = json.loads(sys.stdin.read())
x = torch.tensor(d['x'], dtype=torch.float64).reshape(3, 4, 5); y = torch.tensor(d['y'], dtype=torch.float64).reshape(3, 4, 5)
xi = torch.tensor(d['xi'], dtype=torch.int64).reshape(3, 4, 5)
xn = x.clone().reshape(-1); xn[3::7] = float('nan'); xn = xn.reshape(3, 4, 5)
def out(v):
    if isinstance(v, torch.Tensor):
        return {'values': v.double().reshape(-1).tolist(), 'dtype': str(v.dtype).replace('torch.', ''), 'shape': list(v.shape)}
    if isinstance(v, tuple): return [out(t) for t in v]
    return v
print(json.dumps([out(eval(e)) for e in d['cases']]))
`;

function tensors(): Record<string, Tensor> {
  const x = torch.tensor(new Float64Array(X), { shape: [3, 4, 5] });
  return {
    x,
    y: torch.tensor(new Float64Array(Y), { shape: [3, 4, 5] }),
    xi: torch.tensor(BigInt64Array.from(XI, BigInt), { shape: [3, 4, 5] }),
    xn: torch.tensor(new Float64Array(XN), { shape: [3, 4, 5] }),
    'x+1e-10': x.add(1e-10),
    'x+1e-3': x.add(1e-3),
  };
}

function plain(v: unknown): Out | Out[] {
  if (Array.isArray(v)) return v.map((t) => plain(t) as Out);
  if (typeof v === 'boolean' || typeof v === 'number') return v;
  const t = v as Tensor;
  return {
    values: Array.from(t.double().reshape([-1]).toTypedArray() as Float64Array),
    dtype: t.dtype,
    shape: t.shape,
  };
}

function expectClose(got: Out | Out[], want: Out | Out[], label: string): void {
  if (Array.isArray(want)) {
    expect(Array.isArray(got) && got.length, label).toBe(want.length);
    want.forEach((w, i) => expectClose((got as Out[])[i], w, `${label}[${i}]`));
    return;
  }
  if (typeof want !== 'object') {
    expect(got, label).toBe(want);
    return;
  }
  const g = got as Exclude<Out, boolean | number>;
  expect([g.dtype, g.shape], label).toEqual([want.dtype, want.shape]);
  g.values.forEach((v, i) =>
    expect(Math.abs(v - want.values[i]), `${label} element ${i}: ${v} vs ${want.values[i]}`).toBeLessThanOrEqual(
      RTOL * Math.max(1, Math.abs(want.values[i])),
    ),
  );
}

type Callable = (...a: unknown[]) => unknown;

describe.skipIf(!py)('reductions and statistics by their friendly names vs PyTorch (live)', () => {
  let ref: (Out | Out[])[] = [];
  beforeAll(() => {
    const input = JSON.stringify({ x: X, y: Y, xi: XI, cases: CASES.map((c) => c[1]) });
    ref = JSON.parse(runPython(`import sys, io; sys.stdin = io.StringIO(${JSON.stringify(input)})\n${PY}`));
  }, 60_000);

  for (const [k, [label, , name, self, args]] of CASES.entries()) {
    it(`${name}: ${label}, as a method and as torch.${name}`, () => {
      torch.tidy(() => {
        const t = tensors();
        const resolved = args.map((a) => (typeof a === 'string' && a in t ? t[a] : a));
        const method = (t[self] as unknown as Record<string, Callable>)[name];
        const fn = (torch as unknown as Record<string, Callable>)[name];
        expect(typeof method, `Tensor.${name}`).toBe('function');
        expect(typeof fn, `torch.${name}`).toBe('function');
        expectClose(plain(method.call(t[self], ...resolved)), ref[k], `x.${name}`);
        expectClose(plain(fn(t[self], ...resolved)), ref[k], `torch.${name}`);
      });
    });
  }

  it('the typed signatures: var/std with unbiased or correction, max/min with dim give [values, indices]', () => {
    torch.tidy(() => {
      const { x } = tensors();
      const v: Tensor = torch.var(x, 1, { correction: 0, keepdim: true });
      const s: Tensor = x.std([0, 2], false, true);
      const [values, indices]: [Tensor, Tensor] = x.max(1);
      const [lo, hi]: [Tensor, Tensor] = torch.aminmax(x, { dim: 0 });
      const [vm, mean]: [Tensor, Tensor] = x.varMean(1, { correction: 0 });
      const close: boolean = torch.allclose(x, x);
      expect(v.shape).toEqual([3, 1, 5]);
      expect(s.shape).toEqual([1, 4, 1]);
      expect([values.dtype, indices.dtype]).toEqual(['float64', 'int64']);
      expect(lo.le(hi).all().item()).toBe(true);
      expectClose(plain(vm), plain(v.squeeze(1)) as Out, 'varMean vs var');
      expectClose(plain(mean), plain(x.mean(1)) as Out, 'varMean vs mean');
      expect(close).toBe(true);
    });
  });
});
