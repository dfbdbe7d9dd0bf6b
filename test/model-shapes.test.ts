// VNetDecoupleAttentionABC at other patch sizes: generalized bottleneck, batch rules, clear errors.
import { describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import { VNetDecoupleAttentionABC, initSkcdfWeights } from '../lib/skcdf/index.js';

describe('VNetDecoupleAttentionABC shapes', () => {
  it('64x64x64 patch (bottleneck 4x4x4): train labeled 2+2, train unlabeled 2, eval unlabeled/labeled batch 1, ' +
    'backward', () => {
    torch.manualSeed(0);
    const model = initSkcdfWeights(new VNetDecoupleAttentionABC({ nClasses: 3, nFilters: 2, patchSize: [64, 64, 64] }));
    expect(model.bottleneck).toEqual([4, 4, 4]);
    torch.tidy(() => {
      const sd = model.stateDict();
      // Global token learner: Conv3d(1, D*H*W = 64, kernel = stride = (4, 4, 4)); local stays Conv3d(1, 8, 2).
      expect(sd.get('cross_attention_global.token_learner.proj.weight')!.shape).toEqual([64, 1, 4, 4, 4]);
      expect(sd.get('cross_attention_global.token_learner.map_in.0.weight')!.shape).toEqual([64, 1, 4, 4, 4]);
      expect(sd.get('cross_attention_local.token_learner.proj.weight')!.shape).toEqual([8, 1, 2, 2, 2]);
      expect(sd.get('cross_attention_local.attn.q.weight')!.shape).toEqual([64, 32]);

      const x = torch.rand([4, 1, 64, 64, 64]);
      model.train();
      const [out, outAbc] = model.forward(x, 'labeled');
      expect(out.shape).toEqual([4, 3, 64, 64, 64]);
      expect(outAbc.shape).toEqual([4, 3, 64, 64, 64]);
      expect(Number.isFinite(out.abs().sum().item())).toBe(true);
      out.sum().add(outAbc.pow(2).sum()).backward();
      expect(model.crossAttentionLocal!.attn.q.weight.grad).not.toBeNull();
      expect(model.crossAttentionGlobal!.attn.v.weight.grad).not.toBeNull();
      expect(model.decoderU.outConv9.weight.grad).toBeNull();
      model.zeroGrad();

      const [u] = torch.noGrad(() => model.forward(x.get('2:'), 'unlabeled'));
      expect(u.shape).toEqual([2, 3, 64, 64, 64]);

      model.eval();
      const [e1, e1Abc] = torch.noGrad(() => model.forward(x.get('0:1'), 'unlabeled'));
      expect(e1.shape).toEqual([1, 3, 64, 64, 64]);
      expect(e1Abc.shape).toEqual([1, 3, 64, 64, 64]);
      const [l1] = torch.noGrad(() => model.forward(x.get('0:1'), 'labeled'));
      expect(l1.shape).toEqual([1, 3, 64, 64, 64]);
      // In eval mode 'unlabeled' samples do not interact: batch of 2 equals two batches of 1.
      const [e2] = torch.noGrad(() => model.forward(x.get('0:2'), 'unlabeled'));
      expect(e2.get('0:1').sub(e1).abs().max().item()).toBeLessThan(1e-5);
    });
    model.dispose();
  });

  it('non-cubic patch 32x64x96 (bottleneck 2x4x6) runs in both modes', () => {
    const model = new VNetDecoupleAttentionABC({ nClasses: 2, nFilters: 2, patchSize: [32, 64, 96] });
    torch.tidy(() => {
      const [out] = torch.noGrad(() => model.forward(torch.rand([2, 1, 32, 64, 96]), 'labeled'));
      expect(out.shape).toEqual([2, 2, 32, 64, 96]);
      expect(model.stateDict().get('cross_attention_global.token_learner.proj.weight')!.shape).toEqual([
        48, 1, 2, 4, 6,
      ]);
    });
    model.dispose();
  });

  it('rejects patches that are not multiples of 32, odd train labeled batches and mismatched inputs', () => {
    expect(() => new VNetDecoupleAttentionABC({ nClasses: 3, nFilters: 2, patchSize: [48, 64, 64] })).toThrow(
      /patchSize \[48, 64, 64\].*multiples of 32/,
    );
    expect(
      () =>
        new VNetDecoupleAttentionABC({
          nClasses: 3,
          nFilters: 2,
          patchSize: [64, 64] as unknown as [number, number, number],
        }),
    ).toThrow(/patchSize must be 3 positive integers/);
    const model = new VNetDecoupleAttentionABC({ nClasses: 3, nFilters: 2, patchSize: [32, 32, 32] });
    torch.tidy(() => {
      model.train();
      expect(() => model.forward(torch.rand([3, 1, 32, 32, 32]), 'labeled')).toThrow(/even batch.*got batch 3/);
      expect(() => model.forward(torch.rand([2, 1, 32, 32, 64]), 'unlabeled')).toThrow(
        /expected image of shape \[B, 1, 32, 32, 32\].*got \[2, 1, 32, 32, 64\]/,
      );
      expect(() => model.forward(torch.rand([2, 2, 32, 32, 32]), 'unlabeled')).toThrow(/expected image of shape/);
      expect(() => model.forward(torch.rand([2, 1, 32, 32, 32]), 'x' as 'labeled')).toThrow(
        /mode must be 'labeled' or 'unlabeled'/,
      );
      // train-mode 'unlabeled' accepts an odd batch (generalized), eval 'labeled' any batch
      const [u] = torch.noGrad(() => model.forward(torch.rand([1, 1, 32, 32, 32]), 'unlabeled'));
      expect(u.shape).toEqual([1, 3, 32, 32, 32]);
      model.eval();
      const [l] = torch.noGrad(() => model.forward(torch.rand([3, 1, 32, 32, 32]), 'labeled'));
      expect(l.shape).toEqual([3, 3, 32, 32, 32]);
    });
    model.dispose();
  });

  it('prints with the reference class and module names', () => {
    const model = new VNetDecoupleAttentionABC({ nClasses: 2, nFilters: 2, patchSize: [32, 32, 32] });
    const text = model.toString();
    expect(text.startsWith('VNet_Decouple_Attention_ABC(\n  (encoder): Encoder(')).toBe(true);
    for (const s of [
      '(cross_attention_local): Cross_Attention_Local_Block(',
      '(token_learner): TokenLearner_Local(',
      '(attn): Cross_Attention_Local(',
      '(cross_attention_global): Cross_Attention_Global_Block(',
      '(token_learner): TokenLearner_Global(',
      '(attn): Cross_Attention_Global(',
      '(psi): InstanceNorm2d(1, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)',
      '(softmax): Softmax(dim=3)',
      '(attn_dropout): Dropout(p=0.1, inplace=False)',
      '(decoder_u): Decoder(',
      '(out_conv9_abc): Conv3d(2, 2, kernel_size=(1, 1, 1), stride=(1, 1, 1))',
      '(dropout): Dropout3d(p=0.5, inplace=False)',
    ]) {
      expect(text, s).toContain(s);
    }
    model.dispose();
  });

  it('forward leaves no tensors behind', () => {
    const model = new VNetDecoupleAttentionABC({ nClasses: 2, nFilters: 2, patchSize: [32, 32, 32] });
    const x = torch.rand([2, 1, 32, 32, 32]);
    const step = (): void =>
      torch.tidy(() => {
        const [o, a] = model.forward(x, 'labeled');
        o.sum().add(a.sum()).backward();
      });
    step();
    const before = torch.memory().liveTensors;
    for (let i = 0; i < 3; i++) step();
    expect(torch.memory().liveTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});

describe('predict (the test path)', () => {
  it('equals the main head of the eval-mode unlabeled forward', () => {
    const model = new VNetDecoupleAttentionABC({ nClasses: 3, nFilters: 2, patchSize: [32, 32, 32] });
    model.eval();
    torch.tidy(() => {
      const x = torch.rand([2, 1, 32, 32, 32]);
      const [out] = torch.noGrad(() => model.forward(x, 'unlabeled'));
      const p = torch.noGrad(() => model.predict(x));
      expect(p.sub(out).abs().max().item()).toBe(0);
      expect(() => model.predict(torch.rand([1, 1, 32, 32, 16]))).toThrow(/expected image of shape/);
    });
    model.dispose();
  });
});
