/**
 * Benchmark: per-class Dice + ASD (the reference evaluation) on one 80x160x160 label pair with 13
 * foreground classes of very different sizes, ours (lib/skcdf/metrics.ts) vs Python with the medpy
 * definitions (scipy.ndimage.binary_erosion + distance_transform_edt on the full volume), same data,
 * same run. Also times the full set (Dice, ASD, ASSD, HD95) on both sides. Verifies that all numbers
 * agree to 1e-9 relative and ends with one JSON line {"bench":"metrics","ratio": ours/python, ...}.
 *
 *   npx tsx bench/metrics.ts [--reps N] [--python-reps N]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Rng } from '../lib/data/prng.js';
import type { Shape3 } from '../lib/data/resize.js';
import { evaluateCase, type ClassMetrics, type Spacing3 } from '../lib/skcdf/metrics.js';

const SHAPE: Shape3 = [80, 160, 160];
const SPACING: Spacing3 = [2.5, 0.8, 0.8];
const NUM_CLASSES = 14;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const REPS = arg('--reps', 7);
const PY_REPS = arg('--python-reps', 3);

const rng = (seed: number): (() => number) => {
  const r = new Rng(seed);
  return () => r.next();
};

/** Organ-like classes: centre (z, y, x) and radii (rz, ry, rx) in voxels; painted in this order. */
const ORGANS: { name: string; c: [number, number, number]; r: [number, number, number] }[] = [
  { name: 'liver', c: [40, 70, 50], r: [24, 42, 38] },
  { name: 'stomach', c: [38, 65, 112], r: [14, 26, 22] },
  { name: 'spleen', c: [38, 110, 130], r: [12, 18, 14] },
  { name: 'kidney_r', c: [46, 112, 52], r: [12, 11, 10] },
  { name: 'kidney_l', c: [46, 112, 110], r: [12, 11, 10] },
  { name: 'aorta', c: [40, 100, 86], r: [36, 5, 5] },
  { name: 'ivc', c: [40, 96, 70], r: [34, 5, 4] },
  { name: 'pancreas', c: [44, 88, 96], r: [5, 8, 22] },
  { name: 'portal_vein', c: [36, 82, 74], r: [10, 4, 4] },
  { name: 'gallbladder', c: [44, 52, 62], r: [6, 7, 6] },
  { name: 'esophagus', c: [12, 98, 92], r: [12, 3, 3] },
  { name: 'adrenal_r', c: [28, 108, 62], r: [4, 3, 2] },
  { name: 'adrenal_l', c: [28, 108, 104], r: [4, 3, 2] },
];

/** Paints smooth, irregular blobs (radius modulated by low-frequency angular harmonics). */
function paint(vol: Uint8Array, seed: number, jitter: number): void {
  const r = rng(seed);
  const [Z, Y, X] = SHAPE;
  ORGANS.forEach((o, k) => {
    const cls = k + 1;
    const c = o.c.map((v) => v + (r() - 0.5) * 2 * jitter);
    const rad = o.r.map((v) => v * (1 + (r() - 0.5) * 0.12 * Math.min(jitter, 1)));
    const ph = Array.from({ length: 4 }, () => r() * 2 * Math.PI);
    const amp = 0.12 + 0.04 * r();
    const lo = c.map((v, a) => Math.max(0, Math.floor(v - 1.4 * rad[a])));
    const hi = c.map((v, a) => Math.min(SHAPE[a] - 1, Math.ceil(v + 1.4 * rad[a])));
    for (let z = lo[0]; z <= hi[0]; z++) {
      const u = (z - c[0]) / rad[0];
      for (let y = lo[1]; y <= hi[1]; y++) {
        const v = (y - c[1]) / rad[1];
        for (let x = lo[2]; x <= hi[2]; x++) {
          const w = (x - c[2]) / rad[2];
          const rho = Math.sqrt(u * u + v * v + w * w);
          const th = Math.atan2(v, w),
            phi = Math.acos(rho > 0 ? u / rho : 1);
          const bound =
            1 +
            amp *
              (Math.sin(2 * th + ph[0]) * Math.cos(3 * phi + ph[1]) +
                0.5 * Math.sin(3 * th + ph[2]) * Math.sin(2 * phi + ph[3]));
          if (rho <= bound) vol[(z * Y + y) * X + x] = cls;
        }
      }
    }
  });
  // a few spurious small false-positive islands in the prediction
  if (jitter > 0) {
    for (let s = 0; s < 6; s++) {
      const cls = 1 + Math.floor(r() * 13);
      const cz = Math.floor(r() * (Z - 4)),
        cy = Math.floor(r() * (Y - 6)),
        cx = Math.floor(r() * (X - 6));
      for (let z = cz; z < cz + 3; z++)
        for (let y = cy; y < cy + 4; y++) for (let x = cx; x < cx + 4; x++) vol[(z * Y + y) * X + x] = cls;
    }
  }
}

