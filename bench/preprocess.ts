/**
 * Preprocessing benchmark: one synthetic Synapse-sized case (512 x 512 x 148 int16 HU .nii.gz + uint8
 * label, realistic content from lib/skcdf/synthetic.ts) is read, resized to 80 x 160 x 160 (image
 * trilinear -> float32, label nearest -> int8) and written as .npy, by us and by the reference stack
 * (SimpleITK ReadImage + GetArrayFromImage, torch F.interpolate, numpy.save) in the same run.
 * Times exclude process start-up and imports; each side runs REPS times and the median is reported.
 *
 * Needs python3 with numpy, torch (PYTHONPATH from build/libtorch.json or .deps/python) and SimpleITK.
 * When SimpleITK is missing the bench installs it from PyPI with
 * `pip install --target <repo>/.deps/python SimpleITK` (set SKCDF_BENCH_NO_PIP=1 to forbid that).
 *
 * Run: npx tsx bench/preprocess.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNifti } from '../lib/io/nifti.js';
import { readNpy } from '../lib/io/npy.js';
import { generateSyntheticCase } from '../lib/skcdf/synthetic.js';
import { preprocessCase } from '../lib/skcdf/preprocess.js';

const REPS = Number(process.env.SKCDF_BENCH_REPS ?? 5);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const size: [number, number, number] = [80, 160, 160];
const rawShape: [number, number, number] = [148, 512, 512];

function pythonPath(): string {
  const info = join(repo, 'build/libtorch.json');
  const p = existsSync(info) ? (JSON.parse(readFileSync(info, 'utf8')).pythonPath as string | undefined) : undefined;
  return p ?? join(repo, '.deps/python');
}
const PYPATH = pythonPath();
const env = { ...process.env, PYTHONPATH: process.env.PYTHONPATH ? `${PYPATH}:${process.env.PYTHONPATH}` : PYPATH };
const canImport = (m: string) => spawnSync('python3', ['-c', `import ${m}`], { env, stdio: 'ignore' }).status === 0;

if (!canImport('torch') || !canImport('numpy')) {
  console.error(`bench/preprocess: python3 cannot import torch/numpy (PYTHONPATH=${PYPATH})`);
  process.exit(1);
}
if (!canImport('SimpleITK')) {
  if (process.env.SKCDF_BENCH_NO_PIP) { console.error('bench/preprocess: SimpleITK missing and SKCDF_BENCH_NO_PIP is set'); process.exit(1); }
  console.error(`bench/preprocess: installing SimpleITK into ${PYPATH} (pip install --target)`);
  mkdirSync(PYPATH, { recursive: true });
  execFileSync('python3', ['-m', 'pip', 'install', '--quiet', '--no-deps', '--target', PYPATH, 'SimpleITK'], { stdio: 'inherit' });
}

const dir = mkdtempSync(join(tmpdir(), 'skcdf-bench-prep-'));
try {
  const t0 = performance.now();
  const c = generateSyntheticCase(0, 0, rawShape, [444, 380, 380]);
  const imagePath = join(dir, 'img0001.nii.gz');
  const labelPath = join(dir, 'label0001.nii.gz');
  writeNifti(imagePath, { data: c.image, shape: c.shape, dtype: 'int16', spacing: c.spacing });
  writeNifti(labelPath, { data: c.label, shape: c.shape, dtype: 'uint8', spacing: c.spacing });
  console.error(`generated ${rawShape.join('x')} case in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const oursOut = join(dir, 'ours');
  const pyOut = join(dir, 'py');
  mkdirSync(oursOut);
  mkdirSync(pyOut);
  const ours: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    preprocessCase({ id: '0001', imagePath, labelPath }, 'synapse', oursOut, size);
    ours.push((performance.now() - t) / 1000);
  }

  const py = `
import sys, time, json, numpy as np, torch, torch.nn.functional as F, SimpleITK as sitk
ip, lp, out, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
size = (80, 160, 160)
times = []
for r in range(reps):
    t = time.perf_counter()
    img = sitk.GetArrayFromImage(sitk.ReadImage(ip))
    lab = sitk.GetArrayFromImage(sitk.ReadImage(lp))
    x = F.interpolate(torch.from_numpy(img.astype(np.float32))[None, None], size=size, mode='trilinear', align_corners=False)[0, 0].numpy()
    y = F.interpolate(torch.from_numpy(lab.astype(np.float32))[None, None], size=size, mode='nearest')[0, 0].numpy().astype(np.int8)
    np.save(out + '/0001_image.npy', x)
    np.save(out + '/0001_label.npy', y)
    times.append(time.perf_counter() - t)
print(json.dumps({"times": times, "threads": torch.get_num_threads(), "torch": torch.__version__, "sitk": sitk.Version_VersionString()}))
`;
  const res = JSON.parse(execFileSync('python3', ['-c', py, imagePath, labelPath, pyOut, String(REPS)], { env, maxBuffer: 1 << 26 }).toString().trim().split('\n').pop()!) as
    { times: number[]; threads: number; torch: string; sitk: string };

  // The outputs must agree (same arithmetic as PyTorch's kernel).
  const a = readNpy(join(oursOut, '0001_image.npy')).data as Float32Array;
  const b = readNpy(join(pyOut, '0001_image.npy')).data as Float32Array;
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
  const la = readNpy(join(oursOut, '0001_label.npy')).data as Int8Array;
  const lb = readNpy(join(pyOut, '0001_label.npy')).data as Int8Array;
  const labelsEqual = Buffer.from(la.buffer, la.byteOffset, la.byteLength).equals(Buffer.from(lb.buffer, lb.byteOffset, lb.byteLength));

  const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)]!;
  const oursS = median(ours);
  const pyS = median(res.times);
  console.log(`ours   ${ours.map((t) => t.toFixed(3)).join(' ')} s (single thread)`);
  console.log(`python ${res.times.map((t) => t.toFixed(3)).join(' ')} s (torch ${res.torch}, ${res.threads} threads, SimpleITK ${res.sitk})`);
  console.log(JSON.stringify({
    bench: 'preprocess', ratio: oursS / pyS, ratio_best: Math.min(...ours) / Math.min(...res.times), ours_s: oursS, python_s: pyS, raw_shape: rawShape, size,
    image_max_abs_diff: maxDiff, labels_equal: labelsEqual, torch_threads: res.threads, reps: REPS,
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
