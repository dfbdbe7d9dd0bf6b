// Runs a README table of PyTorch expressions and their TypeScript forms: every row is evaluated in
// Python torch and here on the same inputs, so the documentation cannot drift from the behaviour.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { torch, type Tensor } from '../lib/index.js';
import { runPython } from './python.js';

export interface Row {
  py: string;
  ts: string;
}

/** The `| \`python\` | \`typescript\` |` rows of the table under the README heading `heading`. */
export function readmeTable(heading: string): Row[] {
  const text = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no heading '${heading}'`);
  const next = text.indexOf('\n#', start + heading.length + 2);
  const body = text.slice(start, next < 0 ? undefined : next);
  const rows: Row[] = [];
  for (const line of body.split('\n')) {
    const m = /^\| `(.+)` \| `(.+)` \|$/.exec(line.trim());
    if (m) rows.push({ py: m[1], ts: m[2] });
  }
  return rows;
}

export type Plain = { shape: number[]; dtype: string; data: unknown } | number | boolean | string | null | Plain[];

export function plain(v: unknown): Plain {
  if (v instanceof torch.Tensor) return { shape: v.shape, dtype: v.dtype, data: v.toArray() };
  if (Array.isArray(v)) return v.map(plain);
  return v as Plain;
}

// The inputs, built the same way on both sides.
const PY_ENV =
  'x = torch.arange(60.).reshape(3, 4, 5); i = torch.tensor([2, 0, 2, 1]); a = torch.arange(6.).reshape(2, 3); b = ' +
  'torch.arange(12.).reshape(3, 4)';
const tsEnv = (): Record<string, Tensor> => ({
  x: torch.arange(60, { dtype: 'float32' }).reshape(3, 4, 5),
  i: torch.tensor([2, 0, 2, 1]),
  a: torch.arange(6, { dtype: 'float32' }).reshape(2, 3),
  b: torch.arange(12, { dtype: 'float32' }).reshape(3, 4),
});

const PY = String.raw`
import json, sys, torch
rows = json.loads(sys.argv[1])
def plain(v):
    if isinstance(v, torch.Tensor):
        return {"shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", ""), "data": v.tolist()}
    if isinstance(v, (list, tuple)):  # tuples, namedtuples (max.dim, topk) and torch.Size
        return [plain(e) for e in v]
    return v
out = []
for src in rows:
    env = {"torch": torch}
    exec(ENV, env)
    try:
        code = compile(src, "<row>", "eval")
        out.append(plain(eval(code, env)))
    except SyntaxError:  # an assignment: the result is x afterwards
        exec(src, env)
        out.append(plain(env["x"]))
print(json.dumps(out))
`.replace('ENV', JSON.stringify(PY_ENV));

/** Python's result of each row. */
export function pythonResults(rows: Row[]): Plain[] {
  return JSON.parse(runPython(PY, [JSON.stringify(rows.map((r) => r.py))])) as Plain[];
}

/** Our result of one row (a `set` row returns x, which it wrote to). */
export function tsResult(row: Row): Plain {
  return torch.tidy(() => {
    const env = tsEnv();
    const fn = new Function('torch', ...Object.keys(env), `return (${row.ts});`) as (...a: unknown[]) => unknown;
    return plain(fn(torch, ...Object.values(env)));
  });
}
