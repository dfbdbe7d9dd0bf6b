// Does the unlabeled data help? SKCDF vs the supervised baseline (same network, same labeled cases, same
// iterations, labeled batches only, decoder_l) on the built-in synthetic dataset, several seeds each, every run
// exactly as `npm run train -- --method <m> --seed <s>` runs it (a child process each: training, sliding-window
// prediction of the test split with the best checkpoint, evaluation). Each trained model is also evaluated on a
// freshly generated synthetic set (another generator seed) it never saw.
//
// Prints a table (test Dice per organ, mean +- std over seeds, organs ordered by size) and the decoder lag of the
// SKCDF runs (validation Dice of decoder_l, which makes the pseudo labels, vs decoder_u, which is evaluated),
// then one JSON line {"bench":"ssl-gain","skcdfDice","supervisedDice","gain","smallOrganGain",...}.
//
// Run: npx tsx bench/ssl-gain.ts [--seeds 0,1,2] [--parallel 2] [--out runs/ssl-gain] [--fresh-seed 1] [-- extra train flags]
// Finished runs (their evaluation.json) are reused, so an interrupted bench continues where it stopped.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { datasetInfo } from '../lib/skcdf/classes.js';
import { makeSyntheticDataset } from '../lib/skcdf/datasets.js';
import { SYNTHETIC_DATA } from '../lib/skcdf/training/config.js';
import { evaluateRun, predictRun } from '../lib/skcdf/pipeline.js';
import type { Evaluation } from '../lib/skcdf/evaluate.js';
import { readSplitFile } from '../lib/skcdf/data/splits.js';
import { readNpy } from '../lib/io/npy.js';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const extra = dash >= 0 ? argv.slice(dash + 1) : [];
const arg = (name: string, fallback: string): string => {
  const i = own.indexOf(name);
  return i >= 0 && own[i + 1] !== undefined ? own[i + 1]! : fallback;
};
const seeds = arg('--seeds', '0,1,2').split(',').map(Number);
const parallel = Number(arg('--parallel', String(Math.max(1, Math.min(2, availableParallelism())))));
const out = arg('--out', 'runs/ssl-gain');
const freshSeed = Number(arg('--fresh-seed', '1'));
const methods = ['skcdf', 'supervised'] as const;
type Method = (typeof methods)[number];

const repo = join(import.meta.dirname, '..');
const tsx = pathToFileURL(join(repo, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;
const threads = Math.max(1, Math.floor(availableParallelism() / parallel));

const runDir = (m: Method, s: number): string => join(out, `${m}-seed${s}`);
const done = (dir: string): boolean => existsSync(join(dir, 'evaluation', 'evaluation.json'));

function trainRun(m: Method, s: number): Promise<void> {
  const dir = runDir(m, s);
  if (done(dir)) return Promise.resolve();
  const args = ['--import', tsx, join(repo, 'lib/cli/main.ts'), 'train', '--method', m, '--seed', String(s), '--run-dir', dir,
    '--threads', String(threads), ...(m === 'skcdf' ? ['--eval-both-decoders'] : []), ...extra];
  if (existsSync(join(dir, 'last.pth'))) args.push('--resume');
  const t0 = Date.now();
  process.stderr.write(`start ${dir}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr.on('data', (d: Buffer) => { tail = (tail + d.toString()).slice(-4000); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) {
        process.stderr.write(`done  ${dir} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
        resolve();
      } else reject(new Error(`${dir}: train exited with ${code}\n${tail}`));
    });
  });
}

async function pool(jobs: (() => Promise<void>)[], n: number): Promise<void> {
  const queue = [...jobs];
  await Promise.all(Array.from({ length: n }, async () => { while (queue.length) await queue.shift()!(); }));
}

const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: number[]): number => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));
const f1 = (v: number): string => v.toFixed(1);

// 1. The data every run uses (as `npm run train` makes it), and a fresh set from another generator seed.
const paths = { root: 'data/synthetic', raw: 'data/synthetic/raw', preprocessed: 'data/synthetic/preprocessed' };
makeSyntheticDataset(paths, SYNTHETIC_DATA, (m) => process.stderr.write(`${m}\n`));
const freshRoot = join(out, `fresh-data-seed${freshSeed}`);
const fresh = { root: freshRoot, raw: join(freshRoot, 'raw'), preprocessed: join(freshRoot, 'preprocessed') };
makeSyntheticDataset(fresh, { ...SYNTHETIC_DATA, seed: freshSeed, cases: 12 }, (m) => process.stderr.write(`${m}\n`));
const freshIds = readSplitFile(join(fresh.raw, 'splits', 'train.txt')).concat(
  readSplitFile(join(fresh.raw, 'splits', 'eval.txt')), readSplitFile(join(fresh.raw, 'splits', 'test.txt')));

// 2. Train + test every (method, seed), `parallel` at a time.
const t0 = Date.now();
await pool(methods.flatMap((m) => seeds.map((s) => () => trainRun(m, s))), parallel);
const trainSeconds = (Date.now() - t0) / 1000;

