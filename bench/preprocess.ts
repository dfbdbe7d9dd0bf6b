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
 * Dataset mode (`--dataset [--cases 8] [--slices 100] [--workers W]`): `--cases` synthetic 512 x 512 x
 * `--slices` cases in the Synapse raw layout, preprocessed by `preprocessDatasetParallel` with W worker
 * threads (default: the available cores) and with 1, against the same SimpleITK + torch pipeline run by a
 * Python process pool of W processes (fork, torch 1 thread each, like our single-threaded workers).
 * ratio = ours (W) / Python pool (W); speedup = ours (1) / ours (W). Outputs are compared file by file.
 *
 * Run: npx tsx bench/preprocess.ts [--dataset]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNifti } from '../lib/io/nifti.js';
import { readNpy } from '../lib/io/npy.js';
import { generateSyntheticCase } from '../lib/skcdf/synthetic.js';
import { findRawCases, preprocessCase } from '../lib/skcdf/preprocess.js';
import { preprocessDatasetParallel } from '../lib/skcdf/preprocess-pool.js';

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
  if (process.env.SKCDF_BENCH_NO_PIP) {
    console.error('bench/preprocess: SimpleITK missing and SKCDF_BENCH_NO_PIP is set');
    process.exit(1);
  }
  console.error(`bench/preprocess: installing SimpleITK into ${PYPATH} (pip install --target)`);
  mkdirSync(PYPATH, { recursive: true });
  execFileSync('python3', ['-m', 'pip', 'install', '--quiet', '--no-deps', '--target', PYPATH, 'SimpleITK'], {
    stdio: 'inherit',
  });
}

const argv = process.argv.slice(2);
const argNum = (flag: string, def: number): number => {
  const i = argv.indexOf(flag);
  const v = i >= 0 ? Number(argv[i + 1]) : def;
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`bench/preprocess: ${flag} must be a positive integer, got '${argv[i + 1]}'`);
  return v;
};

const PY_POOL = `
import sys, time, json, multiprocessing as mp, numpy as np, torch, torch.nn.functional as F, SimpleITK as sitk
size = (80, 160, 160)
def init():
    torch.set_num_threads(1)
def work(c):
    img = sitk.GetArrayFromImage(sitk.ReadImage(c['imagePath']))
    lab = sitk.GetArrayFromImage(sitk.ReadImage(c['labelPath']))
    x = F.interpolate(torch.from_numpy(img.astype(np.float32))[None, None], size=size, mode='trilinear', align_corners=False)[0, 0].numpy()
    y = F.interpolate(torch.from_numpy(lab.astype(np.float32))[None, None], size=size, mode='nearest')[0, 0].numpy().astype(np.int8)
    np.save(OUT + '/' + c['id'] + '_image.npy', x)
    np.save(OUT + '/' + c['id'] + '_label.npy', y)
    return c['id']
if __name__ == '__main__':
    cases, workers, OUT = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
    t = time.perf_counter()
    with mp.get_context('fork').Pool(workers, initializer=init) as pool:
        done = pool.map(work, cases, chunksize=1)
    print(json.dumps({'seconds': time.perf_counter() - t, 'cases': len(done), 'workers': workers}))
`;

