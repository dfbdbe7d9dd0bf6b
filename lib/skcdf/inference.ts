/**
 * Sliding-window inference (the reference's test_single_case) and whole-case / whole-dataset prediction.
 *
 * The window rule is the reference's `test_single_case`: per axis, when the volume is smaller than
 * the patch it is first zero-padded symmetrically (lo = pad // 2, hi = pad - lo); then
 * count = ceil((size - patch) / stride) + 1 and start_i = min(stride * i, size - patch). Windows are
 * visited with the first array axis outermost, softmax probabilities are summed into a score map and
 * a count map (on the device, in tensors), the score map is divided by the count, cropped back and
 * arg-maxed. Options beyond the reference: nnU-Net style Gaussian importance weights, test-time
 * mirroring, several windows per forward.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/index.js';
import { readNpy } from '../io/npy.js';
import { readNifti, writeNifti, type NiftiHeader, type NiftiImage } from '../io/nifti.js';
import type { Shape3 } from '../data/resize.js';
import { CLIP_HU, normalizeImage } from './data/dataset.js';

/** What inference needs from a network (VNetDecoupleAttentionABC satisfies it). */
export interface SegmentationNet {
  /** Logits of both heads in 'unlabeled' mode, (B, C, D, H, W) each. */
  forward(x: Tensor, mode: 'unlabeled'): [Tensor, Tensor];
  /** The main head's logits alone, when the network can skip the auxiliary head (used when present). */
  predict?(x: Tensor): Tensor;
  /** Switches to eval mode (optional; called when present). */
  eval?(): unknown;
  /** Restores a training mode afterwards (optional). */
  train?(mode?: boolean): unknown;
  training?: boolean;
}

/** Logits of the main head in 'unlabeled' mode (the test path). */
function mainLogits(model: SegmentationNet, x: Tensor): Tensor {
  if (model.predict) return model.predict(x);
  const [out, outAbc] = model.forward(x, 'unlabeled');
  outAbc.dispose();
  return out;
}

/** Reference strides (z, y, x) per speed setting. */
export const SPEED_STRIDES: Readonly<Record<0 | 1 | 2, Shape3>> = {
  0: [16, 32, 32],
  1: [16, 64, 64],
  2: [32, 128, 128],
};

/**
 * Sliding-window settings: patch, classes, stride (or a speed preset or an overlap), Gaussian weighting, flips,
 * windows per forward, device, memory layout, and whether to return the probabilities.
 */
export interface SlidingWindowOptions {
  /** Window (patch) size (d, h, w). */
  patch: Shape3;
  /** Number of output channels of the network. */
  numClasses: number;
  /** Reference speed setting (default 0); ignored when `stride` or `overlap` is given. */
  speed?: 0 | 1 | 2;
  /** Explicit strides (z, y, x). */
  stride?: Shape3;
  /** Overlap fraction in [0, 1): stride = max(1, round(patch * (1 - overlap))). */
  overlap?: number;
  /** nnU-Net importance weights (Gaussian, sigma = patch / 8) instead of uniform averaging. */
  gaussian?: boolean;
  /** Windows forwarded together in one batch (default 1, as the reference). */
  windowsPerBatch?: number;
  /** Test-time mirroring: average the softmax over all 8 combinations of flipping the 3 spatial axes. */
  flips?: boolean;
  /** Device for the computation (default: the image's device). The model must already be there. */
  device?: string;
  /** Also return the averaged probabilities (C, D, H, W), float32. */
  returnProbabilities?: boolean;
  /**
   * Feed windows in channels-last-3d layout (oneDNN's preferred CPU layout); pair with
   * {@link toChannelsLast3d} on the model. Same math, float32 rounding may differ slightly.
   */
  channelsLast?: boolean;
}

/** A sliding-window prediction: the label map and, on request, the averaged probabilities. */
export interface SlidingWindowResult {
  /** Averaged softmax probabilities (C, D, H, W), only with `returnProbabilities`. */
  probabilities?: Tensor;
  /** Arg-max label map (D, H, W), uint8 when numClasses <= 256, int64 otherwise. */
  labels: Tensor;
}

/** Window starts along one axis (size >= patch): the reference's rule. */
export function windowStarts(size: number, patch: number, stride: number): number[] {
  if (!(Number.isInteger(size) && Number.isInteger(patch) && Number.isInteger(stride)) || patch < 1 || stride < 1) {
    throw new RangeError(
      `windowStarts: size, patch and stride must be positive integers, got ${size}, ${patch}, ${stride}`,
    );
  }
  if (size < patch) throw new RangeError(`windowStarts: size ${size} is smaller than the patch ${patch} (pad first)`);
  const count = Math.ceil((size - patch) / stride) + 1;
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Math.min(stride * i, size - patch));
  return out;
}

