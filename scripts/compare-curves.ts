// Compares validation curves of training runs with those of a reference trainer over several seeds: per seed the
// best and last validation mean Dice and the epoch of the best; mean, std and range per side; per-organ Dice at the
// last epoch (mean over seeds); and an SVG of every seed's curve, one colour per side.
//
// Reference logs are text files holding lines `evaluation epoch N, dice: MEAN, [d1, d2, ...]` (the official SKCDF
// trainer's log format; numpy's `np.float32(x)` wrappers are accepted). Our runs are run folders with log.jsonl.
//
// Run: npx tsx scripts/compare-curves.ts --reference a.log,b.log --runs runs/x-seed0,runs/x-seed1 \
//        [--dataset synthetic] [--out docs/official-comparison] [--title "..."]
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../lib/io/atomic.js';
import { datasetInfo, type DatasetName } from '../lib/skcdf/classes.js';
import { lineChartSvg, readRunLog, type Series } from '../lib/skcdf/report.js';

/** One run's validation curve: mean Dice and per-organ Dice per epoch. */
export interface Curve {
  name: string;
  epochs: number[];
  mean: number[];
  perOrgan: number[][];
}

/** Parses a reference trainer log (`evaluation epoch N, dice: MEAN, [list]` lines). */
export function readReferenceCurve(path: string): Curve {
  const curve: Curve = { name: basename(path).replace(/\.[^.]*$/, ''), epochs: [], mean: [], perOrgan: [] };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /evaluation epoch (\d+), dice: ([-\d.e]+), \[(.*)\]/.exec(line);
    if (!m) continue;
    curve.epochs.push(Number(m[1]));
    curve.mean.push(Number(m[2]));
    curve.perOrgan.push(m[3]!.split(',').map((s) => Number(s.replace(/np\.float\d+\(|\)/g, '').trim())));
  }
  if (!curve.epochs.length) throw new Error(`${path}: no 'evaluation epoch N, dice: ...' lines`);
  return curve;
}

/** Reads a run folder's validation curve from its log.jsonl. */
export function readRunCurve(runDir: string): Curve {
  const curve: Curve = { name: basename(runDir), epochs: [], mean: [], perOrgan: [] };
  for (const l of readRunLog(join(runDir, 'log.jsonl'))) {
    if (l.evalMeanDice === undefined || l.epoch === undefined) continue;
    curve.epochs.push(l.epoch);
    curve.mean.push(l.evalMeanDice);
    curve.perOrgan.push(l.evalDice ?? []);
  }
  if (!curve.epochs.length) throw new Error(`${runDir}/log.jsonl: no validation lines`);
  return curve;
}

const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: number[]): number =>
  v.length < 2 ? 0 : Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1));
const pct = (v: number): string => (100 * v).toFixed(1);

/** Best, last and best epoch of a curve. */
export function summarize(c: Curve): { best: number; last: number; bestEpoch: number } {
  let k = 0;
  c.mean.forEach((v, i) => {
    if (v > c.mean[k]!) k = i;
  });
  return { best: c.mean[k]!, last: c.mean[c.mean.length - 1]!, bestEpoch: c.epochs[k]! };
}

/** Markdown tables: per seed, per side (mean ± std, range), and per organ at the last epoch. */
export function comparisonMarkdown(sides: { label: string; curves: Curve[] }[], organs: readonly string[]): string {
  const lines = [
    '| side | run | best | best epoch | last | largest drop below an earlier epoch (epoch) |',
    '|---|---|---|---|---|---|',
  ];
  for (const s of sides)
    for (const c of s.curves) {
      const m = summarize(c),
        d = largestDrop(c);
      const drop = `${pct(d.drop)} (${d.epoch})`;
      lines.push(`| ${s.label} | ${c.name} | ${pct(m.best)} | ${m.bestEpoch} | ${pct(m.last)} | ${drop} |`);
    }
  lines.push('', '| side | seeds | best: mean ± std (min-max) | last: mean ± std (min-max) |', '|---|---|---|---|');
  for (const s of sides) {
    const best = s.curves.map((c) => summarize(c).best),
      last = s.curves.map((c) => summarize(c).last);
    const f = (v: number[]): string =>
      `${pct(mean(v))} ± ${pct(std(v))} (${pct(Math.min(...v))}-${pct(Math.max(...v))})`;
    lines.push(`| ${s.label} | ${s.curves.length} | ${f(best)} | ${f(last)} |`);
  }
  lines.push(
    '',
    `| organ (last epoch, mean over seeds) | ${sides.map((s) => s.label).join(' | ')} |`,
    `|---|${sides.map(() => '---').join('|')}|`,
  );
  organs.forEach((o, k) => {
    lines.push(
      `| ${o} | ` +
        `${sides.map((s) => pct(mean(s.curves.map((c) => c.perOrgan[c.perOrgan.length - 1]![k] ?? NaN)))).join(' | ')} |`,
    );
  });
  return lines.join('\n') + '\n';
}

/** The largest fall of the validation mean below the best of the epochs before it, and the epoch where it happens. */
export function largestDrop(c: Curve): { drop: number; epoch: number } {
  let peak = -Infinity,
    drop = 0,
    epoch = c.epochs[0] ?? 0;
  c.mean.forEach((v, k) => {
    if (peak - v > drop) [drop, epoch] = [peak - v, c.epochs[k]!];
    peak = Math.max(peak, v);
  });
  return { drop, epoch };
}

/** SVG: every curve of every side, one colour per side (legend once per side). */
export function comparisonSvg(title: string, sides: { label: string; curves: Curve[]; color: string }[]): string {
  const series: Series[] = sides.flatMap((s) =>
    s.curves.map((c, i) => ({
      name: i === 0 ? s.label : '',
      color: s.color,
      points: c.epochs.map((e, k) => [e, c.mean[k]!] as [number, number]),
    })),
  );
  return lineChartSvg(title, 'epoch (validation mean Dice per seed)', series);
}

function main(argv: string[]): void {
  const arg = (name: string, fallback?: string): string => {
    const i = argv.indexOf(name);
    const v = i >= 0 ? argv[i + 1] : fallback;
    if (v === undefined) throw new Error(`compare-curves: ${name} is required`);
    return v;
  };
  const organs = datasetInfo(arg('--dataset', 'synthetic') as DatasetName).classNames.slice(1);
  const list = (name: string): string[] => arg(name).split(',').filter(Boolean);
  const sides = [
    {
      label: arg('--reference-label', 'reference'),
      curves: list('--reference').map(readReferenceCurve),
      color: '#d62728',
    },
    { label: arg('--runs-label', 'ours'), curves: list('--runs').map(readRunCurve), color: '#1f77b4' },
  ];
  const md = comparisonMarkdown(sides, organs);
  process.stdout.write(md);
  const out = argv.includes('--out') ? arg('--out') : undefined;
  if (out) {
    writeFileAtomic(`${out}.svg`, comparisonSvg(arg('--title', 'validation mean Dice'), sides));
    writeFileAtomic(`${out}.md`, md);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
