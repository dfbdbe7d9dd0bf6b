// The loop around the training step against the official trainer's rules, each computed in live Python
// (numpy/torch, one process for the whole file) on small data: the class ratios ir2, the per-epoch schedules
// (lr, cps weight, ir22) of real tiny runs, the keep masks actually drawn, normalization, random crops and flips,
// the evaluation center crop and Dice, and the labeled/unlabeled epoch plan.
//
// Where the reference's literal code cannot run (its RandomCrop draws np.random.randint(0, size - patch), which
// raises when a volume equals the patch, as the built-in synthetic set's does), the test says so through Python
// and checks ours against the padded extent the reference pads to.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { torch } from '../lib/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { readNpy, writeNpy } from '../lib/io/npy.js';
import { deriveSeed, Rng } from '../lib/data/prng.js';
import type { Shape3 } from '../lib/data/resize.js';
import {
  applyAugmentation,
  buildBatch,
  drawAugmentation,
  epochPlan,
  loadCase,
  loadEvalCase,
  type Augmentation,
  type CaseVolume,
} from '../lib/skcdf/data/dataset.js';
import { BatchLoader } from '../lib/skcdf/data/loader.js';
import {
  centerCropBox,
  classRatios,
  defaultConfig,
  keepProbabilities,
  SYNTHETIC_DATA,
  train,
  unlabeledRatios,
  validate,
} from '../lib/skcdf/train.js';
import { evalDicePerClass } from '../lib/skcdf/losses.js';
import { generateSyntheticCase } from '../lib/skcdf/synthetic.js';
import type { VNetDecoupleAttentionABC } from '../lib/skcdf/model.js';
import { writeTinyDataset } from '../test-support/tiny-dataset.js';
import { hasPython, runPython } from '../test-support/python.js';

/** What the loop hands the step in each iteration (recorded by wrapping stepFor). */
interface StepRecord {
  epoch: number;
  maxEpochs: number;
  lr: number;
  cpsW: number;
  ratios: number[];
  ir22: number[];
}
const stepRecords = vi.hoisted((): StepRecord[] => []);
vi.mock('../lib/skcdf/training/step.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/skcdf/training/step.js')>();
  const { tidy } = await import('../lib/torch/handle.js');
  return {
    ...real,
    stepFor: (method: Parameters<typeof real.stepFor>[0]) => {
      const step = real.stepFor(method);
      return ((model, optimizer, loss, s) => {
        tidy(() =>
          stepRecords.push({
            epoch: s.epoch,
            maxEpochs: s.maxEpochs,
            lr: optimizer.paramGroups[0]!.lr as number,
            cpsW: s.cpsW,
            ratios: Array.from(s.ratios.toTypedArray() as Float64Array),
            ir22: Array.from(real.unlabeledRatios(s.ratios, s.epoch, s.maxEpochs).toTypedArray() as Float64Array),
          }),
        );
        return step(model, optimizer, loss, s);
      }) as typeof step;
    },
  };
});

const PY = hasPython('numpy', 'torch');
const C = 14;
const root = mkdtempSync(join(tmpdir(), 'skcdf-refloop-'));
const tinyDir = join(root, 'data'); // test-support's tiny set: 36x40x40, all 14 classes as slabs
const synDir = join(root, 'syn'); // two built-in synthetic cases at the synthetic config's size (= its patch)
const pyDir = join(root, 'py');
const SYN_PATCH = [...SYNTHETIC_DATA.shape] as Shape3;
const TINY_PATCH: Shape3 = [32, 32, 32];
/**
 * Labeled split in a non-sorted order: its first four ids (u3 a2 e1 u1) are not the sorted first four (a1 a2 e1 u1).
 */
const LABELED = ['u3', 'a2', 'e1', 'u1', 'a1', 'u4'];
const UNLABELED = ['u2', 'u4', 'u3'];
const BASE_LR = 0.05;
const CPS_W = 10;
const RUNS = [30, 7];
/**
 * Centre crops checked: the synthetic volume equal to its patch (padded), no padding, halves (Python rounds to even),
 * mixed.
 */
