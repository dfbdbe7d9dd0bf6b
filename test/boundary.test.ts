// The general layers (torch, nn, optim, data, distributed, amp, io) know nothing of the SKCDF application:
// no file under them imports from lib/skcdf or lib/cli, or names SKCDF. The package entry (lib/index.ts) alone
// joins them.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const lib = resolve(import.meta.dirname, '..', 'lib');
const GENERAL = ['torch', 'nn', 'optim', 'data', 'distributed', 'amp', 'io'];
const APP = [join(lib, 'skcdf'), join(lib, 'cli')];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return /\.[cm]?ts$/.test(e.name) ? [p] : [];
  });
}

/** Relative module specifiers of static imports, re-exports and dynamic imports. */
function specifiers(source: string): string[] {
  const re = /(?:from\s*|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  return [...source.matchAll(re)].map((m) => m[1]!);
}

/** Problems of one general-layer file: imports that land in the application, and mentions of it. */
function boundaryProblems(file: string, source: string): string[] {
  const out: string[] = [];
  for (const spec of specifiers(source)) {
    const target = resolve(dirname(file), spec);
    if (APP.some((a) => target === a || target.startsWith(a + '/'))) out.push(`imports ${spec}`);
  }
  source.split('\n').forEach((line, i) => {
    if (/SKCDF|Skcdf|lib\/skcdf|\.\.\/skcdf|spec section/.test(line))
      out.push(`line ${i + 1} names the application: ${line.trim()}`);
  });
  return out;
}

describe('layer boundary', () => {
  const files = GENERAL.flatMap((d) => tsFiles(join(lib, d)));

  it('finds the general layers', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('no general-layer file imports lib/skcdf or lib/cli, or names SKCDF', () => {
    const problems = files.flatMap((f) =>
      boundaryProblems(f, readFileSync(f, 'utf8')).map((p) => `${relative(lib, f)}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it('the check catches an import of the application and a mention of it', () => {
    const f = join(lib, 'data', 'x.ts');
    expect(boundaryProblems(f, "import { CLIP_HU } from '../skcdf/data/dataset.js';")).toContain(
      'imports ../skcdf/data/dataset.js',
    );
    expect(boundaryProblems(f, "export * from '../cli/main.js';")).toEqual(['imports ../cli/main.js']);
    expect(boundaryProblems(f, "const m = await import('../skcdf/index.js');")).toContain('imports ../skcdf/index.js');
    expect(boundaryProblems(f, '// the SKCDF reference crops')).toHaveLength(1);
    expect(boundaryProblems(f, "import { Rng } from './prng.js';")).toEqual([]);
  });
});
