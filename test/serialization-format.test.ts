import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contiguousBytes,
  crc32,
  loadPth,
  loadSafetensors,
  savePth,
  saveSafetensors,
  writeZip,
  ZipReader,
  type DTypeName,
  type PyDict,
  type PyValue,
  type RawStorage,
  type RawTensor,
} from '../lib/torch/serialization/index.js';
import { zipSync } from 'fflate';
import { Pickler } from '../lib/torch/serialization/pickle.js';
import { hasPython, runPython } from '../test-support/python.js';

const FIX = join(import.meta.dirname, 'fixtures/serialization');
const hasTorch = hasPython('torch');
const hasSafetensors = hasTorch && hasPython('safetensors.torch');
if (!hasTorch) console.warn('serialization-format: python3 with torch not importable: live PyTorch checks are SKIPPED');
else if (!hasSafetensors)
  console.warn('serialization-format: python safetensors not importable: live safetensors checks are SKIPPED');

// ---------------------------------------------------------------------------------------------
// One encoding of a loaded value, produced identically by Python (from torch objects) and by
// TypeScript (from raw records), so whole structures compare with one toEqual. Storage sharing is
// encoded as the index of the tensor's storage in order of first appearance.

type Enc = unknown;

const PY_ENC = String.raw`
import torch, json, collections, sys, os, math
def enc(o, groups):
    if o is None: return None
    if isinstance(o, bool): return {'bool': o}
    if isinstance(o, int): return {'num': o} if abs(o) <= 2**53 - 1 else {'big': str(o)}
    if isinstance(o, float): return {'num': o if math.isfinite(o) else repr(o)}
    if isinstance(o, str): return {'str': o}
    if isinstance(o, torch.Tensor):
        t = o.detach()
        st = t.untyped_storage()
        sid = groups.setdefault(st.data_ptr(), len(groups)) if st.nbytes() > 0 else None
        return {'tensor': {'dtype': str(t.dtype)[6:], 'shape': list(t.shape), 'stride': list(t.stride()),
            'offset': t.storage_offset(), 'rg': o.requires_grad, 'param': isinstance(o, torch.nn.Parameter),
            'hex': t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes().hex(), 'storage': sid}}
    if isinstance(o, list): return {'list': [enc(x, groups) for x in o]}
    if isinstance(o, tuple): return {'tuple': [enc(x, groups) for x in o]}
    if isinstance(o, dict):
        d = {'dict': 'OrderedDict' if isinstance(o, collections.OrderedDict) else 'dict',
             'keys': [enc(k, groups) for k in o], 'values': [enc(v, groups) for v in o.values()]}
        md = getattr(o, '_metadata', None)
        if md is not None: d['attrs'] = {'_metadata': enc(md, groups)}
        return d
    raise TypeError(type(o))
def E(o): return enc(o, {})
`;

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function encode(v: PyValue): Enc {
  const groups = new Map<RawStorage, number>();
  const enc = (x: PyValue): Enc => {
    if (x === null) return null;
    switch (typeof x) {
      case 'boolean':
        return { bool: x };
      case 'number':
        return { num: Number.isFinite(x) ? x : Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf' };
      case 'bigint':
        return { big: String(x) };
      case 'string':
        return { str: x };
    }
    if (Array.isArray(x)) return { list: x.map(enc) };
    if (x.kind === 'tuple') return { tuple: x.items.map(enc) };
    if (x.kind === 'tensor') {
      let sid: number | null = null;
      if (x.storage.bytes.byteLength > 0) {
        if (!groups.has(x.storage)) groups.set(x.storage, groups.size);
        sid = groups.get(x.storage)!;
      }
      return {
        tensor: {
          dtype: x.storage.dtype,
          shape: x.shape,
          stride: x.strides,
          offset: x.storageOffset,
          rg: x.requiresGrad,
          param: x.parameter === true,
          hex: hex(contiguousBytes(x)),
          storage: sid,
        },
      };
    }
    const out: Record<string, Enc> = {
      dict: x.ordered ? 'OrderedDict' : 'dict',
      keys: [...x.entries.keys()].map((k) => enc(k)),
      values: [...x.entries.values()].map(enc),
    };
    const md = x.attributes?.get('_metadata');
    if (md !== undefined) out.attrs = { _metadata: enc(md) };
    return out;
  };
  return enc(v);
}

// ---------------------------------------------------------------------------------------------
// Small decoding helpers for checking values.

function f16(h: number): number {
  const s = h & 0x8000 ? -1 : 1,
    e = (h >> 10) & 0x1f,
    m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function toNumbers(t: RawTensor): number[] {
  const b = contiguousBytes(t);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n =
    b.byteLength /
    (
      {
        float16: 2,
        bfloat16: 2,
        float32: 4,
        float64: 8,
        int64: 8,
        int32: 4,
        int16: 2,
        int8: 1,
        uint8: 1,
        bool: 1,
      } as Record<string, number>
    )[t.storage.dtype];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    switch (t.storage.dtype) {
      case 'float32':
        out.push(v.getFloat32(4 * i, true));
        break;
      case 'float64':
        out.push(v.getFloat64(8 * i, true));
        break;
      case 'float16':
        out.push(f16(v.getUint16(2 * i, true)));
        break;
      case 'bfloat16': {
        const tmp = new DataView(new ArrayBuffer(4));
        tmp.setUint32(0, v.getUint16(2 * i, true) << 16);
        out.push(tmp.getFloat32(0));
        break;
      }
      case 'int64':
        out.push(Number(v.getBigInt64(8 * i, true)));
        break;
      case 'int32':
        out.push(v.getInt32(4 * i, true));
        break;
      case 'int16':
        out.push(v.getInt16(2 * i, true));
        break;
      case 'int8':
        out.push(v.getInt8(i));
        break;
      case 'uint8':
      case 'bool':
        out.push(v.getUint8(i));
        break;
      default:
        throw new Error(`no decoder for ${t.storage.dtype}`);
    }
  }
  return out;
}

function asDict(v: PyValue): PyDict {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v.kind !== 'dict') throw new Error('not a dict');
  return v;
}

