import { beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import * as optim from '../lib/optim/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { hasPython, runPython } from '../test-support/python.js';

// precision.json: parameters after a step atol 2e-3, momentum buffers rel. Frobenius 5e-2. These small
// problems have no ill-conditioning, so we hold them to 1e-6 absolute (float32 rounding of identical ops).
const ATOL = 1e-6;
const py = hasPython('torch');
const flat = (t: Tensor): number[] => Array.from(torch.tidy(() => t.double().toTypedArray()) as Float64Array);
const maxAbs = (a: number[], b: number[]): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

// Fixed data so Python sees the same numbers: p0 (3 params), per-step grads g[s][i]; param 2 never gets a grad.
function data(): { p0: number[][]; grads: number[][][]; shapes: number[][] } {
  torch.manualSeed(7);
  const shapes = [[3, 4], [5], [2, 2]];
  const p0 = shapes.map((s) => flat(torch.tidy(() => torch.randn(s))));
  const grads = [0, 1, 2, 3, 4, 5].map(() => shapes.slice(0, 2).map((s) => flat(torch.tidy(() => torch.randn(s)))));
  return { p0, grads, shapes };
}

function runOurs(
  make: (ps: Tensor[]) => optim.Optimizer<object>,
  d: ReturnType<typeof data>,
  steps: number,
): { params: number[][]; state: number[][] } {
  const ps = d.p0.map((v, i) => torch.tensor(new Float32Array(v), { shape: d.shapes[i] }).requiresGrad_());
  const opt = make(ps);
  for (let s = 0; s < steps; s++) {
    d.grads[s].forEach((g, i) => {
      const t = torch.tensor(new Float32Array(g), { shape: d.shapes[i] });
      ps[i].grad = t;
      t.dispose();
    });
    opt.step();
    opt.zeroGrad();
  }
  const sd = opt.stateDict();
  const state = Object.values(sd.state).flatMap((st) =>
    Object.entries(st)
      .filter(([k]) => k !== 'step')
      .map(([, v]) => flat(v as Tensor)),
  );
  const out = { params: ps.map(flat), state };
  torch.dispose(sd);
  opt.dispose();
  torch.dispose(ps);
  return out;
}

const PY = `
import json, sys, torch
d = json.load(open(sys.argv[1])); kinds, steps = json.loads(sys.argv[2]), int(sys.argv[3])
f = lambda t: t.double().reshape(-1).tolist()
out = []
for kind in kinds:
    ps = [torch.tensor(v, dtype=torch.float32).reshape(s).requires_grad_() for v, s in zip(d['p0'], d['shapes'])]
    opt = eval(kind)
    for s in range(steps):
        for i, g in enumerate(d['grads'][s]):
            ps[i].grad = torch.tensor(g, dtype=torch.float32).reshape(d['shapes'][i])
        opt.step(); opt.zero_grad()
    st = [f(v) for i in sorted(opt.state_dict()['state']) for k, v in opt.state_dict()['state'][i].items() if k != 'step']
    out.append({'params': [f(p) for p in ps], 'state': st, 'nstate': len(opt.state_dict()['state'])})
print(json.dumps(out))
`;

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const writeTmp = (x: unknown): string => {
  const f = join(mkdtempSync(join(tmpdir(), 'optim-test-')), 'd.json');
  writeFileSync(f, JSON.stringify(x));
  return f;
};

describe.skipIf(!py)('optimizers vs PyTorch (live)', () => {
  const d = data();
  const file = writeTmp(d);
  const cases: [string, string, (ps: Tensor[]) => optim.Optimizer<object>][] = [
    [
      'SGD nesterov+wd',
      'torch.optim.SGD(ps, lr=0.3, momentum=0.9, weight_decay=3e-5, nesterov=True)',
      (ps) => new optim.SGD(ps, { lr: 0.3, momentum: 0.9, weightDecay: 3e-5, nesterov: true }),
    ],
    [
      'SGD dampening',
      'torch.optim.SGD(ps, lr=0.1, momentum=0.8, dampening=0.3, weight_decay=1e-2)',
      (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.8, dampening: 0.3, weightDecay: 1e-2 }),
    ],
    [
      'SGD groups',
      "torch.optim.SGD([{'params': ps[:1], 'lr': 0.05}, {'params': ps[1:]}], lr=0.2, momentum=0.5)",
      (ps) =>
        new optim.SGD([{ params: ps.slice(0, 1), lr: 0.05 }, { params: ps.slice(1) }], { lr: 0.2, momentum: 0.5 }),
    ],
    [
      'Adam',
      'torch.optim.Adam(ps, lr=0.01, weight_decay=0.1)',
      (ps) => new optim.Adam(ps, { lr: 0.01, weightDecay: 0.1 }),
    ],
    [
      'Adam amsgrad',
      'torch.optim.Adam(ps, lr=0.02, betas=(0.8, 0.9), amsgrad=True)',
      (ps) => new optim.Adam(ps, { lr: 0.02, betas: [0.8, 0.9], amsgrad: true }),
    ],
    ['AdamW', 'torch.optim.AdamW(ps, lr=0.01)', (ps) => new optim.AdamW(ps, { lr: 0.01 })],
  ];
  let refs: { params: number[][]; state: number[][]; nstate: number }[] = [];
  beforeAll(() => {
    refs = JSON.parse(runPython(PY, [file, JSON.stringify(cases.map((c) => c[1])), '3']));
  }, 60_000);
  for (const [k, [name, , make]] of cases.entries()) {
    it(`${name}: 3 steps, param without grad skipped`, () => {
      const ref = refs[k];
      const before = torch.memory().liveTensors;
      const ours = runOurs(make, d, 3);
      expect(torch.memory().liveTensors).toBe(before);
      ours.params.forEach((p, i) => expect(maxAbs(p, ref.params[i]), `${name} param ${i}`).toBeLessThanOrEqual(ATOL));
      expect(ours.params[2]).toEqual(d.p0[2].map((v) => Math.fround(v))); // no grad: untouched (no decay)
      expect(ref.nstate).toBe(2);
      expect(ours.state.length).toBe(ref.state.length);
      ours.state.forEach((s, i) => expect(maxAbs(s, ref.state[i]), `${name} state ${i}`).toBeLessThanOrEqual(ATOL));
    });
  }
});

