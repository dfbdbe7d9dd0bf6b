// nn.utils against live PyTorch (one Python process for the file): gradient clipping, parameter
// vectors, conv/linear + batch-norm fusion, skipInit, nn.utils.rnn packing; and the forward-hook
// semantics (order, prepend, removal, alwaysCall) and conv weight memory formats, checked directly.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import * as nn from '../lib/nn/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import type { Loaded } from '../lib/torch/serialize.js';
import { hasPython, runPython } from '../test-support/python.js';
import { expectClose } from '../test-support/layer-cases.js';

const U = nn.utils;
const R = nn.utils.rnn;
const TOL = 1e-5;
const py = hasPython('torch');

const PY = String.raw`
import sys, torch, warnings
from torch import nn
from torch.nn import utils as U
from torch.nn.utils import rnn as R
warnings.simplefilter('ignore')
torch.manual_seed(0)
res = {}
# clipping: two parameters with gradients
g1, g2 = torch.randn(3, 4), torch.randn(5)
def params():
    a, b = nn.Parameter(torch.zeros(3, 4)), nn.Parameter(torch.zeros(5))
    a.grad, b.grad = g1.clone(), g2.clone()
    return [a, b]
res['g'] = [g1, g2]
ps = params(); res['clip_total'] = U.clip_grad_norm_(ps, 1.0); res['clip_grads'] = [p.grad for p in ps]
ps = params(); res['clip_inf_total'] = U.clip_grad_norm_(ps, 0.5, norm_type=float('inf')); res['clip_inf_grads'] = [p.grad for p in ps]
ps = params(); U.clip_grad_value_(ps, 0.3); res['clip_value_grads'] = [p.grad for p in ps]
res['total3'] = U.get_total_norm([g1, g2], 3.0)
ps = params(); U.clip_grads_with_norm_(ps, 0.5, torch.tensor(4.0)); res['with_norm_grads'] = [p.grad for p in ps]
# parameter vectors
lin = nn.Linear(3, 2)
res['lin_sd'] = {k: v.clone() for k, v in lin.state_dict().items()}
res['p2v'] = U.parameters_to_vector(lin.parameters())
vec = torch.randn(8); res['vec'] = vec
U.vector_to_parameters(vec, lin.parameters()); res['v2p'] = {k: v.clone() for k, v in lin.state_dict().items()}
# fusion
def bn_eval(n):
    bn = nn.BatchNorm2d(n)
    with torch.no_grad():
        bn.running_mean.normal_(); bn.running_var.uniform_(0.5, 2); bn.weight.normal_(); bn.bias.normal_()
    return bn.eval()
conv, bn = nn.Conv2d(2, 3, 3).eval(), bn_eval(3)
x = torch.randn(2, 2, 5, 5)
fused = U.fuse_conv_bn_eval(conv, bn)
res['conv_sd'], res['bn_sd'], res['x'] = conv.state_dict(), bn.state_dict(), x
res['fused_sd'], res['fused_out'], res['unfused_out'] = fused.state_dict(), fused(x), bn(conv(x))
convt, bnt = nn.ConvTranspose2d(2, 3, 3, bias=False).eval(), bn_eval(3)
fw, fb = U.fuse_conv_bn_weights(convt.weight, None, bnt.running_mean, bnt.running_var, bnt.eps, bnt.weight, bnt.bias, transpose=True)
res['convt_sd'], res['bnt_sd'], res['convt_fused'] = convt.state_dict(), bnt.state_dict(), [fw.detach(), fb.detach()]
lin2, bn1 = nn.Linear(4, 3).eval(), nn.BatchNorm1d(3)
with torch.no_grad(): bn1.running_mean.normal_(); bn1.running_var.uniform_(0.5, 2); bn1.weight.normal_(); bn1.bias.normal_()
bn1.eval()
xl = torch.randn(5, 4)
res['lin2_sd'], res['bn1_sd'], res['xl'], res['lin_fused_out'] = lin2.state_dict(), bn1.state_dict(), xl, U.fuse_linear_bn_eval(lin2, bn1)(xl)
# skip_init
sk = U.skip_init(nn.Conv1d, 3, 4, 2, bias=False)
res['skip_keys'] = list(sk.state_dict().keys()); res['skip_shapes'] = [list(v.shape) for v in sk.state_dict().values()]
# rnn utils
seqs = [torch.randn(2, 3), torch.randn(5, 3), torch.randn(4, 3)]
res['seqs'] = seqs
res['pad_default'] = R.pad_sequence(seqs)
res['pad_left_bf'] = R.pad_sequence(seqs, batch_first=True, padding_value=-1.0, padding_side='left')
p = R.pack_sequence(seqs, enforce_sorted=False)
res['packed'] = [p.data, p.batch_sizes, p.sorted_indices, p.unsorted_indices]
padded, lens = R.pad_packed_sequence(p, batch_first=True, padding_value=9.0, total_length=6)
res['unpacked'], res['lens'] = padded, lens
res['unpack_sequence'] = R.unpack_sequence(p)
res['unpad_sequence'] = R.unpad_sequence(res['pad_default'].clone(), torch.tensor([2, 5, 4]))  # it transposes its argument in place
res['invert'] = R.invert_permutation(torch.tensor([2, 0, 3, 1]))
torch.save(res, sys.argv[1])
`;

