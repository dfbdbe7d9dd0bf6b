/**
 * A synthetic CT dataset in Synapse's raw layout, for tests and smoke runs without the real data.
 *
 * `imagesTr/img0001.nii.gz` (int16 HU) and `labelsTr/label0001.nii.gz` (uint8, Synapse class indices),
 * plus splits (train/eval/test, labeled_20p/unlabeled_20p) under `<outDir>/splits/`.
 * Content: air (-1000) outside an elliptic body; subcutaneous fat (-100), a muscle wall, visceral fat
 * and bowel inside; a spine with cortical bone (~700 HU) and ribs; the 13 Synapse organs as ellipsoids
 * or tubes deformed by smooth low-frequency noise, with per-case jitter of position, size and shape.
 *
 * Organ volumes follow the spec's adult orders of magnitude (liver ~1.8 l, stomach 300 ml, spleen 200 ml,
 * kidneys 150 ml, pancreas 80 ml, gallbladder 40 ml, aorta/IVC ~90 ml in the field of view, portal and
 * splenic veins ~20 ml, abdominal esophagus ~10 ml) except the adrenals: they are given ~1.2 ml each, the
 * size of the thin limbs a CT label typically covers, rather than the ~5 ml gland, so that foreground
 * class sizes span more than 1000:1 (liver : adrenal) as in real Synapse labels.
 * Everything is deterministic from `seed` (own PRNG; see lib/data/prng.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeNifti } from '../io/nifti.js';
import { deriveSeed, Rng } from '../data/prng.js';
import { makeSplits, writeSplits } from './data/splits.js';

/** generateSyntheticDataset's options: output folder, cases, shape, field of view, seed, labeled fractions. */
export interface SyntheticOptions {
  outDir: string;
  /** Number of cases (default 12). */
  cases?: number;
  /** Volume shape [z, y, x] (default [64, 128, 128]). */
  shape?: [number, number, number];
  seed?: number;
  /** Field of view in mm [z, y, x] (default [240, 384, 384]); spacing = fov / shape. */
  fovMm?: [number, number, number];
  /** Centre of the field of view in body coordinates, mm [z, y, x] (default [0, 0, 0]; z superior+). */
  centerMm?: [number, number, number];
  /** Labeled fractions for the split files (default [0.2]). */
  labeledFractions?: number[];
}

/** One generated case: int16 HU image, uint8 labels, shape and voxel spacing. */
export interface SyntheticCase {
  id: string;
  image: Int16Array;
  label: Uint8Array;
  shape: [number, number, number];
  spacing: [number, number, number];
}

/** A generated dataset: the case ids, the files and splits written, the shape and the voxel spacing. */
export interface SyntheticResult {
  ids: string[];
  imagePaths: string[];
  labelPaths: string[];
  splits: Record<string, string[]>;
  shape: [number, number, number];
  spacing: [number, number, number];
}

type V3 = [number, number, number];

interface OrganSpec {
  label: number;
  hu: number;
  kind: 'ellipsoid' | 'tube';
  /** ellipsoid: centre (x left+, y posterior+, z superior+; mm), volume (ml), aspect, rotation about z. */
  c?: V3;
  ml?: number;
  aspect?: V3;
  rot?: number;
  /** tube: polyline and radius (mm). */
  pts?: V3[];
  r?: number;
}