/** Strides from the options (explicit > overlap > speed). */
export function resolveStride(o: Pick<SlidingWindowOptions, 'patch' | 'speed' | 'stride' | 'overlap'>): Shape3 {
  if (o.stride) {
    if (o.stride.length !== 3 || o.stride.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new RangeError(`slidingWindowPredict: stride must be 3 positive integers, got ${JSON.stringify(o.stride)}`);
    }
    return [o.stride[0], o.stride[1], o.stride[2]];
  }
  if (o.overlap !== undefined) {
    if (!(o.overlap >= 0 && o.overlap < 1))
      throw new RangeError(`slidingWindowPredict: overlap must be in [0, 1), got ${o.overlap}`);
    return o.patch.map((p) => Math.max(1, Math.round(p * (1 - o.overlap!)))) as Shape3;
  }
  const speed = o.speed ?? 0;
  const s = SPEED_STRIDES[speed];
  if (!s) throw new RangeError(`slidingWindowPredict: speed must be 0, 1 or 2, got ${String(speed)}`);
  return [s[0], s[1], s[2]];
}

/**
 * nnU-Net's importance map: a Gaussian centred at patch // 2 with sigma = patch / 8 per axis, scaled to
 * max 1, zeros replaced by the smallest non-zero value. (nnU-Net builds it with scipy's gaussian_filter
 * on a delta; the kernel radius 4 sigma covers the whole patch, so that is this closed form up to scale.)
 */
