// Per-call overhead of small-tensor ops: ours vs Python torch on the same libtorch, same thread count.
//
// Timing (default): `--pairs P` (BENCH_PAIRS, default 5) pairs of fresh processes, ours and Python
// alternating; each child warms every case up, then times N calls per case, twice, and reports the lesser wall
// us/call and CPU us/call (getrusage user+sys over the timed calls). A pair's ratio is the geometric mean over the
// cases of ours/Python; the final JSON line's `ratio` is the median over the pairs, with the spread.
//
// `--instructions`: one child per side under valgrind's callgrind (1 thread), instructions per call of
// each case (markers between cases, see bench/harness.ts): the same every run, so it judges a change to
// the dispatch path without timing noise. `ratio` is then the geometric mean of the instruction ratios.
// Each side's count is also split by the object whose code executed each instruction, in three groups:
//   libtorch  libtorch_cpu, libtorch, libc10, libgomp / libiomp5 (the op's own work: dispatcher,
//             TensorIterator, allocation, kernels);
//   libc      the C / C++ runtime (glibc with libm, ld.so, libstdc++, libgcc_s): mostly malloc/free and
//             the like, called from libtorch and from the binding alike, so not attributable by object;
//   runtime   everything else: for us node (V8, also its JIT code, object `???`) and our addon, for
//             Python the interpreter (python / libpython) and libtorch_python.
// `floorRatio` = (our libtorch + libc) / Python's total: the ratio a binding that costs nothing would get.
// The final JSON line has per case `perCase[case].{ours,python}.{total,byGroup,byObject}` (per call) and
// `floorRatio`; top-level `floorRatio` is the geometric mean over the cases.
//
// Env: BENCH_THREADS (1), BENCH_N calls per case (50000; 5000 with --instructions), BENCH_PAIRS (5),
// BENCH_WARM warm-up calls per case and pass (two passes over the cases) before the measured ones (20000;
// `--warm W`).
import {
  realPython,
  callgrindPhases,
  cpuMs,
  gitCommit,
  hasValgrind,
  interleave,
  intOption,
  leadSettings,
  nodeChild,
  roundStats,
  runJson,
  stats,
} from './harness.js';
import { pythonEnv } from './python-env.js';

const argv = process.argv.slice(2);
const INSTR = argv.includes('--instructions');
const THREADS = intOption(argv, '--threads', 'BENCH_THREADS', 1);
const N = intOption(argv, '--n', 'BENCH_N', INSTR ? 5000 : 50_000);
const PAIRS = intOption(argv, '--pairs', 'BENCH_PAIRS', 5);
const WARM = intOption(argv, '--warm', 'BENCH_WARM', 20_000, 0);
const CASES = ['add', 'mul', 'matmul8', 'chain', 'view'] as const;
// Each side measures every case this many times in a row and keeps the least: V8 still re-optimizes now and then
// after the warm-up (on a background thread that callgrind counts too), a one-time cost that must not be charged to
// the calls of whichever case it falls in.
const MEASURED_PASSES = 2;
type Case = (typeof CASES)[number];
interface ChildOut {
  us: Record<Case, number>;
  cpuUs: Record<Case, number>;
  threads: number;
}

// Python side: same cases; os.getuid() marks the phase boundaries for callgrind (harmless when timing).
const PY = `
import sys, os, time, json, resource, torch
torch.set_num_threads(int(sys.argv[1])); N = int(sys.argv[2]); W = int(sys.argv[3])
a = torch.rand(4); b = torch.rand(4); m = torch.rand(8, 8)
cases = {'add': lambda: torch.add(a, b), 'mul': lambda: a.mul(b), 'matmul8': lambda: m.matmul(m),
         'chain': lambda: a.mul(b).add(a).relu().sum(), 'view': lambda: m.view(64)}
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF); return (r.ru_utime + r.ru_stime) * 1e6
def time_case(f, n):
    c = cpu(); t = time.perf_counter()
    for _ in range(n): f()
    return (time.perf_counter() - t) / n * 1e6, (cpu() - c) / n
us, cpu_us = {}, {}
for _ in range(2):
    for name, f in cases.items(): time_case(f, W)
os.getuid()
for _ in range(2):
    for name, f in cases.items():
        u, c = time_case(f, N)
        us[name] = min(us.get(name, u), u); cpu_us[name] = min(cpu_us.get(name, c), c)
        os.getuid()
print(json.dumps({'us': us, 'cpuUs': cpu_us, 'threads': torch.get_num_threads()}))
`;

