// optim.lrScheduler against live Python torch.optim.lr_scheduler: every scheduler (and variants) runs 50 steps in
// both languages on the same two-group optimizer; the lrs (and cycled momenta) must agree to 1e-12 relative, the
// state dicts after 20 steps must have Python's keys and values, and a checkpoint saved in either language at
// step 20 must resume in the other to the same remaining schedule.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import * as optim from '../lib/optim/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { hasPython, runPython } from '../test-support/python.js';
import { checkTypeFileAsync } from '../test-support/type-checks.js';

const L = optim.lrScheduler;
const py = hasPython('torch');
const STEPS = 50,
  SAVED_AT = 20;
// Float64 arithmetic in the same order in both languages; only pow/cos may differ in the last bit.
const RTOL = 1e-12;
type Opt = optim.Optimizer<{ lr: number }>;
type Sched = optim.lrScheduler.LRScheduler;
interface Case {
  name: string;
  py: string;
  make: (o: Opt) => Sched;
  adam?: boolean;
  epochs?: number[];
  metrics?: boolean;
}

const METRICS = Array.from(
  { length: STEPS + 1 },
  (_, i) => Math.round(10 * Math.cos(i / 4)) / 10 + (i % 7 === 0 ? 0.3 : 0),
);
const EPOCHS = [0.5, 1, 1, 3, 2, 7.25, 12, 12.5, 30, 4, 19, 20, 21, 45, 46.5];

