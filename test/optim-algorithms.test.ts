// The optimizers beyond SGD/Adam against live Python torch.optim: a small MLP trains 8 steps from the same weights
// on the same batches in both languages (LBFGS through its closure); parameters must agree within 1e-6 relative,
// the state dict must have Python's layout (group keys, per-parameter state keys, tensor shapes), and a checkpoint
// saved after 5 steps in either language must continue in the other exactly as in the first.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import * as optim from '../lib/optim/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { hasPython, runPython } from '../test-support/python.js';

// precision.json allows 2e-3 absolute on parameters after a step; the same float32 ops in the same order (one
// libtorch) leave only rounding, so these small problems are held to 1e-6 relative (per tensor, max norm).
const RTOL = 1e-6;
const py = hasPython('torch');
const SHAPES = [[3, 4], [3], [2, 3], [2]];
const STEPS = 8,
  SAVED_AT = 5;
type Opt = optim.Optimizer<object>;
interface Case {
  name: string;
  py: string;
  make: (ps: Tensor[]) => Opt;
  closure?: boolean;
}

const G = (a: string, b: string): string => `[{'params': ps[:2], ${a}}, {'params': ps[2:], ${b}}]`;
const CASES: Case[] = [
  { name: 'RMSprop', py: 'torch.optim.RMSprop(ps)', make: (ps) => new optim.RMSprop(ps) },
  {
    name: 'RMSprop centered momentum wd',
    py: 'torch.optim.RMSprop(ps, lr=0.01, momentum=0.9, centered=True, weight_decay=0.01)',
    make: (ps) => new optim.RMSprop(ps, { lr: 0.01, momentum: 0.9, centered: true, weightDecay: 0.01 }),
  },
  {
    name: 'RMSprop groups maximize',
    py: `torch.optim.RMSprop(${G("'lr': 0.02, 'alpha': 0.9", "'momentum': 0.5")}, maximize=True)`,
    make: (ps) =>
      new optim.RMSprop(
        [
          { params: ps.slice(0, 2), lr: 0.02, alpha: 0.9 },
          { params: ps.slice(2), momentum: 0.5 },
        ],
        { maximize: true },
      ),
  },
  {
    name: 'Adagrad',
    py: 'torch.optim.Adagrad(ps, 0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)',
    make: (ps) => new optim.Adagrad(ps, 0.1, { lrDecay: 0.01, weightDecay: 0.01, initialAccumulatorValue: 0.1 }),
  },
  {
    name: 'Adagrad groups',
    py: `torch.optim.Adagrad(${G("'lr': 0.05", "'lr_decay': 0.1")})`,
    make: (ps) =>
      new optim.Adagrad([
        { params: ps.slice(0, 2), lr: 0.05 },
        { params: ps.slice(2), lrDecay: 0.1 },
      ]),
  },
  { name: 'Adadelta', py: 'torch.optim.Adadelta(ps)', make: (ps) => new optim.Adadelta(ps) },
  {
    name: 'Adadelta rho wd maximize',
    py: 'torch.optim.Adadelta(ps, rho=0.95, weight_decay=0.01, maximize=True)',
    make: (ps) => new optim.Adadelta(ps, { rho: 0.95, weightDecay: 0.01, maximize: true }),
  },
  {
    name: 'Adamax',
    py: 'torch.optim.Adamax(ps, lr=0.02, weight_decay=0.01)',
    make: (ps) => new optim.Adamax(ps, { lr: 0.02, weightDecay: 0.01 }),
  },
  {
    name: 'Adamax groups',
    py: `torch.optim.Adamax(${G("'betas': (0.8, 0.99)", "'lr': 0.01")})`,
    make: (ps) =>
      new optim.Adamax([
        { params: ps.slice(0, 2), betas: [0.8, 0.99] },
        { params: ps.slice(2), lr: 0.01 },
      ]),
  },
  {
    name: 'NAdam',
    py: 'torch.optim.NAdam(ps, lr=0.01, weight_decay=0.01)',
    make: (ps) => new optim.NAdam(ps, { lr: 0.01, weightDecay: 0.01 }),
  },
  {
    name: 'NAdam decoupled',
    py: 'torch.optim.NAdam(ps, 0.01, (0.9, 0.99), 1e-8, 0.05, 0.01, True)',
    make: (ps) => new optim.NAdam(ps, 0.01, [0.9, 0.99], 1e-8, 0.05, 0.01, true),
  },
  {
    name: 'RAdam (rectified from step 6)',
    py: 'torch.optim.RAdam(ps, lr=0.01, betas=(0.9, 0.99), weight_decay=0.01)',
    make: (ps) => new optim.RAdam(ps, { lr: 0.01, betas: [0.9, 0.99], weightDecay: 0.01 }),
  },
  {
    name: 'RAdam decoupled groups',
    py: `torch.optim.RAdam(${G("'lr': 0.02", "'weight_decay': 0.1")}, betas=(0.9, 0.98), decoupled_weight_decay=True)`,
    make: (ps) =>
      new optim.RAdam(
        [
          { params: ps.slice(0, 2), lr: 0.02 },
          { params: ps.slice(2), weightDecay: 0.1 },
        ],
        { betas: [0.9, 0.98], decoupledWeightDecay: true },
      ),
  },
  {
    name: 'ASGD averaging from t0',
    py: 'torch.optim.ASGD(ps, lr=0.05, lambd=1e-3, t0=2, weight_decay=0.01)',
    make: (ps) => new optim.ASGD(ps, { lr: 0.05, lambd: 1e-3, t0: 2, weightDecay: 0.01 }),
  },
  {
    name: 'Rprop',
    py: 'torch.optim.Rprop(ps, lr=0.01, etas=(0.4, 1.3), step_sizes=(1e-5, 1))',
    make: (ps) => new optim.Rprop(ps, { lr: 0.01, etas: [0.4, 1.3], stepSizes: [1e-5, 1] }),
  },
  {
    name: 'Rprop maximize',
    py: 'torch.optim.Rprop(ps, maximize=True)',
    make: (ps) => new optim.Rprop(ps, { maximize: true }),
  },
  {
    name: 'LBFGS fixed steps',
    py: 'torch.optim.LBFGS(ps, lr=0.5, max_iter=5, history_size=3)',
    closure: true,
    make: (ps) => new optim.LBFGS(ps, { lr: 0.5, maxIter: 5, historySize: 3 }),
  },
  {
    name: 'LBFGS strong Wolfe',
    py: "torch.optim.LBFGS(ps, max_iter=6, history_size=4, line_search_fn='strong_wolfe')",
    closure: true,
    make: (ps) => new optim.LBFGS(ps, { maxIter: 6, historySize: 4, lineSearchFn: 'strong_wolfe' }),
  },
  // lr 5 overshoots: the search brackets and zooms (cubic interpolation) and t ends as a tensor, as in Python.
  {
    name: 'LBFGS strong Wolfe, zooming',
    py: "torch.optim.LBFGS(ps, 5, 6, history_size=4, line_search_fn='strong_wolfe')",
    closure: true,
    make: (ps) => new optim.LBFGS(ps, 5, 6, { historySize: 4, lineSearchFn: 'strong_wolfe' }),
  },
  // lr 0.01 undershoots: the search extrapolates (cubic interpolation within [t + 0.01 (t - t_prev), 10 t]).
  {
    name: 'LBFGS strong Wolfe, extrapolating',
    py: "torch.optim.LBFGS(ps, 0.01, 6, history_size=4, line_search_fn='strong_wolfe')",
    closure: true,
    make: (ps) => new optim.LBFGS(ps, 0.01, 6, { historySize: 4, lineSearchFn: 'strong_wolfe' }),
  },
  {
    name: 'Adafactor',
    py: 'torch.optim.Adafactor(ps, lr=0.05, weight_decay=0.01)',
    make: (ps) => new optim.Adafactor(ps, { lr: 0.05, weightDecay: 0.01 }),
  },
  {
    name: 'Adafactor eps1 d maximize',
    py: 'torch.optim.Adafactor(ps, 0.02, -0.5, (1e-20, 1e-3), 2.0, maximize=True)',
    make: (ps) => new optim.Adafactor(ps, 0.02, -0.5, [1e-20, 1e-3], 2, { maximize: true }),
  },
  {
    name: 'Muon (2-d parameters)',
    py: 'torch.optim.Muon([ps[0], ps[2]], lr=0.02)',
    make: (ps) => new optim.Muon([ps[0], ps[2]], { lr: 0.02 }),
  },
  {
    name: 'Muon plain momentum, match_rms_adamw',
    py: "torch.optim.Muon([ps[0], ps[2]], 0.01, 0.05, 0.9, False, adjust_lr_fn='match_rms_adamw')",
    make: (ps) => new optim.Muon([ps[0], ps[2]], 0.01, 0.05, 0.9, false, { adjustLrFn: 'match_rms_adamw' }),
  },
  {
    name: 'SGD (layout)',
    py: 'torch.optim.SGD(ps, lr=0.1, momentum=0.9)',
    make: (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 }),
  },
  { name: 'Adam (layout)', py: 'torch.optim.Adam(ps, lr=0.01)', make: (ps) => new optim.Adam(ps, { lr: 0.01 }) },
];

