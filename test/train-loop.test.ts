// The training loop on a tiny generated dataset: resuming after a kill gives the same losses as an
// uninterrupted run, the live tensor count is flat across iterations, a non-finite loss stops the
// run with a message and leaves the last good checkpoint, and the run folder holds what it should.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { torch } from '../lib/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { buildModel, defaultConfig, train, type TrainConfig } from '../lib/skcdf/train.js';
import { initSkcdfWeights } from '../lib/skcdf/model.js';
import { runPipeline } from '../lib/skcdf/pipeline.js';
import { writeTinyDataset } from '../test-support/tiny-dataset.js';

const root = mkdtempSync(join(tmpdir(), 'skcdf-train-'));
const dataDir = join(root, 'data');
beforeAll(() => writeTinyDataset(root));

function config(runDir: string, over: Partial<TrainConfig> = {}): TrainConfig {
  return defaultConfig('synthetic', {
    dataDir,
    splitsDir: root,
    labeledSplit: 'labeled',
    unlabeledSplit: 'unlabeled',
    evalSplit: 'eval',
    runDir: join(root, runDir),
    maxEpochs: 2,
    batchSize: 1,
    patch: [32, 32, 32],
    nFilters: 4,
    workers: 0,
    seed: 3,
    ...over,
  });
}