const CENTERS: { dir: string; id: string; patch: Shape3 }[] = [
  { dir: synDir, id: 's0', patch: SYN_PATCH },
  { dir: tinyDir, id: 'a1', patch: TINY_PATCH },
  { dir: tinyDir, id: 'a1', patch: [31, 35, 35] },
  { dir: tinyDir, id: 'a1', patch: [36, 38, 40] },
];
/** Epoch plans checked: #labeled divides #unlabeled or not, #unlabeled a multiple of the batch or not, the run's. */
const PLANS = [
  { labeled: ['L2', 'L0', 'L1'], unlabeled: Array.from({ length: 8 }, (_, i) => `U${i}`), batch: 2 },
  { labeled: ['L3', 'L1', 'L4', 'L0', 'L2'], unlabeled: Array.from({ length: 12 }, (_, i) => `U${i}`), batch: 4 },
  { labeled: ['L1', 'L0'], unlabeled: Array.from({ length: 9 }, (_, i) => `U${i}`), batch: 2 },
  { labeled: LABELED, unlabeled: UNLABELED, batch: 2 },
];

interface CropSpec {
  image: string;
  label: string | null;
  patch: Shape3;
  start: Shape3;
  flip1: boolean;
  flip2: boolean;
}
interface PyOut {
  ir2: number[];
  schedules: Record<string, { lr: number; cpsW: number; ir22: number[] }[]>;
  keep: Record<string, { ratios: number[]; path: string }>;
  norm: { path: string; dtype: string }[];
  literalCropError: string;
  literalStarts: number[][];
  paddedStarts: number[][];
  crops: { image: string; label: string }[];
  centers: { image: string; label: string; start: number[]; pad: number[] }[];
  eval: { perClass: number[]; mean: number; perCase: number[][]; images: string[]; labels: string[] };
  plans: {
    iterations: number;
    labeledFull: Record<string, number>;
    labeledUsed: Record<string, number>;
    unlabeledMaxUse: number;
  }[];
}

