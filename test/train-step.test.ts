// One complete SKCDF training iteration against the reference fixture (test/fixtures/train_step):
// weight averaging, masked float64 losses with the supplied Bernoulli masks, pseudo labels, SGD with
// Nesterov momentum. Tolerances from precision.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch } from '../lib/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { readNpy, type NdArray } from '../lib/io/npy.js';
import { VNetDecoupleAttentionABC } from '../lib/skcdf/model.js';
import { averageDecoderWeights, classRatios, cpsWeight, keepProbabilities, trainStep } from '../lib/skcdf/train.js';
import { DCAndCELoss } from '../lib/skcdf/losses.js';
import { SGD } from '../lib/optim/sgd.js';

const dir = join(import.meta.dirname, 'fixtures/train_step');
const modelDir = join(import.meta.dirname, 'fixtures/model');
const scalars = JSON.parse(readFileSync(join(dir, 'scalars.json'), 'utf8'));
const precision = JSON.parse(readFileSync(join(modelDir, 'precision.json'), 'utf8'));
const zeroGrads = new Set<string>(precision.grads_mathematically_zero);

const npy = (name: string): NdArray => readNpy(join(dir, `${name}.npy`));
const tensorOf = (a: NdArray): Tensor => torch.tensor(a.data as Float32Array, { shape: a.shape });

function freshModel(): VNetDecoupleAttentionABC {
  const model = new VNetDecoupleAttentionABC({ nClasses: 4, nFilters: 4, patchSize: [32, 32, 32], hasDropout: true });
  model.setDropout(0);
  torch.tidy(() => model.loadStateDict(torch.loadStateDict(join(modelDir, 'state_dict.pth'))));
  model.train();
  return model;
}

const maxAbs = (a: Tensor, b: Tensor): number => torch.tidy(() => a.double().sub(b.double()).abs().max().item());
const relFrobenius = (a: Tensor, b: Tensor): number =>
  torch.tidy(() => a.double().sub(b.double()).norm().item() / Math.max(b.double().norm().item(), 1e-30));

