// Number literals: JavaScript cannot tell `1.0` from `1`, so the factories read integer-valued numbers by
// one rule. The corpus of PyTorch docstring and tutorial snippets (test/literals/corpus.ts), translated
// literally, runs under every candidate rule and in live Python; the library's rule must stay the best,
// never give other values silently, and name the fix in every error. The README's table is checked too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import { LITERAL_RULE, LITERAL_RULES } from '../lib/torch/literals.js';
import { hasPython } from '../test-support/python.js';
import { CORPUS } from './literals/corpus.js';
import { pythonOutcomes, tsOutcome, verdict, type Outcome, type Verdict } from './literals/measure.js';

const py = hasPython('torch');
/** The library rule's count of snippets that run unchanged and give Python's result, as measured when it was chosen. */
const MEASURED_MATCHES = 91;

type Counts = Record<Verdict, number>;

function readmeCounts(): Record<string, Counts> {
  const text = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const body = text.slice(text.indexOf('\n### Number literals\n'));
  const out: Record<string, Counts> = {};
  for (const line of body.split('\n')) {
    const m = /^\| ([\w-]+)\b.*\| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$/.exec(line.trim());
    if (m) out[m[1]] = { match: +m[2], dtype: +m[3], error: +m[4], value: +m[5] };
  }
  return out;
}

describe.skipIf(!py)('number literals: PyTorch documentation snippets under each rule vs Python (live)', () => {
  let ref: Record<string, Outcome & { missing?: string[] }> = {};
  const outcomes: Record<string, Record<string, Outcome>> = {};
  const verdicts: Record<string, Record<string, Verdict>> = {};
  beforeAll(() => {
    ref = pythonOutcomes(CORPUS);
    for (const rule of Object.keys(LITERAL_RULES)) {
      outcomes[rule] = {};
      verdicts[rule] = {};
      for (const s of CORPUS) {
        outcomes[rule][s.id] = tsOutcome(s, rule);
        verdicts[rule][s.id] = verdict(ref[s.id], outcomes[rule][s.id]);
      }
    }
  }, 120_000);

  it('has at least 50 distinct snippets; each runs in Python and quotes its docstring line by line', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(50);
    expect(new Set(CORPUS.map((s) => s.id)).size).toBe(CORPUS.length);
    for (const s of CORPUS) {
      expect(ref[s.id], s.id).toHaveProperty('value');
      expect(s.doc !== undefined || s.source !== undefined, `${s.id} names its source`).toBe(true);
      if (s.doc) expect(ref[s.id].missing, `${s.id}: lines not in ${s.doc}'s docstring`).toEqual([]);
    }
  });

  it("the library's rule runs the most snippets unchanged with Python's result, at least as many as measured", () => {
    const matches = (rule: string): number => Object.values(verdicts[rule]).filter((v) => v === 'match').length;
    expect(matches(LITERAL_RULE)).toBeGreaterThanOrEqual(MEASURED_MATCHES);
    for (const rule of Object.keys(LITERAL_RULES))
      expect(matches(rule), rule).toBeLessThanOrEqual(matches(LITERAL_RULE));
  });

  it("the README table gives every rule's counts", () => {
    const counts: Record<string, Counts> = {};
    for (const [rule, byId] of Object.entries(verdicts)) {
      counts[rule] = { match: 0, dtype: 0, error: 0, value: 0 };
      for (const v of Object.values(byId)) counts[rule][v]++;
    }
    expect(readmeCounts()).toEqual(counts);
  });

  for (const s of CORPUS) {
    it(`${s.id}: under the library's rule, Python's values or an error naming int64 and { dtype: 'float32' }`, () => {
      const v = verdicts[LITERAL_RULE][s.id];
      const out = outcomes[LITERAL_RULE][s.id];
      expect(v, `${s.id} gives other values than Python`).not.toBe('value');
      if ('error' in out) {
        expect(out.error).toMatch(/int64/);
        expect(out.error).toContain("{ dtype: 'float32' }");
      }
    });
  }
});

