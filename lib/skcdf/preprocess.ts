/**
 * Preprocessing as the reference does it: raw NIfTI -> resized `.npy` pairs.
 * image: trilinear (align_corners=False) -> float32 `<id>_image.npy`; label: nearest -> int8 `<id>_label.npy`.
 * Resumable: cases whose two outputs exist and parse with the expected shape/dtype are skipped.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readNifti } from '../io/nifti.js';
import { readNpy, writeNpy } from '../io/npy.js';
import type { TypedArray } from '../io/npy.js';
import { resizeNearest, resizeTrilinear } from '../data/resize.js';
import type { NumericArray, Shape3 } from '../data/resize.js';
import { className, datasetInfo } from './classes.js';
import type { DatasetName } from './classes.js';
import { ProgressBar } from './progress.js';

/** A raw case: its id and the paths of its image and label NIfTI files. */
export interface RawCase {
  id: string;
  imagePath: string;
  labelPath: string;
}

/** Progress of a dataset run, after each case. */
export interface PreprocessProgress {
  done: number;
  total: number;
  id: string;
  status: 'done' | 'skipped';
}

/** The size [D, H, W] cases are resized to (the reference's preprocessing). */
export const PREPROCESSED_SIZE: Readonly<Shape3> = [80, 160, 160];

/** What to preprocess: the dataset, its raw and output folders, the output size, progress and quiet. */
export interface PreprocessOptions {
  dataset: DatasetName;
  rawDir: string;
  outDir: string;
  /** Output [D, H, W] (default PREPROCESSED_SIZE, 80x160x160). */
  size?: Shape3;
  /** Called as each case finishes. */
  onProgress?: (p: PreprocessProgress) => void;
  /** No progress bar and no printed summary. */
  quiet?: boolean;
}

/** One case of a run: done or skipped, its shapes, the classes present and those missing. */
export interface CaseSummary {
  id: string;
  status: 'done' | 'skipped';
  /** Raw [z, y, x] shape (undefined for skipped cases). */
  rawShape?: number[];
  shape: number[];
  /** Class indices present in the preprocessed label. */
  classes: number[];
  /** Foreground classes absent from the preprocessed label. */
  missing: number[];
}

/** A dataset run: counts of done and skipped cases, each case, and which cases miss which class. */
export interface PreprocessSummary {
  dataset: DatasetName;
  outDir: string;
  done: number;
  skipped: number;
  cases: CaseSummary[];
  /** class index -> ids of cases without it. */
  casesMissingClass: Record<number, string[]>;
}

/** Finds the raw cases of a dataset under rawDir, sorted by id; a missing label file is an error naming it. */
export function findRawCases(dataset: DatasetName, rawDir: string): RawCase[] {
  const info = datasetInfo(dataset);
  const cases: RawCase[] = [];
  const seen = new Map<string, string>();
  for (const pair of info.rawPairs) {
    const dir = join(rawDir, pair.imagesDir);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      const id = info.caseIdFromImage(f);
      if (id === undefined) continue;
      const imagePath = join(dir, f);
      const labelPath = join(rawDir, pair.labelsDir, info.labelFileName(id));
      if (!existsSync(labelPath))
        throw new Error(`${dataset}: label file ${labelPath} for image ${imagePath} does not exist`);
      if (seen.has(id)) throw new Error(`${dataset}: case id '${id}' appears twice (${seen.get(id)} and ${imagePath})`);
      seen.set(id, imagePath);
      cases.push({ id, imagePath, labelPath });
    }
  }
  if (cases.length === 0) {
    throw new Error(
      `${dataset}: no cases found under ${rawDir} (expected ` +
      `${info.rawGlobs.filter((g) => g.startsWith('images')).join(' or ')})`,
    );
  }
  return cases.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}

