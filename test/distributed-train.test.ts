// SKCDF data-parallel training on 2 processes (Gloo on 127.0.0.1): identical parameters and
// BatchNorm buffers on both ranks, map_in skipped by the gradient reduction, rank 0 alone writing the
// run folder (plain model keys), and the launcher: a killed worker stops the run naming its rank,
// Ctrl-C stops every worker with a resumable checkpoint that resumes with the same world size only.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { torch } from '../lib/index.js';
import { freePort, resultOf, spawnTs } from '../test-support/distributed.js';
import { writeTinyDataset } from '../test-support/tiny-dataset.js';

const available = torch.distributed.isAvailable();
const repo = join(import.meta.dirname, '..');

describe.skipIf(!available)('SKCDF training on 2 ranks', () => {
  let root = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'skcdf-ddp-'));
    writeTinyDataset(root);
  });

  it('3 iterations: parameters and BatchNorm buffers bitwise identical across ranks, map_in never reduced or ' +
    'updated, rank 0 writes plain keys', async () => {
    const port = await freePort();
    const ranks = [0, 1].map((r) => spawnTs('skcdfTrain', r, 2, port, { DATA_ROOT: root }));
    const done = await Promise.all(ranks.map((s) => s.done));
    for (const d of done) expect(d.code, d.stderr).toBe(0);
    const [r0, r1] = done.map(resultOf);
    const h0 = r0.hashes as Record<string, string>,
      h1 = r1.hashes as Record<string, string>;
    const keys = Object.keys(h0);
    expect(keys.some((k) => k.endsWith('running_mean'))).toBe(true);
    expect(keys.filter((k) => k.includes('map_in')).length).toBeGreaterThan(0);
    expect(h1).toEqual(h0);
    for (const r of [r0, r1]) {
      expect(r.mapInGradNull).toBe(true);
      expect(r.mapInUnchanged).toBe(true);
    }
    // Both ranks log the mean loss over ranks; rank 0 alone wrote log.jsonl, with those values.
    expect(r1.losses).toEqual(r0.losses);
    expect((r0.losses as number[]).length).toBe(3);
    const log = readFileSync(join(root, 'run/log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { iter?: number; loss?: number });
    expect(log.filter((l) => l.iter !== undefined).map((l) => l.loss)).toEqual(r0.losses);
    const ck = torch.load(join(root, 'run/last.pth')) as Map<string, unknown>;
    const model = ck.get('model') as Map<string, unknown>;
    expect([...model.keys()].some((k) => k.startsWith('module.'))).toBe(false);
    expect([...model.keys()].sort()).toEqual([...keys].sort());
    expect(JSON.parse(ck.get('state') as string).worldSize).toBe(2);
    torch.dispose(ck);
  }, 600_000);

  /** `npm run train -- ... --nproc-per-node 2` as a child; resolves with its exit and stderr. */
  function runLauncher(
    runDir: string,
    extra: string[],
    onStderr?: (text: string, pid: number) => void,
  ): Promise<{ code: number | null; stderr: string }> {
    return freePort().then(
      (port) =>
        new Promise((resolve) => {
          const args = [
            '--import',
            'tsx',
            join(repo, 'lib/cli/main.ts'),
            'train',
            '--dataset',
            'synthetic',
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
            '3',
            '--max-iterations',
            '2',
            '--eval-every',
            '0',
            '--batch-size',
            '1',
            '--patch',
            '32x32x32',
            '--filters',
            '4',
            '--workers',
            '0',
            '--seed',
            '3',
            '--threads',
            '1',
            '--no-test',
            '--run-dir',
            runDir,
            '--nproc-per-node',
            '2',
            '--master-port',
            String(port),
            ...extra,
          ];
          const child = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => {
            stderr += d;
            onStderr?.(stderr, child.pid!);
          });
          child.on('close', (code) => resolve({ code, stderr }));
        }),
    );
  }

  /** The worker processes of a launcher and their RANK. */
  function workersOf(pid: number): { pid: number; rank: number }[] {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .flatMap((d) => {
        try {
          const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          if (ppid !== pid) return [];
          const env = readFileSync(`/proc/${d}/environ`, 'utf8').split('\0');
          const rank = env.find((e) => e.startsWith('RANK='));
          return rank ? [{ pid: Number(d), rank: Number(rank.slice(5)) }] : [];
        } catch {
          return [];
        }
      });
  }

  it('a killed worker: the launcher stops the others and exits non-zero naming the rank', async () => {
    const runDir = join(root, 'run-kill');
    let killed = false;
    const r = await runLauncher(runDir, ['--epochs', '50'], (text, pid) => {
      // Once training runs (an iteration has been logged), kill rank 1.
      if (
        killed ||
        !existsSync(join(runDir, 'log.jsonl')) ||
        !readFileSync(join(runDir, 'log.jsonl'), 'utf8').includes('"iter"')
      )
        return;
      const w = workersOf(pid).find((x) => x.rank === 1);
      if (w) {
        killed = true;
        process.kill(w.pid, 'SIGKILL');
      }
      void text;
    });
    expect(killed).toBe(true);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/launch: worker rank 1 \(local rank 1\) exited with SIGKILL/);
  }, 600_000);

  it('Ctrl-C on the launcher stops every worker with a resumable last.pth; --resume needs the same world size ' +
    '', async () => {
    const runDir = join(root, 'run-int');
    let sent = false;
    const r = await runLauncher(runDir, [], (text, pid) => {
      if (
        sent ||
        !existsSync(join(runDir, 'log.jsonl')) ||
        !readFileSync(join(runDir, 'log.jsonl'), 'utf8').includes('"iter"')
      )
        return;
      sent = true;
      process.kill(pid, 'SIGINT');
      void text;
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/training interrupted \(SIGINT\)/);
    // The hint resumes with the world size that wrote the checkpoint.
    expect(r.stderr).toContain(`resume with: npm run train -- --run-dir ${runDir} --resume --nproc-per-node 2\n`);
    expect(existsSync(join(runDir, 'last.pth'))).toBe(true);
    const resumed = await runLauncher(runDir, ['--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const iters = readFileSync(join(runDir, 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { epoch: number; iter?: number })
      .filter((l) => l.iter !== undefined)
      .map((l) => `${l.epoch}:${l.iter}`);
    // Every iteration of epochs 0..3 exactly once, despite the interruption.
    expect(iters).toEqual([0, 1, 2, 3].flatMap((e) => [`${e}:0`, `${e}:1`]));
    const single = spawn(
      process.execPath,
      ['--import', 'tsx', join(repo, 'lib/cli/main.ts'), 'train', '--run-dir', runDir, '--resume', '--no-test'],
      { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    single.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    const code = await new Promise<number | null>((res) => single.on('close', res));
    expect(code).not.toBe(0);
    expect(err).toMatch(/written by a run of 2 rank\(s\); resume it with the same number \(this run has 1\)/);
  }, 900_000);
});