type Rec = Map<string, Loaded>;
const sdOf = (v: Loaded): Map<string, Tensor> => v as unknown as Map<string, Tensor>;

describe.skipIf(!py)('nn.utils vs PyTorch', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'nn-utils-')), 'ref.pth');
  let ref: Rec;
  const get = <T>(k: string): T => {
    if (!ref.has(k)) throw new Error(`python result has no '${k}'`);
    return ref.get(k) as T;
  };
  const withGrads = (): Tensor[] =>
    get<Tensor[]>('g').map((g) => {
      const p = torch.zeros(g.shape).requiresGrad_();
      p.grad = g.clone();
      return p;
    });
  const same = (ours: Tensor[], refs: Tensor[], what: string): void =>
    ours.forEach((t, i) => expectClose(t, refs[i]!, `${what} ${i}`, TOL));

  it('Python reference run', () => {
    runPython(PY, [out]);
    ref = torch.load(out) as Rec;
    expect(ref.has('invert')).toBe(true);
  });
  it('clipGradNorm_ (2 and inf norms), clipGradValue_, getTotalNorm, clipGradsWithNorm_', () => {
    torch.tidy(() => {
      let ps = withGrads();
      expect(U.clipGradNorm_(ps, 1)).toBeCloseTo(get<Tensor>('clip_total').item(), 5);
      same(
        ps.map((p) => p.grad!),
        get('clip_grads'),
        'clipped grad',
      );
      ps = withGrads();
      expect(U.clipGradNorm_(ps, 0.5, { normType: Infinity })).toBeCloseTo(get<Tensor>('clip_inf_total').item(), 5);
      same(
        ps.map((p) => p.grad!),
        get('clip_inf_grads'),
        'inf-clipped grad',
      );
      ps = withGrads();
      U.clipGradValue_(ps, 0.3);
      same(
        ps.map((p) => p.grad!),
        get('clip_value_grads'),
        'value-clipped grad',
      );
      expectClose(U.getTotalNorm(get<Tensor[]>('g'), 3), get('total3'), 'total 3-norm', TOL);
      ps = withGrads();
      U.clipGradsWithNorm_(ps, 0.5, torch.tensor(4));
      same(
        ps.map((p) => p.grad!),
        get('with_norm_grads'),
        'clipGradsWithNorm_ grad',
      );
    });
  });
  it('parametersToVector / vectorToParameters', () => {
    const lin = new nn.Linear(3, 2);
    lin.loadStateDict(sdOf(get('lin_sd')));
    torch.tidy(() => {
      expectClose(U.parametersToVector(lin.parameters()), get('p2v'), 'parametersToVector', TOL);
      U.vectorToParameters(get('vec'), lin.parameters());
      for (const [k, v] of sdOf(get('v2p'))) expectClose(lin.stateDict().get(k)!, v, `vectorToParameters ${k}`, TOL);
      expect(() => U.vectorToParameters(torch.zeros([7]), lin.parameters())).toThrow(
        /vec has 7 elements but the parameters have 8/,
      );
    });
    lin.dispose();
  });
  it('fuseConvBnEval, fuseConvBnWeights (transpose), fuseLinearBnEval', () => {
    torch.tidy(() => {
      const conv = new nn.Conv2d(2, 3, 3).eval(),
        bn = new nn.BatchNorm2d(3).eval();
      conv.loadStateDict(sdOf(get('conv_sd')));
      bn.loadStateDict(sdOf(get('bn_sd')));
      const fused = U.fuseConvBnEval(conv, bn);
      expect([...fused.stateDict().keys()]).toEqual([...sdOf(get('fused_sd')).keys()]);
      for (const [k, v] of sdOf(get('fused_sd'))) expectClose(fused.stateDict().get(k)!, v, `fused ${k}`, TOL);
      expectClose(fused(get('x')), get('fused_out'), 'fused conv output', TOL);
      expectClose(fused(get('x')), get('unfused_out'), 'fused = conv then bn', 1e-4);
      expect(() => U.fuseConvBnEval(conv.train(), bn)).toThrow(/fusion only for eval/);
      const ct = new nn.ConvTranspose2d(2, 3, 3, { bias: false }),
        bnt = new nn.BatchNorm2d(3);
      ct.loadStateDict(sdOf(get('convt_sd')));
      bnt.loadStateDict(sdOf(get('bnt_sd')));
      const [w, b] = U.fuseConvBnWeights(
        ct.weight,
        null,
        bnt.buffer('running_mean')!,
        bnt.buffer('running_var')!,
        bnt.eps,
        bnt.paramOrNull('weight'),
        bnt.paramOrNull('bias'),
        true,
      );
      same([w, b], get('convt_fused'), 'transposed fused');
      expect(w instanceof nn.Parameter && w.requiresGrad).toBe(true);
      const lin = new nn.Linear(4, 3).eval(),
        bn1 = new nn.BatchNorm1d(3).eval();
      lin.loadStateDict(sdOf(get('lin2_sd')));
      bn1.loadStateDict(sdOf(get('bn1_sd')));
      expectClose(U.fuseLinearBnEval(lin, bn1)(get('xl')), get('lin_fused_out'), 'fused linear output', TOL);
      for (const m of [conv, bn, fused, ct, bnt, lin, bn1]) m.dispose();
    });
  });
  it("skipInit: PyTorch's keys and shapes, on the requested device", () => {
    const m = U.skipInit(nn.Conv1d, 3, 4, 2, { bias: false });
    const sd = m.stateDict({ keepVars: true });
    expect([...sd.keys()]).toEqual(get('skip_keys'));
    expect([...sd.values()].map((t) => t.shape)).toEqual(get('skip_shapes'));
    expect(m.weight.device).toBe('cpu');
    expect(m.weight.requiresGrad).toBe(true);
    m.dispose();
  });
  it(
    'rnn: padSequence (left, batch first), packSequence (unsorted), padPackedSequence (total length), ' +
      'unpack / unpad, invertPermutation',
    () => {
      torch.tidy(() => {
        const seqs = get<Tensor[]>('seqs');
        expectClose(R.padSequence(seqs), get('pad_default'), 'padSequence', TOL);
        expectClose(R.padSequence(seqs, true, -1, 'left'), get('pad_left_bf'), 'padSequence left', TOL);
        const p = R.packSequence(seqs, { enforceSorted: false });
        same([p.data, p.batchSizes, p.sortedIndices!, p.unsortedIndices!], get('packed'), 'packed');
        const [padded, lens] = R.padPackedSequence(p, { batchFirst: true, paddingValue: 9, totalLength: 6 });
        expectClose(padded, get('unpacked'), 'padPackedSequence', TOL);
        expectClose(lens, get('lens'), 'lengths', TOL);
        same(R.unpackSequence(p), get('unpack_sequence'), 'unpackSequence');
        same(R.unpadSequence(get('pad_default'), torch.tensor([2, 5, 4])), get('unpad_sequence'), 'unpadSequence');
        expectClose(R.invertPermutation(torch.tensor([2, 0, 3, 1]))!, get('invert'), 'invertPermutation', TOL);
        const [data, batchSizes] = p;
        expect(data).toBe(p.data);
        expect(batchSizes).toBe(p.batchSizes);
        expect(() => R.packPaddedSequence(get<Tensor>('pad_default'), [2, 5, 4])).toThrow(
          /must be sorted in decreasing order/,
        );
        expect(() => R.padPackedSequence(p, { totalLength: 3 })).toThrow(
          /totalLength to be at least the length of the longest sequence \(5\)/,
        );
      });
    },
  );
});

