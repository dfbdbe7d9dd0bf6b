import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/data/prng.js';
import type { Shape3 } from '../lib/data/resize.js';
import { distanceTransform, type Spacing3 } from '../lib/skcdf/edt.js';
import {
  asd,
  assd,
  dice,
  directedSurfaceDistances,
  evaluateCase,
  hd,
  hd95,
  percentile,
  EMPTY_MASK_DISTANCE,
} from '../lib/skcdf/metrics.js';

const dir = join(import.meta.dirname, 'fixtures/metrics');
// The reference fixtures' precision notes: metrics agree to 1e-9 relative (test/fixtures/metrics holds the values)
const REL = 1e-9;

/** Minimal .npy reader for the uint8 C-order fixtures (keeps this suite independent of lib/io). */
function readNpyU8(path: string): { data: Uint8Array; shape: number[] } {
  const buf = readFileSync(path);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  if (!/'descr':\s*'\|u1'/.test(header) || /'fortran_order':\s*True/.test(header)) {
    throw new Error(`${path}: expected C-order uint8, header ${header}`);
  }
  const shape = header
    .match(/'shape':\s*\(([^)]*)\)/)![1]
    .split(',')
    .filter((s) => s.trim())
    .map(Number);
  const data = new Uint8Array(
    buf.buffer,
    buf.byteOffset + start + hlen,
    shape.reduce((a, b) => a * b, 1),
  ).slice();
  return { data, shape };
}

function expectRel(actual: number, expected: number, what: string): void {
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  if (!(err <= REL)) throw new Error(`${what}: got ${actual}, expected ${expected} (rel err ${err})`);
}

const rng = (seed: number): (() => number) => {
  const r = new Rng(seed);
  return () => r.next();
};

/** Brute-force O(n * features) distance to the nearest feature, summed like SciPy ((z + y) + x). */
function bruteDistance(feat: ArrayLike<number>, shape: Shape3, sp: Spacing3): Float64Array {
  const [Z, Y, X] = shape;
  const fz: number[] = [],
    fy: number[] = [],
    fx: number[] = [];
  for (let z = 0, i = 0; z < Z; z++)
    for (let y = 0; y < Y; y++)
      for (let x = 0; x < X; x++, i++) {
        if (feat[i]) {
          fz.push(z);
          fy.push(y);
          fx.push(x);
        }
      }
  const out = new Float64Array(Z * Y * X);
  for (let z = 0, i = 0; z < Z; z++)
    for (let y = 0; y < Y; y++)
      for (let x = 0; x < X; x++, i++) {
        let best = Infinity;
        for (let k = 0; k < fz.length; k++) {
          const a = sp[0] * (z - fz[k]),
            b = sp[1] * (y - fy[k]),
            c = sp[2] * (x - fx[k]);
          const d = a * a + b * b + c * c;
          if (d < best) best = d;
        }
        out[i] = Math.sqrt(best);
      }
  return out;
}

/** Brute-force border: X minus its 6-neighbourhood erosion, outside the array = background. */
function bruteBorder(m: ArrayLike<number>, shape: Shape3): Uint8Array {
  const [Z, Y, X] = shape;
  const at = (z: number, y: number, x: number): number =>
    z < 0 || y < 0 || x < 0 || z >= Z || y >= Y || x >= X ? 0 : m[(z * Y + y) * X + x] ? 1 : 0;
  const out = new Uint8Array(Z * Y * X);
  for (let z = 0, i = 0; z < Z; z++)
    for (let y = 0; y < Y; y++)
      for (let x = 0; x < X; x++, i++) {
        if (!at(z, y, x)) continue;
        const inner =
          at(z - 1, y, x) &&
          at(z + 1, y, x) &&
          at(z, y - 1, x) &&
          at(z, y + 1, x) &&
          at(z, y, x - 1) &&
          at(z, y, x + 1);
        out[i] = inner ? 0 : 1;
      }
  return out;
}