function makeData(): { p0: number[][]; xs: number[][]; ts: number[][] } {
  const seq = (n: number, seed: number): number[] =>
    Array.from({ length: n }, (_, i) => Math.fround(Math.sin(seed * 12.9898 + i * 78.233) * 0.8));
  return {
    p0: SHAPES.map((s, i) =>
      seq(
        s.reduce((a, b) => a * b, 1),
        i + 1,
      ),
    ),
    xs: Array.from({ length: STEPS }, (_, s) => seq(5 * 4, 100 + s)),
    ts: Array.from({ length: STEPS }, (_, s) => seq(5 * 2, 200 + s)),
  };
}
const DATA = makeData();

/** loss = mean((tanh(x W1^T + b1) W2^T + b2 - t)^2) on batch s, with its gradients. */
function lossAndGrad(ps: Tensor[], s: number): Tensor {
  const x = torch.tensor(new Float32Array(DATA.xs[s]), { shape: [5, 4] });
  const t = torch.tensor(new Float32Array(DATA.ts[s]), { shape: [5, 2] });
  const y = x.matmul(ps[0].t()).add(ps[1]).tanh().matmul(ps[2].t()).add(ps[3]);
  const loss = y.sub(t).pow(2).mean();
  loss.backward();
  return loss;
}