const CASES: Case[] = [
  { name: 'LambdaLR', py: 'L.LambdaLR(o, lambda e: 0.95 ** e)', make: (o) => new L.LambdaLR(o, (e) => 0.95 ** e) },
  {
    name: 'LambdaLR per group',
    py: 'L.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9 ** e])',
    make: (o) => new L.LambdaLR(o, [(e) => 1 / (e + 1), (e) => 0.9 ** e]),
  },
  {
    name: 'MultiplicativeLR',
    py: 'L.MultiplicativeLR(o, lambda e: 0.9 if e % 3 else 1.1)',
    make: (o) => new L.MultiplicativeLR(o, { lrLambda: (e) => (e % 3 ? 0.9 : 1.1) }),
  },
  { name: 'StepLR', py: 'L.StepLR(o, 7, gamma=0.5)', make: (o) => new L.StepLR(o, 7, { gamma: 0.5 }) },
  { name: 'StepLR (options only)', py: 'L.StepLR(o, step_size=5)', make: (o) => new L.StepLR(o, { stepSize: 5 }) },
  {
    name: 'MultiStepLR',
    py: 'L.MultiStepLR(o, [5, 15, 15, 30], gamma=0.3)',
    make: (o) => new L.MultiStepLR(o, [5, 15, 15, 30], { gamma: 0.3 }),
  },
  {
    name: 'ConstantLR',
    py: 'L.ConstantLR(o, factor=0.25, total_iters=8)',
    make: (o) => new L.ConstantLR(o, { factor: 0.25, totalIters: 8 }),
  },
  { name: 'ConstantLR defaults', py: 'L.ConstantLR(o)', make: (o) => new L.ConstantLR(o) },
  {
    name: 'LinearLR',
    py: 'L.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=12)',
    make: (o) => new L.LinearLR(o, { startFactor: 0.1, endFactor: 0.9, totalIters: 12 }),
  },
  { name: 'LinearLR defaults', py: 'L.LinearLR(o)', make: (o) => new L.LinearLR(o) },
  { name: 'ExponentialLR', py: 'L.ExponentialLR(o, 0.93)', make: (o) => new L.ExponentialLR(o, 0.93) },
  {
    name: 'PolynomialLR',
    py: 'L.PolynomialLR(o, total_iters=30, power=2.0)',
    make: (o) => new L.PolynomialLR(o, { totalIters: 30, power: 2 }),
  },
  { name: 'PolyLR = PolynomialLR(power 0.9)', py: 'L.PolynomialLR(o, 40, 0.9)', make: (o) => new optim.PolyLR(o, 40) },
  {
    name: 'CosineAnnealingLR',
    py: 'L.CosineAnnealingLR(o, 10, eta_min=0.001)',
    make: (o) => new L.CosineAnnealingLR(o, 10, { etaMin: 0.001 }),
  },
  {
    name: 'CosineAnnealingWarmRestarts',
    py: 'L.CosineAnnealingWarmRestarts(o, 5, T_mult=2, eta_min=0.001)',
    make: (o) => new L.CosineAnnealingWarmRestarts(o, 5, { tMult: 2, etaMin: 0.001 }),
  },
  {
    name: 'CosineAnnealingWarmRestarts defaults',
    py: 'L.CosineAnnealingWarmRestarts(o, 7)',
    make: (o) => new L.CosineAnnealingWarmRestarts(o, { t0: 7 }),
  },
  {
    name: 'CyclicLR triangular2',
    py: 'L.CyclicLR(o, 0.01, 0.1, step_size_up=4, step_size_down=6, mode="triangular2")',
    make: (o) => new L.CyclicLR(o, 0.01, 0.1, { stepSizeUp: 4, stepSizeDown: 6, mode: 'triangular2' }),
  },
  {
    name: 'CyclicLR exp_range (Adam beta1)',
    py: 'L.CyclicLR(o, [0.001, 0.002], [0.01, 0.02], step_size_up=5, mode="exp_range", gamma=0.97)',
    adam: true,
    make: (o) => new L.CyclicLR(o, [0.001, 0.002], [0.01, 0.02], { stepSizeUp: 5, mode: 'exp_range', gamma: 0.97 }),
  },
  {
    name: 'CyclicLR scale_fn, no momentum',
    py: 'L.CyclicLR(o, 0.01, 0.05, 3, scale_fn=lambda x: 1 / x ** 0.5, cycle_momentum=False)',
    make: (o) => new L.CyclicLR(o, 0.01, 0.05, 3, { scaleFn: (x) => 1 / x ** 0.5, cycleMomentum: false }),
  },
  {
    name: 'OneCycleLR (Adam)',
    py: 'L.OneCycleLR(o, 0.1, total_steps=60)',
    adam: true,
    make: (o) => new L.OneCycleLR(o, 0.1, { totalSteps: 60 }),
  },
  {
    name: 'OneCycleLR three-phase linear',
    py: 'L.OneCycleLR(o, [0.1, 0.2], epochs=6, steps_per_epoch=10, anneal_strategy="linear", three_phase=True)',
    make: (o) =>
      new L.OneCycleLR(o, [0.1, 0.2], { epochs: 6, stepsPerEpoch: 10, annealStrategy: 'linear', threePhase: true }),
  },
  {
    name: 'SequentialLR',
    py:
      'L.SequentialLR(o, [L.LinearLR(o, 0.2, total_iters=5), L.CosineAnnealingLR(o, 20), ' +
      'L.ExponentialLR(o, 0.9)], [5, 25])',
    make: (o) =>
      new L.SequentialLR(
        o,
        [new L.LinearLR(o, 0.2, { totalIters: 5 }), new L.CosineAnnealingLR(o, 20), new L.ExponentialLR(o, 0.9)],
        [5, 25],
      ),
  },
  {
    name: 'ChainedScheduler',
    py: 'L.ChainedScheduler([L.ConstantLR(o, 0.5, 4), L.ExponentialLR(o, 0.95)], o)',
    make: (o) => new L.ChainedScheduler([new L.ConstantLR(o, 0.5, 4), new L.ExponentialLR(o, 0.95)], o),
  },
  {
    name: 'ReduceLROnPlateau min rel',
    py: 'L.ReduceLROnPlateau(o, "min", factor=0.5, patience=2, cooldown=1, min_lr=[0.01, 0.001])',
    metrics: true,
    make: (o) => new L.ReduceLROnPlateau(o, 'min', { factor: 0.5, patience: 2, cooldown: 1, minLr: [0.01, 0.001] }),
  },
  {
    name: 'ReduceLROnPlateau max abs',
    py: 'L.ReduceLROnPlateau(o, mode="max", threshold=0.1, threshold_mode="abs", patience=1)',
    metrics: true,
    make: (o) => new L.ReduceLROnPlateau(o, { mode: 'max', threshold: 0.1, thresholdMode: 'abs', patience: 1 }),
  },
  {
    name: 'StepLR resumed with last_epoch',
    py:
      "(lambda: ([g.__setitem__('initial_lr', 0.2 * (i + 1)) for i, g in enumerate(o.param_groups)], " +
      'L.StepLR(o, 3, gamma=0.5, last_epoch=4))[1])()',
    make: (o) => {
      o.paramGroups.forEach((g, i) => {
        (g as { initialLr?: number }).initialLr = 0.2 * (i + 1);
      });
      return new L.StepLR(o, 3, 0.5, 4);
    },
  },
  // step(epoch): the closed forms (deprecated in PyTorch, still supported).
  ...(
    [
      ['StepLR', 'L.StepLR(o, 4, 0.5)', (o: Opt) => new L.StepLR(o, 4, 0.5)],
      ['MultiStepLR', 'L.MultiStepLR(o, [3, 3, 10])', (o: Opt) => new L.MultiStepLR(o, [3, 3, 10])],
      ['ExponentialLR', 'L.ExponentialLR(o, 0.9)', (o: Opt) => new L.ExponentialLR(o, 0.9)],
      ['ConstantLR', 'L.ConstantLR(o, 0.5, 10)', (o: Opt) => new L.ConstantLR(o, 0.5, 10)],
      ['LinearLR', 'L.LinearLR(o, 0.25, 1.0, 20)', (o: Opt) => new L.LinearLR(o, 0.25, 1, 20)],
      ['PolynomialLR', 'L.PolynomialLR(o, 25, 1.5)', (o: Opt) => new L.PolynomialLR(o, 25, 1.5)],
      ['CosineAnnealingLR', 'L.CosineAnnealingLR(o, 15, 0.01)', (o: Opt) => new L.CosineAnnealingLR(o, 15, 0.01)],
      [
        'CosineAnnealingWarmRestarts',
        'L.CosineAnnealingWarmRestarts(o, 3, 2)',
        (o: Opt) => new L.CosineAnnealingWarmRestarts(o, 3, 2),
      ],
    ] as const
  ).map(([name, pyExpr, make]): Case => ({ name: `${name} step(epoch)`, py: pyExpr, make, epochs: EPOCHS })),
];

