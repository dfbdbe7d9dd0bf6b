// `npm run bench` (bench/run.ts): every listed bench exists, each bench's ratio is read from its last JSON line,
// and a bench that fails or prints no ratio is reported as such.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCHES, benchScript, lastRatioLine, runBench } from '../bench/run.js';

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
});