const PYTHON = String.raw`
import json, os, sys
from collections import Counter
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

cfg = json.load(open(sys.argv[1]))
odir = cfg['outDir']
C = cfg['numClasses']
out = {}

def read_list(path):  # the reference's read_list: np.loadtxt of strings, sorted
    return sorted(np.loadtxt(path, dtype=str).tolist())

def normalize(image):  # the reference's dataset __getitem__
    image = image.clip(min=-75, max=275)
    return (image - image.min()) / (image.max() - image.min())

def save(name, a):
    p = os.path.join(odir, name)
    np.save(p, np.ascontiguousarray(a))
    return p

# 1. ir2: whole label volumes of the first 4 ids of the sorted labeled list, min(count) / count
class_size = [0 for c in range(C)]
loop = 0
for data_id in read_list(cfg['labeledSplit']):
    label = np.load(os.path.join(cfg['tinyDir'], f'{data_id}_label.npy'))
    for i in range(C):
        class_size[i] = class_size[i] + np.sum(label == i)
    loop = loop + 1
    if loop == 4:
        break
ir2 = min(class_size) / np.array(class_size)
out['ir2'] = ir2.tolist()
ir2 = torch.tensor(ir2)

# 2. schedules: what each epoch uses; lr and cps_w are set after each epoch for the next one
def poly_lr(epoch, max_epochs, initial_lr, exponent=0.9):
    return initial_lr * (1 - epoch / max_epochs)**exponent

def sigmoid_rampup(current, rampup_length):
    if rampup_length == 0:
        return 1.0
    current = np.clip(current, 0.0, rampup_length)
    phase = 1.0 - current / rampup_length
    return float(np.exp(-5.0 * phase * phase))

out['schedules'] = {}
for max_epoch in cfg['maxEpochs']:
    lr = cfg['baseLr']
    cps_w = cfg['cpsW'] * sigmoid_rampup(0, max_epoch)
    rows = []
    for epoch_num in range(max_epoch + 1):
        ir22 = 1 - (epoch_num / max_epoch) * (1 - ir2)
        rows.append({'lr': lr, 'cpsW': cps_w, 'ir22': ir22.tolist()})
        lr = poly_lr(epoch_num, max_epoch, cfg['baseLr'], 0.9)
        cps_w = cfg['cpsW'] * sigmoid_rampup(epoch_num, max_epoch)
    out['schedules'][str(max_epoch)] = rows

# 3. keep probabilities: sequential where over the classes, float64
label = torch.from_numpy(np.load(cfg['keepLabel']).astype(np.int64))
bg = ir2.clone(); bg[0] = 1.0
variants = {'ir2': ir2, 'bgRarest': bg, 'ir22Epoch0': 1 - (0 / 30) * (1 - ir2), 'ir22Epoch10BgRarest': 1 - (10 / 30) * (1 - bg)}
out['keep'] = {}
for name, r in variants.items():
    prob = label.to(dtype=torch.float64)
    for i in range(C):
        prob = torch.where(prob == i, r[i], prob)
    out['keep'][name] = {'ratios': r.tolist(), 'path': save(f'keep_{name}.npy', prob.numpy())}

# 4. normalization, random crop (literal, starts reported), crops at given starts and flips
out['norm'] = []
for k, p in enumerate(cfg['normalize']):
    im = normalize(np.load(p))
    out['norm'].append({'path': save(f'norm_{k}.npy', im), 'dtype': str(im.dtype)})

def pads(shape, output_size):
    flag = any(shape[a] <= output_size[a] for a in range(3))
    return flag, [max((output_size[a] - shape[a]) // 2 + 3, 0) if flag else 0 for a in range(3)]

def random_crop_starts(image, output_size):  # the reference's RandomCrop draws
    (w, h, d) = image.shape
    return [np.random.randint(0, w - output_size[0]), np.random.randint(0, h - output_size[1]), np.random.randint(0, d - output_size[2])]

np.random.seed(0)
try:
    random_crop_starts(np.load(cfg['cropDraws']['synthetic']), cfg['cropDraws']['synPatch'])
    out['literalCropError'] = ''
except ValueError as e:
    out['literalCropError'] = 'ValueError: ' + str(e)
tiny = np.load(cfg['cropDraws']['tiny'])
draws = np.array([random_crop_starts(tiny, cfg['cropDraws']['tinyPatch']) for _ in range(3000)])
out['literalStarts'] = [sorted(set(draws[:, a].tolist())) for a in range(3)]
syn = np.load(cfg['cropDraws']['synthetic'])
_, pd_ = pads(syn.shape, cfg['cropDraws']['synPatch'])
out['paddedStarts'] = [list(range(0, syn.shape[a] + 2 * pd_[a] - cfg['cropDraws']['synPatch'][a])) for a in range(3)]

out['crops'] = []
for k, c in enumerate(cfg['crops']):
    im = normalize(np.load(c['image']))
    lb = np.load(c['label']) if c['label'] else np.zeros(im.shape, dtype=np.int8)
    flag, (pw, ph, pd) = pads(im.shape, c['patch'])
    (w1, h1, d1), o = c['start'], c['patch']
    res = []
    for item in (im, lb):
        if flag:
            item = np.pad(item, [(pw, pw), (ph, ph), (pd, pd)], mode='constant', constant_values=0)
        item = item[w1:w1 + o[0], h1:h1 + o[1], d1:d1 + o[2]]
        if c['flip1']:
            item = np.flip(item, 1).copy()
        if c['flip2']:
            item = np.flip(item, 2).copy()
        res.append(item)
    out['crops'].append({'image': save(f'crop_{k}_image.npy', res[0]), 'label': save(f'crop_{k}_label.npy', res[1])})

# 5. evaluation: the reference's CenterCrop, then SoftDiceLoss(smooth=1e-8) on argmax one-hots
def center_crop(sample, output_size):
    image = sample['image']
    padding_flag = image.shape[0] <= output_size[0] or image.shape[1] <= output_size[1] or image.shape[2] <= output_size[2]
    if padding_flag:
        pw = max((output_size[0] - image.shape[0]) // 2 + 3, 0)
        ph = max((output_size[1] - image.shape[1]) // 2 + 3, 0)
        pd = max((output_size[2] - image.shape[2]) // 2 + 3, 0)
    # The reference takes (w, h, d) from the unpadded volume here, so a volume equal to the patch would be shifted
    # by the padding (its last 3 slices dropped, 3 zero slices first). Like its RandomCrop (which cannot even run on
    # such a volume as written), it is used as fixed for padded volumes: sizes of the padded volume, i.e. the centre.
    (w, h, d) = (image.shape[0] + 2 * pw, image.shape[1] + 2 * ph, image.shape[2] + 2 * pd) if padding_flag else image.shape
    w1 = int(round((w - output_size[0]) / 2.))
    h1 = int(round((h - output_size[1]) / 2.))
    d1 = int(round((d - output_size[2]) / 2.))
    ret = {}
    for key in sample.keys():
        item = sample[key]
        if padding_flag:
            item = np.pad(item, [(pw, pw), (ph, ph), (pd, pd)], mode='constant', constant_values=0)
        ret[key] = item[w1:w1 + output_size[0], h1:h1 + output_size[1], d1:d1 + output_size[2]]
    return ret, [w1, h1, d1], ([pw, ph, pd] if padding_flag else [0, 0, 0])

out['centers'] = []
for k, c in enumerate(cfg['centers']):
    s, start, pad = center_crop({'image': normalize(np.load(c['image'])), 'label': np.load(c['label'])}, c['patch'])
    out['centers'].append({'image': save(f'center_{k}_image.npy', s['image']), 'label': save(f'center_{k}_label.npy', s['label']), 'start': start, 'pad': pad})

def soft_dice_eval(x, y, smooth=1e-8):  # SoftDiceLoss(batch_dice=True, do_bg=False)(x, y, is_training=False), one-hot y
    axes = [0, 2, 3, 4]
    tp, fp, fn = x * y, x * (1 - y), (1 - x) * y
    for ax in sorted(axes, reverse=True):
        tp, fp, fn = tp.sum(ax), fp.sum(ax), fn.sum(ax)
    dc = (2 * tp + smooth) / ((2 * tp + fp + fn + smooth) + 1e-8)
    return dc[1:]

dice_list = [[] for _ in range(C - 1)]
per_case, images, labels = [], [], []
for k, c in enumerate(cfg['eval']['cases']):
    s, _, _ = center_crop({'image': normalize(np.load(c['image'])), 'label': np.load(c['label'])}, cfg['eval']['patch'])
    images.append(save(f'eval_{k}_image.npy', s['image']))
    labels.append(save(f'eval_{k}_label.npy', s['label']))
    gt = torch.from_numpy(s['label']).long().unsqueeze(0).unsqueeze(0)
    output = torch.from_numpy(np.load(c['logits']))
    shp = output.shape
    y_onehot = torch.zeros(shp); y_onehot.scatter_(1, gt, 1)
    x_onehot = torch.zeros(shp); x_onehot.scatter_(1, torch.argmax(output, dim=1, keepdim=True).long(), 1)
    dice = soft_dice_eval(x_onehot, y_onehot).numpy()
    per_case.append(dice.tolist())
    for i, d in enumerate(dice):
        dice_list[i].append(d)
dice_mean = [float(np.mean(d)) for d in dice_list]
out['eval'] = {'perClass': dice_mean, 'mean': float(np.mean(dice_mean)), 'perCase': per_case, 'images': images, 'labels': labels}

# 6. epoch plans: the reference's datasets (item i = sorted ids[i % n], labeled repeated to #unlabeled) in real DataLoaders
class Ids(Dataset):
    def __init__(self, ids, repeat=None):
        self.ids_list = sorted(ids)
        self.repeat = len(self.ids_list) if repeat is None else repeat
    def __len__(self):
        return self.repeat
    def __getitem__(self, index):
        return self.ids_list[index % len(self.ids_list)]

torch.manual_seed(0)
out['plans'] = []
for p in cfg['plans']:
    unl = Ids(p['unlabeled'])
    lab = Ids(p['labeled'], repeat=len(unl))
    ul = DataLoader(unl, batch_size=p['batch'], shuffle=True, drop_last=True)
    ll = DataLoader(lab, batch_size=p['batch'], shuffle=True, drop_last=True)
    used_l, used_u, it = Counter(), Counter(), 0
    for bl, bu in zip(ll, ul):
        it += 1; used_l.update(bl); used_u.update(bu)
    out['plans'].append({'iterations': it, 'labeledFull': dict(Counter(lab[i] for i in range(len(lab)))),
                         'labeledUsed': dict(used_l), 'unlabeledMaxUse': max(used_u.values()) if used_u else 0})

print(json.dumps(out))
`;