function optimizer(adam = false): [Opt, Tensor[]] {
  const ps = [torch.zeros([2]).requiresGrad_(), torch.zeros([3]).requiresGrad_()];
  const groups = [
    { params: [ps[0]], lr: 0.1 },
    { params: [ps[1]], lr: 0.05 },
  ];
  const o = adam ? new optim.Adam(groups, { lr: 0.1 }) : new optim.SGD(groups, { lr: 0.1, momentum: 0.9 });
  return [o as unknown as Opt, ps];
}

const momenta = (o: Opt): number[] =>
  o.paramGroups.map((g) => {
    const r = g as unknown as { momentum?: number; betas?: number[] };
    return r.betas ? r.betas[0] : r.momentum!;
  });

/** One step of the schedule (after the optimizer's step): plain, with a metric, or to a given epoch. */
function advance(c: Case, s: Sched, i: number): void {
  if (c.metrics) (s as optim.lrScheduler.ReduceLROnPlateau).step(METRICS[i]);
  else if (c.epochs) s.step(c.epochs[(i - 1) % c.epochs.length]);
  else s.step();
}

type Trace = { lrs: number[][]; moms: number[][] };
function runOurs(c: Case, from = 0, ck?: torch.Loaded): Trace & { sd: unknown } {
  const [o, ps] = optimizer(c.adam);
  const s = c.make(o);
  if (ck instanceof Map) {
    o.loadStateDict(ck.get('opt')!);
    s.loadStateDict(ck.get('sched') as Map<string, unknown>);
  }
  const out: Trace & { sd: unknown } = { lrs: [s.getLastLr()], moms: [momenta(o)], sd: undefined };
  for (let i = from + 1; i <= STEPS; i++) {
    o.step();
    advance(c, s, i);
    out.lrs.push(s.getLastLr());
    out.moms.push(momenta(o));
    if (i === SAVED_AT && !ck) out.sd = s.stateDict();
  }
  torch.dispose(ps);
  return out;
}

