// Overload resolution against Python's arg parser, for every operator in the schema table that has an
// int and an int[] form of the same argument (tensor_split.sections / .indices, split.Tensor / .sizes,
// hsplit, histogramdd, gradient, ...). The pairs are found by walking the table at run time, so a new
// libtorch adds its pairs here by itself. Each pair is called with a bare number through
// torch.ops.aten.<name> (every overload, out variants included) and through the typed function when
// there is one, and compared with the public Python API on the same small input.
import { describe, expect, it } from 'vitest';
import { torch, type Tensor } from '../lib/index.js';
import { ATEN } from '../lib/torch/generated/schemas.js';
import { KWARG_ONLY, OPTIONAL, HAS_DEFAULT, type OverloadSpec } from '../lib/torch/schema-spec.js';
import { hasPython, runPython } from '../test-support/python.js';

interface Pair {
  op: string;
  intOverload: string;
  listOverloads: string[];
  arg: string;
  position: number;
  kwarg: boolean;
}

/** Every (operator, overload taking `int` at an argument, argument) where another overload takes `int[]` there. */
function findPairs(): Pair[] {
  const pairs: Pair[] = [];
  for (const [op, group] of Object.entries(ATEN)) {
    for (const a of group) {
      if (/(^|_)out($|_)/.test(a.o)) continue; // out= variants need an out tensor; their functional twin covers the rule
      a.a.forEach(([name, kind, flags], i) => {
        if (kind !== 'I') return;
        const kwarg = (flags & KWARG_ONLY) !== 0;
        const lists = group.filter((b) => {
          if (b === a) return false;
          const j = kwarg ? b.a.findIndex((x) => x[0] === name) : i;
          const y = b.a[j];
          return y !== undefined && y[1] === 'IL' && ((y[2] & KWARG_ONLY) !== 0) === kwarg;
        });
        if (lists.length)
          pairs.push({ op, intOverload: a.o, listOverloads: lists.map((b) => b.o), arg: name, position: i, kwarg });
      });
    }
  }
  return pairs;
}

const SHAPES = [
  [4, 6, 8],
  [6, 4],
  [4, 1, 6],
];
const VALUES = [2, 1, 3];

/** Positional arguments and named ones for overload `spec` with `value` at the pair's argument;
 *  other required arguments get plain fillers ('x' marks the input tensor). */
function template(spec: OverloadSpec, pair: Pair, value: number): { args: unknown[]; kwargs: Record<string, unknown> } {
  const args: unknown[] = [];
  const kwargs: Record<string, unknown> = {};
  const required = (f: number): boolean => (f & (OPTIONAL | HAS_DEFAULT)) === 0;
  let last = pair.kwarg ? -1 : pair.position;
  spec.a.forEach(([, k, f], i) => {
    if (!(f & KWARG_ONLY) && required(f)) last = Math.max(last, i);
  });
  for (let i = 0; i <= last; i++) {
    const [name, kind, flags] = spec.a[i];
    if (flags & KWARG_ONLY) break;
    if (i === pair.position) {
      args.push(value);
      continue;
    }
    args.push(
      kind === 'T'
        ? 'x'
        : kind === 'I'
          ? 0
          : kind === 'IL'
            ? [3]
            : kind === 'S' || kind === 'F'
              ? 1
              : kind === 'B'
                ? false
                : kind === 'TL'
                  ? ['x']
                  : null,
    );
    void name;
  }
  if (pair.kwarg) kwargs[spec.a[pair.position][3] ?? pair.arg] = value;
  return { args, kwargs };
}

type Plain = { shape: number[]; dtype: string; data: unknown } | number | boolean | null | Plain[];
function plain(v: unknown): Plain {
  if (v instanceof torch.Tensor) return { shape: v.shape, dtype: v.dtype, data: v.toArray() };
  if (Array.isArray(v)) return v.map(plain);
  return v as Plain;
}

