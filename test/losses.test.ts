import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import * as nn from '../lib/nn/index.js';
import * as nnunet from '../lib/skcdf/losses.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { readNpy } from '../lib/io/npy.js';
import { hasPython, runPython } from '../test-support/python.js';

const dir = join(import.meta.dirname, 'fixtures/loss');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')).values;
// The reference fixtures' precision guidance: losses rtol 1e-5; gradients per tensor relative Frobenius <= 5e-2
// (loss gradients here have no BatchNorm and agree far better; we also check them to 1e-5 relative).
const LOSS_RTOL = 1e-5;
const GRAD_REL_FROB = 5e-2;

const load = (name: string): Tensor => {
  const a = readNpy(join(dir, name));
  return torch.tensor(a.data as Float32Array, { shape: a.shape });
};
const relFrob = (a: Tensor, b: Tensor): number => torch.tidy(() => a.sub(b).norm().item() / b.norm().item());
const expectRel = (v: number, e: number, rtol = LOSS_RTOL): void => {
  expect(Math.abs(v - e) / Math.abs(e)).toBeLessThanOrEqual(rtol);
};

describe('SKCDF losses vs reference fixtures', () => {
  const logits = load('logits.npy');
  const labels = load('labels.npy');
  const mask = load('mask.npy');
  const labelsMissing = load('labels_missing_class3.npy');

  it('loads fixture dtypes as the reference', () => {
    expect(logits.dtype).toBe('float32');
    expect(labels.dtype).toBe('int64');
    expect(mask.dtype).toBe('float64');
  });

  const gradCase = (name: string, x: Tensor, y: Tensor, mul: Tensor | null, dtype: string): void => {
    torch.tidy(() => {
      const leaf = x.detach().requiresGrad_();
      const input = mul ? leaf.mul(mul) : leaf;
      const target = mul ? y.mul(mul) : y;
      const loss = new nnunet.DCAndCELoss().forward(input, target);
      expect(loss.dtype).toBe(dtype);
      expect(loss.dtype).toBe(expected[name].dtype);
      expectRel(loss.item(), expected[name].value);
      loss.backward();
      const g = leaf.grad!;
      const ref = load(expected[name].grad_file.replace('loss/', ''));
      expect(g.dtype).toBe('float32');
      const err = relFrob(g, ref);
      expect(err).toBeLessThanOrEqual(GRAD_REL_FROB);
      expect(err).toBeLessThanOrEqual(1e-5);
    });
  };

  it('dc_and_ce: value and gradient', () => gradCase('dc_and_ce', logits, labels, null, 'float32'));
  it('dc_and_ce_abc_masked: float64 promotion, value and gradient', () =>
    gradCase('dc_and_ce_abc_masked', logits, labels, mask, 'float64'));
  it('dc_and_ce_missing_class3: value and gradient', () =>
    gradCase('dc_and_ce_missing_class3', logits, labelsMissing, null, 'float32'));

  it('soft Dice with softmax, default SoftDiceLoss (no softmax), robust CE', () => {
    torch.tidy(() => {
      const sd = new nnunet.SoftDiceLoss({ applyNonlin: (x) => torch.softmax(x, 1) }).forward(logits, labels);
      expect(sd.dtype).toBe('float32');
      expectRel(sd.item(), expected.soft_dice_softmax.value);
      expectRel(new nnunet.SoftDiceLoss().forward(logits, labels).item(), expected.soft_dice_default_no_softmax.value);
      expectRel(new nnunet.RobustCrossEntropyLoss().forward(logits, labels).item(), expected.robust_ce.value);
    });
  });

  it('validation Dice per foreground class', () => {
    torch.tidy(() => {
      const dc = nnunet.evalDicePerClass(logits, labels);
      const got = dc.toArray() as number[];
      expect(got.length).toBe(3);
      got.forEach((v, i) => expectRel(v, expected.eval_dice_per_class.value[i]));
    });
  });

  it('leaves no tensors behind', () => {
    const before = torch.memory().liveTensors;
    torch.tidy(() => {
      const leaf = logits.detach().requiresGrad_();
      const l = new nnunet.DCAndCELoss().forward(leaf.mul(mask), labels.mul(mask));
      l.backward();
    });
    expect(torch.memory().liveTensors).toBe(before);
  });
});