function step(c: Case, opt: Opt, ps: Tensor[], s: number): void {
  if (c.closure) {
    torch.dispose(
      opt.step(() => {
        opt.zeroGrad();
        return lossAndGrad(ps, s);
      }),
    );
  } else {
    torch.tidy(() => {
      lossAndGrad(ps, s);
    });
    opt.step();
    opt.zeroGrad();
  }
}

const flat = (t: Tensor): number[] =>
  Array.from(torch.tidy(() => t.detach().double().reshape([-1]).toTypedArray()) as Float64Array);
const params = (values: number[][]): Tensor[] =>
  values.map((v, i) => torch.tensor(new Float32Array(v), { shape: SHAPES[i] }).requiresGrad_());
/** Largest per-tensor relative difference, max|a - b| / max|b|. */
const relDiff = (a: number[][], b: number[][]): number =>
  a.length !== b.length
    ? Infinity
    : Math.max(
        0,
        ...a.map((p, i) => {
          if (p.length !== b[i].length) return Infinity;
          const scale = Math.max(...b[i].map(Math.abs), 1e-30);
          return Math.max(0, ...p.map((v, j) => Math.abs(v - b[i][j]))) / scale;
        }),
      );

/** The state dict's layout: group keys (sorted), and per parameter its state keys in order with each value's kind. */
type Layout = { groups: string[][]; state: Record<string, [string, string][]> };
/** Every state value flattened (lists of tensors concatenated, None skipped), in state-dict order. */
const stateValues = (sd: optim.OptimizerStateDict): number[][] =>
  Object.values(sd.state).flatMap((st) =>
    Object.values(st).map((v) =>
      (Array.isArray(v) ? v : [v]).flatMap((x) => (x instanceof torch.Tensor ? flat(x) : x === null ? [] : [x])),
    ),
  );
