// `npm run experiment`: the table's numbers against values computed by hand, and the runner on tiny runs of the
// real train command (child processes): finished runs are never rerun, a run interrupted with Ctrl-C (SIGINT to
// the experiment, forwarded to its train child) continues with --resume, results.json carries each run's command.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeTinyDataset } from '../test-support/tiny-dataset.js';
import {
  Experiment,
  gitCommit,
  meanStd,
  organOrder,
  pairedComparison,
  resultsMarkdown,
  selectRows,
  smallestOrgans,
  splitArgs,
  summarizeRow,
  type ExperimentEvent,
  type ExperimentMeta,
  type RunResult,
} from '../lib/skcdf/experiment/index.js';

const repo = join(import.meta.dirname, '..');
const tsx = pathToFileURL(join(repo, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;
const cli = join(repo, 'lib', 'cli', 'main.ts');

// Hand-made results: organs a..g with these test voxel counts (order c g a e b d f; the five smallest a e b d f).
const VOXELS = { a: 500, b: 100, c: 900, d: 50, e: 300, f: 10, g: 700 };
const organs = (f: number): Record<string, number> => ({ c: 90, g: 85, a: 80, e: 70, b: 60, d: 50, f });
const run = (row: string, seed: number, best: number, last: number, f = 40): RunResult => ({
  row,
  seed,
  command: `cmd ${row} ${seed}`,
  testMeanDice: best,
  perOrgan: organs(f),
  lastEpochTestMeanDice: last,
  lastEpochPerOrgan: organs(f),
  seconds: 10,
  bestEpoch: 3,
  epochs: 5,
  runDir: `runs/${row}-seed${seed}`,
});
const RESULTS: RunResult[] = [
  run('skcdf', 0, 80, 81, 40),
  run('skcdf', 1, 82, 80, 43),
  run('skcdf', 2, 84, 84, 46),
  run('no-abc', 0, 78, 78),
  run('no-abc', 1, 83, 83),
  run('no-abc', 2, 80, 80),
  run('no-cross-attention', 0, 80, 80),
  run('no-cross-attention', 1, 82, 82),
];
const META: ExperimentMeta = {
  date: '2025-01-01T00:00:00.000Z',
  commit: 'abc123',
  machine: { cpu: 'Test CPU', cores: 4, memoryGiB: 16 },
  loadAverageAtStart: [0.5, 0.25, 0.1],
  command: 'npm run experiment -- --seeds 0,1,2',
  dataset: 'synthetic',
};

describe('experiment tables', () => {
  it('mean, sample std, paired differences, wins and the smallest-five average as computed by hand', () => {
    // skcdf 80, 82, 84: mean 82, sample std sqrt((4 + 0 + 4) / 2) = 2.
    const skcdf = summarizeRow(RESULTS, 'skcdf', organOrder(VOXELS));
    expect(skcdf.best.mean).toBeCloseTo(82, 12);
    expect(skcdf.best.std).toBeCloseTo(2, 12);
    // last - best: 1, -2, 0: mean -1/3, sample std sqrt(((4/3)^2 + (5/3)^2 + (1/3)^2) / 2) = sqrt(7/3).
    expect(skcdf.lastMinusBest.mean).toBeCloseTo(-1 / 3, 12);
    expect(skcdf.lastMinusBest.std).toBeCloseTo(Math.sqrt(7 / 3), 12);
    // Five smallest a e b d f: (80 + 70 + 60 + 50 + f) / 5 with f = 40, 43, 46: 60, 60.6, 61.2; sample std 0.6.
    expect(organOrder(VOXELS)).toEqual(['c', 'g', 'a', 'e', 'b', 'd', 'f']);
    expect(smallestOrgans(organOrder(VOXELS))).toEqual(['a', 'e', 'b', 'd', 'f']);
    expect(skcdf.smallest.mean).toBeCloseTo(60.6, 12);
    expect(skcdf.smallest.std).toBeCloseTo(0.6, 12);
    expect(skcdf.perOrgan.f).toBeCloseTo(43, 12);
    // no-abc - skcdf per seed: -2, +1, -4: mean -5/3, sample std sqrt(((1/3)^2 + (8/3)^2 + (7/3)^2) / 2) = sqrt(19/3);
    // SKCDF higher on seeds 0 and 2.
    const p = pairedComparison(RESULTS, 'no-abc');
    expect(p.perSeed.map((s) => s.difference)).toEqual([-2, 1, -4]);
    expect(p.difference.mean).toBeCloseTo(-5 / 3, 12);
    expect(p.difference.std).toBeCloseTo(Math.sqrt(19 / 3), 12);
    expect([p.wins, p.n]).toEqual([2, 3]);
    // Paired on the common seeds only; ties are not wins.
    const q = pairedComparison(RESULTS, 'no-cross-attention');
    expect(q.perSeed.map((s) => [s.seed, s.difference])).toEqual([
      [0, 0],
      [1, 0],
    ]);
    expect([q.wins, q.n]).toEqual([0, 2]);
    expect(meanStd([5]).std).toBeNaN();
  });

  it('results.md shows those numbers, organs by size, and how the table was made', () => {
    const md = resultsMarkdown(RESULTS, VOXELS, META);
    expect(md).toContain('| skcdf | SKCDF (labeled + unlabeled) | 0, 1, 2 | 82.00 ± 2.00 | 60.60 ± 0.60 |');
    expect(md).toContain(
      '| no-abc | seed 0: -2.00, seed 1: +1.00, seed 2: -4.00 | -1.67 ± 2.52 | skcdf wins on 2 of 3 seeds |',
    );
    expect(md).toContain(
      '| no-cross-attention | seed 0: 0.00, seed 1: 0.00 | 0.00 ± 0.00 | skcdf wins on 0 of 2 seeds |',
    );
    expect(md).toContain('| row | c (900) | g (700) | a (500) | e (300) | b (100) | d (50) | f (10) | 5 smallest |');
    expect(md).toContain('| skcdf | 90.00 | 85.00 | 80.00 | 70.00 | 60.00 | 50.00 | 43.00 | 60.60 |');
    expect(md).toContain('| skcdf | 82.00 ± 2.00 | 81.67 ± 2.08 | -0.33 ± 1.53 |'); // last: 81, 80, 84
    for (const s of [
      '2025-01-01T00:00:00.000Z',
      'abc123',
      'Test CPU, 4 cores, 16 GiB',
      '`npm run experiment -- --seeds 0,1,2`',
      '`cmd no-abc 2`',
    ]) {
      expect(md).toContain(s);
    }
  });

  it('rejects unknown rows and train arguments the runner sets itself', () => {
    expect(() => selectRows('skcdf,nope')).toThrow(/unknown row\(s\) 'nope'/);
    expect(() => splitArgs('--epochs 1 --seed 3')).toThrow(/--seed are set by the experiment/);
    expect(splitArgs(`--epochs 1 --data-dir 'a b'`)).toEqual(['--epochs', '1', '--data-dir', 'a b']);
  });
});

const TRAIN_ARGS = [
  '--data-dir',
  'data',
  '--splits-dir',
  '.',
  '--labeled',
  'labeled',
  '--unlabeled',
  'unlabeled',
  '--eval-split',
  'eval',
  '--epochs',
  '4',
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
const expectedCommand = (row: string, flags: string): string =>
  'npm run train -- --dataset synthetic --data-dir data --splits-dir . ' +
  '--labeled labeled --unlabeled unlabeled --eval-split eval --epochs 4 --batch-size 1 --patch 32x32x32 --filters 2 ' +
  '--workers 0 ' +
  `--threads 1 ${flags}--seed 0 --run-dir runs/exp/${row}-seed0`;

/** mtime of every file under `dir`. */
function mtimes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name)] = statSync(join(e.parentPath, e.name)).mtimeMs;
  }
  return out;
}

