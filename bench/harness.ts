// Shared benchmark method: ours and the reference in alternating fresh processes, robust statistics over
// the pairs, CPU time beside wall time, and instruction counts under callgrind (no timing noise).
//
// Why pairs of fresh processes: on a shared 2-core machine a single run swings by +-20 %; interleaving
// the two sides and taking the median of per-pair ratios cancels slow drifts (other jobs) that would
// bias one side when each side runs as one block.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_FLAGS } from '../lib/torch/node-flags.js';

export interface Stats {
  n: number;
  median: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
  iqr: number;
}

/** Linear-interpolated quantile of sorted values (numpy's default method). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos),
    hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function stats(xs: readonly number[]): Stats {
  if (xs.length === 0) throw new Error('stats: no values');
  const s = [...xs].sort((a, b) => a - b);
  const q1 = quantile(s, 0.25),
    q3 = quantile(s, 0.75);
  return { n: s.length, median: quantile(s, 0.5), min: s[0]!, max: s.at(-1)!, q1, q3, iqr: q3 - q1 };
}

export const median = (xs: readonly number[]): number => stats(xs).median;

/** Rounds every number of a Stats to `digits` decimals, for printing. */
export function roundStats(s: Stats, digits = 3): Stats {
  const r = (v: number): number => +v.toFixed(digits);
  return { n: s.n, median: r(s.median), min: r(s.min), max: r(s.max), q1: r(s.q1), q3: r(s.q3), iqr: r(s.iqr) };
}

/** This process's CPU time (user + system, all threads) in ms, from getrusage. */
export function cpuMs(): number {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1000;
}

/** getrusage split: user and system CPU ms, minor page faults. */
export function usage(): { userMs: number; sysMs: number; minorFaults: number } {
  const u = process.resourceUsage();
  return { userMs: u.userCPUTime / 1000, sysMs: u.systemCPUTime / 1000, minorFaults: u.minorPageFault };
}