function kind(v: unknown): string {
  if (v instanceof torch.Tensor) return `tensor[${v.shape}]:${v.dtype}`;
  if (Array.isArray(v)) return `list:${v.length}`;
  return v === null ? 'None' : typeof v;
}
function layoutOf(sd: optim.OptimizerStateDict): Layout {
  return {
    groups: sd.param_groups.map((g) => Object.keys(g).sort()),
    state: Object.fromEntries(
      Object.entries(sd.state).map(([i, st]) => [i, Object.entries(st).map(([k, v]) => [k, kind(v)])]),
    ),
  };
}

const PY_COMMON = `
import json, sys, torch
d = json.load(open(sys.argv[1])); cases = json.loads(sys.argv[2]); folder = sys.argv[3]
shapes = ${JSON.stringify(SHAPES)}
def loss_and_grad(ps, s):
    x = torch.tensor(d['xs'][s], dtype=torch.float32).reshape(5, 4); t = torch.tensor(d['ts'][s], dtype=torch.float32).reshape(5, 2)
    y = torch.tanh(x @ ps[0].T + ps[1]) @ ps[2].T + ps[3]
    loss = ((y - t) ** 2).mean(); loss.backward(); return loss
def step(c, opt, ps, s):
    if c['closure']:
        def closure():
            opt.zero_grad(); return loss_and_grad(ps, s)
        opt.step(closure)
    else:
        loss_and_grad(ps, s); opt.step(); opt.zero_grad()
f = lambda p: p.detach().double().reshape(-1).tolist()
def kind(v):
    if torch.is_tensor(v): return f'tensor[{",".join(map(str, v.shape))}]:{str(v.dtype).replace("torch.", "")}'
    if isinstance(v, (list, tuple)): return f'list:{len(v)}'
    if v is None: return 'None'
    if isinstance(v, bool): return 'boolean'
    return 'number' if isinstance(v, (int, float)) else type(v).__name__
def values(sd):
    flat_any = lambda v: f(v) if torch.is_tensor(v) else [] if v is None else [float(v)]
    return [sum((flat_any(x) for x in v), []) if isinstance(v, (list, tuple)) else flat_any(v) for st in sd['state'].values() for v in st.values()]
def layout(sd):
    return {'groups': [sorted(g.keys()) for g in sd['param_groups']],
            'state': {str(i): [[k, kind(v)] for k, v in st.items()] for i, st in sd['state'].items()}}
`;

// Python trains all steps from p0, saving {params, opt} after SAVED_AT steps.
const PY_RUN = `${PY_COMMON}
out = []
for k, c in enumerate(cases):
    ps = [torch.tensor(v, dtype=torch.float32).reshape(s).requires_grad_() for v, s in zip(d['p0'], shapes)]
    opt = eval(c['py'])
    for s in range(${STEPS}):
        if s == ${SAVED_AT}: torch.save({'params': [p.detach().clone() for p in ps], 'opt': opt.state_dict()}, f'{folder}/py-{k}.pth')
        step(c, opt, ps, s)
    out.append({'params': [f(p) for p in ps], 'layout': layout(opt.state_dict()), 'state': values(opt.state_dict())})
print(json.dumps(out))
`;

// Python resumes from our checkpoint (parameters and optimizer state after SAVED_AT steps).
const PY_RESUME = `${PY_COMMON}
out = []
for k, c in enumerate(cases):
    ck = torch.load(f'{folder}/ts-{k}.pth')
    ps = [p.clone().requires_grad_() for p in ck['params']]
    opt = eval(c['py'])
    opt.load_state_dict(ck['opt'])
    has = [p in opt.state and len(opt.state[p]) > 0 for p in ps]
    for s in range(${SAVED_AT}, ${STEPS}): step(c, opt, ps, s)
    out.append({'params': [f(p) for p in ps], 'has': has})
print(json.dumps(out))
`;