async function child(): Promise<void> {
  const { torch } = await import('../lib/index.js');
  torch.setNumThreads(THREADS);
  const a = torch.keep(torch.rand([4]));
  const b = torch.keep(torch.rand([4]));
  const m = torch.keep(torch.rand([8, 8]));
  const cases: Record<Case, () => void> = {
    add: () => torch.add(a, b).dispose(),
    mul: () => a.mul(b).dispose(),
    matmul8: () => m.matmul(m).dispose(),
    chain: () =>
      torch.tidy(() => {
        a.mul(b).add(a).relu().sum();
      }),
    view: () => m.view([64]).dispose(),
  };
  // One timing function for the warm-up and the measured calls: its loop is compiled during the warm-up (for every
  // case), so no JIT compilation of the measuring code falls inside a measured interval. Two warm-up passes over
  // the cases: the first leaves code that later cases deoptimized (new shapes at shared call sites) to be
  // optimized again, which would otherwise happen inside the first measured cases.
  const timeCase = (f: () => void, n: number): [number, number] => {
    const c = cpuMs(),
      t = performance.now();
    for (let i = 0; i < n; i++) f();
    return [((performance.now() - t) / n) * 1000, ((cpuMs() - c) / n) * 1000];
  };
  const us = {} as Record<Case, number>,
    cpuUs = {} as Record<Case, number>;
  for (let pass = 0; pass < 2; pass++) for (const name of CASES) timeCase(cases[name], WARM);
  process.getuid?.();
  for (let pass = 0; pass < MEASURED_PASSES; pass++) {
    for (const name of CASES) {
      const [u, c] = timeCase(cases[name], N);
      us[name] = pass === 0 ? u : Math.min(us[name], u);
      cpuUs[name] = pass === 0 ? c : Math.min(cpuUs[name], c);
      process.getuid?.();
    }
  }
  console.log(JSON.stringify({ us, cpuUs, threads: torch.getNumThreads() } satisfies ChildOut));
}

const geo = (xs: number[]): number => Math.exp(xs.reduce((s, v) => s + Math.log(v), 0) / xs.length);
const env = (): NodeJS.ProcessEnv => ({ ...pythonEnv(), OMP_NUM_THREADS: String(THREADS) });
const pyArgs = ['-c', PY, String(THREADS), String(N), String(WARM)];
const ours = nodeChild(import.meta.filename, [
  '--child',
  '--threads',
  String(THREADS),
  '--n',
  String(N),
  '--warm',
  String(WARM),
  ...(INSTR ? ['--instructions'] : []),
]);

