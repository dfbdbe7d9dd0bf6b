/**
 * PyTorch `.pth`/`.pt` checkpoints (torch.save's zip format): `<archive>/data.pkl` is a pickle whose
 * tensors refer through persistent ids to storages stored as `<archive>/data/<key>`.
 *
 * Reading accepts only the globals torch.save uses for tensors and containers (like Python's
 * `torch.load(weights_only=True)`); anything else is refused before it could matter.
 */
import { ZipReader, writeZip, type ZipWriteEntry } from './zip.js';
import {
  Pickler,
  describe,
  isPyGlobal,
  newDict,
  unpickle,
  type Opaque,
  type PyGlobal,
  type Unpickled,
} from './pickle.js';
import {
  DTYPE_NAMES,
  ITEM_SIZE,
  isRawTensor,
  viewProblem,
  type DTypeName,
  type PyDict,
  type PyTuple,
  type PyValue,
  type RawStorage,
  type RawTensor,
} from './types.js';

/** Legacy typed storage classes (`torch.FloatStorage`, ...) and their dtypes. */
const STORAGE_DTYPES: Record<string, DTypeName> = {
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  ByteStorage: 'uint8',
  CharStorage: 'int8',
  ShortStorage: 'int16',
  IntStorage: 'int32',
  LongStorage: 'int64',
  BoolStorage: 'bool',
  ComplexFloatStorage: 'complex64',
  ComplexDoubleStorage: 'complex128',
};
const DTYPE_STORAGE: Partial<Record<DTypeName, string>> = Object.fromEntries(
  Object.entries(STORAGE_DTYPES).map(([k, v]) => [v, k]),
);

/** `torch.<name>` dtype objects as pickled (by `_rebuild_tensor_v3`), aliases included. */
const TORCH_DTYPES: Record<string, DTypeName> = {
  ...Object.fromEntries(DTYPE_NAMES.map((d) => [d, d])),
  half: 'float16',
  float: 'float32',
  double: 'float64',
  short: 'int16',
  int: 'int32',
  long: 'int64',
  cfloat: 'complex64',
  cdouble: 'complex128',
};

interface StorageRef extends Opaque {
  what: 'storage';
  value: { storage: RawStorage; untyped: boolean; dtypeSet: boolean };
}
interface DtypeRef extends Opaque {
  what: 'dtype';
  value: DTypeName;
}
interface StorageClass extends Opaque {
  what: 'storage class';
  value: DTypeName | 'untyped';
}

function refuse(file: string, module: string, name: string): never {
  throw new Error(
    `${file}: refusing to unpickle global ${module}.${name} ` +
      '(only tensors and containers are allowed, like torch.load(weights_only=True))',
  );
}

function prefixOf(zip: ZipReader, file: string): string {
  const pkl = zip.names().filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  // The archive folder is the first path component; prefer a top-level `<archive>/data.pkl`.
  const top = pkl.find((n) => n.split('/').length === 2) ?? pkl.find((n) => n === 'data.pkl');
  if (top === undefined) {
    if (zip.has('constants.pkl') || zip.names().some((n) => n.endsWith('/constants.pkl'))) {
      throw new Error(`${file}: missing data.pkl (this looks like a TorchScript archive, not a torch.save checkpoint)`);
    }
    throw new Error(`${file}: missing data.pkl in the zip archive (not a torch.save checkpoint)`);
  }
  return top.slice(0, top.length - 'data.pkl'.length);
}

function asInt(v: Unpickled, what: string, file: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new Error(`${file}: ${what} is a ${describe(v)}, expected an int`);
}

function asIntTuple(v: Unpickled, what: string, file: string): number[] {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'tuple') {
    return v.items.map((x, i) => asInt(x, `${what}[${i}]`, file));
  }
  if (Array.isArray(v)) return v.map((x, i) => asInt(x, `${what}[${i}]`, file));
  throw new Error(`${file}: ${what} is a ${describe(v)}, expected a tuple of ints`);
}

function isOpaque<T extends Opaque>(v: Unpickled, what: T['what']): v is T {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'opaque' && v.what === what;
}

/** Reads a torch.save checkpoint (zip format) into raw records. `name` is used in error messages. */
export function loadPth(bytes: Uint8Array, name = '<bytes>'): PyValue {
  try {
    return loadPthUnchecked(bytes, name);
  } catch (err) {
    // Every failure names the file, whatever layer raised it.
    const msg = err instanceof Error ? err.message : String(err);
    if (msg.startsWith(name)) throw err;
    throw new Error(`${name}: cannot read checkpoint: ${msg}`, { cause: err });
  }
}

