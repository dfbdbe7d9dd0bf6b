/**
 * Training data on typed arrays, loaded as the reference loads it for training: a preprocessed case,
 * normalize it, random-crop (with the reference's padding rule) and flip; epoch plans of batches.
 *
 * Randomness comes from lib/data/prng.ts (mulberry32), seeded per (seed, epoch) for the shuffles and per
 * (seed, epoch, iteration, slot) for each sample's crop/flips. Streams are deterministic but differ from
 * numpy's, so crops are not the reference's crops for the same seed; the rules are the same.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '../../io/npy.js';
import { deriveSeed, Rng } from '../../data/prng.js';
import type { Shape3 } from '../../data/resize.js';

/** Clip range used for CT (HU) before min-max scaling. */
export const CLIP_HU: readonly [number, number] = [-75, 275];

/** A preprocessed case in memory: normalized image, int8 label (zeros when unlabeled) and shape [D, H, W]. */
export interface CaseVolume {
  id: string;
  /** Normalized image in [0, 1], float32, C order with `shape`. */
  image: Float32Array;
  /** Label (int8); all zeros for unlabeled cases. */
  label: Int8Array;
  shape: Shape3;
}

/**
 * Clips to [lo, hi], then min-max scales this volume to [0, 1], in float32 as numpy does for a float32
 * array: (x - min) / (max - min) with each operation rounded to float32. A constant volume gives zeros
 * (the reference would divide by zero).
 */
export function normalizeImage(src: ArrayLike<number>, lo = CLIP_HU[0], hi = CLIP_HU[1]): Float32Array {
  const n = src.length;
  const out = new Float32Array(n);
  let mn = Infinity,
    mx = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = src[i]!;
    const c = v < lo ? lo : v > hi ? hi : v;
    out[i] = c;
    if (out[i]! < mn) mn = out[i]!;
    if (out[i]! > mx) mx = out[i]!;
  }
  const range = Math.fround(mx - mn);
  if (!(range > 0)) return out.fill(0);
  for (let i = 0; i < n; i++) out[i] = Math.fround(out[i]! - mn) / range;
  return out;
}

/** Loads `<dataDir>/<id>_image.npy` (+ `<id>_label.npy` when labeled), normalized. Errors name the file. */
export function loadCase(
  dataDir: string,
  id: string,
  labeled: boolean,
  clip: readonly [number, number] = CLIP_HU,
): CaseVolume {
  const ip = join(dataDir, `${id}_image.npy`);
  if (!existsSync(ip)) throw new Error(`case '${id}': ${ip} does not exist (run preprocess first)`);
  const im = readNpy(ip);
  if (im.shape.length !== 3) throw new Error(`${ip}: expected a 3-D image, got shape [${im.shape}]`);
  if (im.data instanceof BigInt64Array || im.data instanceof BigUint64Array)
    throw new Error(`${ip}: 64-bit integer images are not supported`);
  const shape = im.shape as Shape3;
  const image = normalizeImage(im.data, clip[0], clip[1]);
  let label: Int8Array;
  if (labeled) {
    const lp = join(dataDir, `${id}_label.npy`);
    if (!existsSync(lp)) throw new Error(`case '${id}': ${lp} does not exist`);
    const lb = readNpy(lp);
    if (lb.shape.join() !== im.shape.join())
      throw new Error(`${lp}: label shape [${lb.shape}] differs from image shape [${im.shape}] (${ip})`);
    if (lb.data instanceof Int8Array) label = lb.data;
    else if (lb.data instanceof BigInt64Array || lb.data instanceof BigUint64Array)
      label = Int8Array.from(lb.data, (v) => Number(v));
    else label = Int8Array.from(lb.data as ArrayLike<number>);
  } else {
    label = new Int8Array(image.length);
  }
  return { id, image, label, shape };
}

/** Normalized image and label of an evaluation/test case. */
export function loadEvalCase(dataDir: string, id: string, clip: readonly [number, number] = CLIP_HU): CaseVolume {
  return loadCase(dataDir, id, true, clip);
}