function timing(): void {
  const rows: Record<string, unknown>[] = [];
  const { ours: o, ref: p } = interleave(
    PAIRS,
    () => runJson<ChildOut>(ours.cmd, ours.args, { ...env(), ...ours.env }),
    () => runJson<ChildOut>('python3', pyArgs, env()),
    (i, a, b) => {
      const r = geo(CASES.map((c) => a.us[c] / b.us[c])),
        rc = geo(CASES.map((c) => a.cpuUs[c] / b.cpuUs[c]));
      rows.push({
        pair: i,
        order: i % 2 ? 'python first' : 'ours first',
        ratio: +r.toFixed(3),
        cpuRatio: +rc.toFixed(3),
      });
      console.error(`pair ${i}: ratio ${r.toFixed(3)} (cpu ${rc.toFixed(3)})`);
    },
  );
  const pairRatios = rows.map((r) => r.ratio as number),
    cpuRatios = rows.map((r) => r.cpuRatio as number);
  const perOp = Object.fromEntries(
    CASES.map((c) => {
      const ow = stats(o.map((x) => x.us[c])).median,
        pw = stats(p.map((x) => x.us[c])).median;
      const oc = stats(o.map((x) => x.cpuUs[c])).median,
        pc = stats(p.map((x) => x.cpuUs[c])).median;
      return [
        c,
        {
          oursUs: +ow.toFixed(3),
          pythonUs: +pw.toFixed(3),
          ratio: +stats(o.map((x, i) => x.us[c] / p[i]!.us[c])).median.toFixed(3),
          oursCpuUs: +oc.toFixed(3),
          pythonCpuUs: +pc.toFixed(3),
          cpuRatio: +stats(o.map((x, i) => x.cpuUs[c] / p[i]!.cpuUs[c])).median.toFixed(3),
        },
      ];
    }),
  );
  console.table(rows);
  console.table(perOp);
  const s = stats(pairRatios);
  console.log(
    JSON.stringify({
      bench: 'op-overhead',
      mode: 'time',
      ratio: +s.median.toFixed(3),
      spread: roundStats(s),
      cpuRatio: +stats(cpuRatios).median.toFixed(3),
      cpuSpread: roundStats(stats(cpuRatios)),
      pairRatios,
      threads: THREADS,
      calls: N,
      pairs: PAIRS,
      ...leadSettings(),
      commit: gitCommit(),
      perOp,
    }),
  );
}

const GROUPS = ['libtorch', 'libc', 'runtime'] as const;
type Group = (typeof GROUPS)[number];
interface SideCost {
  total: number;
  byGroup: Record<Group, number>;
  byObject: Record<string, number>;
}

/** The group of an executing object (basename), see the header comment. */
function objectGroup(obj: string): Group {
  if (/^lib(torch(_cpu|_global_deps)?|c10)\.so|^lib(gomp|iomp5)[.-]/.test(obj)) return 'libtorch';
  if (/^lib(c|m|pthread|dl|rt|stdc\+\+|gcc_s)[.-]|^ld-linux|^ld\.so/.test(obj)) return 'libc';
  return 'runtime';
}

/** Per-call instructions of one case on one side: total, by group, by object (largest first, >= 0.5/call). */
function sideCost(instructions: number, objects: Record<string, number>): SideCost {
  const byGroup: Record<Group, number> = { libtorch: 0, libc: 0, runtime: 0 };
  for (const [obj, v] of Object.entries(objects)) byGroup[objectGroup(obj)] += v / N;
  const byObject = Object.fromEntries(
    Object.entries(objects)
      .map(([obj, v]) => [obj, Math.round(v / N)] as const)
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1]),
  );
  return { total: instructions / N, byGroup, byObject };
}

/** Rounds a SideCost's numbers to whole instructions, for printing and the JSON line. */
const roundCost = (c: SideCost): SideCost => ({
  total: Math.round(c.total),
  byGroup: Object.fromEntries(GROUPS.map((g) => [g, Math.round(c.byGroup[g])])) as Record<Group, number>,
  byObject: c.byObject,
});

/** Table of the objects that execute >= 1 % of some case's instructions on one side: instructions/call per case. */
function objectTable(side: string, costs: readonly SideCost[]): void {
  const objs = new Set<string>();
  for (const c of costs) for (const [obj, v] of Object.entries(c.byObject)) if (v >= 0.01 * c.total) objs.add(obj);
  const rows = Object.fromEntries(
    [...objs].map((obj) => [
      obj,
      { group: objectGroup(obj), ...Object.fromEntries(CASES.map((c, i) => [c, costs[i]!.byObject[obj] ?? 0])) },
    ]),
  );
  console.log(`${side}: instructions/call by executing object (>= 1 % of a case)`);
  console.table(rows);
}