/** Runs a child and parses the last line of its stdout as JSON; the error carries the child's stderr. */
export function runJson<T>(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): T {
  const r = spawnSync(cmd, args, { env, maxBuffer: 1 << 26, encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.slice(0, 3).join(' ')} ... exited with ${r.status ?? r.signal}:\n${r.stderr.slice(-4000)}`,
    );
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`${cmd}: last output line is not JSON: ${last.slice(0, 500)}\n${r.stderr.slice(-2000)}`);
  }
}

/**
 * `pairs` pairs of fresh processes; the order alternates (ours first in even pairs, the reference first in
 * odd ones) so neither side always runs on a machine warmed (or loaded) by the other.
 */
export function interleave<A, B>(
  pairs: number,
  ours: () => A,
  ref: () => B,
  onPair?: (i: number, a: A, b: B) => void,
): { ours: A[]; ref: B[] } {
  const out = { ours: [] as A[], ref: [] as B[] };
  for (let i = 0; i < pairs; i++) {
    let a: A, b: B;
    if (i % 2 === 0) {
      a = ours();
      b = ref();
    } else {
      b = ref();
      a = ours();
    }
    out.ours.push(a);
    out.ref.push(b);
    onPair?.(i, a, b);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Lockstep: both sides alive at once, one timed iteration at a time, alternating. Pairs of fresh processes compare
// blocks of iterations tens of seconds apart, and this machine's speed drifts within a minute by more than the
// difference being measured; in lockstep each of our iterations is paired with one of the reference's run just
// before or after it (ABBA order), so such drifts cancel within every pair.
//
// Protocol: a child prints one JSON line {"ready": true} after its warm-up; then, per line "step" on its stdin, runs
// one timed iteration and prints {"ms", "cpuMs"}; on "end" (or the end of stdin) it prints its final JSON line (as
// without lockstep) and exits.

/** One lockstep iteration's times, as a child reports it. */
export interface StepTime {
  ms: number;
  cpuMs: number;
}

/** A command to run: executable, arguments, extra environment. */
export interface ChildCommand {
  cmd: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
}

/** A lockstep child: send a line, await the next JSON line it prints. */
class LineChild {
  private readonly proc: ChildProcess;
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  private buffer = '';
  private stderr = '';
  private exited: string | undefined;

  constructor(
    private readonly name: string,
    c: ChildCommand,
  ) {
    this.proc = spawn(c.cmd, [...c.args], { env: c.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (!line.startsWith('{')) continue; // library chatter
        if (this.waiting) {
          const w = this.waiting;
          this.waiting = undefined;
          w(line);
        } else this.lines.push(line);
      }
    });
    this.proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.proc.on('exit', (code, signal) => {
      this.exited = `${this.name} exited with ${code ?? signal}:\n${this.stderr}`;
      this.waiting?.('');
    });
  }

  /** The next JSON line the child prints (after sending `request`, when given). */
  async next<T>(request?: string): Promise<T> {
    if (request !== undefined) this.proc.stdin!.write(`${request}\n`);
    const line =
      this.lines.shift() ?? (this.exited ? '' : await new Promise<string>((resolve) => (this.waiting = resolve)));
    if (!line) throw new Error(this.exited ?? `${this.name}: no output`);
    return JSON.parse(line) as T;
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}

/**
 * Runs both children in lockstep for `steps` pairs of timed iterations (ours first in even pairs, the reference
 * first in odd ones) and returns each pair's times and each child's final JSON line.
 */
export async function lockstep<A, B>(
  ours: ChildCommand,
  ref: ChildCommand,
  steps: number,
  onPair?: (i: number, a: StepTime, b: StepTime) => void,
): Promise<{ ours: A; ref: B; pairs: { ours: StepTime; ref: StepTime }[] }> {
  const a = new LineChild('ours', ours),
    b = new LineChild('reference', ref);
  try {
    await a.next(); // warm-ups, one side after the other
    await b.next();
    const pairs: { ours: StepTime; ref: StepTime }[] = [];
    for (let i = 0; i < steps; i++) {
      let x: StepTime, y: StepTime;
      if (i % 2 === 0) {
        x = await a.next<StepTime>('step');
        y = await b.next<StepTime>('step');
      } else {
        y = await b.next<StepTime>('step');
        x = await a.next<StepTime>('step');
      }
      pairs.push({ ours: x, ref: y });
      onPair?.(i, x, y);
    }
    const finalA = await a.next<A>('end'),
      finalB = await b.next<B>('end');
    return { ours: finalA, ref: finalB, pairs };
  } finally {
    a.kill();
    b.kill();
  }
}

/** Lines from this process's stdin, read synchronously (a lockstep child between its iterations). */
export function* stdinLines(): Generator<string> {
  const buf = Buffer.alloc(256);
  let pending = '';
  for (;;) {
    const nl = pending.indexOf('\n');
    if (nl >= 0) {
      yield pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      continue;
    }
    const n = readSync(0, buf, 0, buf.length, null);
    if (n === 0) return;
    pending += buf.toString('utf8', 0, n);
  }
}

/** Reads an integer option: `--name N` on the command line, else the environment variable, else the default. */
export function intOption(argv: readonly string[], flag: string, envName: string, def: number, min = 1): number {
  const i = argv.indexOf(flag);
  const raw = i >= 0 ? argv[i + 1] : process.env[envName];
  if (raw === undefined) return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min)
    throw new Error(`${flag} / ${envName}: expected an integer >= ${min}, got '${raw}'`);
  return v;
}

// ------------------------------------------------------------------------------------------------
// Instruction counts. `perf stat -e instructions` is not supported in this VM (no hardware counters:
// it prints <not supported>), so counts come from valgrind's callgrind, which counts the same every run.
// A child marks phase boundaries by calling getuid() (process.getuid() in Node, os.getuid() in Python):
// `--dump-before=getuid` writes one profile per marker holding the instructions since the previous one,
// so start-up (loading ~290 libtorch libraries under valgrind) is counted once and excluded.

/**
 * The Python interpreter itself: `python3` may be a launcher script (pyenv shims are), which valgrind would trace
 * instead.
 */
export function realPython(env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { env, encoding: 'utf8' }).trim();
}

export function hasValgrind(): boolean {
  return spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status === 0;
}

export function perfInstructionsSupported(): boolean {
  const r = spawnSync('perf', ['stat', '-x,', '-e', 'instructions', 'true'], { encoding: 'utf8' });
  return r.status === 0 && !/not supported|<not counted>/.test(r.stderr) && /^\d+,/m.test(r.stderr);
}

/**
 * Runs `cmd args` under callgrind and returns the instruction counts (all threads) of the last `phases`
 * intervals between markers (the child must call getuid() phases + 1 times at the end of its run: once to
 * close set-up, then once after each phase), the same counts split by executing object (`byObject[i]`:
 * object basename -> instructions, see {@link callgrindObjectCosts}; they sum to `instructions[i]`) and
 * the child's JSON output line.
 */
export function callgrindPhases<T>(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  phases: number,
): { instructions: number[]; byObject: Record<string, number>[]; out: T } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-callgrind-'));
  try {
    const file = join(dir, 'cg.out');
    const out = runJson<T>(
      'valgrind',
      ['--tool=callgrind', '--dump-before=getuid', `--callgrind-out-file=${file}`, cmd, ...args],
      env,
    );
    const dumps = readdirSync(dir)
      .filter((f) => /^cg\.out\.\d+$/.test(f))
      .sort((a, b) => Number(a.split('.').at(-1)) - Number(b.split('.').at(-1)));
    if (dumps.length < phases + 1)
      throw new Error(`callgrind: expected >= ${phases + 1} marker dumps from ${cmd}, found ${dumps.length}`);
    const total = (text: string, f: string): number => {
      const m = /^totals:\s+(\d+)/m.exec(text) ?? /^summary:\s+(\d+)/m.exec(text);
      if (!m) throw new Error(`callgrind: no totals in ${f}`);
      return Number(m[1]);
    };
    const names = new Map<string, string>();
    const instructions: number[] = [],
      byObject: Record<string, number>[] = [];
    for (const f of dumps.slice(-phases)) {
      const text = readFileSync(join(dir, f), 'utf8');
      const t = total(text, f),
        objects = callgrindObjectCosts(text, names);
      const sum = Object.values(objects).reduce((s, v) => s + v, 0);
      if (sum !== t) throw new Error(`callgrind: per-object costs of ${f} sum to ${sum}, its total is ${t}`);
      instructions.push(t);
      byObject.push(objects);
    }
    return { instructions, byObject, out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Self instructions (event Ir) per executing object in one callgrind output file: object basename (e.g.
 * `libtorch_cpu.so`, `libc.so.6`, `node`; `???` for code outside every object, such as V8's JIT code) ->
 * instructions. Each cost line is charged to the object of the `ob=` line in effect (the object whose code
 * ran), except the line after `calls=`, which is a call's inclusive cost (already counted in the callee's
 * own lines). Compressed names (`ob=(N) name` defines N, `ob=(N)` refers to it; `cob=` lines share the
 * numbering) are resolved through `names`, which callers may share between the files of one run.
 */
export function callgrindObjectCosts(text: string, names = new Map<string, string>()): Record<string, number> {
  const object = (spec: string): string => {
    const m = /^\((\d+)\)(?: (.*))?$/.exec(spec);
    if (!m) return spec.slice(spec.lastIndexOf('/') + 1);
    if (m[2] !== undefined) names.set(m[1]!, m[2].slice(m[2].lastIndexOf('/') + 1));
    const name = names.get(m[1]!);
    if (name === undefined) throw new Error(`callgrind: object (${m[1]}) used before its name was given`);
    return name;
  };
  const out: Record<string, number> = {};
  let positions = 1,
    ir = -1,
    ob = '???',
    skipCall = false;
  for (const line of text.split('\n')) {
    const c = line.charCodeAt(0);
    if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42) {
      // A cost line: positions (line, or instr line; `+N`/`-N`/`*` relative), then the event counts.
      if (skipCall) skipCall = false;
      else {
        if (ir < 0) throw new Error('callgrind: cost line before an `events:` line with Ir');
        const v = line.split(/\s+/)[positions + ir];
        if (v) out[ob] = (out[ob] ?? 0) + Number(v);
      }
    } else if (line.startsWith('ob=')) ob = object(line.slice(3));
    else if (line.startsWith('cob=')) object(line.slice(4));
    else if (line.startsWith('calls=')) skipCall = true;
    else if (line.startsWith('positions:')) positions = line.slice(10).trim().split(/\s+/).length;
    else if (line.startsWith('events:')) ir = line.slice(7).trim().split(/\s+/).indexOf('Ir');
  }
  return out;
}

/**
 * The node binary and flags to start a TypeScript bench child (tsx loader). Leads are tried on our side
 * only: BENCH_NODE_FLAGS adds V8/Node flags, BENCH_OURS_ENV adds `K=V` environment settings (space
 * separated, e.g. glibc's MALLOC_MMAP_THRESHOLD_ or OMP_WAIT_POLICY, read at process start).
 */
export function nodeChild(
  script: string,
  args: readonly string[],
): { cmd: string; args: string[]; env: Record<string, string> } {
  const flags = nodeFlags();
  const env: Record<string, string> = {};
  for (const kv of (process.env.BENCH_OURS_ENV ?? '').split(/\s+/).filter(Boolean)) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`BENCH_OURS_ENV: expected K=V items, got '${kv}'`);
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return { cmd: process.execPath, args: [...flags, '--import', 'tsx', script, ...args], env };
}

/**
 * V8 flags of our child: the package's NODE_FLAGS (what `npm run train` uses), or BENCH_NODE_FLAGS when set
 * (`BENCH_NODE_FLAGS=none` for none).
 */
export function nodeFlags(): string[] {
  const v = process.env.BENCH_NODE_FLAGS;
  if (v === undefined) return [...NODE_FLAGS];
  return v === 'none' ? [] : v.split(/\s+/).filter(Boolean);
}

/** What a lead run changed on our side, for the record in the final JSON line. */
export function leadSettings(): { nodeFlags: string; oursEnv: string } {
  return { nodeFlags: nodeFlags().join(' '), oursEnv: process.env.BENCH_OURS_ENV ?? '' };
}

/** The git commit of the working tree (for the record in the final JSON line), or null. */
export function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}