// Painting order: later organs overwrite earlier ones.
const ORGANS: OrganSpec[] = [
  { label: 6, hu: 55, kind: 'ellipsoid', c: [-55, -5, 50], ml: 1800, aspect: [1, 0.85, 0.62], rot: 0.2 }, // liver
  { label: 7, hu: 25, kind: 'ellipsoid', c: [60, -35, 55], ml: 300, aspect: [1, 0.7, 1], rot: -0.3 }, // stomach
  { label: 1, hu: 45, kind: 'ellipsoid', c: [100, 45, 45], ml: 200, aspect: [0.6, 1, 0.9], rot: -0.5 }, // spleen
  { label: 2, hu: 160, kind: 'ellipsoid', c: [-70, 50, 0], ml: 150, aspect: [0.6, 0.6, 1], rot: 0.3 }, // right kidney
  { label: 3, hu: 160, kind: 'ellipsoid', c: [72, 52, 8], ml: 150, aspect: [0.6, 0.6, 1], rot: -0.3 }, // left kidney
  { label: 11, hu: 45, kind: 'ellipsoid', c: [15, 10, 20], ml: 80, aspect: [1, 0.2, 0.35], rot: 0.15 }, // pancreas
  { label: 4, hu: 8, kind: 'ellipsoid', c: [-50, -45, 15], ml: 40, aspect: [0.6, 0.6, 1], rot: 0 }, // gallbladder
  {
    label: 9,
    hu: 160,
    kind: 'tube',
    pts: [
      [-22, 30, -130],
      [-22, 30, 40],
      [-30, 25, 100],
    ],
    r: 11,
  }, // IVC
  {
    label: 8,
    hu: 220,
    kind: 'tube',
    pts: [
      [12, 38, -130],
      [10, 38, 130],
    ],
    r: 11.5,
  }, // aorta
  {
    label: 10,
    hu: 180,
    kind: 'tube',
    pts: [
      [85, 30, 35],
      [20, 15, 30],
      [-25, 5, 45],
    ],
    r: 7.5,
  }, // portal/splenic veins
  {
    label: 5,
    hu: 40,
    kind: 'tube',
    pts: [
      [5, 20, 55],
      [12, 15, 130],
    ],
    r: 8.5,
  }, // esophagus
  { label: 12, hu: 35, kind: 'ellipsoid', c: [-42, 42, 48], ml: 12, aspect: [0.45, 0.7, 1], rot: 0.4 }, // right adrenal
  { label: 13, hu: 35, kind: 'ellipsoid', c: [45, 45, 40], ml: 12, aspect: [0.45, 0.7, 1], rot: -0.4 }, // left adrenal
];

/** Smooth random field: a sum of three plane waves, values in about [-1, 1]. */
function makeField(rng: Rng, minWave: number, maxWave: number): (x: number, y: number, z: number) => number {
  const waves: number[][] = [];
  for (let k = 0; k < 3; k++) {
    const th = rng.uniform(0, Math.PI);
    const ph = rng.uniform(0, 2 * Math.PI);
    const len = (2 * Math.PI) / rng.uniform(minWave, maxWave);
    waves.push([
      len * Math.sin(th) * Math.cos(ph),
      len * Math.sin(th) * Math.sin(ph),
      len * Math.cos(th),
      rng.uniform(0, 2 * Math.PI),
    ]);
  }
  return (x, y, z) => {
    let s = 0;
    for (const w of waves) s += Math.sin(w[0]! * x + w[1]! * y + w[2]! * z + w[3]!);
    return s / 3;
  };
}

function segDist2(p: V3, a: V3, b: V3): number {
  const abx = b[0] - a[0],
    aby = b[1] - a[1],
    abz = b[2] - a[2];
  const apx = p[0] - a[0],
    apy = p[1] - a[1],
    apz = p[2] - a[2];
  const t = Math.max(0, Math.min(1, (apx * abx + apy * aby + apz * abz) / (abx * abx + aby * aby + abz * abz)));
  const dx = apx - t * abx,
    dy = apy - t * aby,
    dz = apz - t * abz;
  return dx * dx + dy * dy + dz * dz;
}

