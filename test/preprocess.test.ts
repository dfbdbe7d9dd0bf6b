import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNifti, writeNifti } from '../lib/io/nifti.js';
import { readNpy } from '../lib/io/npy.js';
import { resizeNearest, resizeTrilinear } from '../lib/data/resize.js';
import { findRawCases, preprocessDataset } from '../lib/skcdf/preprocess.js';
import { preprocessDatasetParallel } from '../lib/skcdf/preprocess-pool.js';
import { generateSyntheticDataset } from '../lib/skcdf/synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'skcdf-prep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('preprocessDataset', () => {
  const raw = join(dir, 'raw');
  const out = join(dir, 'out');
  const size: [number, number, number] = [12, 20, 24];
  generateSyntheticDataset({ outDir: raw, cases: 3, shape: [24, 48, 40], seed: 1 });

  it('writes float32 images and int8 labels of the requested size, equal to the resize of the raw volumes', () => {
    const s = preprocessDataset({ dataset: 'synthetic', rawDir: raw, outDir: out, size, quiet: true });
    expect([s.done, s.skipped]).toEqual([3, 0]);
    expect(s.cases.map((c) => c.id)).toEqual(['0001', '0002', '0003']);
    expect(s.cases[0]!.rawShape).toEqual([24, 48, 40]);
    const im = readNpy(join(out, '0002_image.npy'));
    const lb = readNpy(join(out, '0002_label.npy'));
    expect([im.dtype, lb.dtype]).toEqual(['float32', 'int8']);
    expect(im.shape).toEqual(size);
    const rawImg = readNifti(join(raw, 'imagesTr', 'img0002.nii.gz'));
    const rawLbl = readNifti(join(raw, 'labelsTr', 'label0002.nii.gz'));
    expect(Array.from(im.data as Float32Array)).toEqual(
      Array.from(resizeTrilinear(rawImg.data as Int16Array, rawImg.shape, size)),
    );
    expect(Array.from(lb.data as Int8Array)).toEqual(
      Array.from(resizeNearest(rawLbl.data as Uint8Array, rawLbl.shape, size)),
    );
    expect(s.cases[1]!.classes[0]).toBe(0);
    // classes found/missing are consistent with the written label
    const present = new Set(Array.from(lb.data as Int8Array));
    expect(s.cases[1]!.classes).toEqual([...present].sort((a, b) => a - b));
    for (const m of s.cases[1]!.missing) expect(s.casesMissingClass[m]).toContain('0002');
  });

  it('is resumable: a second run skips; a corrupted output is redone', () => {
    const before = statSync(join(out, '0001_image.npy')).mtimeMs;
    const s2 = preprocessDataset({ dataset: 'synthetic', rawDir: raw, outDir: out, size, quiet: true });
    expect([s2.done, s2.skipped]).toEqual([0, 3]);
    expect(statSync(join(out, '0001_image.npy')).mtimeMs).toBe(before);
    writeFileSync(join(out, '0003_label.npy'), 'garbage');
    const progress: string[] = [];
    const s3 = preprocessDataset({
      dataset: 'synthetic',
      rawDir: raw,
      outDir: out,
      size,
      quiet: true,
      onProgress: (p) => progress.push(`${p.id}:${p.status}`),
    });
    expect([s3.done, s3.skipped]).toEqual([1, 2]);
    expect(progress).toEqual(['0001:skipped', '0002:skipped', '0003:done']);
    expect(readNpy(join(out, '0003_label.npy')).shape).toEqual(size);
  });

  it('refuses a label value >= C naming the file, the value and the class count', () => {
    const bad = join(dir, 'bad');
    generateSyntheticDataset({ outDir: bad, cases: 2, shape: [8, 16, 16], seed: 2 });
    const lp = join(bad, 'labelsTr', 'label0002.nii.gz');
    const l = readNifti(lp);
    (l.data as Uint8Array)[5] = 14;
    writeNifti(lp, { data: l.data, shape: l.shape, dtype: l.dtype, spacing: l.spacing });
    expect(() =>
      preprocessDataset({ dataset: 'synapse', rawDir: bad, outDir: join(dir, 'bad-out'), size, quiet: true }),
    ).toThrow(/label0002\.nii\.gz: label value 14 .*\[0, 14\).*'synapse' has 14 classes/);
  });

  it('finds AMOS cases in imagesTr and imagesVa with file-stem ids; a missing label names the file', () => {
    const amos = join(dir, 'amos');
    const vol = { data: new Int16Array(2 * 3 * 4), shape: [2, 3, 4], dtype: 'int16' as const };
    const lab = { data: new Uint8Array(2 * 3 * 4), shape: [2, 3, 4], dtype: 'uint8' as const };
    for (const d of ['imagesTr', 'labelsTr', 'imagesVa', 'labelsVa']) mkdirSync(join(amos, d), { recursive: true });
    writeNifti(join(amos, 'imagesTr', 'amos_0005.nii.gz'), vol);
    writeNifti(join(amos, 'labelsTr', 'amos_0005.nii.gz'), lab);
    writeNifti(join(amos, 'imagesVa', 'amos_0010.nii.gz'), vol);
    writeNifti(join(amos, 'labelsVa', 'amos_0010.nii.gz'), lab);
    expect(findRawCases('amos', amos).map((c) => c.id)).toEqual(['amos_0005', 'amos_0010']);
    writeNifti(join(amos, 'imagesVa', 'amos_0011.nii.gz'), vol);
    expect(() => findRawCases('amos', amos)).toThrow(/labelsVa\/amos_0011\.nii\.gz/);
    expect(() => findRawCases('synapse', amos)).toThrow(/no cases found/);
  });
});

