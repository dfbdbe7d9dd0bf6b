// scripts/compare-curves.ts: the official trainer's log lines parse into a curve, and the largest late drop of a
// validation curve is measured against the best epoch before it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { largestDrop, readReferenceCurve } from '../scripts/compare-curves.js';

describe('compare-curves', () => {
  it('parses evaluation lines with numpy float wrappers', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'curves-')), 'official-seed7.txt');
    writeFileSync(
      path,
      'iteration 3 : loss 1.2\n' +
        'evaluation epoch 0, dice: 0.25, [np.float32(0.5), np.float32(0.0)]\n' +
        'evaluation epoch 1, dice: 0.75, [1.0, 0.5]\n',
    );
    const c = readReferenceCurve(path);
    expect(c.name).toBe('official-seed7');
    expect(c.epochs).toEqual([0, 1]);
    expect(c.mean).toEqual([0.25, 0.75]);
    expect(c.perOrgan).toEqual([
      [0.5, 0],
      [1, 0.5],
    ]);
  });

  it('finds the largest fall below an earlier best, not below the global best', () => {
    const curve = { name: 'x', epochs: [0, 1, 2, 3, 4, 5], mean: [0.1, 0.7, 0.2, 0.8, 0.6, 0.9], perOrgan: [] };
    const d = largestDrop(curve);
    expect(d.drop).toBeCloseTo(0.5, 12);
    expect(d.epoch).toBe(2);
    expect(largestDrop({ ...curve, mean: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] }).drop).toBe(0);
  });
});
