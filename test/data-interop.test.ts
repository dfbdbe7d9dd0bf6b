// Data in and out of tensors: zero-copy fromBuffer (writes visible both ways, lifetime, refusals),
// toTypedArray as a copy, complex readback vs Python, and the typed checkpoint accessor.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { torch } from '../lib/index.js';
import { hasPython, runPython } from '../test-support/python.js';

describe('torch.fromBuffer shares memory', () => {
  it('a write through the TypedArray is visible in the tensor, and an in-place op in the TypedArray', () => {
    torch.tidy(() => {
      const data = new Float32Array([1, 2, 3, 4, 5, 6]);
      const t = torch.fromBuffer(data, 'float32', [2, 3]);
      data[4] = 50;
      expect(t.toArray()).toEqual([
        [1, 2, 3],
        [4, 50, 6],
      ]);
      t.mul_(2);
      expect(Array.from(data)).toEqual([2, 4, 6, 8, 100, 12]);
      const view = t.get(1); // a view keeps the same memory
      data[5] = -1;
      expect(view.toArray()).toEqual([8, 100, -1]);
    });
  });

  it('a subarray at an offset, raw bytes of another dtype, and { copy: true }', () => {
    torch.tidy(() => {
      const whole = new Float64Array([0, 1, 2, 3, 4, 5, 6, 7]);
      const t = torch.fromBuffer(whole.subarray(2, 6), 'float64', [4]);
      whole[3] = 30;
      expect(t.toArray()).toEqual([2, 30, 4, 5]);
      const bytes = new Uint8Array(whole.buffer, 8, 16); // two float64 elements, 8-aligned
      expect(torch.fromBuffer(bytes, 'float64', [2]).toArray()).toEqual([1, 2]);
      const copied = torch.fromBuffer(whole, 'float64', [8], { copy: true });
      whole[0] = 99;
      expect(copied.get(0).item()).toBe(0);
    });
  });

  it('the tensor keeps the ArrayBuffer alive, and disposing it lets the buffer be collected', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const collect = async (): Promise<void> => {
      for (let k = 0; k < 4; k++) {
        gc();
        for (let j = 0; j < 20; j++) new Float64Array(1 << 17).fill(-1); // reuse freed memory
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    let collected = false;
    const registry = new FinalizationRegistry(() => {
      collected = true;
    });
    const n = 1 << 17;
    const t = torch.keep(
      (() => {
        const data = new Float64Array(n);
        for (let k = 0; k < n; k++) data[k] = k;
        registry.register(data.buffer, 'buffer');
        return torch.fromBuffer(data, 'float64', [n]);
      })(),
    );
    await collect();
    expect(collected).toBe(false); // held by the tensor
    expect(t.sum().item()).toBe((n * (n - 1)) / 2);
    expect(t.get(n - 1).item()).toBe(n - 1);
    t.dispose();
    await collect();
    expect(collected).toBe(true); // the reference was released with the storage
  });

  it('refuses what it cannot share safely, with the reason', () => {
    const f = new Float32Array(4);
    expect(() => torch.fromBuffer(f, 'float32', [5])).toThrow(/needs 20 bytes, got 16/);
    expect(() => torch.fromBuffer(new Uint8Array(f.buffer, 1, 8), 'float32', [2])).toThrow(/not aligned.*copy: true/);
    const Resizable = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer;
    expect(() => torch.fromBuffer(new Float32Array(new Resizable(16, { maxByteLength: 64 })), 'float32', [4])).toThrow(
      /resizable/,
    );
    expect(() => torch.fromBuffer([1, 2] as unknown as Float32Array, 'float32', [2])).toThrow(
      /ArrayBuffer or a TypedArray/,
    );
  });

  it('toTypedArray is a copy: writing to it leaves the tensor unchanged', () => {
    torch.tidy(() => {
      const t = torch.arange(4, { dtype: 'float32' });
      const a = t.toTypedArray() as Float32Array;
      a[0] = 100;
      expect(t.toArray()).toEqual([0, 1, 2, 3]);
    });
  });
});

describe.skipIf(!hasPython('torch'))('complex readback vs Python', () => {
  it('complex64/complex128 come back interleaved, and toArray gives [re, im] pairs', () => {
    const py = JSON.parse(
      runPython(`
import json, torch
out = {}
for dt in ['complex64', 'complex128']:
    re = torch.tensor([[1.5, -2.0], [0.1, 3.0]], dtype=torch.float64)
    im = torch.tensor([[0.25, 4.0], [-7.5, 0.3]], dtype=torch.float64)
    z = torch.complex(re, im).to(getattr(torch, dt))
    w = (z * z.conj().flip(0) + 1j).sqrt()
    out[dt] = {'z': torch.view_as_real(z).tolist(), 'w': torch.view_as_real(w).tolist(), 'flat': torch.view_as_real(w).flatten().tolist()}
print(json.dumps(out))
`),
    ) as Record<string, { z: number[][][]; w: number[][][]; flat: number[] }>;
    torch.tidy(() => {
      for (const dt of ['complex64', 'complex128'] as const) {
        const re = torch.tensor(
          [
            [1.5, -2.0],
            [0.1, 3.0],
          ],
          { dtype: 'float64' },
        );
        const im = torch.tensor(
          [
            [0.25, 4.0],
            [-7.5, 0.3],
          ],
          { dtype: 'float64' },
        );
        const z = torch.complex(re, im).to(dt);
        const w = z
          .mul(z.conj().flip(0))
          .add(torch.complex(torch.zeros([]), torch.ones([])))
          .sqrt();
        expect(z.toArray()).toEqual(py[dt].z);
        const flat = w.toTypedArray();
        expect(flat).toBeInstanceOf(dt === 'complex64' ? Float32Array : Float64Array);
        expect(Array.from(flat)).toEqual(py[dt].flat);
        expect(w.toArray()).toEqual(py[dt].w);
        // a lazily conjugated view reads back resolved
        expect(z.conj().toArray()).toEqual(py[dt].z.map((r) => r.map(([a, b]) => [a, -b])));
      }
    });
  });
});

describe('torch.loadCheckpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skcdf-ckpt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('typed accessors for a nested checkpoint, with the key path in errors', () => {
    torch.tidy(() => {
      const path = join(dir, 'ck.pth');
      const w = torch.arange(6, { dtype: 'float32' }).view(2, 3);
      torch.save(
        {
          model: new Map([
            ['fc.weight', w],
            ['fc.bias', torch.zeros(2)],
          ]),
          state: { epoch: 3, name: 'run', best: true },
          lrs: [0.1, 0.01],
        },
        path,
      );
      const ck = torch.loadCheckpoint(path);
      expect(ck.keys()).toEqual(['model', 'state', 'lrs']);
      const sd = ck.stateDict('model');
      expect([...sd.keys()]).toEqual(['fc.weight', 'fc.bias']);
      expect(sd.get('fc.weight')!.toArray()).toEqual([
        [0, 1, 2],
        [3, 4, 5],
      ]);
      expect(ck.tensor('model', 'fc.weight').shape).toEqual([2, 3]);
      expect(ck.number('state', 'epoch')).toBe(3);
      expect(ck.string('state', 'name')).toBe('run');
      expect(ck.boolean('state', 'best')).toBe(true);
      expect(ck.number('lrs', 1)).toBe(0.01);
      expect(ck.dict('state').number('epoch')).toBe(3);
      expect(ck.has('optimizer')).toBe(false);
      expect(() => ck.number('state', 'name')).toThrow(/ck\.pth: \["state"\]\["name"\] is a string, expected a number/);
      expect(() => ck.tensor('optimizer')).toThrow(/\["optimizer"\] is missing, expected a Tensor/);
      expect(() => ck.stateDict('state')).toThrow(/\["state"\]\["epoch"\] is a number, expected a Tensor/);
    });
  });
});
