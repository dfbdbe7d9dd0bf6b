// Tensor printing as Python's repr() prints (PyTorch's own tensor printer, ported): the same formatter choice (integer,
// fixed or scientific notation, from the nonzero finite values), precision, summarisation of tensors over
// `threshold` elements to `edgeitems` per edge, line wrapping at `linewidth`, nested brackets with
// indentation, and the suffixes (device, dtype, size of empty tensors, grad_fn / requires_grad).
// Floats are formatted from their exact binary value with round-half-even, as Python's format() does.
import { callOverloads } from './dispatch.js';
import { type DType, isComplex, isFloatingPoint } from './dtype.js';
import { tidy } from './handle.js';
import { ATEN } from './generated/schemas.js';
import type { Tensor } from './tensor.js';

/** Printing options, Python's `torch.set_printoptions` (camelCase). */
export interface PrintOptions {
  /** Digits after the decimal point for floating values (default 4). */
  precision: number;
  /** Tensors with more elements than this are summarised (default 1000). */
  threshold: number;
  /** Items shown at each end of a summarised dimension (default 3). */
  edgeitems: number;
  /** Characters per line before a row wraps (default 80). */
  linewidth: number;
  /** true or false forces scientific notation on or off; null lets the values decide (default). */
  sciMode: boolean | null;
}

const DEFAULTS: PrintOptions = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null };
const PROFILES: Record<'default' | 'short' | 'full', Omit<PrintOptions, 'sciMode'>> = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 },
};
const opts: PrintOptions = { ...DEFAULTS };

/**
 * Sets how tensors print, like Python's `torch.set_printoptions`: a `profile` ('default', 'short',
 * 'full') first, then each option given. As in Python, `sciMode` is reset to null (automatic) unless given.
 */
export function setPrintOptions(o: Partial<PrintOptions> & { profile?: 'default' | 'short' | 'full' } = {}): void {
  if (o.profile !== undefined) {
    if (!(o.profile in PROFILES))
      throw new TypeError(`setPrintOptions: unknown profile '${o.profile}' (expected default, short or full)`);
    Object.assign(opts, PROFILES[o.profile]);
  }
  for (const k of ['precision', 'threshold', 'edgeitems', 'linewidth'] as const) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || v < 0 || (k !== 'threshold' && !Number.isInteger(v)))
      throw new TypeError(
        `setPrintOptions: ${k} must be a non-negative ${k === 'threshold' ? 'number' : 'integer'}, got ${v}`,
      );
    opts[k] = v;
  }
  opts.sciMode = o.sciMode ?? null;
}

/** The printing options in force (a copy). */
export const getPrintOptions = (): PrintOptions => ({ ...opts });

// ---- exact float formatting (Python's format(x, '.Nf') and '.Ne') ----

/** |x| = m * 2^e exactly, for finite x. */
function decompose(x: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0),
    lo = view.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  const mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return exp === 0 ? [mant, -1074] : [mant | (1n << 52n), exp - 1075];
}

/** round(num / den), ties to even. */
function roundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den,
    r = num - q * den;
  return 2n * r > den || (2n * r === den && (q & 1n) === 1n) ? q + 1n : q;
}

/** round(|x| * 10^k) for finite x, exactly, ties to even. */
function scaled(x: number, k: number): bigint {
  const [m, e] = decompose(x);
  let num = m,
    den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  if (k >= 0) num *= 10n ** BigInt(k);
  else den *= 10n ** BigInt(-k);
  return roundHalfEven(num, den);
}

const sign = (x: number): string => (x < 0 || Object.is(x, -0) ? '-' : '');

function nonFinite(x: number): string | undefined {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return undefined;
}

/** Python's `format(x, '.{p}f')`. */
export function formatFixed(x: number, p: number): string {
  const special = nonFinite(x);
  if (special !== undefined) return special;
  const digits = scaled(x, p)
    .toString()
    .padStart(p + 1, '0');
  const int = digits.slice(0, digits.length - p);
  return `${sign(x)}${int}${p > 0 ? `.${digits.slice(digits.length - p)}` : ''}`;
}

