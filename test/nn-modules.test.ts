import { describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import * as nn from '../lib/nn/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasPython, runPython } from '../test-support/python.js';

const writeTmp = (data: unknown): string => {
  const f = join(mkdtempSync(join(tmpdir(), 'nn-test-')), 'payload.json');
  writeFileSync(f, JSON.stringify(data));
  return f;
};

// Tolerances (the reference fixtures' precision guidance): forward outputs atol 1e-3 (we meet 1e-5 here:
// no BatchNorm-in-train chains), BN buffers atol 1e-5, gradients relative Frobenius <= 5e-2 (we check 1e-4).
const ATOL = 1e-5;
const GRAD_REL = 1e-4;
const py = hasPython('torch');

type Case = { name: string; py: string; make: () => nn.Module; shape: number[]; train?: boolean };
const CASES: Case[] = [
  {
    name: 'conv1d',
    py: 'nn.Conv1d(3, 4, 3, stride=2, padding=1)',
    make: () => new nn.Conv1d(3, 4, 3, { stride: 2, padding: 1 }),
    shape: [2, 3, 9],
  },
  {
    name: 'conv2d',
    py: 'nn.Conv2d(3, 4, (3, 2), dilation=2, groups=1, bias=False)',
    make: () => new nn.Conv2d(3, 4, [3, 2], { dilation: 2, bias: false }),
    shape: [2, 3, 9, 8],
  },
  {
    name: 'conv3d',
    py: 'nn.Conv3d(2, 4, 3, padding=1, groups=2)',
    make: () => new nn.Conv3d(2, 4, 3, { padding: 1, groups: 2 }),
    shape: [2, 2, 5, 4, 6],
  },
  {
    name: 'convT2d',
    py: 'nn.ConvTranspose2d(3, 2, 2, stride=2)',
    make: () => new nn.ConvTranspose2d(3, 2, 2, { stride: 2 }),
    shape: [2, 3, 4, 5],
  },
  {
    name: 'convT3d',
    py: 'nn.ConvTranspose3d(4, 2, 3, stride=2, padding=1, output_padding=1)',
    make: () => new nn.ConvTranspose3d(4, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }),
    shape: [1, 4, 3, 4, 2],
  },
  { name: 'linear', py: 'nn.Linear(5, 3)', make: () => new nn.Linear(5, 3), shape: [4, 2, 5] },
  { name: 'bn1d', py: 'nn.BatchNorm1d(3)', make: () => new nn.BatchNorm1d(3), shape: [4, 3, 5], train: true },
  {
    name: 'bn2d',
    py: 'nn.BatchNorm2d(3, momentum=0.3)',
    make: () => new nn.BatchNorm2d(3, { momentum: 0.3 }),
    shape: [4, 3, 5, 2],
    train: true,
  },
  { name: 'bn3d', py: 'nn.BatchNorm3d(3)', make: () => new nn.BatchNorm3d(3), shape: [2, 3, 4, 3, 2], train: true },
  {
    name: 'bn3d_eval',
    py: 'nn.BatchNorm3d(3).eval()',
    make: () => new nn.BatchNorm3d(3).eval(),
    shape: [2, 3, 4, 3, 2],
  },
  {
    name: 'bn_cma',
    py: 'nn.BatchNorm2d(3, momentum=None)',
    make: () => new nn.BatchNorm2d(3, { momentum: null }),
    shape: [4, 3, 2, 2],
    train: true,
  },
  { name: 'gn', py: 'nn.GroupNorm(2, 4)', make: () => new nn.GroupNorm(2, 4), shape: [2, 4, 3, 5] },
  { name: 'in2d', py: 'nn.InstanceNorm2d(3)', make: () => new nn.InstanceNorm2d(3), shape: [2, 3, 4, 5] },
  {
    name: 'in3d_affine',
    py: 'nn.InstanceNorm3d(3, affine=True)',
    make: () => new nn.InstanceNorm3d(3, { affine: true }),
    shape: [2, 3, 4, 5, 2],
  },
  { name: 'ln', py: 'nn.LayerNorm([4, 5])', make: () => new nn.LayerNorm([4, 5]), shape: [2, 3, 4, 5] },
  { name: 'relu', py: 'nn.ReLU()', make: () => new nn.ReLU(), shape: [3, 7] },
  { name: 'lrelu', py: 'nn.LeakyReLU(0.2)', make: () => new nn.LeakyReLU(0.2), shape: [3, 7] },
  { name: 'gelu', py: 'nn.GELU()', make: () => new nn.GELU(), shape: [3, 7] },
  { name: 'sigmoid', py: 'nn.Sigmoid()', make: () => new nn.Sigmoid(), shape: [3, 7] },
  { name: 'softmax', py: 'nn.Softmax(dim=1)', make: () => new nn.Softmax(1), shape: [3, 7, 2] },
  { name: 'maxpool', py: 'nn.MaxPool3d(2)', make: () => new nn.MaxPool3d(2), shape: [1, 2, 4, 6, 4] },
  {
    name: 'avgpool',
    py: 'nn.AvgPool3d(2, stride=1)',
    make: () => new nn.AvgPool3d(2, { stride: 1 }),
    shape: [1, 2, 4, 3, 4],
  },
  {
    name: 'up_nearest',
    py: "nn.Upsample(scale_factor=2, mode='nearest')",
    make: () => new nn.Upsample({ scaleFactor: 2 }),
    shape: [1, 2, 2, 3, 2],
  },
  {
    name: 'up_tri',
    py: "nn.Upsample(scale_factor=2, mode='trilinear')",
    make: () => new nn.Upsample({ scaleFactor: 2, mode: 'trilinear' }),
    shape: [1, 2, 2, 3, 2],
  },
  { name: 'dropout0', py: 'nn.Dropout3d(0.0)', make: () => new nn.Dropout3d(0), shape: [2, 3, 2, 2, 2] },
  { name: 'identity', py: 'nn.Identity()', make: () => new nn.Identity(), shape: [2, 3] },
  {
    name: 'seq',
    py: 'nn.Sequential(nn.Conv3d(1, 4, 3, padding=1), nn.BatchNorm3d(4), nn.ReLU(inplace=True), nn.Conv3d(4, 2, 1))',
    make: () =>
      new nn.Sequential(
        new nn.Conv3d(1, 4, 3, { padding: 1 }),
        new nn.BatchNorm3d(4),
        new nn.ReLU(true),
        new nn.Conv3d(4, 2, 1),
      ),
    shape: [2, 1, 4, 4, 4],
    train: true,
  },
];

