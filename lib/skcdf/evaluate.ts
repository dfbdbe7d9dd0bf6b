/**
 * Evaluation of predicted label maps over folds, as the reference evaluates. Per case and foreground class the
 * metrics of `evaluateCase` (metrics.ts: Dice %, directed ASD = the reference's "hd95" variable,
 * symmetric ASSD, medpy HD95, with its empty-mask rules). Per fold: mean over cases per class, then
 * over classes. Across folds: per-case values averaged over folds; per-class means of those; and the
 * fold means' mean +- std (population std, numpy's default ddof = 0).
 *
 * Difference to the reference: a class absent from both pred and label scores Dice 100 / ASD 0
 * (the reference records Dice 1 there, a scale slip).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '../io/npy.js';
import { readNifti } from '../io/nifti.js';
import { writeFileAtomic } from '../io/atomic.js';
import { evaluateCase, type ClassMetrics, type LabelArray, type Spacing3 } from './metrics.js';
import { DATASETS, type DatasetName } from './classes.js';

/** The metrics of an evaluation, in table order. */
export const METRICS = ['dice', 'asd', 'assd', 'hd95'] as const;
/** One of METRICS. */
export type MetricName = (typeof METRICS)[number];
/** One value per metric. */
export type MetricValues = Record<MetricName, number>;

/** A mean and its (population) standard deviation. */
export interface MeanStd {
  mean: number;
  std: number;
}

/** One case in one fold: its metrics per foreground class. */
export interface CaseFoldResult {
  id: string;
  fold: number;
  /** One entry per foreground class 1..C-1. */
  classes: ClassMetrics[];
}

/** One fold: its prediction folder and the per-class means over its cases. */
export interface FoldSummary {
  fold: number;
  predDir: string;
  /** perClass[c - 1]: mean over cases of class c. */
  perClass: MetricValues[];
  /** Mean over classes of perClass. */
  mean: MetricValues;
}

/** One case averaged over folds. */
export interface CaseAverage {
  id: string;
  /** perClass[c - 1]: the case's values averaged over folds. */
  perClass: MetricValues[];
  mean: MetricValues;
}

/** An evaluation over folds: per case, per fold, per class and overall (mean ± std over folds). */
export interface Evaluation {
  dataset: DatasetName;
  numClasses: number;
  /** Names of the foreground classes, classNames[c - 1] for class c. */
  classNames: string[];
  ids: string[];
  spacing: Spacing3 | 'header';
  folds: FoldSummary[];
  /** Every (case, fold) result. */
  results: CaseFoldResult[];
  /** Per case, values averaged over folds. */
  cases: CaseAverage[];
  /** Per class: mean over cases of the fold-averaged values (= mean of the fold means). */
  perClass: (MetricValues & { classIndex: number; name: string; std: MetricValues })[];
  /** Mean over classes: mean and std over folds of the fold means. */
  overall: Record<MetricName, MeanStd>;
}

/** What evaluateFolds reads: prediction folders (one per fold), labels, case ids, dataset, spacing, output folder. */
export interface EvaluateFoldsOptions {
  /** One folder per fold holding `<id>_pred.nii.gz`. */
  predDirs: readonly string[];
  /** Folder holding the labels: `<id>_label.npy` (preprocessed), the dataset's raw label name, or `<id>.nii.gz`. */
  labelDir: string;
  ids: readonly string[];
  dataset: DatasetName;
  /**
   * Voxel spacing (z, y, x) for distances; default [1, 1, 1] (voxel units, as the reference); 'header' uses the label
   * NIfTI's spacing.
   */
  spacing?: Spacing3 | 'header';
  /** Compute ASSD and HD95 too (default true). */
  symmetric?: boolean;
  /** When given: write cases.csv, classes.csv and evaluation.json there (atomically). */
  outDir?: string;
  /** Where to print the tables (default console.log; pass null for silence). */
  log?: ((text: string) => void) | null;
}

const mean = (v: readonly number[]): number => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
const std = (v: readonly number[]): number => {
  if (!v.length) return NaN;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
};
const pick = (m: ClassMetrics): MetricValues => ({ dice: m.dice, asd: m.asd, assd: m.assd, hd95: m.hd95 });
function meanOf(rows: readonly MetricValues[]): MetricValues {
  const o = {} as MetricValues;
  for (const k of METRICS) o[k] = mean(rows.map((r) => r[k]));
  return o;
}

