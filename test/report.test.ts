// report.html: PNG encoder (signature, IHDR, CRC-32 against Python's zlib.crc32, pixels after inflate),
// overlay pixels (closed form), HTML content (class names, numbers, inline SVG, no external assets),
// and a headless Chromium rendering (skipped visibly when chromium is not installed).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../lib/io/npy.js';
import { writeNifti } from '../lib/io/nifti.js';
import { evaluateFolds } from '../lib/skcdf/evaluate.js';
import { crc32, encodePng, overlayPixels, CLASS_COLORS, writeReport } from '../lib/skcdf/report.js';
import { hasPython, runPython } from '../test-support/python.js';

const tmp = mkdtempSync(join(tmpdir(), 'skcdf-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const FIX = join(import.meta.dirname, 'fixtures/report');

/** Minimal PNG decoder (8-bit RGB/RGBA, non-interlaced, all five filter types), checking every CRC. */
function decodePng(png: Uint8Array): { width: number; height: number; channels: number; pixels: Uint8Array } {
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let o = 8,
    width = 0,
    height = 0,
    channels = 0;
  const idat: Uint8Array[] = [];
  const types: string[] = [];
  while (o < png.length) {
    const len = dv.getUint32(o);
    const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
    types.push(type);
    expect(dv.getUint32(o + 8 + len), `CRC of ${type}`).toBe(crc32(png.subarray(o + 4, o + 8 + len)));
    const data = png.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') {
      const h = new DataView(data.buffer, data.byteOffset, 13);
      width = h.getUint32(0);
      height = h.getUint32(4);
      expect(data[8]).toBe(8); // bit depth
      expect([2, 6]).toContain(data[9]);
      expect(data[12]).toBe(0); // no interlace
      channels = data[9] === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    o += 12 + len;
  }
  expect(types[0]).toBe('IHDR');
  expect(types.at(-1)).toBe('IEND');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  expect(raw.length).toBe((stride + 1) * height);
  const px = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? px[y * stride + x - channels] : 0;
      const b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? px[(y - 1) * stride + x - channels] : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c,
          pa = Math.abs(p - a),
          pb = Math.abs(p - b),
          pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      px[y * stride + x] = (v + pred) & 0xff;
    }
  }
  return { width, height, channels, pixels: px };
}

describe('PNG encoder', () => {
  it('CRC-32 matches zlib.crc32 (known vector and Python)', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    if (hasPython('zlib')) {
      const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37 + 11) & 0xff);
      const py = Number(
        runPython('import sys, zlib; print(zlib.crc32(bytes((i * 37 + 11) & 255 for i in range(1000))))').trim(),
      );
      expect(crc32(bytes)).toBe(py);
    }
  });

  it('round-trips RGB and RGBA pixels through signature, IHDR, CRCs and inflate', () => {
    const w = 7,
      h = 5;
    for (const ch of [3, 4] as const) {
      const px = Uint8Array.from({ length: w * h * ch }, (_, i) => (i * 53) & 0xff);
      const d = decodePng(encodePng(w, h, px, ch));
      expect([d.width, d.height, d.channels]).toEqual([w, h, ch]);
      expect(Array.from(d.pixels)).toEqual(Array.from(px));
    }
    expect(() => encodePng(2, 2, new Uint8Array(5))).toThrow(/expected 12 bytes/);
  });
});

