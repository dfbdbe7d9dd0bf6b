// The 'labeled-only' method (SKCDF without unlabeled data): each iteration averages decoder_l's main head with
// its ABC head (step 1a, checked against the closed-form blend of the weights read before the step), then trains
// the labeled batch exactly as the supervised baseline; decoder_u is never trained nor averaged; it runs the
// same schedule (epochs, iterations, learning rates) as SKCDF.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch } from '../lib/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { VNetDecoupleAttentionABC, initSkcdfWeights } from '../lib/skcdf/model.js';
import {
  averageDecoderWeights,
  averageLabeledHead,
  buildModel,
  classRatios,
  defaultConfig,
  evaluationMode,
  labeledOnlyStep,
  stepFor,
  supervisedStep,
  train,
  TRAIN_METHODS,
  trainStep,
  type StepInputs,
  type TrainConfig,
} from '../lib/skcdf/train.js';
import { DCAndCELoss } from '../lib/skcdf/losses.js';
import { SGD } from '../lib/optim/sgd.js';
import { writeTinyDataset } from '../test-support/tiny-dataset.js';

const EMA_W = 0.9;
const C = 3;
const P = 32;

/** A small model (F 2, patch 32^3, no dropout) with the training initialisation, in train mode. */
function smallModel(seed: number): VNetDecoupleAttentionABC {
  torch.manualSeed(seed);
  const m = new VNetDecoupleAttentionABC({ nClasses: C, nFilters: 2, patchSize: [P, P, P], hasDropout: false });
  initSkcdfWeights(m);
  m.train();
  return m;
}

/** Clones of every parameter and buffer (the state dict's aliases share storage with the model). */
const snapshot = (m: VNetDecoupleAttentionABC): Map<string, Tensor> =>
  torch.tidy(() => torch.keep(new Map([...m.stateDict()].map(([k, t]) => [k, t.clone()]))));

/** A labeled batch of one 32^3 case holding all classes, a (ignored) unlabeled one, ratios and a fixed ABC mask. */
function inputs(over: Partial<StepInputs> = {}): StepInputs {
  return torch.tidy(() => {
    torch.manualSeed(11);
    const labelL = torch
      .arange(P)
      .div(P / C, { roundingMode: 'floor' })
      .long()
      .view([1, 1, P, 1, 1])
      .expand([1, 1, P, P, P])
      .contiguous();
    const ratios = classRatios([Array.from(labelL.toTypedArray() as BigInt64Array, Number)], C);
    return torch.keep({
      imageL: torch.randn([1, 1, P, P, P]).add(labelL.float()),
      labelL,
      imageU: torch.randn([1, 1, P, P, P]),
      epoch: 0,
      maxEpochs: 10,
      ratios: torch.tensor(ratios),
      cpsW: 1,
      emaW: EMA_W,
      maskL: torch.bernoulli(torch.full([1, 1, P, P, P], 0.7, { dtype: 'float64' })),
      ...over,
    });
  });
}

const maxAbs = (a: Tensor, b: Tensor): number => torch.tidy(() => a.double().sub(b.double()).abs().max().item());
const disposeAll = (...xs: unknown[]): void => torch.dispose(xs);