/** Python's `format(x, '.{p}e')`: one digit, p decimals, an exponent of at least two digits. */
export function formatSci(x: number, p: number): string {
  const special = nonFinite(x);
  if (special !== undefined) return special;
  let exp = x === 0 ? 0 : Math.floor(Math.log10(Math.abs(x)));
  let n = scaled(x, p - exp);
  const lo = 10n ** BigInt(p),
    hi = lo * 10n;
  if (x !== 0 && n < lo) n = scaled(x, p - --exp);
  if (n >= hi) n = scaled(x, p - ++exp);
  if (n >= hi) {
    exp++;
    n = lo;
  } // rounding carried into a new digit (9.99995 -> 1.0000e+01)
  const digits = n.toString().padStart(p + 1, '0');
  const mantissa = p > 0 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign(x)}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

// ---- the formatter (Python's _Formatter) ----

type Value = number | bigint | boolean;

interface Formatter {
  width: number;
  format(v: Value): string;
}

/** Python's `f"{value}"` for an integer or bool element. */
const plainString = (v: Value): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));

function makeFormatter(values: ArrayLike<Value>, floating: boolean): Formatter {
  const p = opts.precision;
  let width = 1;
  if (!floating) {
    for (let i = 0; i < values.length; i++) width = Math.max(width, plainString(values[i]).length);
    return { width, format: (v) => plainString(v).padStart(width) };
  }
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v) && v !== 0) finite.push(v);
  }
  let intMode = true,
    sciMode = false;
  if (finite.length) {
    const abs = finite.map(Math.abs);
    const min = Math.min(...abs),
      max = Math.max(...abs);
    intMode = finite.every((v) => v === Math.ceil(v));
    sciMode = opts.sciMode ?? (max / min > 1000 || max > 1e8 || min < 1e-4);
    for (const v of finite) {
      const s = sciMode ? formatSci(v, p) : intMode ? formatFixed(v, 0) : formatFixed(v, p);
      width = Math.max(width, s.length + (intMode && !sciMode ? 1 : 0));
    }
  }
  const format = (value: Value): string => {
    const v = value as number;
    let s: string;
    if (sciMode) s = formatSci(v, p);
    else if (intMode) s = formatFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    else s = formatFixed(v, p);
    return s.padStart(width);
  };
  return { width, format };
}

// ---- the layout (Python's _tensor_str_with_formatter and _vector_str) ----

/** The values to print: all elements, or only the edge items of each long dimension when summarising. */
interface Data {
  shape: number[];
  /** Per dimension: whether items were left out in the middle (print '...'). */
  cut: boolean[];
  /** C-order elements of the (reduced) shape; complex elements as [re, im] in `re` and `im`. */
  values: Value[];
  im?: number[];
}

interface Layout {
  summarize: boolean;
  real: Formatter;
  imag?: Formatter;
}

function element(d: Data, i: number, l: Layout): string {
  if (!l.imag) return l.real.format(d.values[i]);
  const re = l.real.format(d.values[i]);
  const im = `${l.imag.format(d.im![i])}j`.trimStart();
  return im[0] === '+' || im[0] === '-' ? re + im : `${re}+${im}`;
}

function vectorString(d: Data, offset: number, indent: number, l: Layout): string {
  const n = d.shape[d.shape.length - 1];
  const elementLength = l.real.width + 2 + (l.imag ? l.imag.width + 1 : 0);
  const perLine = Math.max(1, Math.floor((opts.linewidth - indent) / elementLength));
  const items: string[] = [];
  if (l.summarize && !opts.edgeitems) items.push('...');
  else {
    for (let i = 0; i < n; i++) {
      if (d.cut[d.shape.length - 1] && i === opts.edgeitems) items.push(' ...');
      items.push(element(d, offset + i, l));
    }
  }
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
  return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
}

function nestedString(d: Data, dim: number, offset: number, indent: number, l: Layout): string {
  const rank = d.shape.length;
  if (rank === 0) return element(d, 0, l);
  if (dim === rank - 1) return vectorString(d, offset, indent, l);
  if (d.cut[dim] && opts.edgeitems === 0) return '[...]';
  const stride = d.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const slices: string[] = [];
  for (let i = 0; i < d.shape[dim]; i++) {
    if (d.cut[dim] && i === opts.edgeitems) slices.push('...');
    slices.push(nestedString(d, dim + 1, offset + i * stride, indent + 1, l));
  }
  return `[${slices.join(`,${'\n'.repeat(rank - dim - 1)}${' '.repeat(indent + 1)}`)}]`;
}

