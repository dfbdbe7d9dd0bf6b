// Every exported declaration under lib/ has a TSDoc comment (the generated op surface aside). Each overload
// signature is a declaration of its own, so each carries one.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const lib = join(import.meta.dirname, '..', 'lib');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** `name (line)` of each exported declaration without a doc comment; re-exports are documented at their source. */
function undocumented(fileName: string, text: string): string[] {
  const src = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  for (const st of src.statements) {
    const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
    if (!mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    if (ts.getJSDocCommentsAndTags(st).length) continue;
    const names = ts.isVariableStatement(st)
      ? st.declarationList.declarations.map((d) => d.name.getText(src))
      : [(st as ts.DeclarationStatement).name?.getText(src) ?? 'default'];
    const line = src.getLineAndCharacterOfPosition(st.getStart(src)).line + 1;
    out.push(...names.map((n) => `${n} (line ${line})`));
  }
  return out;
}

describe('API documentation', () => {
  const all = sources(lib).map((f) => ({ file: relative(lib, f), missing: undocumented(f, readFileSync(f, 'utf8')) }));

  it('every export under lib/ has a TSDoc comment', () => {
    expect(all.length).toBeGreaterThan(100);
    expect(all.flatMap((f) => f.missing.map((m) => `${f.file}: ${m}`))).toEqual([]);
  });

  it('the check sees exports without a doc comment, and only those', () => {
    const text = [
      '/** Documented. */',
      'export function a(): void {}',
      'export const b = 1, c = 2;',
      '// a line comment is not TSDoc',
      'export interface D { x: number }',
      'function e(): void {}',
      "export * from './x.js';",
      "export { e };",
      '/** Documented. */',
      'export class F {}',
    ].join('\n');
    expect(undocumented('x.ts', text)).toEqual(['b (line 3)', 'c (line 3)', 'D (line 5)']);
  });
});
