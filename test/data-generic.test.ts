// torch.utils.data equivalents (lib/data): DataLoader lengths and batch sizes, random_split
// sizes (fractional lengths), ConcatDataset indexing and default_collate against live PyTorch; seeded
// shuffling; worker threads (same batches as in-thread, bounded prefetch, errors).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import * as data from '../lib/data/index.js';
import { hasPython, runPython } from '../test-support/python.js';

const py = hasPython('torch');
const range = (n: number): data.ArrayDataset<bigint> =>
  new data.ArrayDataset(Array.from({ length: n }, (_, i) => BigInt(i)));
const ints = (t: Tensor): number[] => Array.from(t.toTypedArray() as BigInt64Array, Number);

const LOADERS: [number, number, boolean][] = [
  [10, 3, false],
  [10, 3, true],
  [9, 3, false],
  [9, 3, true],
  [2, 5, false],
  [2, 5, true],
  [7, 1, true],
  [0, 4, false],
];
const SPLITS: [number, number[]][] = [
  [10, [0.3, 0.3, 0.4]],
  [11, [0.5, 0.5]],
  [7, [0.1, 0.2, 0.7]],
  [5, [0.25, 0.25, 0.25, 0.25]],
  [3, [0.1, 0.9]],
  [10, [3, 7]],
  [10, [0.6, 0.3]],
  [10, [4, 4]],
  [10, [1.2, -0.2]],
];
const CONCAT = [
  [3, 0, 4],
  [-1, -5, 6],
] as const; // sizes, then probe indices

