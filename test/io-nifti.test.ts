import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  affineToQuatern,
  encodeNifti,
  parseNifti,
  quaternToAffine,
  readNifti,
  writeNifti,
  type NiftiImage,
  type TypedArray,
} from '../lib/io/index.js';
import { hasPython, runPython } from '../test-support/python.js';

const FIX = join(import.meta.dirname, 'fixtures/io');
interface Summary {
  shape: number[];
  sum: number;
  flat_index: number[];
  values: (number | string)[];
}
interface Expect {
  note: string;
  version: 1 | 2;
  datatype: number;
  dtype: string;
  shape: number[];
  spacing: number[];
  affine: number[][];
  qform_code: number;
  sform_code: number;
  slope: number | null;
  inter: number | null;
  raw: Summary;
  scaled: Summary;
  big_endian: boolean;
  descrip?: string;
}
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')).nifti as Record<string, Expect>;
const tmp = mkdtempSync(join(tmpdir(), 'skcdf-io-nifti-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const nums = (d: TypedArray) => Array.from(d as ArrayLike<number | bigint>, Number);
const sum = (d: TypedArray) => nums(d).reduce((s, v) => s + v, 0);
const prod = (s: number[]) => s.reduce((p, d) => p * d, 1);

function expectAffine(got: number[][], want: number[][], tol = 1e-9) {
  expect(got.length).toBe(4);
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 4; j++)
      expect(Math.abs(got[i][j] - want[i][j])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i][j])));
}

function checkValues(img: NiftiImage, s: Summary, tol: number) {
  expect(img.shape).toEqual(s.shape);
  expect(img.data.length).toBe(prod(s.shape));
  expect(Math.abs(sum(img.data) - s.sum)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(s.sum)));
  s.flat_index.forEach((idx, k) => {
    const want = s.values[k];
    if (typeof want === 'string') expect((img.data as BigInt64Array)[idx]).toBe(BigInt(want));
    else expect(Math.abs(Number(img.data[idx]) - want)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want)));
  });
}

describe('NIfTI files written by nibabel', () => {
  for (const [fn, e] of Object.entries(expected)) {
    it(`${fn} (${e.note}): shape, dtype, values, spacing, affine match nibabel`, () => {
      const raw = readNifti(join(FIX, fn), { applyScaling: false });
      expect(raw.header.version).toBe(e.version);
      expect(raw.header.datatype).toBe(e.datatype);
      expect(raw.header.littleEndian).toBe(!e.big_endian);
      expect(raw.dtype).toBe(e.dtype);
      expect(raw.scaled).toBe(false);
      checkValues(raw, e.raw, 0);
      expect(raw.spacing.length).toBe(e.spacing.length);
      raw.spacing.forEach((s, k) => expect(s).toBeCloseTo(e.spacing[k], e.datatype === 128 ? 1 : 6));
      expectAffine(raw.affine, e.affine);
      expect(raw.header.qform_code).toBe(e.qform_code);
      expect(raw.header.sform_code).toBe(e.sform_code);
      if (e.descrip !== undefined) expect(raw.header.descrip).toBe(e.descrip);

      const scaled = readNifti(join(FIX, fn));
      const hasScl = e.slope !== null && (e.slope !== 1 || e.inter !== 0);
      expect(scaled.scaled).toBe(hasScl);
      expect(scaled.dtype).toBe(hasScl ? (e.dtype === 'float64' ? 'float64' : 'float32') : e.dtype);
      checkValues(scaled, e.scaled, scaled.dtype === 'float32' && hasScl ? 1e-6 : 0);
      if (hasScl) {
        expect(scaled.header.scl_slope).toBe(e.slope);
        expect(scaled.header.scl_inter).toBe(e.inter);
      }
    });
  }

  it('the 4D qform-only file maps voxels through the quaternion like nibabel', () => {
    const img = readNifti(join(FIX, 'nii1_4d_qform_only.nii.gz'));
    expect(img.shape).toEqual([2, 2, 4, 3]); // [t, z, y, x]
    expect(img.header.sform_code).toBe(0);
    expect(img.header.pixdim[0]).toBe(1);
    // data[t, z, y, x] = arange in Fortran order of (x, y, z, t) minus 5
    const [T, Z, Y, X] = img.shape;
    for (const [t, z, y, x] of [
      [0, 0, 0, 0],
      [1, 1, 3, 2],
      [0, 1, 2, 1],
    ]) {
      expect(img.data[((t * Z + z) * Y + y) * X + x]).toBe(x + 3 * (y + 4 * (z + 2 * t)) - 5);
    }
    expect(T).toBe(2);
  });

  it('a big-endian file reads the same values as its little-endian rewrite', () => {
    const be = readNifti(join(FIX, 'nii1_int16_be.nii'));
    const le = parseNifti(encodeNifti(be), 'le');
    expect(le.header.littleEndian).toBe(true);
    expect(nums(le.data)).toEqual(nums(be.data));
  });

  it('refuses complex data and header-only bytes with a clear error', () => {
    expect(() => readNifti(join(FIX, 'nii1_complex64.nii'))).toThrow(
      /nii1_complex64\.nii.*unsupported NIfTI datatype 32 \(complex64\)/,
    );
    expect(() => parseNifti(readFileSync(join(FIX, 'pair_int16.hdr')), 'x.hdr')).toThrow(/x\.hdr.*header-only/);
  });
});

