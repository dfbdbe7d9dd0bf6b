// Reading values back: item() and toArray() are exact or throw (int64/uint64 beyond 2^53 never round silently),
// itemBigInt() is exact, and bool tensors give booleans; compared with the values Python torch reports.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { hasPython, runPython } from '../test-support/python.js';

const py = hasPython('torch');
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const isSafe = (v: bigint): boolean => v >= -SAFE && v <= SAFE;

// Python builds and saves the tensors and reports item()/tolist() exactly (ints as decimal strings).
const PY = `
import json, sys, torch
folder = sys.argv[1]
i64 = torch.tensor([2**62 + 1, -(2**62) - 3, 2**53, 2**53 + 1, -(2**53) - 1, 2**53 - 1, -(2**53 - 1), 0, 12345678901234567, 2**63 - 1, -(2**63)], dtype=torch.int64)
u64 = torch.tensor([2**64 - 5, 2**63, 2**53 + 3, 7], dtype=torch.uint64)
f32 = torch.tensor([0.1, -1e-8, 3.4e38, 16777217.0], dtype=torch.float32)
b = torch.tensor([True, False, True])
torch.save({'i64': i64, 'u64': u64, 'f32': f32, 'b': b, 'i64sum': i64[:2], 'mask': torch.tensor([[1.0, -2.0], [3.0, 0.5]])}, folder + '/values.pth')
s = lambda xs: [str(v) for v in xs]
print(json.dumps({
  'i64': s(t.item() for t in i64), 'u64': s(t.item() for t in u64), 'f32': [t.item() for t in f32], 'b': [t.item() for t in b],
  'i64sum': str(i64[:2].sum().item()), 'i64prod': str((i64[7:9] + 5).prod().item()), 'btolist': b.tolist(), 'f32tolist': f32.tolist(),
  'safeTolist': i64[5:8].tolist(), 'gtAll': (torch.tensor([[1.0, -2.0], [3.0, 0.5]]) > -3).all().item(), 'gtAny': (torch.tensor([1.0, 2.0]) > 5).any().item(),
}))
`;

type Ref = {
  i64: string[];
  u64: string[];
  f32: number[];
  b: boolean[];
  i64sum: string;
  i64prod: string;
  btolist: boolean[];
  f32tolist: number[];
  safeTolist: number[];
  gtAll: boolean;
  gtAny: boolean;
};

describe.skipIf(!py)('item(), itemBigInt(), toArray() vs Python (live)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'tensor-values-'));
  let ref: Ref;
  let ck: torch.Checkpoint;
  beforeAll(() => {
    ref = JSON.parse(runPython(PY, [folder]));
    ck = torch.loadCheckpoint(join(folder, 'values.pth'));
  }, 60_000);

  const each = (t: Tensor, f: (e: Tensor, i: number) => void): void => {
    for (let i = 0; i < t.shape[0]; i++) torch.tidy(() => f(t.get(i), i));
  };

  it('int64: item() exact when safe, else a RangeError naming itemBigInt(); itemBigInt() always exact', () => {
    each(ck.tensor('i64'), (e, i) => {
      const want = BigInt(ref.i64[i]);
      expect(e.itemBigInt()).toBe(want);
      if (isSafe(want)) expect(e.item()).toBe(Number(want));
      else
        expect(() => e.item(), ref.i64[i]).toThrow(
          new RangeError(
            `item: the int64 value ${want} is beyond Number.MAX_SAFE_INTEGER (2^53 - 1), where a number would round it; use itemBigInt() for the exact value`,
          ),
        );
    });
    torch.tidy(() => {
      expect(ck.tensor('i64sum').sum().itemBigInt()).toBe(BigInt(ref.i64sum));
      expect(ck.tensor('i64').narrow(0, 7, 2).add(5).prod().itemBigInt()).toBe(BigInt(ref.i64prod));
    });
  });

  it('the reported case: 2n ** 62n + 1n is not rounded to 4611686018427388000', () => {
    torch.tidy(() => {
      const t = torch.tensor(BigInt64Array.of(2n ** 62n + 1n));
      expect(() => t.get(0).item()).toThrow(/use itemBigInt\(\)/);
      expect(t.get(0).itemBigInt()).toBe(2n ** 62n + 1n);
      expect(String(t)).toBe('tensor([4611686018427387905])');
      expect(BigInt(ref.i64[0])).toBe(2n ** 62n + 1n);
    });
  });

  it('uint64 beyond int64 as well', () => {
    each(ck.tensor('u64'), (e, i) => {
      const want = BigInt(ref.u64[i]);
      expect(e.itemBigInt()).toBe(want);
      if (isSafe(want)) expect(e.item()).toBe(Number(want));
      else expect(() => e.item()).toThrow(/uint64 value \d+ is beyond Number.MAX_SAFE_INTEGER .* use itemBigInt\(\)/);
    });
  });

  it("toArray()/tolist(): Python's values where exact, a RangeError naming the element otherwise", () => {
    torch.tidy(() => {
      const i64 = ck.tensor('i64');
      expect(i64.narrow(0, 5, 3).toArray()).toEqual(ref.safeTolist);
      expect(() => i64.toArray()).toThrow(
        /toArray: element 0 of this int64 tensor, 4611686018427387905, is beyond .* toTypedArray\(\) gives the exact values \(a BigInt64Array\)/,
      );
      expect(() => i64.narrow(0, 3, 3).tolist()).toThrow(/element 0 of this int64 tensor, 9007199254740993/);
      expect(Array.from(i64.toTypedArray() as BigInt64Array, String)).toEqual(ref.i64);
      expect(Array.from(ck.tensor('u64').toTypedArray() as BigUint64Array, String)).toEqual(ref.u64);
      expect(ck.tensor('f32').toArray()).toEqual(ref.f32tolist);
    });
  });

  it("floating item() gives Python's (exact) value", () => {
    each(ck.tensor('f32'), (e, i) => expect(e.item()).toBe(ref.f32[i]));
    torch.tidy(() =>
      expect(() => torch.tensor([1.5]).itemBigInt()).toThrow(
        /itemBigInt: the tensor is float32, not an integer dtype; use item\(\)/,
      ),
    );
  });

  it('bool tensors: item() gives true/false and toArray() booleans, as Python', () => {
    each(ck.tensor('b'), (e, i) => {
      const v: boolean = e.item<boolean>();
      expect(v).toBe(ref.b[i]);
    });
    torch.tidy(() => {
      expect(ck.tensor('b').toArray()).toEqual(ref.btolist);
      expect(torch.tensor([true]).item()).toBe(true);
      expect(torch.tensor([false]).get(0).item()).toBe(false);
      expect(ck.tensor('mask').gt(-3).all().item()).toBe(ref.gtAll);
      expect(torch.tensor([1, 2]).gt(5).any().item()).toBe(ref.gtAny);
      expect(torch.tensor([true]).itemBigInt()).toBe(1n);
      expect(torch.tensor([[true, false]]).tolist()).toEqual([[true, false]]);
    });
  });
});
