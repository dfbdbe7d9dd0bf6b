/**
 * A self-contained HTML report (viewable offline: no external assets): per-class Dice and ASD bar
 * charts (inline SVG), training curves from a JSON-lines log (inline SVG), and slice overlays (PNG files
 * next to report.html, written by the tiny encoder below: zlib deflate + CRC-32).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 as zlibCrc32, deflateSync } from 'node:zlib';
import { writeFileAtomic } from '../io/atomic.js';
import type { Evaluation } from './evaluate.js';

// ---------------------------------------------------------------------------------------------
// PNG

/** CRC-32 (IEEE, as zlib.crc32 and PNG use it), by Node's native zlib. */
export const crc32 = (bytes: Uint8Array, crc = 0): number => zlibCrc32(bytes, crc) >>> 0;

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes 8-bit RGB (channels 3) or RGBA (channels 4) pixels, row-major, as a PNG (filter 0 rows). */
export function encodePng(width: number, height: number, pixels: Uint8Array, channels: 3 | 4 = 3): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`encodePng: bad size ${width}x${height}`);
  if (pixels.length !== width * height * channels) {
    throw new RangeError(
      `encodePng: expected ${width * height * channels} bytes for ${width}x${height}x${channels}, got ${pixels.length}`,
    );
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = channels === 4 ? 6 : 2;
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// overlays

/** Distinct colours per class (index 0 = background, unused). */
export const CLASS_COLORS: readonly [number, number, number][] = [
  [0, 0, 0],
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
  [250, 190, 212],
  [0, 128, 128],
  [220, 190, 255],
  [170, 110, 40],
  [255, 250, 200],
  [128, 0, 0],
  [170, 255, 195],
];
const colorOf = (c: number): [number, number, number] => CLASS_COLORS[c % CLASS_COLORS.length] ?? [255, 255, 255];

/** One axial slice for the report: image, label and prediction, drawn as an overlay. */
export interface OverlayCase {
  id: string;
  /** Image volume (z, y, x), any range (scaled to the slice's min..max). */
  image: ArrayLike<number>;
  label: ArrayLike<number>;
  pred: ArrayLike<number>;
  shape: [number, number, number];
  /** Axial slice index (default: the middle one). */
  slice?: number;
}

/**
 * Three panels side by side for axial slice z: the image (grey), ground truth and prediction blended
 * over it (alpha 0.5), 2 px white gaps. Returns the RGB pixels and size.
 */
export function overlayPixels(o: OverlayCase): { width: number; height: number; pixels: Uint8Array; slice: number } {
  const [D, H, W] = o.shape;
  const n = D * H * W;
  for (const [k, a] of [
    ['image', o.image],
    ['label', o.label],
    ['pred', o.pred],
  ] as const) {
    if (a.length !== n)
      throw new RangeError(`overlay '${o.id}': ${k} has ${a.length} voxels, shape [${o.shape.join(', ')}] needs ${n}`);
  }
  const z = o.slice ?? Math.floor(D / 2);
  if (!Number.isInteger(z) || z < 0 || z >= D)
    throw new RangeError(`overlay '${o.id}': slice ${z} out of range [0, ${D})`);
  const base = z * H * W;
  let mn = Infinity,
    mx = -Infinity;
  for (let i = 0; i < H * W; i++) {
    const v = Number(o.image[base + i]);
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  const range = mx > mn ? mx - mn : 1;
  const gap = 2;
  const width = 3 * W + 2 * gap,
    height = H;
  const px = new Uint8Array(width * height * 3).fill(255);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = base + y * W + x;
      const g = Math.round((255 * (Number(o.image[i]) - mn)) / range);
      const panels: [number, number][] = [
        [0, 0],
        [1, Number(o.label[i])],
        [2, Number(o.pred[i])],
      ];
      for (const [p, c] of panels) {
        const off = (y * width + p * (W + gap) + x) * 3;
        if (c > 0) {
          const col = colorOf(c);
          for (let k = 0; k < 3; k++) px[off + k] = Math.round(0.5 * g + 0.5 * col[k]);
        } else {
          px[off] = px[off + 1] = px[off + 2] = g;
        }
      }
    }
  }
  return { width, height, pixels: px, slice: z };
}

/**
 * Up to `count` axial slices worth showing for a label volume (z, y, x): the slice with the most organs present,
 * then slices spread over the organs' z-extent (never an empty slice when the volume has organs). Sorted.
 */
