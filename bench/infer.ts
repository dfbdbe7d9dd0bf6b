// Sliding-window inference of one 80x160x160 volume at speed 0 (strides 16/32/32, patch 64x128x128:
// 2x2x2 = 8 windows), ours (slidingWindowPredict: device-side score/count tensors) vs the reference
// algorithm in Python (test_single_case: numpy score_map/cnt, windows cut from a numpy array, each
// forwarded by torch, softmax to numpy), same weights, same thread count, same libtorch.
//
// Network: the full VNet_Decouple_Attention_ABC (nFilters 8, nClasses 14, both attention blocks, mode
// 'unlabeled', eval mode, has_dropout false) on both sides: ours from lib/skcdf/model.ts, the Python one
// from bench/reference/skcdf_reference.py, loading our torch.save'd state dict. Ours runs twice: as is,
// and prepared for inference (BatchNorm folded into the convolutions, channels-last-3d layout).
//
// Run: npx tsx bench/infer.ts [--reps N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { fuseConvBatchNorm } from '../lib/nn/fuse.js';
import { VNetDecoupleAttentionABC, initSkcdfWeights } from '../lib/skcdf/model.js';
import { slidingWindowPredict, toChannelsLast3d } from '../lib/skcdf/inference.js';
import { readNpy, writeNpy } from '../lib/io/npy.js';

const F = 8,
  C = 14;
const PATCH: [number, number, number] = [64, 128, 128];
const SHAPE: [number, number, number] = [80, 160, 160];
const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] ?? 0) || 3;
const perBatch = Number(process.env.WINDOWS_PER_BATCH ?? 1);

const newModel = (): VNetDecoupleAttentionABC =>
  initSkcdfWeights(new VNetDecoupleAttentionABC({ nClasses: C, nFilters: F, patchSize: PATCH, hasDropout: false }));

const PY = String.raw`
import sys, time, math, json, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
sd_path, vol_path, out_path, threads, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
NF, NC = ${F}, ${C}
patch_size_cfg = [${PATCH.join(', ')}]
sys.path.insert(0, ${JSON.stringify(join(import.meta.dirname, 'reference'))})
from skcdf_reference import VNet_Decouple_Attention_ABC
net = VNet_Decouple_Attention_ABC(1, NC, NF, tuple(patch_size_cfg), 2, has_dropout=False)
net.load_state_dict(torch.load(sd_path), strict=True)
net.eval()
image = np.load(vol_path)
patch = [${PATCH.join(', ')}]; stride_xy, stride_z = 32, 16; num_classes = NC
def test_single_case(net, image, stride_xy, stride_z, patch_size, num_classes):
    w, h, d = image.shape
    ww, hh, dd = image.shape  # no padding needed: every axis >= patch
    sx = math.ceil((ww - patch_size[0]) / stride_z) + 1
    sy = math.ceil((hh - patch_size[1]) / stride_xy) + 1
    sz = math.ceil((dd - patch_size[2]) / stride_xy) + 1
    score_map = np.zeros((num_classes, ) + image.shape).astype(np.float32)
    cnt = np.zeros(image.shape).astype(np.float32)
    for x in range(0, sx):
        xs = min(stride_z * x, ww - patch_size[0])
        for y in range(0, sy):
            ys = min(stride_xy * y, hh - patch_size[1])
            for z in range(0, sz):
                zs = min(stride_xy * z, dd - patch_size[2])
                test_patch = image[xs:xs+patch_size[0], ys:ys+patch_size[1], zs:zs+patch_size[2]]
                test_patch = np.expand_dims(np.expand_dims(test_patch, axis=0), axis=0).astype(np.float32)
                test_patch = torch.from_numpy(test_patch)
                with torch.no_grad():
                    y1, _ = net(test_patch, 'unlabeled')
                    y = F.softmax(y1, dim=1)
                y = y.cpu().data.numpy()
                y = y[0, :, :, :, :]
                score_map[:, xs:xs+patch_size[0], ys:ys+patch_size[1], zs:zs+patch_size[2]] \
                    = score_map[:, xs:xs+patch_size[0], ys:ys+patch_size[1], zs:zs+patch_size[2]] + y
                cnt[xs:xs+patch_size[0], ys:ys+patch_size[1], zs:zs+patch_size[2]] \
                    = cnt[xs:xs+patch_size[0], ys:ys+patch_size[1], zs:zs+patch_size[2]] + 1
    score_map = score_map / np.expand_dims(cnt, axis=0)
    label_map = np.argmax(score_map, axis=0)
    return label_map, score_map
with torch.no_grad():
    net(torch.from_numpy(np.ascontiguousarray(image[None, None, :patch[0], :patch[1], :patch[2]])), 'unlabeled')  # warm-up
times = []
for r in range(reps):
    t0 = time.perf_counter()
    label_map, score_map = test_single_case(net, image, stride_xy, stride_z, patch, num_classes)
    times.append(time.perf_counter() - t0)
np.save(out_path, label_map.astype(np.uint8))
print(json.dumps({"times": times, "threads": torch.get_num_threads()}))
`;

