#!/usr/bin/env python3
"""Generates the small .npy / NIfTI fixtures under test/fixtures/io/ and their expected values.

Run once (needs numpy and nibabel: `pip install nibabel`); the tests only read the outputs.
    python3 scripts/make-io-fixtures.py
"""
import gzip
import json
import os

import numpy as np
import nibabel as nib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'io')
os.makedirs(OUT, exist_ok=True)
expected = {'npy': {}, 'nifti': {}}


def summary(a):
    a = np.asarray(a)
    flat = a.reshape(-1, order='C')
    idx = [0, len(flat) // 3, len(flat) - 1] if len(flat) else []
    vals = flat[idx]
    if a.dtype == np.float16:
        vals = vals.astype(np.float32)
    return {
        'shape': list(a.shape),
        'sum': float(a.astype(np.float64).sum()),
        'flat_index': idx,
        # 64-bit integers as strings (exact), bools as 0/1, everything else as JSON numbers
        'values': [str(v.item()) if a.dtype.kind in 'iu' and a.dtype.itemsize == 8
                   else int(v) if a.dtype.kind == 'b' else v.item() for v in vals],
    }


# ---------------------------------------------------------------- npy
rng = np.random.default_rng(1234)
base = np.arange(24).reshape(2, 3, 4)
for dt in ['float16', 'float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64',
           'uint64', 'bool']:
    if dt == 'bool':
        a = (base % 3 == 0)
    elif dt.startswith('int'):
        a = (base - 11).astype(dt) * (3 if dt != 'int8' else 1)
    elif dt.startswith('uint'):
        a = (base * (1000 if dt in ('uint32', 'uint64') else 7 if dt == 'uint16' else 1)).astype(dt)
    else:
        a = (base / 7.0 - 1.5).astype(dt)
    if dt == 'uint64':
        a[0, 0, 0] = np.uint64(2**64 - 5)
    if dt == 'int64':
        a[0, 0, 0] = np.int64(-(2**62) - 3)
    for order in ('le', 'be'):
        b = a if order == 'le' else a.astype(a.dtype.newbyteorder('>'))
        fn = f'npy_{dt}_{order}.npy'
        np.save(os.path.join(OUT, fn), b)
        expected['npy'][fn] = {'dtype': dt, **summary(a)}
    # Fortran order
    fn = f'npy_{dt}_fortran.npy'
    np.save(os.path.join(OUT, fn), np.asfortranarray(a))
    expected['npy'][fn] = {'dtype': dt, **summary(a)}

# versions 2.0 and 3.0
a = (np.arange(30, dtype=np.float32).reshape(5, 6) - 4.25)
for ver in [(1, 0), (2, 0), (3, 0)]:
    fn = f'npy_v{ver[0]}.npy'
    with open(os.path.join(OUT, fn), 'wb') as f:
        np.lib.format.write_array(f, a, version=ver)
    expected['npy'][fn] = {'dtype': 'float32', **summary(a)}
# 0-d, 1-d, empty, 4-d fortran big-endian
for fn, a in [('npy_scalar.npy', np.array(3.5, dtype=np.float64)),
              ('npy_1d.npy', np.arange(7, dtype=np.int16)),
              ('npy_empty.npy', np.zeros((3, 0, 2), dtype=np.float32)),
              ('npy_4d_fortran_be.npy', np.asfortranarray(rng.standard_normal((2, 3, 4, 5)).astype('>f4')))]:
    np.save(os.path.join(OUT, fn), a)
    dt = a.dtype.newbyteorder('=').name
    expected['npy'][fn] = {'dtype': dt, **summary(a)}
# an unsupported one: complex, object
np.save(os.path.join(OUT, 'npy_complex64.npy'), np.array([1 + 2j, 3 - 1j], dtype=np.complex64))

# ---------------------------------------------------------------- NIfTI
def affine_qs():
    # A non-trivial rotation + scaling + shift (qform) and a different, sheared sform.
    ang = 0.3
    rot = np.array([[np.cos(ang), -np.sin(ang), 0], [np.sin(ang), np.cos(ang), 0], [0, 0, 1]])
    q = np.eye(4)
    q[:3, :3] = rot @ np.diag([0.8, 0.9, 2.5])
    q[:3, 3] = [-100.5, 20.25, 33.0]
    s = q.copy()
    s[0, 1] += 0.05
    s[:3, 3] = [-90.0, 10.0, 5.5]
    return q, s


def patch_scl(path, ver, slope, inter):
    import struct
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        b = bytearray(f.read())
    if ver == 1:
        struct.pack_into('<ff', b, 112, slope, inter)
    else:
        struct.pack_into('<dd', b, 176, slope, inter)
    with opener(path, 'wb') as f:
        f.write(bytes(b))


def nifti_entry(fn, img_path, note):
    img = nib.load(img_path)
    hdr = img.header
    raw = np.asanyarray(img.dataobj)  # applies scaling like get_fdata but keeps dtype rules of nibabel
    unscaled = img.dataobj.get_unscaled() if hasattr(img.dataobj, 'get_unscaled') else raw
    arr_zyx = np.asarray(unscaled).transpose()  # SimpleITK order: reversed axes
    # nibabel moves scl_* from img.header into the array proxy on load
    slope, inter = getattr(img.dataobj, 'slope', None), getattr(img.dataobj, 'inter', None)
    scaled = np.asarray(img.get_fdata(dtype=np.float64)).transpose()
    zooms = [float(z) for z in hdr.get_zooms()]
    e = {
        'note': note,
        'version': 2 if isinstance(img, (nib.Nifti2Image, nib.Nifti2Pair)) else 1,
        'datatype': int(hdr['datatype']),
        'dtype': str(np.asarray(unscaled).dtype.newbyteorder('=').name),
        'shape': list(arr_zyx.shape),
        'spacing': zooms[::-1],
        'affine': img.affine.tolist(),
        'qform_code': int(hdr['qform_code']),
        'sform_code': int(hdr['sform_code']),
        'qform': img.get_qform().tolist(),
        'sform': img.get_sform().tolist(),
        'slope': None if slope is None else float(slope),
        'inter': None if inter is None else float(inter),
        'raw': summary(arr_zyx),
        'scaled': summary(scaled),
        'big_endian': hdr.endianness == '>',
        'descrip': hdr['descrip'].item().decode('latin1'),
    }
    expected['nifti'][fn] = e


q, s = affine_qs()
shape_xyz = (5, 4, 3)
grid = np.arange(np.prod(shape_xyz)).reshape(shape_xyz, order='F')
cases = [
    ('nii1_uint8.nii', np.uint8, grid % 251, 1, {}),
    ('nii1_int8.nii.gz', np.int8, grid - 30, 1, {}),
    ('nii1_int16_scl.nii.gz', np.int16, grid * 37 - 1000, 1, {'slope': 0.5, 'inter': -12.0}),
    ('nii1_uint16.nii', np.uint16, grid * 1000, 1, {}),
    ('nii1_int32.nii', np.int32, grid * 100000 - 7, 1, {}),
    ('nii1_uint32.nii.gz', np.uint32, grid * 70000000, 1, {}),
    ('nii1_int64.nii', np.int64, grid * 10**12 - 5, 1, {}),
    ('nii1_uint64.nii', np.uint64, grid * 10**12, 1, {}),
    ('nii1_float32.nii.gz', np.float32, grid / 3.0 - 2, 1, {}),
    ('nii1_float64.nii', np.float64, grid / 7.0 + 0.1, 1, {}),
    ('nii1_float32_scl.nii', np.float32, grid / 4.0, 1, {'slope': 2.0, 'inter': 1.0}),
    ('nii2_int16.nii.gz', np.int16, grid - 20, 2, {}),
    ('nii2_float64_scl.nii', np.float64, grid * 0.5, 2, {'slope': 3.0, 'inter': -1.0}),
    ('nii1_uint8_scl.nii.gz', np.uint8, grid, 1, {'slope': 0.25, 'inter': 10.0}),
]
for fn, dt, data, ver, extra in cases:
    cls = nib.Nifti1Image if ver == 1 else nib.Nifti2Image
    img = cls(np.asarray(data).astype(dt), s, dtype=dt)
    img.set_qform(q, code=1)
    img.set_sform(s, code=2)
    img.header.set_data_dtype(dt)
    img.header['descrip'] = f'skcdf fixture {fn}'.encode()
    p = os.path.join(OUT, fn)
    nib.save(img, p)
    if 'slope' in extra:
        # nibabel resets scl_* on save: patch the stored slope/inter into the header bytes
        patch_scl(p, ver, extra['slope'], extra['inter'])
        do = nib.load(p).dataobj
        assert (float(do.slope), float(do.inter)) == (extra['slope'], extra['inter'])
    nifti_entry(fn, p, f'{dt.__name__} v{ver}')

# qform only (sform_code 0), 4D, big-endian
img = nib.Nifti1Image(np.arange(3 * 4 * 2 * 2, dtype=np.int16).reshape((3, 4, 2, 2), order='F') - 5, q, dtype=np.int16)
img.set_qform(q, code=1)
img.set_sform(None, code=0)
img.header.set_zooms((0.8, 0.9, 2.5, 1.5))
p = os.path.join(OUT, 'nii1_4d_qform_only.nii.gz')
nib.save(img, p)
nifti_entry('nii1_4d_qform_only.nii.gz', p, '4D qform only')

# big-endian: nibabel writes in the header's endianness
hdr = nib.Nifti1Header(endianness='>')
img = nib.Nifti1Image(((grid * 13) - 200).astype('>i2'), s, header=hdr)
img.set_qform(q, code=1)
img.set_sform(s, code=1)
img.header.set_data_dtype('>i2')
p = os.path.join(OUT, 'nii1_int16_be.nii')
nib.save(img, p)
assert nib.load(p).header.endianness == '>'
nifti_entry('nii1_int16_be.nii', p, 'big-endian int16')

hdr = nib.Nifti2Header(endianness='>')
img = nib.Nifti2Image((grid / 9.0).astype('>f4'), s, header=hdr)
img.set_qform(q, code=1)
img.set_sform(s, code=1)
p = os.path.join(OUT, 'nii2_float32_be.nii.gz')
nib.save(img, p)
nifti_entry('nii2_float32_be.nii.gz', p, 'big-endian float32 v2')

# RGB24
rgb = np.zeros(shape_xyz, dtype=[('R', 'u1'), ('G', 'u1'), ('B', 'u1')])
rgb['R'] = grid % 256
rgb['G'] = (grid * 3) % 256
rgb['B'] = 255 - grid
img = nib.Nifti1Image(rgb, s)
p = os.path.join(OUT, 'nii1_rgb24.nii')
nib.save(img, p)
e = {'shape': [3, 4, 5, 3], 'sum': float(grid.sum() % 256 * 0), 'affine': nib.load(p).affine.tolist()}
a = np.stack([rgb['R'], rgb['G'], rgb['B']], axis=-1).transpose(2, 1, 0, 3)
expected['nifti']['nii1_rgb24.nii'] = {'note': 'rgb24', 'datatype': 128, 'dtype': 'uint8', 'shape': list(a.shape),
                                       'affine': nib.load(p).affine.tolist(), 'raw': summary(a), 'scaled': summary(a),
                                       'version': 1, 'slope': None, 'inter': None, 'big_endian': False,
                                       'spacing': [float(z) for z in nib.load(p).header.get_zooms()][::-1],
                                       'qform_code': int(nib.load(p).header['qform_code']),
                                       'sform_code': int(nib.load(p).header['sform_code'])}

# .hdr/.img pair
img = nib.Nifti1Pair((grid - 3).astype(np.int16), s)
img.set_qform(q, code=1)
img.set_sform(s, code=2)
p = os.path.join(OUT, 'pair_int16.hdr')
nib.save(img, p)
nifti_entry('pair_int16.hdr', p, '.hdr/.img pair')

# multi-member gzip of a plain file
with open(os.path.join(OUT, 'nii1_uint8.nii'), 'rb') as f:
    b = f.read()
with open(os.path.join(OUT, 'nii1_uint8_multimember.nii.gz'), 'wb') as f:
    f.write(gzip.compress(b[:200]) + gzip.compress(b[200:]))
expected['nifti']['nii1_uint8_multimember.nii.gz'] = dict(expected['nifti']['nii1_uint8.nii'])

# complex (unsupported)
img = nib.Nifti1Image((grid + 1j).astype(np.complex64), s)
nib.save(img, os.path.join(OUT, 'nii1_complex64.nii'))

with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump(expected, f, indent=1)
print('wrote', len(expected['npy']), 'npy and', len(expected['nifti']), 'nifti fixtures to', OUT)
