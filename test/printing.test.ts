// Tensors print as Python's repr() prints them: every case is built the same way here and in one live
// Python process (same seed, same libtorch RNG) and the strings must be identical: formatter choice
// (integer / fixed / scientific), precision, negative zero, nan/inf, summarisation, line wrapping,
// nested brackets, dtype/device/size/requires_grad/grad_fn suffixes and print options.
import { beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import { formatFixed, formatSci } from '../lib/torch/printing.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { hasPython, runPython } from '../test-support/python.js';

const py = hasPython('torch');
const f32 = { dtype: 'float32' } as const;

interface Case {
  name: string;
  /** A Python expression (torch seeded with 0 first). */
  py: string;
  ts: () => Tensor;
  /** Print options for this case, as Python's set_printoptions keywords. */
  opts?: {
    precision?: number;
    threshold?: number;
    edgeitems?: number;
    linewidth?: number;
    sci_mode?: boolean;
    profile?: 'short' | 'full';
  };
}

const CASES: Case[] = [
  { name: 'float arange', py: 'torch.arange(3.)', ts: () => torch.arange(3, f32) },
  { name: 'int64', py: 'torch.tensor([1, 2])', ts: () => torch.tensor([1, 2]) },
  { name: 'bool', py: 'torch.tensor([True, False])', ts: () => torch.tensor([true, false]) },
  { name: 'bool 2-d', py: 'torch.tensor([[True], [False]])', ts: () => torch.tensor([[true], [false]]) },
  { name: '0-d float', py: 'torch.tensor(3.14159)', ts: () => torch.tensor(3.14159) },
  { name: '0-d int', py: 'torch.tensor(-5)', ts: () => torch.tensor(-5) },
  { name: '0-d bool', py: 'torch.tensor(True)', ts: () => torch.tensor(true) },
  { name: '0-d nan', py: "torch.tensor(float('nan'))", ts: () => torch.tensor(NaN) },
  { name: '0-d negative zero', py: 'torch.tensor(-0.)', ts: () => torch.tensor(-0, f32) },
  {
    name: '0-d requires_grad',
    py: 'torch.tensor(2., requires_grad=True)',
    ts: () => torch.tensor(2, { requiresGrad: true }),
  },
  { name: 'empty', py: 'torch.tensor([])', ts: () => torch.tensor([]) },
  { name: 'empty int64', py: 'torch.tensor([], dtype=torch.int64)', ts: () => torch.tensor([], { dtype: 'int64' }) },
  { name: 'empty 2-d', py: 'torch.zeros(0, 3)', ts: () => torch.zeros(0, 3) },
  {
    name: 'empty 3-d float64',
    py: 'torch.zeros(2, 0, 1, dtype=torch.float64)',
    ts: () => torch.zeros(2, 0, 1, { dtype: 'float64' }),
  },
  { name: 'randn 1-d', py: 'torch.randn(4)', ts: () => torch.randn(4) },
  { name: 'randn 2-d', py: 'torch.randn(2, 3)', ts: () => torch.randn(2, 3) },
  { name: 'randn 3-d', py: 'torch.randn(2, 3, 4)', ts: () => torch.randn(2, 3, 4) },
  { name: 'randn 4-d', py: 'torch.randn(2, 2, 2, 2)', ts: () => torch.randn(2, 2, 2, 2) },
  { name: 'small: scientific', py: 'torch.tensor([1e-5, 1.])', ts: () => torch.tensor([1e-5, 1]) },
  { name: 'large: scientific', py: 'torch.tensor([1e10, 1.])', ts: () => torch.tensor([1e10, 1], f32) },
  {
    name: 'integers over 1e8: scientific',
    py: 'torch.tensor([1e8, 2e8, 3.])',
    ts: () => torch.tensor([1e8, 2e8, 3], f32),
  },
  { name: 'ratio over 1000: scientific', py: 'torch.tensor([0.1, 1000.])', ts: () => torch.tensor([0.1, 1000]) },
  { name: 'huge and tiny', py: 'torch.tensor([1e38, -1e-38, 0.])', ts: () => torch.tensor([1e38, -1e-38, 0]) },
  { name: 'negative zero', py: 'torch.tensor([0., -0., 1.5])', ts: () => torch.tensor([0, -0, 1.5]) },
  { name: 'negative zero, int mode', py: 'torch.tensor([-0., 2.])', ts: () => torch.tensor([-0, 2], f32) },
  {
    name: 'nan and inf',
    py: "torch.tensor([float('nan'), float('inf'), -float('inf'), 1.])",
    ts: () => torch.tensor([NaN, Infinity, -Infinity, 1]),
  },
  { name: 'only nan', py: "torch.tensor([float('nan'), 0.])", ts: () => torch.tensor([NaN, 0]) },
  {
    name: 'ties round half to even',
    py: 'torch.tensor([0.03125, 0.15625, -0.28125])',
    ts: () => torch.tensor([0.03125, 0.15625, -0.28125]),
  },
  { name: 'int mode widths', py: 'torch.tensor([100., -5.])', ts: () => torch.tensor([100, -5], f32) },
  {
    name: 'negative ints',
    py: 'torch.tensor([[-1, 200], [3, -4000]])',
    ts: () =>
      torch.tensor([
        [-1, 200],
        [3, -4000],
      ]),
  },
  { name: 'int64 beyond 2^53', py: 'torch.tensor([2**62 + 1, -3])', ts: () => torch.tensor([2n ** 62n + 1n, -3n]) },
  { name: 'summarised 1-d', py: 'torch.arange(2000.)', ts: () => torch.arange(2000, f32) },
  {
    name: 'summarised 2-d int',
    py: 'torch.arange(2000).reshape(40, 50)',
    ts: () => torch.arange(2000).reshape(40, 50),
  },
  {
    name: 'summarised 3-d',
    py: 'torch.arange(3000.).reshape(10, 10, 30) / 7',
    ts: () => torch.arange(3000, f32).reshape(10, 10, 30).div(7),
  },
  { name: 'summarised randn', py: 'torch.randn(20, 60)', ts: () => torch.randn(20, 60) },
  {
    name: 'not summarised at 1000',
    py: 'torch.arange(1000).reshape(10, 100)',
    ts: () => torch.arange(1000).reshape(10, 100),
  },
  { name: 'wrapped int row', py: 'torch.arange(100)', ts: () => torch.arange(100) },
  { name: 'wrapped float row', py: 'torch.linspace(0, 1, 50)', ts: () => torch.linspace(0, 1, 50) },
  {
    name: 'wrapped rows in 2-d',
    py: 'torch.linspace(-1, 1, 60).reshape(2, 30)',
    ts: () => torch.linspace(-1, 1, 60).reshape(2, 30),
  },
  {
    name: 'float64',
    py: 'torch.tensor([1.5, 2.], dtype=torch.float64)',
    ts: () => torch.tensor([1.5, 2], { dtype: 'float64' }),
  },
  {
    name: 'float64 wraps its suffix',
    py: 'torch.linspace(0, 1, 14, dtype=torch.float64).reshape(2, 7)',
    ts: () => torch.linspace(0, 1, 14, { dtype: 'float64' }).reshape(2, 7),
  },
  { name: 'int32', py: 'torch.tensor([1, 2], dtype=torch.int32)', ts: () => torch.tensor([1, 2], { dtype: 'int32' }) },
  { name: 'uint8', py: 'torch.arange(5, dtype=torch.uint8)', ts: () => torch.arange(5, { dtype: 'uint8' }) },
  {
    name: 'float16',
    py: 'torch.tensor([0.1, 1000.], dtype=torch.float16)',
    ts: () => torch.tensor([0.1, 1000], { dtype: 'float16' }),
  },
  {
    name: 'bfloat16',
    py: 'torch.tensor([1.5, 2.25, -3.], dtype=torch.bfloat16)',
    ts: () => torch.tensor([1.5, 2.25, -3], { dtype: 'bfloat16' }),
  },
  {
    name: 'complex64',
    py: 'torch.complex(torch.tensor([1., 3., 0.5]), torch.tensor([2., -1., -0.]))',
    ts: () => torch.complex(torch.tensor([1, 3, 0.5]), torch.tensor([2, -1, -0], f32)),
  },
  { name: 'meta device', py: "torch.empty(2, 3, device='meta')", ts: () => torch.empty(2, 3, { device: 'meta' }) },
  {
    name: 'meta device int64',
    py: "torch.empty(4, dtype=torch.int64, device='meta')",
    ts: () => torch.empty(4, { dtype: 'int64', device: 'meta' }),
  },
  {
    name: 'requires_grad',
    py: 'torch.tensor([1., 2.], requires_grad=True)',
    ts: () => torch.tensor([1, 2], { requiresGrad: true }),
  },
  {
    name: 'grad_fn',
    py: '(lambda x: x * x)(torch.tensor([1., 2.], requires_grad=True))',
    ts: () => {
      const x = torch.tensor([1, 2], { requiresGrad: true });
      return x.mul(x);
    },
  },
  {
    name: 'grad_fn of a reduction',
    py: 'torch.tensor([1., 2.], requires_grad=True).sum()',
    ts: () => torch.tensor([1, 2], { requiresGrad: true }).sum(),
  },
  {
    name: 'dtype and requires_grad',
    py: 'torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)',
    ts: () => torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true }),
  },
  {
    name: 'precision 2',
    py: 'torch.tensor([1.12345, 2.5])',
    ts: () => torch.tensor([1.12345, 2.5]),
    opts: { precision: 2 },
  },
  { name: 'threshold 5', py: 'torch.arange(10)', ts: () => torch.arange(10), opts: { threshold: 5 } },
  {
    name: 'edgeitems 1',
    py: 'torch.arange(30.).reshape(5, 6)',
    ts: () => torch.arange(30, f32).reshape(5, 6),
    opts: { threshold: 10, edgeitems: 1 },
  },
  { name: 'linewidth 40', py: 'torch.randn(12)', ts: () => torch.randn(12), opts: { linewidth: 40 } },
  {
    name: 'sci_mode off',
    py: 'torch.tensor([1e-5, 1.])',
    ts: () => torch.tensor([1e-5, 1]),
    opts: { sci_mode: false },
  },
  { name: 'sci_mode on', py: 'torch.tensor([1., 2.5])', ts: () => torch.tensor([1, 2.5]), opts: { sci_mode: true } },
  { name: 'profile short', py: 'torch.randn(3, 3)', ts: () => torch.randn(3, 3), opts: { profile: 'short' } },
];