function asTensor(v: PyValue | undefined): RawTensor {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v.kind !== 'tensor') throw new Error('not a tensor');
  return v;
}

function rezip(
  bytes: Uint8Array,
  change: (entries: { name: string; data: Uint8Array }[]) => { name: string; data: Uint8Array }[],
): Uint8Array {
  const z = new ZipReader(bytes);
  return writeZip(change(z.names().map((name) => ({ name, data: z.read(name) }))));
}

function pickleArchive(pkl: Uint8Array, extra: { name: string; data: Uint8Array }[] = []): Uint8Array {
  return writeZip([
    { name: 'a/data.pkl', data: pkl },
    ...extra,
    { name: 'a/version', data: new TextEncoder().encode('3\n') },
  ]);
}

const fixturePth = readFileSync(join(FIX, 'state_dict.pth'));

// ---------------------------------------------------------------------------------------------

describe('committed fixture: attention state_dict.pth', () => {
  const expected = JSON.parse(readFileSync(join(FIX, 'state_dict.expected.json'), 'utf8')) as {
    type: string;
    keys: string[];
    tensors: Record<string, { dtype: DTypeName; shape: number[]; sum: number; first: number[] }>;
  };

  it('reads keys (in order), shapes, dtypes, sums and first values as PyTorch reports them', () => {
    const sd = asDict(loadPth(fixturePth, 'state_dict.pth'));
    expect(sd.ordered).toBe(expected.type === 'OrderedDict');
    expect([...sd.entries.keys()]).toEqual(expected.keys);
    for (const [k, e] of Object.entries(expected.tensors)) {
      const t = asTensor(sd.entries.get(k));
      expect(t.storage.dtype, k).toBe(e.dtype);
      expect(t.shape, k).toEqual(e.shape);
      const vals = toNumbers(t);
      expect(vals.slice(0, 3), k).toEqual(e.first);
      const sum = vals.reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - e.sum), k).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e.sum)));
    }
    expect(Object.keys(expected.tensors).length).toBeGreaterThan(20);
  });

  it.skipIf(!hasTorch)('expected JSON matches what live PyTorch computes now', () => {
    const out = runPython(`${PY_ENC}
sys.path.insert(0, ${JSON.stringify(FIX)})
from make_fixtures import summary
print(json.dumps(summary(${JSON.stringify(join(FIX, 'state_dict.pth'))})))
`);
    expect(JSON.parse(out)).toEqual(expected);
  });

  it('load -> save -> load is identical, and saving is deterministic', () => {
    const a = loadPth(fixturePth, 'state_dict.pth');
    const bytes1 = savePth(a);
    const b = loadPth(bytes1, 'resaved.pth');
    expect(encode(b)).toEqual(encode(a));
    expect(hex(savePth(b))).toBe(hex(bytes1));
  });
});

// ---------------------------------------------------------------------------------------------