const flat = (t: Tensor): number[] => Array.from(torch.tidy(() => t.double().toTypedArray()) as Float64Array);
const maxAbs = (a: number[], b: number[]): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const relFrob = (a: number[], b: number[]): number => {
  let d = 0,
    n = 0;
  a.forEach((v, i) => {
    d += (v - b[i]) ** 2;
    n += b[i] ** 2;
  });
  return n === 0 ? Math.sqrt(d) : Math.sqrt(d / n);
};

describe.skipIf(!py)('layers vs PyTorch (identical weights): forward, backward, buffers, printing', () => {
  it('every layer', () => {
    torch.manualSeed(1);
    const payload: Record<string, unknown> = {};
    const ours: Record<
      string,
      {
        out: number[];
        gx: number[];
        grads: Record<string, number[]>;
        sd: Record<string, number[]>;
        repr: string;
        keys: string[];
      }
    > = {};
    const before = torch.memory().liveTensors;
    const modules: nn.Module[] = [];
    for (const c of CASES) {
      const m = c.make();
      modules.push(m);
      if (!c.train && !c.name.endsWith('_eval') && !['bn1d', 'bn2d', 'bn3d'].includes(c.name)) m.train();
      torch.tidy(() => {
        // randomise norm affine params so they matter
        torch.noGrad(() => {
          for (const [k, p] of m.namedParameters())
            if (/(^|\.)(weight|bias)$/.test(k) && p.ndim === 1) p.uniform_(0.5, 1.5);
        });
        const sd0 = m.stateDict();
        const x = torch.randn(c.shape).requiresGrad_();
        const g = torch.randn(m.forward(x).shape);
        payload[c.name] = {
          py: c.py,
          x: flat(x),
          xs: c.shape,
          g: flat(g),
          gs: g.shape,
          sd: Object.fromEntries([...sd0].map(([k, v]) => [k, [flat(v), v.shape, v.dtype]])),
        };
        const out = m.forward(x);
        out.mul(g).sum().backward();
        const grads: Record<string, number[]> = {};
        for (const [k, p] of m.namedParameters()) if (p.grad) grads[k] = flat(p.grad);
        const sd = Object.fromEntries([...m.stateDict()].map(([k, v]) => [k, flat(v)]));
        ours[c.name] = {
          out: flat(out),
          gx: flat(x.grad!),
          grads,
          sd,
          repr: m.toString(),
          keys: [...m.stateDict({ keepVars: true }).keys()],
        };
      });
      m.zeroGrad();
    }
    const res = JSON.parse(
      runPython(
        `
import json, sys, torch
from torch import nn
d = json.load(open(sys.argv[1]))
dt = {'float32': torch.float32, 'int64': torch.int64}
r = {}
for name, c in d.items():
    m = eval(c['py'])
    m.load_state_dict({k: torch.tensor(v[0], dtype=dt[v[2]]).reshape(v[1]) for k, v in c['sd'].items()})
    x = torch.tensor(c['x'], dtype=torch.float32).reshape(c['xs']).requires_grad_()
    g = torch.tensor(c['g'], dtype=torch.float32).reshape(c['gs'])
    out = m(x)
    (out * g).sum().backward()
    f = lambda t: t.double().reshape(-1).tolist()
    r[name] = {'out': f(out), 'gx': f(x.grad), 'grads': {k: f(p.grad) for k, p in m.named_parameters() if p.grad is not None},
               'sd': {k: f(v) for k, v in m.state_dict().items()}, 'repr': repr(m), 'keys': list(m.state_dict().keys())}
print(json.dumps(r))
`,
        [writeTmp(payload)],
      ),
    );
    for (const c of CASES) {
      const o = ours[c.name],
        p = res[c.name];
      expect(o.keys, c.name).toEqual(p.keys);
      expect(o.repr, c.name).toBe(p.repr);
      expect(o.out.length, c.name).toBe(p.out.length);
      expect(maxAbs(o.out, p.out), `${c.name} forward`).toBeLessThanOrEqual(ATOL);
      expect(relFrob(o.gx, p.gx), `${c.name} grad x`).toBeLessThanOrEqual(GRAD_REL);
      expect(Object.keys(o.grads), c.name).toEqual(Object.keys(p.grads));
      for (const k of Object.keys(p.grads))
        expect(relFrob(o.grads[k], p.grads[k]), `${c.name} grad ${k}`).toBeLessThanOrEqual(GRAD_REL);
      for (const k of Object.keys(p.sd))
        expect(maxAbs(o.sd[k], p.sd[k]), `${c.name} state ${k}`).toBeLessThanOrEqual(ATOL);
    }
    for (const m of modules) m.dispose();
    expect(torch.memory().liveTensors).toBe(before);
  }, 60_000);

  it('state-dict key names and order of a nested model match PyTorch', () => {
    const model = new nn.Sequential(
      new nn.Sequential(new nn.Conv3d(1, 4, 3, { padding: 1 }), new nn.BatchNorm3d(4), new nn.ReLU(true)),
      new nn.ModuleDict({ head: new nn.Conv3d(4, 2, 1), norm: new nn.GroupNorm(1, 2) }),
      new nn.ModuleList([new nn.Linear(2, 2), new nn.LayerNorm(2)]),
    );
    const keys = JSON.parse(
      runPython(`
import json, torch
from torch import nn
m = nn.Sequential(nn.Sequential(nn.Conv3d(1, 4, 3, padding=1), nn.BatchNorm3d(4), nn.ReLU(inplace=True)),
    nn.ModuleDict({'head': nn.Conv3d(4, 2, 1), 'norm': nn.GroupNorm(1, 2)}), nn.ModuleList([nn.Linear(2, 2), nn.LayerNorm(2)]))
print(json.dumps({'sd': [k for k in m.state_dict()], 'params': [k for k, _ in m.named_parameters()],
  'buffers': [k for k, _ in m.named_buffers()], 'modules': [k for k, _ in m.named_modules()], 'repr': repr(m),
  'n': sum(p.numel() for p in m.parameters())}))
`),
    );
    expect([...model.stateDict({ keepVars: true }).keys()]).toEqual(keys.sd);
    expect([...model.namedParameters()].map(([k]) => k)).toEqual(keys.params);
    expect([...model.namedBuffers()].map(([k]) => k)).toEqual(keys.buffers);
    expect([...model.namedModules()].map(([k]) => k)).toEqual(keys.modules);
    expect(model.toString()).toBe(keys.repr);
    expect(model.numParameters()).toBe(keys.n);
    model.dispose();
  });

  it('default initialisation matches PyTorch (bounds and moments)', () => {
    // kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights; bias the same bound.
    // ConvTranspose: fan_in = weight.size(1) * receptive field = out_channels/groups * k^3.
    const cases: [string, nn.Module, number][] = [
      ['conv3d', new nn.Conv3d(8, 16, 3), 8 * 27],
      ['convT3d', new nn.ConvTranspose3d(16, 8, 2, { stride: 2 }), 8 * 8],
      ['linear', new nn.Linear(64, 200), 64],
    ];
    const stats = JSON.parse(
      runPython(`
import json, torch
from torch import nn
torch.manual_seed(0)
r = {}
for name, m in [('conv3d', nn.Conv3d(8, 16, 3)), ('convT3d', nn.ConvTranspose3d(16, 8, 2, stride=2)), ('linear', nn.Linear(64, 200))]:
    r[name] = {k: [p.abs().max().item(), p.std().item(), p.mean().item()] for k, p in m.named_parameters()}
print(json.dumps(r))
`),
    );
    for (const [name, m, fanIn] of cases) {
      const bound = 1 / Math.sqrt(fanIn);
      for (const [k, p] of m.namedParameters()) {
        const [pyMax, pyStd] = stats[name][k];
        const n = p.numel();
        const max = torch.tidy(() => p.abs().max().item());
        const std = torch.tidy(() => p.std().item());
        const mean = torch.tidy(() => p.mean().item());
        expect(max, `${name}.${k} max`).toBeLessThanOrEqual(bound);
        expect(pyMax).toBeLessThanOrEqual(bound * (1 + 1e-6));
        const uStd = bound / Math.sqrt(3); // std of U(-b, b)
        // sampling error of the std of n uniforms: ~ sqrt(0.8/n) relative; allow 5 sigma
        const tol = 5 * Math.sqrt(0.8 / n) * uStd;
        expect(Math.abs(std - uStd), `${name}.${k} std`).toBeLessThanOrEqual(tol);
        expect(Math.abs(pyStd - uStd), `${name}.${k} python std`).toBeLessThanOrEqual(tol);
        expect(Math.abs(mean), `${name}.${k} mean`).toBeLessThanOrEqual((5 * uStd) / Math.sqrt(n));
      }
      m.dispose();
    }
    const bn = new nn.BatchNorm3d(5);
    expect(bn.weight!.toArray()).toEqual([1, 1, 1, 1, 1]);
    expect(bn.bias!.toArray()).toEqual([0, 0, 0, 0, 0]);
    expect(bn.runningVar!.toArray()).toEqual([1, 1, 1, 1, 1]);
    expect(bn.numBatchesTracked!.dtype).toBe('int64');
    bn.dispose();
  });
});