describe('NIfTI write -> read round trips', () => {
  const files = Object.keys(expected);
  for (const version of [1, 2] as const) {
    for (const gzip of [false, true]) {
      it(`every fixture survives encode (v${version}, gzip=${gzip}) -> parse: data, geometry, scaling`, () => {
        for (const fn of files) {
          const src = readNifti(join(FIX, fn), { applyScaling: false });
          const bytes = encodeNifti(src, { version, gzip });
          expect(bytes[0] === 0x1f && bytes[1] === 0x8b).toBe(gzip);
          const back = parseNifti(bytes, `${fn}-rt`, { applyScaling: false });
          expect(back.header.version).toBe(version);
          expect(back.shape).toEqual(src.shape);
          expect(back.dtype).toBe(src.dtype);
          expect(back.header.datatype).toBe(src.header.datatype);
          expect(nums(back.data)).toEqual(nums(src.data));
          // a NIfTI-2 source written as NIfTI-1 goes through float32 geometry fields
          const geomTol = version === 1 && src.header.version === 2 ? 1e-7 : 0;
          back.spacing.forEach((v, k) =>
            expect(Math.abs(v - src.spacing[k])).toBeLessThanOrEqual(geomTol * src.spacing[k]),
          );
          expect(back.header.qform_code).toBe(src.header.qform_code);
          expect(back.header.sform_code).toBe(src.header.sform_code);
          expectAffine(back.affine, src.affine, geomTol);
          expect(back.header.scl_slope).toBe(src.header.scl_slope);
          expect(back.header.scl_inter).toBe(src.header.scl_inter);
          // and the scaled view of the rewrite equals the scaled view of the original
          const s1 = readNifti(join(FIX, fn));
          const s2 = parseNifti(bytes, `${fn}-rt`);
          expect(nums(s2.data)).toEqual(nums(s1.data));
        }
      });
    }
  }

  it('writing already-scaled data stores slope 1 so it is not scaled twice', () => {
    const scaled = readNifti(join(FIX, 'nii1_int16_scl.nii.gz'));
    expect(scaled.dtype).toBe('float32');
    const back = parseNifti(encodeNifti(scaled), 'w');
    expect(back.header.datatype).toBe(16);
    expect(back.header.scl_slope).toBe(1);
    expect(back.scaled).toBe(false);
    expect(nums(back.data)).toEqual(nums(scaled.data));
    // float32 stored with a slope: scaled read -> write -> read is still right
    const f = readNifti(join(FIX, 'nii1_float32_scl.nii'));
    expect(nums(parseNifti(encodeNifti(f), 'f').data)).toEqual(nums(f.data));
  });

  it('writeNifti: .nii, .nii.gz (by suffix) and .hdr/.img pairs read back, atomically written', () => {
    const src = readNifti(join(FIX, 'nii1_int32.nii'));
    for (const name of ['a.nii', 'b.nii.gz', 'c.hdr', 'd.img.gz']) {
      const p = join(tmp, name);
      writeNifti(p, src);
      const back = readNifti(p);
      expect(nums(back.data)).toEqual(nums(src.data));
      expectAffine(back.affine, src.affine, 0);
      if (name.endsWith('.gz'))
        expect(readFileSync(p.endsWith('.img.gz') ? p.replace('.img.gz', '.hdr.gz') : p)[0]).toBe(0x1f);
    }
    expect(readNifti(join(tmp, 'c.img')).shape).toEqual([3, 4, 5]);
  });

  it('an explicit affine (no header) becomes sform and an equivalent qform', () => {
    const th = 0.7;
    const A = [
      [Math.cos(th) * 0.7, 0, -Math.sin(th) * 3, 12.5],
      [0, -1.2, 0, -40],
      [Math.sin(th) * 0.7, 0, Math.cos(th) * 3, 7.25],
      [0, 0, 0, 1],
    ]; // det < 0: a reflection, so qfac = -1
    const data = Int16Array.from({ length: 60 }, (_, i) => i * 11 - 300);
    const img = parseNifti(encodeNifti({ data, shape: [3, 4, 5], dtype: 'int16', affine: A }), 'aff');
    expect(img.header.sform_code).toBeGreaterThan(0);
    expect(img.header.qform_code).toBeGreaterThan(0);
    expect(img.header.pixdim[0]).toBe(-1);
    expectAffine(img.affine, A, 1e-6);
    img.spacing.forEach((s, k) => expect(s).toBeCloseTo([3, 1.2, 0.7][k], 6));
    const h = img.header;
    const q = quaternToAffine(
      h.quatern_b,
      h.quatern_c,
      h.quatern_d,
      h.qoffset_x,
      h.qoffset_y,
      h.qoffset_z,
      h.pixdim[1],
      h.pixdim[2],
      h.pixdim[3],
      h.pixdim[0],
    );
    expectAffine(q, A, 1e-6);
  });

  it('quaternion <-> affine conversions invert each other (nifti1_io formulas)', () => {
    for (const [b, c, d, qfac] of [
      [0.1, -0.2, 0.3, 1],
      [0.9, 0.1, -0.2, -1],
      [0, 0, 0, 1],
      [0.5, 0.5, 0.5, -1],
    ]) {
      const A = quaternToAffine(b, c, d, 1, 2, 3, 0.5, 2, 3.5, qfac);
      const q = affineToQuatern(A);
      expect(q.qfac).toBe(qfac);
      expectAffine(quaternToAffine(q.b, q.c, q.d, q.qx, q.qy, q.qz, q.dx, q.dy, q.dz, q.qfac), A, 1e-12);
    }
  });

  it('spacing given explicitly lands in pixdim (reversed to x, y, z)', () => {
    const img = parseNifti(
      encodeNifti({ data: new Float32Array(24), shape: [2, 3, 4], dtype: 'float32', spacing: [3, 0.5, 0.25] }),
      'sp',
    );
    expect(img.header.pixdim.slice(1, 4)).toEqual([0.25, 0.5, 3]);
    expect(img.spacing).toEqual([3, 0.5, 0.25]);
    expectAffine(
      img.affine,
      [
        [0.25, 0, 0, 0],
        [0, 0.5, 0, 0],
        [0, 0, 3, 0],
        [0, 0, 0, 1],
      ],
      0,
    );
  });

  it('rejects what NIfTI cannot store', () => {
    expect(() => encodeNifti({ data: new Uint16Array(4), shape: [4], dtype: 'float16' })).toThrow(
      /float16 cannot be stored/,
    );
    expect(() => encodeNifti({ data: new Uint8Array(40000), shape: [40000], dtype: 'uint8' })).toThrow(
      /40000.*NIfTI-1/,
    );
    expect(
      parseNifti(encodeNifti({ data: new Uint8Array(40000), shape: [40000], dtype: 'uint8' }, { version: 2 }), 'v2')
        .shape,
    ).toEqual([40000]);
    expect(() =>
      writeNifti(join(tmp, 'bad.nii'), { data: new Float32Array(5), shape: [2, 3], dtype: 'float32' }),
    ).toThrow(/bad\.nii.*5 elements/);
  });

  it.skipIf(!hasPython('nibabel', 'numpy'))('nibabel reads our files: shape, dtype, sums, affine, scaling', () => {
    const cases: [string, NiftiImage][] = [];
    for (const fn of [
      'nii1_int16_scl.nii.gz',
      'nii2_float64_scl.nii',
      'nii1_4d_qform_only.nii.gz',
      'nii1_uint64.nii',
      'nii1_rgb24.nii',
    ]) {
      const src = readNifti(join(FIX, fn), { applyScaling: false });
      for (const ext of ['.nii', '.nii.gz']) {
        const p = join(tmp, `nib-${fn.replace(/\..*/, '')}${ext}`);
        writeNifti(p, src);
        cases.push([p, readNifti(join(FIX, fn))]);
      }
    }
    const pair = join(tmp, 'nib-pair.hdr');
    writeNifti(pair, readNifti(join(FIX, 'nii1_float32.nii.gz')));
    cases.push([pair, readNifti(join(FIX, 'nii1_float32.nii.gz'))]);
    const out = JSON.parse(
      runPython(
        `
import sys, json, numpy as np, nibabel as nib
r = []
for p in sys.argv[1:]:
    img = nib.load(p)
    a = np.asarray(img.dataobj)
    if a.dtype.names:  # rgb24
        a = np.stack([a[n] for n in a.dtype.names], -1).transpose(2, 1, 0, 3)
    else:
        a = a.transpose()
    r.append({'shape': list(a.shape), 'sum': float(a.astype(np.float64).sum()), 'affine': img.affine.tolist()})
print(json.dumps(r))`,
        cases.map((c) => c[0]),
      ),
    );
    cases.forEach(([p, want], k) => {
      expect(out[k].shape, p).toEqual(want.shape);
      expect(Math.abs(out[k].sum - sum(want.data)), p).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(out[k].sum)));
      expectAffine(out[k].affine, want.affine, 1e-9);
    });
  });
});