describe('writeReport', () => {
  // A 3-fold evaluation of two synthetic cases (Synapse class names).
  const S = 16;
  const shape: [number, number, number] = [S, S, S];
  const label = new Uint8Array(S ** 3);
  const image = new Float32Array(S ** 3);
  for (let z = 0; z < S; z++)
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++) {
        const i = (z * S + y) * S + x;
        image[i] = x + y;
        if (x >= 3 && x < 9 && y >= 3 && y < 9)
          label[i] = 1; // spleen
        else if (x >= 10 && x < 14 && y >= 8 && y < 14 && z > 2) label[i] = 6; // liver
      }
  const labelDir = join(tmp, 'labels');
  mkdirSync(labelDir, { recursive: true });
  writeNpy(join(labelDir, 'c1_label.npy'), { data: Int8Array.from(label), shape, dtype: 'int8' });
  const preds: string[] = [];
  for (let f = 0; f < 3; f++) {
    const d = join(tmp, `fold${f}`);
    mkdirSync(d, { recursive: true });
    const p = label.slice();
    for (let i = 0; i < p.length; i++) if (p[i] === 1 && i % S === 8 - f) p[i] = 0; // erode a column per fold
    writeNifti(join(d, 'c1_pred.nii.gz'), { data: p, shape, dtype: 'uint8' });
    preds.push(d);
  }
  const ev = evaluateFolds({ predDirs: preds, labelDir, ids: ['c1'], dataset: 'synapse', log: null });
  const pred = label.slice();
  for (let i = 0; i < pred.length; i++) if (pred[i] === 6 && i % S === 13) pred[i] = 0;
  const outDir = join(tmp, 'report');
  const html = readFileSync(
    writeReport({
      outDir,
      evaluation: ev,
      runLog: join(FIX, 'run.jsonl'),
      overlays: [{ id: 'c1', image, label, pred, shape }],
    }),
    'utf8',
  );

  it('overlay PNG: image | ground truth | prediction for the middle axial slice', () => {
    const png = decodePng(readFileSync(join(outDir, 'c1_overlay.png')));
    expect([png.width, png.height]).toEqual([3 * S + 4, S]);
    const at = (x: number, y: number) =>
      Array.from(png.pixels.subarray((y * png.width + x) * 3, (y * png.width + x) * 3 + 3));
    // Grey image = round(255 * (x + y) / 30) (slice min 0, max 30).
    expect(at(0, 0)).toEqual([0, 0, 0]);
    expect(at(15, 15)).toEqual([255, 255, 255]);
    expect(at(2, 5)).toEqual(Array(3).fill(Math.round((255 * 7) / 30)));
    // Spleen in ground truth panel at (x 4, y 4): 0.5 grey + 0.5 colour.
    const g = Math.round((255 * 8) / 30);
    expect(at(S + 2 + 4, 4)).toEqual(CLASS_COLORS[1].map((c) => Math.round(0.5 * g + 0.5 * c)));
    // Liver column x=13 removed in the prediction panel only.
    const g2 = Math.round((255 * (13 + 10)) / 30);
    expect(at(S + 2 + 13, 10)).toEqual(CLASS_COLORS[6].map((c) => Math.round(0.5 * g2 + 0.5 * c)));
    expect(at(2 * (S + 2) + 13, 10)).toEqual([g2, g2, g2]);
    // Gap columns are white.
    expect(at(S, 3)).toEqual([255, 255, 255]);
    expect(() => overlayPixels({ id: 'x', image, label, pred: pred.subarray(1), shape })).toThrow(
      /overlay 'x': pred has/,
    );
  });

  it('HTML: class names, numbers, inline SVG charts, no external assets', () => {
    for (const name of ['spleen', 'right kidney', 'liver', 'left adrenal gland']) expect(html).toContain(name);
    expect(html).toContain(`${ev.overall.dice.mean.toFixed(2)} ± ${ev.overall.dice.std.toFixed(2)}`);
    expect(html).toContain(`${ev.perClass[0].dice.toFixed(2)} ± ${ev.perClass[0].std.dice.toFixed(2)}`);
    expect(ev.perClass[0].dice).toBeLessThan(100);
    expect(html.match(/<svg /g)!.length).toBe(5); // Dice, ASD, losses, lr/cps, eval Dice
    expect(html).toContain('Validation Dice');
    expect(html).toContain('30 iteration record(s), 6 evaluation(s)');
    // Loss curves over the global iteration (0..29), not the within-epoch index.
    const losses = html.slice(html.indexOf('aria-label="Training losses"'));
    const xs = [
      ...losses
        .slice(0, losses.indexOf('</svg>'))
        .matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="middle" font-size="10">(\d+)<\/text>/g),
    ].map((m) => Number(m[1]));
    expect(Math.max(...xs)).toBe(29);
    expect(html).toContain('src="c1_overlay.png"');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<script/);
  });

  const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync('which', [c]).status === 0);
  if (!chromium)
    console.warn('report.test: chromium not installed; headless rendering test SKIPPED (apt-get install -y chromium)');
  (chromium ? it : it.skip)(
    'renders in headless Chromium to a non-trivial screenshot',
    () => {
      const shot = join(tmp, 'shot.png');
      execFileSync(
        chromium!,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--hide-scrollbars',
          '--window-size=1000,1800',
          `--screenshot=${shot}`,
          `file://${join(outDir, 'report.html')}`,
        ],
        { stdio: 'ignore', timeout: 60_000, env: { ...process.env, HOME: tmp } },
      );
      expect(existsSync(shot)).toBe(true);
      expect(statSync(shot).size).toBeGreaterThan(20_000);
      const d = decodePng(readFileSync(shot));
      expect([d.width, d.height]).toEqual([1000, 1800]);
      const colours = new Set<number>();
      let nonWhite = 0;
      for (let i = 0; i < d.pixels.length; i += d.channels) {
        const r = d.pixels[i],
          g = d.pixels[i + 1],
          b = d.pixels[i + 2];
        colours.add((r << 16) | (g << 8) | b);
        if (r < 250 || g < 250 || b < 250) nonWhite++;
      }
      expect(colours.size).toBeGreaterThan(50);
      expect(nonWhite / (d.width * d.height)).toBeGreaterThan(0.02);
      // The blue Dice bars (#3b7dd8) are drawn.
      let blue = 0;
      for (let i = 0; i < d.pixels.length; i += d.channels)
        if (d.pixels[i] === 0x3b && d.pixels[i + 1] === 0x7d && d.pixels[i + 2] === 0xd8) blue++;
      expect(blue).toBeGreaterThan(500);
      if (process.env.REPORT_SCREENSHOT) execFileSync('cp', [shot, process.env.REPORT_SCREENSHOT]);
    },
    90_000,
  );
});