/** Label file of a case in labelDir. */
export function labelPath(labelDir: string, id: string, dataset: DatasetName): string {
  const cands = [
    `${id}_label.npy`,
    DATASETS[dataset].labelFileName(id),
    `${id}.nii.gz`,
    `${id}_label.nii.gz`,
    `${id}.nii`,
  ];
  const hit = cands.map((f) => join(labelDir, f)).find((p) => existsSync(p));
  if (!hit) throw new Error(`case '${id}': no label in ${labelDir} (looked for ${cands.join(', ')})`);
  return hit;
}

function readLabel(path: string): { data: LabelArray; shape: number[]; spacing: number[] } {
  if (path.endsWith('.npy')) {
    const a = readNpy(path);
    return { data: a.data as LabelArray, shape: a.shape, spacing: [1, 1, 1] };
  }
  const n = readNifti(path);
  return { data: n.data as LabelArray, shape: n.shape, spacing: n.spacing };
}

/** Evaluates every fold's predictions against the labels; prints tables and writes files as asked. */
export function evaluateFolds(o: EvaluateFoldsOptions): Evaluation {
  if (!o.predDirs.length) throw new Error('evaluateFolds: predDirs is empty');
  if (!o.ids.length) throw new Error('evaluateFolds: ids is empty');
  const info = DATASETS[o.dataset];
  if (!info) throw new Error(`evaluateFolds: unknown dataset '${String(o.dataset)}'`);
  const C = info.numClasses;
  const spacingOpt = o.spacing ?? [1, 1, 1];
  const results: CaseFoldResult[] = [];
  for (const id of o.ids) {
    const lp = labelPath(o.labelDir, id, o.dataset);
    const label = readLabel(lp);
    if (label.shape.length !== 3)
      throw new Error(`${lp}: expected a 3-D label map, got shape [${label.shape.join(', ')}]`);
    const shape = label.shape as [number, number, number];
    const spacing: Spacing3 =
      spacingOpt === 'header' ? [label.spacing[0], label.spacing[1], label.spacing[2]] : spacingOpt;
    o.predDirs.forEach((dir, fold) => {
      const pp = join(dir, `${id}_pred.nii.gz`);
      if (!existsSync(pp)) throw new Error(`fold ${fold}: prediction ${pp} does not exist`);
      const pred = readNifti(pp);
      if (pred.shape.join() !== shape.join()) {
        throw new Error(
          `${pp}: shape [${pred.shape.join(', ')}] differs from the label's [${shape.join(', ')}] (${lp})`,
        );
      }
      let classes: ClassMetrics[];
      try {
        classes = evaluateCase(pred.data as LabelArray, label.data, shape, spacing, C, {
          symmetric: o.symmetric ?? true,
        });
      } catch (err) {
        throw new Error(`${pp} vs ${lp}: ${(err as Error).message}`);
      }
      results.push({ id, fold, classes });
    });
  }
  const ev = summarize(results, {
    dataset: o.dataset,
    ids: [...o.ids],
    predDirs: [...o.predDirs],
    spacing: spacingOpt,
  });
  const log = o.log === undefined ? (s: string) => console.log(s) : o.log;
  if (log) log(formatTables(ev));
  if (o.outDir) writeEvaluation(o.outDir, ev);
  return ev;
}

/** Aggregates (case, fold) results (exported for callers that evaluate in memory). */
export function summarize(
  results: readonly CaseFoldResult[],
  meta: { dataset: DatasetName; ids: string[]; predDirs: string[]; spacing: Spacing3 | 'header' },
): Evaluation {
  const info = DATASETS[meta.dataset];
  const C = info.numClasses;
  const nF = meta.predDirs.length;
  const classIdx = Array.from({ length: C - 1 }, (_, i) => i + 1);
  const folds: FoldSummary[] = meta.predDirs.map((predDir, fold) => {
    const rs = results.filter((r) => r.fold === fold);
    const perClass = classIdx.map((c) => meanOf(rs.map((r) => pick(r.classes[c - 1]))));
    return { fold, predDir, perClass, mean: meanOf(perClass) };
  });
  const cases: CaseAverage[] = meta.ids.map((id) => {
    const rs = results.filter((r) => r.id === id);
    const perClass = classIdx.map((c) => meanOf(rs.map((r) => pick(r.classes[c - 1]))));
    return { id, perClass, mean: meanOf(perClass) };
  });
  const perClass = classIdx.map((c) => ({
    classIndex: c,
    name: info.classNames[c] ?? `class ${c}`,
    ...meanOf(cases.map((k) => k.perClass[c - 1])),
    std: (() => {
      const s = {} as MetricValues;
      for (const k of METRICS) s[k] = std(folds.map((f) => f.perClass[c - 1][k]));
      return s;
    })(),
  }));
  const overall = {} as Record<MetricName, MeanStd>;
  for (const k of METRICS) {
    const v = folds.map((f) => f.mean[k]);
    overall[k] = { mean: mean(v), std: std(v) };
  }
  void nF;
  return {
    dataset: meta.dataset,
    numClasses: C,
    classNames: classIdx.map((c) => info.classNames[c] ?? `class ${c}`),
    ids: meta.ids,
    spacing: meta.spacing,
    folds,
    results: [...results],
    cases,
    perClass,
    overall,
  };
}

