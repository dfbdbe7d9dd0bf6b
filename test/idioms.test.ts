// The README's "Coming from PyTorch" table, each row checked against Python torch.
import { describe, expect, it } from 'vitest';
import { hasPython } from '../test-support/python.js';
import { pythonResults, readmeTable, tsResult } from '../test-support/readme-table.js';

describe.skipIf(!hasPython('torch'))('Coming from PyTorch (README) vs Python torch', () => {
  it('every row gives what PyTorch gives', () => {
    const rows = readmeTable('### Coming from PyTorch');
    expect(rows.length).toBeGreaterThanOrEqual(40);
    const py = pythonResults(rows);
    rows.forEach((r, k) => expect(tsResult(r), `${r.py}  <->  ${r.ts}`).toEqual(py[k]));
  });
});
