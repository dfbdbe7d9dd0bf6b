// Sliding-window inference of one 80x160x160 volume at speed 0 (strides 16/32/32, patch 64x128x128:
// 2x2x2 = 8 windows), ours (slidingWindowPredict: device-side score/count tensors) vs the reference
// algorithm in Python (test_single_case: numpy score_map/cnt, windows cut from a numpy array, each
// forwarded by torch, softmax to numpy), same weights, same thread count, same libtorch.
//
// Network: the VNet backbone of VNetDecoupleAttentionABC (its Encoder and Decoder classes, nFilters 8,
// nClasses 14; encoder -> decoder_u, eval-mode BatchNorm) with the reference's state-dict names; the
// Python side defines the same modules and loads our torch.save'd state dict. The bottleneck attention
// blocks are left out because no Python definition of them exists in this project (they run at 4x8x8
// and cost little next to the full-resolution convolutions).
//
// Run: npx tsx bench/infer.ts [--reps N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { Module } from '../lib/nn/module.js';
import { Decoder, Encoder, initSkcdfWeights } from '../lib/skcdf/model.js';
import { slidingWindowPredict, toChannelsLast3d, type SegmentationNet } from '../lib/skcdf/inference.js';
import { readNpy, writeNpy } from '../lib/io/npy.js';

const F = 8, C = 14;
const PATCH: [number, number, number] = [64, 128, 128];
const SHAPE: [number, number, number] = [80, 160, 160];
const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] ?? 0) || 3;
const perBatch = Number(process.env.WINDOWS_PER_BATCH ?? 1);

class Backbone extends Module implements SegmentationNet {
  readonly encoder: Encoder;
  readonly decoderU: Decoder;
  constructor() {
    super();
    this.encoder = this.registerModule('encoder', new Encoder(1, F, 'batchnorm', false));
    this.decoderU = this.registerModule('decoder_u', new Decoder(C, F, 'batchnorm', false));
  }
  override forward(x: Tensor, _mode: 'unlabeled'): [Tensor, Tensor] {
    return torch.tidy(() => this.decoderU.forward(this.encoder.forward(x)));
  }
}

