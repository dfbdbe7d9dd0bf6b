/**
 * A restricted unpickler (protocols 0-5 as far as torch.save needs them) and a small pickler
 * (protocol 2). The unpickler never imports or calls anything itself: GLOBAL/STACK_GLOBAL hand the
 * (module, name) to `findGlobal`, which must return an opaque callable or throw; REDUCE/NEWOBJ/BUILD
 * call back into the hooks. Every read is bounds-checked, so corrupt input errors instead of crashing.
 */
import type { PyDict, PyTuple, PyValue } from './types.js';

/** A resolved global (a callable or a class) handed out by `findGlobal`. */
export interface PyGlobal {
  kind: 'global';
  module: string;
  name: string;
  call(args: Unpickled[]): Unpickled;
}

/** Values that may live on the unpickler stack: PyValues plus resolved globals and opaque objects. */
export type Unpickled = PyValue | PyGlobal | Opaque;
/**
 * An object the unpickler may hold but not represent as a PyValue (a storage reference, a half-built object);
 * the hooks create and consume them.
 */
export interface Opaque {
  kind: 'opaque';
  /** What it is, for error messages and checks ('storage', 'dtype', 'storage class'). */
  what: string;
  /** The hooks' own data. */
  value: unknown;
}

/** The callbacks through which the unpickler touches anything beyond plain Python values. */
export interface UnpicklerHooks {
  /**
   * Resolves GLOBAL/STACK_GLOBAL `(module, name)` to a callable; must throw for anything not on its allow list
   * (this is what keeps a checkpoint from running code).
   */
  findGlobal(module: string, name: string): PyGlobal;
  /** Resolves a BINPERSID/PERSID id (torch.save's storage references); without it such ids are an error. */
  persistentLoad?(pid: Unpickled): Unpickled;
  /** BUILD on `target` with `state`; returns the resulting object. */
  build?(target: Unpickled, state: Unpickled): Unpickled;
}

const MARK_OBJ = Symbol('mark');
type StackItem = Unpickled | typeof MARK_OBJ;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Whether `v` is a global resolved by `findGlobal`. */
export function isPyGlobal(v: unknown): v is PyGlobal {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'global';
}

/** A short name of a stack value's Python type for error messages ('list', 'None', 'collections.OrderedDict'). */
export function describe(v: Unpickled | typeof MARK_OBJ): string {
  if (v === MARK_OBJ) return 'MARK';
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') {
    if ('kind' in v) {
      if (v.kind === 'global') return `${v.module}.${v.name}`;
      if (v.kind === 'opaque') return v.what;
      return v.kind;
    }
  }
  return typeof v;
}

function intToValue(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return intToValue(v);
}

function dictKey(k: Unpickled, where: () => string): string | number {
  if (typeof k === 'string' || typeof k === 'number') return k;
  if (typeof k === 'bigint') throw new Error(`${where()}: dict key ${k} is too large an integer (unsupported)`);
  throw new Error(
    `${where()}: unsupported dict key of type ${describe(k)} (only str, int and float keys are supported)`,
  );
}

/** An empty dict record: a plain dict, or an OrderedDict when `ordered`. */
export function newDict(ordered: boolean): PyDict {
  return { kind: 'dict', ordered, entries: new Map() };
}