const py = hasPython('torch');
describe.skipIf(!py)('standard losses vs PyTorch (live)', () => {
  it('CrossEntropy (weights, ignore index, smoothing, reductions), NLL, BCE, BCEWithLogits, MSE, L1', () => {
    torch.manualSeed(0);
    const x = torch.randn([4, 3, 5]);
    const t = torch.randint(0, 3, [4, 5]);
    t.set(0, 0, -100); // t[0, 0] = -100: one ignored target
    const w = torch.tensor([0.2, 1.0, 2.5]);
    const p = torch.rand([6]).mul(0.98).add(0.01);
    const q = torch.rand([6]);
    const posW = torch.tensor([1.5]);
    const a = torch.randn([7]),
      b = torch.randn([7]);
    const ours: Record<string, number[]> = {};
    const flat = (v: Tensor): number[] => Array.from(v.toTypedArray() as Float32Array);
    for (const red of ['none', 'mean', 'sum'] as const) {
      ours[`ce_${red}`] = flat(
        new nn.CrossEntropyLoss({ weight: w, reduction: red, labelSmoothing: 0.1 }).forward(x, t),
      );
      ours[`nll_${red}`] = flat(new nn.NLLLoss({ weight: w, reduction: red }).forward(torch.logSoftmax(x, 1), t));
      ours[`bce_${red}`] = flat(new nn.BCELoss({ reduction: red }).forward(p, q));
      ours[`bcel_${red}`] = flat(
        new nn.BCEWithLogitsLoss({ posWeight: posW, reduction: red }).forward(a, q.get('0:6').repeat([2]).get('0:7')),
      );
      ours[`mse_${red}`] = flat(new nn.MSELoss(red).forward(a, b));
      ours[`l1_${red}`] = flat(new nn.L1Loss(red).forward(a, b));
    }
    const data = JSON.stringify({
      x: x.toArray(),
      t: t.toArray(),
      p: p.toArray(),
      q: q.toArray(),
      a: a.toArray(),
      b: b.toArray(),
    });
    const out = JSON.parse(
      runPython(
        `
import json, sys, torch
d = json.loads(sys.argv[1]); T = torch.tensor
x, t, p, q, a, b = T(d['x']), T(d['t']), T(d['p']), T(d['q']), T(d['a']), T(d['b'])
w = T([0.2, 1.0, 2.5]); pw = T([1.5]); q2 = q.repeat(2)[:7]
r = {}
for red in ['none', 'mean', 'sum']:
    f = lambda v: v.reshape(-1).tolist()
    r['ce_'+red] = f(torch.nn.CrossEntropyLoss(weight=w, reduction=red, label_smoothing=0.1)(x, t))
    r['nll_'+red] = f(torch.nn.NLLLoss(weight=w, reduction=red)(torch.log_softmax(x, 1), t))
    r['bce_'+red] = f(torch.nn.BCELoss(reduction=red)(p, q))
    r['bcel_'+red] = f(torch.nn.BCEWithLogitsLoss(pos_weight=pw, reduction=red)(a, q2))
    r['mse_'+red] = f(torch.nn.MSELoss(reduction=red)(a, b))
    r['l1_'+red] = f(torch.nn.L1Loss(reduction=red)(a, b))
print(json.dumps(r))
`,
        [data],
      ),
    );
    for (const [k, v] of Object.entries(out) as [string, number[]][]) {
      expect(ours[k].length, k).toBe(v.length);
      v.forEach((e, i) =>
        expect(Math.abs(ours[k][i] - e), `${k}[${i}]`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(e))),
      );
    }
  });
});

describe("soft Dice from class indices: bit for bit nnU-Net's one-hot expression", () => {
  // Labels given as class indices take a path with fewer full-size passes; a float32 one-hot of the same labels takes
  // nnU-Net's expression (x * onehot, x * (1 - onehot), (1 - x) * onehot). Values and gradients must be the same bits.
  const bits = (t: Tensor): Tensor =>
    t
      .contiguous()
      .flatten()
      .view(t.dtype === 'float64' ? 'int64' : 'int32');
  const cases: { name: string; dtype: 'float32' | 'float64'; softmax: boolean; batchDice: boolean; doBg: boolean }[] = [
    { name: 'float32 softmax, batch dice', dtype: 'float32', softmax: true, batchDice: true, doBg: false },
    {
      name: 'float64 softmax (masked logits), batch dice',
      dtype: 'float64',
      softmax: true,
      batchDice: true,
      doBg: false,
    },
    { name: 'float32 softmax, per image, background', dtype: 'float32', softmax: true, batchDice: false, doBg: true },
    { name: 'float64 raw input (no softmax)', dtype: 'float64', softmax: false, batchDice: true, doBg: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      torch.tidy(() => {
        torch.manualSeed(3);
        const C = 6;
        // Logits laid out channels-last, as the model's heads return them; one class absent from the labels.
        const logits = torch.randn([2, 5, 6, 7, C]).mul(4).permute([0, 4, 1, 2, 3]);
        const labels = torch.randint(0, C - 1, [2, 1, 5, 6, 7]);
        const mask = torch.bernoulli(torch.full([2, 1, 5, 6, 7], 0.6, { dtype: 'float64' }));
        const onehot = torch.zeros(logits.shape).scatter_(1, labels, 1);
        const run = (y: Tensor): [Tensor, Tensor] => {
          const leaf = logits.detach().requiresGrad_();
          const x = c.dtype === 'float64' ? leaf.mul(mask) : leaf;
          const dice = new nnunet.SoftDiceLoss({
            applyNonlin: c.softmax ? (t) => torch.softmax(t, 1) : null,
            batchDice: c.batchDice,
            doBg: c.doBg,
          });
          const loss = dice.forward(x, y);
          loss.backward();
          return [loss.detach(), leaf.grad!];
        };
        const [lossIdx, gradIdx] = run(labels.float());
        const [lossOh, gradOh] = run(onehot);
        expect(lossIdx.dtype).toBe(c.dtype);
        expect(lossIdx.item()).toBe(lossOh.item());
        if (c.softmax) {
          expect(torch.equal(bits(gradIdx), bits(gradOh))).toBe(true);
        } else {
          // A raw input has negative values: x * 0 is -0 there where the index path writes +0 (the same sums).
          expect(torch.equal(gradIdx, gradOh)).toBe(true);
        }
        expect(gradIdx.abs().max().item()).toBeGreaterThan(0);
      });
    });
  }
});