function loadPthUnchecked(bytes: Uint8Array, name: string): PyValue {
  const zip = new ZipReader(bytes, name);
  const prefix = prefixOf(zip, name);
  if (zip.has(`${prefix}byteorder`)) {
    const order = new TextDecoder().decode(zip.read(`${prefix}byteorder`)).trim();
    if (order !== 'little')
      throw new Error(`${name}: byte order ${JSON.stringify(order)} is not supported (only little-endian)`);
  }
  const storages = new Map<string, StorageRef>();

  const makeTensor = (
    st: Unpickled,
    offsetV: Unpickled,
    sizeV: Unpickled,
    strideV: Unpickled,
    rg: Unpickled,
    fn: string,
    dtype?: DTypeName,
  ): RawTensor => {
    if (!isOpaque<StorageRef>(st, 'storage'))
      throw new Error(`${name}: ${fn} got a ${describe(st)} instead of a storage`);
    const ref = st.value;
    if (ref.untyped) {
      if (!dtype) throw new Error(`${name}: ${fn} needs a dtype for an untyped storage`);
      if (!ref.dtypeSet) {
        if (ref.storage.bytes.byteLength % ITEM_SIZE[dtype]) {
          throw new Error(
            `${name}: storage ${ref.storage.key} has ${ref.storage.bytes.byteLength} bytes, not a multiple of the ${dtype} size`,
          );
        }
        ref.storage.dtype = dtype;
        ref.dtypeSet = true;
      } else if (ref.storage.dtype !== dtype) {
        throw new Error(
          `${name}: storage ${ref.storage.key} is viewed as both ${ref.storage.dtype} and ${dtype} (unsupported)`,
        );
      }
    } else if (dtype && dtype !== ref.storage.dtype) {
      throw new Error(`${name}: storage ${ref.storage.key} is ${ref.storage.dtype} but the tensor is ${dtype}`);
    }
    const t: RawTensor = {
      kind: 'tensor',
      storage: ref.storage,
      storageOffset: asInt(offsetV, `${fn} storage offset`, name),
      shape: asIntTuple(sizeV, `${fn} size`, name),
      strides: asIntTuple(strideV, `${fn} stride`, name),
      requiresGrad: rg === true,
    };
    const problem = viewProblem(t);
    if (problem) throw new Error(`${name}: tensor on storage ${prefix}data/${ref.storage.key}: ${problem}`);
    return t;
  };

  const fnGlobal = (module: string, fname: string, call: (a: Unpickled[]) => Unpickled): PyGlobal => ({
    kind: 'global',
    module,
    name: fname,
    call,
  });
  const arity = (fn: string, a: Unpickled[], min: number, max: number) => {
    if (a.length < min || a.length > max) throw new Error(`${name}: ${fn} called with ${a.length} arguments`);
  };

  const findGlobal = (module: string, gname: string): PyGlobal => {
    const full = `${module}.${gname}`;
    switch (full) {
      case 'collections.OrderedDict':
        return fnGlobal(module, gname, (a) => {
          const d = newDict(true);
          if (a.length === 1 && Array.isArray(a[0])) {
            for (const pair of a[0]) {
              if (
                typeof pair !== 'object' ||
                pair === null ||
                Array.isArray(pair) ||
                pair.kind !== 'tuple' ||
                pair.items.length !== 2
              ) {
                throw new Error(`${name}: OrderedDict() argument is not a list of pairs`);
              }
              const k = pair.items[0];
              if (typeof k !== 'string' && typeof k !== 'number')
                throw new Error(`${name}: unsupported OrderedDict key ${describe(k)}`);
              d.entries.set(k, pair.items[1]);
            }
          } else if (a.length !== 0) {
            throw new Error(`${name}: OrderedDict() called with unsupported arguments`);
          }
          return d;
        });
      case 'collections.Counter':
        // Counter(dict), e.g. MultiStepLR's milestones in a scheduler state dict: the dict of counts, marked.
        return fnGlobal(module, gname, (a) => {
          arity(full, a, 0, 1);
          const src = a[0];
          if (src === undefined) return { ...newDict(false), counter: true };
          if (typeof src !== 'object' || src === null || Array.isArray(src) || src.kind !== 'dict')
            throw new Error(`${name}: Counter() of a ${describe(src)}`);
          return { ...src, counter: true };
        });
      case 'torch._utils._rebuild_tensor':
        return fnGlobal(module, gname, (a) => {
          arity(full, a, 4, 4);
          return makeTensor(a[0], a[1], a[2], a[3], false, gname);
        });
      case 'torch._utils._rebuild_tensor_v2':
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        return fnGlobal(module, gname, (a) => {
          arity(full, a, 4, 7);
          return makeTensor(a[0], a[1], a[2], a[3], a[4], gname);
        });
      case 'torch._utils._rebuild_tensor_v3':
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype[, metadata])
        return fnGlobal(module, gname, (a) => {
          arity(full, a, 7, 8);
          if (!isOpaque<DtypeRef>(a[6], 'dtype'))
            throw new Error(`${name}: ${gname} dtype argument is a ${describe(a[6])}`);
          return makeTensor(a[0], a[1], a[2], a[3], a[4], gname, a[6].value);
        });
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state':
        // (data, requires_grad, backward_hooks[, state]); extra Python attributes in `state` are dropped.
        return fnGlobal(module, gname, (a) => {
          arity(full, a, 3, 4);
          if (!isRawTensor(a[0])) throw new Error(`${name}: ${gname} got a ${describe(a[0])} instead of a tensor`);
          return { ...a[0], requiresGrad: a[1] === true, parameter: true };
        });
      case 'torch.Size':
        return fnGlobal(module, gname, (a) => {
          arity(full, a, 0, 1);
          return { kind: 'tuple', items: a.length ? asIntTuple(a[0], 'torch.Size', name) : [] };
        });
      case 'builtins.set':
      case 'builtins.frozenset':
      case '__builtin__.set':
      case '__builtin__.frozenset':
        return fnGlobal(module, gname, (a) => {
          arity(full, a, 0, 1);
          if (a.length === 0) return [];
          const it = a[0];
          if (Array.isArray(it)) return [...it];
          if (typeof it === 'object' && it !== null && it.kind === 'tuple') return [...it.items];
          throw new Error(`${name}: ${full} of a ${describe(it)}`);
        });
      case 'torch.storage.UntypedStorage':
        return { ...fnGlobal(module, gname, () => refuse(name, module, gname)), storageClass: 'untyped' } as PyGlobal;
      default:
        break;
    }
    if (module === 'torch' && Object.hasOwn(STORAGE_DTYPES, gname)) {
      return {
        ...fnGlobal(module, gname, () => refuse(name, module, gname)),
        storageClass: STORAGE_DTYPES[gname],
      } as PyGlobal;
    }
    if (module === 'torch' && Object.hasOwn(TORCH_DTYPES, gname)) {
      const dt: DtypeRef = { kind: 'opaque', what: 'dtype', value: TORCH_DTYPES[gname] };
      // A dtype used as a value (not a call); REDUCE on it is refused.
      return { ...fnGlobal(module, gname, () => refuse(name, module, gname)), dtypeRef: dt } as PyGlobal;
    }
    return refuse(name, module, gname);
  };

  const persistentLoad = (pid: Unpickled): Unpickled => {
    if (typeof pid !== 'object' || pid === null || Array.isArray(pid) || pid.kind !== 'tuple') {
      throw new Error(`${name}: unsupported persistent id (a ${describe(pid)})`);
    }
    const [tag, cls, keyV, loc, numelV] = pid.items as Unpickled[];
    if (tag !== 'storage' || pid.items.length !== 5)
      throw new Error(`${name}: unsupported persistent id ${JSON.stringify(tag)}`);
    const sc = isPyGlobal(cls) ? (cls as PyGlobal & { storageClass?: DTypeName | 'untyped' }).storageClass : undefined;
    if (!sc) throw new Error(`${name}: persistent id names a ${describe(cls)} instead of a storage type`);
    if (typeof keyV !== 'string' && typeof keyV !== 'number')
      throw new Error(`${name}: bad storage key ${describe(keyV)}`);
    const key = String(keyV);
    const numel = asInt(numelV, `storage ${key} size`, name);
    const cached = storages.get(key);
    if (cached) return cached;
    const record = `${prefix}data/${key}`;
    if (!zip.has(record)) throw new Error(`${name}: missing storage record ${record}`);
    const data = zip.read(record);
    const dtype: DTypeName = sc === 'untyped' ? 'uint8' : sc;
    const nbytes = numel * ITEM_SIZE[dtype];
    if (data.byteLength < nbytes) {
      throw new Error(
        `${name}: storage record ${record} has ${data.byteLength} bytes, expected ${nbytes} (${numel} ${dtype})`,
      );
    }
    const ref: StorageRef = {
      kind: 'opaque',
      what: 'storage',
      value: {
        storage: { key, dtype, device: typeof loc === 'string' ? loc : 'cpu', bytes: data.subarray(0, nbytes) },
        untyped: sc === 'untyped',
        dtypeSet: false,
      },
    };
    storages.set(key, ref);
    return ref;
  };

  const build = (target: Unpickled, state: Unpickled): Unpickled => {
    if (
      typeof target === 'object' &&
      target !== null &&
      !Array.isArray(target) &&
      target.kind === 'dict' &&
      typeof state === 'object' &&
      state !== null &&
      !Array.isArray(state) &&
      state.kind === 'dict'
    ) {
      const attrs = target.attributes ?? new Map<string, PyValue>();
      for (const [k, v] of state.entries) attrs.set(String(k), v);
      target.attributes = attrs;
      return target;
    }
    if (isRawTensor(target)) return target; // tensor attributes (e.g. from _rebuild_from_type) are dropped
    throw new Error(`${name}: BUILD on a ${describe(target)} with a ${describe(state)} is not allowed`);
  };

  const result = unpickle(
    zip.read(`${prefix}data.pkl`),
    {
      findGlobal: (module, gname) => {
        const g = findGlobal(module, gname);
        const dt = (g as PyGlobal & { dtypeRef?: DtypeRef }).dtypeRef;
        return dt ? (dt as unknown as PyGlobal) : g;
      },
      persistentLoad,
      build,
    },
    `${name} (${prefix}data.pkl)`,
  );
  return checkValue(result, name);
}