/**
 * The index of the first element that differs (-1 when none), so a failure names one voxel instead of printing the
 * volume.
 */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!(a[i] === b[i])) return i;
  return -1;
}
function expectExact(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  const i = firstDifference(got, want);
  expect(i, `${what}: lengths ${got.length}/${want.length}, first difference at ${i}: ${got[i]} vs ${want[i]}`).toBe(
    -1,
  );
}
const npy = (path: string) => readNpy(path).data as unknown as ArrayLike<number>;
/** Relative closeness of float64 formulas (pow/exp may differ by an ulp between libm and V8). */
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
/** |observed - expected| within 5 binomial standard deviations of `trials` draws of probability p. */
function expectBinomial(successes: number, trials: number, p: number, what: string): void {
  const sd = Math.sqrt(trials * p * (1 - p));
  expect(
    Math.abs(successes - trials * p),
    `${what}: ${successes}/${trials} vs p=${p} (5 sd = ${5 * sd})`,
  ).toBeLessThanOrEqual(5 * sd);
}

function writeSyntheticCases(): void {
  mkdirSync(synDir, { recursive: true });
  const s = SYNTHETIC_DATA;
  for (const k of [0, 1]) {
    const c = generateSyntheticCase(s.seed, k, [...s.shape], [...s.fovMm], [...s.centerMm]);
    writeNpy(join(synDir, `s${k}_image.npy`), { data: Float32Array.from(c.image), shape: c.shape, dtype: 'float32' });
    writeNpy(join(synDir, `s${k}_label.npy`), { data: Int8Array.from(c.label), shape: c.shape, dtype: 'int8' });
  }
}