/** Runs the pickle program in `data` and returns the value left by STOP. */
export function unpickle(data: Uint8Array, hooks: UnpicklerHooks, fileName = '<bytes>'): Unpickled {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  let opPos = 0;
  const stack: StackItem[] = [];
  const marks: number[] = [];
  const memo = new Map<number, Unpickled>();
  const where = () => `${fileName}: pickle at byte ${opPos}`;
  const fail = (problem: string): never => {
    throw new Error(`${where()}: ${problem}`);
  };

  const need = (n: number) => {
    if (pos + n > data.length) fail(`truncated pickle (needs ${n} more bytes, ${data.length - pos} left)`);
  };
  const u8 = () => {
    need(1);
    return data[pos++];
  };
  const u16 = () => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = () => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = () => {
    need(4);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(data.length)) fail(`length ${v} exceeds the pickle size`);
    return Number(v);
  };
  const bytes = (n: number) => {
    need(n);
    const b = data.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const line = () => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) fail('truncated pickle (unterminated line)');
    const s = new TextDecoder('latin1').decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const text = (n: number) => {
    const b = bytes(n);
    try {
      return decoder.decode(b);
    } catch {
      return fail('invalid UTF-8 in string');
    }
  };
  const pop = (): Unpickled => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1]))
      fail('corrupt pickle (stack underflow)');
    return stack.pop() as Unpickled;
  };
  const top = (): Unpickled => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1]))
      fail('corrupt pickle (stack underflow)');
    return stack[stack.length - 1] as Unpickled;
  };
  const popMark = (): Unpickled[] => {
    const m = marks.pop();
    if (m === undefined) fail('corrupt pickle (no MARK)');
    return stack.splice(m!) as Unpickled[];
  };
  const push = (v: Unpickled) => {
    stack.push(v);
  };
  const memoGet = (i: number) => {
    if (!memo.has(i)) fail(`corrupt pickle (memo entry ${i} missing)`);
    return memo.get(i) as Unpickled;
  };
  const setItems = (target: Unpickled, kv: Unpickled[]) => {
    if (typeof target !== 'object' || target === null || Array.isArray(target) || target.kind !== 'dict') {
      fail(`SETITEM(S) on a ${describe(target)}, expected a dict`);
    }
    const d = target as PyDict;
    if (kv.length % 2) fail('corrupt pickle (odd number of items for SETITEMS)');
    for (let i = 0; i < kv.length; i += 2) d.entries.set(dictKey(kv[i], where), asValue(kv[i + 1]));
  };
  const asValue = (v: Unpickled): PyValue => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && (v.kind === 'global' || v.kind === 'opaque')) {
      fail(`a ${describe(v)} cannot be stored as a value (only tensors and containers are allowed)`);
    }
    return v as PyValue;
  };
  const appendItems = (target: Unpickled, items: Unpickled[]) => {
    if (!Array.isArray(target)) fail(`APPEND(S) on a ${describe(target)}, expected a list`);
    for (const it of items) (target as PyValue[]).push(asValue(it));
  };
  // Tuples may carry internal objects (argument tuples, persistent ids); the caller checks the final result.
  const tuple = (items: Unpickled[]): PyTuple => ({ kind: 'tuple', items: items as PyValue[] });
  const callGlobal = (fn: Unpickled, args: Unpickled): Unpickled => {
    if (!isPyGlobal(fn)) fail(`cannot call a ${describe(fn)}`);
    if (typeof args !== 'object' || args === null || Array.isArray(args) || args.kind !== 'tuple') {
      fail(`arguments of ${describe(fn)} are a ${describe(args)}, expected a tuple`);
    }
    return (fn as PyGlobal).call((args as PyTuple).items);
  };

  for (;;) {
    opPos = pos;
    if (pos >= data.length) fail('truncated pickle (no STOP opcode)');
    const op = data[pos++];
    switch (op) {
      case 0x80: {
        const proto = u8();
        if (proto > 5) fail(`unsupported pickle protocol ${proto}`);
        break;
      } // PROTO
      case 0x95:
        u64();
        break; // FRAME: frames are just a hint; the data follows inline
      case 0x2e: {
        // STOP
        const v = pop();
        return v;
      }
      case 0x28:
        marks.push(stack.length);
        break; // MARK
      case 0x30:
        pop();
        break; // POP
      case 0x31:
        popMark();
        break; // POP_MARK
      case 0x32:
        push(top());
        break; // DUP
      case 0x7d:
        push(newDict(false));
        break; // EMPTY_DICT
      case 0x5d:
        push([]);
        break; // EMPTY_LIST
      case 0x29:
        push({ kind: 'tuple', items: [] });
        break; // EMPTY_TUPLE
      case 0x8f:
        push([]);
        break; // EMPTY_SET (read as a list)
      case 0x90: {
        const items = popMark();
        appendItems(top(), items);
        break;
      } // ADDITEMS
      case 0x91:
        push(popMark().map(asValue));
        break; // FROZENSET
      case 0x64: {
        const kv = popMark();
        const d = newDict(false);
        setItems(d, kv);
        push(d);
        break;
      } // DICT
      case 0x6c:
        push(popMark().map(asValue));
        break; // LIST
      case 0x74:
        push(tuple(popMark()));
        break; // TUPLE
      case 0x85: {
        const a = pop();
        push(tuple([a]));
        break;
      } // TUPLE1
      case 0x86: {
        const b = pop();
        const a = pop();
        push(tuple([a, b]));
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        push(tuple([a, b, c]));
        break;
      } // TUPLE3
      case 0x4b:
        push(u8());
        break; // BININT1
      case 0x4d:
        push(u16());
        break; // BININT2
      case 0x4a:
        push(i32());
        break; // BININT
      case 0x8a: {
        const n = u8();
        push(decodeLong(bytes(n)));
        break;
      } // LONG1
      case 0x8b: {
        const n = u32();
        if (n > data.length) fail('corrupt LONG4 length');
        push(decodeLong(bytes(n)));
        break;
      } // LONG4
      case 0x49: {
        // INT (protocol 0)
        const s = line();
        if (s === '00') push(false);
        else if (s === '01') push(true);
        else if (/^[+-]?\d+$/.test(s)) push(intToValue(BigInt(s)));
        else fail(`bad INT ${JSON.stringify(s)}`);
        break;
      }
      case 0x4c: {
        // LONG (protocol 0)
        const s = line().replace(/L$/, '');
        if (!/^[+-]?\d+$/.test(s)) fail(`bad LONG ${JSON.stringify(s)}`);
        push(intToValue(BigInt(s)));
        break;
      }
      case 0x46: {
        const s = line();
        const f = Number(s);
        if (Number.isNaN(f) && !/nan/i.test(s)) fail(`bad FLOAT ${JSON.stringify(s)}`);
        push(f);
        break;
      } // FLOAT
      case 0x47: {
        need(8);
        push(view.getFloat64(pos, false));
        pos += 8;
        break;
      } // BINFLOAT (big-endian)
      case 0x88:
        push(true);
        break; // NEWTRUE
      case 0x89:
        push(false);
        break; // NEWFALSE
      case 0x4e:
        push(null);
        break; // NONE
      case 0x8c:
        push(text(u8()));
        break; // SHORT_BINUNICODE
      case 0x58:
        push(text(u32()));
        break; // BINUNICODE
      case 0x8d:
        push(text(u64()));
        break; // BINUNICODE8
      case 0x56:
        push(line());
        break; // UNICODE (raw-unicode-escape; ASCII is what occurs in practice)
      case 0x71:
        memo.set(u8(), top());
        break; // BINPUT
      case 0x72:
        memo.set(u32(), top());
        break; // LONG_BINPUT
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      case 0x70: {
        const s = line();
        if (!/^\d+$/.test(s)) fail('bad PUT');
        memo.set(Number(s), top());
        break;
      } // PUT
      case 0x68:
        push(memoGet(u8()));
        break; // BINGET
      case 0x6a:
        push(memoGet(u32()));
        break; // LONG_BINGET
      case 0x67: {
        const s = line();
        if (!/^\d+$/.test(s)) fail('bad GET');
        push(memoGet(Number(s)));
        break;
      } // GET
      case 0x73: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      } // SETITEM
      case 0x75: {
        const kv = popMark();
        setItems(top(), kv);
        break;
      } // SETITEMS
      case 0x61: {
        const v = pop();
        appendItems(top(), [v]);
        break;
      } // APPEND
      case 0x65: {
        const items = popMark();
        appendItems(top(), items);
        break;
      } // APPENDS
      case 0x63: {
        const module = line();
        const name = line();
        push(hooks.findGlobal(module, name));
        break;
      } // GLOBAL
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof name !== 'string' || typeof module !== 'string') fail('corrupt STACK_GLOBAL');
        push(hooks.findGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        const args = pop();
        const fn = pop();
        push(callGlobal(fn, args));
        break;
      } // REDUCE
      case 0x81: {
        const args = pop();
        const cls = pop();
        push(callGlobal(cls, args));
        break;
      } // NEWOBJ
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!hooks.persistentLoad) fail('persistent ids are not supported here');
        push(hooks.persistentLoad!(pid));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const target = pop();
        if (!hooks.build) fail(`BUILD on a ${describe(target)} is not allowed`);
        push(hooks.build!(target, state));
        break;
      }
      default: {
        const hex = op.toString(16).padStart(2, '0');
        const printable = op >= 0x20 && op < 0x7f ? ` '${String.fromCharCode(op)}'` : '';
        fail(`unknown or unsupported pickle opcode 0x${hex}${printable}`);
      }
    }
  }
}

