// Optimizer checkpoints cross between Python and TypeScript: a small MLP trains 3 steps in one language, its
// parameters and optimizer state are saved with torch.save, and 2 more steps in the other language must equal the
// first language's own 2 further steps (SGD with momentum, Adam, AdamW, several parameter groups).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import * as optim from '../lib/optim/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { hasPython, runPython } from '../test-support/python.js';

// precision.json allows 2e-3 on parameters after a step; these tiny float32 problems agree to rounding.
const ATOL = 1e-5;
const py = hasPython('torch');
const SHAPES = [[3, 4], [3], [2, 3], [2]];
const STEPS = 5,
  SAVED_AT = 3;

/** Deterministic data: initial parameters and per-step (x, target) batches, the same numbers in both languages. */
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
type Make = (ps: Tensor[]) => optim.Optimizer<object>;
const CASES: [string, string, Make][] = [
  [
    'SGD momentum+nesterov+wd',
    'torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)',
    (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }),
  ],
  [
    'SGD groups',
    "torch.optim.SGD([{'params': ps[:2], 'lr': 0.05}, {'params': ps[2:], 'dampening': 0.2}], lr=0.2, momentum=0.7)",
    (ps) =>
      new optim.SGD(
        [
          { params: ps.slice(0, 2), lr: 0.05 },
          { params: ps.slice(2), dampening: 0.2 },
        ],
        { lr: 0.2, momentum: 0.7 },
      ),
  ],
  [
    'Adam amsgrad',
    'torch.optim.Adam(ps, lr=0.02, betas=(0.8, 0.95), amsgrad=True)',
    (ps) => new optim.Adam(ps, { lr: 0.02, betas: [0.8, 0.95], amsgrad: true }),
  ],
  [
    'AdamW',
    'torch.optim.AdamW(ps, lr=0.03, weight_decay=0.05)',
    (ps) => new optim.AdamW(ps, { lr: 0.03, weightDecay: 0.05 }),
  ],
  [
    'Adam groups',
    "torch.optim.Adam([{'params': ps[:2], 'lr': 0.02}, {'params': ps[2:], 'weight_decay': 0.1}], lr=0.005)",
    (ps) =>
      new optim.Adam(
        [
          { params: ps.slice(0, 2), lr: 0.02 },
          { params: ps.slice(2), weightDecay: 0.1 },
        ],
        { lr: 0.005 },
      ),
  ],
];

const flat = (t: Tensor): number[] =>
  Array.from(torch.tidy(() => t.detach().double().reshape([-1]).toTypedArray()) as Float64Array);
const maxAbs = (a: number[][], b: number[][]): number =>
  Math.max(...a.flatMap((p, i) => p.map((v, j) => Math.abs(v - b[i][j]))));

/** One step of loss = mean((tanh(x W1^T + b1) W2^T + b2 - t)^2). */
function step(opt: optim.Optimizer<object>, ps: Tensor[], s: number, d = DATA): void {
  torch.tidy(() => {
    const x = torch.tensor(new Float32Array(d.xs[s]), { shape: [5, 4] });
    const t = torch.tensor(new Float32Array(d.ts[s]), { shape: [5, 2] });
    const h = x.matmul(ps[0].t()).add(ps[1]).tanh();
    const y = h.matmul(ps[2].t()).add(ps[3]);
    y.sub(t).pow(2).mean().backward();
  });
  opt.step();
  opt.zeroGrad();
}

const params = (values: number[][]): Tensor[] =>
  values.map((v, i) => torch.tensor(new Float32Array(v), { shape: SHAPES[i] }).requiresGrad_());

const PY_COMMON = `
import json, sys, torch
d = json.load(open(sys.argv[1])); kinds = json.loads(sys.argv[2]); folder = sys.argv[3]
shapes = ${JSON.stringify(SHAPES)}
def step(opt, ps, s):
    x = torch.tensor(d['xs'][s], dtype=torch.float32).reshape(5, 4); t = torch.tensor(d['ts'][s], dtype=torch.float32).reshape(5, 2)
    y = torch.tanh(x @ ps[0].T + ps[1]) @ ps[2].T + ps[3]
    ((y - t) ** 2).mean().backward(); opt.step(); opt.zero_grad()
f = lambda p: p.detach().double().reshape(-1).tolist()
`;

