// A table of layers checked against live PyTorch with identical weights (the harness of
// test/nn-layers.test.ts, shared): Python builds each layer from a seed, runs forward and backward
// and saves state dict, inputs, outputs, output gradients, input/parameter gradients and the state
// after the step (one Python process for the whole table). Each case then loads the state dict by
// key (strict), runs the same inputs through our layer and compares all of it, plus the state-dict
// keys and the printed form.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import type * as nn from '../lib/nn/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import type { Loaded } from '../lib/torch/serialize.js';
import { hasPython, runPython } from './python.js';

export type LayerCall = (m: nn.Module, ...inputs: Tensor[]) => unknown;
export interface LayerCase {
  name: string;
  /** The PyTorch module expression (torch, nn, F, randn, rand in scope). */
  py: string;
  /** Python expression for the list of inputs. */
  inputs: string;
  make: () => nn.Module;
  /** Python `lambda m, *inputs: ...` and our equivalent; default: call the module. */
  pyCall?: string;
  call?: LayerCall;
  train?: boolean;
  /** Randomize parameters (norm layers start at ones/zeros, which would hide weight mix-ups). */
  perturb?: boolean;
  noRepr?: boolean;
  /** Floating inputs that take no gradient (masks, targets); the others require grad. */
  noGradInputs?: number[];
}

const PY = String.raw`
import json, sys, torch, warnings
from torch import nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pack_sequence
warnings.simplefilter('ignore')
cases = json.load(open(sys.argv[1]))
randn, rand = torch.randn, torch.rand
def flat(v):
    if v is None: return []
    if isinstance(v, torch.Tensor): return [v]
    return [t for e in v for t in flat(e)]
res = {}
for i, c in enumerate(cases):
    torch.manual_seed(1000 + i)
    m = eval(c['py'])
    m.train(c['train'])
    if c['perturb']:
        with torch.no_grad():
            for p in m.parameters(): p.add_(torch.rand_like(p) - 0.5)
    sd = {k: v.clone() for k, v in m.state_dict().items()}
    inputs = eval(c['inputs'])
    inputs = [x.requires_grad_() if x.is_floating_point() and j not in c['nograd'] else x for j, x in enumerate(inputs)]
    call = eval(c['call']) if c['call'] else (lambda m, *a: m(*a))
    outs = flat(call(m, *inputs))
    gs = [torch.randn_like(o) if o.requires_grad else None for o in outs]
    loss = sum((o * g).sum() for o, g in zip(outs, gs) if g is not None)
    if isinstance(loss, torch.Tensor): loss.backward()
    res[c['name']] = {
        'sd': sd, 'sd_after': m.state_dict(), 'keys': list(m.state_dict().keys()), 'repr': repr(m),
        'inputs': [x.detach() for x in inputs], 'grad_inputs': [x.requires_grad for x in inputs],
        'outs': [o.detach() for o in outs], 'gs': gs, 'gin': [x.grad for x in inputs],
        'gparams': {k: p.grad for k, p in m.named_parameters() if p.grad is not None},
    }
torch.save(res, sys.argv[2])
`;

type Rec = Map<string | number, Loaded>;
const get = (m: Rec, k: string): Loaded => {
  if (!m.has(k)) throw new Error(`python result has no '${k}'`);
  return m.get(k)!;
};
const asMap = (v: Loaded): Map<string, Tensor> => v as unknown as Map<string, Tensor>;
const flatTensors = (v: unknown): Tensor[] =>
  v === null || v === undefined ? [] : Array.isArray(v) ? v.flatMap(flatTensors) : [v as Tensor];
const values = (t: Tensor): Float64Array => torch.tidy(() => t.detach().double().toTypedArray() as Float64Array);