/** Per-axis padding of the reference's RandomCrop: max((patch - size) // 2 + 3, 0) (Python floor division). */
export function padAmount(size: number, patch: number): number {
  return Math.max(Math.floor((patch - size) / 2) + 3, 0);
}

/** Padding per axis: all zeros unless some dim <= patch, then padAmount for every axis. */
export function cropPadding(shape: readonly number[], patch: readonly number[]): Shape3 {
  const any = shape.some((s, i) => s <= patch[i]!);
  return any ? (shape.map((s, i) => padAmount(s, patch[i]!)) as Shape3) : [0, 0, 0];
}

/** One sample's random crop (padding and start per axis) and flips. */
export interface Augmentation {
  /** Padding per axis (both sides). */
  pad: Shape3;
  /** Crop start per axis in the padded volume. */
  start: Shape3;
  flip1: boolean;
  flip2: boolean;
}

/** Draws the crop/flip parameters: starts uniform in [0, padded - patch) per axis, then flip axis 1, then axis 2. */
export function drawAugmentation(shape: readonly number[], patch: readonly number[], rng: Rng): Augmentation {
  const pad = cropPadding(shape, patch);
  const start = [0, 0, 0] as Shape3;
  for (let a = 0; a < 3; a++) {
    const room = shape[a]! + 2 * pad[a]! - patch[a]!;
    if (room <= 0)
      throw new Error(
        `random crop: axis ${a} of shape [${shape}] (padded by ${pad[a]}) leaves no room for patch [${patch}]`,
      );
    start[a] = rng.int(0, room);
  }
  const flip1 = rng.next() < 0.5;
  const flip2 = rng.next() < 0.5;
  return { pad, start, flip1, flip2 };
}

/**
 * Writes the augmented patch of (image, label) into img/lbl at offset (patch-sized regions). Voxels from
 * the padding are 0. Flips reverse axis 1 and/or axis 2 of the cropped patch.
 */
export function applyAugmentation(
  c: { image: Float32Array; label: Int8Array; shape: readonly number[] },
  patch: readonly number[],
  aug: Augmentation,
  img: Float32Array,
  lbl: Int8Array,
  offset = 0,
): void {
  const [D, H, W] = c.shape as Shape3;
  const [PD, PH, PW] = patch as Shape3;
  const oz = aug.start[0] - aug.pad[0],
    oy = aug.start[1] - aug.pad[1],
    ox = aug.start[2] - aug.pad[2];
  let o = offset;
  for (let z = 0; z < PD; z++) {
    const sz = z + oz;
    for (let y = 0; y < PH; y++) {
      const sy = (aug.flip1 ? PH - 1 - y : y) + oy;
      const rowOk = sz >= 0 && sz < D && sy >= 0 && sy < H;
      const rb = (sz * H + sy) * W;
      for (let x = 0; x < PW; x++, o++) {
        const sx = (aug.flip2 ? PW - 1 - x : x) + ox;
        if (rowOk && sx >= 0 && sx < W) {
          img[o] = c.image[rb + sx]!;
          lbl[o] = c.label[rb + sx]!;
        } else {
          img[o] = 0;
          lbl[o] = 0;
        }
      }
    }
  }
}

/** One batch to build: its epoch and iteration, the case ids, and each slot's augmentation seed. */
export interface BatchJob {
  epoch: number;
  iteration: number;
  labeled: string[];
  unlabeled: string[];
  /** Augmentation seeds: labeled slots first, then unlabeled. */
  seeds: number[];
}

/** The inputs of an epoch plan: labeled and unlabeled ids, batch size n, seed and epoch. */
export interface EpochPlanOptions {
  labeled: readonly string[];
  unlabeled: readonly string[];
  batchSize: number;
  seed: number;
  epoch: number;
}