// Python trains 3 steps, saves {params, opt} (as users do: opt.state_dict()), trains 2 more and reports them.
const PY_FIRST = `${PY_COMMON}
out = []
for k, kind in enumerate(kinds):
    ps = [torch.tensor(v, dtype=torch.float32).reshape(s).requires_grad_() for v, s in zip(d['p0'], shapes)]
    opt = eval(kind)
    for s in range(${SAVED_AT}): step(opt, ps, s)
    torch.save({'params': [p.detach().clone() for p in ps], 'opt': opt.state_dict()}, f'{folder}/py-{k}.pth')
    for s in range(${SAVED_AT}, ${STEPS}): step(opt, ps, s)
    out.append([f(p) for p in ps])
print(json.dumps(out))
`;

// Python resumes from our checkpoint: load_state_dict, report whether every parameter has its state, then 2 steps.
const PY_RESUME = `${PY_COMMON}
out = []
for k, kind in enumerate(kinds):
    ck = torch.load(f'{folder}/ts-{k}.pth')
    ps = [p.clone().requires_grad_() for p in ck['params']]
    opt = eval(kind)
    opt.load_state_dict(ck['opt'])
    has = [p in opt.state and len(opt.state[p]) > 0 for p in ps]
    keys = sorted(type(k).__name__ for k in ck['opt']['state'])
    groups = [{k: v for k, v in g.items() if k != 'params'} for g in opt.param_groups]
    for s in range(${SAVED_AT}, ${STEPS}): step(opt, ps, s)
    out.append({'params': [f(p) for p in ps], 'has': has, 'keyTypes': keys, 'groups': json.loads(json.dumps(groups, default=str))})
print(json.dumps(out))
`;

/** Our run of a case from the initial parameters through `steps` steps (no checkpoint). */
function runOurs(
  make: Make,
  d: ReturnType<typeof makeData>,
  from: number[][],
  first: number,
  steps: number,
  sd?: torch.Loaded,
): number[][] {
  const ps = params(from);
  const opt = make(ps);
  if (sd !== undefined) opt.loadStateDict(sd);
  for (let s = first; s < steps; s++) step(opt, ps, s, d);
  const out = ps.map(flat);
  opt.dispose();
  torch.dispose(ps);
  return out;
}

