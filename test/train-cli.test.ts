// `npm run train` as a user runs it, in child processes: the defaults a run really uses, Ctrl-C (SIGINT) and
// SIGTERM mid-epoch (finish the iteration, write last.pth, print how to resume, exit non-zero), and --resume
// continuing with the losses of an uninterrupted run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { torch } from '../lib/index.js';
import { writeNpy } from '../lib/io/npy.js';
import { Rng } from '../lib/data/prng.js';
import { defaultConfig, train } from '../lib/skcdf/train.js';
import { readRunConfig } from '../lib/skcdf/training/run-config.js';

const repo = join(import.meta.dirname, '..');
// tsx as an import hook in the same process (its CLI would run the script in a grandchild and relay signals).
const tsx = pathToFileURL(join(repo, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;
const cli = join(repo, 'lib', 'cli', 'main.ts');

interface Child {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the CLI in `cwd`; when `stopAfter` iteration lines are in `<cwd>/<runDir>/log.jsonl`, sends `signal`.
 */
function runCli(
  cwd: string,
  args: string[],
  stop?: { runDir: string; after: number; signal: NodeJS.Signals },
): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, cli, 'train', ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.resume();
    let timer: NodeJS.Timeout | undefined;
    if (stop) {
      const log = join(cwd, stop.runDir, 'log.jsonl');
      timer = setInterval(() => {
        if (!existsSync(log)) return;
        const n = readFileSync(log, 'utf8')
          .split('\n')
          .filter((l) => l.includes('"iter"')).length;
        if (n >= stop.after) {
          clearInterval(timer);
          child.kill(stop.signal);
        }
      }, 50);
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal, stderr });
    });
  });
}

const iterationLosses = (path: string): [number, number, number][] =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { epoch: number; iter?: number; loss?: number })
    .filter((l) => l.iter !== undefined && l.loss !== undefined)
    .map((l) => [l.epoch, l.iter!, l.loss!]);

describe('train command', () => {
  it('with no flags uses defaultConfig(synthetic) exactly, and Ctrl-C stops it with a resumable last.pth', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'skcdf-cli-'));
    const runDir = 'runs/synthetic-fold0-seed0';
    const r = await runCli(cwd, [], { runDir, after: 1, signal: 'SIGINT' });
    expect(r.stderr).toContain('SIGINT: stopping after this iteration');
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain(`resume with: npm run train -- --run-dir ${runDir} --resume`);
    const saved = JSON.parse(readFileSync(join(cwd, runDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    delete saved.ir2;
    delete saved.classNames;
    expect(saved).toEqual(JSON.parse(JSON.stringify(defaultConfig('synthetic'))));
    expect(saved.hasDropout).toBe(false);
    const state = torch.tidy(() =>
      JSON.parse((torch.load(join(cwd, runDir, 'last.pth')) as Map<string, unknown>).get('state') as string),
    );
    expect(state.epoch).toBe(-1);
    expect(state.nextIteration).toBeGreaterThanOrEqual(1);
  }, 600_000);

  it('SIGTERM mid-epoch, then --resume: the same losses as an uninterrupted run', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'skcdf-cli-'));
    const data = join(cwd, 'data');
    mkdirSync(data);
    const shape = [34, 36, 36];
    const ids = ['a1', 'a2', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'e1'];
    ids.forEach((id, k) => {
      const rng = new Rng(k + 11);
      const n = shape[0] * shape[1] * shape[2];
      const label = new Int8Array(n);
      const image = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        label[i] = Math.min(13, Math.floor(((i / (shape[1] * shape[2])) * 14) / shape[0]));
        image[i] = -100 + 25 * label[i] + 10 * rng.normal();
      }
      writeNpy(join(data, `${id}_image.npy`), { data: image, shape, dtype: 'float32' });
      writeNpy(join(data, `${id}_label.npy`), { data: label, shape, dtype: 'int8' });
    });
    writeFileSync(join(cwd, 'labeled.txt'), 'a1\na2\n');
    writeFileSync(join(cwd, 'unlabeled.txt'), 'u1\nu2\nu3\nu4\nu5\nu6\n');
    writeFileSync(join(cwd, 'eval.txt'), 'e1\n');
    const args = [
      '--data-dir',
      data,
      '--splits-dir',
      cwd,
      '--labeled',
      'labeled',
      '--unlabeled',
      'unlabeled',
      '--eval-split',
      'eval',
      '--epochs',
      '1',
      '--batch-size',
      '1',
      '--patch',
      '32x32x32',
      '--filters',
      '4',
      '--workers',
      '0',
      '--seed',
      '5',
      '--no-test',
    ];
    const stopped = await runCli(cwd, [...args, '--run-dir', 'runs/a'], {
      runDir: 'runs/a',
      after: 2,
      signal: 'SIGTERM',
    });
    expect(stopped.code, stopped.stderr).toBe(143);
    const partial = iterationLosses(join(cwd, 'runs/a/log.jsonl'));
    expect(partial.length).toBeLessThan(12); // stopped before the end (2 epochs x 6 iterations)
    const resumed = await runCli(cwd, ['--run-dir', 'runs/a', '--resume', '--no-test']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resumed from .*last\.pth at epoch [01], iteration \d/);

    // The uninterrupted reference, in this process, with the configuration the CLI wrote.
    const config = {
      ...readRunConfig(join(cwd, 'runs/a')),
      runDir: join(cwd, 'runs/b'),
      dataDir: data,
      splitsDir: cwd,
    };
    await train(config);
    const a = iterationLosses(join(cwd, 'runs/a/log.jsonl'));
    const b = iterationLosses(join(cwd, 'runs/b/log.jsonl'));
    expect(b).toHaveLength(12);
    expect(a.map(([e, i]) => [e, i])).toEqual(b.map(([e, i]) => [e, i]));
    a.forEach(([, , loss], k) => expect(loss).toBe(b[k]![2]));
  }, 600_000);
});