/** Crops of real batches (synthetic: volume = patch, padded; tiny: no padding), with the draws that made them. */
function realCrops(): { spec: CropSpec; image: Float32Array; label: Int8Array }[] {
  const out: { spec: CropSpec; image: Float32Array; label: Int8Array }[] = [];
  const sets = [
    { dir: synDir, patch: SYN_PATCH, l: 's0', u: 's1', epochs: 6 },
    { dir: tinyDir, patch: TINY_PATCH, l: 'a1', u: 'u1', epochs: 2 },
  ];
  for (const s of sets) {
    for (let epoch = 0; epoch < s.epochs; epoch++) {
      const [job] = epochPlan({ labeled: [s.l], unlabeled: [s.u], batchSize: 1, seed: 5, epoch });
      const b = buildBatch(job!, { dataDir: s.dir, patch: s.patch });
      [
        [s.l, b.imageL, b.labelL],
        [s.u, b.imageU, b.labelU],
      ].forEach(([id, image, label], slot) => {
        const c = loadCase(s.dir, id as string, slot === 0);
        const aug = drawAugmentation(c.shape, s.patch, new Rng(job!.seeds[slot]!));
        out.push({
          spec: {
            image: join(s.dir, `${id}_image.npy`),
            label: slot === 0 ? join(s.dir, `${id}_label.npy`) : null,
            patch: s.patch,
            ...aug,
          },
          image: image as Float32Array,
          label: label as Int8Array,
        });
      });
    }
  }
  return out;
}

/** Seeded random logits (1, C, patch) per eval case, written for Python. */
function evalLogits(ids: string[]): Float32Array[] {
  torch.manualSeed(123);
  return ids.map((id) =>
    torch.tidy(() => {
      const data = torch.randn([1, C, ...SYN_PATCH]).toTypedArray() as Float32Array;
      writeNpy(join(root, `logits_${id}.npy`), { data, shape: [1, C, ...SYN_PATCH], dtype: 'float32' });
      return data;
    }),
  );
}

const runDir = (maxEpochs: number) => join(root, `run${maxEpochs}`);
let py: PyOut;
let crops: ReturnType<typeof realCrops>;
let logits: Float32Array[];

