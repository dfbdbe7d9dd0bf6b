import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { torch } from '../lib/index.js';
import { native } from '../lib/torch/native.js';
import { hasPython, runPython } from '../test-support/python.js';

const repo = join(import.meta.dirname, '..');

describe('creation and readback', () => {
  it('infers dtypes like torch.tensor and reads values back', () => {
    torch.tidy(() => {
      const i = torch.tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect(i.dtype).toBe('int64');
      expect(i.shape).toEqual([2, 3]);
      expect(i.strides).toEqual([3, 1]);
      expect(i.toArray()).toEqual([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect(torch.tensor([0.5, 1]).dtype).toBe('float32');
      expect(torch.tensor([true, false]).toArray()).toEqual([true, false]);
      expect(torch.tensor(new Float64Array([1.5, 2.5])).dtype).toBe('float64');
      expect(torch.tensor(new Int32Array([1, 2, 3, 4]), { shape: [2, 2] }).toArray()).toEqual([
        [1, 2],
        [3, 4],
      ]);
      expect(torch.tensor(new BigInt64Array([1n, -2n])).toArray()).toEqual([1, -2]);
      expect(torch.tensor(new Uint8Array([255])).item()).toBe(255);
      expect(torch.tensor(new Int8Array([-3])).item()).toBe(-3);
      expect(torch.tensor(new Int16Array([-300])).item()).toBe(-300);
      const h = torch.tensor([1.5, -2], { dtype: 'float16' });
      expect(h.dtype).toBe('float16');
      expect(Array.from(h.toTypedArray())).toEqual([0x3e00, 0xc000]); // IEEE half bits
      expect(torch.tensor([1.5], { dtype: 'bfloat16' }).toArray()).toEqual([1.5]);
      expect(() => torch.tensor([[1, 2], [3]])).toThrow(/ragged/);
      expect(torch.tensor(3.25).shape).toEqual([]);
      expect(torch.tensor(3.25).item()).toBe(3.25);
    });
  });

  it('factories follow PyTorch defaults and options', () => {
    torch.tidy(() => {
      expect(torch.zeros([2, 3]).dtype).toBe('float32');
      expect(torch.ones([2], { dtype: 'int32' }).toArray()).toEqual([1, 1]);
      expect(torch.full([2], 7).toArray()).toEqual([7, 7]);
      expect(torch.arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
      expect(torch.arange(5).dtype).toBe('int64');
      expect(torch.arange(0, 1, 0.25).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
      expect(torch.linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
      expect(torch.eye(2).toArray()).toEqual([
        [1, 0],
        [0, 1],
      ]);
      const r = torch.randint(3, 7, [1000]);
      expect(r.min().item()).toBeGreaterThanOrEqual(3);
      expect(r.max().item()).toBeLessThan(7);
      expect(torch.zerosLike(r).dtype).toBe('int64');
      expect(torch.ones([2], { requiresGrad: true }).requiresGrad).toBe(true);
      const b = torch.bernoulli(0.3, [20000]);
      expect(Math.abs(b.mean().item() - 0.3)).toBeLessThan(0.02);
    });
  });

  it('manualSeed makes random streams reproducible and equal to PyTorch CPU streams', () => {
    torch.tidy(() => {
      torch.manualSeed(123);
      const a = torch.randn([5]).toArray() as number[];
      torch.manualSeed(123);
      const b = torch.randn([5]).toArray() as number[];
      expect(a).toEqual(b);
      if (hasPython('torch')) {
        const py = JSON.parse(
          runPython('import torch, json; torch.manual_seed(123); print(json.dumps(torch.randn(5).tolist()))'),
        );
        a.forEach((v, i) => expect(v).toBeCloseTo(py[i], 6));
      }
    });
  });
});

describe('ops, views and indexing', () => {
  it('(Tensor, int[]) ops given an array equal the same ops given the integers one by one, errors included', () => {
    torch.tidy(() => {
      const t = torch.arange(24).reshape([2, 3, 4]);
      const cases: [string, torch.Tensor, torch.Tensor][] = [];
      for (let i = 0; i < 3; i++) {
        // The second and third calls of a shape take the cached path.
        cases.push(['view', t.view([4, 6]), t.view(4, 6)]);
        cases.push(['reshape', torch.reshape(t, [6, -1]), t.reshape(6, 4)]);
        cases.push(['permute', t.permute([2, 0, 1]), t.permute(2, 0, 1)]);
        cases.push(['flip', t.flip([0, 2]), torch.flip(t, { dims: [0, 2] })]);
        cases.push(['repeat', t.repeat([1, 2, 1, 1]), t.repeat(1, 2, 1, 1)]);
        cases.push([
          'view 16 dims',
          t.view(Array<number>(13).fill(1).concat([2, 3, 4])),
          t.view([24]).view(...Array<number>(13).fill(1), 2, 3, 4),
        ]);
      }
      for (const [name, a, b] of cases) {
        expect(a.shape, name).toEqual(b.shape);
        expect(a.flatten().toArray(), name).toEqual(b.flatten().toArray());
      }
      for (let i = 0; i < 3; i++) {
        expect(() => t.view([7])).toThrow(/aten::view.*shape '\[7\]' is invalid for input of size 24/);
        expect(() => t.permute([0, 1])).toThrow(/aten::permute/);
        expect(() => t.view([1.5, 16])).toThrow(/no overload accepts/);
      }
      const d = torch.ones([2]);
      d.dispose();
      expect(() => d.view([2])).toThrow(/disposed/);
    });
  });

  it('dispatches overloads by argument types, with named arguments', () => {
    torch.tidy(() => {
      const x = torch.tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: 'float32' },
      );
      expect(x.add(1).toArray()).toEqual([
        [2, 3],
        [4, 5],
      ]);
      expect(x.add(x, { alpha: 2 }).toArray()).toEqual([
        [3, 6],
        [9, 12],
      ]);
      expect(x.sum().item()).toBe(10);
      expect(x.sum([1]).toArray()).toEqual([3, 7]);
      expect(x.sum({ dim: [0], keepdim: true }).shape).toEqual([1, 2]);
      const [values, indices] = x.max(1);
      expect(values.toArray()).toEqual([2, 4]);
      expect(indices.toArray()).toEqual([1, 1]);
      expect(torch.cat([x, x], 0).shape).toEqual([4, 2]);
      expect(x.softmax(1, 'float64').dtype).toBe('float64');
      expect(torch.ops.aten.mul.Tensor(x, x).toArray()).toEqual([
        [1, 4],
        [9, 16],
      ]);
      const y = x.clone();
      const same = y.mul_(2);
      expect(same).toBe(y);
      expect(y.toArray()).toEqual([
        [2, 4],
        [6, 8],
      ]);
    });
  });

  it('views share storage; get/set follow PyTorch indexing', () => {
    torch.tidy(() => {
      const x = torch.arange(24).view([2, 3, 4]);
      expect(x.get(':', '1:3').shape).toEqual([2, 2, 4]);
      expect(x.get('...', null).shape).toEqual([2, 3, 4, 1]);
      expect(x.get(1, -1, '::2').toArray()).toEqual([20, 22]);
      expect(x.get(0, [0, 2], 1).toArray()).toEqual([1, 9]);
      expect(x.get(x.gt(20)).toArray()).toEqual([21, 22, 23]);
      expect(x.get({ start: 1 }, 0, 0).toArray()).toEqual([12]);
      const z = torch.zeros([2, 3]);
      z.set(':', 1, 5);
      z.set(0, '1:', torch.tensor([7, 8], { dtype: 'float32' }));
      z.set(torch.tensor([1]), torch.tensor([0]), -1);
      expect(z.toArray()).toEqual([
        [0, 7, 8],
        [-1, 5, 0],
      ]);
      const v = x.get(0);
      v.set(0, 0, 100);
      expect(x.get(0, 0, 0).item()).toBe(100);
      expect(() => x.get(5)).toThrow(/out of bounds/);
      expect(() => x.get(0, 0, 0, 0)).toThrow(/too many indices/);
    });
  });

  it('moves between dtypes and devices', () => {
    torch.tidy(() => {
      const x = torch.tensor([1.7, -1.2]);
      expect(x.to('int32').toArray()).toEqual([1, -1]);
      expect(x.double().dtype).toBe('float64');
      expect(x.to({ dtype: 'float16' }).dtype).toBe('float16');
      expect(x.cpu().device).toBe('cpu');
    });
  });
});

describe('autograd', () => {
  it('gradients of a composite expression equal the closed form', () => {
    torch.tidy(() => {
      const x = torch.tensor([0.5, -1, 2], { dtype: 'float64', requiresGrad: true });
      const y = x.mul(x).sin().sum(); // d/dx sin(x^2) = 2x cos(x^2)
      y.backward();
      const g = x.grad!.toArray() as number[];
      [0.5, -1, 2].forEach((v, i) => expect(g[i]).toBeCloseTo(2 * v * Math.cos(v * v), 12));
      expect(x.isLeaf).toBe(true);
      expect(y.gradFn).toBe('SumBackward0');
    });
  });

  it('backward with a gradient and retainGraph accumulates; autograd.grad supports createGraph', () => {
    torch.tidy(() => {
      const x = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
      const y = x.mul(3);
      y.backward(torch.tensor([1, 1, 2], { dtype: 'float32' }), { retainGraph: true });
      y.backward(torch.tensor([1, 0, 0], { dtype: 'float32' }));
      expect(x.grad!.toArray()).toEqual([6, 3, 6]);
      const z = torch.tensor(2, { dtype: 'float64', requiresGrad: true });
      const f = z.pow(3);
      const [df] = torch.autograd.grad(f, z, { createGraph: true });
      expect(df!.item()).toBeCloseTo(12, 12);
      const [d2f] = torch.autograd.grad(df!, z);
      expect(d2f!.item()).toBeCloseTo(12, 12);
      const unused = torch.tensor(1, { dtype: 'float32', requiresGrad: true });
      const [gz, gu] = torch.autograd.grad(z.mul(2), [z, unused], { allowUnused: true });
      expect(gz!.item()).toBe(2);
      expect(gu).toBeNull();
    });
  });

  it('noGrad and enableGrad scopes, as callbacks and as guards', () => {
    torch.tidy(() => {
      const x = torch.ones([2], { requiresGrad: true });
      expect(torch.noGrad(() => x.mul(2)).requiresGrad).toBe(false);
      expect(torch.noGrad(() => torch.enableGrad(() => x.mul(2))).requiresGrad).toBe(true);
      {
        using _guard = torch.noGrad();
        expect(torch.isGradEnabled()).toBe(false);
      }
      expect(torch.isGradEnabled()).toBe(true);
      expect(x.detach().requiresGrad).toBe(false);
    });
  });

  it.skipIf(!hasPython('torch'))('conv3d + batch norm gradients equal PyTorch', () => {
    const py = JSON.parse(
      runPython(`
import torch, json
torch.manual_seed(0)
x = torch.randn(2, 3, 4, 5, 6, dtype=torch.float64)
w = torch.randn(4, 3, 3, 3, 3, dtype=torch.float64)
print(json.dumps({'x': x.flatten().tolist(), 'w': w.flatten().tolist()}))
`),
    );
    const pyGrads = JSON.parse(
      runPython(`
import torch, json, sys
d = json.loads(sys.stdin.read()) if False else None
torch.manual_seed(0)
x = torch.randn(2, 3, 4, 5, 6, dtype=torch.float64, requires_grad=True)
w = torch.randn(4, 3, 3, 3, 3, dtype=torch.float64, requires_grad=True)
y = torch.nn.functional.conv3d(x, w, padding=1)
y = torch.nn.functional.batch_norm(y, None, None, training=True)
(y.tanh() * torch.arange(y.numel(), dtype=torch.float64).view_as(y).cos()).sum().backward()
print(json.dumps({'gx': x.grad.flatten().tolist(), 'gw': w.grad.flatten().tolist()}))
`),
    );
    torch.tidy(() => {
      const x = torch.tensor(py.x, { dtype: 'float64', shape: [2, 3, 4, 5, 6], requiresGrad: true });
      const w = torch.tensor(py.w, { dtype: 'float64', shape: [4, 3, 3, 3, 3], requiresGrad: true });
      let y = torch.conv3d(x, w, null, 1, 1);
      y = torch.batchNorm(y, null, null, null, null, true, 0.1, 1e-5, false);
      const weights = torch.arange(y.numel(), { dtype: 'float64' }).view(y.shape).cos();
      y.tanh().mul(weights).sum().backward();
      const gx = x.grad!.toArray().flat(10) as number[];
      const gw = w.grad!.toArray().flat(10) as number[];
      gx.forEach((v, i) => expect(v).toBeCloseTo(pyGrads.gx[i], 9));
      gw.forEach((v, i) => expect(v).toBeCloseTo(pyGrads.gw[i], 9));
    });
  });
});

describe('memory', () => {
  it('tidy disposes intermediates, keeps returned and kept tensors; nesting works', () => {
    const before = torch.memory().liveTensors;
    const kept = torch.tidy(() => {
      const a = torch.ones([10]);
      const inner = torch.tidy(() => a.mul(2).add(1));
      torch.keep(torch.zeros([1]));
      return { out: inner.mul(3), list: [a.sum()] };
    });
    // out, list[0] and the kept zeros survive.
    expect(torch.memory().liveTensors).toBe(before + 3);
    expect(kept.out.toArray()).toEqual(Array(10).fill(9));
    torch.dispose(kept);
    expect(torch.memory().liveTensors).toBe(before + 1);
  });

  it('async scope works across awaits', async () => {
    const before = torch.memory().liveTensors;
    const result = await torch.scope(async () => {
      const a = torch.ones([4]);
      await new Promise((r) => setTimeout(r, 5));
      const b = a.add(1);
      await Promise.resolve();
      return b.mul(2);
    });
    expect(torch.memory().liveTensors).toBe(before + 1);
    expect(result.toArray()).toEqual([4, 4, 4, 4]);
    result.dispose();
    expect(result.isDisposed).toBe(true);
    expect(torch.memory().liveTensors).toBe(before);
  });

  it('reports bytes of distinct storages and frees on dispose; using-declarations dispose', () => {
    const base = torch.memory();
    const t = torch.zeros([1000], { dtype: 'float64' });
    const view = t.get('10:20');
    expect(torch.memory().cpuBytes - base.cpuBytes).toBe(8000);
    view.dispose();
    t.dispose();
    expect(torch.memory().cpuBytes).toBe(base.cpuBytes);
    {
      using u = torch.ones([3]);
      expect(u.isDisposed).toBe(false);
    }
    expect(torch.memory().liveTensors).toBe(base.liveTensors);
  });

  it('a disposed tensor is released before the next op allocates, at the end of a job, past a full queue', async () => {
    const MiB = 2 ** 20;
    const limit = torch.cpu.memoryStats().limit;
    torch.cpu.setAllocatorCacheLimit(256 * MiB);
    torch.cpu.emptyCache();
    const a = torch.ones([10 * MiB]); // 40 MiB: a large block of the caching allocator
    const live = torch.cpu.memoryStats().liveBytes;
    const s0 = torch.cpu.memoryStats();
    a.dispose();
    // The next op's output takes the block `a` held: it was released before the op allocated.
    const b = torch.zeros([10 * MiB]);
    const s1 = torch.cpu.memoryStats();
    expect([s1.hits - s0.hits, s1.misses - s0.misses, s1.liveBytes]).toEqual([1, 0, live]);
    b.dispose();
    // No native call after it: the end of the job releases it.
    await Promise.resolve();
    expect(new Int32Array(native.disposeQueue)[0]).toBe(0);
    expect(torch.cpu.memoryStats().liveBytes).toBe(live - 40 * MiB);
    torch.cpu.setAllocatorCacheLimit(limit);
    // More disposals in a row than the queue holds, with no native call between them.
    const base = torch.memory().liveTensors;
    const many = torch.tidy(() => Array.from({ length: 3000 }, () => torch.keep(torch.ones([2]))));
    expect(torch.memory().liveTensors).toBe(base + 3000);
    for (const t of many) t.dispose();
    expect(torch.memory().liveTensors).toBe(base);
  });

  it('live tensor count returns to baseline on every iteration of a forward/backward/step loop', () => {
    const w = torch.keep(torch.randn([16, 8], { requiresGrad: true }));
    const x = torch.keep(torch.randn([4, 16]));
    const baseline = torch.memory().liveTensors;
    for (let i = 0; i < 200; i++) {
      torch.tidy(() => {
        const loss = x.matmul(w).relu().pow(2).mean();
        loss.backward();
        torch.noGrad(() => {
          const g = w.grad!;
          w.sub_(g, { alpha: 0.01 });
          g.zero_();
        });
      });
      expect(torch.memory().liveTensors).toBe(baseline);
    }
    torch.dispose([w, x]);
  });
});

describe('errors', () => {
  it('libtorch errors become JS Errors naming the op; argument errors are TypeErrors', () => {
    torch.tidy(() => {
      const a = torch.zeros([2, 3]);
      expect(() => torch.mm(a, a)).toThrow(/aten::mm.*cannot be multiplied/);
      expect(() => a.add('x' as never)).toThrow(TypeError);
      expect(() => a.add('x' as never)).toThrow(/aten::add: no overload accepts \(Tensor, string\)/);
      expect(() => a.view([7])).toThrow(/aten::view/);
      expect(() => torch.zeros([2], { device: 'cuda' })).toThrow(/CUDA is not available/);
      const d = torch.ones([1]);
      d.dispose();
      expect(() => d.add(1)).toThrow(/disposed/);
      expect(() => torch.tensor([1]).item.call(d)).toThrow(/disposed/);
    });
  });

  it('survives thousands of malformed calls (fuzz)', () => {
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pool = torch.keep([
      torch.zeros([2, 3]),
      torch.ones([3], { dtype: 'int64' }),
      torch.rand([1, 2, 3, 4]),
      torch.tensor([true]),
      torch.zeros([0]),
      torch.tensor(1.5, { dtype: 'float64' }),
    ]);
    const disposed = torch.ones([1]);
    disposed.dispose();
    const values: unknown[] = [
      ...pool,
      disposed,
      0,
      -1,
      3,
      1e12,
      NaN,
      2.5,
      true,
      'cpu',
      'cuda',
      'float32',
      'bogus',
      null,
      undefined,
      [],
      [1, 2],
      [-1],
      ['a'],
      { dim: 1 },
      { nonsense: 1 },
      [pool[0], pool[1]],
      7n,
    ];
    const names = [
      'add',
      'mul',
      'matmul',
      'conv3d',
      'sum',
      'view',
      'reshape',
      'cat',
      'index_select',
      'softmax',
      'max',
      'mean',
      'batch_norm',
      'gather',
      'scatter',
      'narrow',
      'select',
      'to',
      'permute',
      'expand',
      'where',
      'topk',
    ];
    let threw = 0;
    for (let i = 0; i < 4000; i++) {
      const name = names[Math.floor(rnd() * names.length)];
      const nargs = Math.floor(rnd() * 5);
      const args = Array.from({ length: nargs }, () => values[Math.floor(rnd() * values.length)]);
      try {
        torch.tidy(() => (torch.ops.aten[name] as (...a: unknown[]) => unknown)(...args));
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        threw++;
      }
    }
    expect(threw).toBeGreaterThan(1000);
    torch.dispose(pool);
  });
});

describe('threads', () => {
  it('a worker thread loading the addon gets a clear error (the tensor table is per process)', async () => {
    const addon = join(repo, 'build/Release/skcdf_native.node');
    const code = `const { parentPort } = require('node:worker_threads');
      try { require(${JSON.stringify(addon)}); parentPort.postMessage('loaded'); } catch (e) { parentPort.postMessage(e.message); }`;
    const message = await new Promise<string>((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once('message', (m: string) => {
        resolve(m);
        void w.terminate();
      });
      w.once('error', reject);
    });
    expect(message).toMatch(/already loaded by another thread/);
    expect(torch.ones([2]).sum().item()).toBe(2); // the main thread is unaffected
  });
});

describe('devices, threads and the generated surface', () => {
  it('reports CUDA state and thread counts', () => {
    expect(typeof torch.cuda.isAvailable()).toBe('boolean');
    expect(torch.cuda.deviceCount()).toBe(torch.cuda.isAvailable() ? torch.cuda.deviceCount() : 0);
    const n = torch.getNumThreads();
    torch.setNumThreads(1);
    expect(torch.getNumThreads()).toBe(1);
    torch.setNumThreads(n);
    expect(() => torch.setNumThreads(0)).toThrow(/positive/);
    expect(torch.version()).toMatch(/^\d+\.\d+/);
  });

  // The checked-in surface is generated from the pinned libtorch; another libtorch (e.g. a CUDA build of a
  // newer release, via LIBTORCH) has other schemas, so the check only applies to the pinned version.
  const generatedFor = readFileSync(join(repo, 'lib/torch/generated/functions.ts'), 'utf8').match(
    /libtorch (\S+)\./,
  )?.[1];
  it.skipIf(generatedFor !== torch.version())(
    `generated op files are up to date with the libtorch schemas (generated for ${generatedFor})`,
    () => {
      const out = execFileSync(process.execPath, ['--import', 'tsx', join(repo, 'scripts/gen-ops.mjs'), '--check'], {
        cwd: repo,
      }).toString();
      expect(out).toMatch(/up to date/);
    },
  );
});

describe.skipIf(!torch.cuda.isAvailable())('CUDA (runs where a GPU exists)', () => {
  it('moves tensors, computes and reads back on the GPU', () => {
    torch.tidy(() => {
      const x = torch.arange(0, 6, 1, { dtype: 'float32' }).cuda();
      expect(x.device).toBe('cuda:0');
      const y = x.mul(2).sum();
      expect(y.item()).toBe(30);
      torch.manualSeed(7);
      const a = torch.randn([4], { device: 'cuda' }).cpu().toArray();
      torch.manualSeed(7);
      expect(torch.randn([4], { device: 'cuda' }).cpu().toArray()).toEqual(a);
      torch.cuda.synchronize();
      expect(torch.memory().cuda!.allocated).toBeGreaterThan(0);
      const w = torch.ones([3], { device: 'cuda', requiresGrad: true });
      w.mul(w).sum().backward();
      expect(w.grad!.cpu().toArray()).toEqual([2, 2, 2]);
    });
    torch.cuda.emptyCache();
  });
});
