// A synthetic set generated with another labeled fraction gets the configured fraction's split files on demand,
// by the generator's own split rule (train/eval/test unchanged); a set whose splits differ is refused by name.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDataset } from '../lib/skcdf/datasets.js';
import { generateSyntheticDataset, syntheticSplits } from '../lib/skcdf/synthetic.js';
import { labeledSplitNames, SYNTHETIC_DATA as d } from '../lib/skcdf/training/config.js';

const root = mkdtempSync(join(tmpdir(), 'skcdf-splits-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function oldSet(name: string): { root: string; raw: string; preprocessed: string } {
  const paths = { root: join(root, name), raw: join(root, name, 'raw'), preprocessed: join(root, name, 'pre') };
  const { ids } = generateSyntheticDataset({
    outDir: paths.raw, cases: d.cases, shape: [8, 8, 8], fovMm: [...d.fovMm], centerMm: [...d.centerMm], seed: d.seed,
    labeledFractions: [0.5],
  });
  mkdirSync(paths.preprocessed, { recursive: true });
  for (const id of ids) writeFileSync(join(paths.preprocessed, `${id}_image.npy`), ''); // "already preprocessed"
  return paths;
}

const read = (dir: string, name: string): string[] => readFileSync(join(dir, `${name}.txt`), 'utf8').split('\n').filter(Boolean);

describe('synthetic split files on demand', () => {
  it('writes the configured labeled fraction with the generator rule and leaves train/eval/test as they were', () => {
    const paths = oldSet('a');
    const dir = join(paths.raw, 'splits');
    const before = ['train', 'eval', 'test'].map((n) => read(dir, n));
    const { labeled, unlabeled } = labeledSplitNames(d.labeledFraction);
    expect(() => read(dir, labeled)).toThrow();
    ensureDataset('synthetic', paths);
    const ids = Array.from({ length: d.cases }, (_, k) => String(k + 1).padStart(4, '0'));
    const want = syntheticSplits(ids, d.seed, [d.labeledFraction]);
    expect(read(dir, labeled)).toEqual(want[labeled]);
    expect(read(dir, unlabeled)).toEqual(want[unlabeled]);
    expect(read(dir, labeled).length).toBe(Math.round(d.labeledFraction * before[0]!.length));
    expect(['train', 'eval', 'test'].map((n) => read(dir, n))).toEqual(before);
  });

  it('refuses a set whose train split is not the generator\'s, naming the file', () => {
    const paths = oldSet('b');
    const dir = join(paths.raw, 'splits');
    writeFileSync(join(dir, 'train.txt'), read(dir, 'train').slice(1).join('\n') + '\n');
    expect(() => ensureDataset('synthetic', paths)).toThrow(`${join(dir, 'train.txt')} differs from the generator's split`);
  });
});