describe('number literals: the rule', () => {
  it('integer-valued numbers give int64, except with requiresGrad (float32); fractions float32; bigints int64', () => {
    torch.tidy(() => {
      expect(torch.tensor([1, 2]).dtype).toBe('int64');
      expect(torch.tensor(3).dtype).toBe('int64');
      expect(torch.tensor([1, 2.5]).dtype).toBe('float32');
      expect(torch.tensor([1, NaN]).dtype).toBe('float32');
      expect(torch.tensor([]).dtype).toBe('float32');
      expect(torch.tensor([true, false]).dtype).toBe('bool');
      const g = torch.tensor([1, 2], { requiresGrad: true });
      expect([g.dtype, g.requiresGrad, g.toArray()]).toEqual(['float32', true, [1, 2]]);
      expect(torch.tensor([1n, 2n]).dtype).toBe('int64');
      expect(torch.tensor([2n ** 60n]).itemBigInt()).toBe(2n ** 60n);
      expect(torch.tensor(BigInt64Array.from([1n])).dtype).toBe('int64');
      expect(torch.tensor([1, 2], { dtype: 'float64' }).dtype).toBe('float64');
      expect(torch.arange(4).dtype).toBe('int64');
      expect(torch.arange(1, 2.5, 0.5).dtype).toBe('float32');
      const a = torch.arange(4, { requiresGrad: true });
      expect([a.dtype, a.requiresGrad, a.toArray()]).toEqual(['float32', true, [0, 1, 2, 3]]);
      expect([torch.arange(5n).dtype, torch.arange(0, 2n ** 40n, 2n ** 39n).toArray()]).toEqual([
        'int64',
        [0, 2 ** 39],
      ]);
      expect(torch.full([2], 1).dtype).toBe('float32');
      expect(torch.full([2], 3n).dtype).toBe('int64');
      expect(torch.full([2], true).dtype).toBe('bool');
    });
  });

  it('integers the rule makes float32 must be exact in float32 (else a RangeError naming the fix)', () => {
    expect(() => torch.tensor([2 ** 24 + 1], { requiresGrad: true })).toThrow(
      /16777217 is not exactly representable in float32.*dtype: 'float64'.*16777217n/,
    );
    expect(() => torch.arange(0, 2 ** 25, { requiresGrad: true })).toThrow(
      /arange: the values up to 33554432 are not all exactly representable/,
    );
    torch.tidy(() => expect(torch.tensor([2 ** 24 + 1]).item()).toBe(2 ** 24 + 1));
  });

  it('an op refusing an int64 tensor made from integer literals names the literal and the fix', () => {
    torch.tidy(() => {
      const x = torch.tensor([1, 2, 3]);
      expect(() => x.mean()).toThrow(
        /Got: Long \(an argument is int64 because torch\.tensor\(\[1, 2, 3\]\) got only integer-valued JS numbers.*torch\.tensor\(\[1, 2, 3\], \{ dtype: 'float32' \}\)/,
      );
      expect(() => torch.softmax(torch.arange(3), 0)).toThrow(/torch\.arange\(3, \{ dtype: 'float32' \}\)/);
      expect(() => x.mul(2).mean()).toThrow(
        /an argument is int64; torch\.tensor and arange read integer-valued JS numbers as Python ints.*\{ dtype: 'float32' \}/,
      );
      expect(() => torch.arange(4).requiresGrad_()).toThrow(
        /can require gradients \(this tensor is int64 because torch\.arange\(4\).*\{ requiresGrad: true \}/,
      );
      expect(() => x.set(0, 2.5)).toThrow(
        /set: writing 2\.5 into this int64 tensor would truncate it.*torch\.tensor\(\[1, 2, 3\]\)/,
      );
      expect(x.set(0, 7).toArray()).toEqual([7, 2, 3]);
      expect(() => x.add(torch.tensor([1, 2]))).toThrow(/must match the size/);
      expect(() => x.add(torch.tensor([1, 2]))).not.toThrow(/an argument is int64/);
    });
  });
});
