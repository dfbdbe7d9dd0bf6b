#!/usr/bin/env node
// Generates the typed op surface from the operator schemas libtorch's dispatcher reports:
//   lib/torch/generated/schemas.ts    overload tables used at run time (every aten op)
//   lib/torch/generated/functions.ts  torch.<op>(...) with TypeScript overloads and doc comments
//   lib/torch/generated/methods.ts    Tensor.<op>(...) methods (ops whose first argument is `self`)
// `tsx scripts/gen-ops.mjs --check` exits 1 when the checked-in files are stale.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// Run through tsx (`npm run gen`): the schema-to-spec mapping is shared with the runtime.
import { argKind, camel, rankOverloads, specFromSchema } from '../lib/torch/schema-spec.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'lib/torch/generated');
const require = createRequire(import.meta.url);
const native = require('node-gyp-build')(root);

// Hand-written Tensor members (lib/torch/tensor.ts); generated methods of the same name are skipped.
export const HAND_WRITTEN_METHODS = new Set([
  'shape',
  'dtype',
  'device',
  'ndim',
  'dim',
  'numel',
  'size',
  'stride',
  'strides',
  'item',
  'tolist',
  'toArray',
  'toTypedArray',
  'data',
  'to',
  'cpu',
  'cuda',
  'type',
  'float',
  'double',
  'half',
  'bfloat16',
  'long',
  'int',
  'short',
  'char',
  'byte',
  'bool',
  'backward',
  'grad',
  'requiresGrad',
  'requiresGrad_',
  'retainGrad',
  'isLeaf',
  'gradFn',
  'dispose',
  'keep',
  'toString',
  'get',
  'set',
  'h',
  'kept',
  'isDisposed',
  'storageOffset',
  'isContiguous',
  'isCuda',
  'elementSize',
  'nbytes',
  'registerFinalizer',
  'valueOf',
  'constructor',
  'T',
  'mT',
  'isFloatingPoint',
  'isComplex',
  'dataPtr',
  'nonzero',
  'where',
  'unique',
]);

const RESERVED = new Set([
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'debugger',
  'default',
  'delete',
  'do',
  'else',
  'enum',
  'export',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'import',
  'in',
  'instanceof',
  'new',
  'null',
  'return',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'var',
  'void',
  'while',
  'with',
  'yield',
  'let',
  'static',
  'implements',
  'interface',
  'package',
  'private',
  'protected',
  'public',
  'await',
]);

const TS_ARG = {
  T: 'Tensor',
  TL: 'Tensor[]',
  OTL: '(Tensor | null)[]',
  I: 'number',
  IL: 'number[]',
  F: 'number',
  FL: 'number[]',
  B: 'boolean',
  BL: 'boolean[]',
  S: 'Scalar',
  SL: 'Scalar[]',
  ST: 'DType',
  L: 'Layout',
  MF: 'MemoryFormat',
  D: 'Device',
  STR: 'string',
  G: 'null',
};

function tsReturn(type) {
  switch (type) {
    case 'Tensor':
      return 'Tensor';
    case 'Tensor[]':
      return 'Tensor[]';
    case 'int':
    case 'SymInt':
    case 'float':
    case 'Scalar':
      return 'number';
    case 'bool':
      return 'boolean';
    case 'str':
      return 'string';
    case 'ScalarType':
      return 'DType';
    case 'int[]':
    case 'SymInt[]':
    case 'float[]':
      return 'number[]';
    default:
      return 'unknown';
  }
}

function loadSchemas() {
  const all = native.schemas().filter((s) => s.name.startsWith('aten::'));
  all.sort((a, b) =>
    a.name === b.name
      ? a.args.length - b.args.length || a.overload.localeCompare(b.overload)
      : a.name.localeCompare(b.name),
  );
  return all;
}