const PY = String.raw`
import sys, time, math, json, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
sd_path, vol_path, out_path, threads, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
NF, NC = ${F}, ${C}
def block(n, i, o):
    ops = []
    for k in range(n): ops += [nn.Conv3d(i if k == 0 else o, o, 3, padding=1), nn.BatchNorm3d(o), nn.ReLU(inplace=True)]
    return nn.Sequential(*ops)
class Blk(nn.Module):
    def __init__(s, n, i, o): super().__init__(); s.conv = block(n, i, o)
    def forward(s, x): return s.conv(x)
class Dw(nn.Module):
    def __init__(s, i, o): super().__init__(); s.conv = nn.Sequential(nn.Conv3d(i, o, 2, stride=2, padding=0), nn.BatchNorm3d(o), nn.ReLU(inplace=True))
    def forward(s, x): return s.conv(x)
class Up(nn.Module):
    def __init__(s, i, o): super().__init__(); s.conv = nn.Sequential(nn.ConvTranspose3d(i, o, 2, stride=2, padding=0), nn.BatchNorm3d(o), nn.ReLU(inplace=True))
    def forward(s, x): return s.conv(x)
class Encoder(nn.Module):
    def __init__(s, f):
        super().__init__()
        s.block_one = Blk(1, 1, f); s.block_one_dw = Dw(f, 2*f); s.block_two = Blk(2, 2*f, 2*f); s.block_two_dw = Dw(2*f, 4*f)
        s.block_three = Blk(3, 4*f, 4*f); s.block_three_dw = Dw(4*f, 8*f); s.block_four = Blk(3, 8*f, 8*f); s.block_four_dw = Dw(8*f, 16*f)
        s.block_five = Blk(3, 16*f, 16*f); s.dropout = nn.Dropout3d(0.5)
    def forward(s, x):
        x1 = s.block_one(x); x2 = s.block_two(s.block_one_dw(x1)); x3 = s.block_three(s.block_two_dw(x2))
        x4 = s.block_four(s.block_three_dw(x3)); x5 = s.block_five(s.block_four_dw(x4)); return x1, x2, x3, x4, x5
class Decoder(nn.Module):
    def __init__(s, c, f):
        super().__init__()
        s.block_five_up = Up(16*f, 8*f); s.block_six = Blk(3, 8*f, 8*f); s.block_six_up = Up(8*f, 4*f); s.block_seven = Blk(3, 4*f, 4*f)
        s.block_seven_up = Up(4*f, 2*f); s.block_eight = Blk(2, 2*f, 2*f); s.block_eight_up = Up(2*f, f); s.block_nine = Blk(1, f, f)
        s.out_conv9 = nn.Conv3d(f, c, 1, padding=0); s.out_conv9_abc = nn.Conv3d(f, c, 1, padding=0); s.dropout = nn.Dropout3d(0.5)
    def forward(s, feats):
        x1, x2, x3, x4, x5 = feats
        x6 = s.block_six(s.block_five_up(x5) + x4); x7 = s.block_seven(s.block_six_up(x6) + x3)
        x8 = s.block_eight(s.block_seven_up(x7) + x2); x9 = s.block_nine(s.block_eight_up(x8) + x1)
        return s.out_conv9(x9), s.out_conv9_abc(x9)
class Net(nn.Module):
    def __init__(s): super().__init__(); s.encoder = Encoder(NF); s.decoder_u = Decoder(NC, NF)
    def forward(s, x): return s.decoder_u(s.encoder(x))
net = Net()
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
                    y1, _ = net(test_patch)
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
    net(torch.from_numpy(np.ascontiguousarray(image[None, None, :patch[0], :patch[1], :patch[2]])))  # warm-up
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
    const model = initSkcdfWeights(new Backbone());
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
    for (let z = 0, i = 0; z < SHAPE[0]; z++) for (let y = 0; y < SHAPE[1]; y++) for (let x = 0; x < SHAPE[2]; x++, i++) {
      vol[i] = 0.5 + 0.25 * Math.sin(z / 7) * Math.cos(y / 11) + 0.25 * Math.sin((x + y) / 13);
    }
    const volPath = join(tmp, 'vol.npy');
    writeNpy(volPath, { data: vol, shape: SHAPE, dtype: 'float32' });
    const threads = torch.getNumThreads();

    // Ours.
    const image = torch.keep(torch.fromBuffer(vol, 'float32', SHAPE));
    torch.tidy(() => torch.noGrad(() => model.forward(image.get('0:64', '0:128', '0:128').reshape([1, 1, ...PATCH]), 'unlabeled'))); // warm-up
    let leaked = 0;
    const runOurs = (channelsLast: boolean): { time: number; labels: Uint8Array } => {
      const before = torch.memory().liveTensors;
      const t0 = performance.now();
      const labels = torch.tidy(() => slidingWindowPredict(model, image, { patch: PATCH, numClasses: C, speed: 0, windowsPerBatch: perBatch, channelsLast }).labels.toTypedArray() as Uint8Array);
      const time = (performance.now() - t0) / 1000;
      leaked += torch.memory().liveTensors - before;
      return { time, labels };
    };
    // A second copy of the weights, re-laid out channels-last-3d (same values).
    const modelCl = initSkcdfWeights(new Backbone());
    modelCl.loadStateDict(model.stateDict());
    modelCl.eval();
    toChannelsLast3d(modelCl);
    torch.tidy(() => torch.noGrad(() => modelCl.forward(image.get('0:64', '0:128', '0:128').reshape([1, 1, ...PATCH]).contiguous({ memoryFormat: 'channelsLast3d' }), 'unlabeled')));
    const runOursCl = (): { time: number; labels: Uint8Array } => {
      const t0 = performance.now();
      const labels = torch.tidy(() => slidingWindowPredict(modelCl, image, { patch: PATCH, numClasses: C, speed: 0, windowsPerBatch: perBatch, channelsLast: true }).labels.toTypedArray() as Uint8Array);
      return { time: (performance.now() - t0) / 1000, labels };
    };
    // Reference (Python), same threads; interleaved with ours rep by rep (the machine may be shared).
    const outPath = join(tmp, 'ref_label.npy');
    const py = { times: [] as number[], threads: -1 };
    const runPy = (): number => {
      const out = execFileSync('python3', ['-c', PY, sdPath, volPath, outPath, String(threads), '1'], {
        env: { ...process.env, PYTHONPATH: join(import.meta.dirname, '../.deps/python') + (process.env.PYTHONPATH ? `:${process.env.PYTHONPATH}` : '') },
        maxBuffer: 1 << 24,
      }).toString().trim().split('\n').at(-1)!;
      const j = JSON.parse(out) as { times: number[]; threads: number };
      py.threads = j.threads;
      return j.times[0];
    };
    const plain = { times: [] as number[], labels: new Uint8Array(0) as Uint8Array };
    const cl = { times: [] as number[], labels: new Uint8Array(0) as Uint8Array };
    for (let r = 0; r < reps; r++) {
      py.times.push(runPy());
      const a = runOurs(false); plain.times.push(a.time); plain.labels = a.labels;
      const b = runOursCl(); cl.times.push(b.time); cl.labels = b.labels;
    }
    const ref = readNpy(outPath).data as Uint8Array;
    const agreement = (l: Uint8Array): number => { let a = 0; for (let i = 0; i < n; i++) if (ref[i] === l[i]) a++; return a / n; };
    const classes = new Set(plain.labels).size;
    const theirs = Math.min(...py.times);
    const oursPlain = Math.min(...plain.times), oursCl = Math.min(...cl.times);
    const ours = Math.min(oursPlain, oursCl);
    const f = (t: number[]) => t.map((v) => v.toFixed(2)).join(', ');
    console.log(`ours (default layout) ${f(plain.times)} s; ours (channels-last-3d) ${f(cl.times)} s; python ${f(py.times)} s; ${classes} classes predicted`);
    console.log(JSON.stringify({
      bench: 'infer', ratio: ours / theirs, ratioDefaultLayout: oursPlain / theirs, ratioChannelsLast: oursCl / theirs,
      ours_s: ours, python_s: theirs, windows: 8, windowsPerBatch: perBatch, reps,
      volume: SHAPE, patch: PATCH, nFilters: F, nClasses: C, threads, pythonThreads: py.threads,
      labelAgreement: agreement(plain.labels), labelAgreementChannelsLast: agreement(cl.labels), leakedTensors: leaked,
      network: 'VNet backbone (encoder + decoder_u), no attention',
    }));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main();
