// evaluateFolds: per-case metrics from metrics.ts, aggregation per fold and across folds (closed-form
// Dice of cubes, the empty-mask rules), tables with class names, CSV and JSON outputs.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../lib/io/npy.js';
import { writeNifti } from '../lib/io/nifti.js';
import { evaluateCase, EMPTY_MASK_DISTANCE } from '../lib/skcdf/metrics.js';
import { evaluateFolds, formatTables } from '../lib/skcdf/evaluate.js';

const tmp = mkdtempSync(join(tmpdir(), 'skcdf-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const S = 12;
const shape: [number, number, number] = [S, S, S];
function cube(a: Uint8Array, c: number, z0: number, y0: number, x0: number, n: number): Uint8Array {
  for (let z = z0; z < z0 + n; z++)
    for (let y = y0; y < y0 + n; y++) for (let x = x0; x < x0 + n; x++) a[(z * S + y) * S + x] = c;
  return a;
}

// Case A: label = class 1 cube (4^3) + class 2 cube (3^3).
const labelA = cube(cube(new Uint8Array(S ** 3), 1, 2, 2, 2, 4), 2, 7, 7, 7, 3);
// Case B: label = class 1 cube only.
const labelB = cube(new Uint8Array(S ** 3), 1, 4, 4, 4, 5);
// Fold 0: perfect. Fold 1, case A: class 1 shifted by one voxel in x (Dice 2*48/128 = 75), class 2 missed,
// class 3 false positive. Fold 1, case B: perfect.
const predA1 = cube(cube(new Uint8Array(S ** 3), 1, 2, 2, 3, 4), 3, 8, 0, 0, 2);

function setup(): { labelDir: string; predDirs: string[] } {
  const labelDir = join(tmp, 'labels');
  const predDirs = [join(tmp, 'fold0'), join(tmp, 'fold1')];
  for (const d of [labelDir, ...predDirs]) mkdirSync(d, { recursive: true });
  writeNpy(join(labelDir, 'A_label.npy'), { data: Int8Array.from(labelA), shape, dtype: 'int8' });
  writeNpy(join(labelDir, 'B_label.npy'), { data: Int8Array.from(labelB), shape, dtype: 'int8' });
  const w = (dir: string, id: string, d: Uint8Array) =>
    writeNifti(join(dir, `${id}_pred.nii.gz`), { data: d, shape, dtype: 'uint8' });
  w(predDirs[0], 'A', labelA);
  w(predDirs[0], 'B', labelB);
  w(predDirs[1], 'A', predA1);
  w(predDirs[1], 'B', labelB);
  return { labelDir, predDirs };
}

describe('evaluateFolds', () => {
  const { labelDir, predDirs } = setup();
  const outDir = join(tmp, 'out');
  let printed = '';
  const ev = evaluateFolds({
    predDirs,
    labelDir,
    ids: ['A', 'B'],
    dataset: 'synapse',
    outDir,
    log: (s) => {
      printed += s;
    },
  });
  const shifted = evaluateCase(predA1, labelA, shape, [1, 1, 1], 14)[0];

  it('per case and class: Dice closed forms, the empty-mask rules, metrics.ts distances', () => {
    const a1 = ev.results.find((r) => r.id === 'A' && r.fold === 1)!.classes;
    expect(a1[0].dice).toBeCloseTo(75, 12);
    expect(a1[0].asd).toBe(shifted.asd);
    expect(a1[0].asd).toBeGreaterThan(0);
    expect(a1[1]).toMatchObject({
      dice: 0,
      asd: EMPTY_MASK_DISTANCE,
      assd: EMPTY_MASK_DISTANCE,
      hd95: EMPTY_MASK_DISTANCE,
      nPred: 0,
      nLabel: 27,
    });
    expect(a1[2]).toMatchObject({ dice: 0, asd: EMPTY_MASK_DISTANCE, nPred: 8, nLabel: 0 });
    expect(a1[5]).toMatchObject({ dice: 100, asd: 0, assd: 0, hd95: 0 }); // liver absent in both
    expect(ev.results).toHaveLength(4);
  });

  it('per fold: mean over cases per class, then over classes', () => {
    expect(ev.folds[0].mean.dice).toBe(100);
    expect(ev.folds[0].mean.asd).toBe(0);
    expect(ev.folds[1].perClass[0].dice).toBeCloseTo(87.5, 12);
    expect(ev.folds[1].perClass[1].dice).toBeCloseTo(50, 12);
    expect(ev.folds[1].perClass[1].asd).toBeCloseTo(64, 12);
    expect(ev.folds[1].mean.dice).toBeCloseTo((87.5 + 50 + 50 + 10 * 100) / 13, 12);
    expect(ev.folds[1].mean.asd).toBeCloseTo((shifted.asd / 2 + 64 + 64) / 13, 12);
  });

  it('across folds: per-case fold averages, per-class means, mean ± population std of fold means', () => {
    const caseA = ev.cases.find((k) => k.id === 'A')!;
    expect(caseA.perClass[0].dice).toBeCloseTo(87.5, 12);
    expect(caseA.perClass[1].asd).toBeCloseTo(64, 12);
    expect(ev.perClass[0]).toMatchObject({ classIndex: 1, name: 'spleen' });
    expect(ev.perClass[0].dice).toBeCloseTo(93.75, 12);
    expect(ev.perClass[0].std.dice).toBeCloseTo(6.25, 12);
    expect(ev.perClass[1].dice).toBeCloseTo(75, 12);
    expect(ev.perClass[1].std.dice).toBeCloseTo(25, 12);
    const f1 = (87.5 + 50 + 50 + 1000) / 13;
    expect(ev.overall.dice.mean).toBeCloseTo((100 + f1) / 2, 12);
    expect(ev.overall.dice.std).toBeCloseTo((100 - f1) / 2, 12);
    expect(ev.overall.assd.mean).toBeCloseTo((shifted.assd / 2 + 128) / 13 / 2, 12);
  });

  it('prints tables with class names and writes CSV / JSON', () => {
    expect(printed).toBe(formatTables(ev));
    expect(printed).toContain('1 spleen');
    expect(printed).toContain('13 left adrenal gland');
    expect(printed).toContain(`${ev.overall.dice.mean.toFixed(2)} ± ${ev.overall.dice.std.toFixed(2)}`);
    expect(readdirSync(outDir).sort()).toEqual(['cases.csv', 'classes.csv', 'evaluation.json']);
    const rows = readFileSync(join(outDir, 'cases.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('fold,case,class,name,dice,asd,assd,hd95,n_pred,n_label');
    expect(rows).toHaveLength(1 + 4 * 13 + 2 * 13);
    expect(rows).toContain('1,A,1,spleen,75,' + [shifted.asd, shifted.assd, shifted.hd95, 64, 64].join(','));
    const cls = readFileSync(join(outDir, 'classes.csv'), 'utf8').trim().split('\n');
    expect(cls[1].startsWith('1,spleen,93.75,6.25,')).toBe(true);
    const json = JSON.parse(readFileSync(join(outDir, 'evaluation.json'), 'utf8'));
    expect(json.overall.dice.mean).toBeCloseTo(ev.overall.dice.mean, 12);
    expect(json.classNames[9]).toBe('portal and splenic veins');
  });

  it('errors name the missing or mismatched file', () => {
    expect(() => evaluateFolds({ predDirs, labelDir, ids: ['C'], dataset: 'synapse', log: null })).toThrow(
      /case 'C': no label/,
    );
    const bad = join(tmp, 'bad');
    mkdirSync(bad, { recursive: true });
    writeNifti(join(bad, 'A_pred.nii.gz'), { data: new Uint8Array(8), shape: [2, 2, 2], dtype: 'uint8' });
    expect(() => evaluateFolds({ predDirs: [bad], labelDir, ids: ['A'], dataset: 'synapse', log: null })).toThrow(
      /bad\/A_pred\.nii\.gz: shape \[2, 2, 2\]/,
    );
    expect(() => evaluateFolds({ predDirs: [bad], labelDir, ids: ['B'], dataset: 'synapse', log: null })).toThrow(
      /fold 0: prediction .*B_pred\.nii\.gz does not exist/,
    );
  });
});
