import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeNifti, encodeNpy, parseNifti, parseNpy } from '../lib/io/index.js';

const FIX = join(import.meta.dirname, 'fixtures/io');

/** mulberry32: small seeded PRNG so failures reproduce. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

type R = ReturnType<typeof rng>;
const EXTREME32 = [0, -1, 1, 2, 7, 8, 255, 348, 540, 32767, -32768, 65535, 0x7fffffff, -0x80000000, 1e9];
const EXTREMEF = [0, -0, NaN, Infinity, -Infinity, 1e38, -1e38, 1e-45, 352, 351.5, 3e9, -352];

/** Overwrites a random field (int16/int32/int64/float32/float64) at one of `offsets` with an extreme value. */
function overwriteField(b: Uint8Array, r: R, offsets: number[]) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const off = offsets[r.int(offsets.length)];
  const le = r.next() < 0.8;
  const kind = r.int(5);
  try {
    if (kind === 0) dv.setInt16(off, EXTREME32[r.int(EXTREME32.length)], le);
    else if (kind === 1) dv.setInt32(off, EXTREME32[r.int(EXTREME32.length)], le);
    else if (kind === 2)
      dv.setBigInt64(off, BigInt(EXTREME32[r.int(EXTREME32.length)]) * (r.next() < 0.3 ? 1n << 40n : 1n), le);
    else if (kind === 3) dv.setFloat32(off, EXTREMEF[r.int(EXTREMEF.length)], le);
    else dv.setFloat64(off, EXTREMEF[r.int(EXTREMEF.length)], le);
  } catch {
    /* offset too close to the end */
  }
}

function mutate(src: Uint8Array, r: R, fieldOffsets: number[]): Uint8Array {
  let b: Uint8Array = src.slice();
  const ops = 1 + r.int(3);
  for (let k = 0; k < ops; k++) {
    const op = r.int(10);
    if (op < 4) {
      const flips = 1 + r.int(8);
      const hot = r.next() < 0.7 ? Math.min(b.length, 600) : b.length; // mostly the header
      for (let i = 0; i < flips && b.length; i++) b[r.int(hot)] ^= 1 << r.int(8);
    } else if (op < 6) {
      b = b.slice(0, r.int(b.length + 1));
    } else if (op < 9) {
      overwriteField(b, r, fieldOffsets);
    } else {
      const extra = new Uint8Array(r.int(64)).map(() => r.int(256));
      const c = new Uint8Array(b.length + extra.length);
      c.set(b);
      c.set(extra, b.length);
      b = c;
    }
  }
  return b;
}

/** Either a consistent result or an Error naming the file; anything else fails the test. */
function check(
  f: () => { data: ArrayLike<unknown>; shape: number[] },
  name: string,
  stats: { ok: number; err: number },
) {
  let res: { data: ArrayLike<unknown>; shape: number[] };
  try {
    res = f();
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    if (!(err as Error).message.includes(name)) throw new Error(`error without file name: ${(err as Error).message}`);
    stats.err++;
    if (process.env.FUZZ_LOG)
      console.log('ERRMSG', (err as Error).message.replace(/fuzz-[a-z-]*\d+\.[a-z.]+/, 'F').replace(/\d+/g, 'N'));
    return;
  }
  const n = res.shape.reduce((p, d) => p * d, 1);
  expect(res.shape.every((d) => Number.isSafeInteger(d) && d >= 0)).toBe(true);
  expect(res.data.length).toBe(n);
  stats.ok++;
}

const NIFTI1_FIELDS = [
  0, 40, 42, 44, 46, 48, 50, 70, 72, 76, 80, 84, 88, 108, 112, 116, 252, 254, 256, 260, 264, 280, 344,
];
const NIFTI2_FIELDS = [0, 4, 12, 14, 16, 24, 32, 40, 48, 104, 112, 168, 176, 184, 344, 348, 352, 400];
const NPY_FIELDS = [6, 8, 10];