async function datasetMode(dir: string): Promise<void> {
  const cases = argNum('--cases', 8),
    slices = argNum('--slices', 100),
    workers = argNum('--workers', availableParallelism());
  const raw = join(dir, 'raw');
  const t0 = performance.now();
  for (let k = 0; k < cases; k++) {
    const c = generateSyntheticCase(0, k, [slices, 512, 512], [3 * slices, 380, 380]);
    const id = String(k + 1).padStart(4, '0');
    mkdirSync(join(raw, 'imagesTr'), { recursive: true });
    mkdirSync(join(raw, 'labelsTr'), { recursive: true });
    writeNifti(join(raw, 'imagesTr', `img${id}.nii.gz`), {
      data: c.image,
      shape: c.shape,
      dtype: 'int16',
      spacing: c.spacing,
    });
    writeNifti(join(raw, 'labelsTr', `label${id}.nii.gz`), {
      data: c.label,
      shape: c.shape,
      dtype: 'uint8',
      spacing: c.spacing,
    });
  }
  console.error(`generated ${cases} cases of ${slices}x512x512 in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const run = async (w: number): Promise<number> => {
    const out = join(dir, `ours-${w}`);
    const t = performance.now();
    await preprocessDatasetParallel({ dataset: 'synapse', rawDir: raw, outDir: out, size, quiet: true, workers: w });
    return (performance.now() - t) / 1000;
  };
  const oursW = await run(workers);
  const ours1 = workers > 1 ? await run(1) : oursW;
  const list = join(dir, 'cases.json');
  writeFileSync(list, JSON.stringify(findRawCases('synapse', raw)));
  const script = join(dir, 'pool.py');
  writeFileSync(script, PY_POOL);
  const pyOut = join(dir, 'py');
  mkdirSync(pyOut);
  const py = JSON.parse(
    execFileSync('python3', [script, list, String(workers), pyOut], { env, maxBuffer: 1 << 26 })
      .toString()
      .trim()
      .split('\n')
      .pop()!,
  ) as { seconds: number };
  let imageMaxAbsDiff = 0,
    labelsEqual = true,
    sequentialEqual = true;
  for (const c of findRawCases('synapse', raw)) {
    const a = readNpy(join(dir, `ours-${workers}`, `${c.id}_image.npy`)).data as Float32Array;
    const b = readNpy(join(pyOut, `${c.id}_image.npy`)).data as Float32Array;
    for (let i = 0; i < a.length; i++) imageMaxAbsDiff = Math.max(imageMaxAbsDiff, Math.abs(a[i]! - b[i]!));
    const la = readFileSync(join(dir, `ours-${workers}`, `${c.id}_label.npy`));
    const bytes = (t: Int8Array): Buffer => Buffer.from(t.buffer, t.byteOffset, t.byteLength);
    labelsEqual &&= bytes(readNpy(join(pyOut, `${c.id}_label.npy`)).data as Int8Array).equals(
      bytes(readNpy(join(dir, `ours-${workers}`, `${c.id}_label.npy`)).data as Int8Array),
    );
    if (workers > 1) {
      sequentialEqual &&=
        la.equals(readFileSync(join(dir, 'ours-1', `${c.id}_label.npy`))) &&
        readFileSync(join(dir, `ours-${workers}`, `${c.id}_image.npy`)).equals(
          readFileSync(join(dir, 'ours-1', `${c.id}_image.npy`)),
        );
    }
  }
  console.log(
    `ours ${workers} workers ${oursW.toFixed(2)} s, ours 1 worker ${ours1.toFixed(2)} s, python pool of ${workers} ` +
    `${py.seconds.toFixed(2)} s`,
  );
  console.log(
    JSON.stringify({
      bench: 'preprocess',
      mode: 'dataset',
      ratio: +(oursW / py.seconds).toFixed(3),
      speedupVsOneWorker: +(ours1 / oursW).toFixed(3),
      ours_s: +oursW.toFixed(3),
      ours_one_worker_s: +ours1.toFixed(3),
      python_pool_s: +py.seconds.toFixed(3),
      workers,
      cases,
      raw_shape: [slices, 512, 512],
      size,
      image_max_abs_diff: imageMaxAbsDiff,
      labels_equal: labelsEqual,
      parallel_equals_sequential: sequentialEqual,
    }),
  );
}

const dir = mkdtempSync(join(tmpdir(), 'skcdf-bench-prep-'));
try {
  if (argv.includes('--dataset')) {
    await datasetMode(dir);
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
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
  const res = JSON.parse(
    execFileSync('python3', ['-c', py, imagePath, labelPath, pyOut, String(REPS)], { env, maxBuffer: 1 << 26 })
      .toString()
      .trim()
      .split('\n')
      .pop()!,
  ) as { times: number[]; threads: number; torch: string; sitk: string };

  // The outputs must agree (same arithmetic as PyTorch's kernel).
  const a = readNpy(join(oursOut, '0001_image.npy')).data as Float32Array;
  const b = readNpy(join(pyOut, '0001_image.npy')).data as Float32Array;
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
  const la = readNpy(join(oursOut, '0001_label.npy')).data as Int8Array;
  const lb = readNpy(join(pyOut, '0001_label.npy')).data as Int8Array;
  const labelsEqual = Buffer.from(la.buffer, la.byteOffset, la.byteLength).equals(
    Buffer.from(lb.buffer, lb.byteOffset, lb.byteLength),
  );

  const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)]!;
  const oursS = median(ours);
  const pyS = median(res.times);
  console.log(`ours   ${ours.map((t) => t.toFixed(3)).join(' ')} s (single thread)`);
  console.log(
    `python ${res.times.map((t) => t.toFixed(3)).join(' ')} s (torch ${res.torch}, ${res.threads} threads, SimpleITK ` +
    `${res.sitk})`,
  );
  console.log(
    JSON.stringify({
      bench: 'preprocess',
      ratio: oursS / pyS,
      ratio_best: Math.min(...ours) / Math.min(...res.times),
      ours_s: oursS,
      python_s: pyS,
      raw_shape: rawShape,
      size,
      image_max_abs_diff: maxDiff,
      labels_equal: labelsEqual,
      torch_threads: res.threads,
      reps: REPS,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
