// Autograd hooks against live PyTorch: Tensor.registerHook (Tensor.register_hook) and nn.Module's
// registerFullBackwardHook / registerFullBackwardPreHook (register_full_backward_hook / _pre_hook).
// Each scenario runs here and in Python on the same data; the gradients the hooks see, what they
// return and the resulting .grad are compared, as are the error messages.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import * as nn from '../lib/nn/index.js';
import { native } from '../lib/torch/native.js';
import type { NestedArray, Tensor } from '../lib/torch/tensor.js';
import { hasPython, pythonEnv } from '../test-support/python.js';

// Both sides run the same float32 kernels of the same libtorch, so the values should agree to
// rounding; the bound is the float32-level relative max-norm used for gradient comparisons (2e-5).
const RTOL = 2e-5;
const py = hasPython('torch');
/** Runs a Python script without blocking the event loop (vitest's worker RPC times out behind a long block). */
async function runPython(script: string, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('python3', ['-c', script, ...args], {
    env: pythonEnv(),
    maxBuffer: 1 << 26,
  });
  return stdout;
}

type Rec = NestedArray<number | boolean> | null;
const L = (t: Tensor | null | undefined): Rec => (t ? t.toArray() : null);
const Ls = (ts: (Tensor | null)[]): Rec[] => ts.map(L);

function shapeOf(v: unknown): number[] {
  return Array.isArray(v) ? [v.length, ...(v.length ? shapeOf(v[0]) : [])] : [];
}
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

/** One tensor (as nested lists) against Python's: same shape, relative max-norm error within RTOL. */
function expectClose(got: unknown, want: unknown, what: string): void {
  if (want === null) {
    expect(got, what).toBeNull();
    return;
  }
  expect(got, what).not.toBeNull();
  expect(shapeOf(got), what).toEqual(shapeOf(want));
  const a = flat(got),
    b = flat(want);
  const scale = Math.max(1e-6, ...b.map(Math.abs));
  const err = Math.max(0, ...a.map((x, i) => Math.abs(x - b[i])));
  expect(err / scale, what).toBeLessThanOrEqual(RTOL);
}
function expectAllClose(got: unknown[], want: unknown[], what: string): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((g, i) => expectClose(g, want[i], `${what}[${i}]`));
}

// ---------------------------------------------------------------- tensor hooks

const TENSOR_PY = `
import json, sys, torch
d = json.loads(sys.argv[1])
T = lambda a: torch.tensor(a, dtype=torch.float32)
L = lambda t: None if t is None else t.tolist()
w = T(d['w'])
out = {}

x = T(d['x']).requires_grad_()
seen = []
def h(g):
    seen.append(L(g))
    return g * 2 + 1
x.register_hook(h)
(x.sin() * w).sum().backward()
out['leaf'] = {'seen': seen, 'grad': L(x.grad)}

x = T(d['x']).requires_grad_()
seen = []
x.register_hook(lambda g: seen.append(L(g)))
(x * w).sum().backward()
(x * x).sum().backward()
out['accumulate'] = {'seen': seen, 'grad': L(x.grad)}

x = T(d['x']).requires_grad_()
y = x.exp()
seen = []
def hy(g):
    seen.append(L(g))
    return g * y.detach()
y.register_hook(hy)
(y * w).sum().backward()
out['nonleaf'] = {'seen': seen, 'grad': L(x.grad)}

x = T(d['x']).requires_grad_()
y = x * 3
calls = []
def mk(name, f):
    def hook(g):
        calls.append([name, L(g)])
        return f(g)
    return hook
y.register_hook(mk('a', lambda g: g * 2))
y.register_hook(mk('b', lambda g: g + 1))
y.register_hook(mk('c', lambda g: None))
(y * w).sum().backward()
out['order'] = {'calls': calls, 'grad': L(x.grad)}

x = T(d['x']).requires_grad_()
y = x * 3
names = []
h1 = y.register_hook(lambda g: names.append('h1') or g * 10)
h2 = y.register_hook(lambda g: names.append('h2'))
h1.remove()
(y * w).sum().backward()
out['removed'] = {'calls': names, 'grad': L(x.grad)}

x = T(d['x']).requires_grad_()
y = x.pow(2)
seen = []
x.register_hook(lambda g: seen.append(['x', L(g)]) or -g)
y.register_hook(lambda g: seen.append(['y', L(g)]) or g + 1)
gx, = torch.autograd.grad((y * w).sum(), x)
out['autogradGrad'] = {'seen': seen, 'gx': L(gx), 'xgrad': L(x.grad)}

try:
    T([1.0]).register_hook(lambda g: g)
except RuntimeError as e:
    out['notRequiringGrad'] = str(e)
try:
    x = T(d['x']).requires_grad_()
    y = x * 2
    y.register_hook(lambda g: g.sum())
    y.sum().backward()
except RuntimeError as e:
    out['wrongShape'] = str(e)
print(json.dumps(out))
`;