describe.skipIf(!hasTorch)('files written by Python torch.save', () => {
  let dir = '';
  let expected: Record<string, Enc> = {};
  const cases = ['state_dict', 'one_key', 'nested', 'dtypes', 'views', 'edge', 'proto4'];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'skcdf-ser-'));
    const out = runPython(
      `${PY_ENC}
d = sys.argv[1]
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Conv1d(2, 3, 3), torch.nn.BatchNorm1d(3), torch.nn.ReLU(), torch.nn.Linear(4, 2))
model.train(); model(torch.randn(5, 2, 6)); model(torch.randn(5, 2, 6))
sd = model.state_dict()
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=3e-5)
model(torch.randn(5, 2, 6)).square().sum().backward(); opt.step()
x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
dt = {}
for name in ['float16', 'bfloat16', 'float32', 'float64', 'uint8', 'int8', 'int16', 'int32', 'int64', 'bool',
             'uint16', 'uint32', 'uint64', 'complex64', 'complex128']:
    dtype = getattr(torch, name)
    if dtype.is_complex: t = torch.complex(torch.randn(2, 3), torch.randn(2, 3)).to(dtype)
    elif dtype.is_floating_point: t = torch.randn(2, 3).to(dtype)
    elif dtype == torch.bool: t = torch.tensor([[True, False, True], [False, False, True]])
    else:
        info = torch.iinfo(dtype)
        t = torch.tensor([[info.min, info.max, 0], [1, 2, 3]], dtype=dtype) if dtype not in (torch.uint32, torch.uint64) else torch.tensor([[0, 1, 2], [3, 4, 5]], dtype=dtype)
    dt[name] = t
cases = {
    'state_dict': sd,
    'one_key': {'weight': torch.randn(3, 2)},
    'nested': {'model': sd, 'optimizer': opt.state_dict(), 'epoch': 3, 'best_dice': 0.8125, 'steps': 2**70,
               'neg': -70000, 'name': 'r\u00e9sum\u00e9 \u2713', 'none': None, 'flag': True, 'pair': (1, 2.5), 'empty': [], 'emptyt': ()},
    'dtypes': dt,
    'views': collections.OrderedDict([('x', x), ('rows', x[1:]), ('t', x.t()), ('col', x[:, 2]), ('step', x[::2, 1::2]), ('y', x.clone())]),
    'edge': {'scalar': torch.tensor(3.5), 'iscalar': torch.tensor(7), 'empty': torch.zeros(0, 4), 'empty3': torch.zeros(2, 0, 3, dtype=torch.int64),
             'param': torch.nn.Parameter(torch.randn(2, 2)), 'frozen': torch.nn.Parameter(torch.randn(2), requires_grad=False),
             'rg': torch.randn(3, requires_grad=True)},
    'proto4': {'a': torch.randn(2), 'b': [torch.arange(3), {'c': 1.5}], 'sd': sd},
}
res = {}
for k, v in cases.items():
    torch.save(v, os.path.join(d, k + '.pth'), pickle_protocol=4 if k == 'proto4' else 2)
    res[k] = E(v)
torch.save(sd, os.path.join(d, 'legacy.pth'), _use_new_zipfile_serialization=False)
torch.save({'w': torch.zeros(1), 'module': torch.nn.Linear(1, 1)}, os.path.join(d, 'module.pth'))
print(json.dumps(res))
`,
      [dir],
    );
    expected = JSON.parse(out);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const name of cases) {
    it(`${name}.pth: loadPth gives exactly what Python saved`, () => {
      const v = loadPth(readFileSync(join(dir, `${name}.pth`)), `${name}.pth`);
      expect(encode(v)).toEqual(expected[name]);
    });
  }

  it('state_dict: OrderedDict with _metadata, int64 num_batches_tracked = 3', () => {
    const sd = asDict(loadPth(readFileSync(join(dir, 'state_dict.pth')), 'state_dict.pth'));
    expect(sd.ordered).toBe(true);
    const md = asDict(sd.attributes!.get('_metadata')!);
    expect([...md.entries.keys()]).toEqual(['', '0', '1', '2', '3']);
    const nbt = asTensor(sd.entries.get('1.num_batches_tracked'));
    expect(nbt.storage.dtype).toBe('int64');
    expect(nbt.shape).toEqual([]);
    expect(toNumbers(nbt)).toEqual([3]); // three train-mode forwards (the state dict aliases the live buffers)
  });

  it('views share one RawStorage object', () => {
    const v = asDict(loadPth(readFileSync(join(dir, 'views.pth')), 'views.pth'));
    const s = (k: string) => asTensor(v.entries.get(k)).storage;
    expect(s('rows')).toBe(s('x'));
    expect(s('t')).toBe(s('x'));
    expect(s('step')).toBe(s('x'));
    expect(s('y')).not.toBe(s('x'));
    expect(toNumbers(asTensor(v.entries.get('t')))).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(asTensor(v.entries.get('rows')).storageOffset).toBe(4);
  });

  it('savePth output is read by Python torch.load (weights_only True/False, mmap) identically, storages shared', () => {
    const out2 = mkdtempSync(join(tmpdir(), 'skcdf-ser-out-'));
    try {
      for (const name of cases) {
        const v = loadPth(readFileSync(join(dir, `${name}.pth`)), `${name}.pth`);
        writeFileSync(join(out2, `${name}.pth`), savePth(v, { archiveName: name }));
      }
      const res = JSON.parse(
        runPython(
          `${PY_ENC}
d = sys.argv[1]
res = {}
for k in sys.argv[2:]:
    p = os.path.join(d, k + '.pth')
    a = E(torch.load(p, weights_only=True))
    assert E(torch.load(p, weights_only=False)) == a, k
    assert E(torch.load(p, weights_only=True, mmap=True)) == a, k
    res[k] = a
v = torch.load(os.path.join(d, 'views.pth'), weights_only=True)
res['shared'] = [v['x'].untyped_storage().data_ptr() == v[k].untyped_storage().data_ptr() for k in ['rows', 't', 'col', 'step', 'y']]
print(json.dumps(res))
`,
          [out2, ...cases],
        ),
      );
      for (const name of cases) expect(res[name], name).toEqual(expected[name]);
      expect(res.shared).toEqual([true, true, true, true, false]);
    } finally {
      rmSync(out2, { recursive: true, force: true });
    }
  });

  it('a legacy (non-zip) torch.save file gives a clear error', () => {
    expect(() => loadPth(readFileSync(join(dir, 'legacy.pth')), 'legacy.pth')).toThrow(
      /legacy\.pth: not a zip archive \(legacy non-zip torch\.save/,
    );
  });

  it('a pickled nn.Module is refused like weights_only=True', () => {
    expect(() => loadPth(readFileSync(join(dir, 'module.pth')), 'module.pth')).toThrow(
      /module\.pth: refusing to unpickle global torch\.nn\.modules\.linear\.Linear \(only tensors and containers are allowed, like torch\.load\(weights_only=True\)\)/,
    );
  });
});

