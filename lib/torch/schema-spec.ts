// From an operator schema (as the addon's schemas() reports it) to the compact overload spec the
// dispatcher matches JS arguments against. Shared by scripts/gen-ops.mjs (the generated tables) and
// torch.ops (live schemas of non-aten namespaces). No runtime imports: the generator loads it bare.
import type { NativeSchema } from './native.js';

/** Argument kinds: Tensor, Tensor[], Tensor?[], int, int[], float, float[], bool, bool[], Scalar,
 *  Scalar[], ScalarType, Layout, MemoryFormat, Device, str, Generator, unsupported. */
export type ArgKind =
  'T' | 'TL' | 'OTL' | 'I' | 'IL' | 'F' | 'FL' | 'B' | 'BL' | 'S' | 'SL' | 'ST' | 'L' | 'MF' | 'D' | 'STR' | 'G' | 'U';
/** Argument flag: the argument may be null (the schema type ends in `?`). */
export const OPTIONAL = 1;
/** Argument flag: the schema gives a default, so the argument may be left out. */
export const HAS_DEFAULT = 2;
/** Argument flag: the argument is keyword-only (after `*`), given in the trailing options object. */
export const KWARG_ONLY = 4;
/** A fixed-size list (`int[3]`, `float[2]`): one number stands for the whole list. Python's arg parser
 *  accepts a bare number only for these; for `int[]` it must be a list, so `split(x, 1)` is `split.Tensor`. */
export const SIZED = 8;
/** [camelCase name, kind, flags, snake_case name if different] */
export type ArgSpec = [string, ArgKind, number, string?];
/** Return kinds: T tensor, L tensor list, D dtype, V any other value; `w` marks a return that is a mutated argument. */
export interface OverloadSpec {
  /** qualified op name, e.g. aten::add */
  n: string;
  /** overload name, e.g. Tensor */
  o: string;
  a: ArgSpec[];
  /** return kinds, one letter per return */
  r: string;
  /** for each return: index of the mutated argument it aliases, or -1 */
  w?: number[];
  /** number of positional (non-kwarg-only) arguments */
  p: number;
  id?: number;
}

/** A snake_case name in camelCase ('keep_dim' -> 'keepDim'), as argument and option names are written in JS. */
export const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const KINDS: Record<string, ArgKind> = {
  Tensor: 'T',
  'Tensor[]': 'TL',
  'Tensor?[]': 'OTL',
  int: 'I',
  SymInt: 'I',
  'int[]': 'IL',
  'SymInt[]': 'IL',
  float: 'F',
  'float[]': 'FL',
  bool: 'B',
  'bool[]': 'BL',
  Scalar: 'S',
  'Scalar[]': 'SL',
  ScalarType: 'ST',
  Layout: 'L',
  MemoryFormat: 'MF',
  Device: 'D',
  str: 'STR',
  Generator: 'G',
};

/** The kind of a schema type string ('Tensor?', 'int[3]', 'SymInt[]', ...). */
export function argKind(type: string): ArgKind {
  return KINDS[type.replace(/\?$/, '').replace(/\[\d*\]$/, '[]')] ?? 'U';
}

/** The return kind letter of a schema return type: T tensor, L tensor list, D dtype, V any other value. */
export function returnKind(type: string): string {
  return type === 'Tensor' ? 'T' : type === 'Tensor[]' ? 'L' : type === 'ScalarType' ? 'D' : 'V';
}

/**
 * The compact overload spec of one schema: arguments as [camelCase name, kind, flags, snake_case name], return
 * kinds, the mutated argument each return aliases, and the number of positional arguments.
 */
export function specFromSchema(s: NativeSchema): OverloadSpec {
  const a: ArgSpec[] = s.args.map((x) => {
    const flags =
      (x.type.endsWith('?') ? OPTIONAL : 0) |
      (x.hasDefault ? HAS_DEFAULT : 0) |
      (x.kwargOnly ? KWARG_ONLY : 0) |
      (x.N ? SIZED : 0);
    const name = camel(x.name);
    return name === x.name ? [name, argKind(x.type), flags] : [name, argKind(x.type), flags, x.name];
  });
  const mutated = s.args.map((x, i) => (x.mutates ? i : -1)).filter((i) => i >= 0);
  let k = 0;
  const w = s.returns.map((r) => (r.writesAlias ? (mutated[k++] ?? -1) : -1));
  const spec: OverloadSpec = {
    n: s.name,
    o: s.overload,
    a,
    r: s.returns.map((x) => returnKind(x.type)).join(''),
    p: s.args.filter((x) => !x.kwargOnly).length,
  };
  if (w.some((i) => i >= 0)) spec.w = w;
  return spec;
}

/** Whether overload `a` must be tried before `b`: both take the same number of arguments and, where they
 *  differ, `a` takes a single int where `b` takes an int list, as Python's arg parser ranks them (int
 *  before int[]). Other differences leave them unordered. */
function ranksBefore(a: OverloadSpec, b: OverloadSpec): boolean {
  if (a.a.length !== b.a.length) return false;
  let before = false;
  for (let i = 0; i < a.a.length; i++) {
    const ka = a.a[i][1],
      kb = b.a[i][1];
    if (ka === kb) continue;
    if (ka === 'I' && kb === 'IL') before = true;
    else return false;
  }
  return before;
}

/** The overloads of one operator in the order a call tries them: schema order, except that an overload
 *  moves ahead of every overload it ranks before (stable otherwise). */
export function rankOverloads(group: readonly OverloadSpec[]): OverloadSpec[] {
  const out = [...group];
  for (let moved = true, guard = 0; moved && guard < out.length * out.length; guard++) {
    moved = false;
    for (let i = 0; i < out.length && !moved; i++) {
      for (let j = i + 1; j < out.length; j++) {
        if (ranksBefore(out[j], out[i]) && !ranksBefore(out[i], out[j])) {
          out.splice(i, 0, ...out.splice(j, 1));
          moved = true;
          break;
        }
      }
    }
  }
  return out;
}