// 3. Collect test-split results; evaluate every model on the fresh set too.
const read = (m: Method, s: number): Evaluation => JSON.parse(readFileSync(join(runDir(m, s), 'evaluation', 'evaluation.json'), 'utf8')) as Evaluation;
const freshEval = (m: Method, s: number): Evaluation => {
  const dir = runDir(m, s);
  const predDir = join(dir, `fresh-seed${freshSeed}`, 'predictions');
  const evalDir = join(dir, `fresh-seed${freshSeed}`);
  if (!existsSync(join(evalDir, 'evaluation', 'evaluation.json'))) {
    predictRun({ runDir: dir, dataDir: fresh.preprocessed, ids: freshIds, outDir: predDir });
    evaluateRun({ runDir: dir, dataDir: fresh.preprocessed, ids: freshIds, predDir, outDir: evalDir, log: null, overlaySlices: 1 });
  }
  return JSON.parse(readFileSync(join(evalDir, 'evaluation', 'evaluation.json'), 'utf8')) as Evaluation;
};
const results = Object.fromEntries(methods.map((m) => [m, seeds.map((s) => read(m, s))])) as Record<Method, Evaluation[]>;
const freshResults = Object.fromEntries(methods.map((m) => [m, seeds.map((s) => freshEval(m, s))])) as Record<Method, Evaluation[]>;

// Organs ordered by size: mean voxel count over the test labels.
const info = datasetInfo('synthetic');
const testIds = readSplitFile(join(paths.raw, 'splits', 'test.txt'));
const size = new Float64Array(info.numClasses);
for (const id of testIds) for (const v of readNpy(join(paths.preprocessed, `${id}_label.npy`)).data as Int8Array) size[v]++;
const organs = Array.from({ length: info.numClasses - 1 }, (_, k) => k + 1).sort((a, b) => size[b]! - size[a]!);

const dice = (evs: Evaluation[], c: number): number[] => evs.map((e) => e.perClass[c - 1]!.dice);
const overall = (evs: Evaluation[]): number[] => evs.map((e) => e.overall.dice.mean);
const lines: string[] = [];
lines.push(`SKCDF vs supervised on the synthetic test split (${testIds.length} cases), seeds ${seeds.join(', ')}; Dice % mean ± std over seeds`);
lines.push(`${'organ (voxels/case)'.padEnd(34)}${'SKCDF'.padStart(14)}${'supervised'.padStart(14)}${'gain'.padStart(8)}`);
for (const c of organs) {
  const a = dice(results.skcdf, c), b = dice(results.supervised, c);
  lines.push(`${`${c} ${info.classNames[c]} (${Math.round(size[c]! / testIds.length)})`.padEnd(34)}${`${f1(mean(a))} ± ${f1(std(a))}`.padStart(14)}`
    + `${`${f1(mean(b))} ± ${f1(std(b))}`.padStart(14)}${f1(mean(a) - mean(b)).padStart(8)}`);
}
const sk = overall(results.skcdf), sup = overall(results.supervised);
lines.push(`${'mean'.padEnd(34)}${`${f1(mean(sk))} ± ${f1(std(sk))}`.padStart(14)}${`${f1(mean(sup))} ± ${f1(std(sup))}`.padStart(14)}${f1(mean(sk) - mean(sup)).padStart(8)}`);
const fsk = overall(freshResults.skcdf), fsup = overall(freshResults.supervised);
lines.push(`fresh set (generator seed ${freshSeed}, ${freshIds.length} unseen cases): SKCDF ${f1(mean(fsk))} ± ${f1(std(fsk))}, supervised ${f1(mean(fsup))} ± ${f1(std(fsup))}`);

// Decoder lag in the SKCDF runs: validation Dice of decoder_l (pseudo labels) vs decoder_u (evaluated), per epoch.
interface EvalLine { epoch: number; evalMeanDice?: number; evalMeanDiceL?: number; evalDice?: number[]; evalDiceL?: number[] }
lines.push('SKCDF validation mean Dice per epoch, decoder_u (evaluated) / decoder_l (makes the pseudo labels), seed by seed:');
for (const s of seeds) {
  const log = readFileSync(join(runDir('skcdf', s), 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EvalLine)
    .filter((l) => l.evalMeanDice !== undefined);
  lines.push(`  seed ${s}: ${log.map((l) => `${(100 * l.evalMeanDice!).toFixed(0)}/${l.evalMeanDiceL === undefined ? '-' : (100 * l.evalMeanDiceL).toFixed(0)}`).join(' ')}`);
  const last = log[log.length - 1];
  if (last?.evalDiceL && last.evalDice) {
    lines.push(`  seed ${s}, last epoch, per organ (size order) u/l: ${organs.map((c) => `${info.classNames[c]} ${(100 * last.evalDice![c - 1]!).toFixed(0)}/${(100 * last.evalDiceL![c - 1]!).toFixed(0)}`).join(', ')}`);
  }
}
process.stderr.write(`${lines.join('\n')}\n`);

const smallest = organs.slice(-5);
const smallGain = mean(smallest.map((c) => mean(dice(results.skcdf, c)) - mean(dice(results.supervised, c))));
process.stdout.write(`${JSON.stringify({
  bench: 'ssl-gain', skcdfDice: mean(sk), supervisedDice: mean(sup), gain: mean(sk) - mean(sup), smallOrganGain: smallGain,
  ratio: mean(sk) / mean(sup), skcdfStd: std(sk), supervisedStd: std(sup), seeds,
  freshSkcdfDice: mean(fsk), freshSupervisedDice: mean(fsup), smallestOrgans: smallest.map((c) => info.classNames[c]), trainSeconds,
})}\n`);