beforeAll(async () => {
  if (!PY) return;
  writeTinyDataset(root);
  writeSyntheticCases();
  mkdirSync(pyDir, { recursive: true });
  writeFileSync(join(root, 'labeled6.txt'), LABELED.join('\n') + '\n');
  writeFileSync(join(root, 'unlabeled3.txt'), UNLABELED.join('\n') + '\n');
  for (const maxEpochs of RUNS) {
    await train(
      defaultConfig('synthetic', {
        dataDir: tinyDir,
        splitsDir: root,
        labeledSplit: 'labeled6',
        unlabeledSplit: 'unlabeled3',
        evalSplit: 'eval',
        runDir: runDir(maxEpochs),
        maxEpochs,
        batchSize: 2,
        patch: TINY_PATCH,
        nFilters: 2,
        workers: 0,
        threads: 1,
        evalEvery: 0,
        test: false,
        lr: BASE_LR,
        // The reference trainer's schedule (the synthetic default is cosine).
        lrSchedule: 'poly',
        cpsW: CPS_W,
        seed: 1,
      }),
    );
  }
  crops = realCrops();
  logits = evalLogits(['s0', 's1']);
  const input = {
    outDir: pyDir,
    numClasses: C,
    tinyDir,
    labeledSplit: join(root, 'labeled6.txt'),
    maxEpochs: RUNS,
    baseLr: BASE_LR,
    cpsW: CPS_W,
    keepLabel: join(tinyDir, 'a1_label.npy'),
    normalize: [join(synDir, 's0_image.npy'), join(tinyDir, 'a1_image.npy')],
    cropDraws: {
      synthetic: join(synDir, 's0_image.npy'),
      synPatch: SYN_PATCH,
      tiny: join(tinyDir, 'a1_image.npy'),
      tinyPatch: TINY_PATCH,
    },
    crops: crops.map((c) => c.spec),
    centers: CENTERS.map((c) => ({
      image: join(c.dir, `${c.id}_image.npy`),
      label: join(c.dir, `${c.id}_label.npy`),
      patch: c.patch,
    })),
    eval: {
      patch: SYN_PATCH,
      cases: ['s0', 's1'].map((id) => ({
        image: join(synDir, `${id}_image.npy`),
        label: join(synDir, `${id}_label.npy`),
        logits: join(root, `logits_${id}.npy`),
      })),
    },
    plans: PLANS,
  };
  writeFileSync(join(root, 'in.json'), JSON.stringify(input));
  py = JSON.parse(runPython(PYTHON, [join(root, 'in.json')])) as PyOut;
}, 300_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface LogLine {
  epoch: number;
  iter?: number;
  lr?: number;
  cpsW?: number;
}
const iterationLines = (maxEpochs: number): LogLine[] =>
  readFileSync(join(runDir(maxEpochs), 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogLine)
    .filter((l) => l.iter !== undefined);

describe.skipIf(!PY)('the training loop against the reference trainer (live Python)', () => {
  it('ir2 comes from the first four ids of the sorted labeled list (whole label volumes), not the file order', () => {
    const label = (id: string) => npy(join(tinyDir, `${id}_label.npy`));
    const fileOrder = Array.from(classRatios(LABELED.slice(0, 4).map(label), C));
    expect(fileOrder, 'the split file order must give other ratios, or this case could not fail').not.toEqual(py.ir2);
    for (const maxEpochs of RUNS) {
      const saved = JSON.parse(readFileSync(join(runDir(maxEpochs), 'config.json'), 'utf8')) as { ir2: number[] };
      expect(saved.ir2).toEqual(py.ir2);
    }
    for (const r of stepRecords) expect(r.ratios).toEqual(py.ir2);
  });

  it.each(RUNS)(
    'max_epoch %i: lr, cps weight and ir22 used in each epoch, one iteration per epoch (floor(3 / 2))',
    (maxEpochs) => {
      const want = py.schedules[String(maxEpochs)]!;
      const lines = iterationLines(maxEpochs);
      expect(lines.map((l) => l.epoch)).toEqual(want.map((_, e) => e));
      lines.forEach((l, e) => {
        expect(close(l.lr!, want[e]!.lr), `log lr in epoch ${e}: ${l.lr} vs ${want[e]!.lr}`).toBe(true);
        expect(close(l.cpsW!, want[e]!.cpsW), `log cpsW in epoch ${e}: ${l.cpsW} vs ${want[e]!.cpsW}`).toBe(true);
      });
      const used = stepRecords.filter((r) => r.maxEpochs === maxEpochs);
      expect(used.map((r) => r.epoch)).toEqual(want.map((_, e) => e));
      used.forEach((r, e) => {
        expect(close(r.lr, want[e]!.lr), `optimizer lr in epoch ${e}: ${r.lr} vs ${want[e]!.lr}`).toBe(true);
        expect(close(r.cpsW, want[e]!.cpsW), `cps weight in epoch ${e}: ${r.cpsW} vs ${want[e]!.cpsW}`).toBe(true);
        expect(r.ir22, `ir22 in epoch ${e}`).toEqual(want[e]!.ir22);
      });
      // Sanity of the reference's shape: base lr in epochs 0 and 1, weight(0) in epochs 0 and 1, ir22 = 1 in epoch 0.
      expect([want[0]!.lr, want[1]!.lr]).toEqual([BASE_LR, BASE_LR]);
      expect(want[0]!.cpsW).toBe(want[1]!.cpsW);
      expect(want[0]!.ir22.every((v) => v === 1)).toBe(true);
    },
  );

  it('keep probabilities equal the sequential where exactly; masks drawn keep each class at that rate (5 sd)', () => {
    const labelData = npy(join(tinyDir, 'a1_label.npy'));
    const shape = readNpy(join(tinyDir, 'a1_label.npy')).shape;
    const K = 40;
    torch.manualSeed(7);
    torch.tidy(() => {
      const label = torch.fromBuffer(Int8Array.from(labelData), 'int8', shape).to({ dtype: 'int64' });
      const ir2 = torch.tensor(py.ir2, { dtype: 'float64' });
      const bg = torch.tensor([1, ...py.ir2.slice(1)], { dtype: 'float64' });
      const ours: Record<string, Tensor> = {
        ir2,
        bgRarest: bg,
        ir22Epoch0: unlabeledRatios(ir2, 0, 30),
        ir22Epoch10BgRarest: unlabeledRatios(bg, 10, 30),
      };
      for (const [name, ratios] of Object.entries(ours)) {
        const ref = py.keep[name]!;
        expect(Array.from(ratios.toTypedArray() as Float64Array), `${name} ratios`).toEqual(ref.ratios);
        const p = keepProbabilities(label, ratios);
        const want = npy(ref.path);
        expectExact(p.toTypedArray() as Float64Array, want, `${name} keep probabilities`);
        const masks = torch.bernoulli(
          p
            .unsqueeze(0)
            .expand([K, ...shape])
            .contiguous(),
        );
        for (let c = 0; c < C; c++) {
          const inClass = label.eq(c);
          const n = inClass.sum().item();
          if (n === 0) continue;
          const kept = masks.mul(inClass).sum().item();
          const pc = want[Array.prototype.indexOf.call(labelData, c) as number]!;
          expectBinomial(kept, K * n, pc, `${name}, class ${c}`);
        }
      }
      // Background as the rarest class: its voxels end with ir2[1] (remapped again at i = 1), not 1.
      expect(py.keep.bgRarest!.ratios[0]).toBe(1);
      expect(npy(py.keep.bgRarest!.path)[Array.prototype.indexOf.call(labelData, 0) as number]).toBe(py.ir2[1]);
    });
  });

  it('normalization (clip -75..275, per-volume min-max, float32) equals numpy on real cases', () => {
    const cases = [loadCase(synDir, 's0', true), loadCase(tinyDir, 'a1', true)];
    cases.forEach((c, k) => {
      expect(py.norm[k]!.dtype).toBe('float32');
      expectExact(c.image, npy(py.norm[k]!.path), `normalized ${c.id}`);
    });
  });

  it(
    'random crop starts and flips: the padded extent {0..5} per axis for volume = patch, ' +
      "the reference's own range otherwise",
    () => {
      // The reference's literal RandomCrop cannot crop a volume equal to the patch: randint(0, 0) raises.
      expect(py.literalCropError).toMatch(/^ValueError/);
      const N = 6000;
      const draw = (shape: Shape3, patch: Shape3): Augmentation[] =>
        Array.from({ length: N }, (_, k) => drawAugmentation(shape, patch, new Rng(deriveSeed(9, k >> 4, k & 15, 0))));
      const cases: [Shape3, Shape3, number[][]][] = [
        [[...SYNTHETIC_DATA.shape], SYN_PATCH, py.paddedStarts],
        [[36, 40, 40], TINY_PATCH, py.literalStarts],
      ];
      for (const [shape, patch, wantStarts] of cases) {
        const augs = draw(shape, patch);
        for (let a = 0; a < 3; a++) {
          const counts = new Map<number, number>();
          for (const g of augs) counts.set(g.start[a], (counts.get(g.start[a]) ?? 0) + 1);
          expect(
            [...counts.keys()].sort((x, y) => x - y),
            `starts on axis ${a} of [${shape}]`,
          ).toEqual(wantStarts[a]);
          for (const [s, n] of counts)
            expectBinomial(n, N, 1 / wantStarts[a]!.length, `start ${s} on axis ${a} of [${shape}]`);
        }
        expectBinomial(augs.filter((g) => g.flip1).length, N, 0.5, 'flip of axis 1');
        expectBinomial(augs.filter((g) => g.flip2).length, N, 0.5, 'flip of axis 2');
      }
      expect(py.paddedStarts).toEqual([
        [0, 1, 2, 3, 4, 5],
        [0, 1, 2, 3, 4, 5],
        [0, 1, 2, 3, 4, 5],
      ]);
    },
  );

  it('batches of the loader equal numpy pad + slice + flip of the case at the drawn (start, flips)', () => {
    const kinds = new Set(crops.map((c) => `${c.spec.flip1}${c.spec.flip2}${c.spec.patch.join()}`));
    expect(
      kinds.size,
      'every flip combination on the padded synthetic set, some on the tiny set',
    ).toBeGreaterThanOrEqual(5);
    crops.forEach((c, k) => {
      expectExact(c.image, npy(py.crops[k]!.image), `crop ${k} image (${JSON.stringify(c.spec.start)})`);
      expectExact(c.label, npy(py.crops[k]!.label), `crop ${k} label`);
    });
  });

  it("evaluation center crop equals the reference's CenterCrop on the padded volume (padding, Python rounding)", () => {
    CENTERS.forEach((c, k) => {
      const box = centerCropBox(loadEvalCase(c.dir, c.id).shape, c.patch);
      expect([box.start, box.pad], `${c.id} at [${c.patch}]`).toEqual([py.centers[k]!.start, py.centers[k]!.pad]);
      const v: CaseVolume = loadEvalCase(c.dir, c.id);
      const img = new Float32Array(c.patch[0] * c.patch[1] * c.patch[2]);
      const lbl = new Int8Array(img.length);
      applyAugmentation(v, c.patch, box, img, lbl);
      expectExact(img, npy(py.centers[k]!.image), `center crop image ${c.id} at [${c.patch}]`);
      expectExact(lbl, npy(py.centers[k]!.label), `center crop label ${c.id} at [${c.patch}]`);
    });
    // A volume equal to the patch is taken whole: padded by 3, cropped at the centre (3) of the padded volume.
    expect(py.centers[0]!.pad).toEqual([3, 3, 3]);
    expect(py.centers[0]!.start).toEqual([3, 3, 3]);
  });

  it(
    'validation Dice per class (argmax one-hots, smooth 1e-8) of random predictions equals the reference within ' +
      '1e-6',
    () => {
      const ids = ['s0', 's1'];
      const inputs: Float32Array[] = [];
      let calls = 0;
      const fake = {
        training: true,
        nClasses: C,
        eval() {
          this.training = false;
        },
        train() {
          this.training = true;
        },
        forward(x: Tensor) {
          inputs.push(Float32Array.from(x.toTypedArray() as Float32Array));
          const out = torch.fromBuffer(logits[calls++]!, 'float32', [1, C, ...SYN_PATCH], { copy: true });
          return [out, out.clone()];
        },
      };
      const v = validate(fake as unknown as VNetDecoupleAttentionABC, synDir, ids, SYN_PATCH, 'cpu');
      expect(calls).toBe(2);
      inputs.forEach((x, k) => expectExact(x, npy(py.eval.images[k]!), `validation input ${ids[k]}`));
      v.perClass.forEach((d, c) =>
        expect(
          Math.abs(d - py.eval.perClass[c]!),
          `class ${c + 1}: ${d} vs ${py.eval.perClass[c]}`,
        ).toBeLessThanOrEqual(1e-6),
      );
      expect(Math.abs(v.mean - py.eval.mean)).toBeLessThanOrEqual(1e-6);
      ids.forEach((id, k) =>
        torch.tidy(() => {
          const label = torch.fromBuffer(Int8Array.from(npy(py.eval.labels[k]!)), 'int8', [1, 1, ...SYN_PATCH]);
          const d = evalDicePerClass(
            torch.fromBuffer(logits[k]!, 'float32', [1, C, ...SYN_PATCH], { copy: true }),
            label.to({ dtype: 'int64' }),
          );
          const got = Array.from(d.toTypedArray() as Float32Array);
          got.forEach((x, c) =>
            expect(Math.abs(x - py.eval.perCase[k]![c]!), `${id} class ${c + 1}`).toBeLessThanOrEqual(1e-6),
          );
        }),
      );
    },
  );

  it(
    'epoch plan: unlabeled ids at most once, labeled counts of i % #labeled over the sorted ids, ' +
      'floor(#unlabeled / n) iterations',
    () => {
      PLANS.forEach((p, k) => {
        const want = py.plans[k]!;
        const iterations = Math.floor(p.unlabeled.length / p.batch);
        expect(want.iterations).toBe(iterations);
        expect(
          new BatchLoader({ dataDir: root, labeled: p.labeled, unlabeled: p.unlabeled, batchSize: p.batch, workers: 0 })
            .iterations,
        ).toBe(iterations);
        const full = Object.values(want.labeledFull).reduce((a, b) => a + b, 0);
        for (let epoch = 0; epoch < 5; epoch++) {
          const jobs = epochPlan({ labeled: p.labeled, unlabeled: p.unlabeled, batchSize: p.batch, seed: 3, epoch });
          expect(jobs.length).toBe(iterations);
          const unl = jobs.flatMap((j) => j.unlabeled);
          expect(new Set(unl).size, `plan ${k} epoch ${epoch}: an unlabeled id twice`).toBe(unl.length);
          const lab = new Map<string, number>();
          for (const id of jobs.flatMap((j) => j.labeled)) lab.set(id, (lab.get(id) ?? 0) + 1);
          if (full === iterations * p.batch) {
            // Nothing dropped: exactly the reference's multiset (as the reference's own epoch shows).
            expect(Object.fromEntries(lab), `plan ${k} epoch ${epoch}`).toEqual(want.labeledFull);
            expect(want.labeledUsed).toEqual(want.labeledFull);
          } else {
            // The last incomplete batch is dropped: at most the reference's counts, one full batch per iteration.
            expect(unl.length).toBe(iterations * p.batch);
            for (const [id, n] of lab) expect(n).toBeLessThanOrEqual(want.labeledFull[id]!);
          }
        }
        expect(want.unlabeledMaxUse).toBeLessThanOrEqual(1);
      });
    },
  );
});