const PYTHON = String.raw`
import sys, json, time
import numpy as np
from scipy.ndimage import binary_erosion, distance_transform_edt, generate_binary_structure
shape = tuple(json.loads(sys.argv[3])); sp = tuple(json.loads(sys.argv[4]))
ncls = int(sys.argv[5]); reps = int(sys.argv[6])
pred = np.fromfile(sys.argv[1], dtype=np.uint8).reshape(shape)
lab = np.fromfile(sys.argv[2], dtype=np.uint8).reshape(shape)
fp = generate_binary_structure(3, 1)

def sds(result, reference):  # medpy.metric.binary.__surface_distances(result, reference, sp, 1)
    result = np.atleast_1d(result.astype(np.bool_)); reference = np.atleast_1d(reference.astype(np.bool_))
    rb = result ^ binary_erosion(result, structure=fp, iterations=1)
    gb = reference ^ binary_erosion(reference, structure=fp, iterations=1)
    dt = distance_transform_edt(~gb, sampling=sp)
    return dt[rb]

def dc(result, reference):  # medpy.metric.binary.dc
    result = np.atleast_1d(result.astype(np.bool_)); reference = np.atleast_1d(reference.astype(np.bool_))
    inter = np.count_nonzero(result & reference)
    try:
        return 2. * inter / float(np.count_nonzero(result) + np.count_nonzero(reference))
    except ZeroDivisionError:
        return 0.0

def evaluate(full):
    out = []
    for c in range(1, ncls):
        p = pred == c; g = lab == c
        if p.sum() > 0 and g.sum() > 0:
            d = dc(p, g) * 100
            a = sds(p, g)
            asd = a.mean()
            if full:
                b = sds(g, p)
                out.append([d, asd, (asd + b.mean()) / 2, float(np.percentile(np.hstack((a, b)), 95))])
            else:
                out.append([d, asd])
        elif p.sum() == 0 and g.sum() == 0:
            out.append([100.0, 0.0, 0.0, 0.0] if full else [100.0, 0.0])
        else:
            out.append([0.0, 128.0, 128.0, 128.0] if full else [0.0, 128.0])
    return out

res = {}
for mode, full in (('asd', False), ('full', True)):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter(); vals = evaluate(full); times.append((time.perf_counter() - t0) * 1000)
    res[mode] = {'values': [[float(v) for v in row] for row in vals], 'ms': times}
print(json.dumps(res))
`;

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timeOurs(
  pred: Uint8Array,
  label: Uint8Array,
  symmetric: boolean,
): { ms: number[]; coldMs: number; res: ClassMetrics[] } {
  let t0 = performance.now();
  let res = evaluateCase(pred, label, SHAPE, SPACING, NUM_CLASSES, { symmetric });
  const coldMs = performance.now() - t0;
  const ms: number[] = [];
  for (let i = 0; i < REPS; i++) {
    t0 = performance.now();
    res = evaluateCase(pred, label, SHAPE, SPACING, NUM_CLASSES, { symmetric });
    ms.push(performance.now() - t0);
  }
  return { ms, coldMs, res };
}