/**
 * One epoch's batches, as the reference's two-stream sampler draws them: the unlabeled ids shuffled into batches of n,
 * the last incomplete batch dropped; the sorted labeled ids repeated cyclically to the unlabeled length and shuffled
 * likewise; iterations = floor(#unlabeled / n). Depends only on (seed, epoch), so a resumed run repeats it.
 */
export function epochPlan(o: EpochPlanOptions): BatchJob[] {
  const { labeled, unlabeled, batchSize: n, seed, epoch } = o;
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`batchSize must be a positive integer, got ${n}`);
  if (labeled.length === 0) throw new Error('epochPlan: the labeled list is empty');
  const rng = new Rng(deriveSeed(seed, epoch, 0xe90c));
  const unl = rng.shuffle([...unlabeled]);
  // The reference's labeled dataset has #unlabeled items, item i being the (i mod #labeled)-th id of the
  // sorted list: when #labeled does not divide #unlabeled, the first ids in sorted order get the extra repeat.
  const base = [...labeled].sort();
  const lab = rng.shuffle(Array.from({ length: unl.length }, (_, i) => base[i % base.length]!));
  const iterations = Math.floor(unl.length / n);
  const jobs: BatchJob[] = [];
  for (let it = 0; it < iterations; it++) {
    const seeds = Array.from({ length: 2 * n }, (_, s) => deriveSeed(seed, epoch, it, s));
    jobs.push({
      epoch,
      iteration: it,
      labeled: lab.slice(it * n, (it + 1) * n),
      unlabeled: unl.slice(it * n, (it + 1) * n),
      seeds,
    });
  }
  return jobs;
}

/** One training batch as typed arrays: n labeled and n unlabeled patches with their labels. */
export interface Batch {
  imageL: Float32Array;
  labelL: Int8Array;
  imageU: Float32Array;
  labelU: Int8Array;
  /** [n, 1, D, H, W] of each of imageL/imageU (labels: [n, D, H, W] in the same memory order). */
  shape: [number, 1, number, number, number];
  ids: { labeled: string[]; unlabeled: string[] };
  epoch: number;
  iteration: number;
}

/** Where buildBatch reads cases from: the data folder, the patch, the CT clip range and an optional cache. */
export interface BatchSource {
  dataDir: string;
  patch: Shape3;
  clip?: readonly [number, number];
  /** Optional case cache (id + labeled flag -> volume). */
  cache?: Map<string, CaseVolume>;
}

/** Builds one batch synchronously (used in-thread and inside the workers). */
export function buildBatch(job: BatchJob, src: BatchSource): Batch {
  const n = job.labeled.length;
  if (job.unlabeled.length !== n)
    throw new Error(`batch ${job.iteration}: ${n} labeled vs ${job.unlabeled.length} unlabeled ids`);
  const [PD, PH, PW] = src.patch;
  const vol = PD * PH * PW;
  const b: Batch = {
    imageL: new Float32Array(n * vol),
    labelL: new Int8Array(n * vol),
    imageU: new Float32Array(n * vol),
    labelU: new Int8Array(n * vol),
    shape: [n, 1, PD, PH, PW],
    ids: { labeled: [...job.labeled], unlabeled: [...job.unlabeled] },
    epoch: job.epoch,
    iteration: job.iteration,
  };
  const get = (id: string, labeled: boolean): CaseVolume => {
    const key = `${labeled ? 'L' : 'U'}:${id}`;
    let c = src.cache?.get(key);
    if (!c) {
      c = loadCase(src.dataDir, id, labeled, src.clip);
      src.cache?.set(key, c);
    }
    return c;
  };
  for (let s = 0; s < 2 * n; s++) {
    const labeled = s < n;
    const k = labeled ? s : s - n;
    const c = get(labeled ? job.labeled[k]! : job.unlabeled[k]!, labeled);
    const aug = drawAugmentation(c.shape, src.patch, new Rng(job.seeds[s]!));
    applyAugmentation(c, src.patch, aug, labeled ? b.imageL : b.imageU, labeled ? b.labelL : b.labelU, k * vol);
  }
  return b;
}
