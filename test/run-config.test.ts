// A run's configuration (resolveRunConfig): defaults, fold seeds, run names, overrides, and resuming (config.json
// decides; device, workers, threads and test may change). Through the real train command: --no-test is remembered
// by a resumed run, --test given on resume wins. The resume hint of a data-parallel run names its launch flags.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { configOverrides, trainCommand, type TrainCliOptions } from '../lib/cli/train.js';
import { launchedRank } from '../lib/distributed/launch.js';
import { defaultConfig } from '../lib/skcdf/training/config.js';
import { readRunConfig, resolveRunConfig, resumeCommand, runName } from '../lib/skcdf/training/run-config.js';
import { writeTinyDataset } from '../test-support/tiny-dataset.js';

const root = mkdtempSync(join(tmpdir(), 'skcdf-run-config-'));

/** Runs `skcdf train <args>` in this process through the real command definition. */
async function train(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  trainCommand(program);
  await program.parseAsync(['train', ...args], { from: 'user' });
}

/** The options and overrides commander gives the train action for `args` (the action itself not run). */
async function parsed(
  ...args: string[]
): Promise<{ o: TrainCliOptions; overrides: ReturnType<typeof configOverrides> }> {
  const program = new Command().exitOverride();
  trainCommand(program);
  const cmd = program.commands.find((c) => c.name() === 'train')!;
  let out: { o: TrainCliOptions; overrides: ReturnType<typeof configOverrides> } | undefined;
  cmd.action((o: TrainCliOptions) => {
    out = { o, overrides: configOverrides(o, (name) => cmd.getOptionValueSource(name) === 'cli') };
  });
  await program.parseAsync(['train', ...args], { from: 'user' });
  return out!;
}

const tiny = (): string[] => [
  '--data-dir',
  join(root, 'data'),
  '--splits-dir',
  root,
  '--labeled',
  'labeled',
  '--unlabeled',
  'unlabeled',
  '--eval-split',
  'eval',
  '--epochs',
  '0',
  '--max-iterations',
  '1',
  '--batch-size',
  '1',
  '--patch',
  '32x32x32',
  '--filters',
  '2',
  '--workers',
  '0',
  '--threads',
  '1',
];

beforeAll(() => {
  writeTinyDataset(root);
  writeFileSync(join(root, 'test.txt'), 'e1\n');
});

describe('resolveRunConfig', () => {
  it('a new run: the dataset defaults, the fold seed, the run folder named after method and ablations', () => {
    const r = resolveRunConfig({ dataset: 'synthetic', fold: 2 });
    expect(r).toEqual({
      config: { ...defaultConfig('synthetic', { seed: 666 }), runDir: join('runs', 'synthetic-fold2-seed666') },
      ignored: [],
    });
    const s = resolveRunConfig({
      dataset: 'amos',
      fold: 4,
      overrides: { method: 'supervised', abc: false, lr: 0.01 },
    }).config;
    expect([s.seed, s.lr, s.method, s.runDir]).toEqual([
      4,
      0.01,
      'supervised',
      join('runs', 'amos-supervised-noabc-fold4-seed4'),
    ]);
    expect(resolveRunConfig({ dataset: 'synapse', overrides: { seed: 9 }, runDir: 'x' }).config).toMatchObject({
      seed: 9,
      runDir: 'x',
    });
    expect(
      runName({ dataset: 'synapse', method: 'skcdf', abc: true, crossAttention: false, balanceMasks: false }, 1, 1),
    ).toBe('synapse-noattn-nomasks-fold1-seed1');
  });

  it('a resumed run: config.json decides; device, workers, threads and test may change, the rest is reported', () => {
    const runDir = join(root, 'saved');
    const saved = defaultConfig('synthetic', { maxEpochs: 7, lr: 0.05, test: false, runDir });
    writeFileSync(join(root, 'config.json'), '');
    expect(() => resolveRunConfig({ dataset: 'synthetic', runDir: root, resume: true })).toThrow(
      /config\.json: not valid JSON/,
    );
    expect(() => resolveRunConfig({ dataset: 'synthetic', runDir, resume: true })).toThrow(
      /saved[/\\]config\.json not found/,
    );
    writeFileSync(join(root, 'config.json'), JSON.stringify({ ...saved, runDir }));
    const r = resolveRunConfig({
      dataset: 'amos',
      runDir: root,
      resume: true,
      overrides: { maxEpochs: 99, lr: 1, device: 'cuda:1', workers: 0, test: true, seed: 4 },
    });
    expect(r.config).toEqual({ ...saved, runDir: root, device: 'cuda:1', workers: 0, test: true });
    expect(r.ignored).toEqual(['maxEpochs', 'lr', 'seed']);
    // An older run's config.json without the newer fields gets their defaults.
    const { test: _t, lrSchedule: _s, ...old } = saved;
    writeFileSync(join(root, 'config.json'), JSON.stringify(old));
    expect(readRunConfig(root).test).toBe(true);
    // ... except the lr schedule: runs from before the field existed were trained with poly.
    expect(saved.lrSchedule).toBe('cosine');
    expect(readRunConfig(root).lrSchedule).toBe('poly');
  });
});