function main(): void {
  const n = SHAPE[0] * SHAPE[1] * SHAPE[2];
  const label = new Uint8Array(n),
    pred = new Uint8Array(n);
  paint(label, 1, 0);
  paint(pred, 2, 2);
  const counts = new Array<number>(NUM_CLASSES).fill(0);
  for (let i = 0; i < n; i++) counts[label[i]]++;
  console.log(
    `volume ${SHAPE.join('x')}, spacing ${SPACING.join(',')}; label voxels per class: ${counts.slice(1).join(' ')}`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'bench-metrics-'));
  let py: { asd: { values: number[][]; ms: number[] }; full: { values: number[][]; ms: number[] } };
  try {
    writeFileSync(join(dir, 'pred.u8'), pred);
    writeFileSync(join(dir, 'label.u8'), label);
    const out = execFileSync(
      'python3',
      [
        '-c',
        PYTHON,
        join(dir, 'pred.u8'),
        join(dir, 'label.u8'),
        JSON.stringify(SHAPE),
        JSON.stringify(SPACING),
        String(NUM_CLASSES),
        String(PY_REPS),
      ],
      { maxBuffer: 1 << 26 },
    );
    py = JSON.parse(out.toString());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const lite = timeOurs(pred, label, false);
  const full = timeOurs(pred, label, true);

  // verify
  let worst = 0;
  const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
  for (let c = 1; c < NUM_CLASSES; c++) {
    const pa = py.asd.values[c - 1],
      pf = py.full.values[c - 1];
    const ol = lite.res[c - 1],
      of = full.res[c - 1];
    const errs = [
      rel(ol.dice, pa[0]),
      rel(ol.asd, pa[1]),
      rel(of.dice, pf[0]),
      rel(of.asd, pf[1]),
      rel(of.assd, pf[2]),
      rel(of.hd95, pf[3]),
    ];
    const e = Math.max(...errs);
    worst = Math.max(worst, e);
    console.log(
      `class ${String(c).padStart(2)} ${ORGANS[c - 1].name.padEnd(12)} dice ${of.dice.toFixed(4).padStart(8)}  asd ` +
      `${of.asd.toFixed(6)}  assd ${of.assd.toFixed(6)}  hd95 ${of.hd95.toFixed(6)}  max rel err vs python ` +
      `${e.toExponential(2)}`,
    );
  }
  if (!(worst <= 1e-9)) throw new Error(`bench metrics: ours and python disagree (max relative error ${worst})`);

  const oursMs = median(lite.ms),
    pythonMs = median(py.asd.ms);
  const oursFullMs = median(full.ms),
    pythonFullMs = median(py.full.ms);
  console.log(
    `Dice+ASD (13 classes): ours ${oursMs.toFixed(1)} ms (cold ${lite.coldMs.toFixed(1)} ms), python ` +
    `${pythonMs.toFixed(1)} ms`,
  );
  console.log(
    `Dice+ASD+ASSD+HD95:    ours ${oursFullMs.toFixed(1)} ms (cold ${full.coldMs.toFixed(1)} ms), python ` +
    `${pythonFullMs.toFixed(1)} ms`,
  );
  console.log(
    JSON.stringify({
      bench: 'metrics',
      ratio: oursMs / pythonMs,
      oursMs,
      pythonMs,
      oursColdMs: lite.coldMs,
      fullRatio: oursFullMs / pythonFullMs,
      oursFullMs,
      pythonFullMs,
      maxRelErr: worst,
      shape: SHAPE,
      spacing: SPACING,
      classes: NUM_CLASSES - 1,
      reps: REPS,
      pythonReps: PY_REPS,
    }),
  );
}

main();