describe('Module mechanics', () => {
  it('loadStateDict copies in place, reports missing/unexpected/mis-shaped keys', () => {
    const a = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
    const b = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
    const w = a.at<nn.Linear>(0).weight;
    const sd = b.stateDict();
    a.loadStateDict(sd);
    expect(a.at<nn.Linear>(0).weight).toBe(w);
    expect(w.toArray()).toEqual(b.at<nn.Linear>(0).weight.toArray());
    expect(w.requiresGrad).toBe(true);
    const missing = new Map(sd);
    missing.delete('0.bias');
    missing.set('extra', torch.zeros([1]));
    expect(() => a.loadStateDict(missing)).toThrow(
      /Missing key\(s\) in state_dict: "0.bias"[\s\S]*Unexpected key\(s\) in state_dict: "extra"/,
    );
    expect(a.loadStateDict(missing, { strict: false })).toEqual({ missingKeys: ['0.bias'], unexpectedKeys: ['extra'] });
    const bad = new Map(sd);
    bad.set('0.weight', torch.zeros([2, 4]));
    expect(() => a.loadStateDict(bad, { strict: false })).toThrow(/size mismatch for 0.weight/);
    torch.dispose([...sd.values(), missing.get('extra'), bad.get('0.weight')]);
    a.dispose();
    b.dispose();
  });

  it('train/eval, requiresGrad_, zeroGrad, apply, to(dtype) disposes old tensors', () => {
    const m = new nn.Sequential(new nn.Conv3d(1, 2, 1), new nn.BatchNorm3d(2), new nn.Dropout3d(0.5));
    m.eval();
    expect([...m.modules()].every((x) => !x.training)).toBe(true);
    m.train();
    expect(m.at(2).training).toBe(true);
    torch.tidy(() => {
      m.forward(torch.randn([2, 1, 2, 2, 2]))
        .sum()
        .backward();
    });
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
    const names: string[] = [];
    m.apply((x) => names.push(x.constructor.name));
    expect(names).toEqual(['Conv3d', 'BatchNorm3d', 'Dropout3d', 'Sequential']);
    m.requiresGrad_(false);
    expect(m.parameters().some((p) => p.requiresGrad)).toBe(false);
    m.requiresGrad_(true);
    const live = torch.memory().liveTensors;
    const old = m.parameters()[0];
    m.to('float64');
    expect(old.isDisposed).toBe(true);
    expect(m.parameters().every((p) => p.dtype === 'float64' && p.requiresGrad)).toBe(true);
    expect(m.at<nn.BatchNorm3d>(1).numBatchesTracked!.dtype).toBe('int64');
    expect(torch.memory().liveTensors).toBe(live);
    m.dispose();
  });

  it('Dropout3d zeroes whole channels and scales by 1/(1-p); eval is identity', () => {
    torch.manualSeed(3);
    const d = new nn.Dropout3d(0.5);
    torch.tidy(() => {
      const y = d.forward(torch.ones([4, 8, 2, 2, 2]));
      const per = y.view([32, 8]);
      const mins = per.amin(1),
        maxs = per.amax(1);
      expect(mins.sub(maxs).abs().max().item()).toBe(0);
      expect(new Set(mins.toArray() as number[])).toEqual(new Set([0, 2]));
      d.eval();
      expect(
        d
          .forward(torch.ones([1, 2, 1, 1, 1]))
          .sum()
          .item(),
      ).toBe(2);
    });
  });
});
