// Spawning distributed workers for tests: each rank is a child process (TypeScript through tsx, or
// Python) on 127.0.0.1, with torchrun's environment variables and a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pythonEnv } from './python.js';

const repo = join(import.meta.dirname, '..');
export const WORKER = join(repo, 'test-support/distributed-worker.ts');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface RankResult {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Spawned {
  child: ChildProcess;
  done: Promise<RankResult>;
  lines: string[];
  onLine(fn: (line: string) => void): void;
}

function track(child: ChildProcess, rank: number): Spawned {
  const t0 = performance.now();
  let stdout = '',
    stderr = '',
    partial = '';
  const lines: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d;
    partial += d;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      for (const f of listeners) f(l);
    }
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d;
  });
  const done = new Promise<RankResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ rank, code, signal, stdout, stderr, ms: performance.now() - t0 }));
  });
  return { child, done, lines, onLine: (fn) => listeners.push(fn) };
}

/** Starts `test-support/distributed-worker.ts <scenario>` as rank `rank` of `worldSize`. */
export function spawnTs(
  scenario: string,
  rank: number,
  worldSize: number,
  port: number,
  extraEnv: Record<string, string> = {},
): Spawned {
  const env = {
    ...process.env,
    MASTER_ADDR: '127.0.0.1',
    MASTER_PORT: String(port),
    RANK: String(rank),
    WORLD_SIZE: String(worldSize),
    LOCAL_RANK: String(rank),
    OMP_NUM_THREADS: '1',
    ...extraEnv,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, scenario], {
    cwd: repo,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return track(child, rank);
}

/** Starts a Python torch.distributed rank running `script` (torch importable, same env contract). */
export function spawnPython(script: string, rank: number, worldSize: number, port: number): Spawned {
  const env = {
    ...pythonEnv(),
    MASTER_ADDR: '127.0.0.1',
    MASTER_PORT: String(port),
    RANK: String(rank),
    WORLD_SIZE: String(worldSize),
    OMP_NUM_THREADS: '1',
  };
  const child = spawn('python3', ['-c', script], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return track(child, rank);
}

/** The JSON object a worker printed on its last `RESULT ` line. */
export function resultOf(r: RankResult): Record<string, unknown> {
  const line = r.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('RESULT '));
  if (!line)
    throw new Error(`rank ${r.rank} printed no RESULT (exit ${r.code}, signal ${r.signal}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>;
}

/** Runs `scenario` on every rank and returns each rank's result (throws with the logs when a rank fails). */
export async function runRanks(
  scenario: string,
  worldSize: number,
  extraEnv: Record<string, string> = {},
): Promise<Record<string, unknown>[]> {
  const port = await freePort();
  const ranks = Array.from({ length: worldSize }, (_, r) => spawnTs(scenario, r, worldSize, port, extraEnv));
  const results = await Promise.all(ranks.map((s) => s.done));
  for (const r of results) {
    if (r.code !== 0)
      throw new Error(`rank ${r.rank} of '${scenario}' exited with ${r.code ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  }
  return results.map(resultOf);
}