const iterationLines = (path: string): number =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"iter"')).length
    : 0;

/** The experiment command in a child process; SIGINT to it once `after` iteration lines are in `logPath`. */
function experimentCli(
  cwd: string,
  args: string[],
  logPath: string,
  after: number,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, cli, 'experiment', ...args], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setInterval(() => {
      if (iterationLines(logPath) >= after) {
        clearInterval(timer);
        child.kill('SIGINT');
      }
    }, 50);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, stderr });
    });
  });
}

describe('the commit a table names', () => {
  it("is '-dirty' for changed code, but not for the table's own files", () => {
    const dir = mkdtempSync(join(tmpdir(), 'skcdf-commit-'));
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' });
    git('init', '-q');
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'code.ts'), 'a\n');
    writeFileSync(join(dir, 'docs', 'results.md'), 'old\n');
    git('add', '.');
    git('commit', '-qm', 'first');
    const head = git('rev-parse', 'HEAD').trim();
    const own = [join(dir, 'docs', 'results.md')];
    expect(gitCommit(dir, own)).toBe(head);
    writeFileSync(join(dir, 'docs', 'results.md'), 'new\n');
    expect(gitCommit(dir, own)).toBe(head);
    expect(gitCommit(dir)).toBe(`${head}-dirty`);
    writeFileSync(join(dir, 'code.ts'), 'b\n');
    expect(gitCommit(dir, own)).toBe(`${head}-dirty`);
    expect(gitCommit(join(dir, 'docs'), own)).toBe(`${head}-dirty`); // from a subfolder too
    expect(gitCommit(tmpdir())).toBe('unknown');
  });
});