describe('optimizer state dict', () => {
  for (const [name, make] of [
    ['SGD', (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.3, momentum: 0.9, weightDecay: 3e-5, nesterov: true })],
    ['AdamW', (ps: Tensor[]) => new optim.AdamW(ps, { lr: 0.01, amsgrad: true })],
  ] as const) {
    it(`${name}: round trip gives an identical continuation`, () => {
      const d = data();
      const mk = (): Tensor[] =>
        d.p0.map((v, i) => torch.tensor(new Float32Array(v), { shape: d.shapes[i] }).requiresGrad_());
      const stepWith = (opt: optim.Optimizer<object>, ps: Tensor[], s: number): void => {
        d.grads[s].forEach((g, i) => {
          const t = torch.tensor(new Float32Array(g), { shape: d.shapes[i] });
          ps[i].grad = t;
          t.dispose();
        });
        opt.step();
        opt.zeroGrad();
      };
      const a = mk(),
        oa = make(a);
      for (let s = 0; s < 6; s++) stepWith(oa, a, s);
      const b = mk(),
        ob = make(b);
      for (let s = 0; s < 3; s++) stepWith(ob, b, s);
      const sd = ob.stateDict();
      expect(sd.param_groups[0].params).toEqual([0, 1, 2]);
      expect(Object.keys(sd.state)).toEqual(['0', '1']);
      if (name === 'SGD') {
        expect(Object.keys(sd.state[0])).toEqual(['momentum_buffer']);
        expect(sd.param_groups[0]).toMatchObject({
          lr: 0.3,
          momentum: 0.9,
          weight_decay: 3e-5,
          nesterov: true,
          dampening: 0,
        });
      } else {
        expect(Object.keys(sd.state[0])).toEqual(['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq']);
      }
      // continue in a fresh optimizer over a copy of the parameters
      const c = b.map((p) => torch.noGrad(() => p.clone()).requiresGrad_());
      const oc = make(c);
      oc.loadStateDict(sd);
      torch.dispose(sd);
      for (let s = 3; s < 6; s++) stepWith(oc, c, s);
      a.forEach((p, i) => expect(flat(c[i])).toEqual(flat(p)));
      for (const o of [oa, ob, oc]) o.dispose();
      torch.dispose([a, b, c]);
    });
  }
});