function bruteSds(p: Uint8Array, r: Uint8Array, shape: Shape3, sp: Spacing3): Float64Array {
  const bp = bruteBorder(p, shape),
    br = bruteBorder(r, shape);
  const dt = bruteDistance(br, shape, sp);
  const out: number[] = [];
  for (let i = 0; i < bp.length; i++) if (bp[i]) out.push(dt[i]);
  return Float64Array.from(out);
}

/** Random blobby mask: a few boxes/balls, optionally touching the faces. */
function randomMask(shape: Shape3, r: () => number, k: number): Uint8Array {
  const [Z, Y, X] = shape;
  const m = new Uint8Array(Z * Y * X);
  for (let b = 0; b < k; b++) {
    const cz = r() * Z,
      cy = r() * Y,
      cx = r() * X,
      rad = 1 + r() * 3;
    for (let z = 0, i = 0; z < Z; z++)
      for (let y = 0; y < Y; y++)
        for (let x = 0; x < X; x++, i++) {
          if ((z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2 <= rad * rad) m[i] = 1;
        }
  }
  for (let i = 0; i < m.length; i++) if (r() < 0.01) m[i] = 1; // isolated voxels
  return m;
}

const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
  shape: [number, number, number];
  spacings: Record<string, [number, number, number]>;
  pairs: { index: number; pred: string; ref: string; values: Record<string, Record<string, number>> }[];
};

describe('EDT', () => {
  it('equals brute force on random anisotropic volumes', () => {
    const r = rng(12345);
    const cases: [Shape3, Spacing3, number][] = [
      [[7, 9, 11], [2.5, 0.8, 0.8], 0.03],
      [[12, 5, 8], [0.7, 1.9, 1.3], 0.01],
      [[6, 10, 9], [1, 1, 1], 0.2],
      [[1, 13, 17], [3, 0.5, 1.1], 0.05],
      [[9, 1, 6], [1.5, 2, 0.3], 0.1],
      [[5, 6, 1], [0.9, 1.7, 4], 0.1],
      [[10, 10, 10], [1.2, 0.6, 3.3], 0.002],
    ];
    for (const [shape, sp, density] of cases) {
      for (let rep = 0; rep < 3; rep++) {
        const n = shape[0] * shape[1] * shape[2];
        const feat = new Uint8Array(n);
        for (let i = 0; i < n; i++) feat[i] = r() < density ? 1 : 0;
        if (!feat.some((v) => v)) feat[Math.floor(r() * n)] = 1;
        const ours = distanceTransform(feat, shape, sp);
        const ref = bruteDistance(feat, shape, sp);
        for (let i = 0; i < n; i++) {
          if (Math.abs(ours[i] - ref[i]) > 1e-12 * Math.max(1, ref[i])) {
            throw new Error(`shape ${shape} spacing ${sp} voxel ${i}: ${ours[i]} vs brute ${ref[i]}`);
          }
        }
      }
    }
  });

  it('gives Infinity without features and rejects bad shapes', () => {
    expect(Array.from(distanceTransform(new Uint8Array(8), [2, 2, 2], [1, 1, 1]))).toEqual(new Array(8).fill(Infinity));
    expect(() => distanceTransform(new Uint8Array(7), [2, 2, 2], [1, 1, 1])).toThrow(/7 elements/);
    expect(() => distanceTransform(new Uint8Array(8), [2, 2, 2], [1, 0, 1])).toThrow(/spacing/);
  });
});