export function overlaySlices(label: ArrayLike<number>, shape: [number, number, number], count = 3): number[] {
  const [D, H, W] = shape;
  const classesPer = new Array<number>(D).fill(0);
  const voxelsPer = new Array<number>(D).fill(0);
  for (let z = 0; z < D; z++) {
    const seen = new Set<number>();
    for (let i = z * H * W, e = i + H * W; i < e; i++) {
      const v = Number(label[i]);
      if (v > 0) {
        seen.add(v);
        voxelsPer[z]++;
      }
    }
    classesPer[z] = seen.size;
  }
  const withOrgans = [...classesPer.keys()].filter((z) => voxelsPer[z] > 0);
  if (!withOrgans.length) return [Math.floor(D / 2)];
  const best = withOrgans.reduce((a, z) =>
    classesPer[z] > classesPer[a] || (classesPer[z] === classesPer[a] && voxelsPer[z] > voxelsPer[a]) ? z : a,
  );
  const picked = new Set([best]);
  for (let k = 1; k <= count && picked.size < count; k++)
    picked.add(withOrgans[Math.round((k / (count + 1)) * (withOrgans.length - 1))]!);
  return [...picked].sort((a, b) => a - b).slice(0, count);
}

// ---------------------------------------------------------------------------------------------
// training log

/** A line of a run's log.jsonl: an iteration (loss parts, lr, cps weight) or an evaluation (Dice per class). */
export interface TrainLogLine {
  epoch?: number;
  iter?: number;
  loss?: number;
  lossSup?: number;
  lossU?: number;
  cpsW?: number;
  lr?: number;
  evalDice?: number[];
  evalMeanDice?: number;
  evalForegroundDice?: number;
}

