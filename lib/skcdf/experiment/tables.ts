// The numbers of the ablation table (mean and sample std over seeds, paired differences to SKCDF, per-organ means
// with organs by size) and results.md made of them.
import { EXPERIMENT_ROWS, REFERENCE_ROW } from './rows.js';
import type { ExperimentMeta, RunResult } from './results.js';

/** Mean and sample standard deviation (n - 1 in the denominator; NaN below two values) of n values. */
export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}

/** Mean and sample standard deviation of `values` (mean NaN when empty, std NaN below two values). */
export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : NaN;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : NaN;
  return { mean, std, n };
}

/** How many of the smallest organs get a column of their own (their average). */
export const SMALLEST_ORGANS = 5;

/** Organ names ordered by ground-truth voxel count, largest first (ties keep the given order). */
export function organOrder(voxels: Record<string, number>): string[] {
  return Object.keys(voxels)
    .map((name, i) => ({ name, i }))
    .sort((a, b) => voxels[b.name]! - voxels[a.name]! || a.i - b.i)
    .map((o) => o.name);
}

/** The `k` smallest organs of an order made by {@link organOrder}. */
export function smallestOrgans(order: readonly string[], k = SMALLEST_ORGANS): string[] {
  return order.slice(Math.max(0, order.length - k));
}

/** The average Dice of `organs` in one run's per-organ Dice. */
export function organAverage(perOrgan: Record<string, number>, organs: readonly string[]): number {
  return meanStd(organs.map((o) => perOrgan[o] ?? NaN)).mean;
}

/** One row of the table over its seeds. */
export interface RowSummary {
  row: string;
  seeds: number[];
  /** Test mean Dice of the best checkpoint, of the last epoch, and their difference (last - best), over seeds. */
  best: MeanStd;
  last: MeanStd;
  lastMinusBest: MeanStd;
  /** Organ -> mean over seeds of the best checkpoint's Dice. */
  perOrgan: Record<string, number>;
  /** Average over the smallest organs, over seeds. */
  smallest: MeanStd;
}

/** The rows that have results, in table order. */
export function rowsWithResults(results: readonly RunResult[]): string[] {
  return EXPERIMENT_ROWS.map((r) => r.id).filter((id) => results.some((x) => x.row === id));
}

/** A row's summary over its seeds; organs in `order`, the last {@link SMALLEST_ORGANS} of them averaged. */
export function summarizeRow(results: readonly RunResult[], row: string, order: readonly string[]): RowSummary {
  const runs = results.filter((r) => r.row === row);
  const small = smallestOrgans(order);
  return {
    row,
    seeds: runs.map((r) => r.seed),
    best: meanStd(runs.map((r) => r.testMeanDice)),
    last: meanStd(runs.map((r) => r.lastEpochTestMeanDice)),
    lastMinusBest: meanStd(runs.map((r) => r.lastEpochTestMeanDice - r.testMeanDice)),
    perOrgan: Object.fromEntries(order.map((o) => [o, meanStd(runs.map((r) => r.perOrgan[o] ?? NaN)).mean])),
    smallest: meanStd(runs.map((r) => organAverage(r.perOrgan, small))),
  };
}

/** A row against the reference on the seeds both have: per-seed differences (row - reference) and reference wins. */
export interface PairedComparison {
  row: string;
  perSeed: { seed: number; reference: number; value: number; difference: number }[];
  difference: MeanStd;
  /** Seeds on which the reference's test mean Dice is higher (ties are not wins). */
  wins: number;
  n: number;
}

/** Paired comparison of `row` with `reference` (default SKCDF) on the seeds both finished. */
export function pairedComparison(
  results: readonly RunResult[],
  row: string,
  reference = REFERENCE_ROW,
): PairedComparison {
  const ref = new Map(results.filter((r) => r.row === reference).map((r) => [r.seed, r.testMeanDice]));
  const perSeed = results
    .filter((r) => r.row === row && ref.has(r.seed))
    .map((r) => ({
      seed: r.seed,
      reference: ref.get(r.seed)!,
      value: r.testMeanDice,
      difference: r.testMeanDice - ref.get(r.seed)!,
    }));
  return {
    row,
    perSeed,
    difference: meanStd(perSeed.map((p) => p.difference)),
    wins: perSeed.filter((p) => p.reference > p.value).length,
    n: perSeed.length,
  };
}

/** A number with 2 decimals ('–' for NaN); `signed` adds '+' to positive values. */
export function fmt(v: number, signed = false): string {
  if (!Number.isFinite(v)) return '–';
  return `${signed && v > 0 ? '+' : ''}${v.toFixed(2)}`;
}

