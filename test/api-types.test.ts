// Compile-time checks of the public API (test/types/*.ts): typed forms compile, and every line marked
// `@ts-expect-error` (e.g. a dtype typo in x.to('flaot32'), a module called with a wrong argument) is a
// compile error of its own: without the directive, tsc reports an error on exactly those lines.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTypeFile } from '../test-support/type-checks.js';

const repo = join(import.meta.dirname, '..');

describe('public API types', () => {
  for (const [file, count] of [
    ['api.ts', 12],
    ['callable.ts', 4],
    ['nn-kwargs.ts', 6],
  ] as const) {
    it(`test/types/${file}: compiles, and each of its ${count} @ts-expect-error lines is an error`, () => {
      const r = checkTypeFile(join(repo, 'test/types', file));
      expect(r.errors).toBe('');
      expect(r.expectations).toBe(count);
      expect(r.unexpectedlyValid).toEqual([]);
    }, 300_000);
  }
});