/** Our run of a case: from `from` (parameters, optionally an optimizer state) through the remaining steps. */
function runOurs(
  c: Case,
  from: number[][],
  first: number,
  sd?: torch.Loaded,
  save?: string,
): { params: number[][]; layout: Layout; state: number[][]; has: boolean[] } {
  const before = torch.memory().liveTensors;
  const ps = params(from);
  const opt = c.make(ps);
  if (sd !== undefined) opt.loadStateDict(sd);
  for (let s = first; s < STEPS; s++) {
    if (s === SAVED_AT && save)
      torch.tidy(() =>
        torch.save({ params: ps.map((p) => p.detach()), opt: opt.stateDict() as unknown as torch.Savable }, save),
      );
    step(c, opt, ps, s);
  }
  const sdEnd = opt.stateDict();
  const has = ps.map((p) => Object.keys(opt.state.get(p) ?? {}).length > 0);
  const out = { params: ps.map(flat), layout: layoutOf(sdEnd), state: stateValues(sdEnd), has };
  torch.dispose(sdEnd);
  opt.dispose();
  torch.dispose(ps);
  expect(torch.memory().liveTensors).toBe(before);
  return out;
}

describe.skipIf(!py)('optimizers vs torch.optim (live)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'optim-algorithms-'));
  const dataFile = join(folder, 'data.json');
  writeFileSync(dataFile, JSON.stringify(DATA));
  const cases = JSON.stringify(CASES.map((c) => ({ py: c.py, closure: c.closure ?? false })));
  let ref: { params: number[][]; layout: Layout; state: number[][] }[] = [];
  beforeAll(() => {
    ref = JSON.parse(runPython(PY_RUN, [dataFile, cases, folder]));
  }, 180_000);

  for (const [k, c] of CASES.entries()) {
    it(`${c.name}: ${STEPS} steps as Python, Python's layout, Python's checkpoint resumes here`, () => {
      const ours = runOurs(c, DATA.p0, 0, undefined, join(folder, `ts-${k}.pth`));
      expect(relDiff(ours.params, ref[k].params)).toBeLessThanOrEqual(RTOL);
      expect(ours.layout).toEqual(ref[k].layout);
      expect(relDiff(ours.state, ref[k].state)).toBeLessThanOrEqual(RTOL);
      const ck = torch.loadCheckpoint(join(folder, `py-${k}.pth`));
      const saved = ck.list('params').map((p) => flat(p as Tensor));
      const resumed = runOurs(c, saved, SAVED_AT, ck.get('opt'));
      const fresh = runOurs(c, saved, SAVED_AT); // without the state: must differ, or the resume proves nothing
      torch.dispose(ck.value);
      expect(relDiff(resumed.params, ref[k].params)).toBeLessThanOrEqual(RTOL);
      expect(relDiff(fresh.params, ref[k].params)).toBeGreaterThan(10 * RTOL);
    });
  }

  it(`our checkpoints after ${SAVED_AT} steps resume in Python as here`, () => {
    const back: { params: number[][]; has: boolean[] }[] = JSON.parse(runPython(PY_RESUME, [dataFile, cases, folder]));
    CASES.forEach((c, k) => {
      const ours = runOurs(c, DATA.p0, 0);
      expect(back[k].has, c.name).toEqual(ours.has);
      expect(ours.has, c.name).toEqual(
        c.closure
          ? [true, false, false, false]
          : c.name.startsWith('Muon')
            ? [true, false, true, false]
            : [true, true, true, true],
      );
      expect(relDiff(back[k].params, ours.params), c.name).toBeLessThanOrEqual(RTOL);
    });
  }, 180_000);
});