const PY_COMMON = `
import json, math, sys, warnings, torch
from torch.optim import lr_scheduler as L
warnings.simplefilter('ignore')
cases = json.loads(open(sys.argv[1]).read()); folder = sys.argv[2]
METRICS = ${JSON.stringify(METRICS)}
def make_opt(adam):
    ps = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    groups = [{'params': [ps[0]], 'lr': 0.1}, {'params': [ps[1]], 'lr': 0.05}]
    return torch.optim.Adam(groups, lr=0.1) if adam else torch.optim.SGD(groups, lr=0.1, momentum=0.9)
def moms(o): return [g['betas'][0] if 'betas' in g else g['momentum'] for g in o.param_groups]
def advance(c, s, i):
    if c.get('metrics'): s.step(METRICS[i])
    elif c.get('epochs'): s.step(c['epochs'][(i - 1) % len(c['epochs'])])
    else: s.step()
def enc(v):
    if isinstance(v, dict): return {str(k): enc(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)): return [enc(x) for x in v]
    if isinstance(v, float) and math.isinf(v): return 'inf' if v > 0 else '-inf'
    if torch.is_tensor(v): return v.item()
    return v
`;

// Python runs each case 50 steps, saving {opt, sched} at step 20.
const PY_RUN = `${PY_COMMON}
out = []
for k, c in enumerate(cases):
    o = make_opt(c.get('adam')); s = eval(c['py'])
    lrs, ms, sd = [s.get_last_lr()], [moms(o)], None
    for i in range(1, ${STEPS + 1}):
        o.step(); advance(c, s, i); lrs.append(s.get_last_lr()); ms.append(moms(o))
        if i == ${SAVED_AT}:
            sd = enc(s.state_dict())
            torch.save({'opt': o.state_dict(), 'sched': s.state_dict()}, f'{folder}/py-{k}.pth')
    out.append({'lrs': lrs, 'moms': ms, 'sd': sd})
print(json.dumps(out))
`;

// Python resumes each case from our checkpoint at step 20 (optimizer and scheduler built first, as users do).
const PY_RESUME = `${PY_COMMON}
out = []
for k, c in enumerate(cases):
    o = make_opt(c.get('adam')); s = eval(c['py'])
    ck = torch.load(f'{folder}/ts-{k}.pth')
    o.load_state_dict(ck['opt']); s.load_state_dict(ck['sched'])
    lrs, ms = [s.get_last_lr()], [moms(o)]
    for i in range(${SAVED_AT + 1}, ${STEPS + 1}):
        o.step(); advance(c, s, i); lrs.append(s.get_last_lr()); ms.append(moms(o))
    out.append({'lrs': lrs, 'moms': ms})
print(json.dumps(out))
`;

/** Our state dict in the JSON form the Python side prints (Maps as dicts, infinities as strings). */
function enc(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), enc(x)]));
  if (Array.isArray(v)) return v.map(enc);
  if (typeof v === 'number' && !Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, enc(x)]));
  return v;
}