describe('NIfTI data placement', () => {
  it('reads data at an odd vox_offset (misaligned: copied) and big data zero-copy at 352', () => {
    const data = Float64Array.from({ length: 24 }, (_, i) => i * 1.25 - 3);
    const enc = encodeNifti({ data, shape: [2, 3, 4], dtype: 'float64' });
    const odd = new Uint8Array(enc.length + 5);
    odd.set(enc.subarray(0, 352));
    odd.set(enc.subarray(352), 357);
    new DataView(odd.buffer).setFloat32(108, 357, true);
    const img = parseNifti(odd, 'odd.nii');
    expect(img.header.vox_offset).toBe(357);
    expect(img.data.byteOffset % 8).toBe(0);
    expect(Array.from(img.data as Float64Array)).toEqual(Array.from(data));
    const big = new Int32Array(1 << 16).map((_, i) => i * 3 - 7);
    const bytes = encodeNifti({ data: big, shape: [16, 64, 64], dtype: 'int32' });
    const view = parseNifti(bytes, 'big.nii');
    expect(view.data.buffer).toBe(bytes.buffer); // no copy
    expect(view.data[12345]).toBe(12345 * 3 - 7);
  });
});

describe('NIfTI errors name the file', () => {
  const good = encodeNifti({
    data: Int16Array.from({ length: 60 }, (_, i) => i),
    shape: [3, 4, 5],
    dtype: 'int16',
    spacing: [2, 1, 1],
  });
  const edit = (f: (dv: DataView, b: Uint8Array) => void) => {
    const b = good.slice();
    f(new DataView(b.buffer), b);
    return b;
  };
  it('truncation, magic, sizeof_hdr, vox_offset, dims, datatype', () => {
    expect(() => parseNifti(good.subarray(0, 200), 't.nii')).toThrow(/t\.nii.*truncated/);
    expect(() => parseNifti(good.subarray(0, good.length - 2), 't2.nii')).toThrow(
      /t2\.nii.*truncated NIfTI data.*120 bytes.*118/,
    );
    expect(() =>
      parseNifti(
        edit((_, b) => {
          b[345] = 0x3f;
        }),
        'm.nii',
      ),
    ).toThrow(/m\.nii.*magic/);
    expect(() =>
      parseNifti(
        edit((dv) => dv.setInt32(0, 349, true)),
        's.nii',
      ),
    ).toThrow(/s\.nii.*sizeof_hdr is 349/);
    expect(() =>
      parseNifti(
        edit((dv) => dv.setFloat32(108, 1e6, true)),
        'v.nii',
      ),
    ).toThrow(/v\.nii.*vox_offset 1000000 is beyond/);
    expect(() =>
      parseNifti(
        edit((dv) => dv.setFloat32(108, 100, true)),
        'v2.nii',
      ),
    ).toThrow(/v2\.nii.*inside the 348-byte header/);
    expect(() =>
      parseNifti(
        edit((dv) => dv.setFloat32(108, NaN, true)),
        'v3.nii',
      ),
    ).toThrow(/v3\.nii.*vox_offset/);
    expect(() =>
      parseNifti(
        edit((dv) => dv.setInt16(42, -4, true)),
        'd.nii',
      ),
    ).toThrow(/d\.nii.*dim\[1\] = -4/);
    expect(() =>
      parseNifti(
        edit((dv) => dv.setInt16(44, 0, true)),
        'd0.nii',
      ),
    ).toThrow(/d0\.nii.*dim\[2\] = 0/);
    expect(() =>
      parseNifti(
        edit((dv) => dv.setInt16(40, 9, true)),
        'd9.nii',
      ),
    ).toThrow(/d9\.nii.*dim\[0\] = 9/);
    expect(() =>
      parseNifti(
        edit((dv) => {
          dv.setInt16(42, 32767, true);
          dv.setInt16(44, 32767, true);
          dv.setInt16(46, 32767, true);
        }),
        'big.nii',
      ),
    ).toThrow(/big\.nii.*truncated NIfTI data/);
    expect(() =>
      parseNifti(
        edit((dv) => dv.setInt16(70, 1536, true)),
        'f128.nii',
      ),
    ).toThrow(/f128\.nii.*datatype 1536 \(float128\)/);
    expect(() =>
      parseNifti(
        edit((dv) => dv.setInt16(70, 777, true)),
        'dt.nii',
      ),
    ).toThrow(/dt\.nii.*unsupported NIfTI datatype 777/);
    expect(() => readNifti(join(tmp, 'nope.nii.gz'))).toThrow(/nope\.nii\.gz/);
  });
  it('gzip: corrupt stream, dims larger than the compressed file can hold, truncated stream', () => {
    const gz = gzipSync(good);
    const c = gz.slice();
    c[20] ^= 0xff;
    c[30] ^= 0xff;
    expect(() => parseNifti(c, 'c.nii.gz')).toThrow(/c\.nii\.gz/);
    const huge = edit((dv) => {
      dv.setInt16(42, 30000, true);
      dv.setInt16(44, 30000, true);
      dv.setInt16(46, 300, true);
    });
    expect(() => parseNifti(gzipSync(huge), 'h.nii.gz')).toThrow(/h\.nii\.gz.*more than the .*gzip file can hold/);
    expect(() => parseNifti(gz.subarray(0, gz.length - 10), 'tr.nii.gz')).toThrow(
      /tr\.nii\.gz.*(corrupt gzip|unexpected end)/,
    );
    // NIfTI-2 header inside gzip, multi-member: fine
    const v2 = encodeNifti({ data: new Float64Array([1, 2, 3, 4]), shape: [2, 2], dtype: 'float64' }, { version: 2 });
    const mm = Buffer.concat([
      gzipSync(v2.subarray(0, 100)),
      gzipSync(v2.subarray(100, 600)),
      gzipSync(v2.subarray(600)),
    ]);
    expect(nums(parseNifti(mm, 'mm.nii.gz').data)).toEqual([1, 2, 3, 4]);
    expect(gunzipSync(mm).length).toBe(v2.length);
  });
});