describe("method 'labeled-only' (SKCDF without unlabeled data)", () => {
  it('is a method of its own: its step, evaluated with decoder_l', () => {
    expect(TRAIN_METHODS).toEqual(['skcdf', 'supervised', 'labeled-only']);
    expect(stepFor('labeled-only')).toBe(labeledOnlyStep);
    expect(stepFor('supervised')).toBe(supervisedStep);
    expect(stepFor('skcdf')).toBe(trainStep);
    expect(evaluationMode('labeled-only')).toBe('labeled');
    expect(evaluationMode('supervised')).toBe('labeled');
    expect(evaluationMode('skcdf')).toBe('unlabeled');
  });

  it('one step (lr 0): decoder_l.out_conv9 = emaW * before + (1 - emaW) * out_conv9_abc before; decoder_u ' +
    'bit-identical', () => {
    const model = smallModel(1);
    const before = snapshot(model);
    const s = inputs();
    const optimizer = new SGD(model.parameters(), { lr: 0, momentum: 0.9, weightDecay: 3e-5, nesterov: true });
    const r = labeledOnlyStep(model, optimizer, new DCAndCELoss(), s);
    expect(Number.isFinite(r.loss) && r.terms.supAbc > 0 && r.lossU === 0).toBe(true);
    const after = snapshot(model);
    torch.tidy(() => {
      for (const part of ['weight', 'bias']) {
        const w = before.get(`decoder_l.out_conv9.${part}`)!;
        const a = before.get(`decoder_l.out_conv9_abc.${part}`)!;
        const expected = w
          .double()
          .mul(EMA_W)
          .add(a.double().mul(1 - EMA_W));
        // float32 rounding of two products and a sum: a few units in the last place of the largest term.
        const tol = 4 * 2 ** -24 * Math.max(w.abs().max().item(), a.abs().max().item());
        expect(maxAbs(after.get(`decoder_l.out_conv9.${part}`)!, expected), part).toBeLessThanOrEqual(tol);
        // Without step 1a the head would keep its old value, far outside the tolerance.
        expect(maxAbs(w, expected), part).toBeGreaterThan(100 * tol);
      }
      // lr 0: no other parameter moves (in particular no decoder_l <- decoder_u averaging, no ABC head change).
      for (const [k, t] of before) {
        if (k.startsWith('decoder_l.out_conv9.') || k.includes('running_') || k.endsWith('num_batches_tracked'))
          continue;
        expect(torch.equal(after.get(k)!, t), k).toBe(true);
      }
      // decoder_u: every parameter and buffer bit-identical (never averaged, never forwarded).
      const u = [...before.keys()].filter((k) => k.startsWith('decoder_u.'));
      expect(u.filter((k) => k.includes('running_')).length).toBeGreaterThan(0);
      for (const k of u) expect(torch.equal(after.get(k)!, before.get(k)!), k).toBe(true);
      // decoder_l's BatchNorm statistics did move: the labeled batch went through it.
      expect(
        torch.equal(
          after.get('decoder_l.block_nine.conv.1.running_mean')!,
          before.get('decoder_l.block_nine.conv.1.running_mean')!,
        ),
      ).toBe(false);
    });
    disposeAll(before, after, s);
    model.dispose();
  });

  it('one step (lr 0.1) equals the closed-form blend of decoder_l.out_conv9, then the supervised step', () => {
    const a = smallModel(2);
    const b = smallModel(2);
    const s = inputs();
    const loss = new DCAndCELoss();
    const opts = { lr: 0.1, momentum: 0.9, weightDecay: 3e-5, nesterov: true };
    torch.manualSeed(5);
    const ra = labeledOnlyStep(a, new SGD(a.parameters(), opts), loss, s);
    // b: the blend written from its own formula, then the supervised step with the same random stream.
    torch.noGrad(() =>
      torch.tidy(() => {
        const h = b.decoderL;
        h.outConv9.weight.copy_(h.outConv9.weight.mul(EMA_W).add(h.outConv9Abc.weight.mul(1 - EMA_W)));
        h.outConv9.bias!.copy_(h.outConv9.bias!.mul(EMA_W).add(h.outConv9Abc.bias!.mul(1 - EMA_W)));
      }),
    );
    torch.manualSeed(5);
    const rb = supervisedStep(b, new SGD(b.parameters(), opts), loss, s);
    expect(ra).toEqual(rb);
    const [sa, sb] = [snapshot(a), snapshot(b)];
    for (const [k, t] of sa) expect(torch.equal(t, sb.get(k)!), k).toBe(true);
    disposeAll(sa, sb, s);
    a.dispose();
    b.dispose();
  });

  it('with abc false no blend happens (lr 0: every parameter bit-identical) and no ABC loss', () => {
    const model = smallModel(3);
    const before = snapshot(model);
    const s = inputs({ abc: false });
    const r = labeledOnlyStep(model, new SGD(model.parameters(), { lr: 0, momentum: 0.9 }), new DCAndCELoss(), s);
    expect(r.terms.supAbc).toBe(0);
    const after = snapshot(model);
    for (const [k, t] of before) {
      if (k.includes('running_') || k.endsWith('num_batches_tracked')) continue;
      expect(torch.equal(after.get(k)!, t), k).toBe(true);
    }
    disposeAll(before, after, s);
    model.dispose();
  });

  it('averageDecoderWeights still starts with step 1a: decoder_l as averageLabeledHead leaves it', () => {
    const a = smallModel(4);
    const b = smallModel(4);
    averageDecoderWeights(a, EMA_W);
    averageLabeledHead(b, EMA_W);
    const [sa, sb] = [snapshot(a), snapshot(b)];
    for (const [k, t] of sa) if (k.startsWith('decoder_l.')) expect(torch.equal(t, sb.get(k)!), k).toBe(true);
    expect(torch.equal(sa.get('decoder_u.out_conv9.weight')!, sb.get('decoder_u.out_conv9.weight')!)).toBe(false);
    disposeAll(sa, sb);
    a.dispose();
    b.dispose();
  });

  it(
    'trains with the same schedule as SKCDF (epochs, iterations, lr) and leaves decoder_u as initialised',
    { timeout: 300_000 },
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'skcdf-labeled-only-'));
      writeTinyDataset(root);
      const config = (method: TrainConfig['method']): TrainConfig =>
        defaultConfig('synthetic', {
          dataDir: join(root, 'data'),
          splitsDir: root,
          labeledSplit: 'labeled',
          unlabeledSplit: 'unlabeled',
          evalSplit: 'eval',
          runDir: join(root, method),
          maxEpochs: 1,
          batchSize: 1,
          patch: [P, P, P],
          nFilters: 2,
          workers: 0,
          seed: 3,
          evalEvery: 0,
          method,
        });
      const schedule = (method: string): { epoch: number; iter: number; lr: number; lossU: number }[] =>
        readFileSync(join(root, method, 'log.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
          .filter((l) => l.iter !== undefined);
      const initial = torch.tidy(() => {
        torch.manualSeed(3);
        const m = buildModel(config('labeled-only'), 14);
        initSkcdfWeights(m);
        return torch.keep(m.stateDict());
      });
      await train(config('skcdf'));
      await train(config('labeled-only'));
      const [ssl, lo] = [schedule('skcdf'), schedule('labeled-only')];
      // 4 unlabeled cases / batch 1 = 4 iterations per epoch, epochs 0..1, with the same learning rates.
      expect(lo.length).toBe(8);
      expect(lo.map((l) => [l.epoch, l.iter, l.lr])).toEqual(ssl.map((l) => [l.epoch, l.iter, l.lr]));
      expect(lo.every((l) => l.lossU === 0)).toBe(true);
      expect(JSON.parse(readFileSync(join(root, 'labeled-only', 'config.json'), 'utf8')).method).toBe('labeled-only');
      const sd = (torch.load(join(root, 'labeled-only', 'last.pth')) as Map<string, Map<string, Tensor>>).get('model')!;
      for (const [k, t] of initial) if (k.startsWith('decoder_u.')) expect(torch.equal(sd.get(k)!, t), k).toBe(true);
      expect(torch.equal(sd.get('decoder_l.out_conv9.weight')!, initial.get('decoder_l.out_conv9.weight')!)).toBe(
        false,
      );
      disposeAll(initial, sd);
    },
  );
});