interface LogLine {
  epoch: number;
  iter?: number;
  loss?: number;
  lr?: number;
  evalMeanDice?: number;
  evalForegroundDice?: number;
}
const readLog = (runDir: string): LogLine[] =>
  readFileSync(join(root, runDir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogLine);
const iterationLosses = (lines: LogLine[]): [number, number, number][] =>
  lines.filter((l) => l.iter !== undefined && l.loss !== undefined).map((l) => [l.epoch, l.iter!, l.loss!]);

/** The run's (epoch, iteration, loss) records equal the reference run's exactly. */
function expectSameLosses(run: string, reference: string): void {
  const got = iterationLosses(readLog(run));
  const want = iterationLosses(readLog(reference));
  expect(got.map(([e, i]) => [e, i])).toEqual(want.map(([e, i]) => [e, i]));
  got.forEach(([, , loss], k) => expect(loss).toBe(want[k][2]));
}

describe('training loop', { timeout: 600_000 }, () => {
  it('runs, writes config, log and checkpoints, and keeps the live tensor count flat', async () => {
    const counts: number[] = [];
    // Validation after epoch 0 (every 3rd) and from epoch 2 on, not after epoch 1.
    const summary = await train(config('full', { evalEvery: 3, evalEveryEpochFrom: 2 }), {
      events: { onIteration: () => counts.push(torch.memory().liveTensors) },
    });
    expect(summary.epochs).toBe(2);
    expect(counts.length).toBe(12); // 3 epochs x 4 unlabeled cases / batch 1
    // After the first step (which creates the momentum buffers) the count never moves.
    expect(new Set(counts.slice(1)).size).toBe(1);
    for (const f of ['config.json', 'log.jsonl', 'last.pth', 'best_model.pth'])
      expect(existsSync(join(root, 'full', f)), f).toBe(true);
    const cfg = JSON.parse(readFileSync(join(root, 'full', 'config.json'), 'utf8'));
    expect(cfg.ir2).toHaveLength(14);
    const log = readLog('full');
    expect(log.filter((l) => l.evalMeanDice !== undefined).map((l) => l.epoch)).toEqual([0, 2]);
    // The synthetic default schedule: epoch e > 0 runs with lr (1 + cos(pi (e - 1) / 2)) / 2 (0.1, 0.1, 0.05).
    const lrs = log.filter((l) => l.iter !== undefined).map((l) => `${l.epoch},${l.lr}`);
    expect(new Set(lrs)).toEqual(new Set(['0,0.1', '1,0.1', '2,0.05']));
    const ck = torch.load(join(root, 'full', 'last.pth')) as Map<string, unknown>;
    expect((ck.get('model') as Map<string, unknown>).size).toBe(330);
    expect(JSON.parse(ck.get('state') as string).epoch).toBe(2);
    torch.dispose(ck);
  });

  it('a run killed after an epoch and resumed continues with the same losses as an uninterrupted run', async () => {
    await expect(
      train(config('resumed'), {
        events: {
          onEpoch: ({ epoch }) => {
            if (epoch === 0) throw new Error('killed');
          },
        },
      }),
    ).rejects.toThrow('killed');
    expect(iterationLosses(readLog('resumed')).every(([e]) => e === 0)).toBe(true);
    await train(config('resumed'), { resume: true });
    expectSameLosses('resumed', 'full');
  });

  it('a non-finite loss stops the run with a message and writes no checkpoint after it', async () => {
    await expect(
      train(config('nan'), {
        events: {
          onEpoch: () => {
            throw new Error('killed');
          },
        },
      }),
    ).rejects.toThrow('killed');
    // The run diverges after the checkpoint: a weight becomes infinite.
    const last = join(root, 'nan', 'last.pth');
    torch.tidy(() => {
      const ck = torch.load(last) as Map<string, Map<string, Tensor> | string>;
      (ck.get('model') as Map<string, Tensor>).get('encoder.block_one.conv.0.weight')!.fill_(Infinity);
      torch.save(ck as never, last);
    });
    const before = readFileSync(last);
    await expect(train(config('nan'), { resume: true })).rejects.toThrow(
      /non-finite loss \(NaN\) at epoch 1, iteration 0; the last good checkpoint is .*last\.pth/,
    );
    expect(readFileSync(last).equals(before)).toBe(true);
    const lines = readLog('nan');
    expect(lines[lines.length - 1]).toMatchObject({ epoch: 1, iter: 0, error: 'non-finite loss' });
  });

  it('--resume with a truncated or corrupt last.pth: an error naming the file, and no checkpoint is overwritten ' +
    '', async () => {
    await train(config('corrupt', { maxEpochs: 0 }));
    const last = join(root, 'corrupt', 'last.pth');
    const best = join(root, 'corrupt', 'best_model.pth');
    const bestBytes = readFileSync(best);
    const good = readFileSync(last);
    for (const bad of [
      good.subarray(0, Math.floor(good.length / 2)),
      Buffer.from(good.map((b, i) => (i > 64 && i < 4096 ? b ^ 0x5a : b))),
    ]) {
      writeFileSync(last, bad);
      await expect(train(config('corrupt', { maxEpochs: 1 }), { resume: true })).rejects.toThrow(
        /corrupt[/\\]last\.pth: cannot read the checkpoint, it is truncated or corrupt/,
      );
      expect(readFileSync(last).equals(bad)).toBe(true);
      expect(readFileSync(best).equals(bestBytes)).toBe(true);
    }
  });

  it('stops on an abort signal after the current iteration, mid-epoch, and resumes there with the same losses ' +
    '', async () => {
    const stop = new AbortController();
    let seen = 0;
    await expect(
      train(config('aborted'), {
        signal: stop.signal,
        events: {
          onIteration: () => {
            if (++seen === 6) stop.abort('SIGINT');
          },
        },
      }),
    ).rejects.toThrow(/training interrupted \(SIGINT\) at epoch 1, iteration 2; state saved to .*last\.pth/);
    const state = torch.tidy(() =>
      JSON.parse((torch.load(join(root, 'aborted', 'last.pth')) as Map<string, unknown>).get('state') as string),
    );
    expect([state.epoch, state.nextIteration]).toEqual([0, 2]);
    await train(config('aborted'), { resume: true });
    expectSameLosses('aborted', 'full');
  });

  it('the supervised baseline never touches decoder_u; --no-abc never touches the ABC heads; --no-cross-attention ' +
    'has no attention blocks', async () => {
    const heads = (sd: Map<string, Tensor>, prefix: string) => [...sd].filter(([k]) => k.startsWith(prefix));
    const init = (over: Partial<TrainConfig>) =>
      torch.tidy(() => {
        torch.manualSeed(3);
        const m = buildModel({ ...config('x'), ...over }, 14);
        initSkcdfWeights(m);
        return torch.keep(m.stateDict());
      });
    const after = (run: string) => torch.load(join(root, run, 'last.pth')) as Map<string, Map<string, Tensor>>;
    const cases: [string, Partial<TrainConfig>, string[], string[]][] = [
      ['supervised', { method: 'supervised' }, ['decoder_u.'], ['decoder_l.', 'encoder.']],
      [
        'noabc',
        { abc: false },
        ['decoder_l.out_conv9_abc.', 'decoder_u.out_conv9_abc.'],
        ['decoder_l.out_conv9.', 'decoder_u.out_conv9.'],
      ],
    ];
    for (const [run, over, frozen, trained] of cases) {
      const before = init(over);
      await train(config(run, { maxEpochs: 0, ...over }));
      const sd = after(run).get('model')!;
      for (const p of frozen)
        for (const [k, t] of heads(before, p))
          if (!k.includes('running_') && !k.includes('num_batches'))
            expect(torch.equal(sd.get(k)!, t), `${run}: ${k} unchanged`).toBe(true);
      for (const p of trained)
        expect(
          heads(before, p).some(([k, t]) => k.endsWith('weight') && !torch.equal(sd.get(k)!, t)),
          `${run}: ${p} trained`,
        ).toBe(true);
      torch.dispose([before, sd]);
    }
    await train(config('noattn', { maxEpochs: 0, crossAttention: false }));
    const sd = after('noattn').get('model')!;
    expect([...sd.keys()].filter((k) => k.startsWith('cross_attention'))).toEqual([]);
    expect(sd.size).toBeLessThan(330);
    torch.dispose(sd);
  });

  it('the whole pipeline: trains, predicts the test split, evaluates, writes report.html with curves and overlays, ' +
    'and TensorBoard events', async () => {
    writeFileSync(join(root, 'test.txt'), 'e1\na1\n');
    const c = config('pipeline', { maxEpochs: 1 });
    const r = await runPipeline({ config: c, testSplit: 'test' });
    expect(r.evaluation!.ids).toEqual(['e1', 'a1']);
    for (const id of ['e1', 'a1']) expect(existsSync(join(c.runDir, 'predictions', `${id}_pred.nii.gz`))).toBe(true);
    const html = readFileSync(r.report!, 'utf8');
    expect(r.report).toBe(join(c.runDir, 'report.html'));
    expect(html).toContain('Validation Dice');
    expect(html.match(/_overlay\.png/g)!.length).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(c.runDir, 'evaluation', 'classes.csv'))).toBe(true);
    expect(readdirSync(c.runDir).some((f) => f.startsWith('events.out.tfevents.'))).toBe(true);
    // The report's mean Dice is the evaluation's, computed from the written predictions.
    expect(html).toContain(r.evaluation!.overall.dice.mean.toFixed(2));
  });

  it('refuses a missing split with the file name', async () => {
    await expect(train(config('missing', { evalSplit: 'nope' }))).rejects.toThrow(/nope\.txt not found/);
  });
});