// Overloads the typed surface leaves out (still reachable through torch.ops.aten).
function typedSurfaceSkips(s) {
  return (
    s.overload === 'out' ||
    s.overload.endsWith('_out') ||
    s.overload.startsWith('out_') ||
    s.args.some((a) => a.kwargOnly && a.mutates) ||
    s.args.some((a) => argKind(a.type) === 'U') ||
    s.returns.some((r) => tsReturn(r.type) === 'unknown' && r.type !== '')
  );
}

function tsParams(s, method) {
  const args = method ? s.args.slice(1) : s.args;
  const positional = args.filter((a) => !a.kwargOnly);
  const named = args.filter((a) => a.kwargOnly || a.hasDefault);
  const type = (a) => {
    const k = argKind(a.type);
    // Only a fixed-size list (int[3]) takes one number for the whole list, as in Python.
    const t = (k === 'IL' || k === 'FL') && a.N ? `number | ${TS_ARG[k]}` : TS_ARG[k];
    return t + (a.type.endsWith('?') ? ' | null' : '');
  };
  const params = positional.map((a) => `${safeIdent(camel(a.name))}${a.hasDefault ? '?' : ''}: ${type(a)}`);
  // Every defaulted argument may also be given by name in a trailing options object.
  const variants = [params.join(', ')];
  // Python's varargs rule (dispatch.ts): a sole positional int list may be given as separate integers.
  if (positional.length === 1 && argKind(positional[0].type) === 'IL')
    variants.push(`...${safeIdent(camel(positional[0].name))}: [number, ...number[]]`);
  if (named.length) {
    const required = positional.filter((a) => !a.hasDefault);
    const opts = `options: { ${named.map((a) => `${camel(a.name)}?: ${type(a)}`).join('; ')} }`;
    const lead = required.map((a) => `${safeIdent(camel(a.name))}: ${type(a)}`);
    variants.push([...lead, opts].join(', '));
  }
  return variants;
}

const safeIdent = (n) => (RESERVED.has(n) ? `${n}_` : n);

function tsReturns(s) {
  if (s.returns.length === 0) return 'void';
  if (s.returns.length === 1) return tsReturn(s.returns[0].type);
  return `[${s.returns.map((r) => tsReturn(r.type)).join(', ')}]`;
}

function doc(group, indent) {
  const lines = group.map((s) => ` * \`${s.schema.replace(/\*\//g, '*\\/')}\``);
  return `${indent}/**\n${indent} * ATen operator, dispatched by libtorch. Overloads:\n${lines.map((l) => indent + l).join('\n')}\n${indent} */`;
}

