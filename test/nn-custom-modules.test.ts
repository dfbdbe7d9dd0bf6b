// Custom modules written with class fields, as in PyTorch (`self.fc = nn.Linear(4, 8)` registers on
// assignment): state-dict keys and order, loading Python's state dict, forward and gradients against
// the same module written in Python, re-assignment / None / del, nn.Parameter and nn.Buffer. The
// Python side runs once for the whole file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import * as nn from '../lib/nn/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import type { Loaded } from '../lib/torch/serialize.js';
import { hasPython, runPython } from '../test-support/python.js';

const py = hasPython('torch');
// Same float32 ATen kernels on both sides; only summation order may differ.
const TOL = 1e-5;

class Head extends nn.Module {
  proj = new nn.Linear(8, 3);
  scale = new nn.Parameter(torch.ones([3]));
  override forward(x: Tensor): Tensor {
    return torch.tidy(() => this.proj(x).mul(this.scale));
  }
}
class Net extends nn.Module {
  conv = new nn.Conv2d(2, 4, 3, { padding: 1 });
  gamma: nn.Parameter | null = new nn.Parameter(torch.randn([4, 1, 1]));
  blocks = new nn.ModuleList([new nn.Linear(4, 8), new nn.Linear(8, 8)]);
  head = new Head();
  act = new nn.ReLU();
  count = new nn.Buffer(torch.zeros([1]), { persistent: false });
  extra?: nn.Linear;
  declare offset: Tensor;
  constructor() {
    super();
    this.registerBuffer('offset', torch.zeros([8]));
  }
  override forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      let y = this.act(this.conv(x).mul(this.gamma!)).mean([2, 3]);
      for (const b of this.blocks) y = this.act((b as nn.Linear)(y));
      return this.head(y.add(this.offset));
    });
  }
}

const PY = String.raw`
import sys, torch
from torch import nn
class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 3)
        self.scale = nn.Parameter(torch.ones(3))
    def forward(self, x): return self.proj(x) * self.scale
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.gamma = nn.Parameter(torch.randn(4, 1, 1))
        self.blocks = nn.ModuleList([nn.Linear(4, 8), nn.Linear(8, 8)])
        self.head = Head()
        self.act = nn.ReLU()
        self.count = nn.Buffer(torch.zeros(1), persistent=False)
        self.extra = None
        self.register_buffer('offset', torch.zeros(8))
    def forward(self, x):
        y = self.act(self.conv(x) * self.gamma).mean([2, 3])
        for b in self.blocks: y = self.act(b(y))
        return self.head(y + self.offset)
torch.manual_seed(0)
net = Net()
with torch.no_grad():
    for t in list(net.parameters()) + list(net.buffers()): t.add_(torch.rand_like(t) - 0.5)
sd = {k: v.clone() for k, v in net.state_dict().items()}
x = torch.randn(3, 2, 5, 5, requires_grad=True)
out = net(x)
g = torch.randn_like(out)
(out * g).sum().backward()
res = {'keys': list(sd.keys()), 'sd': sd, 'x': x.detach(), 'out': out.detach(), 'g': g, 'gx': x.grad,
       'gparams': {k: p.grad for k, p in net.named_parameters()},
       'params': [k for k, _ in net.named_parameters()], 'buffers': [k for k, _ in net.named_buffers()],
       'modules': [k for k, _ in net.named_modules()], 'repr': repr(net)}
net.conv = nn.Conv2d(2, 4, 1)
net.extra = nn.Linear(2, 2)
net.gamma = None
res['keys_reassigned'] = list(net.state_dict().keys())
del net.blocks
net.head.scale = nn.Parameter(torch.zeros(3), requires_grad=False)
res['keys_deleted'] = list(net.state_dict().keys())
res['params_deleted'] = [k for k, p in net.named_parameters() if p.requires_grad]
errors = []
for f in (lambda: setattr(net, 'conv', 3), lambda: setattr(net.head, 'scale', torch.ones(3)), lambda: setattr(net, 'offset', 'x')):
    try: f()
    except TypeError as e: errors.append(str(e))
res['errors'] = errors
torch.save(res, sys.argv[1])
`;

type Rec = Map<string, Loaded>;
const values = (t: Tensor): Float64Array => torch.tidy(() => t.detach().double().toTypedArray() as Float64Array);
function expectClose(ours: Tensor, ref: Tensor, what: string): void {
  expect(ours.shape, `${what} shape`).toEqual(ref.shape);
  const a = values(ours),
    b = values(ref);
  let err = 0,
    scale = 1;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  expect(err / scale, `${what}: max abs diff ${err}`).toBeLessThanOrEqual(TOL);
}
const keysOf = (m: nn.Module): string[] => [...m.stateDict({ keepVars: true }).keys()];

