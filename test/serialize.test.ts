import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch } from '../lib/index.js';
import { Tensor } from '../lib/torch/tensor.js';
import { hasPython, runPython } from '../test-support/python.js';

const fixtures = join(import.meta.dirname, 'fixtures/model');
const withTorch = hasPython('torch');

describe('torch.load of the reference state dict', () => {
  it('has every key of param_names.txt with its shape and dtype, in order', () => {
    const sd = torch.loadStateDict(join(fixtures, 'state_dict.pth'));
    const lines = readFileSync(join(fixtures, 'param_names.txt'), 'utf8').trim().split('\n');
    const expected = lines.map((l) => l.split('\t'));
    expect([...sd.keys()]).toEqual(expected.map((e) => e[0]));
    for (const [name, shape, dtype] of expected) {
      const t = sd.get(name)!;
      expect(JSON.stringify(t.shape)).toBe(
        JSON.stringify(JSON.parse(shape.replace(/\(/g, '[').replace(/\)/g, ']').replace(/,\s*]/g, ']'))),
      );
      expect(t.dtype).toBe(dtype.replace('torch.', ''));
    }
    const bn = sd.get('encoder.block_one.conv.1.running_var')!;
    expect((bn.toArray() as number[]).every((v) => v === 1)).toBe(true);
    expect(sd.get('encoder.block_one.conv.1.num_batches_tracked')!.item()).toBe(0);
    torch.dispose([...sd.values()]);
  });

  it.skipIf(!withTorch)('values equal what Python reads', () => {
    const py = JSON.parse(
      runPython(
        `
import torch, json, sys
sd = torch.load(sys.argv[1], weights_only=True)
print(json.dumps({k: [float(v.double().sum()), float(v.double().abs().max()) if v.numel() else 0.0] for k, v in sd.items()}))
`,
        [join(fixtures, 'state_dict.pth')],
      ),
    );
    torch.tidy(() => {
      const sd = torch.loadStateDict(join(fixtures, 'state_dict.pth'));
      for (const [k, [sum, max]] of Object.entries(py) as [string, [number, number]][]) {
        const t = sd.get(k)!.double();
        expect(t.sum().item()).toBeCloseTo(sum, 9);
        if (t.numel()) expect(t.abs().max().item()).toBe(max);
      }
    });
  });
});