/** Per case, the measured pass with the fewest instructions (phases are pass-major: every case, then again). */
function leastOfPasses(r: { instructions: number[]; byObject: Record<string, number>[] }): {
  instructions: number[];
  byObject: Record<string, number>[];
} {
  const instructions: number[] = [],
    byObject: Record<string, number>[] = [];
  CASES.forEach((_, c) => {
    let best = c;
    for (let pass = 1; pass < MEASURED_PASSES; pass++) {
      const i = pass * CASES.length + c;
      if (r.instructions[i]! < r.instructions[best]!) best = i;
    }
    instructions.push(r.instructions[best]!);
    byObject.push(r.byObject[best]!);
  });
  return { instructions, byObject };
}

function instructions(): void {
  if (!hasValgrind()) throw new Error('op-overhead --instructions needs valgrind (scripts/bench-setup.sh installs it)');
  const phases = CASES.length * MEASURED_PASSES;
  const o = leastOfPasses(callgrindPhases<ChildOut>(ours.cmd, ours.args, { ...env(), ...ours.env }, phases));
  console.error(
    `ours (callgrind): ${CASES.map((c, i) => `${c} ${Math.round(o.instructions[i]! / N)}`).join(', ')} ` +
      `instructions/call`,
  );
  const p = leastOfPasses(callgrindPhases<ChildOut>(realPython(env()), pyArgs, env(), phases));
  const oc = CASES.map((_, i) => sideCost(o.instructions[i]!, o.byObject[i]!)),
    pc = CASES.map((_, i) => sideCost(p.instructions[i]!, p.byObject[i]!));
  const floors = CASES.map((_, i) => (oc[i]!.byGroup.libtorch + oc[i]!.byGroup.libc) / pc[i]!.total);
  const perOp = Object.fromEntries(
    CASES.map((c, i) => {
      const oi = oc[i]!.total,
        pi = pc[i]!.total;
      return [c, { oursInstr: Math.round(oi), pythonInstr: Math.round(pi), ratio: +(oi / pi).toFixed(3) }];
    }),
  );
  const perCase = Object.fromEntries(
    CASES.map((c, i) => [
      c,
      { ours: roundCost(oc[i]!), python: roundCost(pc[i]!), floorRatio: +floors[i]!.toFixed(3) },
    ]),
  );
  objectTable('ours', oc);
  objectTable('python', pc);
  console.table(groupRows(perCase));
  const ratio = geo(Object.values(perOp).map((v) => v.ratio));
  console.log(
    JSON.stringify({
      bench: 'op-overhead',
      mode: 'instructions',
      ratio: +ratio.toFixed(3),
      floorRatio: +geo(floors).toFixed(3),
      threads: THREADS,
      calls: N,
      warm: WARM,
      ...leadSettings(),
      commit: gitCommit(),
      perOp,
      perCase,
    }),
  );
}

/** One row per case: instructions/call of each side in total and by group, the ratio and the floor ratio. */
function groupRows(perCase: Record<string, { ours: SideCost; python: SideCost; floorRatio: number }>) {
  return Object.fromEntries(
    Object.entries(perCase).map(([c, { ours: o, python: p, floorRatio }]) => [
      c,
      {
        ours: o.total,
        'ours libtorch': o.byGroup.libtorch,
        'ours libc': o.byGroup.libc,
        'ours runtime': o.byGroup.runtime,
        python: p.total,
        'py libtorch': p.byGroup.libtorch,
        'py libc': p.byGroup.libc,
        'py runtime': p.byGroup.runtime,
        ratio: +(o.total / p.total).toFixed(3),
        floorRatio,
      },
    ]),
  );
}

if (argv.includes('--child')) await child();
else if (INSTR) instructions();
else timing();
