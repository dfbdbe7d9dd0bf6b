// A tiny preprocessed dataset for training tests (7 cases of 36x40x40, all 14 classes as slabs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '../lib/io/npy.js';
import { Rng } from '../lib/data/prng.js';

const SHAPE = [36, 40, 40];

function writeCase(dataDir: string, id: string, seed: number): void {
  const rng = new Rng(seed);
  const [Z, Y, X] = SHAPE;
  const label = new Int8Array(Z * Y * X);
  const image = new Float32Array(Z * Y * X);
  const shift = rng.int(0, 4);
  for (let z = 0; z < Z; z++)
    for (let y = 0; y < Y; y++)
      for (let x = 0; x < X; x++) {
        const i = (z * Y + y) * X + x;
        const inBody = y > 4 && y < Y - 4 && x > 4 && x < X - 4;
        const c = inBody && x > 4 + shift ? Math.min(13, Math.floor((z * 14) / Z)) : 0;
        label[i] = c;
        image[i] = (inBody ? -100 + 25 * c : -1000) + 10 * rng.normal();
      }
  writeNpy(join(dataDir, `${id}_image.npy`), { data: image, shape: SHAPE, dtype: 'float32' });
  writeNpy(join(dataDir, `${id}_label.npy`), { data: label, shape: SHAPE, dtype: 'int8' });
}

/** Writes `<root>/data/*.npy` and the splits labeled (2), unlabeled (4), eval (1) into `root`. */
export function writeTinyDataset(root: string): void {
  const dataDir = join(root, 'data');
  mkdirSync(dataDir, { recursive: true });
  ['a1', 'a2', 'u1', 'u2', 'u3', 'u4', 'e1'].forEach((id, k) => writeCase(dataDir, id, k + 1));
  writeFileSync(join(root, 'labeled.txt'), 'a1\na2\n');
  writeFileSync(join(root, 'unlabeled.txt'), 'u1\nu2\nu3\nu4\n');
  writeFileSync(join(root, 'eval.txt'), 'e1\n');
}