describe.skipIf(!py)('custom modules with class fields vs the same module in PyTorch', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'nn-custom-')), 'ref.pth');
  let ref: Rec;
  const get = <T>(k: string): T => {
    if (!ref.has(k)) throw new Error(`python result has no '${k}'`);
    return ref.get(k) as T;
  };

  it('Python reference run', () => {
    runPython(PY, [out]);
    ref = torch.load(out) as Rec;
    expect(get<string[]>('keys').length).toBe(11);
  });

  it("state-dict keys, parameters, buffers, modules and printing are PyTorch's", () => {
    const net = new Net();
    expect(keysOf(net)).toEqual(get('keys'));
    expect([...net.namedParameters()].map(([k]) => k)).toEqual(get('params'));
    expect([...net.namedBuffers()].map(([k]) => k)).toEqual(get('buffers'));
    expect([...net.namedModules()].map(([k]) => k)).toEqual(get('modules'));
    expect(net.toString()).toBe(get('repr'));
    net.dispose();
  });

  it("loads Python's state dict (strict); forward and gradients equal PyTorch's", () => {
    const net = new Net();
    net.loadStateDict(get<Map<string, Tensor>>('sd'));
    torch.tidy(() => {
      const x = get<Tensor>('x').clone().requiresGrad_();
      const y = net(x);
      expectClose(y, get('out'), 'output');
      y.mul(get<Tensor>('g')).sum().backward();
      expectClose(x.grad!, get('gx'), 'input grad');
      const gp = get<Map<string, Tensor>>('gparams');
      expect([...net.namedParameters()].map(([k]) => k)).toEqual([...gp.keys()]);
      for (const [k, p] of net.namedParameters()) expectClose(p.grad!, gp.get(k)!, `grad ${k}`);
    });
    net.dispose();
  });

  it('re-assignment replaces in place, a new field appends, null is None, delete removes', () => {
    const net = new Net();
    net.conv = new nn.Conv2d(2, 4, 1);
    net.extra = new nn.Linear(2, 2);
    net.gamma = null;
    expect(keysOf(net)).toEqual(get('keys_reassigned'));
    expect(net.gamma).toBeNull();
    delete (net as Partial<Net>).blocks;
    net.head.scale = new nn.Parameter(torch.zeros([3]), { requiresGrad: false });
    expect(keysOf(net)).toEqual(get('keys_deleted'));
    expect([...net.namedParameters()].filter(([, p]) => p.requiresGrad).map(([k]) => k)).toEqual(get('params_deleted'));
    expect((net as Partial<Net>).blocks).toBeUndefined();
    net.dispose();
  });

  it('assigning the wrong kind to a registered name is a TypeError, as in PyTorch', () => {
    const net = new Net();
    const [conv, scale, offset] = get<string[]>('errors');
    expect(conv).toMatch(/cannot assign 'int' as child module 'conv'/);
    expect(() => {
      (net as unknown as Record<string, unknown>).conv = 3;
    }).toThrow(/cannot assign 'number' as child module 'conv' \(nn.Module or null expected\)/);
    expect(scale).toMatch(/cannot assign 'torch.FloatTensor' as parameter 'scale'/);
    expect(() => {
      (net.head as unknown as Record<string, unknown>).scale = torch.ones([3]);
    }).toThrow(/cannot assign 'Tensor' as parameter 'scale' \(nn.Parameter or null expected\)/);
    expect(offset).toMatch(/cannot assign 'str' as buffer 'offset'/);
    expect(() => {
      (net as unknown as Record<string, unknown>).offset = 'x';
    }).toThrow(/cannot assign 'string' as buffer 'offset'/);
    net.dispose();
  });
});

describe('custom module attributes (no Python needed)', () => {
  it('fields read the registered tensors after to(); nn.Buffer(persistent: false) is moved but not saved', () => {
    const net = new Net();
    const before = net.head.scale;
    net.to('float64');
    expect(net.head.scale).not.toBe(before);
    expect(net.head.scale.dtype).toBe('float64');
    expect(net.head.scale instanceof nn.Parameter).toBe(true);
    expect(net.head.scale).toBe(net.head.param('scale'));
    expect(net.count.dtype).toBe('float64');
    expect(net.offset.dtype).toBe('float64');
    expect(keysOf(net)).not.toContain('count');
    expect([...net.namedBuffers()].map(([k]) => k)).toEqual(['count', 'offset']);
    net.dispose();
  });

  it('a field aliasing a member registered under another name is not registered twice (registerModule style)', () => {
    class Old extends nn.Module {
      readonly outConv = this.registerModule('out_conv', new nn.Linear(2, 2));
      readonly unused = this.registerParameter('map_in', torch.ones([4]));
      readonly inner: nn.Linear;
      constructor() {
        super();
        this.inner = this.registerModule('inner_lin', new nn.Linear(2, 3));
      }
    }
    const m = new Old();
    expect(keysOf(m)).toEqual(['map_in', 'out_conv.weight', 'out_conv.bias', 'inner_lin.weight', 'inner_lin.bias']);
    expect(m.outConv).toBe(m.child('out_conv'));
    m.dispose();
  });

  it(
    'a subclass field declared without initializer leaves the registered member alone; registered names read as ' +
      'attributes',
    () => {
      class Sub extends Net {
        declare head: Head;
        conv!: nn.Conv2d;
      }
      const m = new Sub();
      expect(m.conv).toBeInstanceOf(nn.Conv2d);
      expect(keysOf(m)).toContain('conv.weight');
      const seq = new nn.Sequential(new nn.Linear(2, 2));
      expect((seq as unknown as Record<string, unknown>)['0']).toBe(seq.at(0));
      m.dispose();
      seq.dispose();
    },
  );

  it('nn.Parameter shares storage with its data, is a leaf, and honours requiresGrad', () => {
    torch.tidy(() => {
      const data = torch.tensor([1, 2, 3], { dtype: 'float32' });
      expect(() => new nn.Parameter(torch.tensor([1, 2]))).toThrow(
        /Only Tensors of floating point and complex dtype can require gradients/,
      );
      const p = new nn.Parameter(data);
      expect(p.requiresGrad).toBe(true);
      expect(p.isLeaf).toBe(true);
      data.fill_(7);
      expect(Array.from(p.toTypedArray() as Float32Array)).toEqual([7, 7, 7]);
      expect(new nn.Parameter(data, false).requiresGrad).toBe(false);
      expect(() => new nn.Parameter([1, 2] as unknown as Tensor)).toThrow(/nn.Parameter: data must be a Tensor/);
      expect(data instanceof nn.Parameter).toBe(false);
      expect(p instanceof nn.Parameter).toBe(true);
    });
  });
});