const f2 = (v: number): string => (Number.isNaN(v) ? 'nan' : v.toFixed(2));

/** Fixed-width text tables: per class (Dice, ASD, ASSD, HD95, std over folds), per fold, per case. */
export function formatTables(ev: Evaluation): string {
  const lines: string[] = [];
  const nameW = Math.max(8, ...ev.classNames.map((n) => n.length + 4));
  const pad = (s: string, w: number) => s.padEnd(w);
  const num = (s: string) => s.padStart(16);
  lines.push(`Evaluation: ${ev.dataset}, ${ev.ids.length} case(s), ${ev.folds.length} fold(s)`);
  lines.push('');
  lines.push(pad('class', nameW) + ['Dice %', 'ASD', 'ASSD', 'HD95'].map(num).join(''));
  for (const c of ev.perClass) {
    const cell = (k: MetricName) => num(ev.folds.length > 1 ? `${f2(c[k])} ± ${f2(c.std[k])}` : f2(c[k]));
    lines.push(pad(`${c.classIndex} ${c.name}`, nameW) + METRICS.map(cell).join(''));
  }
  lines.push(
    pad('mean', nameW) + METRICS.map((k) => num(`${f2(ev.overall[k].mean)} ± ${f2(ev.overall[k].std)}`)).join(''),
  );
  lines.push('');
  lines.push(pad('fold', nameW) + ['Dice %', 'ASD', 'ASSD', 'HD95'].map(num).join(''));
  for (const f of ev.folds) lines.push(pad(String(f.fold), nameW) + METRICS.map((k) => num(f2(f.mean[k]))).join(''));
  lines.push('');
  lines.push(pad('case (fold avg)', nameW) + ['Dice %', 'ASD', 'ASSD', 'HD95'].map(num).join(''));
  for (const k of ev.cases) lines.push(pad(k.id, nameW) + METRICS.map((m) => num(f2(k.mean[m]))).join(''));
  return lines.join('\n');
}

const csvCell = (v: string | number): string => {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'nan' : 'inf') : v;
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (rows: (string | number)[][]): string => rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';

/** cases.csv (fold, case, class rows; fold 'avg' = averaged over folds), classes.csv, evaluation.json. */
export function writeEvaluation(outDir: string, ev: Evaluation): { cases: string; classes: string; json: string } {
  mkdirSync(outDir, { recursive: true });
  const header = ['fold', 'case', 'class', 'name', 'dice', 'asd', 'assd', 'hd95', 'n_pred', 'n_label'];
  const rows: (string | number)[][] = [header];
  for (const r of ev.results) {
    for (const m of r.classes)
      rows.push([
        r.fold,
        r.id,
        m.classIndex,
        ev.classNames[m.classIndex - 1],
        m.dice,
        m.asd,
        m.assd,
        m.hd95,
        m.nPred,
        m.nLabel,
      ]);
  }
  for (const k of ev.cases) {
    k.perClass.forEach((m, i) =>
      rows.push(['avg', k.id, i + 1, ev.classNames[i], m.dice, m.asd, m.assd, m.hd95, '', '']),
    );
  }
  const classRows: (string | number)[][] = [
    ['class', 'name', 'dice', 'dice_std', 'asd', 'asd_std', 'assd', 'assd_std', 'hd95', 'hd95_std'],
  ];
  for (const c of ev.perClass)
    classRows.push([
      c.classIndex,
      c.name,
      c.dice,
      c.std.dice,
      c.asd,
      c.std.asd,
      c.assd,
      c.std.assd,
      c.hd95,
      c.std.hd95,
    ]);
  classRows.push([
    'mean',
    'mean',
    ev.overall.dice.mean,
    ev.overall.dice.std,
    ev.overall.asd.mean,
    ev.overall.asd.std,
    ev.overall.assd.mean,
    ev.overall.assd.std,
    ev.overall.hd95.mean,
    ev.overall.hd95.std,
  ]);
  const paths = {
    cases: join(outDir, 'cases.csv'),
    classes: join(outDir, 'classes.csv'),
    json: join(outDir, 'evaluation.json'),
  };
  writeFileAtomic(paths.cases, csv(rows));
  writeFileAtomic(paths.classes, csv(classRows));
  writeFileAtomic(
    paths.json,
    JSON.stringify(ev, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2),
  );
  return paths;
}
