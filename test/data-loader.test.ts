import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../lib/io/npy.js';
import {
  applyAugmentation,
  buildBatch,
  cropPadding,
  drawAugmentation,
  epochPlan,
  loadCase,
  loadEvalCase,
  normalizeImage,
  padAmount,
} from '../lib/skcdf/data/dataset.js';
import { BatchLoader } from '../lib/skcdf/data/loader.js';
import { workerEntry } from '../lib/data/worker-entry.js';
import { Rng } from '../lib/data/prng.js';

const dir = mkdtempSync(join(tmpdir(), 'skcdf-loader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHAPE: [number, number, number] = [10, 20, 24];
const PATCH: [number, number, number] = [8, 16, 16];
const ids = Array.from({ length: 9 }, (_, i) => `c${i}`);
ids.forEach((id, k) => {
  const n = SHAPE[0] * SHAPE[1] * SHAPE[2];
  const rng = new Rng(100 + k);
  const img = new Float32Array(n).map(() => rng.uniform(-300, 700));
  const lbl = new Int8Array(n).map((_, i) => (i + k) % 14);
  writeNpy(join(dir, `${id}_image.npy`), { data: img, shape: SHAPE, dtype: 'float32' });
  writeNpy(join(dir, `${id}_label.npy`), { data: lbl, shape: SHAPE, dtype: 'int8' });
});

describe('normalization', () => {
  it('clips to [-75, 275] then min-max scales in float32', () => {
    const x = Float32Array.from([-1000, -75, 0, 100.5, 275, 900, 12.25]);
    const y = normalizeImage(x);
    const want = [-75, -75, 0, 100.5, 275, 275, 12.25].map((v) => Math.fround(Math.fround(v + 75) / 350));
    expect(Array.from(y)).toEqual(want);
    expect(y[0]).toBe(0);
    expect(y[4]).toBe(1);
    // narrower range inside the clip window: min-max is per volume
    expect(Array.from(normalizeImage([0, 50, 100]))).toEqual([0, 0.5, 1]);
    expect(Array.from(normalizeImage([5, 5]))).toEqual([0, 0]);
  });
  it('loadCase normalizes the image; unlabeled cases get an all-zero label; eval cases keep theirs', () => {
    const u = loadCase(dir, 'c1', false);
    expect(u.shape).toEqual(SHAPE);
    expect(u.label.every((v) => v === 0)).toBe(true);
    expect(Math.min(...u.image)).toBe(0);
    expect(Math.max(...u.image)).toBe(1);
    const e = loadEvalCase(dir, 'c1');
    expect(e.label[3]).toBe(4);
    expect(Array.from(e.image)).toEqual(Array.from(u.image));
    expect(() => loadCase(dir, 'nope', true)).toThrow(/nope_image\.npy/);
  });
});

describe('random crop and flips', () => {
  it('padding rule: max((patch - size)//2 + 3, 0) on every axis once any dim <= patch (Python floor division)', () => {
    expect(padAmount(6, 8)).toBe(4);
    expect(padAmount(20, 16)).toBe(1); // (-4)//2 + 3
    expect(padAmount(17, 16)).toBe(2); // (-1)//2 + 3 = -1 + 3
    expect(padAmount(30, 16)).toBe(0);
    expect(cropPadding([6, 20, 30], [8, 16, 16])).toEqual([4, 1, 0]);
    expect(cropPadding([80, 160, 160], [64, 128, 128])).toEqual([0, 0, 0]);
    expect(cropPadding([80, 128, 160], [64, 128, 128])).toEqual([0, 3, 0]); // y == patch triggers padding
  });

  it('crop starts are uniform over [0, padded - patch) exclusive, and the patch is the padded, flipped sub-volume ' +
    '', () => {
    const shape: [number, number, number] = [6, 20, 30];
    const patch: [number, number, number] = [8, 16, 16];
    const n = shape[0] * shape[1] * shape[2];
    const c = {
      image: new Float32Array(n).map((_, i) => i + 1),
      label: new Int8Array(n).map((_, i) => (i % 13) + 1),
      shape,
    };
    const rng = new Rng(1);
    const seen = [new Set<number>(), new Set<number>(), new Set<number>()];
    let flips = 0;
    for (let t = 0; t < 2000; t++) {
      const a = drawAugmentation(shape, patch, rng);
      a.start.forEach((s, ax) => seen[ax]!.add(s));
      flips += Number(a.flip1) + Number(a.flip2);
    }
    // padded size [14, 22, 30] -> starts in [0, 6), [0, 6), [0, 14)
    expect([...seen[0]!].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...seen[1]!].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...seen[2]!].sort((a, b) => a - b)).toEqual(Array.from({ length: 14 }, (_, i) => i));
    expect(flips / 4000).toBeGreaterThan(0.45);
    expect(flips / 4000).toBeLessThan(0.55);

    const aug = {
      pad: [4, 1, 0] as [number, number, number],
      start: [2, 5, 9] as [number, number, number],
      flip1: true,
      flip2: false,
    };
    const vol = patch[0] * patch[1] * patch[2];
    const img = new Float32Array(vol),
      lbl = new Int8Array(vol);
    applyAugmentation(c, patch, aug, img, lbl);
    for (let z = 0; z < 8; z++)
      for (let y = 0; y < 16; y++)
        for (let x = 0; x < 16; x++) {
          const sz = z + 2 - 4,
            sy = 15 - y + 5 - 1,
            sx = x + 9;
          const inside = sz >= 0 && sz < 6 && sy >= 0 && sy < 20 && sx < 30;
          const o = (z * 16 + y) * 16 + x;
          const src = (sz * 20 + sy) * 30 + sx;
          expect(img[o]).toBe(inside ? c.image[src] : 0);
          expect(lbl[o]).toBe(inside ? c.label[src] : 0);
        }
  });
});