describe.skipIf(!py)('vs torch.utils.data', () => {
  const ref = JSON.parse(
    runPython(`
import json, torch, math
from torch.utils.data import DataLoader, random_split, ConcatDataset, RandomSampler
from torch.utils.data._utils.collate import default_collate
out = {'loaders': [], 'splits': [], 'concat': {}, 'collate': None}
for n, bs, dl in ${JSON.stringify(LOADERS).replace(/false/g, 'False').replace(/true/g, 'True')}:
    dlr = DataLoader(list(range(n)), batch_size=bs, drop_last=dl)
    out['loaders'].append({'len': len(dlr), 'batches': [b.tolist() for b in dlr]})
for n, lengths in ${JSON.stringify(SPLITS)}:
    try: out['splits'].append([len(s) for s in random_split(list(range(n)), lengths, generator=torch.Generator().manual_seed(0))])
    except ValueError as e: out['splits'].append('error')
cd = ConcatDataset([list(range(100 * k, 100 * k + s)) for k, s in enumerate(${JSON.stringify(CONCAT[0])})])
out['concat'] = {'cum': cd.cumulative_sizes, 'len': len(cd), 'probe': [cd[i] for i in ${JSON.stringify(CONCAT[1])}]}
b = default_collate([{'x': torch.tensor([1.5, 2.0]), 'y': (torch.tensor([[1, 2]]), 'a'), 'z': [True, 3]}, {'x': torch.tensor([3.0, 4.0]), 'y': (torch.tensor([[3, 4]]), 'b'), 'z': [False, 5]}])
out['collate'] = {'x': [b['x'].tolist(), str(b['x'].dtype)], 'y0': [b['y'][0].tolist(), list(b['y'][0].shape)], 'y1': list(b['y'][1]),
                  'z0': [b['z'][0].tolist(), str(b['z'][0].dtype)], 'z1': [b['z'][1].tolist(), str(b['z'][1].dtype)]}
out['rs_len'] = len(list(RandomSampler(range(5), replacement=False, num_samples=12)))
print(json.dumps(out))
`),
  );

  it('DataLoader: len(loader) and every batch, with and without dropLast', async () => {
    for (const [k, [n, bs, dropLast]] of LOADERS.entries()) {
      const loader = new data.DataLoader(range(n), { batchSize: bs, dropLast });
      expect(loader.length, `n=${n} bs=${bs} dropLast=${dropLast}`).toBe(ref.loaders[k].len);
      const got: number[][] = [];
      for await (const b of loader) {
        got.push(ints(b));
        b.dispose();
      }
      expect(got).toEqual(ref.loaders[k].batches);
    }
  });

  it('randomSplit: split sizes for counts and fractions (remainder round-robin), errors where PyTorch raises', () => {
    for (const [k, [n, lengths]] of SPLITS.entries()) {
      const want = ref.splits[k];
      if (want === 'error') {
        expect(() => data.randomSplit(range(n), lengths, 0), `${n} ${lengths}`).toThrow(/randomSplit/);
        continue;
      }
      const parts = data.randomSplit(range(n), lengths, 0);
      expect(
        parts.map((p) => p.length),
        `${n} [${lengths}]`,
      ).toEqual(want);
      const all = parts.flatMap((p) => [...p.indices]).sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: n }, (_, i) => i)); // a partition of the dataset
    }
    const a = data.randomSplit(range(20), [0.5, 0.5], 7),
      b = data.randomSplit(range(20), [0.5, 0.5], 7),
      c = data.randomSplit(range(20), [0.5, 0.5], 8);
    expect(a[0]!.indices).toEqual(b[0]!.indices);
    expect(a[0]!.indices).not.toEqual(c[0]!.indices);
  });

  it('ConcatDataset and Subset indexing (negative indices as Python)', () => {
    const parts = CONCAT[0].map((s, k) => new data.ArrayDataset(Array.from({ length: s }, (_, i) => 100 * k + i)));
    const cd = new data.ConcatDataset(parts);
    expect(cd.cumulativeSizes).toEqual(ref.concat.cum);
    expect(cd.length).toBe(ref.concat.len);
    expect(CONCAT[1].map((i) => cd.getItem(i))).toEqual(ref.concat.probe);
    expect(() => cd.getItem(7)).toThrow(/index 7 out of range for length 7/);
    const sub = new data.Subset(cd, [6, 0, 3]);
    expect([sub.getItem(0), sub.getItem(-1), sub.length]).toEqual([cd.getItem(6), cd.getItem(3), 3]);
  });

  it('defaultCollate: nested objects, tuples, strings, booleans; tensors stacked with their dtype', () => {
    torch.tidy(() => {
      const b = data.defaultCollate([
        {
          x: torch.tensor([1.5, 2.0]),
          y: [torch.tensor([[1n, 2n]]), 'a'] as [Tensor, string],
          z: [true, 3n] as [boolean, bigint],
        },
        {
          x: torch.tensor([3.0, 4.0]),
          y: [torch.tensor([[3n, 4n]]), 'b'] as [Tensor, string],
          z: [false, 5n] as [boolean, bigint],
        },
      ]);
      const c = ref.collate;
      expect([b.x.toArray(), b.x.dtype]).toEqual([c.x[0], 'float32']);
      expect([b.y[0].toArray(), b.y[0].shape]).toEqual(c.y0);
      expect(b.y[1]).toEqual(c.y1);
      expect([b.z[0].toArray(), b.z[0].dtype]).toEqual([c.z0[0], 'bool']);
      expect([b.z[1].toArray(), `torch.${b.z[1].dtype}`]).toEqual(c.z1);
      const nums = data.defaultCollate([
        { v: 0.5, a: Int16Array.of(1, 2, 3) },
        { v: 2, a: Int16Array.of(4, 5, 6) },
      ]);
      expect([nums.v.dtype, nums.v.toArray(), nums.a.dtype, nums.a.shape, nums.a.toArray()]).toEqual([
        'float64',
        [0.5, 2],
        'int16',
        [2, 3],
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
      ]);
      expect(() => data.defaultCollate([torch.zeros([2]), torch.zeros([3])])).toThrow(
        /stack expects each tensor to be equal size, but got \[2\] at entry 0 and \[3\] at entry 1/,
      );
      expect(() => data.defaultCollate([{ a: 1 }, { a: 'x' }])).toThrow(
        /batch.a: item 0 is number but item 1 is string/,
      );
    });
  });

  it('RandomSampler with numSamples > n yields numSamples indices', () => {
    const s = new data.RandomSampler(5, { numSamples: 12, generator: 1 });
    const got = [...s];
    expect(got.length).toBe(ref.rs_len);
    expect([...got.slice(0, 5)].sort()).toEqual([0, 1, 2, 3, 4]); // whole permutations first
    expect([...got.slice(5, 10)].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('DataLoader shuffling, iterable datasets, workers', () => {
  const epoch = async (loader: data.DataLoader<bigint>): Promise<number[]> => {
    const seen: number[] = [];
    for await (const b of loader) {
      seen.push(...ints(b));
      b.dispose();
    }
    return seen;
  };
  it('shuffle with a seeded generator: a permutation per epoch, epochs differ, the same seed repeats', async () => {
    const a = new data.DataLoader(range(50), { batchSize: 8, shuffle: true, generator: 3 });
    const b = new data.DataLoader(range(50), { batchSize: 8, shuffle: true, generator: 3 });
    const a1 = await epoch(a),
      a2 = await epoch(a),
      b1 = await epoch(b);
    expect([...a1].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a1).not.toEqual(a2);
    expect(a1).toEqual(b1);
    expect(await epoch(new data.DataLoader(range(50), { batchSize: 8, shuffle: true, generator: 4 }))).not.toEqual(a1);
    expect(() => new data.DataLoader(range(5), { shuffle: true, sampler: new data.SequentialSampler(5) })).toThrow(
      /mutually exclusive with shuffle/,
    );
  });

  it('iterable datasets: batches in stream order, dropLast; no shuffle', async () => {
    const stream = {
      *[Symbol.iterator]() {
        for (let i = 0; i < 7; i++) yield BigInt(i);
      },
    };
    const got: number[][] = [];
    for await (const b of new data.DataLoader(stream, { batchSize: 3, dropLast: true })) {
      got.push(ints(b));
      b.dispose();
    }
    expect(got).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(() => new data.DataLoader(stream, { shuffle: true })).toThrow(/IterableDataset has no indices to shuffle/);
  });

  it('worker threads: same batches as numWorkers 0, in order, bounded prefetch; worker errors name the item ' +
    '', async () => {
    const module = join(import.meta.dirname, '../test-support/flaky-dataset.ts');
    const { makeFlaky } = await import('../test-support/flaky-dataset.js');
    const common = { batchSize: 4, shuffle: true, generator: 11 } as const;
    const local = new data.DataLoader(makeFlaky(30), common);
    const threaded = new data.DataLoader(makeFlaky(30), {
      ...common,
      numWorkers: 2,
      prefetchFactor: 2,
      workerDataset: { module, export: 'makeFlaky', args: [30] },
    });
    const collect = async (l: typeof local): Promise<{ x: number[][]; y: number[]; w: Set<number> }> => {
      const r = { x: [] as number[][], y: [] as number[], w: new Set<number>() };
      for await (const b of l) {
        r.x.push(...(b.x.toArray() as number[][]));
        r.y.push(...ints(b.y));
        for (const w of b.w.toArray() as number[]) r.w.add(w);
        await new Promise((res) => setTimeout(res, 5)); // a slow consumer: workers run ahead only up to the bound
        torch.dispose(b);
      }
      return r;
    };
    const a = await collect(local),
      b = await collect(threaded);
    expect(b.y).toEqual(a.y);
    expect(b.x).toEqual(a.x);
    expect(a.w).toEqual(new Set([-1]));
    expect(b.w).toEqual(new Set([0, 1])); // both workers served batches
    expect(threaded.maxInFlight).toBeGreaterThan(1);
    expect(threaded.maxInFlight).toBeLessThanOrEqual(4);
    await threaded.close();
    const bad = new data.DataLoader(makeFlaky(30, 13), {
      batchSize: 4,
      numWorkers: 2,
      workerDataset: { module, export: 'makeFlaky', args: [30, 13] },
    });
    await expect(collect(bad)).rejects.toThrow(/DataLoader worker \d: getItem\(13\): item 13 is corrupt/);
    await bad.close();
    expect(() => new data.DataLoader(makeFlaky(3), { numWorkers: 1 })).toThrow(/numWorkers > 0 needs workerDataset/);
  });
});
