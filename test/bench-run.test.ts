// `npm run bench` (bench/run.ts): every listed bench exists, each bench's ratio is read from its last JSON line,
// and a bench that fails or prints no ratio is reported as such.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCHES, benchScript, lastRatioLine, runBench } from '../bench/run.js';
import { lockstep, type StepTime } from '../bench/harness.js';

const repo = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'bench-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run bench', () => {
  it('the script exists and every bench it runs is a file of bench/', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.bench).toBe('tsx bench/run.ts');
    for (const b of BENCHES) expect(existsSync(join(repo, 'bench', `${b}.ts`)), b).toBe(true);
    expect(benchScript('metrics')).toBe(join(repo, 'bench', 'metrics.ts'));
    expect(() => benchScript('nope')).toThrow(/unknown bench 'nope'/);
  });

  it('reads the ratio from the last JSON line that has one', () => {
    expect(
      lastRatioLine('warm-up\n{"bench":"x","ratio":2}\nnoise\n{"bench":"x","ratio":0.5,"n":3}\n{"other":1}\n'),
    ).toEqual({ bench: 'x', ratio: 0.5, n: 3 });
    expect(lastRatioLine('{"bench":"x","ratio":"fast"}\n{broken\n')).toBeUndefined();
  });

  it('runs scripts in their own process: a ratio, a failure, a missing ratio', async () => {
    const ok = join(dir, 'ok.ts');
    writeFileSync(
      ok,
      "const r: number = 0.75;\nconsole.log('timing...');\nconsole.log(JSON.stringify({ bench: 'ok', ratio: r }));\n",
    );
    const fail = join(dir, 'fail.ts');
    writeFileSync(fail, "console.log(JSON.stringify({ bench: 'fail', ratio: 1 }));\nprocess.exit(3);\n");
    const silent = join(dir, 'silent.ts');
    writeFileSync(silent, "console.log('done');\n");
    expect(await runBench(ok)).toMatchObject({ bench: 'ok', ratio: 0.75, exitCode: 0, error: undefined });
    expect(await runBench(fail)).toMatchObject({ bench: 'fail', exitCode: 3, error: 'exited with code 3' });
    expect(await runBench(silent)).toMatchObject({
      bench: 'silent',
      exitCode: 0,
      ratio: undefined,
      error: 'printed no JSON line with a ratio',
    });
  }, 60_000);

  it('lockstep: single iterations alternate ABBA between two live children; a child that dies is named', async () => {
    // A child in the lockstep protocol (harness.ts): ready, then per 'step' the time it ran at, then its final line.
    const child = join(dir, 'lockstep-child.mjs');
    writeFileSync(
      child,
      [
        'import { stdinLines } from ' + JSON.stringify(join(repo, 'bench', 'harness.ts')) + ';',
        'const name = process.argv[2], dieAt = Number(process.argv[3] ?? -1);',
        'let k = 0;',
        "console.log('warming up');",
        'console.log(JSON.stringify({ ready: true }));',
        'for (const line of stdinLines()) {',
        "  if (line !== 'step') break;",
        '  if (k++ === dieAt) process.exit(4);',
        '  console.log(JSON.stringify({ ms: performance.timeOrigin + performance.now(), cpuMs: k }));',
        '}',
        'console.log(JSON.stringify({ name, steps: k }));',
        '',
      ].join('\n'),
    );
    const cmd = (name: string, dieAt = -1) => ({
      cmd: process.execPath,
      args: ['--import', 'tsx', child, name, String(dieAt)],
      env: process.env,
    });
    const seen: [number, StepTime, StepTime][] = [];
    const r = await lockstep<{ name: string; steps: number }, { name: string; steps: number }>(
      cmd('ours'),
      cmd('ref'),
      5,
      (i, a, b) => seen.push([i, a, b]),
    );
    expect(r.ours).toEqual({ name: 'ours', steps: 5 });
    expect(r.ref).toEqual({ name: 'ref', steps: 5 });
    expect(r.pairs.map((p) => [p.ours.cpuMs, p.ref.cpuMs])).toEqual([1, 2, 3, 4, 5].map((k) => [k, k]));
    // ours first in even pairs, the reference first in odd ones; every pair after the one before.
    r.pairs.forEach((p, i) => expect(p.ours.ms < p.ref.ms, `pair ${i}`).toBe(i % 2 === 0));
    for (let i = 1; i < 5; i++)
      expect(Math.min(r.pairs[i]!.ours.ms, r.pairs[i]!.ref.ms)).toBeGreaterThan(
        Math.max(r.pairs[i - 1]!.ours.ms, r.pairs[i - 1]!.ref.ms),
      );
    expect(seen.map(([i]) => i)).toEqual([0, 1, 2, 3, 4]);
    await expect(lockstep(cmd('ours'), cmd('ref', 2), 5)).rejects.toThrow(/reference exited with 4/);
  }, 60_000);
});