describe('preprocessDatasetParallel (worker threads over cases)', () => {
  const raw = join(dir, 'par-raw');
  const size: [number, number, number] = [10, 18, 22];
  generateSyntheticDataset({ outDir: raw, cases: 5, shape: [20, 40, 36], seed: 3 });
  const files = (d: string) => readdirSync(d).sort();

  it('writes files byte-identical to the sequential run, and the same summary', async () => {
    const seqOut = join(dir, 'par-seq');
    const parOut = join(dir, 'par-par');
    const seq = preprocessDataset({ dataset: 'synthetic', rawDir: raw, outDir: seqOut, size, quiet: true });
    const progress: number[] = [];
    const par = await preprocessDatasetParallel({
      dataset: 'synthetic',
      rawDir: raw,
      outDir: parOut,
      size,
      quiet: true,
      workers: 2,
      onProgress: (p) => progress.push(p.done),
    });
    expect(files(parOut)).toEqual(files(seqOut));
    expect(files(parOut).length).toBe(10);
    for (const f of files(seqOut))
      expect(readFileSync(join(parOut, f)).equals(readFileSync(join(seqOut, f))), f).toBe(true);
    expect(par).toEqual({ ...seq, outDir: parOut });
    expect(progress).toEqual([1, 2, 3, 4, 5]);
  });

  it('resumes: finished cases are skipped, a corrupted output is redone', async () => {
    const out = join(dir, 'par-par');
    const before = statSync(join(out, '0002_image.npy')).mtimeMs;
    writeFileSync(join(out, '0004_image.npy'), 'garbage');
    const s = await preprocessDatasetParallel({
      dataset: 'synthetic',
      rawDir: raw,
      outDir: out,
      size,
      quiet: true,
      workers: 3,
    });
    expect([s.done, s.skipped]).toEqual([1, 4]);
    expect(s.cases.map((c) => `${c.id}:${c.status}`)).toEqual([
      '0001:skipped',
      '0002:skipped',
      '0003:skipped',
      '0004:done',
      '0005:skipped',
    ]);
    expect(statSync(join(out, '0002_image.npy')).mtimeMs).toBe(before);
    expect(readFileSync(join(out, '0004_image.npy')).equals(readFileSync(join(dir, 'par-seq', '0004_image.npy')))).toBe(
      true,
    );
  });

  it('rejects with the bad file named; refuses a bad worker count', async () => {
    const bad = join(dir, 'par-bad');
    generateSyntheticDataset({ outDir: bad, cases: 3, shape: [8, 16, 16], seed: 4 });
    const lp = join(bad, 'labelsTr', 'label0003.nii.gz');
    const l = readNifti(lp);
    (l.data as Uint8Array)[7] = 20;
    writeNifti(lp, { data: l.data, shape: l.shape, dtype: l.dtype, spacing: l.spacing });
    await expect(
      preprocessDatasetParallel({
        dataset: 'synapse',
        rawDir: bad,
        outDir: join(dir, 'par-bad-out'),
        size,
        quiet: true,
        workers: 2,
      }),
    ).rejects.toThrow(/label0003\.nii\.gz: label value 20/);
    await expect(
      preprocessDatasetParallel({
        dataset: 'synapse',
        rawDir: bad,
        outDir: join(dir, 'par-bad-out'),
        size,
        quiet: true,
        workers: 0,
      }),
    ).rejects.toThrow(/workers must be a positive integer, got 0/);
  });
});