/** max|ours - ref| <= tol * max(1, max|ref|), same shape and dtype (exact for integer tensors). */
export function expectClose(ours: Tensor, ref: Tensor, what: string, tol: number): void {
  expect(ours.shape, `${what} shape`).toEqual(ref.shape);
  expect(ours.dtype, `${what} dtype`).toBe(ref.dtype);
  const a = values(ours),
    b = values(ref);
  if (!ref.isFloatingPoint()) {
    expect(Array.from(a), what).toEqual(Array.from(b));
    return;
  }
  let err = 0,
    scale = 1;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  expect(err / scale, `${what}: max abs diff ${err} (scale ${scale})`).toBeLessThanOrEqual(tol);
}

function runCase(c: LayerCase, r: Rec, tol: number): void {
  const before = torch.memory().liveTensors;
  const m = c.make();
  m.train(c.train ?? true);
  expect([...m.stateDict({ keepVars: true }).keys()], 'state-dict keys').toEqual(get(r, 'keys'));
  m.loadStateDict(asMap(get(r, 'sd')));
  if (!c.noRepr) expect(m.toString(), 'repr').toBe(get(r, 'repr'));
  torch.tidy(() => {
    const gradIn = get(r, 'grad_inputs') as boolean[];
    const inputs = (get(r, 'inputs') as Tensor[]).map((x, i) => (gradIn[i] ? x.clone().requiresGrad_() : x));
    const outs = flatTensors(c.call ? c.call(m, ...inputs) : (m as unknown as (...a: Tensor[]) => unknown)(...inputs));
    const refOuts = get(r, 'outs') as Tensor[];
    expect(outs.length, 'number of outputs').toBe(refOuts.length);
    outs.forEach((o, i) => expectClose(o, refOuts[i]!, `output ${i}`, tol));
    const gs = get(r, 'gs') as (Tensor | null)[];
    const terms = outs.flatMap((o, i) => (gs[i] ? [o.mul(gs[i]!).sum()] : []));
    if (terms.length) terms.reduce((a, b) => a.add(b)).backward();
    (get(r, 'gin') as (Tensor | null)[]).forEach((g, i) => {
      if (g) expectClose(inputs[i]!.grad!, g, `grad of input ${i}`, tol);
      else expect(gradIn[i] ? inputs[i]!.grad : null, `input ${i} has no grad`).toBeNull();
    });
    const gp = asMap(get(r, 'gparams'));
    const ours = new Map([...m.namedParameters()].filter(([, p]) => p.grad).map(([k, p]) => [k, p.grad!]));
    expect([...ours.keys()], 'parameters with gradients').toEqual([...gp.keys()]);
    for (const [k, g] of gp) expectClose(ours.get(k)!, g, `grad ${k}`, tol);
    const sd = m.stateDict();
    for (const [k, v] of asMap(get(r, 'sd_after'))) expectClose(sd.get(k)!, v, `state after step: ${k}`, tol);
  });
  m.zeroGrad();
  m.dispose();
  expect(torch.memory().liveTensors, 'live tensors').toBe(before);
}

/** One `describe` with a Python reference run and one test per case (skipped visibly without Python torch). */
export function describeLayerCases(title: string, cases: LayerCase[], tol: number): void {
  describe.skipIf(!hasPython('torch'))(title, () => {
    const dir = mkdtempSync(join(tmpdir(), 'layer-cases-'));
    let ref: Rec;
    it('Python reference run', () => {
      const spec = join(dir, 'cases.json');
      writeFileSync(
        spec,
        JSON.stringify(
          cases.map((c) => ({
            name: c.name,
            py: c.py,
            inputs: c.inputs,
            call: c.pyCall ?? null,
            train: c.train ?? true,
            perturb: c.perturb ?? false,
            nograd: c.noGradInputs ?? [],
          })),
        ),
      );
      runPython(PY, [spec, join(dir, 'ref.pth')]);
      ref = torch.load(join(dir, 'ref.pth')) as Rec;
      expect([...ref.keys()]).toEqual(cases.map((c) => c.name));
    }, 300_000); // one Python process for the whole table; slow on a loaded machine
    for (const c of cases) it(c.name, () => runCase(c, get(ref, c.name) as Rec, tol));
  });
}