// ---- reading the values ----

const CAT = ATEN.cat.filter((s) => s.o === '');

/** `t` with only the first and last `edgeitems` items of every dimension longer than twice that. */
function edges(t: Tensor, cut: boolean[]): Tensor {
  const e = opts.edgeitems;
  let r = t;
  t.shape.forEach((n, dim) => {
    cut.push(n > 2 * e);
    if (n > 2 * e) r = callOverloads(CAT, [[r.narrow(dim, 0, e), r.narrow(dim, n - e, e)], dim]) as Tensor;
  });
  return r;
}

function readData(t: Tensor, summarize: boolean): Data {
  return tidy(() => {
    const cut: boolean[] = [];
    let r = t.detach();
    if (summarize) r = edges(r, cut);
    else t.shape.forEach(() => cut.push(false));
    const dtype = r.dtype;
    const shape = r.shape;
    if (isComplex(dtype)) {
      const pairs = Array.from(
        (dtype === 'complex32' ? r.to('complex64') : r).toTypedArray() as Float32Array | Float64Array,
      );
      return { shape, cut, values: pairs.filter((_, i) => i % 2 === 0), im: pairs.filter((_, i) => i % 2 === 1) };
    }
    if (dtype === 'float16' || dtype === 'bfloat16')
      return { shape, cut, values: Array.from(r.float().toTypedArray() as Float32Array) };
    if (dtype === 'bool') return { shape, cut, values: Array.from(r.toTypedArray() as Uint8Array, (v) => v !== 0) };
    return { shape, cut, values: Array.from(r.toTypedArray() as ArrayLike<number | bigint>) };
  });
}

// ---- the whole repr (Python's _str_intern) ----

const DEFAULT_DTYPES: DType[] = ['float32', 'complex64', 'int64', 'bool'];
const tuple = (shape: number[]): string => `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;

function addSuffixes(text: string, suffixes: string[], indent: number): string {
  let lastLineLength = text.length - text.lastIndexOf('\n') + 1;
  let out = text;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > opts.linewidth) {
      out += `,\n${' '.repeat(indent)}${suffix}`;
      lastLineLength = indent + suffix.length;
    } else {
      out += `, ${suffix}`;
      lastLineLength += suffix.length + 2;
    }
  }
  return `${out})`;
}

/** The body between `tensor(` and the suffixes, and the suffixes that describe the contents. */
function contents(t: Tensor, indent: number): [string, string[]] {
  const dtype = t.dtype,
    shape = t.shape,
    n = t.numel();
  const dtypeSuffix = `dtype=torch.${dtype}`;
  if (t.device === 'meta') return ['...', [`size=${tuple(shape)}`, ...(dtype !== 'float32' ? [dtypeSuffix] : [])]];
  if (n === 0)
    return [
      '[]',
      [...(shape.length !== 1 ? [`size=${tuple(shape)}`] : []), ...(dtype !== 'float32' ? [dtypeSuffix] : [])],
    ];
  const suffixes = [
    ...(opts.edgeitems ? [] : [`size=${tuple(shape)}`]),
    ...(DEFAULT_DTYPES.includes(dtype) ? [] : [dtypeSuffix]),
  ];
  const summarize = n > opts.threshold;
  const d = readData(t, summarize);
  const floating = isFloatingPoint(dtype) || isComplex(dtype);
  const layout: Layout = {
    summarize,
    real: makeFormatter(d.values, floating),
    imag: d.im ? makeFormatter(d.im, true) : undefined,
  };
  return [nestedString(d, 0, 0, indent, layout), suffixes];
}

/** Python's `repr(t)` for a tensor. */
export function formatTensor(t: Tensor): string {
  if (t.h < 0) return 'tensor(<disposed>)';
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  if (t.device !== 'cpu') suffixes.push(`device='${t.device}'`);
  const [body, more] = contents(t, indent);
  suffixes.push(...more);
  const gradFn = t.gradFn;
  if (gradFn !== null) suffixes.push(`grad_fn=<${gradFn.split('::').pop()}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, indent);
}
