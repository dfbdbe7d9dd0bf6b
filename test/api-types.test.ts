// Compiles test/types/api.ts with tsc: typed forms must compile and every `@ts-expect-error` line
// must be an error (an unused one fails the compile), e.g. a dtype typo in x.to('flaot32').
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');

describe('public API types', () => {
  it('compile-time checks in test/types/api.ts hold (tsc)', () => {
    let out = '';
    try {
      execFileSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', join(repo, 'test/types/tsconfig.json')], { cwd: repo, stdio: 'pipe' });
    } catch (err) {
      out = String((err as { stdout?: Buffer }).stdout ?? err);
    }
    expect(out).toBe('');
  });
});
