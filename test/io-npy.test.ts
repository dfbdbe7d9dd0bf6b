import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeNpy,
  parseNpy,
  readNpy,
  writeNpy,
  type NdArray,
  type NpyDType,
  type TypedArray,
} from '../lib/io/index.js';
import { hasPython, runPython } from '../test-support/python.js';

const FIX = join(import.meta.dirname, 'fixtures/io');
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as {
  npy: Record<
    string,
    { dtype: NpyDType; shape: number[]; sum: number; flat_index: number[]; values: (number | string | boolean)[] }
  >;
};
const tmp = mkdtempSync(join(tmpdir(), 'skcdf-io-npy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** IEEE half bits -> number (reference decoder, independent of the reader). */
function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

function numbers(a: NdArray): number[] {
  return Array.from(a.data as ArrayLike<number | bigint>, (v) =>
    a.dtype === 'float16' ? halfToNumber(Number(v)) : Number(v),
  );
}

const ALL: NpyDType[] = [
  'float16',
  'float32',
  'float64',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
];
const CTOR: Record<NpyDType, string> = {
  float16: 'Uint16Array',
  float32: 'Float32Array',
  float64: 'Float64Array',
  int8: 'Int8Array',
  uint8: 'Uint8Array',
  int16: 'Int16Array',
  uint16: 'Uint16Array',
  int32: 'Int32Array',
  uint32: 'Uint32Array',
  int64: 'BigInt64Array',
  uint64: 'BigUint64Array',
  bool: 'Uint8Array',
};

describe('npy fixtures written by NumPy', () => {
  for (const [fn, e] of Object.entries(expected.npy)) {
    it(`${fn}: dtype, shape, sum and values match numpy`, () => {
      const a = readNpy(join(FIX, fn));
      expect(a.dtype).toBe(e.dtype);
      expect(a.shape).toEqual(e.shape);
      expect(a.data.constructor.name).toBe(CTOR[e.dtype]);
      expect(a.data.length).toBe(e.shape.reduce((p, d) => p * d, 1));
      expect(a.data.byteOffset % (a.data as TypedArray).BYTES_PER_ELEMENT).toBe(0);
      const nums = numbers(a);
      const sum = nums.reduce((s, v) => s + v, 0);
      expect(Math.abs(sum - e.sum)).toBeLessThanOrEqual(
        1e-9 * Math.max(1, Math.abs(e.sum)) +
          (a.dtype.startsWith('uint64') || a.dtype === 'int64' ? Math.abs(e.sum) * 1e-15 : 0),
      );
      e.flat_index.forEach((idx, k) => {
        const want = e.values[k];
        if (typeof want === 'string') expect((a.data as BigInt64Array)[idx]).toBe(BigInt(want));
        else expect(nums[idx]).toBe(Number(want));
      });
    });
  }

  it('Fortran-order and big-endian files equal the native C-order file element by element', () => {
    for (const dt of ALL) {
      const le = readNpy(join(FIX, `npy_${dt}_le.npy`));
      const be = readNpy(join(FIX, `npy_${dt}_be.npy`));
      const f = readNpy(join(FIX, `npy_${dt}_fortran.npy`));
      expect(Array.from(be.data as ArrayLike<unknown>)).toEqual(Array.from(le.data as ArrayLike<unknown>));
      expect(Array.from(f.data as ArrayLike<unknown>)).toEqual(Array.from(le.data as ArrayLike<unknown>));
      expect(f.shape).toEqual([2, 3, 4]);
    }
    // int64 edge values survive the byte swap exactly
    expect((readNpy(join(FIX, 'npy_int64_be.npy')).data as BigInt64Array)[0]).toBe(-(2n ** 62n) - 3n);
    expect((readNpy(join(FIX, 'npy_uint64_be.npy')).data as BigUint64Array)[0]).toBe(2n ** 64n - 5n);
    // C-order element [1,2,3] of arange(24).reshape(2,3,4) is 23 (index 1*12+2*4+3)
    expect(readNpy(join(FIX, 'npy_int16_fortran.npy')).data[23]).toBe((23 - 11) * 3);
  });

  it('format versions 1.0, 2.0 and 3.0 give the same array', () => {
    const v = [1, 2, 3].map((k) => readFileSync(join(FIX, `npy_v${k}.npy`)));
    expect(v.map((b) => b[6])).toEqual([1, 2, 3]);
    const arrs = v.map((b, k) => parseNpy(b, `v${k + 1}`));
    for (const a of arrs) {
      expect(a.shape).toEqual([5, 6]);
      expect(Array.from(a.data as Float32Array)).toEqual(Array.from({ length: 30 }, (_, i) => i - 4.25));
    }
  });

  it('reads the loss fixtures with numpy shape / sum / values', () => {
    const labels = readNpy(join(FIX, 'loss_labels.npy'));
    expect(labels.dtype).toBe('int64');
    expect(labels.shape).toEqual([2, 1, 8, 8, 8]);
    const l = Array.from(labels.data as BigInt64Array, Number);
    expect(l.reduce((s, v) => s + v, 0)).toBe(1556);
    expect(l.reduce((s, v) => s + v * v, 0)).toBe(3630);
    expect([l[0], l[100], l[1000], l[1023]]).toEqual([2, 3, 2, 1]);
    const logits = readNpy(join(FIX, 'loss_logits.npy'));
    expect(logits.dtype).toBe('float32');
    expect(logits.shape).toEqual([2, 4, 8, 8, 8]);
    const g = logits.data as Float32Array;
    let s = 0,
      s2 = 0;
    for (const v of g) {
      s += v;
      s2 += v * v;
    }
    expect(s).toBeCloseTo(-50.9768723140005, 9);
    expect(s2).toBeCloseTo(4175.597265969057, 8);
    expect([g[0], g[100], g[1000], g[4095]]).toEqual([
      -0.07664429396390915, 0.39315512776374817, 0.4731820523738861, 0.8366701602935791,
    ]);
  });
});

describe('npy round trip', () => {
  function sample(dt: NpyDType, n: number): TypedArray {
    const vals = Array.from({ length: n }, (_, i) => i * 37 - 50);
    switch (dt) {
      case 'float16':
        return Uint16Array.from(vals, (v) => v & 0x7bff);
      case 'float32':
        return Float32Array.from(vals, (v) => v / 3);
      case 'float64':
        return Float64Array.from(vals, (v) => v / 7);
      case 'int8':
        return Int8Array.from(vals);
      case 'uint8':
      case 'bool':
        return Uint8Array.from(vals, (v) => (dt === 'bool' ? v & 1 : v & 255));
      case 'int16':
        return Int16Array.from(vals);
      case 'uint16':
        return Uint16Array.from(vals, (v) => v & 0xffff);
      case 'int32':
        return Int32Array.from(vals, (v) => v * 100003);
      case 'uint32':
        return Uint32Array.from(vals, (v) => (v * 100003) >>> 0);
      case 'int64':
        return BigInt64Array.from(vals, (v) => BigInt(v) * 10n ** 15n);
      case 'uint64':
        return BigUint64Array.from(vals, (v) => BigInt(v + 100) * 10n ** 17n);
    }
  }
  for (const dt of ALL) {
    it(`${dt}: encode -> parse and write -> read are exact`, () => {
      for (const shape of [[3, 5, 2], [7], [], [0, 4]]) {
        const n = shape.reduce((p, d) => p * d, 1);
        const arr: NdArray = { data: sample(dt, n), shape, dtype: dt };
        const bytes = encodeNpy(arr);
        expect(bytes[6]).toBe(1);
        expect((10 + (bytes[8] | (bytes[9] << 8))) % 64).toBe(0); // numpy's 64-byte alignment
        const back = parseNpy(bytes, 'rt');
        expect(back.dtype).toBe(dt);
        expect(back.shape).toEqual(shape);
        expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(Array.from(arr.data as ArrayLike<unknown>));
        const p = join(tmp, `${dt}-${shape.length}.npy`);
        writeNpy(p, arr);
        expect(Array.from(readNpy(p).data as ArrayLike<unknown>)).toEqual(Array.from(arr.data as ArrayLike<unknown>));
      }
    });
  }

  it('copies into an aligned array when the input buffer is misaligned', () => {
    const arr: NdArray = { data: Float64Array.from([1.5, -2.25, 3e300, 7]), shape: [2, 2], dtype: 'float64' };
    const enc = encodeNpy(arr);
    const shifted = new Uint8Array(enc.length + 3);
    shifted.set(enc, 3);
    const back = parseNpy(shifted.subarray(3), 'shifted.npy');
    expect(back.data.byteOffset % 8).toBe(0);
    expect(Array.from(back.data as Float64Array)).toEqual([1.5, -2.25, 3e300, 7]);
  });

  it.skipIf(!hasPython('numpy'))('numpy reads what we write (every dtype)', () => {
    const files = ALL.map((dt) => {
      const p = join(tmp, `np-${dt}.npy`);
      writeNpy(p, { data: sample(dt, 24), shape: [2, 3, 4], dtype: dt });
      return p;
    });
    const out = runPython(
      `
import sys, json, numpy as np
r = []
for p in sys.argv[1:]:
    a = np.load(p)
    r.append([a.dtype.name, list(a.shape), float(a.astype(np.float64).sum()), bool(a.flags['C_CONTIGUOUS'])])
print(json.dumps(r))`,
      files,
    );
    const res = JSON.parse(out) as [string, number[], number, boolean][];
    ALL.forEach((dt, k) => {
      const data = sample(dt, 24);
      const want = Array.from(data as ArrayLike<number | bigint>, (v) =>
        dt === 'float16' ? halfToNumber(Number(v)) : Number(v),
      ).reduce((s, v) => s + v, 0);
      expect(res[k][0]).toBe(dt);
      expect(res[k][1]).toEqual([2, 3, 4]);
      expect(Math.abs(res[k][2] - want)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
    });
  });
});

describe('npy errors name the file', () => {
  const good = encodeNpy({ data: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 3], dtype: 'float32' });
  const header = (dict: string) => {
    const d = dict.padEnd(117, ' ') + '\n';
    const b = new Uint8Array(10 + d.length + 24);
    b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, d.length & 255, d.length >> 8]);
    for (let i = 0; i < d.length; i++) b[10 + i] = d.charCodeAt(i);
    return b;
  };
  it('bad magic, truncation, size mismatch, bad header, unsupported dtypes', () => {
    const bad = good.slice();
    bad[1] = 0;
    expect(() => parseNpy(bad, 'a.npy')).toThrow(/a\.npy.*bad magic/);
    expect(() => parseNpy(good.subarray(0, 50), 'b.npy')).toThrow(/b\.npy.*truncated/);
    expect(() => parseNpy(good.subarray(0, good.length - 4), 'c.npy')).toThrow(/c\.npy.*size mismatch.*24 bytes.*20/);
    expect(() => parseNpy(header("{'descr': '<f4', 'shape': (2, 3), }"), 'd.npy')).toThrow(/d\.npy.*bad \.npy header/);
    expect(() =>
      parseNpy(header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,), }"), 'e.npy'),
    ).toThrow(/e\.npy.*structured/);
    expect(() => parseNpy(header("{'descr': '|O', 'fortran_order': False, 'shape': (3,), }"), 'f.npy')).toThrow(
      /f\.npy.*unsupported.*object/,
    );
    expect(() => parseNpy(header("{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }"), 'g.npy')).toThrow(
      /g\.npy/,
    );
    expect(() =>
      parseNpy(header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }"), 'h.npy'),
    ).toThrow(/h\.npy.*(too many|size mismatch)/);
    expect(() => readNpy(join(FIX, 'npy_complex64.npy'))).toThrow(/npy_complex64\.npy.*unsupported.*complex/);
    expect(() => readNpy(join(tmp, 'missing.npy'))).toThrow(/missing\.npy/);
    expect(() => encodeNpy({ data: new Float32Array(5), shape: [2, 3], dtype: 'float32' })).toThrow(
      /5 elements.*\[2, 3\]/,
    );
    expect(() => encodeNpy({ data: new Float64Array(6), shape: [2, 3], dtype: 'float32' })).toThrow(/Float32Array/);
  });
});
