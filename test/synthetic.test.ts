import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNifti } from '../lib/io/nifti.js';
import { generateSyntheticCase, generateSyntheticDataset } from '../lib/skcdf/synthetic.js';
import { readSplitFile } from '../lib/skcdf/data/splits.js';
import { SYNTHETIC_DATA } from '../lib/skcdf/training/config.js';

const dir = mkdtempSync(join(tmpdir(), 'skcdf-syn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('synthetic dataset', () => {
  it('default-size cases have all 13 organs, realistic volumes and >= 100:1 foreground class imbalance', () => {
    const total = new Float64Array(14);
    for (let k = 0; k < 12; k++) {
      const c = generateSyntheticCase(0, k);
      expect(c.shape).toEqual([64, 128, 128]);
      const cnt = new Array<number>(14).fill(0);
      for (const v of c.label) cnt[v]!++;
      for (let cl = 1; cl < 14; cl++) expect(cnt[cl]).toBeGreaterThanOrEqual(100);
      cnt.forEach((v, i) => (total[i] += v));
    }
    const ml = (cl: number) => (total[cl]! * 3 * 3 * 3.75) / 1000 / 12; // voxel = 3 x 3 x 3.75 mm
    expect(ml(6)).toBeGreaterThan(1200); // liver
    expect(ml(6)).toBeLessThan(2200);
    expect(ml(1)).toBeGreaterThan(120); // spleen ~200 ml
    expect(ml(1)).toBeLessThan(280);
    expect(ml(12)).toBeGreaterThan(8); // adrenals drawn at ~12 ml (see synthetic.ts)
    expect(ml(12)).toBeLessThan(16);
    const fg = Array.from(total.slice(1));
    const ratio = Math.max(...fg) / Math.min(...fg);
    console.log(`synthetic foreground class ratio ${ratio.toFixed(0)}:1`);
    expect(ratio).toBeGreaterThanOrEqual(100);
  });

  it('the built-in training set: every organ in every case, >= 100:1 between liver and the smallest organ, kidneys ' +
    'alike but for position', () => {
    const d = SYNTHETIC_DATA;
    const total = new Float64Array(14);
    const kidneyHu = [0, 0],
      kidneyN = [0, 0],
      kidneyX = [0, 0];
    for (let k = 0; k < 8; k++) {
      const c = generateSyntheticCase(d.seed, k, [...d.shape], [...d.fovMm], [...d.centerMm]);
      const cnt = new Array<number>(14).fill(0);
      const [, Y, X] = c.shape;
      for (let i = 0; i < c.label.length; i++) {
        const v = c.label[i]!;
        cnt[v]!++;
        if (v === 2 || v === 3) {
          kidneyHu[v - 2] += c.image[i]!;
          kidneyN[v - 2]++;
          kidneyX[v - 2] += i % X;
        }
      }
      void Y;
      for (let cl = 1; cl < 14; cl++) expect(cnt[cl], `case ${k} class ${cl}`).toBeGreaterThanOrEqual(80);
      cnt.forEach((v, i) => (total[i] += v));
    }
    const fg = Array.from(total.slice(1));
    expect(Math.max(...fg) / Math.min(...fg)).toBeGreaterThanOrEqual(100);
    // Same intensity distribution for both kidneys (within noise); opposite sides of the body.
    expect(Math.abs(kidneyHu[0] / kidneyN[0] - kidneyHu[1] / kidneyN[1])).toBeLessThan(5);
    const cx = (d.shape[2] - 1) / 2;
    expect(kidneyX[0] / kidneyN[0]).toBeLessThan(cx);
    expect(kidneyX[1] / kidneyN[1]).toBeGreaterThan(cx);
  });

  it('intensities: air, fat, liver ~55 HU, spleen ~45, kidneys and vessels brighter, bone present', () => {
    const c = generateSyntheticCase(3, 0);
    const sum = new Float64Array(14),
      n = new Float64Array(14);
    let air = 0,
      airN = 0,
      bone = 0;
    for (let i = 0; i < c.image.length; i++) {
      sum[c.label[i]!] += c.image[i]!;
      n[c.label[i]!]++;
      if (c.image[i]! < -900) {
        air += c.image[i]!;
        airN++;
      }
      if (c.image[i]! > 600 && c.label[i] === 0) bone++;
    }
    const mean = (cl: number) => sum[cl]! / n[cl]!;
    expect(Math.abs(mean(6) - 55)).toBeLessThan(20);
    expect(Math.abs(mean(1) - 45)).toBeLessThan(20);
    expect(mean(2)).toBeGreaterThan(mean(6) + 50);
    expect(mean(8)).toBeGreaterThan(150);
    expect(Math.abs(air / airN + 1000)).toBeLessThan(10);
    expect(bone).toBeGreaterThan(100);
  });

  it('writes the Synapse raw layout with spacing and splits; same seed gives identical bytes', () => {
    const a = generateSyntheticDataset({ outDir: join(dir, 'a'), cases: 3, shape: [16, 32, 32], seed: 7 });
    const b = generateSyntheticDataset({ outDir: join(dir, 'b'), cases: 3, shape: [16, 32, 32], seed: 7 });
    const c = generateSyntheticDataset({ outDir: join(dir, 'c'), cases: 3, shape: [16, 32, 32], seed: 8 });
    expect(a.ids).toEqual(['0001', '0002', '0003']);
    expect(a.imagePaths[0]).toMatch(/imagesTr\/img0001\.nii\.gz$/);
    expect(a.labelPaths[2]).toMatch(/labelsTr\/label0003\.nii\.gz$/);
    for (let k = 0; k < 3; k++) {
      expect(readFileSync(a.imagePaths[k]!).equals(readFileSync(b.imagePaths[k]!))).toBe(true);
      expect(readFileSync(a.labelPaths[k]!).equals(readFileSync(b.labelPaths[k]!))).toBe(true);
    }
    expect(readFileSync(a.imagePaths[0]!).equals(readFileSync(c.imagePaths[0]!))).toBe(false);
    const img = readNifti(a.imagePaths[0]!);
    expect(img.dtype).toBe('int16');
    expect(img.shape).toEqual([16, 32, 32]);
    expect(img.spacing[0]).toBeCloseTo(15, 5);
    expect(img.spacing[1]).toBeCloseTo(12, 5);
    expect(readNifti(a.labelPaths[0]!).dtype).toBe('uint8');
    const train = readSplitFile(join(dir, 'a', 'splits', 'train.txt'));
    const lab = readSplitFile(join(dir, 'a', 'splits', 'labeled_20p.txt'));
    const unl = readSplitFile(join(dir, 'a', 'splits', 'unlabeled_20p.txt'));
    expect([...lab, ...unl].sort()).toEqual(train);
    expect(lab.length).toBe(1);
  });
});