const PY = String.raw`
import json, sys, torch
cases = json.loads(sys.argv[1])
def plain(v):
    if isinstance(v, torch.Tensor):
        return {"shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", ""), "data": v.tolist()}
    if isinstance(v, (list, tuple)):
        return [plain(e) for e in v]
    return v
out = []
for c in cases:
    fn = getattr(torch, c["op"], None)
    method = fn is None
    if method:
        fn = getattr(torch.Tensor, c["op"])
    found = None
    for k, cand in enumerate(c["candidates"]):
        x = (torch.arange(cand["numel"], dtype=torch.float64) * 0.37 % 1.0).reshape(cand["shape"])
        sub = lambda a: x if a == "x" else [x] if a == ["x"] else a
        args = [sub(a) for a in cand["args"]]
        try:
            torch.manual_seed(0)
            r = fn(*args, **cand["kwargs"])
        except Exception as e:
            continue
        found = {"candidate": k, "result": plain(r)}
        break
    out.append(found)
print(json.dumps(out))
`;

const withTorch = hasPython('torch');

describe.skipIf(!withTorch)('int / int[] overload pairs vs Python (walks the schema table)', () => {
  it('a bare number picks the int overload, as in Python, for every pair in the table', () => {
    const pairs = findPairs();
    const ops = new Set(pairs.map((p) => p.op));
    // The walk must see the pairs the issue names (guards against a walk that finds nothing).
    for (const op of ['tensor_split', 'split', 'hsplit', 'vsplit', 'dsplit', 'histogramdd', 'gradient'])
      expect(ops).toContain(op);
    const cases = pairs.map((p) => {
      const spec = ATEN[p.op].find((s) => s.o === p.intOverload)!;
      const candidates = SHAPES.flatMap((shape) =>
        VALUES.map((v) => ({ shape, numel: shape.reduce((a, b) => a * b, 1), ...template(spec, p, v) })),
      );
      return { op: p.op, candidates };
    });
    const py = JSON.parse(runPython(PY, [JSON.stringify(cases)])) as ({ candidate: number; result: Plain } | null)[];
    const unmatched = pairs.filter((_, i) => py[i] === null).map((p) => `${p.op}.${p.intOverload}(${p.arg})`);
    expect(unmatched, 'pairs for which no small input worked in Python').toEqual([]);

    let checked = 0;
    pairs.forEach((p, i) => {
      const { candidate, result } = py[i]!;
      const c = cases[i].candidates[candidate];
      const forms: [string, (...a: unknown[]) => unknown][] = [[`torch.ops.aten.${p.op}`, torch.ops.aten[p.op]]];
      const camel = p.op.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
      const typed = (torch as unknown as Record<string, unknown>)[camel];
      if (typeof typed === 'function' && !p.op.endsWith('_'))
        forms.push([`torch.${camel}`, typed as (...a: unknown[]) => unknown]);
      for (const [label, fn] of forms) {
        torch.tidy(() => {
          const x = torch.arange(c.numel, { dtype: 'float64' }).mul(0.37).remainder(1).reshape(c.shape);
          const args = c.args.map((a) => (a === 'x' ? x : Array.isArray(a) && a[0] === 'x' ? [x] : a));
          torch.manualSeed(0);
          const ours = fn(...args, ...(Object.keys(c.kwargs).length ? [c.kwargs] : []));
          expect(
            plain(ours),
            `${label}(${JSON.stringify(c.args)}, ${JSON.stringify(c.kwargs)}) on shape [${c.shape}]`,
          ).toEqual(result);
        });
      }
      checked++;
    });
    expect(checked).toBe(pairs.length);
    console.log(
      `overload pairs checked vs Python: ${pairs.length} (int overload, argument) pairs in ${ops.size} operators: ${[...ops].sort().join(', ')}`,
    );
  });

  it('the issue cases: tensorSplit, hsplit and split with a bare number', () => {
    torch.tidy(() => {
      const x = torch.arange(12).view(2, 6);
      expect(x.tensorSplit(3, 1).map((t: Tensor) => t.shape)).toEqual([
        [2, 2],
        [2, 2],
        [2, 2],
      ]);
      expect(torch.hsplit(x, 3).map((t) => t.shape)).toEqual([
        [2, 2],
        [2, 2],
        [2, 2],
      ]);
      expect(x.split(1, 0).map((t: Tensor) => t.toArray())).toEqual([[[0, 1, 2, 3, 4, 5]], [[6, 7, 8, 9, 10, 11]]]);
      expect(torch.split(x, [1, 1]).length).toBe(2);
      expect(x.tensorSplit([1, 4], 1).map((t: Tensor) => t.shape)).toEqual([
        [2, 1],
        [2, 3],
        [2, 2],
      ]);
    });
  });
});
