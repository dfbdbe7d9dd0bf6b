/**
 * A small tabular dataset for examples/mlp-tabular.ts: rows of a CSV file (numeric feature columns, an
 * integer class label in the last column). `makeTabularDataset(path)` is also the factory DataLoader
 * workers call to build their own copy.
 */
import { readFileSync, writeFileSync } from 'node:fs';
// Torch-free imports only: this module is also loaded inside DataLoader worker threads, and libtorch
// (the tensor library) can be loaded by one thread of a process only.
import * as data from '../lib/data/worker-safe.js';

export interface Row {
  features: Float32Array;
  label: bigint;
}

export class CsvDataset implements data.Dataset<Row> {
  readonly rows: Row[];
  readonly header: string[];
  constructor(path: string) {
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    this.header = lines[0]!.split(',');
    this.rows = lines.slice(1).map((line, i) => {
      const cells = line.split(',').map(Number);
      if (cells.length !== this.header.length || cells.some((v) => !Number.isFinite(v)))
        throw new Error(`${path}:${i + 2}: expected ${this.header.length} numbers`);
      return { features: Float32Array.from(cells.slice(0, -1)), label: BigInt(cells[cells.length - 1]!) };
    });
  }
  get length(): number {
    return this.rows.length;
  }
  getItem(i: number): Row {
    return this.rows[i]!;
  }
}

/** The train/test split of a table: deterministic in the seed, so workers rebuild exactly the main thread's split. */
export function splitTable(table: CsvDataset, seed: number): [data.Subset<Row>, data.Subset<Row>] {
  const [train, test] = data.randomSplit(table, [0.8, 0.2], seed);
  return [train!, test!];
}
/** Worker factory: the training split, built inside each worker thread. */
export const makeTrainSplit = (path: string, seed: number): data.Subset<Row> =>
  splitTable(new CsvDataset(path), seed)[0];

/**
 * Writes a synthetic 3-class table (4 features, `n` rows) as CSV: class means on a simplex, unit-variance
 * noise and one nuisance feature, deterministic from the seed. Stands in for a small real table (e.g. Iris).
 */
export function writeSyntheticCsv(path: string, n = 300, seed = 0): void {
  const rng = new data.Rng(seed);
  const means = [
    [2, 0, 0],
    [0, 2, 0],
    [0, 0, 2],
  ];
  const lines = ['f0,f1,f2,nuisance,label'];
  for (let i = 0; i < n; i++) {
    const c = rng.int(0, 3);
    const f = means[c]!.map((m) => (m + rng.normal()).toFixed(4));
    lines.push([...f, (rng.normal() * 3).toFixed(4), c].join(','));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}