describe('SKCDF training step vs the reference fixture', () => {
  it('class ratios, ramp-up and keep probabilities follow the reference', () => {
    const label = npy('label_l');
    const ir2 = classRatios([Array.from(label.data as BigInt64Array, Number)], 4);
    Array.from(ir2).forEach((v, i) => expect(v).toBeCloseTo(scalars.ir2[i], 15));
    expect(cpsWeight(10, 10, 1500)).toBeCloseTo(scalars.cps_w, 15);
    expect(() => classRatios([[0, 1, 1, 3]], 4, ['bg', 'a', 'b', 'c'])).toThrow(/class 2 \(b\) has no voxels/);
    torch.tidy(() => {
      const ratios = torch.tensor(new Float64Array(scalars.ir2));
      const l = torch.tensor(label.data as BigInt64Array, { shape: label.shape });
      const p = keepProbabilities(l, ratios);
      expect(p.dtype).toBe('float64');
      expect(p.eq(1).sum().item()).toBe(scalars.class_size[3]); // ir2[3] = 1: the rarest class
      // class 0 rarest: the reference's sequential where() maps its voxels on to ir2[1]
      const seq = keepProbabilities(torch.tensor([0, 1, 2]), torch.tensor([1, 0.5, 0.25], { dtype: 'float64' }));
      expect(seq.toArray()).toEqual([0.5, 0.5, 0.25]);
    });
  });

  it('weight averaging equals params_after_ema.pth (float32 rounding as the reference)', () => {
    const model = freshModel();
    averageDecoderWeights(model, scalars.ema_w);
    torch.tidy(() => {
      const expected = torch.loadStateDict(join(dir, 'params_after_ema.pth'));
      expect(expected.size).toBe(58);
      const own = model.stateDict();
      for (const [k, v] of expected) expect(maxAbs(own.get(k)!, v), k).toBeLessThanOrEqual(1e-7);
    });
    model.dispose();
  });

  it('losses, parameters, buffers and momentum after one step', () => {
    const model = freshModel();
    const optimizer = new SGD(model.parameters(), {
      lr: scalars.lr,
      momentum: scalars.momentum,
      weightDecay: scalars.weight_decay,
      nesterov: scalars.nesterov,
    });
    const before = torch.memory().liveTensors;
    const step = torch.tidy(() =>
      trainStep(model, optimizer, new DCAndCELoss(), {
        imageL: tensorOf(npy('image_l')),
        imageU: tensorOf(npy('image_u')),
        labelL: torch.tensor(npy('label_l').data as BigInt64Array, { shape: npy('label_l').shape }),
        epoch: scalars.epoch_num,
        maxEpochs: scalars.max_epoch,
        ratios: torch.tensor(npy('ir2').data as Float64Array),
        cpsW: scalars.cps_w,
        emaW: scalars.ema_w,
        maskL: torch.tensor(npy('maskforbalance').data as Float64Array, { shape: npy('maskforbalance').shape }),
        maskU: torch.tensor(npy('maskforbalance_u').data as Float64Array, { shape: npy('maskforbalance_u').shape }),
      }),
    );
    // The only tensors left behind are the optimizer's 200 new momentum buffers.
    expect(torch.memory().liveTensors - before).toBe(200);
    const L = scalars.losses;
    const close = (ours: number, ref: number): void =>
      expect(Math.abs(ours - ref)).toBeLessThanOrEqual(1e-5 * Math.abs(ref));
    close(step.terms.sup, L.sup_main);
    close(step.terms.supAbc, L.sup_abc_masked);
    close(step.lossSup, L.L_sup);
    close(step.terms.u, L.unsup_main);
    close(step.terms.uAbc, L.unsup_abc_masked);
    close(step.lossU, L.L_u);
    close(step.loss, L.loss);

    torch.tidy(() => {
      const expected = torch.loadStateDict(join(dir, 'state_after_step.pth'));
      const own = model.stateDict();
      expect([...own.keys()]).toEqual([...expected.keys()]);
      let worstParam = 0;
      let worstBuffer = 0;
      for (const [k, ref] of expected) {
        const ours = own.get(k)!;
        if (k.endsWith('num_batches_tracked')) expect(ours.item(), k).toBe(ref.item());
        else if (k.includes('running_')) worstBuffer = Math.max(worstBuffer, maxAbs(ours, ref));
        else worstParam = Math.max(worstParam, maxAbs(ours, ref));
      }
      expect(worstParam).toBeLessThanOrEqual(2e-3);
      expect(worstBuffer).toBeLessThanOrEqual(1e-5);

      const momentum = torch.loadStateDict(join(dir, 'momentum_after_step.pth'));
      expect(momentum.size).toBe(200);
      const names = [...model.namedParameters()].map(([n]) => n);
      const params = model.parameters();
      const initial = torch.loadStateDict(join(modelDir, 'state_dict.pth'));
      const averaged = torch.loadStateDict(join(dir, 'params_after_ema.pth'));
      const largest = Math.max(...[...momentum.values()].map((m) => m.abs().max().item()));
      for (const [k, ref] of momentum) {
        const p = params[names.indexOf(k)];
        const buf = optimizer.state.get(p)?.momentumBuffer as Tensor | undefined;
        expect(buf, k).toBeDefined();
        if (zeroGrads.has(k)) {
          // Mathematically the buffer is weightDecay * p_before (the gradient is exactly zero); both sides
          // carry float32 cancellation noise on top. Bound ours by 1e-5 of the largest entry
          // (precision.json) or 10x the reference's own noise, whichever is larger.
          const exact = (averaged.get(k) ?? initial.get(k)!).mul(scalars.weight_decay);
          const refNoise = maxAbs(ref, exact);
          expect(maxAbs(buf!, exact), k).toBeLessThanOrEqual(Math.max(1e-5 * largest, 10 * refNoise));
        } else expect(relFrobenius(buf!, ref), k).toBeLessThanOrEqual(5e-2);
      }
      for (const k of scalars.params_without_grad)
        expect(optimizer.state.get(params[names.indexOf(k)])?.momentumBuffer, k).toBeUndefined();
    });
    model.dispose();
  });
});