/** Reads a run's log.jsonl; a line that is not JSON is an error naming the file and line. */
export function readRunLog(path: string): TrainLogLine[] {
  const text = readFileSync(path, 'utf8');
  const out: TrainLogLine[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as TrainLogLine);
    } catch {
      throw new Error(`${path}:${i + 1}: not a JSON line`);
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// SVG

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const fmt = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : String(v));

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Horizontal bar chart with a label and value per bar (and an optional ± error). */
export function barChartSvg(
  title: string,
  labels: string[],
  values: number[],
  errors?: number[],
  max?: number,
  color = '#3b7dd8',
): string {
  const rowH = 22,
    left = 190,
    width = 640,
    right = 70,
    top = 30;
  const height = top + rowH * labels.length + 24;
  const vmax = max ?? niceMax(Math.max(...values.map((v, i) => v + (errors?.[i] ?? 0)).filter(Number.isFinite), 0));
  const sx = (v: number) => left + ((width - left - right) * Math.max(0, Math.min(v, vmax))) / vmax;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" ` +
    `aria-label="${esc(title)}">`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const v = (vmax * t) / 4,
      x = sx(v);
    parts.push(
      `<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${height - 20}" stroke="#ddd"/>`,
      `<text x="${x}" y="${height - 6}" text-anchor="middle" font-size="11">${fmt(v, vmax < 10 ? 1 : 0)}</text>`,
    );
  }
  labels.forEach((l, i) => {
    const y = top + i * rowH,
      v = values[i];
    parts.push(
      `<text x="${left - 6}" y="${y + 15}" text-anchor="end" font-size="12">${esc(l)}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${Math.max(0, sx(v) - left)}" height="${rowH - 6}" ` +
      `fill="${color}"><title>${esc(l)}: ${fmt(v)}</title></rect>`,
    );
    const e = errors?.[i];
    if (e !== undefined && e > 0 && Number.isFinite(e)) {
      parts.push(`<line x1="${sx(v - e)}" y1="${y + rowH / 2}" x2="${sx(v + e)}" y2="${y + rowH / 2}" stroke="#222"/>`);
    }
    parts.push(
      `<text x="${Math.min(sx(v + (e !== undefined && e > 0 && Number.isFinite(e) ? e : 0)), width - right) + 4}" ` +
      `y="${y + 15}" font-size="11">${fmt(v)}${e ? ` ± ${fmt(e)}` : ''}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** One line of a chart; an empty name draws the line without a legend entry. */
export interface Series {
  name: string;
  points: [number, number][];
  color: string;
}

/** Line chart of one or more series over a shared x axis. */
export function lineChartSvg(title: string, xLabel: string, series: Series[]): string {
  const width = 640,
    height = 280,
    left = 56,
    right = 16,
    top = 30,
    bottom = 40;
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" ` +
    `aria-label="${esc(title)}">`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
  ];
  if (!all.length) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle">no data</text></svg>`);
    return parts.join('');
  }
  let x0 = Math.min(...all.map((p) => p[0])),
    x1 = Math.max(...all.map((p) => p[0]));
  let y0 = Math.min(...all.map((p) => p[1])),
    y1 = Math.max(...all.map((p) => p[1]));
  if (x1 === x0) {
    x0 -= 1;
    x1 += 1;
  }
  if (y1 === y0) {
    y0 -= 1;
    y1 += 1;
  }
  const sx = (x: number) => left + ((width - left - right) * (x - x0)) / (x1 - x0);
  const sy = (y: number) => height - bottom - ((height - top - bottom) * (y - y0)) / (y1 - y0);
  parts.push(
    `<rect x="${left}" y="${top}" width="${width - left - right}" height="${height - top - bottom}" fill="none" ` +
    `stroke="#999"/>`,
  );
  for (let t = 0; t <= 4; t++) {
    const yv = y0 + ((y1 - y0) * t) / 4,
      xv = x0 + ((x1 - x0) * t) / 4;
    parts.push(
      `<text x="${left - 4}" y="${sy(yv) + 4}" text-anchor="end" ` +
      `font-size="10">${fmt(yv, Math.abs(y1 - y0) < 1 ? 3 : 1)}</text>`,
      `<text x="${sx(xv)}" y="${height - bottom + 14}" text-anchor="middle" font-size="10">${fmt(xv, 0)}</text>`,
    );
  }
  parts.push(`<text x="${width / 2}" y="${height - 6}" text-anchor="middle" font-size="11">${esc(xLabel)}</text>`);
  let legend = 0;
  for (const s of series) {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length)
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" ` +
        `points="${pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`,
      );
    if (!s.name) continue; // several series may share one legend entry
    const k = legend++;
    parts.push(
      `<rect x="${left + 8 + k * 110}" y="${top + 6}" width="10" height="10" fill="${s.color}"/>`,
      `<text x="${left + 22 + k * 110}" y="${top + 15}" font-size="11">${esc(s.name)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------
// report

/** writeReport's options: output folder, evaluation, training log, overlay slices and title. */
export interface WriteReportOptions {
  outDir: string;
  evaluation: Evaluation;
  /** JSON-lines training log (iteration lines and eval lines). */
  runLog?: string;
  overlays?: OverlayCase[];
  title?: string;
}

const COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd'];

/** Writes report.html (and `<id>_overlay.png` files) into outDir; returns the HTML path. */
export function writeReport(o: WriteReportOptions): string {
  mkdirSync(o.outDir, { recursive: true });
  const ev = o.evaluation;
  const title = o.title ?? `SKCDF evaluation: ${ev.dataset}`;
  const names = ev.perClass.map((c) => `${c.classIndex} ${c.name}`);
  const multi = ev.folds.length > 1;
  const sections: string[] = [];

  const rows = ev.perClass
    .map(
      (c) =>
        `<tr><td>${c.classIndex}</td><td>${esc(c.name)}</td><td>${fmt(c.dice)}${multi ? ` ± ${fmt(c.std.dice)}` : ''}</td>` +
        `<td>${fmt(c.asd)}${multi ? ` ± ${fmt(c.std.asd)}` : ''}</td><td>${fmt(c.assd)}</td><td>${fmt(c.hd95)}</td></tr>`,
    )
    .join('\n');
  const ov = ev.overall;
  sections.push(
    `<h2>Summary</h2><p>${ev.ids.length} case(s), ${ev.folds.length} fold(s). Mean Dice <b>${fmt(ov.dice.mean)} ± ` +
    `${fmt(ov.dice.std)}</b> %, ` +
      `mean ASD <b>${fmt(ov.asd.mean)} ± ${fmt(ov.asd.std)}</b> (directed, the reference's metric; ± = std over ` +
      `folds).</p>` +
      `<table><thead><tr><th>#</th><th>class</th><th>Dice ` +
      `%</th><th>ASD</th><th>ASSD</th><th>HD95</th></tr></thead><tbody>\n${rows}\n` +
      `<tr class="mean"><td></td><td>mean</td><td>${fmt(ov.dice.mean)} ± ` +
      `${fmt(ov.dice.std)}</td><td>${fmt(ov.asd.mean)} ± ${fmt(ov.asd.std)}</td>` +
      `<td>${fmt(ov.assd.mean)} ± ${fmt(ov.assd.std)}</td><td>${fmt(ov.hd95.mean)} ± ` +
      `${fmt(ov.hd95.std)}</td></tr></tbody></table>`,
  );
  sections.push(
    `<h2>Per-class metrics</h2><div class="charts">${barChartSvg(
      'Dice (%) per class',
      names,
      ev.perClass.map((c) => c.dice),
      multi ? ev.perClass.map((c) => c.std.dice) : undefined,
      100,
    )}` +
      `${barChartSvg(
        'ASD per class (lower is better)',
        names,
        ev.perClass.map((c) => c.asd),
        multi ? ev.perClass.map((c) => c.std.asd) : undefined,
        undefined,
        '#e07b39',
      )}</div>`,
  );

  if (o.runLog) {
    const log = readRunLog(o.runLog);
    const iters = log.filter((l) => l.iter !== undefined && l.loss !== undefined);
    const evals = log.filter((l) => l.evalMeanDice !== undefined && l.epoch !== undefined);
    // x = the global iteration (the k-th iteration record; the log holds them in order), epochs for the eval curve.
    const s = (k: keyof TrainLogLine, color: string): Series => ({
      name: k,
      color,
      points: iters.flatMap((l, i): [number, number][] => (typeof l[k] === 'number' ? [[i, l[k] as number]] : [])),
    });
    const charts = [
      lineChartSvg(
        'Training losses',
        'iteration',
        [s('loss', COLORS[0]), s('lossSup', COLORS[1]), s('lossU', COLORS[2])].filter((x) => x.points.length),
      ),
      lineChartSvg(
        'Learning rate and CPS weight',
        'iteration',
        [s('lr', COLORS[3]), s('cpsW', COLORS[4])].filter((x) => x.points.length),
      ),
    ];
    if (evals.length) {
      const curve = (k: 'evalMeanDice' | 'evalForegroundDice', color: string): Series => ({
        name: k,
        color,
        points: evals.flatMap((l): [number, number][] => (typeof l[k] === 'number' ? [[l.epoch!, l[k]]] : [])),
      });
      charts.push(
        lineChartSvg(
          'Validation Dice',
          'epoch',
          [curve('evalMeanDice', COLORS[1]), curve('evalForegroundDice', COLORS[2])].filter((x) => x.points.length),
        ),
      );
    }
    sections.push(
      `<h2>Training</h2><p>${iters.length} iteration record(s), ${evals.length} evaluation(s).</p><div ` +
      `class="charts">${charts.join('')}</div>`,
    );
  }

  if (o.overlays?.length) {
    const figs: string[] = [];
    for (const c of o.overlays) {
      const img = overlayPixels(c);
      const file = `${c.id.replace(/[^A-Za-z0-9._-]/g, '_')}_overlay.png`;
      writeFileAtomic(join(o.outDir, file), encodePng(img.width, img.height, img.pixels));
      figs.push(
        `<figure><img src="${esc(file)}" width="${img.width * 2}" height="${img.height * 2}" alt="case ${esc(c.id)} ` +
        `slice ${img.slice}">` +
          `<figcaption>${esc(c.id)}, axial slice ${img.slice}: image | ground truth | prediction</figcaption></figure>`,
      );
    }
    const legend = ev.perClass
      .map((c) => `<span class="sw" style="background:rgb(${colorOf(c.classIndex).join(',')})"></span>${esc(c.name)}`)
      .join(' ');
    sections.push(`<h2>Slice overlays</h2><p class="legend">${legend}</p>${figs.join('\n')}`);
  }

  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:sans-serif;margin:24px;color:#222;background:#fff}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:nth-child(2),th:nth-child(2){text-align:left}tr.mean{font-weight:bold;background:#f3f3f3}
.charts svg{display:block;margin:12px 0;background:#fafafa;border:1px solid #eee}
figure{display:inline-block;margin:8px}img{image-rendering:pixelated;border:1px solid #ccc}
.sw{display:inline-block;width:12px;height:12px;margin:0 3px 0 10px;vertical-align:middle}
</style></head><body>
<h1>${esc(title)}</h1>
${sections.join('\n')}
</body></html>
`;
  const path = join(o.outDir, 'report.html');
  writeFileAtomic(path, html);
  return path;
}