const PY = String.raw`
import json, sys, torch
out = []
for expr, opts in json.loads(sys.argv[1]):
    torch.manual_seed(0)
    torch.set_printoptions(**opts)
    out.append(repr(eval(expr)))
    torch.set_printoptions(profile='default', sci_mode=None)
print(json.dumps(out))
`;

function tsOptions(o: Case['opts'] = {}): Parameters<typeof torch.setPrintOptions>[0] {
  return {
    precision: o.precision,
    threshold: o.threshold,
    edgeitems: o.edgeitems,
    linewidth: o.linewidth,
    sciMode: o.sci_mode,
    profile: o.profile,
  };
}

describe.skipIf(!py)('tensor printing vs Python repr() (live)', () => {
  let ref: string[] = [];
  beforeAll(() => {
    ref = JSON.parse(runPython(PY, [JSON.stringify(CASES.map((c) => [c.py, c.opts ?? {}]))]));
  }, 60_000);

  for (const [k, c] of CASES.entries()) {
    it(`${c.name}: ${c.py}`, () => {
      torch.manualSeed(0);
      torch.setPrintOptions(tsOptions(c.opts));
      try {
        expect(torch.tidy(() => String(c.ts()))).toBe(ref[k]);
      } finally {
        torch.setPrintOptions({ profile: 'default' });
      }
    });
  }
});