describe('fuzz: mutated inputs never crash, hang or mislead', () => {
  it('npy: 4000 mutations of valid files', () => {
    const seeds = [
      encodeNpy({ data: Float32Array.from({ length: 24 }, (_, i) => i / 3), shape: [2, 3, 4], dtype: 'float32' }),
      encodeNpy({ data: BigInt64Array.from({ length: 6 }, (_, i) => BigInt(i)), shape: [6], dtype: 'int64' }),
      readFileSync(join(FIX, 'npy_4d_fortran_be.npy')),
      readFileSync(join(FIX, 'npy_v3.npy')),
      readFileSync(join(FIX, 'npy_uint16_be.npy')),
    ];
    const r = rng(12345);
    const stats = { ok: 0, err: 0 };
    for (let i = 0; i < 4000; i++) {
      const src = seeds[i % seeds.length];
      let b = mutate(src, r, NPY_FIELDS);
      if (r.next() < 0.15) {
        // data-only corruption: must parse, with whatever values
        b = src.slice();
        const start = src.length - 8 * r.int(3) - 1;
        for (let k = 0; k < 4; k++) b[start - r.int(16)] ^= 1 << r.int(8);
      }
      if (r.next() < 0.3) {
        // rewrite the header text: shape / descr / order edits keep the dict parseable more often
        const text = new TextDecoder('latin1').decode(b.subarray(0, Math.min(b.length, 200)));
        const edits: [RegExp, string][] = [
          [/\(\d+, /, `(${[0, 1, 1e9, 99999999999999, 3][r.int(5)]}, `],
          [/'<f4'/, ["'>f4'", "'|O'", "'<c8'", "'<f2'", "'=i8'", "'<U3'"][r.int(6)]],
          [/False/, 'True'],
          [/'shape': \(/, "'shape': (-"],
        ];
        const [re, rep] = edits[r.int(edits.length)];
        const t2 = text.replace(re, rep);
        if (t2.length === text.length)
          b = Uint8Array.from([...Array.from(t2, (c) => c.charCodeAt(0) & 255), ...b.subarray(text.length)]);
      }
      const name = `fuzz-${i}.npy`;
      check(() => parseNpy(b, name), name, stats);
    }
    expect(stats.ok + stats.err).toBe(4000);
    expect(stats.ok).toBeGreaterThan(100);
    expect(stats.err).toBeGreaterThan(1000);
  });

  it('nii: 5000 mutations of NIfTI-1/2, both endiannesses, several datatypes', () => {
    const seeds: [Uint8Array, number[]][] = [
      [
        encodeNifti({
          data: Int16Array.from({ length: 60 }, (_, i) => i - 30),
          shape: [3, 4, 5],
          dtype: 'int16',
          header: { scl_slope: 2, scl_inter: 1, datatype: 4 },
        }),
        NIFTI1_FIELDS,
      ],
      [
        encodeNifti(
          { data: Float64Array.from({ length: 24 }, (_, i) => i), shape: [2, 3, 4], dtype: 'float64' },
          { version: 2 },
        ),
        NIFTI2_FIELDS,
      ],
      [readFileSync(join(FIX, 'nii1_int16_be.nii')), NIFTI1_FIELDS],
      [readFileSync(join(FIX, 'nii1_rgb24.nii')), NIFTI1_FIELDS],
      [gunzipSync(readFileSync(join(FIX, 'nii2_float32_be.nii.gz'))), NIFTI2_FIELDS],
      [readFileSync(join(FIX, 'nii1_uint64.nii')), NIFTI1_FIELDS],
    ];
    const r = rng(777);
    const stats = { ok: 0, err: 0 };
    for (let i = 0; i < 5000; i++) {
      const [src, fields] = seeds[i % seeds.length];
      const b = mutate(src, r, fields);
      const name = `fuzz-${i}.nii`;
      check(
        () => {
          const img = parseNifti(b, name, { applyScaling: r.next() < 0.5 });
          expect(img.affine.length).toBe(4);
          expect(img.spacing.length).toBe(
            img.shape.length - (img.header.datatype === 128 || img.header.datatype === 2304 ? 1 : 0),
          );
          return img;
        },
        name,
        stats,
      );
    }
    expect(stats.ok).toBeGreaterThan(500);
    expect(stats.err).toBeGreaterThan(1000);
  });

  it('nii.gz: 1500 mutations of the compressed bytes and 1500 of the content before compression', () => {
    const plain = [
      encodeNifti({ data: Uint8Array.from({ length: 60 }, (_, i) => i), shape: [3, 4, 5], dtype: 'uint8' }),
      gunzipSync(readFileSync(join(FIX, 'nii2_int16.nii.gz'))),
    ];
    const gz = [
      gzipSync(plain[0]),
      readFileSync(join(FIX, 'nii2_int16.nii.gz')),
      readFileSync(join(FIX, 'nii1_uint8_multimember.nii.gz')),
    ];
    const r = rng(4242);
    const stats = { ok: 0, err: 0 };
    for (let i = 0; i < 1500; i++) {
      const b = mutate(gz[i % gz.length], r, [10, 12, 20]);
      const name = `fuzz-${i}.nii.gz`;
      check(() => parseNifti(b, name), name, stats);
    }
    for (let i = 0; i < 1500; i++) {
      const k = i % plain.length;
      const b = gzipSync(mutate(plain[k], r, k === 0 ? NIFTI1_FIELDS : NIFTI2_FIELDS), { level: 1 });
      const name = `fuzz-content-${i}.nii.gz`;
      check(() => parseNifti(b, name), name, stats);
    }
    expect(stats.ok).toBeGreaterThan(200);
    expect(stats.err).toBeGreaterThan(500);
  });
});
