// Runs the literal corpus in live Python (one batched process) and here under a literal rule, and
// classifies each snippet: it runs unchanged and gives Python's result, gives the same values in
// another dtype, gives other values, or throws.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../../lib/torch/index.js';
import { withLiteralRule } from '../../lib/torch/literals.js';
import { Tensor } from '../../lib/torch/tensor.js';
import { runPython } from '../../test-support/python.js';
import type { Snippet } from './corpus.js';

/** A result in plain JSON: tensors as dtype, shape, requires_grad and nested values (non-finite as strings). */
export type Plain =
  { dtype: string; shape: number[]; grad: boolean; data: unknown } | number | boolean | string | null | Plain[];
/** A snippet's outcome: its value, or the error it threw. */
export type Outcome = { value: Plain } | { error: string };

const PY = String.raw`
import ast, json, math, sys
import torch
import torch.nn.functional as F
from torch import nn

def enc(v):
    if isinstance(v, torch.Tensor):
        return {'dtype': str(v.dtype).replace('torch.', ''), 'shape': list(v.shape), 'grad': v.requires_grad,
                'data': enc(v.detach().tolist())}
    if isinstance(v, (list, tuple)):
        return [enc(e) for e in v]
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float)):
        return v if math.isfinite(v) else ('nan' if v != v else ('inf' if v > 0 else '-inf'))
    raise TypeError('cannot encode ' + type(v).__name__)

def norm(text):
    return ' '.join(text.split())

def doc_text(name):
    lines = []
    for line in (eval(name).__doc__ or '').split('\n'):
        line = line.strip()
        for prompt in ('>>> ', '... ', '>>>', '...'):
            if line.startswith(prompt):
                line = line[len(prompt):]
                break
        lines.append(line)
    return norm(' '.join(lines))

out = {}
for s in json.load(open(sys.argv[1])):
    r = {}
    if s.get('doc'):
        text = doc_text(s['doc'])
        r['missing'] = [l for l in s['py'].split('\n') if l.strip() and norm(l) not in text]
    tree = ast.parse(s['py'])
    last = tree.body.pop()
    torch.manual_seed(0)
    env = {'torch': torch, 'F': F, 'nn': nn, 'math': math}
    try:
        exec(compile(tree, s['id'], 'exec'), env)
        r['value'] = enc(eval(compile(ast.Expression(last.value), s['id'], 'eval'), env))
    except Exception as e:
        r['error'] = type(e).__name__ + ': ' + str(e)
    out[s['id']] = r
print(json.dumps(out))
`;

/** Python's outcome of every snippet, keyed by id; `missing` lists Python lines not found in the quoted docstring. */
export function pythonOutcomes(corpus: Snippet[]): Record<string, Outcome & { missing?: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'literals-'));
  try {
    const file = join(dir, 'corpus.json');
    writeFileSync(file, JSON.stringify(corpus.map(({ id, doc, py }) => ({ id, doc, py }))));
    return JSON.parse(runPython(PY, [file]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const encNumber = (v: number): number | string =>
  Number.isFinite(v) ? v : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';

function encData(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(encData);
  return typeof v === 'number' ? encNumber(v) : v;
}

/** A TypeScript result in the same plain form as Python's. */
export function encode(v: unknown): Plain {
  if (v instanceof Tensor) return { dtype: v.dtype, shape: v.shape, grad: v.requiresGrad, data: encData(v.toArray()) };
  if (Array.isArray(v)) return v.map(encode);
  if (typeof v === 'number') return encNumber(v);
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  throw new TypeError(`cannot encode a ${typeof v}`);
}

/** The snippet's outcome here under `rule` (seeded as Python is, tensors disposed afterwards). */
export function tsOutcome(s: Snippet, rule: string): Outcome {
  return withLiteralRule(rule, () => {
    torch.manualSeed(0);
    try {
      return { value: torch.tidy(() => encode(s.ts())) };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  });
}

/** How a TypeScript outcome relates to Python's. */
export type Verdict = 'match' | 'dtype' | 'value' | 'error';

// Same libtorch kernels on both sides; a relative 1e-6 allows float32 rounding of a different but
// equivalent kernel path (e.g. pow by a float exponent tensor instead of an integer one).
const close = (a: unknown, b: unknown): boolean =>
  typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)) : a === b;

function sameValues(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b))
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((e, i) => sameValues(e, b[i]));
  if (isTensor(a) || isTensor(b))
    return (
      isTensor(a) && isTensor(b) && a.grad === b.grad && a.shape.join() === b.shape.join() && sameValues(a.data, b.data)
    );
  if (typeof a === 'boolean' || typeof b === 'boolean')
    return a === b || (typeof b === 'boolean' && a === Number(b)) || (typeof a === 'boolean' && b === Number(a));
  return close(a, b);
}

const isTensor = (v: unknown): v is { dtype: string; shape: number[]; grad: boolean; data: unknown } =>
  typeof v === 'object' && v !== null && 'dtype' in v;

function sameDTypes(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.every((e, i) => sameDTypes(e, b[i]));
  if (isTensor(a) && isTensor(b)) return a.dtype === b.dtype;
  return true;
}

/** Compares a TypeScript outcome with Python's (which must be a value). */
export function verdict(py: Outcome, ts: Outcome): Verdict {
  if (!('value' in py)) throw new Error(`the Python snippet failed: ${py.error}`);
  if (!('value' in ts)) return 'error';
  if (!sameValues(ts.value, py.value)) return 'value';
  return sameDTypes(ts.value, py.value) ? 'match' : 'dtype';
}