export function gaussianImportance(patch: Shape3, device = 'cpu'): Tensor {
  return torch.tidy(() => {
    const axes = patch.map((p, k) => {
      const c = Math.floor(p / 2),
        sigma = p / 8;
      const v = new Float64Array(p);
      for (let i = 0; i < p; i++) v[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
      const shape = [1, 1, 1];
      shape[k] = p;
      return torch.fromBuffer(v, 'float64', shape);
    });
    let g = axes[0].mul(axes[1]).mul(axes[2]);
    g = g.div(g.max());
    const nz = g.get(g.gt(0));
    const minNz = nz.numel() ? nz.min().item() : 1;
    g = torch.where(g.eq(0), minNz, g);
    return g.to({ dtype: 'float32', device });
  });
}

function checkImage(image: Tensor): Shape3 {
  const s = image.shape;
  if (s.length === 3) return [s[0], s[1], s[2]];
  if (s.length === 5 && s[0] === 1 && s[1] === 1) return [s[2], s[3], s[4]];
  throw new RangeError(`slidingWindowPredict: image must be (D, H, W) or (1, 1, D, H, W), got [${s.join(', ')}]`);
}

const FLIP_SETS: number[][] = [[], [2], [3], [4], [2, 3], [2, 4], [3, 4], [2, 3, 4]];

/**
 * Predicts a whole volume with overlapping windows. Eval mode (restored afterwards), no grad; every
 * temporary is disposed; only the returned tensors survive.
 */
export function slidingWindowPredict(
  model: SegmentationNet,
  image: Tensor,
  options: SlidingWindowOptions,
): SlidingWindowResult {
  const size = checkImage(image);
  const patch = options.patch;
  if (!Array.isArray(patch) || patch.length !== 3 || patch.some((p) => !Number.isInteger(p) || p < 1)) {
    throw new RangeError(`slidingWindowPredict: patch must be 3 positive integers, got ${JSON.stringify(patch)}`);
  }
  const C = options.numClasses;
  if (!Number.isInteger(C) || C < 1)
    throw new RangeError(`slidingWindowPredict: numClasses must be a positive integer, got ${C}`);
  const stride = resolveStride(options);
  const perBatch = options.windowsPerBatch ?? 1;
  if (!Number.isInteger(perBatch) || perBatch < 1)
    throw new RangeError(`slidingWindowPredict: windowsPerBatch must be a positive integer, got ${perBatch}`);
  const device = options.device ?? image.device;

  const wasTraining = model.training;
  model.eval?.();
  try {
    return torch.noGrad(() =>
      torch.tidy(() => {
        // Symmetric zero padding where the volume is smaller than the patch (reference rule).
        const padLo = size.map((s, k) => (s < patch[k] ? Math.floor((patch[k] - s) / 2) : 0));
        const padHi = size.map((s, k) => (s < patch[k] ? patch[k] - s - padLo[k] : 0));
        let vol = image.to({ dtype: 'float32', device }).reshape([size[0], size[1], size[2]]);
        if (padLo.some((p, k) => p > 0 || padHi[k] > 0)) {
          vol = torch.constantPadNd(vol, [padLo[2], padHi[2], padLo[1], padHi[1], padLo[0], padHi[0]], 0);
        }
        const full = vol.shape as Shape3;
        const starts = full.map((s, k) => windowStarts(s, patch[k], stride[k]));
        const windows: Shape3[] = [];
        for (const z of starts[0]) for (const y of starts[1]) for (const x of starts[2]) windows.push([z, y, x]);

        const score = torch.zeros([C, ...full], { dtype: 'float32', device });
        const count = torch.zeros(full, { dtype: 'float32', device });
        const weight = options.gaussian ? gaussianImportance(patch, device) : null;
        const slices = (w: Shape3): string[] => w.map((s, k) => `${s}:${s + patch[k]}`);

        for (let b0 = 0; b0 < windows.length; b0 += perBatch) {
          const batch = windows.slice(b0, b0 + perBatch);
          torch.tidy(() => {
            let x = torch.stack(batch.map((w) => vol.get(...slices(w)))).unsqueeze(1);
            if (options.channelsLast) x = x.contiguous({ memoryFormat: 'channelsLast3d' });
            let prob: Tensor;
            if (options.flips) {
              prob = torch.zeros([batch.length, C, ...patch], { dtype: 'float32', device });
              for (const dims of FLIP_SETS) {
                torch.tidy(() => {
                  const xin = dims.length ? torch.flip(x, dims) : x;
                  let p = torch.softmax(mainLogits(model, xin), 1);
                  if (dims.length) p = torch.flip(p, dims);
                  prob.add_(p);
                });
              }
              prob.div_(FLIP_SETS.length);
            } else {
              prob = torch.softmax(mainLogits(model, x), 1);
            }
            const s = prob.shape;
            if (
              s.length !== 5 ||
              s[0] !== batch.length ||
              s[1] !== C ||
              s[2] !== patch[0] ||
              s[3] !== patch[1] ||
              s[4] !== patch[2]
            ) {
              throw new RangeError(
                `slidingWindowPredict: the model returned shape [${s.join(', ')}], expected [${batch.length}, ${C}, ` +
                `${patch.join(', ')}]`,
              );
            }
            batch.forEach((w, i) => {
              const sl = slices(w);
              const pi = prob.get(i);
              if (weight) {
                score.get(':', ...sl).add_(pi.mul(weight));
                count.get(...sl).add_(weight);
              } else {
                score.get(':', ...sl).add_(pi);
                count.get(...sl).add_(1);
              }
            });
          });
        }
        let avg = score.div_(count);
        if (padLo.some((p, k) => p > 0 || padHi[k] > 0)) {
          avg = avg.get(':', ...size.map((s, k) => `${padLo[k]}:${padLo[k] + s}`));
        }
        let labels = avg.argmax(0);
        if (C <= 256) labels = labels.to({ dtype: 'uint8' });
        const result: SlidingWindowResult = { labels };
        if (options.returnProbabilities) result.probabilities = avg.contiguous();
        return result;
      }),
    );
  } finally {
    if (wasTraining === true) model.train?.(true);
  }
}

/**
 * Re-lays every 5-D parameter and buffer of `model` out in channels-last-3d order in place (values
 * unchanged, same tensors), so that CPU convolutions run in oneDNN's preferred layout end to end.
 */
export function toChannelsLast3d<
  M extends {
    /** The model's parameters (re-laid out in place). */
    parameters(): Tensor[];
    /** The model's buffers (re-laid out in place). */
    buffers(): Tensor[];
  },
>(model: M): M {
  torch.noGrad(() => {
    for (const t of [...model.parameters(), ...model.buffers()]) {
      if (t.ndim !== 5) continue;
      torch.tidy(() => {
        t.set_(t.contiguous({ memoryFormat: 'channelsLast3d' }));
      });
    }
  });
  return model;
}

// ---------------------------------------------------------------------------------------------
// cases and datasets

/** An input volume ready for prediction: the normalized image, its shape and (for NIfTI) its header. */
export interface LoadedVolume {
  /** Normalized image (clip to [-75, 275], per-volume min-max to [0, 1]), C order with `shape`. */
  image: Float32Array;
  /** Array order (z, y, x). */
  shape: Shape3;
  /** The source NIfTI image when the input was NIfTI (its spacing/affine/header are written back). */
  nifti?: NiftiImage;
}

/** Reads a preprocessed `.npy` or a NIfTI (.nii / .nii.gz) volume and normalizes it like training does. */
export function loadVolume(path: string, clip: readonly [number, number] = CLIP_HU): LoadedVolume {
  if (!existsSync(path)) throw new Error(`loadVolume: ${path} does not exist`);
  let data: ArrayLike<number>;
  let shape: number[];
  let nifti: NiftiImage | undefined;
  if (/\.npy$/i.test(path)) {
    const a = readNpy(path);
    if (a.data instanceof BigInt64Array || a.data instanceof BigUint64Array)
      throw new Error(`${path}: 64-bit integer images are not supported`);
    data = a.data as ArrayLike<number>;
    shape = a.shape;
  } else if (/\.nii(\.gz)?$/i.test(path)) {
    nifti = readNifti(path);
    if (nifti.data instanceof BigInt64Array || nifti.data instanceof BigUint64Array)
      throw new Error(`${path}: 64-bit integer images are not supported`);
    data = nifti.data as ArrayLike<number>;
    shape = nifti.shape;
  } else {
    throw new Error(`loadVolume: ${path} is neither .npy nor .nii/.nii.gz`);
  }
  if (shape.length !== 3) throw new Error(`${path}: expected a 3-D volume, got shape [${shape.join(', ')}]`);
  return { image: normalizeImage(data, clip[0], clip[1]), shape: [shape[0], shape[1], shape[2]], nifti };
}

/** Header fields of a source NIfTI worth carrying into a label map (geometry, units, description). */
function geometryHeader(h: NiftiHeader): Partial<NiftiHeader> {
  return {
    version: h.version,
    dim_info: h.dim_info,
    pixdim: h.pixdim.slice(),
    xyzt_units: h.xyzt_units,
    qform_code: h.qform_code,
    sform_code: h.sform_code,
    quatern_b: h.quatern_b,
    quatern_c: h.quatern_c,
    quatern_d: h.quatern_d,
    qoffset_x: h.qoffset_x,
    qoffset_y: h.qoffset_y,
    qoffset_z: h.qoffset_z,
    srow_x: h.srow_x.slice(),
    srow_y: h.srow_y.slice(),
    srow_z: h.srow_z.slice(),
    descrip: h.descrip,
  };
}

/** The sliding-window settings of a whole-case prediction (no probabilities returned). */
export type InferenceSettings = Omit<SlidingWindowOptions, 'returnProbabilities'>;

/** predictCase's options: the network, the input volume, the output file and the sliding-window settings. */
export interface PredictCaseOptions extends InferenceSettings {
  model: SegmentationNet;
  /** Input volume: `<id>_image.npy` (preprocessed) or a NIfTI file. */
  input: string;
  /** Output label map (.nii.gz), uint8, written atomically. */
  output: string;
  /** Voxel spacing (z, y, x) written for `.npy` inputs (default 1, 1, 1). */
  spacing?: Shape3;
  clip?: readonly [number, number];
}

/** What predictCase did: input, output file, shape, seconds and the label map. */
export interface CasePrediction {
  input: string;
  output: string;
  shape: Shape3;
  /** The label map (C order, `shape`). */
  labels: Uint8Array;
  seconds: number;
}

/**
 * Predicts one case with a sliding window and writes the label map as NIfTI (uint8, the input's geometry when it was
 * NIfTI).
 */
export function predictCase(o: PredictCaseOptions): CasePrediction {
  const t0 = performance.now();
  if (o.numClasses > 256)
    throw new RangeError(`predictCase: numClasses ${o.numClasses} does not fit the uint8 label map`);
  const vol = loadVolume(o.input, o.clip);
  const labels = torch.tidy(() => {
    const img = torch.fromBuffer(vol.image, 'float32', vol.shape);
    const r = slidingWindowPredict(o.model, img, { ...o, returnProbabilities: false });
    return r.labels.cpu().toTypedArray() as Uint8Array;
  });
  if (vol.nifti) {
    const src = vol.nifti;
    writeNifti(o.output, {
      data: labels,
      shape: vol.shape,
      dtype: 'uint8',
      spacing: src.spacing,
      affine: src.affine,
      header: geometryHeader(src.header),
    });
  } else {
    writeNifti(o.output, { data: labels, shape: vol.shape, dtype: 'uint8', spacing: o.spacing ?? [1, 1, 1] });
  }
  return { input: o.input, output: o.output, shape: vol.shape, labels, seconds: (performance.now() - t0) / 1000 };
}

/** predictDataset's options: the network, the data folder, case ids, output folder and settings. */
export interface PredictDatasetOptions extends InferenceSettings {
  model: SegmentationNet;
  /** Folder with `<id>_image.npy` (preferred) or `<id>.nii.gz` / `<id>.nii`. */
  dataDir: string;
  ids: readonly string[];
  outDir: string;
  /** Resolves a case's input explicitly (overrides the dataDir lookup). */
  inputFor?: (id: string) => string;
  spacing?: Shape3;
  clip?: readonly [number, number];
  /** Called after each case. */
  onCase?: (id: string, r: Omit<CasePrediction, 'labels'>) => void;
}

/** The input file of a case in dataDir. */
export function caseInput(dataDir: string, id: string): string {
  const candidates = [`${id}_image.npy`, `${id}.nii.gz`, `${id}.nii`].map((f) => join(dataDir, f));
  const hit = candidates.find((p) => existsSync(p));
  if (!hit)
    throw new Error(`case '${id}': none of ${candidates.map((p) => basename(p)).join(', ')} exists in ${dataDir}`);
  return hit;
}

/** Predicts every case and writes `<outDir>/<id>_pred.nii.gz`. Returns per-case summaries (no label arrays). */
export function predictDataset(o: PredictDatasetOptions): Omit<CasePrediction, 'labels'>[] {
  const { model, dataDir, ids, outDir, inputFor, onCase, ...settings } = o;
  const out: Omit<CasePrediction, 'labels'>[] = [];
  for (const id of ids) {
    const input = inputFor ? inputFor(id) : caseInput(dataDir, id);
    const { labels: _labels, ...r } = predictCase({
      ...settings,
      model,
      input,
      output: join(outDir, `${id}_pred.nii.gz`),
    });
    out.push(r);
    onCase?.(id, r);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// checkpoints

/** Anything a state dict can be loaded into (a Module). */
export interface StateDictTarget {
  /** Copies `sd` into the target (strict: keys must match). */
  loadStateDict(sd: Map<string, Tensor>, options?: { strict?: boolean }): unknown;
}

const NESTED_KEYS = ['state_dict', 'model_state_dict', 'model', 'net', 'network', 'student'];

/**
 * Loads a model's weights from a `.pth` file into `model`: a state dict saved by PyTorch
 * (`torch.save(model.state_dict(), path)`), or a dict nesting one under `key` / one of state_dict,
 * model_state_dict, model, net, network, student (as the reference trainer saves). A DataParallel 'module.'
 * prefix is stripped. Strict by default. To read a checkpoint's other entries, use torch.loadCheckpoint.
 */
export function loadModelWeights(
  model: StateDictTarget,
  path: string,
  options: { key?: string; strict?: boolean } = {},
): void {
  torch.tidy(() => {
    const top = torch.load(path);
    let value: unknown = top;
    if (options.key !== undefined) {
      if (!(top instanceof Map) || !top.has(options.key))
        throw new Error(`${path}: no entry '${options.key}' in the checkpoint`);
      value = top.get(options.key);
    } else if (top instanceof Map && ![...top.values()].every((v) => v instanceof torch.Tensor)) {
      const k = NESTED_KEYS.find((n) => top.get(n) instanceof Map);
      if (k === undefined)
        throw new Error(`${path}: not a state dict and none of ${NESTED_KEYS.join(', ')} holds one; pass { key }`);
      value = top.get(k);
    }
    if (!(value instanceof Map) || ![...value.values()].every((v) => v instanceof torch.Tensor)) {
      throw new Error(`${path}: not a state dict (a dict of tensors)`);
    }
    const sd = new Map<string, Tensor>();
    const all = [...(value as Map<string, Tensor>).keys()];
    const strip = all.length > 0 && all.every((k) => String(k).startsWith('module.'));
    for (const [k, t] of value as Map<string, Tensor>) sd.set(strip ? String(k).slice(7) : String(k), t);
    try {
      model.loadStateDict(sd, { strict: options.strict ?? true });
    } catch (err) {
      throw new Error(`${path}: ${(err as Error).message}`);
    }
  });
}