describe('experiment runner', () => {
  it("keeps finished runs, continues an interrupted one with --resume, and records each run's command", async () => {
    const root = mkdtempSync(join(tmpdir(), 'skcdf-experiment-'));
    writeTinyDataset(root);
    writeFileSync(join(root, 'test.txt'), 'e1\n');
    writeFileSync(join(root, 'train.txt'), 'a1\na2\nu1\nu2\nu3\nu4\n'); // all-labeled: --labeled train
    const options = {
      seeds: [0],
      dataset: 'synthetic' as const,
      outDir: 'runs/exp',
      docsDir: 'docs',
      trainArgs: TRAIN_ARGS,
      command: 'test',
      cwd: root,
    };
    const spawned = (events: ExperimentEvent[]) =>
      events.flatMap((e) => (e.type === 'spawn' ? [[e.run.row.id, e.resume]] : []));

    // 1. One finished run.
    const first: ExperimentEvent[] = [];
    const r1 = await new Experiment({ ...options, rows: selectRows('skcdf'), onEvent: (e) => first.push(e) }).run();
    expect([r1.ran, r1.skipped, r1.interrupted]).toEqual([1, 0, undefined]);
    expect(spawned(first)).toEqual([['skcdf', false]]);
    const skcdfDir = join(root, 'runs/exp/skcdf-seed0');
    const config = JSON.parse(readFileSync(join(skcdfDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect([config.seed, config.runDir, config.nFilters, config.maxEpochs, config.abc]).toEqual([
      0,
      'runs/exp/skcdf-seed0',
      2,
      4,
      true,
    ]);
    const before = mtimes(skcdfDir);

    // 2. Ctrl-C to the experiment while it trains the second run: forwarded to the child, exit 130, resumable.
    const noAbcDir = join(root, 'runs/exp/no-abc-seed0');
    const cliArgs = [
      '--rows',
      'skcdf,no-abc',
      '--seeds',
      '0',
      '--out-dir',
      'runs/exp',
      '--train-args',
      TRAIN_ARGS.join(' '),
    ];
    const stopped = await experimentCli(root, cliArgs, join(noAbcDir, 'log.jsonl'), 2);
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(readFileSync(join(noAbcDir, 'experiment.log'), 'utf8')).toContain('SIGINT: stopping after this iteration');
    expect(existsSync(join(noAbcDir, 'last.pth'))).toBe(true);
    expect(existsSync(join(noAbcDir, 'summary.json'))).toBe(false);
    expect(iterationLines(join(noAbcDir, 'log.jsonl'))).toBeLessThan(20);

    // 3. Again: the finished run is left alone (no child, same files), the interrupted one continues with --resume,
    // and a new row starts fresh.
    const third: ExperimentEvent[] = [];
    const r3 = await new Experiment({
      ...options,
      rows: selectRows('skcdf,no-abc,all-labeled'),
      onEvent: (e) => third.push(e),
    }).run();
    expect([r3.ran, r3.skipped]).toEqual([2, 1]);
    expect(spawned(third)).toEqual([
      ['no-abc', true],
      ['all-labeled', false],
    ]);
    expect(mtimes(skcdfDir)).toEqual(before);
    expect(readFileSync(join(noAbcDir, 'experiment.log'), 'utf8')).toMatch(
      /resumed from .*last\.pth at epoch \d, iteration \d/,
    );
    expect(iterationLines(join(noAbcDir, 'log.jsonl'))).toBe(20); // 5 epochs x 4 iterations, none twice

    // 4. results.json: the runs with the exact commands and the Dice of their evaluation files.
    const json = JSON.parse(readFileSync(join(root, 'docs/results.json'), 'utf8')) as { runs: RunResult[] };
    expect(json.runs.map((r) => r.command)).toEqual([
      expectedCommand('skcdf', ''),
      expectedCommand('no-abc', '--no-abc '),
      expectedCommand('all-labeled', '--method labeled-only --labeled train '),
    ]);
    const allLabeled = JSON.parse(readFileSync(join(root, 'runs/exp/all-labeled-seed0/config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect([allLabeled.method, allLabeled.labeledSplit, allLabeled.unlabeledSplit]).toEqual([
      'labeled-only',
      'train',
      'unlabeled',
    ]);
    const noAbc = json.runs[1]!;
    const evalBest = JSON.parse(readFileSync(join(noAbcDir, 'evaluation/evaluation.json'), 'utf8')) as {
      overall: { dice: { mean: number } };
    };
    const evalLast = JSON.parse(
      readFileSync(join(noAbcDir, 'evaluation-last/evaluation/evaluation.json'), 'utf8'),
    ) as typeof evalBest;
    expect(noAbc.testMeanDice).toBe(evalBest.overall.dice.mean);
    expect(noAbc.lastEpochTestMeanDice).toBe(evalLast.overall.dice.mean);
    expect(readdirSync(join(noAbcDir, 'predictions-last'))).toContain('e1_pred.nii.gz');
    const record = JSON.parse(readFileSync(join(noAbcDir, 'experiment-run.json'), 'utf8')) as {
      attempts: { command: string; exit: number }[];
    };
    expect(record.attempts.map((a) => [a.command, a.exit])).toEqual([
      [expectedCommand('no-abc', '--no-abc '), 130],
      [`${expectedCommand('no-abc', '--no-abc ')} --resume`, 0],
    ]);
    expect(readFileSync(join(root, 'docs/results.md'), 'utf8')).toContain('skcdf wins on');
    expect(readFileSync(join(root, 'docs/results.svg'), 'utf8')).toMatch(/^<svg [^]*<\/svg>\n$/);
  }, 300_000);
});