/** Serializes values with pickle protocol 2 (what torch.save writes by default). */
export class Pickler {
  private chunks: Uint8Array[] = [];
  private buf = new Uint8Array(1 << 16);
  private len = 0;
  private readonly enc = new TextEncoder();

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    this.chunks.push(this.buf.subarray(0, this.len));
    this.buf = new Uint8Array(Math.max(1 << 16, n));
    this.len = 0;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  proto(): void {
    this.byte(0x80);
    this.byte(2);
  }
  stop(): void {
    this.byte(0x2e);
  }
  mark(): void {
    this.byte(0x28);
  }
  none(): void {
    this.byte(0x4e);
  }
  bool(v: boolean): void {
    this.byte(v ? 0x88 : 0x89);
  }

  int(v: number | bigint): void {
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      if (v >= 0 && v < 256) {
        this.byte(0x4b);
        this.byte(v);
        return;
      }
      if (v >= 0 && v < 65536) {
        this.byte(0x4d);
        this.byte(v & 0xff);
        this.byte(v >> 8);
        return;
      }
      if (v >= -0x80000000 && v <= 0x7fffffff) {
        this.byte(0x4a);
        const b = new Uint8Array(4);
        new DataView(b.buffer).setInt32(0, v, true);
        this.raw(b);
        return;
      }
    }
    let x = BigInt(v);
    const out: number[] = [];
    if (x !== 0n) {
      // Minimal two's-complement little-endian encoding.
      for (;;) {
        out.push(Number(x & 0xffn));
        x >>= 8n;
        const signBit = (out[out.length - 1] & 0x80) !== 0;
        if ((x === 0n && !signBit) || (x === -1n && signBit)) break;
      }
    }
    if (out.length > 255) throw new Error(`integer ${v} is too large to pickle`);
    this.byte(0x8a);
    this.byte(out.length);
    this.raw(Uint8Array.from(out));
  }

  float(v: number): void {
    this.byte(0x47);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, false);
    this.raw(b);
  }

  str(s: string): void {
    const b = this.enc.encode(s);
    this.byte(0x58);
    const l = new Uint8Array(4);
    new DataView(l.buffer).setUint32(0, b.length, true);
    this.raw(l);
    this.raw(b);
  }

  global(module: string, name: string): void {
    this.byte(0x63);
    this.raw(this.enc.encode(`${module}\n${name}\n`));
  }

  emptyTuple(): void {
    this.byte(0x29);
  }
  tuple(): void {
    this.byte(0x74);
  }
  emptyList(): void {
    this.byte(0x5d);
  }
  appends(): void {
    this.byte(0x65);
  }
  emptyDict(): void {
    this.byte(0x7d);
  }
  setitems(): void {
    this.byte(0x75);
  }
  reduce(): void {
    this.byte(0x52);
  }
  build(): void {
    this.byte(0x62);
  }
  binpersid(): void {
    this.byte(0x51);
  }

  finish(): Uint8Array {
    this.chunks.push(this.buf.subarray(0, this.len));
    const total = this.chunks.reduce((s, c) => s + c.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    this.chunks = [];
    this.buf = new Uint8Array(1 << 16);
    this.len = 0;
    return out;
  }
}