function main(): void {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-infer-'));
  try {
    torch.manualSeed(7);
    const model = newModel();
    // Non-trivial BatchNorm statistics so eval-mode BN matters.
    torch.noGrad(() => {
      for (const [k, t] of model.stateDict()) {
        if (k.endsWith('running_mean')) t.copy_(torch.randn(t.shape).mul(0.1));
        if (k.endsWith('running_var')) t.copy_(torch.rand(t.shape).add(0.5));
      }
    });
    model.eval();
    const sdPath = join(tmp, 'sd.pth');
    torch.save(model.stateDict(), sdPath);
    // A smooth synthetic volume in [0, 1].
    const n = SHAPE[0] * SHAPE[1] * SHAPE[2];
    const vol = new Float32Array(n);
    for (let z = 0, i = 0; z < SHAPE[0]; z++)
      for (let y = 0; y < SHAPE[1]; y++)
        for (let x = 0; x < SHAPE[2]; x++, i++) {
          vol[i] = 0.5 + 0.25 * Math.sin(z / 7) * Math.cos(y / 11) + 0.25 * Math.sin((x + y) / 13);
        }
    const volPath = join(tmp, 'vol.npy');
    writeNpy(volPath, { data: vol, shape: SHAPE, dtype: 'float32' });
    const threads = torch.getNumThreads();

    // Ours.
    const image = torch.keep(torch.fromBuffer(vol, 'float32', SHAPE));
    torch.tidy(() =>
      torch.noGrad(() => model.forward(image.get('0:64', '0:128', '0:128').reshape([1, 1, ...PATCH]), 'unlabeled')),
    ); // warm-up
    let leaked = 0;
    const runOurs = (channelsLast: boolean): { time: number; labels: Uint8Array } => {
      const before = torch.memory().liveTensors;
      const t0 = performance.now();
      const labels = torch.tidy(
        () =>
          slidingWindowPredict(model, image, {
            patch: PATCH,
            numClasses: C,
            speed: 0,
            windowsPerBatch: perBatch,
            channelsLast,
          }).labels.toTypedArray() as Uint8Array,
      );
      const time = (performance.now() - t0) / 1000;
      leaked += torch.memory().liveTensors - before;
      return { time, labels };
    };
    // A second copy prepared for inference: BatchNorm folded into the convolutions, channels-last-3d weights.
    const modelCl = newModel();
    torch.tidy(() => modelCl.loadStateDict(model.stateDict()));
    fuseConvBatchNorm(modelCl);
    toChannelsLast3d(modelCl);
    torch.tidy(() =>
      torch.noGrad(() =>
        modelCl.forward(
          image
            .get('0:64', '0:128', '0:128')
            .reshape([1, 1, ...PATCH])
            .contiguous({ memoryFormat: 'channelsLast3d' }),
          'unlabeled',
        ),
      ),
    );
    const runOursCl = (): { time: number; labels: Uint8Array } => {
      const t0 = performance.now();
      const labels = torch.tidy(
        () =>
          slidingWindowPredict(modelCl, image, {
            patch: PATCH,
            numClasses: C,
            speed: 0,
            windowsPerBatch: perBatch,
            channelsLast: true,
          }).labels.toTypedArray() as Uint8Array,
      );
      return { time: (performance.now() - t0) / 1000, labels };
    };
    // Reference (Python), same threads; interleaved with ours rep by rep (the machine may be shared).
    const outPath = join(tmp, 'ref_label.npy');
    const py = { times: [] as number[], threads: -1 };
    const runPy = (): number => {
      const out = execFileSync('python3', ['-c', PY, sdPath, volPath, outPath, String(threads), '1'], {
        env: {
          ...process.env,
          PYTHONPATH:
            join(import.meta.dirname, '../.deps/python') + (process.env.PYTHONPATH ? `:${process.env.PYTHONPATH}` : ''),
        },
        maxBuffer: 1 << 24,
      })
        .toString()
        .trim()
        .split('\n')
        .at(-1)!;
      const j = JSON.parse(out) as { times: number[]; threads: number };
      py.threads = j.threads;
      return j.times[0];
    };
    const plain = { times: [] as number[], labels: new Uint8Array(0) as Uint8Array };
    const cl = { times: [] as number[], labels: new Uint8Array(0) as Uint8Array };
    for (let r = 0; r < reps; r++) {
      py.times.push(runPy());
      const a = runOurs(false);
      plain.times.push(a.time);
      plain.labels = a.labels;
      const b = runOursCl();
      cl.times.push(b.time);
      cl.labels = b.labels;
    }
    const ref = readNpy(outPath).data as Uint8Array;
    const agreement = (l: Uint8Array): number => {
      let a = 0;
      for (let i = 0; i < n; i++) if (ref[i] === l[i]) a++;
      return a / n;
    };
    const classes = new Set(plain.labels).size;
    const theirs = Math.min(...py.times);
    const oursPlain = Math.min(...plain.times),
      oursCl = Math.min(...cl.times);
    const ours = Math.min(oursPlain, oursCl);
    const f = (t: number[]) => t.map((v) => v.toFixed(2)).join(', ');
    console.log(
      `ours (as is) ${f(plain.times)} s; ours (BN folded, channels-last-3d) ${f(cl.times)} s; python ${f(py.times)} ` +
      `s; ${classes} classes predicted`,
    );
    console.log(
      JSON.stringify({
        bench: 'infer',
        ratio: ours / theirs,
        ratioAsIs: oursPlain / theirs,
        ratioPrepared: oursCl / theirs,
        ours_s: ours,
        python_s: theirs,
        windows: 8,
        windowsPerBatch: perBatch,
        reps,
        volume: SHAPE,
        patch: PATCH,
        nFilters: F,
        nClasses: C,
        threads,
        pythonThreads: py.threads,
        labelAgreement: agreement(plain.labels),
        labelAgreementPrepared: agreement(cl.labels),
        leakedTensors: leaked,
        network: 'VNet_Decouple_Attention_ABC (full, unlabeled mode)',
      }),
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main();
