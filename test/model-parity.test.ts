// VNetDecoupleAttentionABC against the reference fixtures (fixtures/model: n_filters 4, n_classes 4,
// patch 32^3, every dropout p = 0). Tolerances from precision.json: forward outputs atol 1e-3,
// BatchNorm buffers atol 1e-5 (num_batches_tracked exact), gradients per-tensor relative Frobenius
// error <= 5e-2, the 31 mathematically-zero gradients <= 1e-5 of the largest gradient entry.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { readNpy } from '../lib/io/npy.js';
import { VNetDecoupleAttentionABC, initSkcdfWeights } from '../lib/skcdf/model.js';
import { hasPython, runPython } from '../test-support/python.js';

const FIX = join(import.meta.dirname, 'fixtures/model');
const PRECISION = JSON.parse(readFileSync(join(FIX, 'precision.json'), 'utf8')) as {
  grads_mathematically_zero: string[];
  grads_largest_tensor_absmax: number;
};
const OUT_ATOL = 1e-3;
const BN_ATOL = 1e-5;
const GRAD_REL_FRO = 5e-2;
const ZERO_GRAD_REL = 1e-5;

function npy(name: string): Tensor {
  const a = readNpy(join(FIX, name));
  return torch.fromBuffer(a.data, a.dtype as 'float32', a.shape);
}
const pth = (name: string): Map<string, Tensor> => torch.keep(torch.loadStateDict(join(FIX, name)));
const maxAbs = (a: Tensor, b: Tensor): number => torch.tidy(() => a.sub(b).abs().max().item());

function build(): VNetDecoupleAttentionABC {
  const model = new VNetDecoupleAttentionABC({
    nChannels: 1,
    nClasses: 4,
    nFilters: 4,
    normalization: 'batchnorm',
    hasDropout: true,
    numHeads: 2,
    patchSize: [32, 32, 32],
  });
  model.setDropout(0); // all 7 dropout modules, as the fixtures
  model.loadStateDict(initial);
  return model;
}

let initial: Map<string, Tensor>;
let input: Tensor;
beforeAll(() => {
  initial = pth('state_dict.pth');
  input = torch.keep(npy('input.npy'));
});
afterAll(() => torch.dispose([input, ...initial.values()]));

