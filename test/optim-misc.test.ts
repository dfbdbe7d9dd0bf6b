import { describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import * as optim from '../lib/optim/index.js';
import { GradScaler, autocast, autocastAvailable } from '../lib/amp/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { hasPython, runPython } from '../test-support/python.js';

const py = hasPython('torch');
const param = (v: number[]): Tensor => torch.tensor(new Float32Array(v)).requiresGrad_();
const setGrad = (p: Tensor, v: number[]): void => {
  const t = torch.tensor(new Float32Array(v));
  p.grad = t;
  t.dispose();
};

describe('LR schedules vs closed forms', () => {
  const run = (make: (o: optim.SGD) => optim.LRScheduler, n: number): number[] => {
    const p = param([1]);
    const opt = new optim.SGD([p], { lr: 0.3 });
    const s = make(opt);
    const lrs = [s.getLastLr()[0]];
    for (let e = 1; e < n; e++) {
      s.step();
      lrs.push(s.getLastLr()[0]);
    }
    p.dispose();
    return lrs;
  };
  it('poly (SKCDF: base*(1-e/max)^0.9)', () => {
    const lrs = run((o) => new optim.PolyLR(o, 1500), 12);
    lrs.forEach((v, e) => expect(v).toBeCloseTo(0.3 * (1 - e / 1500) ** 0.9, 15));
    // the fixture note: epoch 10 runs with lr from e = 9
    expect(optim.polyLr(9, 1500, 0.3)).toBeCloseTo(0.2983795, 7);
  });
  it('cosine, step, lambda', () => {
    run((o) => new optim.CosineAnnealingLR(o, 10, 0.01), 21).forEach((v, e) =>
      expect(v).toBeCloseTo(0.01 + (0.29 * (1 + Math.cos((Math.PI * e) / 10))) / 2, 14),
    );
    // the closed form as a function follows the scheduler over the half period, and reaches etaMin at tMax
    run((o) => new optim.CosineAnnealingLR(o, 40), 41).forEach((v, e) =>
      expect(optim.cosineLr(e, 40, 0.3)).toBeCloseTo(v, 14),
    );
    expect(optim.cosineLr(0, 40, 0.1)).toBe(0.1);
    expect(optim.cosineLr(20, 40, 0.1)).toBeCloseTo(0.05, 15);
    expect(optim.cosineLr(40, 40, 0.1, 0.001)).toBeCloseTo(0.001, 15);
    run((o) => new optim.StepLR(o, 3, 0.5), 10).forEach((v, e) =>
      expect(v).toBeCloseTo(0.3 * 0.5 ** Math.floor(e / 3), 15),
    );
    run((o) => new optim.LambdaLR(o, (e) => 1 / (e + 1)), 5).forEach((v, e) =>
      expect(v).toBeCloseTo(0.3 / (e + 1), 15),
    );
  });
});

describe.skipIf(!py)('gradient clipping vs PyTorch (live)', () => {
  it('clipGradNorm_ (2 and inf norms) and clipGradValue_', () => {
    const g1 = [3, -4, 0.5, 2],
      g2 = [1, 2, -7];
    const ref = JSON.parse(
      runPython(`
import json, torch
out = {}
for nt, mx in [(2.0, 1.0), (float('inf'), 2.0), (2.0, 100.0)]:
    a = torch.zeros(4, requires_grad=True); b = torch.zeros(3, requires_grad=True); c = torch.zeros(2, requires_grad=True)
    a.grad = torch.tensor(${JSON.stringify(g1)}, dtype=torch.float32); b.grad = torch.tensor(${JSON.stringify(g2)}, dtype=torch.float32)
    n = torch.nn.utils.clip_grad_norm_([a, b, c], mx, norm_type=nt)
    out[str(nt) + '_' + str(mx)] = [n.item(), a.grad.tolist(), b.grad.tolist()]
a = torch.zeros(4, requires_grad=True); a.grad = torch.tensor(${JSON.stringify(g1)}, dtype=torch.float32)
torch.nn.utils.clip_grad_value_([a], 1.5); out['value'] = a.grad.tolist()
print(json.dumps(out))
`),
    );
    for (const [nt, mx] of [
      [2, 1],
      [Infinity, 2],
      [2, 100],
    ]) {
      const [a, b, c] = [param([0, 0, 0, 0]), param([0, 0, 0]), param([0, 0])];
      setGrad(a, g1);
      setGrad(b, g2);
      const before = torch.memory().liveTensors;
      const n = optim.clipGradNorm_([a, b, c], mx, nt);
      expect(torch.memory().liveTensors).toBe(before);
      const [rn, ra, rb] = ref[`${nt === Infinity ? 'inf' : '2.0'}_${mx.toFixed(1)}`];
      expect(n).toBeCloseTo(rn, 5);
      (a.grad!.toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(ra[i], 6));
      (b.grad!.toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(rb[i], 6));
      expect(c.grad).toBeNull();
      torch.dispose([a, b, c]);
    }
    const a = param([0, 0, 0, 0]);
    setGrad(a, g1);
    optim.clipGradValue_([a], 1.5);
    expect(a.grad!.toArray()).toEqual(ref.value);
    a.dispose();
  });
});

describe('GradScaler (CPU)', () => {
  it('scales, unscales, skips steps on inf/nan, backs off and grows the scale', () => {
    const p = param([1, 2]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    const scaler = new GradScaler({ initScale: 1024, growthInterval: 2 });
    const before = torch.memory().liveTensors;
    torch.tidy(() => {
      const loss = p.mul(p).sum(); // grad 2p
      const scaled = scaler.scale(loss);
      expect(scaled.item()).toBe(5 * 1024);
      scaled.backward();
    });
    expect(torch.tidy(() => p.grad!.toArray())).toEqual([2 * 1024, 4 * 1024]);
    expect(scaler.step(opt)).toBe(true);
    expect(p.toArray()).toEqual([Math.fround(1 - 0.1 * 2), Math.fround(2 - 0.1 * 4)]);
    scaler.update();
    expect(scaler.getScale()).toBe(1024);
    expect(scaler.getGrowthTracker()).toBe(1);
    opt.zeroGrad();
    // overflow: step skipped, scale halves, tracker resets
    const snapshot = p.toArray();
    setGrad(p, [Infinity, 1]);
    expect(scaler.step(opt)).toBe(false);
    expect(p.toArray()).toEqual(snapshot);
    scaler.update();
    expect(scaler.getScale()).toBe(512);
    expect(scaler.getGrowthTracker()).toBe(0);
    setGrad(p, [NaN, 1]);
    scaler.unscale_(opt);
    expect(() => scaler.unscale_(opt)).toThrow(/already been called/);
    expect(scaler.step(opt)).toBe(false);
    scaler.update();
    expect(scaler.getScale()).toBe(256);
    // two clean steps: growth
    for (let i = 0; i < 2; i++) {
      setGrad(p, [256, 256]);
      expect(scaler.step(opt)).toBe(true);
      scaler.update();
    }
    expect(scaler.getScale()).toBe(512);
    expect(scaler.getGrowthTracker()).toBe(0);
    opt.zeroGrad();
    expect(torch.memory().liveTensors).toBe(before);
    p.dispose();
  });
});

describe('autocast', () => {
  it('runs the callback directly when disabled', () => {
    expect(autocast('cuda', () => 42, { enabled: false })).toBe(42);
  });
  it.skipIf(autocastAvailable() && torch.cuda.isAvailable())(
    'reports the missing native support clearly (skipped when native autocast and CUDA exist)',
    () => {
      if (!autocastAvailable()) expect(() => autocast('cuda', () => 1)).toThrow(/at::autocast/);
    },
  );
  it.skipIf(!torch.cuda.isAvailable() || !autocastAvailable())(
    'CUDA: conv runs in float16 inside the scope (needs CUDA and native autocast)',
    () => {
      torch.tidy(() => {
        const x = torch.randn([1, 2, 4, 4, 4], { device: 'cuda' });
        const w = torch.randn([3, 2, 3, 3, 3], { device: 'cuda' });
        expect(autocast('cuda', () => torch.conv3d(x, w).dtype)).toBe('float16');
        expect(torch.conv3d(x, w).dtype).toBe('float32');
      });
    },
  );
});