describe('NIfTI speed', () => {
  it('reading a 512x512x150 int16 .nii.gz is dominated by gunzip', () => {
    const [Z, Y, X] = [150, 512, 512];
    const data = new Int16Array(Z * Y * X);
    for (let z = 0, i = 0; z < Z; z++)
      for (let y = 0; y < Y; y++)
        for (let x = 0; x < X; x++, i++) data[i] = ((x * 7 + y * 3 + z * 11) % 2000) - 1000 + ((i * 2654435761) >>> 29);
    const raw = encodeNifti({ data, shape: [Z, Y, X], dtype: 'int16', spacing: [2.5, 0.7, 0.7] });
    const gz = gzipSync(raw, { level: 1 });
    const p = join(tmp, 'big.nii.gz');
    writeFileSync(p, gz);
    let tGunzip = Infinity,
      tRead = Infinity;
    for (let rep = 0; rep < 2; rep++) {
      let t = performance.now();
      gunzipSync(readFileSync(p));
      tGunzip = Math.min(tGunzip, performance.now() - t);
      t = performance.now();
      const img = readNifti(p);
      tRead = Math.min(tRead, performance.now() - t);
      expect(img.shape).toEqual([Z, Y, X]);
      expect(img.data[123456]).toBe(data[123456]);
      expect(img.data[data.length - 1]).toBe(data[data.length - 1]);
    }
    console.log(
      `512x512x150 int16 .nii.gz: readNifti ${tRead.toFixed(0)} ms, plain gunzipSync ${tGunzip.toFixed(0)} ms`,
    );
    expect(tRead).toBeLessThan(1.5 * tGunzip + 100);
  });
});
