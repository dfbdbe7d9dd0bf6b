// Mixed precision through libtorch's autocast state (exposed by the addon): CPU autocast runs in
// bfloat16 here; CUDA float16 with gradient scaling runs where a GPU exists.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch } from '../lib/index.js';
import { autocast, GradScaler } from '../lib/amp/index.js';
import { readNpy } from '../lib/io/npy.js';
import { VNetDecoupleAttentionABC } from '../lib/skcdf/model.js';
import { ampFor, trainStep } from '../lib/skcdf/train.js';
import { DCAndCELoss } from '../lib/skcdf/losses.js';
import { SGD } from '../lib/optim/sgd.js';
import type { Tensor } from '../lib/torch/tensor.js';

const dir = join(import.meta.dirname, 'fixtures/train_step');
const load = (name: string): Tensor => {
  const a = readNpy(join(dir, `${name}.npy`));
  return torch.tensor(a.data as Float32Array, { shape: a.shape });
};

describe('autocast', () => {
  it('runs eligible CPU ops in bfloat16 inside the scope and restores the state after', () => {
    torch.tidy(() => {
      const a = torch.randn([8, 8]);
      expect(autocast('cpu', () => a.matmul(a)).dtype).toBe('bfloat16');
      expect(autocast('cpu', () => a.add(a)).dtype).toBe('float32'); // not an autocast op
      expect(a.matmul(a).dtype).toBe('float32');
      expect(autocast('cpu', () => a.matmul(a), { enabled: false }).dtype).toBe('float32');
    });
  });

  it('a bfloat16 training step stays close to the float32 one', () => {
    const run = (amp: boolean): number => {
      const model = new VNetDecoupleAttentionABC({ nClasses: 4, nFilters: 4, patchSize: [32, 32, 32] });
      model.setDropout(0);
      torch.tidy(() =>
        model.loadStateDict(torch.loadStateDict(join(import.meta.dirname, 'fixtures/model/state_dict.pth'))),
      );
      const optimizer = new SGD(model.parameters(), { lr: 0.3, momentum: 0.9, weightDecay: 3e-5, nesterov: true });
      const step = torch.tidy(() =>
        trainStep(model, optimizer, new DCAndCELoss(), {
          imageL: load('image_l'),
          imageU: load('image_u'),
          labelL: torch.tensor(readNpy(join(dir, 'label_l.npy')).data as BigInt64Array, { shape: [2, 1, 32, 32, 32] }),
          epoch: 10,
          maxEpochs: 1500,
          ratios: torch.tensor(readNpy(join(dir, 'ir2.npy')).data as Float64Array),
          cpsW: 0.072,
          emaW: 0.99,
          maskL: torch.tensor(readNpy(join(dir, 'maskforbalance.npy')).data as Float64Array, {
            shape: [2, 1, 32, 32, 32],
          }),
          maskU: torch.tensor(readNpy(join(dir, 'maskforbalance_u.npy')).data as Float64Array, {
            shape: [2, 1, 32, 32, 32],
          }),
          amp: amp ? ampFor('cpu') : undefined,
        }),
      );
      model.dispose();
      return step.loss;
    };
    const full = run(false);
    const mixed = run(true);
    expect(Number.isFinite(mixed)).toBe(true);
    // bfloat16 keeps 8 bits of mantissa: the loss moves by well under 2%.
    expect(Math.abs(mixed - full) / full).toBeLessThan(0.02);
  });
});

describe.skipIf(!torch.cuda.isAvailable())('CUDA mixed precision (runs where a GPU exists)', () => {
  it('float16 autocast with gradient scaling trains a step', () => {
    torch.tidy(() => {
      const w = torch.randn([16, 16], { device: 'cuda', requiresGrad: true });
      const opt = new SGD([w], { lr: 0.1 });
      const scaler = new GradScaler();
      const x = torch.randn([4, 16], { device: 'cuda' });
      const y = autocast('cuda', () => x.matmul(w));
      expect(y.dtype).toBe('float16');
      scaler.scale(y.float().pow(2).mean()).backward();
      expect(scaler.step(opt)).toBe(true);
      scaler.update();
      expect(w.grad!.isFinite().all().item()).toBe(true);
    });
  });
});