function generate() {
  const schemas = loadSchemas();
  const byName = new Map();
  for (const s of schemas) {
    const short = s.name.slice('aten::'.length);
    if (!byName.has(short)) byName.set(short, []);
    byName.get(short).push(s);
  }
  // The order calls try overloads in (int before int[], as Python ranks them).
  for (const [short, group] of byName) {
    const specs = group.map(specFromSchema);
    byName.set(
      short,
      rankOverloads(specs).map((sp) => group[specs.indexOf(sp)]),
    );
  }
  const header =
    '// Generated by scripts/gen-ops.mjs from the operator schemas of libtorch ' +
    native.version() +
    '. Do not edit: run `npm run gen`.\n';

  // schemas.ts: every aten op, keyed by its snake_case name.
  let table = header + "import type { OverloadSpec } from '../dispatch.js';\n\n";
  table += 'export const ATEN: Record<string, OverloadSpec[]> = {\n';
  for (const [name, group] of byName)
    table += `  ${JSON.stringify(name)}: [${group.map((s) => JSON.stringify(specFromSchema(s))).join(', ')}],\n`;
  table += '};\n';

  const typed = [];
  for (const [name, group] of byName) {
    if (name.startsWith('_')) continue;
    const kept = group.filter((s) => !typedSurfaceSkips(s));
    if (kept.length) typed.push([name, camel(name), kept]);
  }
  // Two snake names can share a camel name; the first (sorted) wins.
  const seen = new Set();
  const unique = typed.filter(([, c]) => (seen.has(c) ? false : (seen.add(c), true)));

  let fns =
    header +
    "import { callOverloads, type OverloadSpec } from '../dispatch.js';\n" +
    "import type { DType, Layout, MemoryFormat } from '../dtype.js';\n" +
    "import type { Device, Scalar, Tensor } from '../types.js';\nimport { ATEN } from './schemas.js';\n\n" +
    'const pick = (name: string, overloads: string[]): OverloadSpec[] => ATEN[name].filter((s) => ' +
    'overloads.includes(s.o));\n\n';
  let methods =
    header +
    "import { callOverloads, type OverloadSpec } from '../dispatch.js';\n" +
    "import type { DType, Layout, MemoryFormat } from '../dtype.js';\n" +
    "import { TensorBase } from '../handle.js';\nimport type { Device, Scalar, Tensor } from '../types.js';\n" +
    "import { ATEN } from './schemas.js';\n\n" +
    'const pick = (name: string, overloads: string[]): OverloadSpec[] => ATEN[name].filter((s) => ' +
    'overloads.includes(s.o));\n\n';
  const methodTables = [];
  const methodBodies = [];
  const fnNames = [];
  for (const [name, cname, group] of unique) {
    const fnId = `F_${cname}`;
    fns += `const ${fnId} = pick(${JSON.stringify(name)}, ${JSON.stringify(group.map((s) => s.overload))});\n`;
    fns += doc(group, '') + '\n';
    // A reserved word (aten::var) cannot name a function declaration, but can name an export (torch.var) and a
    // method (x.var()): the function is declared as aten_<name> and exported under the op's own name.
    const reserved = RESERVED.has(cname);
    const decl = reserved ? `function aten_${cname}` : `export function ${cname}`;
    const sigs = new Set();
    for (const s of group) for (const p of tsParams(s, false)) sigs.add(`${decl}(${p}): ${tsReturns(s)};`);
    fns +=
      [...sigs].join('\n') + `\n${decl}(...args: unknown[]): unknown {\n  return callOverloads(${fnId}, args);\n}\n`;
    fns += (reserved ? `export { aten_${cname} as ${cname} };\n` : '') + '\n';
    fnNames.push(cname);

    const mgroup = group.filter(
      (s) => s.args[0]?.name === 'self' && s.args[0].type === 'Tensor' && !s.args[0].kwargOnly,
    );
    if (!mgroup.length || HAND_WRITTEN_METHODS.has(cname)) continue;
    const mId = `M_${cname}`;
    methodTables.push(
      `const ${mId} = pick(${JSON.stringify(name)}, ${JSON.stringify(mgroup.map((s) => s.overload))});`,
    );
    const msigs = new Set();
    for (const s of mgroup) for (const p of tsParams(s, true)) msigs.add(`  ${cname}(${p}): ${tsReturns(s)};`);
    methodBodies.push(
      doc(mgroup, '  ') +
        '\n' +
        [...msigs].join('\n') +
        `\n  ${cname}(...args: unknown[]): unknown {\n    return callOverloads(${mId}, args, this);\n  }\n`,
    );
  }
  methods +=
    methodTables.join('\n') +
    '\n\n/** Tensor methods generated from the ATen schemas whose first argument is `self`. */\n' +
    'export abstract class TensorMethods extends TensorBase {\n' +
    methodBodies.join('\n') +
    '}\n';
  return { 'schemas.ts': table, 'functions.ts': fns, 'methods.ts': methods };
}

const files = generate();
const check = process.argv.includes('--check');
let stale = [];
for (const [name, text] of Object.entries(files)) {
  const path = join(outDir, name);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (current === text) continue;
  if (check) stale.push(name);
  else {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path, text);
  }
}
if (check && stale.length) {
  console.error(`generated files are stale: ${stale.join(', ')}; run \`npm run gen\``);
  process.exit(1);
}
console.log(check ? 'generated op surface is up to date' : `wrote ${Object.keys(files).join(', ')} to ${outDir}`);
