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

/** An exported class that is `Module` or extends it, directly or through other classes of the same sources. */
interface LayerClass {
  file: string;
  name: string;
  /** The text of its TSDoc comment ('' when it has none). */
  doc: string;
  /** Whether its constructor, its own or the nearest inherited one, takes arguments. */
  takesArgs: boolean;
}
/** The layer classes among `files` (base classes may be unexported or in another file of the set). */
function layerClasses(files: { file: string; text: string }[]): LayerClass[] {
  const base = new Map<string, string>();
  const ctorArgs = new Map<string, boolean>();
  const exported: Omit<LayerClass, 'takesArgs'>[] = [];
  for (const { file, text } of files) {
    const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    for (const st of src.statements) {
      if (!ts.isClassDeclaration(st) || !st.name) continue;
      const name = st.name.text;
      const ext = st.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
      if (ext) base.set(name, ext.expression.getText(src));
      const ctor = st.members.find(ts.isConstructorDeclaration);
      if (ctor) ctorArgs.set(name, ctor.parameters.length > 0);
      if (!ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
      const doc = ts.getJSDocCommentsAndTags(st).map((d) => text.slice(d.pos, d.end));
      exported.push({ file, name, doc: doc.join('\n') });
    }
  }
  const chain = (name: string): string[] => {
    const out = [name];
    for (let b = base.get(name); b && out.length < 20; b = base.get(b)) out.push(b);
    return out;
  };
  return exported
    .filter((c) => chain(c.name).includes('Module'))
    .map((c) => {
      const withCtor = chain(c.name).find((n) => ctorArgs.has(n));
      return { ...c, takesArgs: withCtor !== undefined && ctorArgs.get(withCtor) === true };
    });
}
/**
 * What a layer's doc comment lacks, PyTorch's docstring layout: a Shape section (a line starting with `Shape`, then a
 * list of shapes) unless `shape` is false, an `@example` that constructs the layer, and `@param` tags when its
 * constructor takes arguments.
 */
function layerDocProblems(c: LayerClass, shape = true): string[] {
  const lines = c.doc.split('\n').map((l) => l.replace(/^\s*\*? ?/, ''));
  const at = lines.findIndex((l) => /^Shape\b/.test(l));
  const out: string[] = [];
  if (shape && (at < 0 || !lines[at + 1]?.startsWith('- '))) out.push(`${c.name}: no Shape section`);
  const example = c.doc.split('@example')[1] ?? '';
  if (!new RegExp(`new nn\\.(\\w+\\.)?${c.name}\\b`).test(example)) out.push(`${c.name}: no @example constructing it`);
  if (c.takesArgs && !c.doc.includes('@param')) out.push(`${c.name}: constructor arguments without @param`);
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

  // Layers read like PyTorch's torch/nn/modules docs. Without a Shape section: containers (their shapes are those of
  // their children), the DDP wrapper (those of the wrapped module); with neither a Shape nor an example: bases.
  const NO_SHAPE: Record<string, string> = {
    Sequential: 'shapes of its first and last children',
    ModuleList: 'a list of children without a forward',
    ModuleDict: 'a dict of children without a forward',
    ParameterList: 'holds parameters, no forward',
    ParameterDict: 'holds parameters, no forward',
    DistributedDataParallel: 'shapes of the wrapped module',
  };
  const BASES: Record<string, string> = {
    Module: 'the base of every layer',
    NormBase: 'abstract base of the batch and instance norms',
    RNNBase: 'abstract base of RNN, LSTM and GRU',
    RNNCellBase: 'abstract base of the RNN cells',
  };

  it('every layer of lib/nn has a Shape section, @param tags and an @example, as PyTorch documents its modules', () => {
    const nn = sources(join(lib, 'nn')).map((f) => ({ file: relative(lib, f), text: readFileSync(f, 'utf8') }));
    const layers = layerClasses(nn);
    expect(layers.length).toBeGreaterThan(130);
    const names = layers.map((c) => c.name);
    expect(Object.keys({ ...NO_SHAPE, ...BASES }).filter((n) => !names.includes(n))).toEqual([]);
    const problems = layers
      .filter((c) => !(c.name in BASES))
      .flatMap((c) => layerDocProblems(c, !(c.name in NO_SHAPE)).map((p) => `${c.file}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('the layer check follows inheritance and sees a lost Shape section, example or @param', () => {
    const doc = (...l: string[]): string => ['/**', ...l.map((x) => ` * ${x}`), ' */'].join('\n');
    const text = [
      'abstract class PoolNd extends Module {}',
      doc('Pools.', '', 'Shape:', '- Input: `(N, C, L)`.', '', '@param k - the size.', '@example', 'new nn.Pool1d(2);'),
      'export class Pool1d extends PoolNd { constructor(readonly k: number) { super(); } }',
      doc('Pools.', '', '@param k - the size.', '@example', 'new nn.Pool2d(2);'),
      'export class Pool2d extends PoolNd { constructor(k: number) { super(); } }',
      doc('Pools, inheriting its constructor.', '', 'Shape:', '- Input: `(N, C, L)`.', '@example', 'new nn.Pool1d(2);'),
      'export class Pool3d extends Pool1d {}',
      doc('A sigmoid.', '', 'Shape:', '- Input: `(*)`.', '@example', 'new nn.Sig();'),
      'export class Sig extends Module {}',
      '/** Not a module. */',
      'export class Other extends Map<string, number> {}',
    ].join('\n');
    const layers = layerClasses([{ file: 'x.ts', text }]);
    expect(layers.map((c) => c.name)).toEqual(['Pool1d', 'Pool2d', 'Pool3d', 'Sig']);
    expect(layers.flatMap((c) => layerDocProblems(c))).toEqual([
      'Pool2d: no Shape section',
      'Pool3d: no @example constructing it',
      'Pool3d: constructor arguments without @param',
    ]);
    expect(layerDocProblems(layers[1]!, false)).toEqual([]);
  });
});
