import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch, nn } from '../lib/index.js';
import { VNetDecoupleAttentionABC } from '../lib/skcdf/model.js';

describe('fuseConvBatchNorm', () => {
  it('folds BatchNorm into Conv3d and ConvTranspose3d with the same eval outputs', () => {
    torch.manualSeed(1);
    const m = new nn.Sequential(
      new nn.Conv3d(2, 4, 3, { padding: 1 }),
      new nn.BatchNorm3d(4),
      new nn.ReLU(),
      new nn.ConvTranspose3d(4, 3, 2, { stride: 2, bias: false }),
      new nn.BatchNorm3d(3),
    );
    m.train();
    for (let i = 0; i < 3; i++)
      torch.tidy(() => {
        m.forward(torch.randn([2, 2, 4, 4, 4]).mul(3).add(1));
      });
    m.eval();
    const x = torch.keep(torch.randn([1, 2, 4, 4, 4]));
    const before = torch.noGrad(() => m.forward(x));
    expect(nn.fuseConvBatchNorm(m)).toBe(2);
    expect([...m.stateDict().keys()]).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']);
    const after = torch.noGrad(() => m.forward(x));
    expect(torch.tidy(() => after.sub(before).abs().max().item())).toBeLessThan(1e-5);
    torch.dispose([x, before, after]);
  });

  it('keeps the SKCDF model outputs (eval, loaded running statistics)', () => {
    const model = new VNetDecoupleAttentionABC({ nClasses: 4, nFilters: 4, patchSize: [32, 32, 32] });
    const fixtures = join(import.meta.dirname, 'fixtures/model');
    torch.tidy(() => {
      model.loadStateDict(torch.loadStateDict(join(fixtures, 'state_dict.pth')));
      model.loadStateDict(torch.loadStateDict(join(fixtures, 'state_after_forward.pth')), { strict: false });
    });
    model.eval();
    torch.tidy(() => {
      const x = torch.rand([1, 1, 32, 32, 32]);
      const [before] = torch.noGrad(() => model.forward(x, 'unlabeled'));
      // every conv/deconv + BatchNorm pair: 16 in the encoder, 13 in each decoder
      expect(nn.fuseConvBatchNorm(model)).toBe(16 + 2 * 13);
      const [after] = torch.noGrad(() => model.forward(x, 'unlabeled'));
      expect(after.sub(before).abs().max().item()).toBeLessThan(1e-4);
    });
  });
});