/** "mean ± std" (just the mean for one value). */
export function fmtMeanStd(m: MeanStd, signed = false): string {
  return Number.isFinite(m.std) ? `${fmt(m.mean, signed)} ± ${fmt(m.std)}` : fmt(m.mean, signed);
}

const cells = (r: readonly string[]): string => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
const table = (header: string[], rows: string[][]): string[] => [
  cells(header),
  `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
  ...rows.map(cells),
];
const describe = (id: string): string => EXPERIMENT_ROWS.find((r) => r.id === id)?.description ?? '';

function overviewSection(summaries: readonly RowSummary[]): string[] {
  return [
    '## Test mean Dice (%) per row, over seeds',
    '',
    ...table(
      ['row', 'what', 'seeds', 'test Dice (best checkpoint)', `${SMALLEST_ORGANS} smallest organs`],
      summaries.map((s) => [s.row, describe(s.row), s.seeds.join(', '), fmtMeanStd(s.best), fmtMeanStd(s.smallest)]),
    ),
  ];
}

function pairedSection(results: readonly RunResult[], rows: readonly string[]): string[] {
  const out = [`## Paired differences to ${REFERENCE_ROW} (row − ${REFERENCE_ROW}, test mean Dice, same seed)`, ''];
  if (!rows.includes(REFERENCE_ROW)) return [...out, `No finished ${REFERENCE_ROW} run yet.`];
  const body = rows
    .filter((r) => r !== REFERENCE_ROW)
    .map((row) => {
      const p = pairedComparison(results, row);
      const seeds = p.perSeed.map((s) => `seed ${s.seed}: ${fmt(s.difference, true)}`).join(', ') || '–';
      return [row, seeds, fmtMeanStd(p.difference, true), `${REFERENCE_ROW} wins on ${p.wins} of ${p.n} seeds`];
    });
  return [...out, ...table(['row', 'per seed', 'mean ± std', 'wins'], body)];
}

function organSection(
  summaries: readonly RowSummary[],
  order: readonly string[],
  voxels: Record<string, number>,
): string[] {
  const small = smallestOrgans(order);
  return [
    '## Test Dice (%) per organ (best checkpoint, mean over seeds)',
    '',
    `Organs ordered by size (ground-truth voxels in the test split, largest first); the last column averages the ` +
    `${small.length} smallest (${small.join(', ')}).`,
    '',
    ...table(
      ['row', ...order.map((o) => `${o} (${voxels[o]})`), `${small.length} smallest`],
      summaries.map((s) => [s.row, ...order.map((o) => fmt(s.perOrgan[o]!)), fmt(s.smallest.mean)]),
    ),
  ];
}

function bestLastSection(summaries: readonly RowSummary[]): string[] {
  return [
    '## Best checkpoint vs last epoch (test mean Dice, %)',
    '',
    'Best checkpoint: the epoch with the highest validation mean Dice (best_model.pth); last epoch: last.pth.',
    '',
    ...table(
      ['row', 'best checkpoint', 'last epoch', 'last − best'],
      summaries.map((s) => [s.row, fmtMeanStd(s.best), fmtMeanStd(s.last), fmtMeanStd(s.lastMinusBest, true)]),
    ),
  ];
}

function runsSection(results: readonly RunResult[]): string[] {
  return [
    '## Runs',
    '',
    ...table(
      ['row', 'seed', 'best', 'last', 'best epoch', 'seconds', 'command'],
      results.map((r) => [
        r.row,
        String(r.seed),
        fmt(r.testMeanDice),
        fmt(r.lastEpochTestMeanDice),
        String(r.bestEpoch),
        r.seconds === null ? '–' : r.seconds.toFixed(0),
        `\`${r.command}\``,
      ]),
    ),
  ];
}

/** results.md: the tables of every section, then how, where and when they were made. */
export function resultsMarkdown(
  results: readonly RunResult[],
  voxels: Record<string, number>,
  meta: ExperimentMeta,
): string {
  const rows = rowsWithResults(results);
  const order = organOrder(voxels);
  const summaries = rows.map((r) => summarizeRow(results, r, order));
  const m = meta.machine;
  return [
    `# SKCDF ablations on ${meta.dataset}`,
    '',
    'Dice in percent: per organ the mean over the test cases, "test mean Dice" the mean over organs. ± is the sample ' +
    'standard deviation over seeds (n − 1).',
    '',
    ...overviewSection(summaries),
    '',
    ...pairedSection(results, rows),
    '',
    ...organSection(summaries, order, voxels),
    '',
    ...bestLastSection(summaries),
    '',
    ...runsSection(results),
    '',
    '## Made',
    '',
    `- date: ${meta.date}`,
    `- commit: ${meta.commit}`,
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB`,
    `- load average at start: ${meta.loadAverageAtStart.join(', ')}`,
    `- command: \`${meta.command}\``,
    '',
  ].join('\n');
}
