// Per-call overhead of small-tensor ops: ours vs Python torch on the same libtorch, same thread
// count, same run (alternating rounds, median of rounds). Ratio = our time / PyTorch's time.
import { execFileSync } from 'node:child_process';
import { torch } from '../lib/index.js';
import { pythonEnv } from './python-env.js';

const THREADS = Number(process.env.BENCH_THREADS ?? 1);
const N = Number(process.env.BENCH_N ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
torch.setNumThreads(THREADS);

const a = torch.keep(torch.rand([4]));
const b = torch.keep(torch.rand([4]));
const m = torch.keep(torch.rand([8, 8]));
const cases: Record<string, () => void> = {
  add: () => torch.add(a, b).dispose(),
  mul: () => a.mul(b).dispose(),
  matmul8: () => m.matmul(m).dispose(),
  chain: () => torch.tidy(() => { a.mul(b).add(a).relu().sum(); }),
  view: () => m.view([64]).dispose(),
};

const PY = `
import sys, time, json, torch
torch.set_num_threads(int(sys.argv[1])); N = int(sys.argv[2])
a = torch.rand(4); b = torch.rand(4); m = torch.rand(8, 8)
cases = {'add': lambda: torch.add(a, b), 'mul': lambda: a.mul(b), 'matmul8': lambda: m.matmul(m),
         'chain': lambda: a.mul(b).add(a).relu().sum(), 'view': lambda: m.view(64)}
out = {}
for name, f in cases.items():
    for _ in range(20000): f()
    t = time.perf_counter()
    for _ in range(N): f()
    out[name] = (time.perf_counter() - t) / N * 1e6
print(json.dumps(out))
`;

function ours(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, f] of Object.entries(cases)) {
    for (let i = 0; i < 20000; i++) f();
    const t = performance.now();
    for (let i = 0; i < N; i++) f();
    out[name] = ((performance.now() - t) / N) * 1000;
  }
  return out;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const oursRuns: Record<string, number>[] = [];
const pyRuns: Record<string, number>[] = [];
for (let r = 0; r < ROUNDS; r++) {
  oursRuns.push(ours());
  pyRuns.push(JSON.parse(execFileSync('python3', ['-c', PY, String(THREADS), String(N)], { env: pythonEnv() }).toString()));
}
const perOp: Record<string, { oursUs: number; pythonUs: number; ratio: number }> = {};
for (const name of Object.keys(cases)) {
  const o = median(oursRuns.map((x) => x[name]));
  const p = median(pyRuns.map((x) => x[name]));
  perOp[name] = { oursUs: +o.toFixed(3), pythonUs: +p.toFixed(3), ratio: +(o / p).toFixed(3) };
}
console.table(perOp);
const geo = Math.exp(Object.values(perOp).reduce((s, v) => s + Math.log(v.ratio), 0) / Object.keys(perOp).length);
console.log(JSON.stringify({ bench: 'op-overhead', ratio: +geo.toFixed(3), threads: THREADS, calls: N, rounds: ROUNDS, perOp }));