/** Deep comparison with a relative tolerance on numbers (Python ints and floats are both numbers here). */
function close(a: unknown, b: unknown, path = ''): string | undefined {
  if (typeof a === 'number' && typeof b === 'number')
    return Math.abs(a - b) <= RTOL * Math.abs(b) + 1e-18 ? undefined : `${path}: ${a} vs ${b}`;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = close(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const [ka, kb] = [Object.keys(a), Object.keys(b)];
    if (ka.join() !== kb.join()) return `${path}: keys [${ka}] vs [${kb}]`;
    for (const k of ka) {
      const d = close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return a === b ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
}

describe.skipIf(!py)('lrScheduler vs torch.optim.lr_scheduler (live)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'lr-scheduler-'));
  const casesFile = join(folder, 'cases.json');
  writeFileSync(
    casesFile,
    JSON.stringify(
      CASES.map((c) => ({ py: c.py, adam: c.adam ?? false, metrics: c.metrics ?? false, epochs: c.epochs ?? null })),
    ),
  );
  let ref: (Trace & { sd: unknown })[] = [];
  beforeAll(() => {
    ref = JSON.parse(runPython(PY_RUN, [casesFile, folder]));
  }, 120_000);

  for (const [k, c] of CASES.entries()) {
    it(`${c.name}: ${STEPS} steps, state dict at ${SAVED_AT}, Python's checkpoint resumes here`, () => {
      const ours = runOurs(c);
      expect(close(ours.lrs, ref[k].lrs, 'lrs')).toBeUndefined();
      expect(close(ours.moms, ref[k].moms, 'momenta')).toBeUndefined();
      expect(close(enc(ours.sd), ref[k].sd, 'stateDict')).toBeUndefined();
      const ck = torch.load(join(folder, `py-${k}.pth`));
      const resumed = runOurs(c, SAVED_AT, ck);
      torch.dispose(ck);
      expect(close(resumed.lrs, ref[k].lrs.slice(SAVED_AT), 'resumed lrs')).toBeUndefined();
      expect(close(resumed.moms, ref[k].moms.slice(SAVED_AT), 'resumed momenta')).toBeUndefined();
    });
  }

  it('our checkpoints at step 20 resume in Python to the same schedule', () => {
    const full = CASES.map((c, k) => {
      const [o, ps] = optimizer(c.adam);
      const s = c.make(o);
      const t: Trace = { lrs: [], moms: [] };
      for (let i = 1; i <= STEPS; i++) {
        o.step();
        advance(c, s, i);
        if (i === SAVED_AT)
          torch.save(
            { opt: o.stateDict() as unknown as torch.Savable, sched: s.stateDict() },
            join(folder, `ts-${k}.pth`),
          );
        if (i >= SAVED_AT) {
          t.lrs.push(s.getLastLr());
          t.moms.push(momenta(o));
        }
      }
      torch.dispose(ps);
      return t;
    });
    const back: Trace[] = JSON.parse(runPython(PY_RESUME, [casesFile, folder]));
    CASES.forEach((c, k) => {
      expect(close(back[k].lrs, full[k].lrs, `${c.name} lrs`)).toBeUndefined();
      expect(close(back[k].moms, full[k].moms, `${c.name} momenta`)).toBeUndefined();
    });
  }, 120_000);
});

describe('Python-style arguments, typed', () => {
  it('test/types/optim-kwargs.ts compiles, and each of its 8 @ts-expect-error lines is an error', async () => {
    const r = await checkTypeFileAsync(join(import.meta.dirname, 'types', 'optim-kwargs.ts'));
    expect(r.errors).toBe('');
    expect(r.expectations).toBe(8);
    expect(r.unexpectedlyValid).toEqual([]);
  }, 300_000);
});

describe('lrScheduler arguments and errors', () => {
  const [o, ps] = optimizer();
  it('Python-style arguments: positional, options object, both; errors name the problem', () => {
    const a = new L.StepLR(o, 30, { gamma: 0.5 }),
      b = new L.StepLR(o, { stepSize: 30, gamma: 0.5 }),
      c = new L.StepLR(o, 30, 0.5);
    expect([a, b, c].map((s) => [s.stepSize, s.gamma])).toEqual([
      [30, 0.5],
      [30, 0.5],
      [30, 0.5],
    ]);
    expect(() => new L.StepLR(o, 30, { stepSize: 3 } as never)).toThrow(
      /StepLR: unexpected option 'stepSize'|got multiple values for argument 'stepSize'/,
    );
    expect(() => new L.StepLR(o, {} as never)).toThrow("StepLR: missing required argument 'stepSize'");
    expect(() => new L.StepLR(o, { stepSize: 3, gama: 0.5 } as never)).toThrow("StepLR: unexpected option 'gama'");
    expect(() => new L.ExponentialLR(o, 0.9, -1, 3 as never)).toThrow(
      'ExponentialLR: takes at most 2 positional arguments',
    );
    expect(() => new L.LinearLR(o, { startFactor: 0 })).toThrow(/LinearLR: starting multiplicative factor/);
    expect(() => new L.SequentialLR(o, [new L.ReduceLROnPlateau(o) as never], [])).toThrow(
      /does not support ReduceLROnPlateau/,
    );
    expect(() => new L.OneCycleLR(o, 0.1)).toThrow(/either totalSteps OR \(epochs AND stepsPerEpoch\)/);
    expect(() => new L.StepLR(o, 3).loadStateDict({ gamma: 'x' })).toThrow(
      "StepLR.loadStateDict: 'gamma' is a string, expected a number",
    );
  });
  it('the old names are the same classes', () => {
    expect(optim.StepLR).toBe(L.StepLR);
    expect(optim.CosineAnnealingLR).toBe(L.CosineAnnealingLR);
    expect(optim.LambdaLR).toBe(L.LambdaLR);
    expect(optim.LRScheduler).toBe(L.LRScheduler);
    expect(new optim.PolyLR(o, 10)).toBeInstanceOf(L.PolynomialLR);
    torch.dispose(ps);
  });
});