describe('surface distances', () => {
  it('directedSurfaceDistances equals brute-force borders and distances (objects on faces, anisotropic)', () => {
    const r = rng(777);
    const shapes: Shape3[] = [
      [8, 9, 10],
      [5, 12, 7],
      [11, 6, 6],
    ];
    const spacings: Spacing3[] = [
      [2.5, 0.8, 0.8],
      [1, 1, 1],
      [0.6, 1.4, 2.2],
    ];
    for (const shape of shapes)
      for (const sp of spacings) {
        const p = randomMask(shape, r, 2),
          g = randomMask(shape, r, 2);
        const ours = directedSurfaceDistances(p, g, shape, sp);
        const ref = bruteSds(p, g, shape, sp);
        expect(ours.length).toBe(ref.length);
        for (let i = 0; i < ref.length; i++)
          expect(Math.abs(ours[i] - ref[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, ref[i]));
      }
  });

  it('throws on empty masks like medpy', () => {
    const z = new Uint8Array(8),
      o = new Uint8Array(8).fill(1);
    expect(() => asd(z, o, [2, 2, 2], [1, 1, 1])).toThrow(/pred contains no foreground/);
    expect(() => hd95(o, z, [2, 2, 2], [1, 1, 1])).toThrow(/ref contains no foreground/);
    expect(dice(z, z)).toBe(0);
  });

  it('percentile matches numpy linear interpolation', () => {
    // np.percentile([1, 2, 3, 4], 95) = 3.8499999999999996; np.percentile([0, 10], 95) = 9.5
    expect(percentile([4, 1, 3, 2], 95)).toBe(3.8499999999999996);
    expect(percentile([10, 0], 95)).toBe(9.5);
    expect(percentile([7], 95)).toBe(7);
  });
});

describe('fixtures (medpy / SciPy values, 1e-9 relative)', () => {
  for (const pair of expected.pairs) {
    for (const [key, sp] of Object.entries(expected.spacings)) {
      it(`pair${pair.index} spacing ${key}`, () => {
        const pred = readNpyU8(join(dir, pair.pred)),
          ref = readNpyU8(join(dir, pair.ref));
        expect(pred.shape).toEqual(expected.shape);
        const shape = expected.shape;
        const v = pair.values[key];
        const tag = `pair${pair.index} ${key}`;
        const dPR = directedSurfaceDistances(pred.data, ref.data, shape, sp);
        const dRP = directedSurfaceDistances(ref.data, pred.data, shape, sp);
        expect(dPR.length).toBe(v.n_border_pred);
        expect(dRP.length).toBe(v.n_border_ref);
        expectRel(dice(pred.data, ref.data), v.dc, `${tag} dc`);
        expectRel(asd(pred.data, ref.data, shape, sp), v.asd, `${tag} asd`);
        expectRel(asd(ref.data, pred.data, shape, sp), v.asd_ref_to_pred, `${tag} asd_ref_to_pred`);
        expectRel(assd(pred.data, ref.data, shape, sp), v.assd, `${tag} assd`);
        expectRel(hd(pred.data, ref.data, shape, sp), v.hd, `${tag} hd`);
        expectRel(hd95(pred.data, ref.data, shape, sp), v.hd95, `${tag} hd95`);
        expectRel(Math.max(...dPR), v.hd_pred_to_ref, `${tag} hd_pred_to_ref`);
        expectRel(Math.max(...dRP), v.hd_ref_to_pred, `${tag} hd_ref_to_pred`);
        const p95PR = percentile(dPR, 95),
          p95RP = percentile(dRP, 95);
        expectRel(p95PR, v.p95_pred_to_ref, `${tag} p95_pred_to_ref`);
        expectRel(p95RP, v.p95_ref_to_pred, `${tag} p95_ref_to_pred`);
        expectRel(Math.max(p95PR, p95RP), v.hd95_max_of_directed, `${tag} hd95_max_of_directed`);
        let s = 0;
        for (const d of dPR) s += d;
        for (const d of dRP) s += d;
        expectRel(s / (dPR.length + dRP.length), v.assd_pooled, `${tag} assd_pooled`);
        // medpy hd95 (pooled) differs from the max-of-directed variant in every fixture pair
        expect(Math.abs(v.hd95 - v.hd95_max_of_directed)).toBeGreaterThan(1e-6);

        // the per-class evaluator on the same pair as a 2-class label map
        const [m] = evaluateCase(pred.data, ref.data, shape, sp, 2);
        expect(m.classIndex).toBe(1);
        expect(m.nPred).toBe(v.n_pred);
        expect(m.nLabel).toBe(v.n_ref);
        expectRel(m.dice, 100 * v.dc, `${tag} evaluateCase dice`);
        expectRel(m.asd, v.asd, `${tag} evaluateCase asd`);
        expectRel(m.assd, v.assd, `${tag} evaluateCase assd`);
        expectRel(m.hd95, v.hd95, `${tag} evaluateCase hd95`);
      });
    }
  }
});

describe('evaluateCase', () => {
  it('matches the binary functions per class on a multi-class label map, and applies the empty-mask rules', () => {
    const shape: Shape3 = [40, 48, 56];
    const sp: Spacing3 = [2.5, 0.8, 0.8];
    const n = shape[0] * shape[1] * shape[2];
    const pred = new Int16Array(n),
      label = new Int16Array(n);
    // class 1 from pair0, class 2 from pair2 where free, class 3 only in pred, class 4 only in label,
    // class 5 in neither
    const p0 = readNpyU8(join(dir, 'pair0_pred.npy')).data,
      r0 = readNpyU8(join(dir, 'pair0_ref.npy')).data;
    const p2 = readNpyU8(join(dir, 'pair2_pred.npy')).data,
      r2 = readNpyU8(join(dir, 'pair2_ref.npy')).data;
    for (let i = 0; i < n; i++) {
      pred[i] = p0[i] ? 1 : p2[i] ? 2 : 0;
      label[i] = r0[i] ? 1 : r2[i] ? 2 : 0;
    }
    pred[0] = 3;
    pred[1] = 3;
    label[n - 1] = 4;
    const res = evaluateCase(pred, label, shape, sp, 6);
    expect(res.map((m) => m.classIndex)).toEqual([1, 2, 3, 4, 5]);
    for (const c of [1, 2]) {
      const P = Uint8Array.from(pred, (v) => (v === c ? 1 : 0));
      const G = Uint8Array.from(label, (v) => (v === c ? 1 : 0));
      const m = res[c - 1];
      expectRel(m.dice, 100 * dice(P, G), `class ${c} dice`);
      expectRel(m.asd, asd(P, G, shape, sp), `class ${c} asd`);
      expectRel(m.assd, assd(P, G, shape, sp), `class ${c} assd`);
      expectRel(m.hd95, hd95(P, G, shape, sp), `class ${c} hd95`);
    }
    const e = EMPTY_MASK_DISTANCE;
    expect(e).toBe(128);
    expect(res[2]).toEqual({ classIndex: 3, dice: 0, asd: e, assd: e, hd95: e, nPred: 2, nLabel: 0 });
    expect(res[3]).toEqual({ classIndex: 4, dice: 0, asd: e, assd: e, hd95: e, nPred: 0, nLabel: 1 });
    // both empty: Dice 100, ASD 0 (the reference records 1 there, a scale slip)
    expect(res[4]).toEqual({ classIndex: 5, dice: 100, asd: 0, assd: 0, hd95: 0, nPred: 0, nLabel: 0 });

    // symmetric: false computes only Dice and the directed ASD
    const lite = evaluateCase(pred, label, shape, sp, 6, { symmetric: false });
    expect(lite[0].asd).toBe(res[0].asd);
    expect(lite[0].dice).toBe(res[0].dice);
    expect(lite[0].assd).toBeNaN();
    expect(lite[0].hd95).toBeNaN();

    // other label dtypes give the same result
    const asBig = evaluateCase(
      BigInt64Array.from(pred, (v) => BigInt(v)),
      Uint8Array.from(label),
      shape,
      sp,
      6,
    );
    expect(asBig).toEqual(res);
  });

  it('rejects bad labels and shapes with a named error', () => {
    const a = new Uint8Array(8);
    a[3] = 7;
    expect(() => evaluateCase(a, new Uint8Array(8), [2, 2, 2], [1, 1, 1], 3)).toThrow(
      /evaluateCase\(pred\): label 7 at index 3/,
    );
    expect(() => evaluateCase(new Uint8Array(8), new Uint8Array(9), [2, 2, 2], [1, 1, 1], 3)).toThrow(
      /evaluateCase\(label\): 9 elements/,
    );
    const f = new Float32Array(8);
    f[0] = 1.5;
    expect(() => evaluateCase(new Uint8Array(8), f, [2, 2, 2], [1, 1, 1], 3)).toThrow(/label 1.5/);
  });
});
