// One prediction path: `test-model` (the CLI) is predictRun with the run's network (method's decoder, ablations),
// whatever flags are given; --data-dir / --splits-dir / --split given on the command line win over the run's
// config.json. A tiny run (F 2, one iteration) on a tiny generated dataset.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { readNifti } from '../lib/io/nifti.js';
import { defaultConfig, train } from '../lib/skcdf/train.js';
import { predictionPlan, predictRun } from '../lib/skcdf/pipeline.js';
import { predictCommands } from '../lib/cli/predict.js';
import { writeTinyDataset } from '../test-support/tiny-dataset.js';

const root = mkdtempSync(join(tmpdir(), 'skcdf-predict-'));
const runDir = join(root, 'run');

/** Runs `skcdf <args>` through the real command definitions (commander parsing included). */
async function cli(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  predictCommands(program);
  await program.parseAsync(args, { from: 'user' });
}

const labels = (dir: string, id: string): Uint8Array => readNifti(join(dir, `${id}_pred.nii.gz`)).data as Uint8Array;

beforeAll(async () => {
  writeTinyDataset(root);
  writeFileSync(join(root, 'test.txt'), 'e1\na1\n');
  // The ablation and the method both change how the network must be built / which decoder predicts.
  await train(
    defaultConfig('synthetic', {
      dataDir: join(root, 'data'),
      splitsDir: root,
      labeledSplit: 'labeled',
      unlabeledSplit: 'unlabeled',
      evalSplit: 'eval',
      runDir,
      maxEpochs: 0,
      maxIterations: 1,
      batchSize: 1,
      patch: [32, 32, 32],
      nFilters: 2,
      workers: 0,
      seed: 5,
      crossAttention: false,
      method: 'labeled-only',
    }),
  );
}, 300_000);

describe('test-model goes through predictRun', () => {
  it('a run trained without cross-attention: --run-dir (with or without --dataset) predicts what predictRun predicts ' +
    '', async () => {
    const plan = predictionPlan({ runDir });
    expect([plan.config.crossAttention, plan.mode, plan.checkpoint, plan.ids]).toEqual([
      false,
      'labeled',
      join(runDir, 'best_model.pth'),
      ['e1', 'a1'],
    ]);
    const reference = predictRun({ runDir, outDir: join(root, 'lib') });
    expect(reference.ids).toEqual(['e1', 'a1']);
    await cli('test-model', '--run-dir', runDir, '--out-dir', join(root, 'cli'));
    // The old second code path (taken with --dataset) built the network with cross-attention and refused this
    // checkpoint.
    await cli('test-model', '--run-dir', runDir, '--dataset', 'synthetic', '--out-dir', join(root, 'cli-dataset'));
    for (const id of reference.ids) {
      const want = labels(join(root, 'lib'), id);
      expect(want.length, id).toBe(36 * 40 * 40);
      expect(labels(join(root, 'cli'), id), id).toEqual(want);
      expect(labels(join(root, 'cli-dataset'), id), id).toEqual(want);
    }
    await expect(cli('test-model', '--run-dir', runDir, '--dataset', 'synapse')).rejects.toThrow(
      /dataset 'synapse' is not the run's \('synthetic'/,
    );
  });

  it('--data-dir D2 --splits-dir S2 --split X read the split from S2 and the images from D2', async () => {
    // D2 holds e1's image under a new id that the run's data folder lacks; X exists only in S2.
    const d2 = join(root, 'elsewhere', 'data2');
    const s2 = join(root, 'elsewhere', 'splits2');
    mkdirSync(d2, { recursive: true });
    mkdirSync(s2, { recursive: true });
    copyFileSync(join(root, 'data', 'e1_image.npy'), join(d2, 'z9_image.npy'));
    writeFileSync(join(s2, 'only-here.txt'), 'z9\n');
    expect(existsSync(join(root, 'only-here.txt'))).toBe(false);
    const out = join(root, 'moved');
    await cli(
      'test-model',
      '--run-dir',
      runDir,
      '--data-dir',
      d2,
      '--splits-dir',
      s2,
      '--split',
      'only-here',
      '--out-dir',
      out,
    );
    // The same image through the same network: the same labels as the run's own e1.
    expect(labels(out, 'z9')).toEqual(labels(join(root, 'lib'), 'e1'));
    const plan = predictionPlan({ runDir, dataDir: d2, splitsDir: s2, split: 'only-here' });
    expect([plan.config.dataDir, plan.config.splitsDir, plan.ids]).toEqual([d2, s2, ['z9']]);
  });

  it('without a run folder: --dataset needs --checkpoint, and a missing split names its file', async () => {
    await expect(cli('test-model', '--dataset', 'synthetic')).rejects.toThrow(/give checkpoint/);
    await expect(cli('test-model')).rejects.toThrow(/give runDir .* or dataset/);
    await expect(cli('test-model', '--run-dir', runDir, '--split', 'nope')).rejects.toThrow(
      /split file not found: .*nope\.txt/,
    );
  });
});