describe('torch.save', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skcdf-save-'));

  it('round-trips nested checkpoints with every dtype and shared storages', () => {
    torch.tidy(() => {
      const base = torch.arange(12, { dtype: 'float32' }).view([3, 4]);
      const ckpt = new Map<string, unknown>([
        [
          'model',
          new Map([
            ['w', base],
            ['w_t', base.t()],
            ['row', base.get(1)],
          ]),
        ],
        [
          'dtypes',
          ['float16', 'bfloat16', 'float64', 'int8', 'uint8', 'int16', 'int32', 'int64', 'bool'].map((d) =>
            torch.tensor([1, 0, 1]).to(d as never),
          ),
        ],
        ['epoch', 3],
        ['lr', 0.25],
        ['name', 'run'],
        ['scalar', torch.tensor(2.5)],
      ]);
      const path = join(dir, 'ckpt.pth');
      torch.save(ckpt as never, path);
      const back = torch.load(path) as Map<string, unknown>;
      const model = back.get('model') as Map<string, Tensor>;
      expect(model.get('w')!.toArray()).toEqual(base.toArray());
      expect(model.get('w_t')!.toArray()).toEqual(base.t().toArray());
      expect(model.get('row')!.toArray()).toEqual([4, 5, 6, 7]);
      model.get('w')!.set(1, 0, -1); // shared storage: the row view sees the write
      expect(model.get('row')!.get(0).item()).toBe(-1);
      expect((back.get('dtypes') as Tensor[]).map((t) => t.dtype)).toEqual([
        'float16',
        'bfloat16',
        'float64',
        'int8',
        'uint8',
        'int16',
        'int32',
        'int64',
        'bool',
      ]);
      expect(back.get('epoch')).toBe(3);
      expect(back.get('lr')).toBe(0.25);
      expect(back.get('name')).toBe('run');
      expect((back.get('scalar') as Tensor).item()).toBe(2.5);
    });
  });

  it.skipIf(!withTorch)('files written here load in Python torch.load(weights_only=True) with shared storage', () => {
    const path = join(dir, 'py.pth');
    torch.tidy(() => {
      const w = torch.arange(6, { dtype: 'float64' }).view([2, 3]);
      torch.save(
        new Map<string, unknown>([
          ['w', w],
          ['col', w.get(':', 1)],
          ['step', 7],
          ['nested', { a: [torch.tensor([true, false])] }],
        ]) as never,
        path,
      );
    });
    const out = runPython(
      `
import torch, sys, json
d = torch.load(sys.argv[1], weights_only=True)
print(json.dumps({'w': d['w'].tolist(), 'col': d['col'].tolist(), 'step': d['step'], 'nested': d['nested']['a'][0].tolist(),
  'shared': d['w'].untyped_storage().data_ptr() == d['col'].untyped_storage().data_ptr(), 'type': type(d).__name__}))
`,
      [path],
    );
    expect(JSON.parse(out)).toEqual({
      w: [
        [0, 1, 2],
        [3, 4, 5],
      ],
      col: [1, 4],
      step: 7,
      nested: [true, false],
      shared: true,
      type: 'OrderedDict',
    });
  });

  it.skipIf(!withTorch)(
    'reads what Python saves from model.state_dict() (OrderedDict with _metadata) and nested checkpoints',
    () => {
      const path = join(dir, 'from-python.pth');
      runPython(
        `
import torch, sys
torch.manual_seed(0)
m = torch.nn.Sequential(torch.nn.Conv3d(1, 2, 3), torch.nn.BatchNorm3d(2))
opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
m(torch.randn(2, 1, 4, 4, 4)).sum().backward(); opt.step()
torch.save({'model': m.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 3}, sys.argv[1])
`,
        [path],
      );
      torch.tidy(() => {
        const ck = torch.load(path) as Map<string, unknown>;
        expect(ck.get('epoch')).toBe(3);
        const sd = ck.get('model') as Map<string, Tensor>;
        expect([...sd.keys()]).toEqual([
          '0.weight',
          '0.bias',
          '1.weight',
          '1.bias',
          '1.running_mean',
          '1.running_var',
          '1.num_batches_tracked',
        ]);
        expect(sd.get('1.num_batches_tracked')!.dtype).toBe('int64');
        const opt = ck.get('optimizer') as Map<string, unknown>;
        const groups = opt.get('param_groups') as Map<string, unknown>[];
        expect(groups[0].get('lr')).toBe(0.1);
        expect(groups[0].get('params')).toEqual([0, 1, 2, 3]);
        const state = opt.get('state') as Map<number, Map<string, Tensor>>;
        expect(state.get(0)!.get('momentum_buffer')!.shape).toEqual([2, 1, 3, 3, 3]);
      });
    },
  );

  it('refuses non-tensor globals and names the file on corrupt input', () => {
    const bad = join(dir, 'bad.pth');
    writeFileSync(bad, Buffer.from('PK\u0003\u0004 not really a zip'));
    expect(() => torch.load(bad)).toThrow(/bad\.pth/);
    expect(() => torch.load(join(dir, 'missing.pth'))).toThrow(/missing\.pth/);
  });

  it('safetensors round trip', () => {
    torch.tidy(() => {
      const path = join(dir, 'w.safetensors');
      const t = new Map([
        ['a', torch.randn([3, 4])],
        ['b', torch.tensor([1, 2, 3], { dtype: 'int32' })],
      ]);
      torch.saveSafetensors(t, path, { format: 'pt' });
      const back = torch.loadSafetensors(path);
      expect(back.metadata).toEqual({ format: 'pt' });
      expect(back.tensors.get('a')!.toArray()).toEqual(t.get('a')!.toArray());
      expect(back.tensors.get('b')!.dtype).toBe('int32');
    });
  });
});
