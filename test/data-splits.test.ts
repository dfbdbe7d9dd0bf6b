import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSplits, parseSplit, readSplit } from '../lib/skcdf/data/splits.js';

const dir = mkdtempSync(join(tmpdir(), 'skcdf-splits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('splits', () => {
  it('reads the repository splits (Synapse: 20 train = 4 labeled_20p + 16 unlabeled_20p)', () => {
    const train = readSplit('synapse', 'train');
    const lab = readSplit('synapse', 'labeled_20p');
    const unl = readSplit('synapse', 'unlabeled_20p');
    expect(train.length).toBe(20);
    expect(lab).toEqual(['0021', '0023', '0028', '0032']);
    expect([...lab, ...unl].sort()).toEqual([...train].sort());
    expect(readSplit('amos', 'eval')[0]).toBe('amos_0027');
  });
  it('parses ids, ignoring blanks and comments; rejects duplicates naming the line', () => {
    expect(parseSplit('a\n\n b \n# x\nc # note\n')).toEqual(['a', 'b', 'c']);
    expect(() => parseSplit('a\nb\na\n', 'f.txt')).toThrow(/f\.txt:3: duplicate case id 'a'/);
    expect(() => readSplit('synapse', 'nope', dir)).toThrow(/nope\.txt/);
  });
  it('makeSplits partitions by the fractions, is seeded, and writes files', () => {
    const ids = Array.from({ length: 30 }, (_, i) => String(i + 1).padStart(4, '0'));
    const s = makeSplits({
      ids,
      seed: 3,
      trainFraction: 0.7,
      evalFraction: 0.1,
      labeledFractions: [0.2, 0.1],
      outDir: dir,
    });
    expect([s.train!.length, s.eval!.length, s.test!.length]).toEqual([21, 3, 6]);
    expect([...s.train!, ...s.eval!, ...s.test!].sort()).toEqual(ids);
    expect(s.labeled_20p!.length).toBe(4); // round(0.2 * 21)
    expect(s.labeled_10p!.length).toBe(2);
    expect([...s.labeled_20p!, ...s.unlabeled_20p!].sort()).toEqual(s.train);
    expect(makeSplits({ ids, seed: 3, trainFraction: 0.7, evalFraction: 0.1, labeledFractions: [0.2, 0.1] })).toEqual(
      s,
    );
    expect(makeSplits({ ids, seed: 4, trainFraction: 0.7, evalFraction: 0.1 }).train).not.toEqual(s.train);
    expect(readFileSync(join(dir, 'labeled_20p.txt'), 'utf8')).toBe(s.labeled_20p!.map((x) => `${x}\n`).join(''));
  });
});