describe('VNetDecoupleAttentionABC state dict', () => {
  it('has exactly the reference keys, order, shapes and dtypes (param_names.txt)', () => {
    const lines = readFileSync(join(FIX, 'param_names.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const model = new VNetDecoupleAttentionABC({ nClasses: 4, nFilters: 4, patchSize: [32, 32, 32] });
    torch.tidy(() => {
      const sd = model.stateDict();
      const got = [...sd.entries()].map(([k, v]) => [
        k,
        `(${v.shape.join(', ')}${v.shape.length === 1 ? ',' : ''})`,
        v.dtype,
      ]);
      expect(got).toEqual(lines);
      expect(sd.size).toBe(330);
      expect(model.parameters().length).toBe(204);
      expect(model.numParameters()).toBe(796944);
    });
    model.dispose();
  });

  it('initSkcdfWeights: xavier_normal on every Conv3d weight (not ConvTranspose3d), BatchNorm3d 1/0', () => {
    const model = new VNetDecoupleAttentionABC({ nClasses: 4, nFilters: 4, patchSize: [32, 32, 32] });
    torch.tidy(() => {
      // Make BatchNorm affine parameters visibly non-default first.
      torch.noGrad(() => {
        model.stateDict().get('encoder.block_two.conv.1.weight')!.fill_(3);
        model.stateDict().get('encoder.block_two.conv.1.bias')!.fill_(2);
      });
      const before = model.stateDict();
      const copies = new Map([...before].map(([k, v]) => [k, v.clone()]));
      initSkcdfWeights(model);
      const after = model.stateDict();
      // ConvTranspose3d weights and all conv biases, LayerNorm and Linear weights are untouched.
      for (const k of [
        'decoder_l.block_five_up.conv.0.weight',
        'encoder.block_one.conv.0.bias',
        'cross_attention_local.attn.q.weight',
        'cross_attention_global.attn_norm.weight',
      ]) {
        expect(maxAbs(after.get(k)!, copies.get(k)!), k).toBe(0);
      }
      // Conv3d weights changed and have xavier-normal std sqrt(2 / (fan_in + fan_out)).
      const w = after.get('decoder_l.block_six.conv.0.weight')!; // (32, 32, 3, 3, 3): fan 864 + 864
      expect(maxAbs(w, copies.get('decoder_l.block_six.conv.0.weight')!)).toBeGreaterThan(0);
      expect(w.std().item()).toBeCloseTo(Math.sqrt(2 / (864 + 864)), 3);
      const tl = after.get('cross_attention_global.token_learner.proj.weight')!;
      expect(maxAbs(tl, copies.get('cross_attention_global.token_learner.proj.weight')!)).toBeGreaterThan(0);
      expect(Boolean(after.get('encoder.block_two.conv.1.weight')!.eq(1).all().item())).toBe(true);
      expect(Boolean(after.get('encoder.block_two.conv.1.bias')!.eq(0).all().item())).toBe(true);
    });
    model.dispose();
  });
});

describe('VNetDecoupleAttentionABC vs reference (train mode)', () => {
  it("'labeled' then 'unlabeled' outputs, and BatchNorm buffers after both", () => {
    const model = build();
    model.train();
    torch.tidy(() => {
      const [out, outAbc] = torch.noGrad(() => model.forward(input, 'labeled'));
      const e1 = maxAbs(out, npy('labeled_out.npy'));
      const e2 = maxAbs(outAbc, npy('labeled_out_abc.npy'));
      const [uOut, uOutAbc] = torch.noGrad(() => model.forward(input.get('2:'), 'unlabeled'));
      const e3 = maxAbs(uOut, npy('unlabeled_out.npy'));
      const e4 = maxAbs(uOutAbc, npy('unlabeled_out_abc.npy'));
      console.log(
        `model train labeled out ${e1.toExponential(2)}, abc ${e2.toExponential(2)}; unlabeled out ` +
        `${e3.toExponential(2)}, abc ${e4.toExponential(2)}`,
      );
      expect(out.shape).toEqual([4, 4, 32, 32, 32]);
      expect(uOut.shape).toEqual([2, 4, 32, 32, 32]);
      for (const e of [e1, e2, e3, e4]) expect(e).toBeLessThanOrEqual(OUT_ATOL);

      const after = pth('state_after_forward.pth');
      const own = model.stateDict();
      expect(after.size).toBe(126);
      let worst = 0;
      for (const [k, ref] of after) {
        const mine = own.get(k)!;
        expect(mine, k).toBeDefined();
        if (k.endsWith('num_batches_tracked')) {
          expect(mine.item(), k).toBe(ref.item());
        } else {
          const e = maxAbs(mine, ref);
          worst = Math.max(worst, e);
          expect(e, k).toBeLessThanOrEqual(BN_ATOL);
        }
      }
      console.log(`model BN buffers after two forwards: max abs err ${worst.toExponential(2)}`);
      expect(own.get('encoder.block_one.conv.1.num_batches_tracked')!.item()).toBe(2);
      expect(own.get('decoder_l.block_six.conv.1.num_batches_tracked')!.item()).toBe(1);
      expect(own.get('decoder_u.block_six.conv.1.num_batches_tracked')!.item()).toBe(1);
      torch.dispose([...after.values()]);
    });
    model.dispose();
  });

  it('gradients of sum(out * G1) + sum(out_abc * G2) in labeled mode', () => {
    const model = build();
    model.train();
    const ref = pth('grads.pth');
    torch.tidy(() => {
      const [out, outAbc] = model.forward(input, 'labeled');
      out
        .mul(npy('grad_G1.npy'))
        .sum()
        .add(outAbc.mul(npy('grad_G2.npy')).sum())
        .backward();
    });
    const zero = new Set(PRECISION.grads_mathematically_zero);
    const largest = PRECISION.grads_largest_tensor_absmax;
    let worstRel = 0,
      worstRelName = '',
      worstZero = 0,
      nullCount = 0,
      compared = 0;
    torch.tidy(() => {
      for (const [name, p] of model.namedParameters()) {
        const g = p.grad;
        const r = ref.get(name);
        if (!r) {
          expect(g, `${name} must have no grad`).toBeNull();
          nullCount++;
          continue;
        }
        expect(g, `${name} grad`).not.toBeNull();
        compared++;
        if (zero.has(name)) {
          const a = g!.abs().max().item();
          worstZero = Math.max(worstZero, a / largest);
          expect(a, name).toBeLessThanOrEqual(ZERO_GRAD_REL * largest);
        } else {
          const rel = g!.sub(r).norm().item() / r.norm().item();
          if (rel > worstRel) {
            worstRel = rel;
            worstRelName = name;
          }
          expect(rel, name).toBeLessThanOrEqual(GRAD_REL_FRO);
        }
      }
    });
    console.log(
      `model grads: ${compared} compared, worst rel Frobenius ${worstRel.toExponential(2)} (${worstRelName}), ` +
      `zero-grad worst |g|/largest ${worstZero.toExponential(2)}, ${nullCount} without grad`,
    );
    expect(compared).toBe(144);
    expect(nullCount).toBe(60);
    torch.dispose([...ref.values()]);
    model.dispose();
  });
});

describe('VNetDecoupleAttentionABC vs reference (eval mode)', () => {
  it("'unlabeled' batch 1 with the initial running stats and with the stats after two forwards", () => {
    const model = build();
    model.eval();
    torch.tidy(() => {
      const [out, outAbc] = torch.noGrad(() => model.forward(input.get('0:1'), 'unlabeled'));
      const e1 = maxAbs(out, npy('eval_unlabeled_out.npy'));
      const e2 = maxAbs(outAbc, npy('eval_unlabeled_out_abc.npy'));
      const after = pth('state_after_forward.pth');
      model.loadStateDict(after, { strict: false });
      const [out2] = torch.noGrad(() => model.forward(input.get('0:1'), 'unlabeled'));
      const e3 = maxAbs(out2, npy('eval_unlabeled_out_bnstats.npy'));
      console.log(
        `model eval unlabeled out ${e1.toExponential(2)}, abc ${e2.toExponential(2)}; with loaded BN stats ` +
        `${e3.toExponential(2)}`,
      );
      for (const e of [e1, e2, e3]) expect(e).toBeLessThanOrEqual(OUT_ATOL);
      torch.dispose([...after.values()]);
    });
    model.dispose();
  });
});

describe.skipIf(!hasPython('torch'))('state dict interop with Python', () => {
  it('a state dict saved from the model loads in Python into the reference-shaped dict', () => {
    const model = build();
    const dir = mkdtempSync(join(tmpdir(), 'skcdf-model-'));
    try {
      const path = join(dir, 'sd.pth');
      torch.tidy(() => torch.save(model.stateDict(), path));
      const script = `
import sys, torch
sd = torch.load(sys.argv[1], weights_only=True)
ref = torch.load(sys.argv[2], weights_only=True)
names = [l.split('\\t')[0] for l in open(sys.argv[3]).read().strip().split('\\n')]
assert list(sd.keys()) == names, 'key order'
assert all(sd[k].shape == ref[k].shape and sd[k].dtype == ref[k].dtype for k in names), 'shapes'
print(max(float((sd[k].double() - ref[k].double()).abs().max()) for k in names))
`;
      const out = runPython(script, [path, join(FIX, 'state_dict.pth'), join(FIX, 'param_names.txt')]).trim();
      expect(Number(out)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      model.dispose();
    }
  });
});