describe('forward hooks and conv memory formats (closed forms)', () => {
  it(
    'pre-hooks and hooks run in order (prepend first), replace arguments and output, and go away with their ' +
      'handle',
    () => {
      torch.tidy(() => {
        const m = new nn.Identity();
        const log: string[] = [];
        const h1 = m.registerForwardPreHook((_m, a) => {
          log.push('pre1');
          return (a[0] as Tensor).add(1);
        });
        const h2 = m.registerForwardPreHook(
          () => {
            log.push('pre0');
          },
          { prepend: true },
        );
        const h3 = m.registerForwardHook((_m, _a, o) => {
          log.push('post');
          return (o as Tensor).mul(10);
        });
        const x = torch.tensor([1, 2], { dtype: 'float32' });
        expect(m(x).toArray()).toEqual([20, 30]);
        expect(m.forward(x).toArray()).toEqual([20, 30]);
        expect(log).toEqual(['pre0', 'pre1', 'post', 'pre0', 'pre1', 'post']);
        h1.remove();
        h3.remove();
        expect(m(x).toArray()).toEqual([1, 2]);
        h2.remove();
        expect(Object.getOwnPropertyNames(m)).not.toContain('forward');
        expect(h1.id).not.toBe(h2.id);
      });
    },
  );
  it('alwaysCall hooks run when forward throws; the error propagates', () => {
    const lin = new nn.Linear(3, 2);
    const seen: unknown[] = [];
    lin.registerForwardHook(
      (_m, _a, o) => {
        seen.push(o);
      },
      { alwaysCall: true },
    );
    lin.registerForwardHook(() => {
      seen.push('not always');
    });
    torch.tidy(() => {
      expect(() => lin(torch.zeros([1, 5]))).toThrow(/mat1 and mat2|shapes cannot be multiplied/);
    });
    expect(seen).toEqual([undefined]);
    lin.dispose();
  });
  it(
    'convertConv2dWeightMemoryFormat makes Conv2d weights channels-last with the same values and parameter ' +
      'identity',
    () => {
      const net = new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.Conv1d(2, 2, 1));
      const w = net.at<nn.Conv2d>(0).weight;
      const before = torch.tidy(() => w.detach().clone());
      U.convertConv2dWeightMemoryFormat(net, 'channelsLast');
      expect(net.at<nn.Conv2d>(0).weight).toBe(w);
      expect(w.isContiguous('channelsLast')).toBe(true);
      expect(w.isContiguous()).toBe(false);
      expect(torch.tidy(() => w.sub(before).abs().max().item())).toBe(0);
      expect(net.at<nn.Conv1d>(1).weight.isContiguous()).toBe(true);
      before.dispose();
      net.dispose();
    },
  );
});