/** Generates one case in memory. */
export function generateSyntheticCase(
  seed: number,
  index: number,
  shape: V3 = [64, 128, 128],
  fovMm: V3 = [240, 384, 384],
  centerMm: V3 = [0, 0, 0],
): SyntheticCase {
  const [Z, Y, X] = shape;
  const spacing: V3 = [fovMm[0] / Z, fovMm[1] / Y, fovMm[2] / X];
  const [sz, sy, sx] = spacing;
  const rng = new Rng(deriveSeed(seed, index, 0x5eed));
  const n = Z * Y * X;
  const image = new Int16Array(n);
  const label = new Uint8Array(n);
  const hu = new Float32Array(n);
  const xmm = (ix: number) => (ix + 0.5 - X / 2) * sx + centerMm[2];
  const ymm = (iy: number) => (iy + 0.5 - Y / 2) * sy + centerMm[1];
  const zmm = (iz: number) => (iz + 0.5 - Z / 2) * sz + centerMm[0];

  // Body and background tissues.
  const bodyScale = rng.uniform(0.92, 1.06);
  const ax = 165 * bodyScale * rng.uniform(0.97, 1.03);
  const ay = 115 * bodyScale * rng.uniform(0.97, 1.03);
  const fatMm = rng.uniform(12, 28);
  const bowel = makeField(rng, 25, 60);
  const spineY = ay * 0.62;
  const ribPhase = rng.uniform(0, 25);
  const body = new Uint8Array(n);
  for (let iz = 0; iz < Z; iz++) {
    const z = zmm(iz);
    const discs = (z + 300) % 32 < 5; // intervertebral discs every 32 mm
    for (let iy = 0; iy < Y; iy++) {
      const y = ymm(iy);
      for (let ix = 0; ix < X; ix++) {
        const x = xmm(ix);
        const i = (iz * Y + iy) * X + ix;
        const rho = Math.sqrt((x / ax) ** 2 + (y / ay) ** 2);
        if (rho >= 1) {
          hu[i] = -1000;
          continue;
        }
        body[i] = 1;
        const depth = ((1 - rho) * (ax + ay)) / 2; // approx. distance from the skin, mm
        let v: number;
        if (depth < fatMm) v = -100;
        else if (depth < fatMm + 10)
          v = 45; // abdominal wall muscle
        else v = bowel(x, y, z) > 0.25 ? 20 : -90; // bowel loops in visceral fat
        // ribs: thin bands near the wall in the upper abdomen, not at the anterior midline
        if (z > -10 && depth > fatMm + 2 && depth < fatMm + 9 && (z + ribPhase + 300) % 25 < 9 && Math.abs(x) > 40)
          v = 700;
        // spine: vertebral body (cortical shell, cancellous core), canal, spinous process
        const dv = Math.hypot(x, y - spineY);
        if (dv < 19) v = discs ? 80 : dv > 15 ? 700 : 250;
        else if (Math.hypot(x, y - spineY - 27) < 8) v = 15;
        else if (Math.abs(x) < 5 && y > spineY + 35 && y < spineY + 55) v = 650;
        hu[i] = v;
      }
    }
  }

  // Organs.
  const shift: V3 = [rng.normal() * 4, rng.normal() * 4, rng.normal() * 8];
  for (const o of ORGANS) {
    const jit: V3 = [shift[0] + rng.normal() * 4, shift[1] + rng.normal() * 4, shift[2] + rng.normal() * 5];
    const field = makeField(rng, 40, 120);
    const amp = 0.12;
    const huO = o.hu + rng.normal() * 5;
    let inside: (p: V3) => boolean;
    let lo: V3, hi: V3;
    if (o.kind === 'ellipsoid') {
      const scale = rng.uniform(0.9, 1.1) * bodyScale;
      const asp = o.aspect!;
      const k = Math.cbrt((3 * o.ml! * 1000) / (4 * Math.PI * asp[0] * asp[1] * asp[2]));
      const r: V3 = [
        k * asp[0] * scale * rng.uniform(0.93, 1.07),
        k * asp[1] * scale * rng.uniform(0.93, 1.07),
        k * asp[2] * scale * rng.uniform(0.93, 1.07),
      ];
      const c: V3 = [o.c![0] * bodyScale + jit[0], o.c![1] * bodyScale + jit[1], o.c![2] + jit[2]];
      const rot = (o.rot ?? 0) + rng.normal() * 0.08;
      const cs = Math.cos(rot),
        sn = Math.sin(rot);
      inside = (p) => {
        const dx = p[0] - c[0],
          dy = p[1] - c[1],
          dz = p[2] - c[2];
        const u = (dx * cs + dy * sn) / r[0],
          w = (-dx * sn + dy * cs) / r[1],
          t = dz / r[2];
        const lim = 1 + amp * field(p[0], p[1], p[2]);
        return u * u + w * w + t * t < lim * lim;
      };
      const m = Math.max(r[0], r[1]) * (1 + amp);
      lo = [c[0] - m, c[1] - m, c[2] - r[2] * (1 + amp)];
      hi = [c[0] + m, c[1] + m, c[2] + r[2] * (1 + amp)];
    } else {
      const pts = o.pts!.map(
        (p) =>
          [
            p[0] * bodyScale + jit[0] + rng.normal() * 2,
            p[1] * bodyScale + jit[1] + rng.normal() * 2,
            p[2] + jit[2],
          ] as V3,
      );
      const rad = o.r! * rng.uniform(0.9, 1.1);
      inside = (p) => {
        let d2 = Infinity;
        for (let s = 0; s + 1 < pts.length; s++) d2 = Math.min(d2, segDist2(p, pts[s]!, pts[s + 1]!));
        const lim = rad * (1 + amp * field(p[0], p[1], p[2]));
        return d2 < lim * lim;
      };
      const m = rad * (1 + amp);
      lo = [
        Math.min(...pts.map((p) => p[0])) - m,
        Math.min(...pts.map((p) => p[1])) - m,
        Math.min(...pts.map((p) => p[2])) - m,
      ];
      hi = [
        Math.max(...pts.map((p) => p[0])) + m,
        Math.max(...pts.map((p) => p[1])) + m,
        Math.max(...pts.map((p) => p[2])) + m,
      ];
    }
    // Voxel index range of the organ's bounding box (inverse of xmm/ymm/zmm).
    const range = (l: number, h: number, c: number, sp: number, n: number): [number, number] => [
      Math.max(0, Math.floor((l - c) / sp + n / 2 - 0.5)),
      Math.min(n - 1, Math.ceil((h - c) / sp + n / 2 - 0.5)),
    ];
    const [ix0, ix1] = range(lo[0], hi[0], centerMm[2], sx, X);
    const [iy0, iy1] = range(lo[1], hi[1], centerMm[1], sy, Y);
    const [iz0, iz1] = range(lo[2], hi[2], centerMm[0], sz, Z);
    const p: V3 = [0, 0, 0];
    for (let iz = iz0; iz <= iz1; iz++) {
      p[2] = zmm(iz);
      for (let iy = iy0; iy <= iy1; iy++) {
        p[1] = ymm(iy);
        for (let ix = ix0; ix <= ix1; ix++) {
          const i = (iz * Y + iy) * X + ix;
          if (!body[i]) continue;
          p[0] = xmm(ix);
          if (inside(p)) {
            label[i] = o.label;
            hu[i] = huO;
          }
        }
      }
    }
  }

  // Noise and quantization.
  for (let i = 0; i < n; i++) {
    const v = hu[i]! + rng.normal() * (body[i] ? 10 : 4);
    image[i] = Math.max(-1024, Math.min(3071, Math.round(v)));
  }
  return { id: caseId(index), image, label, shape: [Z, Y, X], spacing };
}

