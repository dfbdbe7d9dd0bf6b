// results.svg: per-organ test Dice by row as grouped bars (mean over seeds, whiskers ± sample std), hand-written SVG.
import { EXPERIMENT_ROWS } from './rows.js';
import type { RunResult } from './results.js';
import { meanStd, organOrder, rowsWithResults, type MeanStd } from './tables.js';

/**
 * Bar colours (colour-blind safe, Okabe-Ito); a row keeps its colour in every figure (its place in EXPERIMENT_ROWS).
 */
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
const colour = (row: string): string =>
  COLOURS[
    Math.max(
      0,
      EXPERIMENT_ROWS.findIndex((r) => r.id === row),
    ) % COLOURS.length
  ]!;

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (v: number): string => (Math.round(v * 10) / 10).toString();

interface Layout {
  left: number;
  top: number;
  plotW: number;
  plotH: number;
  groupW: number;
  barW: number;
}

/** Sizes; `firstLabel` (rotated 45 degrees under the first group) must not leave the picture on the left. */
function layout(groups: number, rows: number, firstLabel: string): Layout {
  const barW = 8;
  const groupW = Math.max(36, rows * barW + 12);
  const left = Math.max(64, Math.ceil(0.71 * 6.2 * firstLabel.length - groupW / 2 + 8));
  return { left, top: 48, plotW: groups * groupW, plotH: 280, groupW, barW };
}

/** Y axis with gridlines every 20 %, its title, and the x axis title. */
function axes(l: Layout): string[] {
  const out: string[] = [];
  for (let v = 0; v <= 100; v += 20) {
    const y = l.top + l.plotH * (1 - v / 100);
    out.push(
      `<line x1="${l.left}" x2="${l.left + l.plotW}" y1="${r1(y)}" y2="${r1(y)}" stroke="#ddd"/>`,
      `<text x="${l.left - 6}" y="${r1(y + 4)}" text-anchor="end">${v}</text>`,
    );
  }
  const midY = l.top + l.plotH / 2;
  out.push(
    `<line x1="${l.left}" x2="${l.left}" y1="${l.top}" y2="${l.top + l.plotH}" stroke="#333"/>`,
    `<line x1="${l.left}" x2="${l.left + l.plotW}" y1="${l.top + l.plotH}" y2="${l.top + l.plotH}" stroke="#333"/>`,
    `<text x="18" y="${midY}" text-anchor="middle" transform="rotate(-90 18 ${midY})">test Dice (%)</text>`,
    `<text x="${l.left + l.plotW / 2}" y="${l.top + l.plotH + 128}" text-anchor="middle">organ (largest to smallest ` +
    `in the test labels), then the mean over organs</text>`,
  );
  return out;
}

/** One bar with its whisker (± sample std; none for a single seed). */
function bar(l: Layout, x: number, m: MeanStd, colour: string, title: string): string[] {
  if (!Number.isFinite(m.mean)) return [];
  const y = (v: number): number => l.top + l.plotH * (1 - Math.min(100, Math.max(0, v)) / 100);
  const out = [
    `<rect x="${r1(x)}" y="${r1(y(m.mean))}" width="${l.barW}" height="${r1(l.top + l.plotH - y(m.mean))}" ` +
    `fill="${colour}"><title>${esc(title)}</title></rect>`,
  ];
  if (Number.isFinite(m.std) && m.std > 0) {
    const cx = r1(x + l.barW / 2);
    out.push(`<line x1="${cx}" x2="${cx}" y1="${r1(y(m.mean + m.std))}" y2="${r1(y(m.mean - m.std))}" stroke="#333"/>`);
  }
  return out;
}

/** Legend: one swatch per row, right of the plot. */
function legend(l: Layout, rows: readonly string[]): string[] {
  const x = l.left + l.plotW + 16;
  return rows.flatMap((row, i) => [
    `<rect x="${x}" y="${l.top + i * 18}" width="12" height="12" fill="${colour(row)}"/>`,
    `<text x="${x + 18}" y="${l.top + i * 18 + 10}">${esc(row)}</text>`,
  ]);
}

/** The figure: grouped bars of per-organ test Dice (best checkpoint) by row, organs largest first, then the mean. */
export function resultsFigure(results: readonly RunResult[], voxels: Record<string, number>): string {
  const rows = rowsWithResults(results);
  const groups = [...organOrder(voxels), 'mean'];
  const l = layout(groups.length, rows.length, groups[0]!);
  const width = l.left + l.plotW + 200;
  const height = l.top + l.plotH + 148;
  const body: string[] = [...axes(l)];
  groups.forEach((g, gi) => {
    const x0 = l.left + gi * l.groupW + (l.groupW - rows.length * l.barW) / 2;
    rows.forEach((row, ri) => {
      const runs = results.filter((r) => r.row === row);
      const m = meanStd(runs.map((r) => (g === 'mean' ? r.testMeanDice : (r.perOrgan[g] ?? NaN))));
      body.push(...bar(l, x0 + ri * l.barW, m, colour(row), `${row}, ${g}: ${m.mean.toFixed(2)} (n ${m.n})`));
    });
    const cx = l.left + gi * l.groupW + l.groupW / 2;
    const ty = l.top + l.plotH + 12;
    body.push(
      `<text x="${r1(cx)}" y="${ty}" text-anchor="end" transform="rotate(-45 ${r1(cx)} ${ty})">${esc(g)}</text>`,
    );
  });
  body.push(...legend(l, rows));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${l.left}" y="24" font-size="14">Per-organ test Dice by row (mean over seeds, whiskers ± sample ` +
    `std)</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
