// Compile-time test files (test/types/*.ts) hold typed forms that must compile and `@ts-expect-error`
// lines that must not. Both halves are checked: the file compiles as it is, and with the directives removed
// tsc reports an error on every line that followed one (so no expectation is vacuous or misplaced).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const repo = join(import.meta.dirname, '..');
const tscPath = join(repo, 'node_modules/typescript/bin/tsc');

function tsc(dir: string, file: string): string {
  const config = join(dir, `.tsconfig-${basename(file)}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(repo, 'tsconfig.json'),
      compilerOptions: { noEmit: true, rootDir: repo, noUnusedLocals: false },
      files: [file],
    }),
  );
  try {
    execFileSync(process.execPath, [tscPath, '-p', config], { cwd: repo, stdio: 'pipe' });
    return '';
  } catch (err) {
    return String((err as { stdout?: Buffer }).stdout ?? err);
  } finally {
    rmSync(config, { force: true });
  }
}

/** tsc output for the file as is, and the lines (1-based) after a `@ts-expect-error` that compile without it. */
export function checkTypeFile(path: string): { errors: string; unexpectedlyValid: number[]; expectations: number } {
  const errors = tsc(dirname(path), path);
  const lines = readFileSync(path, 'utf8').split('\n');
  const expected: number[] = [];
  const stripped = lines.map((l, i) => {
    if (!/^\s*\/\/ @ts-expect-error/.test(l)) return l;
    expected.push(i + 2);
    return '';
  });
  const copy = join(dirname(path), `.stripped-${basename(path)}`);
  writeFileSync(copy, stripped.join('\n'));
  let out: string;
  try {
    out = tsc(dirname(path), copy);
  } finally {
    rmSync(copy, { force: true });
  }
  const failing = new Set(
    [...out.matchAll(new RegExp(`${basename(copy).replace(/[.]/g, '\\.')}\\((\\d+),`, 'g'))].map((m) => Number(m[1])),
  );
  return { errors, unexpectedlyValid: expected.filter((l) => !failing.has(l)), expectations: expected.length };
}

/**
 * `checkTypeFile` without blocking the event loop (tsc runs as child processes, the two in parallel), for files
 * whose compile takes long enough on a loaded machine to starve vitest's worker RPC.
 */
export async function checkTypeFileAsync(
  path: string,
): Promise<{ errors: string; unexpectedlyValid: number[]; expectations: number }> {
  const { execFile } = await import('node:child_process');
  const run = (file: string): Promise<string> =>
    new Promise((resolve) => {
      const config = join(dirname(file), `.tsconfig-${basename(file)}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          extends: join(repo, 'tsconfig.json'),
          compilerOptions: { noEmit: true, rootDir: repo, noUnusedLocals: false },
          files: [file],
        }),
      );
      execFile(process.execPath, [tscPath, '-p', config], { cwd: repo, maxBuffer: 1 << 26 }, (err, stdout) => {
        rmSync(config, { force: true });
        resolve(err ? String(stdout || err) : '');
      });
    });
  const lines = readFileSync(path, 'utf8').split('\n');
  const expected: number[] = [];
  const stripped = lines.map((l, i) => {
    if (!/^\s*\/\/ @ts-expect-error/.test(l)) return l;
    expected.push(i + 2);
    return '';
  });
  const copy = join(dirname(path), `.stripped-${basename(path)}`);
  writeFileSync(copy, stripped.join('\n'));
  let errors: string, out: string;
  try {
    [errors, out] = await Promise.all([run(path), run(copy)]);
  } finally {
    rmSync(copy, { force: true });
  }
  const failing = new Set(
    [...out.matchAll(new RegExp(`${basename(copy).replace(/[.]/g, '\\.')}\\((\\d+),`, 'g'))].map((m) => Number(m[1])),
  );
  return { errors, unexpectedlyValid: expected.filter((l) => !failing.has(l)), expectations: expected.length };
}
