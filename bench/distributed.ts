// Gradient allreduce of the SKCDF paper model (F 32, 14 classes, ~50.9 M parameters) across 2 ranks on
// 127.0.0.1 with Gloo: ours (torch.distributed over c10d) against Python's torch.distributed in the same
// run, rounds interleaved. Both sides reduce the same DDP-style buckets (25 MiB, first 1 MiB, parameter
// order reversed as DDP fills them), all launched async and then awaited, as DDP's reducer does.
// `npx tsx bench/distributed.ts [--rounds 3] [--reps 5]`; last line: JSON with "ratio" (ours / Python).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { torch } from '../lib/index.js';
import { VNetDecoupleAttentionABC } from '../lib/skcdf/model.js';
import { pythonEnv } from './python-env.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg('--rounds', 3);
const REPS = arg('--reps', 5);
const WARMUP = 2;
const MIB = 1024 * 1024;

/** Element counts of DDP's buckets for these parameter sizes (float32). */
function buckets(sizes: number[]): number[] {
  const out: number[] = [];
  let cur = 0;
  let cap = MIB;
  for (const n of [...sizes].reverse()) {
    cur += n;
    if (cur * 4 >= cap) {
      out.push(cur);
      cur = 0;
      cap = 25 * MIB;
    }
  }
  if (cur) out.push(cur);
  return out;
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1];
};

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

const PY = `
import json, os, sys, time, torch, torch.distributed as dist
from datetime import timedelta
torch.set_num_threads(1)
sizes = json.load(open(sys.argv[1]))
reps, warmup = int(sys.argv[2]), int(sys.argv[3])
dist.init_process_group('gloo', timeout=timedelta(seconds=600))
torch.manual_seed(dist.get_rank())
bufs = [torch.randn(n) for n in sizes]
times = []
for i in range(warmup + reps):
    dist.barrier()
    t0 = time.perf_counter()
    works = [dist.all_reduce(b, async_op=True) for b in bufs]
    for w in works: w.wait()
    if i >= warmup: times.append((time.perf_counter() - t0) * 1000)
if dist.get_rank() == 0: print('RESULT ' + json.dumps(times))
dist.destroy_process_group()
`;

async function worker(sizesFile: string): Promise<void> {
  torch.setNumThreads(1);
  const dist = torch.distributed;
  const sizes = JSON.parse(readFileSync(sizesFile, 'utf8')) as number[];
  dist.initProcessGroup({ timeoutMs: 600_000 });
  torch.manualSeed(dist.getRank());
  const bufs = sizes.map((n) => torch.randn([n]));
  const times: number[] = [];
  for (let i = 0; i < WARMUP + REPS; i++) {
    dist.barrier();
    const t0 = performance.now();
    await Promise.all(bufs.map((b) => dist.allReduceAsync(b)));
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  if (dist.getRank() === 0) process.stdout.write(`RESULT ${JSON.stringify(times)}\n`);
  dist.destroyProcessGroup();
}

async function runPair(kind: 'ours' | 'python', sizesFile: string): Promise<number[]> {
  const port = await freePort();
  const runs = [0, 1].map((rank) => {
    const env = {
      ...pythonEnv(),
      MASTER_ADDR: '127.0.0.1',
      MASTER_PORT: String(port),
      RANK: String(rank),
      WORLD_SIZE: '2',
      OMP_NUM_THREADS: '1',
    };
    const child =
      kind === 'ours'
        ? spawn(
            process.execPath,
            ['--import', 'tsx', import.meta.filename, '--worker', sizesFile, '--reps', String(REPS)],
            { env, stdio: ['ignore', 'pipe', 'inherit'] },
          )
        : spawn('python3', ['-c', PY, sizesFile, String(REPS), String(WARMUP)], {
            env,
            stdio: ['ignore', 'pipe', 'inherit'],
          });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    return new Promise<string>((resolve, reject) =>
      child.on('close', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`${kind} rank ${rank} exited ${code}`)),
      ),
    );
  });
  const outs = await Promise.all(runs);
  const line = outs[0].split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`${kind}: rank 0 printed no result`);
  return JSON.parse(line.slice(7)) as number[];
}

async function main(): Promise<void> {
  const sizes = torch.tidy(() => {
    const model = new VNetDecoupleAttentionABC({ nClasses: 14, nFilters: 32, patchSize: [64, 128, 128] });
    const s = model.parameters().map((p) => p.numel());
    model.dispose();
    return s;
  });
  const params = sizes.reduce((a, b) => a + b, 0);
  const bucketSizes = buckets(sizes);
  const dir = mkdtempSync(join(tmpdir(), 'skcdf-bench-dist-'));
  const file = join(dir, 'buckets.json');
  writeFileSync(file, JSON.stringify(bucketSizes));
  try {
    const ours: number[] = [],
      python: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which side goes first, so drift on the shared machine hits both.
      const order: ('ours' | 'python')[] = r % 2 === 0 ? ['ours', 'python'] : ['python', 'ours'];
      for (const kind of order) {
        const t = await runPair(kind, file);
        (kind === 'ours' ? ours : python).push(median(t));
        console.error(
          `round ${r} ${kind}: median ${median(t).toFixed(1)} ms (${t.map((v) => v.toFixed(0)).join(', ')})`,
        );
      }
    }
    const o = median(ours),
      p = median(python);
    console.log(
      JSON.stringify({
        bench: 'distributed',
        ratio: +(o / p).toFixed(3),
        oursMs: +o.toFixed(1),
        pytorchMs: +p.toFixed(1),
        oursRoundsMs: ours.map((v) => +v.toFixed(1)),
        pytorchRoundsMs: python.map((v) => +v.toFixed(1)),
        parameters: params,
        buckets: bucketSizes.length,
        worldSize: 2,
        backend: 'gloo',
        rounds: ROUNDS,
        reps: REPS,
        warmup: WARMUP,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--worker') await worker(process.argv[3]);
else await main();