describe('epoch plan', () => {
  it('iterations = floor(#unlabeled / n); unlabeled used once, labeled repeated; deterministic per (seed, epoch) ' +
    '', () => {
    const lab = ['a', 'b', 'c'];
    const unl = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
    const p = epochPlan({ labeled: lab, unlabeled: unl, batchSize: 2, seed: 5, epoch: 3 });
    expect(p.length).toBe(3);
    const usedU = p.flatMap((j) => j.unlabeled);
    expect(new Set(usedU).size).toBe(6);
    const usedL = p.flatMap((j) => j.labeled);
    expect(usedL.length).toBe(6);
    for (const id of lab) expect(usedL.filter((x) => x === id).length).toBeLessThanOrEqual(3);
    expect(epochPlan({ labeled: lab, unlabeled: unl, batchSize: 2, seed: 5, epoch: 3 })).toEqual(p);
    expect(epochPlan({ labeled: lab, unlabeled: unl, batchSize: 2, seed: 5, epoch: 4 })).not.toEqual(p);
    expect(epochPlan({ labeled: lab, unlabeled: unl.slice(0, 1), batchSize: 2, seed: 5, epoch: 0 }).length).toBe(0);
  });
});

describe('BatchLoader', () => {
  it('runs the TS worker under vitest through tsx', () => {
    const e = workerEntry(new URL('../lib/skcdf/data/worker.js', import.meta.url));
    expect(e.url.pathname.endsWith('lib/skcdf/data/worker.ts')).toBe(true);
    expect(e.eval).toContain('register()');
  });

  it('worker batches equal in-thread batches (workers: 0) for the same seed; shapes and ids', async () => {
    const opts = {
      dataDir: dir,
      labeled: ids.slice(0, 2),
      unlabeled: ids.slice(2),
      batchSize: 2,
      patch: PATCH,
      seed: 11,
    };
    const inThread = new BatchLoader({ ...opts, workers: 0 });
    const threaded = new BatchLoader({ ...opts, workers: 2, prefetch: 3 });
    try {
      expect(threaded.iterations).toBe(3);
      for (const epoch of [0, 7]) {
        const a = [];
        for await (const b of inThread.epoch(epoch)) a.push(b);
        const b = [];
        for await (const x of threaded.epoch(epoch)) b.push(x);
        expect(a.length).toBe(3);
        expect(b.length).toBe(3);
        for (let i = 0; i < 3; i++) {
          expect(b[i]!.shape).toEqual([2, 1, 8, 16, 16]);
          expect(b[i]!.ids).toEqual(a[i]!.ids);
          expect(b[i]!.imageL.length).toBe(2 * 8 * 16 * 16);
          expect(Buffer.from(b[i]!.imageL.buffer).equals(Buffer.from(a[i]!.imageL.buffer))).toBe(true);
          expect(Buffer.from(b[i]!.imageU.buffer).equals(Buffer.from(a[i]!.imageU.buffer))).toBe(true);
          expect(Buffer.from(b[i]!.labelL.buffer).equals(Buffer.from(a[i]!.labelL.buffer))).toBe(true);
          expect(b[i]!.labelU.every((v) => v === 0)).toBe(true);
          expect(b[i]!.labelL.some((v) => v !== 0)).toBe(true);
        }
        // the same job rebuilt directly reproduces the batch (resumed runs see the same data)
        const again = buildBatch(threaded.plan(epoch)[1]!, { dataDir: dir, patch: PATCH });
        expect(Array.from(again.imageU)).toEqual(Array.from(b[1]!.imageU));
      }
    } finally {
      await threaded.close();
      await inThread.close();
    }
  });

  it('stops early without hanging and reports worker errors naming the file', async () => {
    const l = new BatchLoader({
      dataDir: dir,
      labeled: ['c0'],
      unlabeled: ['missing', 'c1'],
      batchSize: 1,
      patch: PATCH,
      seed: 0,
      workers: 1,
    });
    try {
      await expect(
        (async () => {
          for await (const b of l.epoch(0)) void b;
        })(),
      ).rejects.toThrow(/missing_image\.npy/);
    } finally {
      await l.close();
    }
    await expect(
      (async () => {
        for await (const b of l.epoch(0)) void b;
      })(),
    ).rejects.toThrow(/closed/);
  });
});
