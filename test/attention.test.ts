// Parity of SKCDF's two attention blocks with the reference (fixtures/attention: E=32, 2 heads,
// bottleneck 2x4x6, i.e. local grid 1x2x3 and 48 global tokens), dropout p = 0.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { readNpy } from '../lib/io/npy.js';
import { CrossAttentionGlobalBlock, CrossAttentionLocalBlock, type AttentionMode } from '../lib/skcdf/attention.js';

const FIX = join(import.meta.dirname, 'fixtures/attention');
const ATOL = 1e-5; // precision.json: "the attention fixture atol 1e-5"

function npy(name: string): Tensor {
  const a = readNpy(join(FIX, name));
  return torch.keep(torch.fromBuffer(a.data, a.dtype as 'float32', a.shape));
}

const pth = (name: string): Map<string, Tensor> => torch.keep(torch.loadStateDict(join(FIX, name)));

const maxAbs = (a: Tensor, b: Tensor): number => torch.tidy(() => a.sub(b).abs().max().item());

type Block = CrossAttentionLocalBlock | CrossAttentionGlobalBlock;
const KINDS = ['local', 'global'] as const;

function build(kind: 'local' | 'global', sd: Map<string, Tensor>): Block {
  const prefix = kind === 'local' ? 'cross_attention_local.' : 'cross_attention_global.';
  const block =
    kind === 'local'
      ? new CrossAttentionLocalBlock(32, [2, 4, 6], { numHeads: 2, dropout: 0 })
      : new CrossAttentionGlobalBlock(32, [2, 4, 6], { numHeads: 2, dropout: 0 });
  const own = new Map<string, Tensor>();
  for (const [k, v] of sd) if (k.startsWith(prefix)) own.set(k.slice(prefix.length), v);
  block.loadStateDict(own);
  return block;
}

let x: Tensor, G: Tensor, sd: Map<string, Tensor>;
beforeAll(() => {
  x = npy('x.npy');
  G = npy('G.npy');
  sd = pth('state_dict.pth');
});
afterAll(() => torch.dispose([x, G, ...sd.values()]));

describe.each(KINDS)('%s attention block vs reference', (kind) => {
  it('has the reference state-dict keys and shapes', () => {
    const block = build(kind, sd);
    const prefix = `cross_attention_${kind}.`;
    const expected = [...sd.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v.shape]);
    torch.tidy(() => {
      const got = [...block.stateDict().entries()].map(([k, v]) => [k, v.shape]);
      expect(got).toEqual(expected);
    });
    block.dispose();
  });

  it.each(['labeled', 'unlabeled'] as AttentionMode[])('train mode %s output', (mode) => {
    const block = build(kind, sd);
    block.train();
    torch.tidy(() => {
      const input = mode === 'labeled' ? x : x.get('2:');
      const y = torch.noGrad(() => block.forward(input, mode));
      const ref = npy(`${kind}_${mode}.npy`);
      expect(y.shape).toEqual(ref.shape);
      const err = maxAbs(y, ref);
      console.log(`attention ${kind} train ${mode}: max abs err ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(ATOL);
      ref.dispose();
    });
    block.dispose();
  });

  it('train mode labeled: input and parameter gradients of sum(block(x) * G)', () => {
    const block = build(kind, sd);
    block.train();
    const refGrads = pth(`${kind}_labeled_grads.pth`);
    torch.tidy(() => {
      const xi = x.detach().requiresGrad_(true);
      const y = block.forward(xi, 'labeled');
      y.mul(G).sum().backward();
      const gx = xi.grad!;
      const ref = npy(`${kind}_labeled_grad_x.npy`);
      const err = maxAbs(gx, ref);
      console.log(
        `attention ${kind} grad x: max abs err ${err.toExponential(2)} (absmax ${ref.abs().max().item().toFixed(3)})`,
      );
      expect(err).toBeLessThanOrEqual(ATOL);
      ref.dispose();
      const prefix = `cross_attention_${kind}.`;
      const withGrad: string[] = [];
      let worst = 0;
      // token_learner.proj.bias: its gradient is zero in exact arithmetic (LayerNorm over channels removes a
      // per-token constant, on both the attention and the residual path; precision.json), so both ours and
      // the fixture are rounding noise: compare absolutely against the largest gradient entry.
      const largest = Math.max(...[...refGrads.values()].map((r) => r.abs().max().item()));
      for (const [name, p] of block.namedParameters()) {
        const g = p.grad;
        const r = refGrads.get(prefix + name);
        if (!r) {
          expect(g, `${name} should have no grad`).toBeNull();
          continue;
        }
        withGrad.push(prefix + name);
        expect(g, `${name} grad`).not.toBeNull();
        if (name === 'token_learner.proj.bias') {
          const ours = g!.abs().max().item();
          console.log(
            `attention ${kind} ${name}: |ours| ${ours.toExponential(2)}, |ref| ` +
            `${r.abs().max().item().toExponential(2)}, largest entry ${largest.toFixed(2)}`,
          );
          expect(ours).toBeLessThanOrEqual(1e-5 * largest);
          continue;
        }
        // Other parameter gradients: max abs error relative to the tensor's own scale.
        const scale = Math.max(1, r.abs().max().item());
        const e = maxAbs(g!, r) / scale;
        worst = Math.max(worst, e);
        expect(e, name).toBeLessThanOrEqual(ATOL);
      }
      console.log(`attention ${kind} param grads: worst scaled max abs err ${worst.toExponential(2)}`);
      expect(withGrad.sort()).toEqual([...refGrads.keys()].sort());
    });
    torch.dispose([...refGrads.values()]);
    block.dispose();
  });

  it.each([
    ['unlabeled', '0:1'],
    ['labeled', '0:2'],
  ] as [AttentionMode, string][])('eval mode %s', (mode, rows) => {
    const block = build(kind, sd);
    block.eval();
    torch.tidy(() => {
      const y = torch.noGrad(() => block.forward(x.get(rows), mode));
      const ref = npy(`${kind}_eval_${mode}.npy`);
      expect(y.shape).toEqual(ref.shape);
      const err = maxAbs(y, ref);
      console.log(`attention ${kind} eval ${mode}: max abs err ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(ATOL);
      ref.dispose();
    });
    block.dispose();
  });

  it('rejects bad shapes and odd train-mode labeled batches with clear errors', () => {
    const block = build(kind, sd);
    block.train();
    torch.tidy(() => {
      expect(() => block.forward(x.get('0:3'), 'labeled')).toThrow(/even batch/);
      expect(() => block.forward(torch.zeros([2, 32, 2, 4, 4]), 'unlabeled')).toThrow(
        /expected input of shape \[B, 32, 2, 4, 6\]/,
      );
      expect(() => block.forward(x, 'both' as AttentionMode)).toThrow(/mode must be/);
    });
    block.dispose();
  });
});

describe('attention block construction', () => {
  it('local block needs an even bottleneck', () => {
    expect(() => new CrossAttentionLocalBlock(8, [3, 4, 4])).toThrow(/even/);
  });
});
