// `npm run bench`: the benchmarks one after another, each in its own process (`node --import tsx bench/<name>.ts`),
// their output passed through; at the end one table and one JSON line per bench with its `ratio` (ours / the
// reference), from the last JSON line the bench printed. A bench that fails or prints no ratio is reported and
// makes the exit status 1; the others still run.
//
// npm run bench                       # all of BENCHES, in order
// npm run bench -- metrics infer      # some of them (a name, or a path to a script that prints such a line)
// npm run bench -- --list             # the names
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The benches in the order they run: cheap ones first. */
export const BENCHES = [
  'op-overhead',
  'memory',
  'metrics',
  'infer',
  'preprocess',
  'train-step',
  'distributed',
] as const;

/** What one bench gave. */
export interface BenchOutcome {
  bench: string;
  ratio?: number;
  exitCode: number | null;
  error?: string;
  result?: Record<string, unknown>;
}

/** The last line of `stdout` that is a JSON object with a numeric `ratio`, parsed; undefined when there is none. */
export function lastRatioLine(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const v = JSON.parse(lines[i]!) as Record<string, unknown>;
      if (typeof v.ratio === 'number') return v;
    } catch {
      /* not JSON: keep looking */
    }
  }
  return undefined;
}

/** The script of a bench name (bench/<name>.ts) or path. */
export function benchScript(nameOrPath: string, benchDir = import.meta.dirname): string {
  const byName = join(benchDir, `${nameOrPath}.ts`);
  if ((BENCHES as readonly string[]).includes(nameOrPath) && existsSync(byName)) return byName;
  const p = isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath);
  if (existsSync(p)) return p;
  throw new Error(`bench: unknown bench '${nameOrPath}' (one of ${BENCHES.join(', ')}, or a path to a script)`);
}

/** Runs one bench script to its end, its output shown as it comes; resolves to what it gave. */
export function runBench(script: string, args: string[] = []): Promise<BenchOutcome> {
  const bench = script.replace(/^.*[\\/]/, '').replace(/\.[cm]?[tj]s$/, '');
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('error', (e) => done({ bench, exitCode: null, error: e.message }));
    child.on('close', (code, signal) => {
      const result = lastRatioLine(stdout);
      const error =
        code !== 0
          ? `exited with ${signal ?? `code ${code}`}`
          : result
            ? undefined
            : 'printed no JSON line with a ratio';
      done({ bench, exitCode: code, ratio: result?.ratio as number | undefined, result, error });
    });
  });
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--list')) {
    console.log(BENCHES.join('\n'));
    return;
  }
  const names = argv.length ? argv : [...BENCHES];
  const scripts = names.map((n) => benchScript(n));
  const outcomes: BenchOutcome[] = [];
  for (const s of scripts) {
    process.stderr.write(`\n== bench ${s}\n`);
    outcomes.push(await runBench(s));
  }
  process.stderr.write(`\n${'bench'.padEnd(14)} ratio (ours / reference)\n`);
  for (const o of outcomes)
    process.stderr.write(`${o.bench.padEnd(14)} ${o.ratio !== undefined ? o.ratio.toFixed(3) : `- (${o.error})`}\n`);
  for (const o of outcomes)
    console.log(JSON.stringify({ bench: o.bench, ratio: o.ratio ?? null, ...(o.error ? { error: o.error } : {}) }));
  if (outcomes.some((o) => o.error)) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