// ---------------------------------------------------------------------------------------------

function storageOf(dtype: DTypeName, key: string, bytes: ArrayBufferView): RawStorage {
  return { key, dtype, device: 'cpu', bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

function handBuilt(): PyValue {
  const base = storageOf(
    'float32',
    'base',
    Float32Array.from({ length: 12 }, (_, i) => i * 0.5 - 1),
  );
  const t = (
    storage: RawStorage,
    shape: number[],
    strides: number[],
    storageOffset = 0,
    extra: Partial<RawTensor> = {},
  ): RawTensor => ({ kind: 'tensor', storage, storageOffset, shape, strides, requiresGrad: false, ...extra });
  const inner: PyDict = {
    kind: 'dict',
    ordered: true,
    entries: new Map<string | number, PyValue>([
      ['full', t(base, [3, 4], [4, 1])],
      ['tail', t(base, [2, 4], [4, 1], 4)],
      ['transposed', t(base, [4, 3], [1, 4])],
      [
        'weight',
        t(storageOf('float64', 'w', Float64Array.of(1.5, -2.25, 1e-300)), [3], [1], 0, {
          parameter: true,
          requiresGrad: true,
        }),
      ],
      ['u16', t(storageOf('uint16', 'u16', Uint16Array.of(0, 65535, 1234)), [3], [1])],
      ['u64', t(storageOf('uint64', 'u64', BigUint64Array.of(0n, 2n ** 64n - 1n)), [2], [1])],
      ['c128', t(storageOf('complex128', 'c', Float64Array.of(1, -1, 0.5, 2)), [2], [1])],
      ['mask', t(storageOf('bool', 'm', Uint8Array.of(1, 0, 1)), [3], [1])],
      ['scalar', t(storageOf('int64', 's', BigInt64Array.of(-(2n ** 40n))), [], [])],
      ['empty', t(storageOf('float32', 'e', new Float32Array(0)), [0, 5], [5, 1])],
      ['grad', t(storageOf('float32', 'g', Float32Array.of(3, 4)), [2], [1], 0, { requiresGrad: true })],
    ]),
    attributes: new Map<string, PyValue>([
      [
        '_metadata',
        {
          kind: 'dict',
          ordered: true,
          entries: new Map<string | number, PyValue>([
            ['', { kind: 'dict', ordered: false, entries: new Map([['version', 1]]) }],
          ]),
        },
      ],
    ]),
  };
  return {
    kind: 'dict',
    ordered: false,
    entries: new Map<string | number, PyValue>([
      ['model', inner],
      [
        'optimizer',
        {
          kind: 'dict',
          ordered: false,
          entries: new Map<string | number, PyValue>([
            [
              'state',
              {
                kind: 'dict',
                ordered: false,
                entries: new Map<string | number, PyValue>([
                  [
                    0,
                    {
                      kind: 'dict',
                      ordered: false,
                      entries: new Map([['momentum_buffer', inner.entries.get('tail')!]]),
                    },
                  ],
                ]),
              },
            ],
            [
              'param_groups',
              [
                {
                  kind: 'dict',
                  ordered: false,
                  entries: new Map<string | number, PyValue>([
                    ['lr', 0.01],
                    ['momentum', 0.9],
                    ['nesterov', true],
                    ['params', [0, 1, 2]],
                  ]),
                },
              ],
            ],
          ]),
        },
      ],
      ['epoch', 3],
      ['big', 2n ** 70n],
      ['negbig', -(2n ** 64n)],
      ['neg', -70000],
      ['i32', -5],
      ['float', 0.1],
      ['negzero', -0],
      ['inf', Infinity],
      ['s', 'r\u00e9sum\u00e9 \u2713'],
      ['none', null],
      ['flag', false],
      ['tuple', { kind: 'tuple', items: [1, 'a', { kind: 'tuple', items: [] }] }],
      [7, 'int key'],
      [2.5, 'float key'],
    ]),
  };
}

describe('zip container variants', () => {
  const entriesOf = (bytes: Uint8Array) => {
    const z = new ZipReader(bytes);
    return z.names().map((name) => ({ name, data: z.read(name) }));
  };

  it('CRC-32 is the zip one', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('reads deflated entries (fflate zipSync, level 9)', () => {
    const files = Object.fromEntries(entriesOf(fixturePth).map((e) => [e.name, e.data]));
    const deflated = zipSync(files, { level: 9 });
    const z = new ZipReader(deflated, 'deflated.pth');
    expect([...z.entries.values()].filter((e) => e.method === 8).length).toBeGreaterThan(10);
    expect(encode(loadPth(deflated, 'deflated.pth'))).toEqual(encode(loadPth(fixturePth, 'state_dict.pth')));
  });

  it('reads and writes zip64 records (forced) the same as plain ones', () => {
    const v = handBuilt();
    const z64 = writeZip(entriesOf(savePth(v)), 64, { forceZip64: true });
    const view = new DataView(z64.buffer, z64.byteOffset, z64.byteLength);
    expect(view.getUint32(z64.byteLength - 22 - 20, true)).toBe(0x07064b50); // zip64 locator before the EOCD
    expect(view.getUint16(z64.byteLength - 22 + 10, true)).toBe(0xffff);
    expect(encode(loadPth(z64, 'zip64.pth'))).toEqual(encode(v));
  });

  it.skipIf(!hasTorch)('Python zipfile and torch.load accept our zip64 and aligned stored archives', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skcdf-z64-'));
    try {
      const v = handBuilt();
      const plain = savePth(v);
      writeFileSync(join(dir, 'plain.pth'), plain);
      writeFileSync(join(dir, 'z64.pth'), writeZip(entriesOf(plain), 64, { forceZip64: true }));
      const res = JSON.parse(
        runPython(
          `${PY_ENC}
import zipfile
out = {}
for k in ['plain', 'z64']:
    p = os.path.join(sys.argv[1], k + '.pth')
    with zipfile.ZipFile(p) as z: bad = z.testzip()
    out[k] = {'testzip': bad, 'enc': E(torch.load(p, weights_only=True))}
print(json.dumps(out))
`,
          [dir],
        ),
      );
      for (const k of ['plain', 'z64']) {
        expect(res[k].testzip, k).toBeNull();
        expect(res[k].enc, k).toEqual(encode(v));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('savePth (hand-built raw records)', () => {
  it('round trips through loadPth exactly, with shared storage kept', () => {
    const v = handBuilt();
    const back = loadPth(savePth(v), 'hand.pth');
    expect(encode(back)).toEqual(encode(v));
    const model = asDict(asDict(back).entries.get('model')!);
    expect(asTensor(model.entries.get('tail')).storage).toBe(asTensor(model.entries.get('full')).storage);
    const opt = asDict(asDict(back).entries.get('optimizer')!);
    const buf = asDict(asDict(opt.entries.get('state')!).entries.get(0)!).entries.get('momentum_buffer');
    expect(asTensor(buf).storage).toBe(asTensor(model.entries.get('full')).storage);
  });

  it('writes each storage once, data 64-byte aligned, records Python expects', () => {
    const bytes = savePth(handBuilt(), { archiveName: 'ckpt' });
    const z = new ZipReader(bytes, 'hand.pth');
    expect(z.names()).toEqual([
      'ckpt/data.pkl',
      'ckpt/byteorder',
      ...Array.from({ length: 9 }, (_, i) => `ckpt/data/${i}`),
      'ckpt/version',
    ]);
    expect(new TextDecoder().decode(z.read('ckpt/byteorder'))).toBe('little');
    expect(new TextDecoder().decode(z.read('ckpt/version'))).toBe('3\n');
    expect(z.read('ckpt/data/0').byteLength).toBe(48);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const e of z.entries.values()) {
      const h = e.localHeaderOffset;
      const start = h + 30 + view.getUint16(h + 26, true) + view.getUint16(h + 28, true);
      expect(start % 64, e.name).toBe(0);
    }
  });

  it.skipIf(!hasTorch)(
    'Python torch.load(weights_only=True) reads it: values, nesting, dtypes, Parameter, shared storage',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'skcdf-ser-hand-'));
      try {
        const v = handBuilt();
        const p = join(dir, 'hand.pth');
        writeFileSync(p, savePth(v));
        const res = JSON.parse(
          runPython(
            `${PY_ENC}
o = torch.load(sys.argv[1], weights_only=True)
m = o['model']
print(json.dumps({'enc': E(o), 'md': m._metadata, 'types': [type(o).__name__, type(m).__name__, type(o['tuple']).__name__],
  'shared': [m['full'].untyped_storage().data_ptr() == m[k].untyped_storage().data_ptr() for k in ['tail', 'transposed', 'weight']]
     + [o['optimizer']['state'][0]['momentum_buffer'].untyped_storage().data_ptr() == m['full'].untyped_storage().data_ptr()],
  'tail': m['tail'].tolist(), 'u64': [int(x) for x in m['u64'].tolist()], 'c128': [[z.real, z.imag] for z in m['c128'].tolist()]}))
`,
            [p],
          ),
        );
        expect(res.enc).toEqual(encode(v));
        expect(res.md).toEqual({ '': { version: 1 } });
        expect(res.types).toEqual(['dict', 'OrderedDict', 'tuple']);
        expect(res.shared).toEqual([true, true, false, true]);
        expect(res.tail).toEqual([
          [1, 1.5, 2, 2.5],
          [3, 3.5, 4, 4.5],
        ]);
        expect(res.u64).toEqual([0, 18446744073709552000]);
        expect(res.c128).toEqual([
          [1, -1],
          [0.5, 2],
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------

describe('errors', () => {
  const evil = (pkl: string) => pickleArchive(Uint8Array.from(Buffer.from(pkl, 'latin1')));
  const REFUSE = (g: string) =>
    new RegExp(
      `evil\\.pth.*refusing to unpickle global ${g.replace(/\./g, '\\.')} \\(only tensors and containers are allowed, like torch\\.load\\(weights_only=True\\)\\)`,
    );

  it('refuses os.system (GLOBAL + REDUCE), __builtin__.eval, STACK_GLOBAL builtins.exec', () => {
    expect(() =>
      loadPth(evil('\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00echoq\x01\x85q\x02Rq\x03.'), 'evil.pth'),
    ).toThrow(REFUSE('os.system'));
    expect(() => loadPth(evil('c__builtin__\neval\n(X\x01\x00\x00\x001tR.'), 'evil.pth')).toThrow(
      REFUSE('__builtin__.eval'),
    );
    expect(() =>
      loadPth(
        evil('\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x8c\x04exec\x93\x8c\x011\x85R.'),
        'evil.pth',
      ),
    ).toThrow(REFUSE('builtins.exec'));
    expect(() => loadPth(evil('\x80\x02ctorch\nload\n.'), 'evil.pth')).toThrow(REFUSE('torch.load'));
  });

  it('refuses using a storage class or dtype as a callable, and non-container results', () => {
    expect(() => loadPth(evil('\x80\x02ctorch\nFloatStorage\n)R.'), 'evil.pth')).toThrow(REFUSE('torch.FloatStorage'));
    expect(() => loadPth(evil('\x80\x02ctorch\nFloatStorage\n.'), 'evil.pth')).toThrow(
      /evil\.pth: the checkpoint holds a torch\.FloatStorage/,
    );
  });

  it('truncated files error with the file name (every cut point class), never crash', () => {
    const cuts = new Set([
      0,
      1,
      4,
      21,
      22,
      30,
      64,
      100,
      fixturePth.length - 1,
      fixturePth.length - 22,
      fixturePth.length - 23,
      fixturePth.length >> 1,
    ]);
    for (let c = 0; c < fixturePth.length; c += 997) cuts.add(c);
    for (const c of cuts) {
      expect(() => loadPth(fixturePth.subarray(0, c), 'state_dict.pth'), `cut ${c}`).toThrow(/^state_dict\.pth: /);
    }
    expect(() => loadPth(fixturePth.subarray(0, 50000), 'state_dict.pth')).toThrow(
      /state_dict\.pth: truncated or corrupt zip archive/,
    );
  });

  it('corrupt data is caught by the CRC; corrupt zip structures error', () => {
    const z = new ZipReader(fixturePth);
    const e = z.entries.get('state_dict/data/3')!;
    const bad = Uint8Array.from(fixturePth);
    const view = new DataView(bad.buffer);
    const start =
      e.localHeaderOffset +
      30 +
      view.getUint16(e.localHeaderOffset + 26, true) +
      view.getUint16(e.localHeaderOffset + 28, true);
    bad[start + 1] ^= 0x40;
    expect(() => loadPth(bad, 'state_dict.pth')).toThrow(
      /state_dict\.pth: corrupt zip entry state_dict\/data\/3 \(CRC mismatch\)/,
    );
    // Random byte flips anywhere: an Error naming the file, or a successful read.
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 200; i++) {
      const b = Uint8Array.from(fixturePth);
      for (let j = 0; j < 4; j++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      try {
        loadPth(b, 'fuzz.pth');
      } catch (err) {
        expect((err as Error).message).toMatch(/^fuzz\.pth: /);
      }
    }
  });

  it('fuzzed pickles (re-zipped so the CRC passes) error with the file name or load, never hang', () => {
    const z = new ZipReader(fixturePth);
    const pkl = z.read('state_dict/data.pkl');
    let seed = 99;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 300; i++) {
      const p = Uint8Array.from(pkl);
      const n = 1 + Math.floor(rnd() * 3);
      for (let j = 0; j < n; j++) p[Math.floor(rnd() * p.length)] = Math.floor(rnd() * 256);
      const cut = rnd() < 0.2 ? Math.floor(rnd() * p.length) : p.length;
      const bytes = rezip(fixturePth, (es) =>
        es.map((e) => (e.name.endsWith('data.pkl') ? { name: e.name, data: p.subarray(0, cut) } : e)),
      );
      try {
        loadPth(bytes, 'fuzz.pth');
      } catch (err) {
        expect((err as Error).message).toMatch(/^fuzz\.pth/);
      }
    }
  });

  it('missing data.pkl, missing storage record, short storage record', () => {
    const noPkl = rezip(fixturePth, (es) => es.filter((e) => !e.name.endsWith('data.pkl')));
    expect(() => loadPth(noPkl, 'nopkl.pth')).toThrow(/nopkl\.pth: missing data\.pkl/);
    const noRec = rezip(fixturePth, (es) => es.filter((e) => e.name !== 'state_dict/data/5'));
    expect(() => loadPth(noRec, 'norec.pth')).toThrow(/norec\.pth: missing storage record state_dict\/data\/5/);
    const short = rezip(fixturePth, (es) =>
      es.map((e) => (e.name === 'state_dict/data/5' ? { name: e.name, data: e.data.subarray(0, 8) } : e)),
    );
    expect(() => loadPth(short, 'short.pth')).toThrow(
      /short\.pth: storage record state_dict\/data\/5 has 8 bytes, expected \d+ \(\d+ float32\)/,
    );
  });

  it('a view larger than its storage is refused', () => {
    const p = new Pickler();
    p.proto();
    p.global('torch._utils', '_rebuild_tensor_v2');
    p.mark();
    p.mark();
    p.str('storage');
    p.global('torch', 'FloatStorage');
    p.str('0');
    p.str('cpu');
    p.int(4);
    p.tuple();
    p.binpersid();
    p.int(1);
    p.mark();
    p.int(2);
    p.int(2);
    p.tuple();
    p.mark();
    p.int(2);
    p.int(1);
    p.tuple();
    p.bool(false);
    p.global('collections', 'OrderedDict');
    p.emptyTuple();
    p.reduce();
    p.tuple();
    p.reduce();
    p.stop();
    const bytes = pickleArchive(p.finish(), [{ name: 'a/data/0', data: new Uint8Array(16) }]);
    expect(() => loadPth(bytes, 'view.pth')).toThrow(
      /view\.pth: tensor on storage a\/data\/0: storage too small for the view: shape \[2,2\], strides \[2,1\], offset 1 needs elements 1\.\.4 but the storage has 4 float32 elements/,
    );
  });

  it('unknown opcode, truncated pickle, stack underflow', () => {
    expect(() => loadPth(evil('\x80\x02\xff.'), 'evil.pth')).toThrow(
      /evil\.pth \(a\/data\.pkl\): pickle at byte 2: unknown or unsupported pickle opcode 0xff/,
    );
    expect(() => loadPth(evil('\x80\x02X\x10\x00\x00\x00abc'), 'evil.pth')).toThrow(/evil\.pth.*truncated pickle/);
    expect(() => loadPth(evil('\x80\x02}s.'), 'evil.pth')).toThrow(/evil\.pth.*stack underflow/);
    expect(() => loadPth(evil('\x80\x02}'), 'evil.pth')).toThrow(/evil\.pth.*no STOP opcode/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('safetensors', () => {
  const fixture = readFileSync(join(FIX, 'small.safetensors'));
  const expected = JSON.parse(readFileSync(join(FIX, 'small.safetensors.json'), 'utf8')) as {
    metadata: Record<string, string>;
    tensors: Record<string, { dtype: DTypeName; shape: number[]; hex: string }>;
  };

  it('reads the fixture written by Python safetensors', () => {
    const { tensors, metadata } = loadSafetensors(fixture, 'small.safetensors');
    expect(metadata).toEqual(expected.metadata);
    expect([...tensors.keys()].sort()).toEqual(Object.keys(expected.tensors).sort());
    for (const [k, e] of Object.entries(expected.tensors)) {
      const t = tensors.get(k)!;
      expect({ dtype: t.storage.dtype, shape: t.shape, hex: hex(contiguousBytes(t)) }, k).toEqual(e);
    }
    expect(toNumbers(tensors.get('i64')!)).toEqual([-(2 ** 40), 7, 2 ** 53]); // 2**53+1 is not a double
    expect(toNumbers(tensors.get('bool')!)).toEqual([1, 0, 1]);
  });

  function sample(): [string, RawTensor][] {
    const base: RawStorage = {
      key: 'b',
      dtype: 'float32',
      device: 'cpu',
      bytes: new Uint8Array(Float32Array.from({ length: 6 }, (_, i) => i + 0.25).buffer),
    };
    return [
      ...loadSafetensors(fixture).tensors.entries(),
      [
        'view.t',
        { kind: 'tensor', storage: base, storageOffset: 0, shape: [3, 2], strides: [1, 3], requiresGrad: false },
      ],
      ['view.tail', { kind: 'tensor', storage: base, storageOffset: 3, shape: [3], strides: [1], requiresGrad: false }],
      [
        'u16',
        {
          kind: 'tensor',
          storage: { key: 'u', dtype: 'uint16', device: 'cpu', bytes: new Uint8Array(Uint16Array.of(1, 65535).buffer) },
          storageOffset: 0,
          shape: [2],
          strides: [1],
          requiresGrad: false,
        },
      ],
    ];
  }

  it('writes the documented format: u64 LE header length, JSON header padded with spaces to 8, offsets', () => {
    const bytes = saveSafetensors(sample(), { format: 'pt', who: 'skcdf' });
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text).toMatch(/^\{.*\} *$/);
    const header = JSON.parse(text) as Record<
      string,
      { dtype: string; shape: number[]; data_offsets: [number, number] }
    > & { __metadata__: unknown };
    expect(header.__metadata__).toEqual({ format: 'pt', who: 'skcdf' });
    const dtypes = Object.fromEntries(
      Object.entries(header)
        .filter(([k]) => k !== '__metadata__')
        .map(([k, v]) => [k, v.dtype]),
    );
    expect(dtypes).toEqual({
      f32: 'F32',
      f64: 'F64',
      f16: 'F16',
      bf16: 'BF16',
      i64: 'I64',
      i32: 'I32',
      i16: 'I16',
      i8: 'I8',
      u8: 'U8',
      bool: 'BOOL',
      scalar: 'F32',
      empty: 'F32',
      'view.t': 'F32',
      'view.tail': 'F32',
      u16: 'U16',
    });
    let end = 0;
    for (const [k, v] of Object.entries(header)) {
      if (k === '__metadata__') continue;
      const h = v as { data_offsets: [number, number] };
      expect(h.data_offsets[0], k).toBe(end);
      end = h.data_offsets[1];
    }
    expect(bytes.byteLength).toBe(8 + n + end);
    expect(header['view.t'].shape).toEqual([3, 2]);
    const back = loadSafetensors(bytes, 'out.safetensors');
    expect(toNumbers(back.tensors.get('view.t')!)).toEqual([0.25, 3.25, 1.25, 4.25, 2.25, 5.25]);
    expect(toNumbers(back.tensors.get('view.tail')!)).toEqual([3.25, 4.25, 5.25]);
    for (const [k, t] of sample()) expect(hex(contiguousBytes(back.tensors.get(k)!)), k).toBe(hex(contiguousBytes(t)));
  });

  it('refuses dtypes safetensors has no name for, and bad files name themselves', () => {
    const c: RawTensor = {
      kind: 'tensor',
      storage: { key: 'c', dtype: 'complex128', device: 'cpu', bytes: new Uint8Array(16) },
      storageOffset: 0,
      shape: [1],
      strides: [1],
      requiresGrad: false,
    };
    expect(() => saveSafetensors([['c', c]])).toThrow(/tensor c: dtype complex128 has no safetensors equivalent/);
    for (const cut of [0, 7, 8, 20, fixture.length - 1]) {
      expect(() => loadSafetensors(fixture.subarray(0, cut), 'small.safetensors'), `cut ${cut}`).toThrow(
        /^small\.safetensors: /,
      );
    }
    const bad = Uint8Array.from(fixture);
    bad[7] = 0x7f;
    expect(() => loadSafetensors(bad, 'small.safetensors')).toThrow(
      /small\.safetensors: safetensors header length \d+ is too large/,
    );
  });

  it.skipIf(!hasSafetensors)('Python safetensors reads what we write and we read what it writes (live)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skcdf-st-'));
    try {
      writeFileSync(join(dir, 'ours.safetensors'), saveSafetensors(sample(), { format: 'pt' }));
      const res = JSON.parse(
        runPython(
          `${PY_ENC}
from safetensors.torch import load_file, save_file
from safetensors import safe_open
d = sys.argv[1]
t = load_file(os.path.join(d, 'ours.safetensors'))
with safe_open(os.path.join(d, 'ours.safetensors'), 'pt') as f: md = f.metadata()
save_file({'a': torch.arange(6, dtype=torch.float64).reshape(2, 3), 'b': torch.tensor([True, False]), 'c': torch.randn(4).bfloat16()}, os.path.join(d, 'theirs.safetensors'), metadata={'k': 'v'})
th = load_file(os.path.join(d, 'theirs.safetensors'))
print(json.dumps({'ours': {k: {'dtype': str(v.dtype)[6:], 'shape': list(v.shape), 'hex': v.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes().hex()} for k, v in t.items()},
  'md': md, 'theirs': {k: {'dtype': str(v.dtype)[6:], 'shape': list(v.shape), 'hex': v.reshape(-1).view(torch.uint8).numpy().tobytes().hex()} for k, v in th.items()}}))
`,
          [dir],
        ),
      );
      expect(res.md).toEqual({ format: 'pt' });
      for (const [k, t] of sample()) {
        expect(res.ours[k], k).toEqual({ dtype: t.storage.dtype, shape: t.shape, hex: hex(contiguousBytes(t)) });
      }
      const theirs = loadSafetensors(readFileSync(join(dir, 'theirs.safetensors')), 'theirs.safetensors');
      expect(theirs.metadata).toEqual({ k: 'v' });
      for (const [k, e] of Object.entries(res.theirs as Record<string, unknown>)) {
        const t = theirs.tensors.get(k)!;
        expect({ dtype: t.storage.dtype, shape: t.shape, hex: hex(contiguousBytes(t)) }, k).toEqual(e);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