function caseId(index: number): string {
  return String(index + 1).padStart(4, '0');
}

/** The synthetic set's splits: 2/3 train, 1/6 eval, the rest test, then each labeled fraction of train. */
export function syntheticSplits(ids: string[], seed: number, labeledFractions: number[]): Record<string, string[]> {
  return makeSplits({ ids, seed, trainFraction: 2 / 3, evalFraction: 1 / 6, labeledFractions });
}

/** Writes the synthetic dataset (Synapse raw layout + splits) and returns paths and splits. */
export function generateSyntheticDataset(opts: SyntheticOptions): SyntheticResult {
  const {
    outDir,
    cases = 12,
    shape = [64, 128, 128],
    seed = 0,
    fovMm = [240, 384, 384],
    centerMm = [0, 0, 0],
    labeledFractions = [0.2],
  } = opts;
  if (!(Number.isInteger(cases) && cases > 0))
    throw new Error(`generateSyntheticDataset: cases must be a positive integer, got ${cases}`);
  if (shape.length !== 3 || !shape.every((s) => Number.isInteger(s) && s > 0)) {
    throw new Error(`generateSyntheticDataset: shape must be 3 positive integers [z, y, x], got [${shape}]`);
  }
  mkdirSync(join(outDir, 'imagesTr'), { recursive: true });
  mkdirSync(join(outDir, 'labelsTr'), { recursive: true });
  const ids: string[] = [];
  const imagePaths: string[] = [];
  const labelPaths: string[] = [];
  let spacing: V3 = [0, 0, 0];
  for (let k = 0; k < cases; k++) {
    const c = generateSyntheticCase(seed, k, shape, fovMm, centerMm);
    spacing = c.spacing;
    const ip = join(outDir, 'imagesTr', `img${c.id}.nii.gz`);
    const lp = join(outDir, 'labelsTr', `label${c.id}.nii.gz`);
    writeNifti(ip, { data: c.image, shape: c.shape, dtype: 'int16', spacing: c.spacing });
    writeNifti(lp, { data: c.label, shape: c.shape, dtype: 'uint8', spacing: c.spacing });
    ids.push(c.id);
    imagePaths.push(ip);
    labelPaths.push(lp);
  }
  const splits = syntheticSplits(ids, seed, labeledFractions);
  writeSplits(join(outDir, 'splits'), splits);
  return { ids, imagePaths, labelPaths, splits, shape, spacing };
}