describe('the train command', () => {
  it('parses each flag into its config field, and only the flags given', async () => {
    const { o, overrides } = await parsed(
      '--labeled',
      'L',
      '--unlabeled',
      'U',
      '--epochs',
      '3',
      '--filters',
      '4',
      '--heads',
      '1',
      '--no-dropout',
      '--no-test',
      '--patch',
      '32x64x64',
      '--method',
      'labeled-only',
      '--lr-schedule',
      'poly',
      '--seed',
      '2',
      '--fold',
      '1',
    );
    expect(o.dataset).toBe('synthetic');
    expect(overrides).toEqual({
      labeledSplit: 'L',
      unlabeledSplit: 'U',
      maxEpochs: 3,
      nFilters: 4,
      numHeads: 1,
      hasDropout: false,
      test: false,
      patch: [32, 64, 64],
      method: 'labeled-only',
      lrSchedule: 'poly',
      seed: 2,
    });
    expect((await parsed()).overrides).toEqual({});
    await expect(parsed('--patch', '32x64')).rejects.toThrow(/--patch must be DxHxW/);
    await expect(parsed('--lr-schedule', 'step')).rejects.toThrow(
      /--lr-schedule must be one of poly, cosine, got 'step'/,
    );
    await expect(parsed('--dataset', 'brats')).rejects.toThrow(
      /--dataset must be one of synapse, amos, synthetic, got 'brats'/,
    );
  });

  it('--no-test is remembered: a resumed run does not test unless --test is given', async () => {
    const runDir = join(root, 'no-test');
    await train(...tiny(), '--no-test', '--run-dir', runDir);
    expect(readRunConfig(runDir).test).toBe(false);
    expect(existsSync(join(runDir, 'summary.json'))).toBe(false);
    await train('--run-dir', runDir, '--resume');
    // Before the fix the resumed run predicted, evaluated and marked itself finished.
    expect(existsSync(join(runDir, 'summary.json'))).toBe(false);
    expect(existsSync(join(runDir, 'predictions'))).toBe(false);
    await train('--run-dir', runDir, '--resume', '--test');
    expect(JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')).testSplit).toBe('test');
    expect(readdirSync(join(runDir, 'predictions'))).toEqual(['e1_pred.nii.gz']);
  }, 300_000);
});

describe('resume hint', () => {
  it('one process: the run folder and --resume; data parallel: the launch flags too', () => {
    expect(resumeCommand('runs/a')).toBe('npm run train -- --run-dir runs/a --resume');
    expect(resumeCommand('my runs/a')).toBe("npm run train -- --run-dir 'my runs/a' --resume");
    const env = {
      RANK: '0',
      WORLD_SIZE: '2',
      LOCAL_RANK: '0',
      LOCAL_WORLD_SIZE: '2',
      MASTER_ADDR: '127.0.0.1',
      MASTER_PORT: '29500',
    };
    const l = launchedRank(env)!;
    expect(l).toEqual({
      rank: 0,
      worldSize: 2,
      localRank: 0,
      localWorldSize: 2,
      masterAddr: '127.0.0.1',
      masterPort: 29500,
    });
    expect(resumeCommand('runs/a', { nprocPerNode: l.localWorldSize, nnodes: l.worldSize / l.localWorldSize })).toBe(
      'npm run train -- --run-dir runs/a --resume --nproc-per-node 2',
    );
    expect(resumeCommand('r', { nprocPerNode: 4, nnodes: 2, masterAddr: '10.0.0.1', masterPort: 29600 })).toBe(
      "npm run train -- --run-dir r --resume --nproc-per-node 4 --nnodes 2 --node-rank <this node's rank> " +
        '--master-addr 10.0.0.1 --master-port 29600',
    );
  });
});