describe.skipIf(!py)('optimizer checkpoints between Python and TypeScript (live)', () => {
  const d = makeData();
  const folder = mkdtempSync(join(tmpdir(), 'optim-interop-'));
  const dataFile = join(folder, 'data.json');
  writeFileSync(dataFile, JSON.stringify(d));
  const kinds = JSON.stringify(CASES.map((c) => c[1]));
  let pyFinal: number[][][] = [];
  beforeAll(() => {
    pyFinal = JSON.parse(runPython(PY_FIRST, [dataFile, kinds, folder]));
  }, 120_000);

  for (const [k, [name, , make]] of CASES.entries()) {
    it(`${name}: Python's checkpoint resumes here as in Python`, () => {
      const before = torch.memory().liveTensors;
      const ck = torch.loadCheckpoint(join(folder, `py-${k}.pth`));
      const saved = ck.list('params').map((p) => flat(p as Tensor));
      const resumed = runOurs(make, d, saved, SAVED_AT, STEPS, ck.get('opt'));
      // without the state: must differ, or the test proves nothing
      const fresh = runOurs(make, d, saved, SAVED_AT, STEPS);
      torch.dispose(ck.value);
      expect(torch.memory().liveTensors).toBe(before);
      expect(maxAbs(resumed, pyFinal[k])).toBeLessThanOrEqual(ATOL);
      expect(maxAbs(fresh, pyFinal[k])).toBeGreaterThan(100 * ATOL);
    });
  }

  it('our checkpoints resume in Python as here (state keyed by int, every parameter has its state)', () => {
    const ours = CASES.map(([, , make], k) => {
      const ps = params(d.p0);
      const opt = make(ps);
      for (let s = 0; s < SAVED_AT; s++) step(opt, ps, s);
      torch.tidy(() =>
        torch.save({ params: ps.map((p) => p.detach()), opt: opt.stateDict() }, join(folder, `ts-${k}.pth`)),
      );
      for (let s = SAVED_AT; s < STEPS; s++) step(opt, ps, s);
      const out = ps.map(flat);
      opt.dispose();
      torch.dispose(ps);
      return out;
    });
    const ref: { params: number[][]; has: boolean[]; keyTypes: string[]; groups: Record<string, unknown>[] }[] =
      JSON.parse(runPython(PY_RESUME, [dataFile, kinds, folder]));
    CASES.forEach(([name], k) => {
      expect(ref[k].keyTypes, name).toEqual(['int', 'int', 'int', 'int']);
      expect(ref[k].has, name).toEqual([true, true, true, true]);
      expect(maxAbs(ours[k], ref[k].params), name).toBeLessThanOrEqual(ATOL);
    });
    expect(ref[4].groups.map((g) => [g.lr, g.weight_decay, g.betas])).toEqual([
      [0.02, 0, [0.9, 0.999]],
      [0.005, 0.1, [0.9, 0.999]],
    ]);
    expect(ref[3].groups[0].decoupled_weight_decay).toBe(true);
  }, 120_000);
});

describe('optimizer state dict forms', () => {
  const d = makeData();
  it('loads an older checkpoint of ours whose state keys were pickled as strings', () => {
    const make = CASES[2][2];
    const ps = params(d.p0);
    const opt = make(ps);
    for (let s = 0; s < SAVED_AT; s++) step(opt, ps, s);
    const sd = opt.stateDict();
    // The old writer: state as a plain object without the int-key mark, so '0', '1' ... are written as strings.
    const bytes = torch.serialize({ opt: { state: { ...sd.state }, param_groups: sd.param_groups } });
    torch.dispose(sd);
    const loaded = torch.load(bytes) as Map<string, torch.Loaded>;
    const state = (loaded.get('opt') as Map<string, torch.Loaded>).get('state') as Map<string | number, torch.Loaded>;
    expect([...state.keys()]).toEqual(['0', '1', '2', '3']);
    const resumed = runOurs(make, d, ps.map(flat), SAVED_AT, STEPS, loaded.get('opt'));
    for (let s = SAVED_AT; s < STEPS; s++) step(opt, ps, s);
    expect(resumed).toEqual(ps.map(flat));
    torch.dispose(loaded);
    opt.dispose();
    torch.dispose(ps);
  });

  it('stateDict() is written with int state keys; errors name the bad entry', () => {
    const ps = params(d.p0);
    const opt = new optim.SGD(ps, { lr: 0.1, momentum: 0.9 });
    step(opt, ps, 0);
    const sd = opt.stateDict();
    const loaded = torch.load(torch.serialize({ opt: sd })) as Map<string, Map<string, Map<string | number, unknown>>>;
    expect([...loaded.get('opt')!.get('state')!.keys()]).toEqual([0, 1, 2, 3]);
    expect(() => opt.loadStateDict(new Map([['state', new Map()]]))).toThrow(
      /SGD\.loadStateDict: not an optimizer state dict/,
    );
    expect(() => opt.loadStateDict({ state: { x: {} } as never, param_groups: sd.param_groups })).toThrow(
      /state key "x" is not a parameter index/,
    );
    const wrongShape = { state: { 0: { momentum_buffer: torch.zeros([7]) } }, param_groups: sd.param_groups };
    expect(() => opt.loadStateDict(wrongShape)).toThrow(
      /state\[0\]\.momentum_buffer has shape \[7\], the parameter \[3,4\]/,
    );
    torch.dispose([sd, loaded, wrongShape]);
    opt.dispose();
    torch.dispose(ps);
  });
});
