// The README's indexing table (PyTorch expression -> get/set form), each row checked against Python.
import { describe, expect, it } from 'vitest';
import { torch } from '../lib/index.js';
import { hasPython } from '../test-support/python.js';
import { pythonResults, readmeTable, tsResult } from '../test-support/readme-table.js';

describe.skipIf(!hasPython('torch'))('indexing table (README) vs Python torch', () => {
  it('every row gives what PyTorch gives', () => {
    const rows = readmeTable('### Indexing');
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(rows.some((r) => r.ts.startsWith('x.set('))).toBe(true);
    const py = pythonResults(rows);
    rows.forEach((r, k) => expect(tsResult(r), `${r.py}  <->  ${r.ts}`).toEqual(py[k]));
  });
});

describe('indexing semantics', () => {
  it('set(0, 1, v) writes one element and set([0, 1], v) two rows, as x[0, 1] and x[[0, 1]]', () => {
    torch.tidy(() => {
      const y = torch.zeros(3, 2);
      y.set(0, 1, 5);
      expect(y.toArray()).toEqual([
        [0, 5],
        [0, 0],
        [0, 0],
      ]);
      y.set([1, 2], 7);
      expect(y.toArray()).toEqual([
        [0, 5],
        [7, 7],
        [7, 7],
      ]);
    });
  });

  it('views write through; bad indices name the problem', () => {
    torch.tidy(() => {
      const x = torch.zeros(2, 3);
      x.get(1).set('1:', 4);
      expect(x.toArray()).toEqual([
        [0, 0, 0],
        [0, 4, 4],
      ]);
      expect(() => x.get(2)).toThrow(/out of bounds for dimension 0 with size 2/);
      expect(() => x.get(0, 0, 0)).toThrow(/too many indices/);
      expect(() => x.get('1:a')).toThrow(/not an integer/);
      expect(() => x.get([[0, 1], [1]])).toThrow(/ragged/);
      expect(() => (x.set as (...a: unknown[]) => unknown)(0, [1])).toThrow(/last argument is the value/);
      expect(() => (x.set as (...a: unknown[]) => unknown)()).toThrow(/indices followed by a value/);
    });
  });
});