describe('float formatting as Python format() (values from Python 3)', () => {
  it('rounds the exact binary value half to even, keeps the sign of zero, pads exponents to two digits', () => {
    expect(formatFixed(0.03125, 4)).toBe('0.0312');
    expect(formatFixed(0.09375, 4)).toBe('0.0938');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(-0, 4)).toBe('-0.0000');
    expect(formatFixed(-0.00001, 4)).toBe('-0.0000');
    expect(formatFixed(0.1, 4)).toBe('0.1000');
    expect(formatFixed(123456789, 0)).toBe('123456789');
    expect(formatSci(1e-5, 4)).toBe('1.0000e-05');
    expect(formatSci(9.99995, 4)).toBe('1.0000e+01'); // rounding carries into a new digit
    expect(formatSci(9.99994, 4)).toBe('9.9999e+00');
    expect(formatSci(-1.5e300, 2)).toBe('-1.50e+300');
    expect(formatSci(0, 4)).toBe('0.0000e+00');
    expect(formatSci(5e-324, 4)).toBe('4.9407e-324');
    expect([formatFixed(NaN, 4), formatSci(Infinity, 4), formatFixed(-Infinity, 0)]).toEqual(['nan', 'inf', '-inf']);
  });

  it('setPrintOptions checks its arguments', () => {
    expect(() => torch.setPrintOptions({ precision: -1 })).toThrow(/precision must be a non-negative integer/);
    expect(() => torch.setPrintOptions({ profile: 'long' as 'full' })).toThrow(/unknown profile 'long'/);
    torch.setPrintOptions({ profile: 'default' });
    expect(torch.getPrintOptions()).toEqual({
      precision: 4,
      threshold: 1000,
      edgeitems: 3,
      linewidth: 80,
      sciMode: null,
    });
  });
});