describe.skipIf(!py)('LBFGS with the strong-Wolfe search on curved 2-d functions (live)', () => {
  // Large steps on curved functions: brackets shrink slowly, so the zoom's safeguards (the 10 % margin, insufficient
  // progress) act. [name, Python loss of x, ours, lr, start]
  const FNS: [string, string, (x: Tensor) => Tensor, number, number[]][] = [
    [
      'Rosenbrock',
      '100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2',
      (x) => x.get(1).sub(x.get(0).pow(2)).pow(2).mul(100).add(x.get(0).neg().add(1).pow(2)),
      10,
      [-1.5, 2],
    ],
    [
      'Rosenbrock',
      '100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2',
      (x) => x.get(1).sub(x.get(0).pow(2)).pow(2).mul(100).add(x.get(0).neg().add(1).pow(2)),
      10,
      [0.5, 3],
    ],
    [
      'quartic',
      '(x ** 4).sum() + x[0] * x[1]',
      (x) =>
        x
          .pow(4)
          .sum()
          .add(x.get(0).mul(x.get(1))),
      10,
      [-1.5, 2],
    ],
    ['|x|^1.5', '(x.abs() ** 1.5).sum()', (x) => x.abs().pow(1.5).sum(), 10, [2, -1]],
    [
      'sin',
      'torch.sin(3 * x).sum() + (x ** 2).sum() * 0.1',
      (x) => x.mul(3).sin().sum().add(x.pow(2).sum().mul(0.1)),
      3,
      [0.5, 3],
    ],
  ];
  it("the iterates, step sizes and evaluation counts of 4 steps (max_iter 5) equal Python's", () => {
    const ref: number[][][] = JSON.parse(
      runPython(`
import json, torch
out = []
for expr, lr, start in json.loads(${JSON.stringify(JSON.stringify(FNS.map(([, e, , lr, s]) => [e, lr, s])))}):
    x = torch.tensor(start, dtype=torch.float32, requires_grad=True)
    opt = torch.optim.LBFGS([x], lr=lr, max_iter=5, line_search_fn='strong_wolfe')
    def closure():
        opt.zero_grad(); l = eval(expr); l.backward(); return l
    xs = []
    for _ in range(4):
        opt.step(closure); st = opt.state[x]
        xs.append(x.detach().double().tolist() + [float(st['t']), st['func_evals'], st['n_iter']])
    out.append(xs)
print(json.dumps(out))
`),
    );
    FNS.forEach(([name, , fn, lr, start], k) => {
      const x = torch.tensor(new Float32Array(start)).requiresGrad_();
      const opt = new optim.LBFGS([x], { lr, maxIter: 5, lineSearchFn: 'strong_wolfe' });
      const xs: number[][] = [];
      for (let i = 0; i < 4; i++) {
        torch.dispose(
          opt.step(() => {
            opt.zeroGrad();
            const l = fn(x);
            l.backward();
            return l;
          }),
        );
        const st = opt.state.get(x) as { t: number | Tensor; funcEvals: number; nIter: number };
        xs.push([...flat(x), typeof st.t === 'number' ? st.t : (st.t.item() as number), st.funcEvals, st.nIter]);
      }
      expect(relDiff(xs, ref[k]), `${name} from ${start}`).toBeLessThanOrEqual(RTOL);
      opt.dispose();
      x.dispose();
    });
  });
});

