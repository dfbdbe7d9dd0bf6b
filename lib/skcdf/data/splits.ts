/** Split files (`<splitsDir>/<dataset>/<name>.txt`, one case id per line) and seeded split generation. */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../../io/atomic.js';
import { Rng } from '../../data/prng.js';

/** The package's own `splits/` folder (works from lib/skcdf/data/*.ts and dist/skcdf/data/*.js alike). */
export function defaultSplitsDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'splits');
}

/** Parses a split file's text: one id per line; blank lines and '#' comments are ignored; duplicates are refused. */
export function parseSplit(text: string, name = '<split>'): string[] {
  const ids: string[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((line, i) => {
    const id = line.replace(/#.*$/, '').trim();
    if (!id) return;
    if (/\s/.test(id)) throw new Error(`${name}:${i + 1}: expected one case id per line, got '${line}'`);
    if (seen.has(id)) throw new Error(`${name}:${i + 1}: duplicate case id '${id}'`);
    seen.add(id);
    ids.push(id);
  });
  return ids;
}

/** Reads a split file by path. */
export function readSplitFile(path: string): string[] {
  if (!existsSync(path)) throw new Error(`split file not found: ${path}`);
  return parseSplit(readFileSync(path, 'utf8'), path);
}

/** Reads `<splitsDir>/<dataset>/<name>.txt` (splitsDir defaults to the package's `splits/`). */
export function readSplit(dataset: string, name: string, splitsDir = defaultSplitsDir()): string[] {
  return readSplitFile(join(splitsDir, dataset, `${name}.txt`));
}

/** 'labeled_20p' style suffix for a fraction (0.2 -> '20p', 0.025 -> '2.5p'). */
export function fractionTag(fraction: number): string {
  const pct = Math.round(fraction * 1000) / 10;
  return `${pct}p`;
}

/** Options of makeSplits: the ids, the seed, the train / eval fractions and the labeled fractions. */
export interface MakeSplitsOptions {
  ids: readonly string[];
  seed: number;
  /** Fraction of ids in train (default 0.7). */
  trainFraction?: number;
  /** Fraction of ids in eval (default 0.1); test gets the rest. */
  evalFraction?: number;
  /** Labeled fractions of the train set (default [0.2]); each gives labeled_XXp and unlabeled_XXp. */
  labeledFractions?: readonly number[];
  /** When given, every split is written to `<outDir>/<name>.txt` (atomically). */
  outDir?: string;
}

/**
 * Seeded random splits. ids are shuffled once; train = the first round(trainFraction * n), eval = the next
 * round(evalFraction * n), test = the rest. For each labeled fraction f, labeled_XXp = a seeded random
 * max(1, round(f * |train|)) ids of train and unlabeled_XXp = the other train ids. Every list is sorted.
 * Returns name -> ids (train, eval, test, labeled_XXp, unlabeled_XXp).
 */
export function makeSplits(opts: MakeSplitsOptions): Record<string, string[]> {
  const { ids, seed, trainFraction = 0.7, evalFraction = 0.1, labeledFractions = [0.2], outDir } = opts;
  if (new Set(ids).size !== ids.length) throw new Error('makeSplits: ids contain duplicates');
  for (const [k, v] of [
    ['trainFraction', trainFraction],
    ['evalFraction', evalFraction],
  ] as const) {
    if (!(v >= 0 && v <= 1)) throw new Error(`makeSplits: ${k} must be in [0, 1], got ${v}`);
  }
  if (trainFraction + evalFraction > 1 + 1e-12)
    throw new Error(`makeSplits: trainFraction + evalFraction = ${trainFraction + evalFraction} > 1`);
  const n = ids.length;
  const rng = new Rng(seed);
  const shuffled = rng.shuffle([...ids]);
  const nTrain = Math.round(trainFraction * n);
  const nEval = Math.min(Math.round(evalFraction * n), n - nTrain);
  const sort = (a: string[]) => a.sort((x, y) => x.localeCompare(y, 'en', { numeric: true }));
  const train = sort(shuffled.slice(0, nTrain));
  const out: Record<string, string[]> = {
    train,
    eval: sort(shuffled.slice(nTrain, nTrain + nEval)),
    test: sort(shuffled.slice(nTrain + nEval)),
  };
  for (const f of labeledFractions) {
    if (!(f > 0 && f <= 1)) throw new Error(`makeSplits: labeled fraction must be in (0, 1], got ${f}`);
    if (train.length === 0) throw new Error('makeSplits: the train split is empty, cannot pick labeled cases');
    const k = Math.min(train.length, Math.max(1, Math.round(f * train.length)));
    const picked = new Set(new Rng(seed * 1000003 + Math.round(f * 1e6)).shuffle([...train]).slice(0, k));
    out[`labeled_${fractionTag(f)}`] = sort(train.filter((id) => picked.has(id)));
    out[`unlabeled_${fractionTag(f)}`] = sort(train.filter((id) => !picked.has(id)));
  }
  if (outDir) writeSplits(outDir, out);
  return out;
}

/** Writes each split as `<dir>/<name>.txt`, one id per line. */
export function writeSplits(dir: string, splits: Record<string, readonly string[]>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, list] of Object.entries(splits))
    writeFileAtomic(join(dir, `${name}.txt`), list.map((id) => `${id}\n`).join(''));
}