/** Checks that every label value is an integer in [0, numClasses); the error names the file, value and count. */
export function checkLabelValues(data: TypedArray, numClasses: number, dataset: string, path: string): void {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < 0n || v >= BigInt(numClasses)) throw badLabel(path, String(v), i, numClasses, dataset);
    }
    return;
  }
  if (data instanceof Uint8Array) {
    // the common case: one max reduction, then locate the first bad value only when there is one
    if (maxU8(data) < numClasses) return;
  }
  const a = data as NumericArray;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!(v >= 0 && v < numClasses && Number.isInteger(v))) throw badLabel(path, String(v), i, numClasses, dataset);
  }
}

function maxU8(d: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < d.length; i++) if (d[i]! > m) m = d[i]!;
  return m;
}

function badLabel(path: string, v: string, i: number, c: number, dataset: string): Error {
  return new Error(
    `${path}: label value ${v} (at flat index ${i}) is not an integer class in [0, ${c}); dataset '${dataset}' has ` +
    `${c} classes`,
  );
}

function toInt8(data: NumericArray): Int8Array {
  if (data instanceof Int8Array) return data;
  const out = new Int8Array(data.length);
  out.set(data);
  return out;
}

function classesIn(label: ArrayLike<number>, numClasses: number): number[] {
  const seen = new Uint8Array(numClasses);
  for (let i = 0; i < label.length; i++) seen[label[i]!] = 1;
  const out: number[] = [];
  seen.forEach((s, c) => {
    if (s) out.push(c);
  });
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Reads an existing output pair; returns the label when both parse with the expected shape and dtype. */
function existingOutput(imgPath: string, lblPath: string, size: readonly number[]): Int8Array | undefined {
  if (!existsSync(imgPath) || !existsSync(lblPath)) return undefined;
  try {
    const im = readNpy(imgPath);
    const lb = readNpy(lblPath);
    if (im.dtype !== 'float32' || lb.dtype !== 'int8' || !sameShape(im.shape, size) || !sameShape(lb.shape, size))
      return undefined;
    return lb.data as Int8Array;
  } catch {
    return undefined;
  }
}

/** Preprocesses one raw case into outDir; returns the resized label. Errors name the file. */
export function preprocessCase(
  c: RawCase,
  dataset: DatasetName,
  outDir: string,
  size: readonly number[],
): { rawShape: number[]; label: Int8Array } {
  const info = datasetInfo(dataset);
  const img = readNifti(c.imagePath);
  const lbl = readNifti(c.labelPath);
  if (img.shape.length !== 3) throw new Error(`${c.imagePath}: expected a 3-D image, got shape [${img.shape}]`);
  if (!sameShape(img.shape, lbl.shape)) {
    throw new Error(
      `${c.labelPath}: label shape [${lbl.shape}] differs from image ${c.imagePath} shape [${img.shape}]`,
    );
  }
  checkLabelValues(lbl.data, info.numClasses, dataset, c.labelPath);
  if (lbl.data instanceof BigInt64Array || lbl.data instanceof BigUint64Array)
    lbl.data = Int8Array.from(lbl.data, (v) => Number(v));
  if (img.data instanceof BigInt64Array || img.data instanceof BigUint64Array) {
    throw new Error(`${c.imagePath}: 64-bit integer images are not supported`);
  }
  const image = resizeTrilinear(img.data as NumericArray, img.shape, size);
  const label = toInt8(resizeNearest(lbl.data as NumericArray, lbl.shape, size)); // values checked above
  writeNpy(join(outDir, `${c.id}_image.npy`), { data: image, shape: [...size], dtype: 'float32' });
  writeNpy(join(outDir, `${c.id}_label.npy`), { data: label, shape: [...size], dtype: 'int8' });
  return { rawShape: img.shape, label };
}

/** Formats a summary for printing. */
export function formatSummary(s: PreprocessSummary): string {
  const lines = [
    `preprocess ${s.dataset} -> ${s.outDir}: ${s.done} done, ${s.skipped} skipped, ${s.cases.length} cases`,
  ];
  for (const c of s.cases) {
    lines.push(
      `  ${c.id} ${c.status.padEnd(7)} ${c.rawShape ? `[${c.rawShape}] -> ` : ''}[${c.shape}] classes ` +
      `${c.classes.join(',')}` +
        (c.missing.length ? `; missing ${c.missing.map((m) => className(s.dataset, m)).join(', ')}` : ''),
    );
  }
  const miss = Object.entries(s.casesMissingClass);
  if (miss.length === 0) lines.push('  every case has every class');
  for (const [cls, ids] of miss)
    lines.push(`  class ${className(s.dataset, Number(cls))} missing in ${ids.length} case(s): ${ids.join(', ')}`);
  return lines.join('\n');
}

/**
 * One case of a dataset run: skipped when its outputs already parse with the right shape and dtype,
 * otherwise preprocessed; errors name the case's files. Runs in the calling thread or in a worker
 * (preprocess-pool.ts), with the same result.
 */
export function runCase(c: RawCase, dataset: DatasetName, outDir: string, size: readonly number[]): CaseSummary {
  const info = datasetInfo(dataset);
  const imgOut = join(outDir, `${c.id}_image.npy`);
  const lblOut = join(outDir, `${c.id}_label.npy`);
  let label = existingOutput(imgOut, lblOut, size);
  let status: 'done' | 'skipped' = 'skipped';
  let rawShape: number[] | undefined;
  if (!label) {
    try {
      ({ rawShape, label } = preprocessCase(c, dataset, outDir, size));
    } catch (err) {
      const msg = (err as Error).message;
      throw new Error(
        msg.includes(c.imagePath) || msg.includes(c.labelPath) ? msg : `case ${c.id} (${c.imagePath}): ${msg}`,
      );
    }
    status = 'done';
  }
  const classes = classesIn(label, info.numClasses);
  const missing: number[] = [];
  for (let cl = 1; cl < info.numClasses; cl++) if (!classes.includes(cl)) missing.push(cl);
  return { id: c.id, status, rawShape, shape: [...size], classes, missing };
}

/**
 * Validates the options, lists the cases and creates the output folder (shared by the sequential and parallel runs).
 */
export function planDataset(opts: PreprocessOptions): { cases: RawCase[]; size: [number, number, number] } {
  const { dataset, rawDir, outDir, size = [...PREPROCESSED_SIZE] } = opts;
  if (size.length !== 3 || !size.every((v) => Number.isInteger(v) && v > 0))
    throw new Error(`preprocess: size must be 3 positive integers, got [${size}]`);
  const cases = findRawCases(dataset, rawDir);
  mkdirSync(outDir, { recursive: true });
  return { cases, size };
}

/** Folds per-case results (in case order) into the dataset summary. */
export function summarizeCases(
  dataset: DatasetName,
  outDir: string,
  results: readonly CaseSummary[],
): PreprocessSummary {
  const summary: PreprocessSummary = { dataset, outDir, done: 0, skipped: 0, cases: [], casesMissingClass: {} };
  for (const r of results) {
    if (r.status === 'done') summary.done++;
    else summary.skipped++;
    for (const m of r.missing) (summary.casesMissingClass[m] ??= []).push(r.id);
    summary.cases.push(r);
  }
  return summary;
}

/** Preprocesses every raw case of a dataset, resumably, one case at a time in this thread. */
export function preprocessDataset(opts: PreprocessOptions): PreprocessSummary {
  const { dataset, outDir, onProgress, quiet = false } = opts;
  const { cases, size } = planDataset(opts);
  const bar = quiet ? undefined : new ProgressBar(cases.length, { title: `preprocess ${dataset}`, intervalMs: 0 });
  const results: CaseSummary[] = [];
  cases.forEach((c, k) => {
    const r = runCase(c, dataset, outDir, size);
    results.push(r);
    bar?.update(k + 1, `${c.id} ${r.status}`);
    onProgress?.({ done: k + 1, total: cases.length, id: c.id, status: r.status });
  });
  const summary = summarizeCases(dataset, outDir, results);
  if (!quiet) console.log(formatSummary(summary));
  return summary;
}