/** Checks (deeply) that only PyValues remain: no globals, storages or dtypes leak out. */
function checkValue(root: Unpickled, file: string): PyValue {
  const seen = new Set<object>();
  const visit = (v: Unpickled) => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    switch (v.kind) {
      case 'tuple':
        v.items.forEach(visit);
        return;
      case 'dict':
        v.entries.forEach(visit);
        v.attributes?.forEach(visit);
        return;
      case 'tensor':
        return;
      default:
        throw new Error(`${file}: the checkpoint holds a ${describe(v)}, not a tensor or container`);
    }
  };
  visit(root);
  return root as PyValue;
}

/**
 * Writes `value` in torch.save's zip format (pickle protocol 2), readable by Python's `torch.load`
 * with `weights_only=True`. Storages are written once per `key`, so views stay views of one storage.
 */
export function savePth(value: PyValue, opts: { archiveName?: string } = {}): Uint8Array {
  const archive = opts.archiveName ?? 'archive';
  if (!/^[A-Za-z0-9_.-]+$/.test(archive)) throw new Error(`savePth: bad archive name ${JSON.stringify(archive)}`);
  const p = new Pickler();
  const storageIds = new Map<string, { id: string; storage: RawStorage }>();
  const records: ZipWriteEntry[] = [];
  const active = new Set<object>();

  const writeStorageRef = (s: RawStorage, legacy: boolean) => {
    let entry = storageIds.get(s.key);
    if (!entry) {
      entry = { id: String(storageIds.size), storage: s };
      storageIds.set(s.key, entry);
      records.push({ name: `${archive}/data/${entry.id}`, data: s.bytes });
    } else if (
      entry.storage !== s &&
      (entry.storage.dtype !== s.dtype || entry.storage.bytes.byteLength !== s.bytes.byteLength)
    ) {
      throw new Error(`savePth: two different storages share the key ${JSON.stringify(s.key)}`);
    }
    const item = ITEM_SIZE[s.dtype];
    if (s.bytes.byteLength % item)
      throw new Error(
        `savePth: storage ${s.key} has ${s.bytes.byteLength} bytes, not a multiple of the ${s.dtype} size`,
      );
    p.mark();
    p.str('storage');
    if (legacy) p.global('torch', DTYPE_STORAGE[s.dtype]!);
    else p.global('torch.storage', 'UntypedStorage');
    p.str(entry.id);
    p.str(s.device || 'cpu');
    p.int(legacy ? s.bytes.byteLength / item : s.bytes.byteLength);
    p.tuple();
    p.binpersid();
  };

  const intTuple = (xs: number[]) => {
    if (xs.length === 0) {
      p.emptyTuple();
      return;
    }
    p.mark();
    for (const x of xs) p.int(x);
    p.tuple();
  };
  const emptyOrderedDict = () => {
    p.global('collections', 'OrderedDict');
    p.emptyTuple();
    p.reduce();
  };

  const writeTensor = (t: RawTensor, path: string) => {
    if (!Object.hasOwn(ITEM_SIZE, t.storage.dtype))
      throw new Error(`savePth: ${path}: unknown dtype ${t.storage.dtype}`);
    const problem = viewProblem(t);
    if (problem) throw new Error(`savePth: ${path}: ${problem}`);
    const legacy = DTYPE_STORAGE[t.storage.dtype] !== undefined;
    if (t.parameter) {
      p.global('torch._utils', '_rebuild_parameter');
      p.mark();
    }
    p.global('torch._utils', legacy ? '_rebuild_tensor_v2' : '_rebuild_tensor_v3');
    p.mark();
    writeStorageRef(t.storage, legacy);
    p.int(t.storageOffset);
    intTuple(t.shape);
    intTuple(t.strides);
    p.bool(t.parameter ? false : t.requiresGrad);
    emptyOrderedDict();
    if (!legacy) p.global('torch', t.storage.dtype);
    p.tuple();
    p.reduce();
    if (t.parameter) {
      p.bool(t.requiresGrad);
      emptyOrderedDict();
      p.tuple();
      p.reduce();
    }
  };

  const writeDictBody = (entries: Iterable<[string | number, PyValue]>, path: string) => {
    let open = false,
      n = 0;
    for (const [k, v] of entries) {
      if (!open) {
        p.mark();
        open = true;
      }
      if (typeof k === 'string') p.str(k);
      else writeNumber(k);
      write(v, `${path}[${JSON.stringify(k)}]`);
      if (++n === 1000) {
        p.setitems();
        open = false;
        n = 0;
      }
    }
    if (open) p.setitems();
  };

  const writeNumber = (v: number) => {
    if (Number.isInteger(v) && !Object.is(v, -0) && Number.isSafeInteger(v)) p.int(v);
    else p.float(v);
  };

  const write = (v: PyValue, path: string): void => {
    if (v === null) return p.none();
    switch (typeof v) {
      case 'boolean':
        return p.bool(v);
      case 'number':
        return writeNumber(v);
      case 'bigint':
        return p.int(v);
      case 'string':
        return p.str(v);
      case 'object':
        break;
      default:
        throw new Error(`savePth: ${path}: cannot pickle a ${typeof v}`);
    }
    if (active.has(v)) throw new Error(`savePth: ${path}: the value contains itself (cycles are not supported)`);
    active.add(v);
    try {
      if (Array.isArray(v)) {
        p.emptyList();
        if (v.length) {
          for (let i = 0; i < v.length; i += 1000) {
            p.mark();
            for (let j = i; j < Math.min(v.length, i + 1000); j++) write(v[j], `${path}[${j}]`);
            p.appends();
          }
        }
        return;
      }
      switch (v.kind) {
        case 'tensor':
          return writeTensor(v, path);
        case 'tuple': {
          const t = v as PyTuple;
          if (t.items.length === 0) return p.emptyTuple();
          p.mark();
          t.items.forEach((x, i) => write(x, `${path}[${i}]`));
          return p.tuple();
        }
        case 'dict': {
          const d = v as PyDict;
          if (d.counter) {
            p.global('collections', 'Counter');
            p.mark();
            p.emptyDict();
            writeDictBody(d.entries, path);
            p.tuple();
            p.reduce();
            return;
          }
          if (d.ordered) emptyOrderedDict();
          else p.emptyDict();
          writeDictBody(d.entries, path);
          if (d.attributes && d.attributes.size) {
            p.emptyDict();
            writeDictBody(d.attributes, `${path}.attributes`);
            p.build();
          }
          return;
        }
        default:
          throw new Error(`savePth: ${path}: cannot pickle a ${(v as { kind?: string }).kind ?? 'object'}`);
      }
    } finally {
      active.delete(v);
    }
  };

  p.proto();
  write(value, 'value');
  p.stop();
  const enc = new TextEncoder();
  const entries: ZipWriteEntry[] = [
    { name: `${archive}/data.pkl`, data: p.finish() },
    { name: `${archive}/byteorder`, data: enc.encode('little') },
    ...records,
    { name: `${archive}/version`, data: enc.encode('3\n') },
  ];
  return writeZip(entries, 64);
}