interface TensorRef {
  leaf: { seen: Rec[]; grad: Rec };
  accumulate: { seen: Rec[]; grad: Rec };
  nonleaf: { seen: Rec[]; grad: Rec };
  order: { calls: [string, Rec][]; grad: Rec };
  removed: { calls: string[]; grad: Rec };
  autogradGrad: { seen: [string, Rec][]; gx: Rec; xgrad: Rec };
  notRequiringGrad: string;
  wrongShape: string;
}

describe.skipIf(!py)('Tensor.registerHook vs PyTorch', () => {
  let xData: Rec, wData: Rec, ref: TensorRef;
  const X = (): Tensor => torch.tensor(xData as number[][], { dtype: 'float32', requiresGrad: true });
  const W = (): Tensor => torch.tensor(wData as number[][], { dtype: 'float32' });
  beforeAll(async () => {
    torch.manualSeed(7);
    xData = L(torch.randn([3, 4]));
    wData = L(torch.randn([3, 4]));
    ref = JSON.parse(await runPython(TENSOR_PY, [JSON.stringify({ x: xData, w: wData })])) as TensorRef;
  });

  it('on a leaf: sees the gradient before accumulation, and its result is what .grad gets', () => {
    const x = X();
    const seen: Rec[] = [];
    x.registerHook((g) => {
      seen.push(L(g));
      return g.mul(2).add(1);
    });
    x.sin().mul(W()).sum().backward();
    expect(ref.leaf.seen).toHaveLength(1);
    expectAllClose(seen, ref.leaf.seen, 'seen');
    expectClose(L(x.grad), ref.leaf.grad, 'grad');
  });

  it('on a leaf over two backward calls: sees each call’s gradient, .grad accumulates', () => {
    const x = X();
    const seen: Rec[] = [];
    x.registerHook((g) => void seen.push(L(g)));
    x.mul(W()).sum().backward();
    x.mul(x).sum().backward();
    expect(ref.accumulate.seen).toHaveLength(2);
    expectAllClose(seen, ref.accumulate.seen, 'seen');
    expectClose(L(x.grad), ref.accumulate.grad, 'grad');
  });

  it('on a non-leaf: the replaced gradient flows on to the inputs', () => {
    const x = X();
    const y = x.exp();
    const seen: Rec[] = [];
    y.registerHook((g) => {
      seen.push(L(g));
      return g.mul(y.detach());
    });
    y.mul(W()).sum().backward();
    expectAllClose(seen, ref.nonleaf.seen, 'seen');
    expectClose(L(x.grad), ref.nonleaf.grad, 'grad');
  });

  it('several hooks run in registration order, each seeing the previous result', () => {
    const x = X();
    const y = x.mul(3);
    const calls: [string, Rec][] = [];
    const mk =
      (name: string, f: (g: Tensor) => Tensor | void) =>
      (g: Tensor): Tensor | void => {
        calls.push([name, L(g)]);
        return f(g);
      };
    y.registerHook(mk('a', (g) => g.mul(2)));
    y.registerHook(mk('b', (g) => g.add(1)));
    y.registerHook(mk('c', () => undefined));
    y.mul(W()).sum().backward();
    expect(calls.map((c) => c[0])).toEqual(ref.order.calls.map((c) => c[0]));
    calls.forEach((c, i) => expectClose(c[1], ref.order.calls[i][1], `call ${c[0]}`));
    expectClose(L(x.grad), ref.order.grad, 'grad');
  });

  it('remove() unregisters the hook (and a second remove() does nothing)', () => {
    const x = X();
    const y = x.mul(3);
    const calls: string[] = [];
    const h1 = y.registerHook((g) => {
      calls.push('h1');
      return g.mul(10);
    });
    y.registerHook(() => void calls.push('h2'));
    h1.remove();
    h1.remove();
    y.mul(W()).sum().backward();
    expect(calls).toEqual(ref.removed.calls);
    expectClose(L(x.grad), ref.removed.grad, 'grad');
  });

  it('a hook may remove itself while it runs; `using` removes at the end of the block', () => {
    const x = X();
    const y = x.mul(3);
    const h = y.registerHook((g) => {
      h.remove();
      return g.mul(2);
    });
    y.sum().backward(null, { retainGraph: true }); // 3 * 2 per element
    y.sum().backward(null, { retainGraph: true }); // the hook is gone: + 3
    expect(x.grad!.toArray()).toEqual(torch.fullLike(x, 9).toArray());
    {
      using scoped = y.registerHook((g) => g.mul(0));
      void scoped;
      y.sum().backward(null, { retainGraph: true }); // + 0
    }
    y.sum().backward(); // + 3
    expect(x.grad!.toArray()).toEqual(torch.fullLike(x, 12).toArray());
  });

  it('runs under torch.autograd.grad too (leaf hook before the gradient is returned)', () => {
    const x = X();
    const y = x.pow(2);
    const seen: [string, Rec][] = [];
    x.registerHook((g) => {
      seen.push(['x', L(g)]);
      return g.neg();
    });
    y.registerHook((g) => {
      seen.push(['y', L(g)]);
      return g.add(1);
    });
    const [gx] = torch.autograd.grad(y.mul(W()).sum(), x);
    expect(seen.map((s) => s[0])).toEqual(ref.autogradGrad.seen.map((s) => s[0]));
    seen.forEach((s, i) => expectClose(s[1], ref.autogradGrad.seen[i][1], `seen ${s[0]}`));
    expectClose(L(gx), ref.autogradGrad.gx, 'gx');
    expect(L(x.grad)).toBe(ref.autogradGrad.xgrad);
  });

  it('refuses a tensor that does not require grad, and a result of another shape, as PyTorch does', () => {
    expect(() => torch.tensor([1.5]).registerHook((g) => g)).toThrow(ref.notRequiringGrad);
    const y = X().mul(2);
    y.registerHook((g) => g.sum());
    const pyReason = ref.wrongShape.replace(/hook '[^']*'/, '').trim(); // Python names its hook, libtorch its index
    expect(() => y.sum().backward()).toThrow(pyReason);
  });

  it('a JS exception thrown by a hook comes out of backward() as that exception; backward works again after', () => {
    const x = X();
    const y = x.mul(2);
    const boom = new RangeError('boom from the hook');
    const h = y.registerHook(() => {
      throw boom;
    });
    let caught: unknown;
    try {
      y.sum().backward(null, { retainGraph: true });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBe(boom);
    expect(() => torch.autograd.grad(y.sum(), x, { retainGraph: true })).toThrow(boom);
    h.remove();
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual(torch.fullLike(x, 2).toArray());
  });

  it('a hook returning something other than a tensor fails backward with a TypeError', () => {
    const y = X().mul(2);
    y.registerHook((() => 42) as never);
    expect(() => y.sum().backward()).toThrow(/registerHook: the hook must return a Tensor or nothing, got number/);
  });
});

// ---------------------------------------------------------------- module hooks

const MODULE_PY = `
import json, sys, torch
from torch import nn
d = json.loads(sys.argv[1])
T = lambda a: torch.tensor(a, dtype=torch.float32)
L = lambda t: None if t is None else t.tolist()
Ls = lambda ts: [L(t) for t in ts]
def linear(sd):
    m = nn.Linear(3, 2)
    with torch.no_grad():
        m.weight.copy_(T(sd['weight'])); m.bias.copy_(T(sd['bias']))
    return m
class Two(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = linear(d['two'])
    def forward(self, a, b):
        return self.lin(a) * 2, (a * b).sum(1)
class Scale(nn.Module):
    def forward(self, a, k):
        return a * k
def recorder(m, log, ret_in=None, ret_out=None):
    def pre(mod, go):
        log.append(['pre', Ls(go)])
        return ret_out(go) if ret_out else None
    def full(mod, gi, go):
        log.append(['hook', Ls(gi), Ls(go)])
        return ret_in(gi) if ret_in else None
    m.register_full_backward_pre_hook(pre)
    m.register_full_backward_hook(full)
c, c1, c2 = T(d['c']), T(d['c1']), T(d['c2'])
out = {}

for name, ret_in, ret_out in [('observe', None, None),
                              ('replace', lambda gi: tuple(g * 3 for g in gi), lambda go: tuple(g * 0.5 for g in go))]:
    lin, log = linear(d['lin']), []
    recorder(lin, log, ret_in, ret_out)
    x = T(d['x']).requires_grad_()
    (lin(x) * c).sum().backward()
    out['linear_' + name] = {'log': log, 'x': L(x.grad), 'w': L(lin.weight.grad), 'b': L(lin.bias.grad)}
lin, log = linear(d['lin']), []
recorder(lin, log)
(lin(T(d['x'])) * c).sum().backward()
out['linear_noInputGrad'] = {'log': log, 'w': L(lin.weight.grad)}

def two_case(a_grad, b_grad, use_second, ret_in=None):
    m, log = Two(), []
    recorder(m, log, ret_in)
    a, b = T(d['a']).requires_grad_(a_grad), T(d['b']).requires_grad_(b_grad)
    o1, o2 = m(a, b)
    loss = (o1 * c1).sum() + ((o2 * c2).sum() if use_second else 0)
    loss.backward()
    return {'log': log, 'a': L(a.grad), 'b': L(b.grad), 'w': L(m.lin.weight.grad)}
out['two_both'] = two_case(True, False, True)
out['two_first'] = two_case(True, False, False)
out['two_replace'] = two_case(True, True, True, lambda gi: (gi[0] * 2, -gi[1]))
out['two_none'] = two_case(False, False, True)

m, log = Scale(), []
recorder(m, log)
x = T(d['x']).requires_grad_()
(m(x, 3.0) * c1[0, 0]).sum().backward()
out['scale'] = {'log': log, 'x': L(x.grad)}

order = []
lin = linear(d['lin'])
lin.register_full_backward_hook(lambda m, gi, go: order.append('first'))
lin.register_full_backward_hook(lambda m, gi, go: order.append('second'), prepend=True)
lin.register_full_backward_pre_hook(lambda m, go: order.append('pre-first'))
lin.register_full_backward_pre_hook(lambda m, go: order.append('pre-second'), prepend=True)
h = lin.register_full_backward_hook(lambda m, gi, go: order.append('removed-after-forward'))
y = lin(T(d['x']).requires_grad_())
h.remove()
y.sum().backward()
lin(T(d['x']).requires_grad_()).sum().backward()
out['order'] = order

try:
    lin = linear(d['lin'])
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    lin(T(d['x']).requires_grad_()).sum().backward()
except RuntimeError as e:
    out['countError'] = str(e)
print(json.dumps(out))
`;

type Log = (['pre', Rec[]] | ['hook', Rec[], Rec[]])[];
interface CaseRef {
  log: Log;
  x?: Rec;
  w?: Rec;
  b?: Rec;
  a?: Rec;
}

/** Registers a pre-hook and a full hook that record what they see (and optionally replace it). */
function recorder(
  m: nn.Module,
  log: Log,
  retIn?: (gi: (Tensor | null)[]) => (Tensor | null)[],
  retOut?: (go: (Tensor | null)[]) => (Tensor | null)[],
): void {
  m.registerFullBackwardPreHook((_, go) => {
    log.push(['pre', Ls(go)]);
    return retOut?.(go);
  });
  m.registerFullBackwardHook((_, gi, go) => {
    log.push(['hook', Ls(gi), Ls(go)]);
    return retIn?.(gi);
  });
}

function expectLog(got: Log, want: Log, what: string): void {
  expect(want.length, `${what}: Python's hooks ran`).toBeGreaterThan(0);
  expect(
    got.map((e) => e[0]),
    what,
  ).toEqual(want.map((e) => e[0]));
  got.forEach((e, i) => {
    const w = want[i];
    expectAllClose(e[1], w[1], `${what} ${e[0]} #${i} first list`);
    if (e[0] === 'hook') expectAllClose(e[2], w[2] as Rec[], `${what} hook #${i} gradOutput`);
  });
}

class Two extends nn.Module {
  lin = new nn.Linear(3, 2);
  forward(a: Tensor, b: Tensor): [Tensor, Tensor] {
    return [this.lin(a).mul(2), a.mul(b).sum(1)];
  }
}
class Scale extends nn.Module {
  forward(a: Tensor, k: number): Tensor {
    return a.mul(k);
  }
}

describe.skipIf(!py)('Module.registerFullBackwardHook / registerFullBackwardPreHook vs PyTorch', () => {
  const data: Record<string, Rec | Record<string, Rec>> = {};
  let ref: Record<string, CaseRef> & { order: string[]; countError: string };
  const T = (k: string, requiresGrad = false): Tensor =>
    torch.tensor(data[k] as number[][], { dtype: 'float32', requiresGrad });
  const linear = (k: 'lin' | 'two', m = new nn.Linear(3, 2)): nn.Linear => {
    const sd = data[k] as Record<string, Rec>;
    m.loadStateDict({ weight: torch.tensor(sd.weight as number[][]), bias: torch.tensor(sd.bias as number[]) });
    return m;
  };
  beforeAll(async () => {
    torch.manualSeed(11);
    for (const [k, shape] of [
      ['x', [4, 3]],
      ['a', [4, 3]],
      ['b', [4, 3]],
      ['c', [4, 2]],
      ['c1', [4, 2]],
      ['c2', [4]],
    ] as const)
      data[k] = L(torch.randn([...shape]));
    for (const k of ['lin', 'two']) {
      const m = new nn.Linear(3, 2);
      data[k] = { weight: L(m.weight), bias: L(m.paramOrNull('bias')) };
    }
    ref = JSON.parse(await runPython(MODULE_PY, [JSON.stringify(data)])) as typeof ref;
  });

  it.each(['observe', 'replace'] as const)('nn.Linear: hooks see and %s the gradients', (name) => {
    const lin = linear('lin');
    const log: Log = [];
    if (name === 'observe') recorder(lin, log);
    else
      recorder(
        lin,
        log,
        (gi) => gi.map((g) => g!.mul(3)),
        (go) => go.map((g) => g!.mul(0.5)),
      );
    const x = T('x', true);
    lin(x).mul(T('c')).sum().backward();
    const want = ref[`linear_${name}`];
    expectLog(log, want.log, name);
    expectClose(L(x.grad), want.x!, 'x.grad');
    expectClose(L(lin.weight.grad), want.w!, 'weight.grad');
    expectClose(L(lin.paramOrNull('bias')!.grad), want.b!, 'bias.grad');
  });

  it('nn.Linear whose input does not require grad: the hook runs with gradInput [null]', () => {
    const lin = linear('lin');
    const log: Log = [];
    recorder(lin, log);
    lin(T('x')).mul(T('c')).sum().backward();
    expectLog(log, ref.linear_noInputGrad.log, 'noInputGrad');
    expect(log[1][1]).toEqual([null]);
    expectClose(L(lin.weight.grad), ref.linear_noInputGrad.w!, 'weight.grad');
  });

  it.each([
    ['two_both', true, false, true],
    ['two_first', true, false, false],
    ['two_replace', true, true, true],
    ['two_none', false, false, true],
  ] as const)('a module with two inputs and two outputs: %s', (name, aGrad, bGrad, useSecond) => {
    const m = new Two();
    linear('two', m.lin);
    const log: Log = [];
    recorder(m, log, name === 'two_replace' ? (gi) => [gi[0]!.mul(2), gi[1]!.neg()] : undefined);
    const a = T('a', aGrad),
      b = T('b', bGrad);
    const [o1, o2] = m(a, b);
    let loss = o1.mul(T('c1')).sum();
    if (useSecond) loss = loss.add(o2.mul(T('c2')).sum());
    loss.backward();
    const want = ref[name];
    expectLog(log, want.log, name);
    expectClose(L(a.grad), want.a!, 'a.grad');
    expectClose(L(b.grad), want.b!, 'b.grad');
    expectClose(L(m.lin.weight.grad), want.w!, 'lin.weight.grad');
  });

  it('a non-tensor argument has a null gradInput entry', () => {
    const m = new Scale();
    const log: Log = [];
    recorder(m, log);
    const x = T('x', true);
    m(x, 3)
      .mul((data.c1 as number[][])[0][0])
      .sum()
      .backward();
    expectLog(log, ref.scale.log, 'scale');
    expectClose(L(x.grad), ref.scale.x!, 'x.grad');
  });

  it('order: prepend first, hooks taken when the call starts (one removed after forward still runs for it)', () => {
    const lin = linear('lin');
    const order: string[] = [];
    lin.registerFullBackwardHook(() => void order.push('first'));
    lin.registerFullBackwardHook(() => void order.push('second'), { prepend: true });
    lin.registerFullBackwardPreHook(() => void order.push('pre-first'));
    lin.registerFullBackwardPreHook(() => void order.push('pre-second'), { prepend: true });
    const h = lin.registerFullBackwardHook(() => void order.push('removed-after-forward'));
    const y = lin(T('x', true));
    h.remove();
    y.sum().backward();
    lin(T('x', true)).sum().backward();
    expect(order).toEqual(ref.order);
  });

  it('a hook returning the wrong number of gradients fails backward with PyTorch’s message', () => {
    const lin = linear('lin');
    lin.registerFullBackwardHook((_, gi) => [gi[0], gi[0]]);
    expect(() => lin(T('x', true)).sum().backward()).toThrow(ref.countError);
  });

  it('an exception thrown by a module hook comes out of backward() as itself', () => {
    const lin = linear('lin');
    const err = new Error('module hook failed');
    lin.registerFullBackwardPreHook(() => {
      throw err;
    });
    expect(() => lin(T('x', true)).sum().backward()).toThrow(err);
  });

  it('removing every hook restores the plain forward; outputs no longer pass through the hook node', () => {
    const lin = linear('lin');
    const h1 = lin.registerFullBackwardHook(() => undefined);
    const h2 = lin.registerFullBackwardPreHook(() => undefined);
    expect(lin(T('x', true)).gradFn).toBe('BackwardHookFunctionBackward');
    h1.remove();
    h2.remove();
    expect(lin(T('x', true)).gradFn).toBe('AddmmBackward0');
    expect(Object.hasOwn(lin, 'forward')).toBe(false);
  });
});

// ---------------------------------------------------------------- memory and threads

describe('hook lifetime', () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const collect = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((r) => setImmediate(r));
      gc();
    }
  };

  it('register/remove in a loop, and hooks on freed tensors, leave no hook function or tensor behind', () => {
    const p = torch.keep(torch.randn([3], { requiresGrad: true }));
    const base = native.hookCallbacks();
    const tensors = torch.memory().liveTensors;
    for (let i = 0; i < 3000; i++) p.registerHook((g) => g).remove();
    expect(native.hookCallbacks()).toBe(base);
    for (let i = 0; i < 300; i++)
      torch.tidy(() => {
        const y = p.mul(2);
        y.registerHook((g) => g.mul(1)); // never removed: freed with y and its graph
        y.sum().backward();
      });
    expect(native.hookCallbacks()).toBe(base);
    const q = torch.randn([3], { requiresGrad: true });
    q.registerHook((g) => g);
    expect(native.hookCallbacks()).toBe(base + 1);
    q.dispose();
    expect(native.hookCallbacks()).toBe(base);
    p.dispose();
    expect(torch.memory().liveTensors).toBe(tensors - 1);
  });

  it('module backward hooks: many calls leave no hook function or tensor behind', () => {
    const lin = new nn.Linear(3, 2);
    const h = lin.registerFullBackwardHook((_, gi) => gi.map((g) => g?.mul(1) ?? null));
    lin.registerFullBackwardPreHook(() => undefined);
    const base = native.hookCallbacks();
    const tensors = torch.memory().liveTensors;
    for (let i = 0; i < 200; i++)
      torch.tidy(() => {
        lin(torch.randn([4, 3], { requiresGrad: true }))
          .sum()
          .backward();
      });
    expect(native.hookCallbacks()).toBe(base);
    expect(torch.memory().liveTensors).toBe(tensors);
    h.remove();
    lin.dispose();
  });

  it('the hook function itself becomes garbage once removed or once its tensor is freed', async () => {
    const x = torch.keep(torch.randn([3], { requiresGrad: true }));
    let removedRef: WeakRef<object> | undefined, freedRef: WeakRef<object> | undefined;
    (() => {
      const big = new Float64Array(1 << 20);
      const fn = (g: Tensor): Tensor => (big.length ? g : g);
      removedRef = new WeakRef(fn);
      x.registerHook(fn).remove();
    })();
    torch.tidy(() => {
      const big = new Float64Array(1 << 20);
      const fn = (g: Tensor): Tensor => (big.length ? g : g);
      freedRef = new WeakRef(fn);
      const y = x.mul(2);
      y.registerHook(fn);
      y.sum().backward();
    });
    await collect();
    expect(removedRef!.deref()).toBeUndefined();
    expect(freedRef!.deref()).toBeUndefined();
    x.dispose();
  });

  it.skipIf(!torch.cuda.isAvailable())('a hook on a CUDA tensor fails backward with a clear error', () => {
    const x = torch.randn([3], { device: 'cuda', requiresGrad: true });
    x.registerHook((g) => g);
    expect(() => x.mul(2).sum().backward()).toThrow(/hooks on CUDA tensors are not supported yet/);
    const lin = new nn.Linear(3, 2).to('cuda');
    lin.registerFullBackwardHook(() => undefined);
    expect(() =>
      lin(torch.randn([4, 3], { device: 'cuda', requiresGrad: true }))
        .sum()
        .backward(),
    ).toThrow(/hooks on CUDA tensors are not supported yet/);
  });
});
