// The training loop on a tiny generated dataset: resuming after a kill gives the same losses as an
// uninterrupted run, the live tensor count is flat across iterations, a non-finite loss stops the
// run with a message and leaves the last good checkpoint, and the run folder holds what it should.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { torch } from '../lib/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { writeNpy } from '../lib/io/npy.js';
import { Rng } from '../lib/data/prng.js';
import { defaultConfig, train, type TrainConfig } from '../lib/skcdf/train.js';

const root = mkdtempSync(join(tmpdir(), 'skcdf-train-'));
const dataDir = join(root, 'data');
const SHAPE = [36, 40, 40];

/** A case whose label holds all 14 classes as slabs of different thickness, and a matching HU image. */
function writeCase(id: string, seed: number): void {
  const rng = new Rng(seed);
  const [Z, Y, X] = SHAPE;
  const label = new Int8Array(Z * Y * X);
  const image = new Float32Array(Z * Y * X);
  const shift = rng.int(0, 4);
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) {
    const i = (z * Y + y) * X + x;
    const inBody = y > 4 && y < Y - 4 && x > 4 && x < X - 4;
    const c = inBody && x > 4 + shift ? Math.min(13, Math.floor((z * 14) / Z)) : 0;
    label[i] = c;
    image[i] = (inBody ? -100 + 25 * c : -1000) + 10 * rng.normal();
  }
  writeNpy(join(dataDir, `${id}_image.npy`), { data: image, shape: SHAPE, dtype: 'float32' });
  writeNpy(join(dataDir, `${id}_label.npy`), { data: label, shape: SHAPE, dtype: 'int8' });
}

beforeAll(() => {
  mkdirSync(dataDir, { recursive: true });
  const ids = ['a1', 'a2', 'u1', 'u2', 'u3', 'u4', 'e1'];
  ids.forEach((id, k) => writeCase(id, k + 1));
  writeFileSync(join(root, 'labeled.txt'), 'a1\na2\n');
  writeFileSync(join(root, 'unlabeled.txt'), 'u1\nu2\nu3\nu4\n');
  writeFileSync(join(root, 'eval.txt'), 'e1\n');
});

function config(runDir: string, over: Partial<TrainConfig> = {}): TrainConfig {
  return defaultConfig('synthetic', {
    dataDir, splitsDir: root, labeledSplit: 'labeled', unlabeledSplit: 'unlabeled', evalSplit: 'eval',
    runDir: join(root, runDir), maxEpochs: 2, batchSize: 1, patch: [32, 32, 32], nFilters: 4, workers: 0, seed: 3,
    ...over,
  });
}

interface LogLine { epoch: number; iter?: number; loss?: number; evalMeanDice?: number; evalForegroundDice?: number }
const readLog = (runDir: string): LogLine[] =>
  readFileSync(join(root, runDir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LogLine);
const iterationLosses = (lines: LogLine[]): [number, number, number][] =>
  lines.filter((l) => l.iter !== undefined && l.loss !== undefined).map((l) => [l.epoch, l.iter!, l.loss!]);

describe('training loop', () => {
  it('runs, writes config, log and checkpoints, and keeps the live tensor count flat', async () => {
    const counts: number[] = [];
    const summary = await train(config('full'), { events: { onIteration: () => counts.push(torch.memory().liveTensors) } });
    expect(summary.epochs).toBe(2);
    expect(counts.length).toBe(12); // 3 epochs x 4 unlabeled cases / batch 1
    // After the first step (which creates the momentum buffers) the count never moves.
    expect(new Set(counts.slice(1)).size).toBe(1);
    for (const f of ['config.json', 'log.jsonl', 'last.pth', 'best_model.pth']) expect(existsSync(join(root, 'full', f)), f).toBe(true);
    const cfg = JSON.parse(readFileSync(join(root, 'full', 'config.json'), 'utf8'));
    expect(cfg.ir2).toHaveLength(14);
    const log = readLog('full');
    expect(log.filter((l) => l.evalMeanDice !== undefined)).toHaveLength(3);
    const ck = torch.load(join(root, 'full', 'last.pth')) as Map<string, unknown>;
    expect((ck.get('model') as Map<string, unknown>).size).toBe(330);
    expect(JSON.parse(ck.get('state') as string).epoch).toBe(2);
    torch.dispose(ck);
  });

  it('a run killed after an epoch and resumed continues with the same losses as an uninterrupted run', async () => {
    await expect(train(config('resumed'), { events: { onEpoch: ({ epoch }) => { if (epoch === 0) throw new Error('killed'); } } }))
      .rejects.toThrow('killed');
    expect(iterationLosses(readLog('resumed')).every(([e]) => e === 0)).toBe(true);
    await train(config('resumed'), { resume: true });
    const full = iterationLosses(readLog('full'));
    const resumed = iterationLosses(readLog('resumed'));
    expect(resumed.map(([e, i]) => [e, i])).toEqual(full.map(([e, i]) => [e, i]));
    resumed.forEach(([, , loss], k) => expect(loss).toBe(full[k][2]));
  });

  it('a non-finite loss stops the run with a message and writes no checkpoint after it', async () => {
    await expect(train(config('nan'), { events: { onEpoch: () => { throw new Error('killed'); } } })).rejects.toThrow('killed');
    // The run diverges after the checkpoint: a weight becomes infinite.
    const last = join(root, 'nan', 'last.pth');
    torch.tidy(() => {
      const ck = torch.load(last) as Map<string, Map<string, Tensor> | string>;
      (ck.get('model') as Map<string, Tensor>).get('encoder.block_one.conv.0.weight')!.fill_(Infinity);
      torch.save(ck as never, last);
    });
    const before = readFileSync(last);
    await expect(train(config('nan'), { resume: true })).rejects.toThrow(/non-finite loss \(NaN\) at epoch 1, iteration 0; the last good checkpoint is .*last\.pth/);
    expect(readFileSync(last).equals(before)).toBe(true);
    const lines = readLog('nan');
    expect(lines[lines.length - 1]).toMatchObject({ epoch: 1, iter: 0, error: 'non-finite loss' });
  });

  it('refuses a missing split with the file name', async () => {
    await expect(train(config('missing', { evalSplit: 'nope' }))).rejects.toThrow(/nope\.txt not found/);
  });
});