describe('optimizer arguments and errors', () => {
  const ps = params(DATA.p0);
  it("Python's positional order, then an options object; defaults as PyTorch's", () => {
    expect(new optim.RMSprop(ps, 0.05, 0.9, { centered: true }).defaults).toMatchObject({
      lr: 0.05,
      alpha: 0.9,
      centered: true,
      eps: 1e-8,
    });
    expect(new optim.Adagrad(ps).defaults).toMatchObject({
      lr: 1e-2,
      lrDecay: 0,
      eps: 1e-10,
      initialAccumulatorValue: 0,
      fused: null,
    });
    expect(new optim.Adadelta(ps).defaults).toMatchObject({ lr: 1, rho: 0.9, eps: 1e-6 });
    expect(new optim.Adamax(ps).defaults).toMatchObject({ lr: 2e-3, betas: [0.9, 0.999] });
    expect(new optim.NAdam(ps).defaults).toMatchObject({ lr: 2e-3, momentumDecay: 4e-3, decoupledWeightDecay: false });
    expect(new optim.RAdam(ps).defaults).toMatchObject({ lr: 1e-3, decoupledWeightDecay: false });
    expect(new optim.ASGD(ps).defaults).toMatchObject({ lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6 });
    expect(new optim.Rprop(ps).defaults).toMatchObject({ lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50] });
    expect(new optim.LBFGS(ps).defaults).toMatchObject({
      lr: 1,
      maxIter: 20,
      maxEval: 25,
      historySize: 100,
      lineSearchFn: null,
    });
    expect(new optim.SGD(ps).defaults).toMatchObject({
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      nesterov: false,
      fused: null,
    });
    expect(new optim.SGD(ps, 0.1, 0.9, { nesterov: true }).defaults).toMatchObject({
      lr: 0.1,
      momentum: 0.9,
      nesterov: true,
    });
    expect(new optim.Adam(ps, 0.01, [0.8, 0.9]).defaults).toMatchObject({
      lr: 0.01,
      betas: [0.8, 0.9],
      decoupledWeightDecay: false,
    });
    expect(new optim.AdamW(ps, { amsgrad: true }).defaults).toMatchObject({
      weightDecay: 1e-2,
      amsgrad: true,
      decoupledWeightDecay: true,
    });
    expect(new optim.Adafactor(ps).defaults).toMatchObject({
      lr: 1e-2,
      beta2Decay: -0.8,
      eps: [null, 1e-3],
      d: 1,
      weightDecay: 0,
    });
    expect(new optim.Muon([ps[0]]).defaults).toMatchObject({
      lr: 1e-3,
      weightDecay: 0.1,
      momentum: 0.95,
      nesterov: true,
      nsSteps: 5,
      adjustLrFn: null,
    });
  });
  it('errors name the optimizer and the argument', () => {
    expect(() => new optim.RMSprop(ps, { lr: -1 })).toThrow('RMSprop: invalid learning rate -1');
    expect(() => new optim.NAdam(ps, { betas: [0.9, 1] })).toThrow('NAdam: invalid beta parameter at index 1: 1');
    expect(() => new optim.Rprop(ps, { etas: [1.2, 0.5] })).toThrow('Rprop: invalid eta values 1.2, 0.5');
    expect(() => new optim.Adagrad(ps, 0.1, { lr: 0.2 } as never)).toThrow(
      "Adagrad: got multiple values for argument 'lr'",
    );
    expect(() => new optim.Adadelta(ps, { differentiable: true })).toThrow(
      'Adadelta: differentiable=true is not supported',
    );
    expect(() => new optim.LBFGS(ps, { lineSearchFn: 'armijo' as never })).toThrow(
      "LBFGS: only 'strong_wolfe' is supported",
    );
    expect(() => new optim.LBFGS([{ params: ps.slice(0, 2) }, { params: ps.slice(2) }])).toThrow(
      "LBFGS doesn't support per-parameter options",
    );
    expect(() => new optim.LBFGS(ps).step()).toThrow('LBFGS.step: a closure is required');
    expect(() => new optim.AdamW(ps, { decoupledWeightDecay: false } as never)).toThrow(
      "AdamW: unexpected option 'decoupledWeightDecay'",
    );
    expect(() => new optim.SGD(ps, { lr: 0.1, nesterov: true })).toThrow(
      'SGD: Nesterov momentum requires a momentum and zero dampening',
    );
    expect(() => new optim.Muon(ps)).toThrow('Muon only supports 2-d parameters, but found one of shape [3]');
    expect(() => new optim.Adafactor(ps, { d: 0.5 })).toThrow(
      'Adafactor: clipping threshold d should be >= 1 but is 0.5',
    );
    torch.dispose(ps);
  });
});
