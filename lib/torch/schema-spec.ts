// From an operator schema (as the addon's schemas() reports it) to the compact overload spec the
// dispatcher matches JS arguments against. Shared by scripts/gen-ops.mjs (the generated tables) and
// torch.ops (live schemas of non-aten namespaces). No runtime imports: the generator loads it bare.
import type { NativeSchema } from './native.js';

/** Argument kinds: Tensor, Tensor[], Tensor?[], int, int[], float, float[], bool, bool[], Scalar,
 *  Scalar[], ScalarType, Layout, MemoryFormat, Device, str, Generator, unsupported. */
export type ArgKind = 'T' | 'TL' | 'OTL' | 'I' | 'IL' | 'F' | 'FL' | 'B' | 'BL' | 'S' | 'SL' | 'ST' | 'L' | 'MF' | 'D' | 'STR' | 'G' | 'U';
export const OPTIONAL = 1;
export const HAS_DEFAULT = 2;
export const KWARG_ONLY = 4;
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

export const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const KINDS: Record<string, ArgKind> = {
  Tensor: 'T', 'Tensor[]': 'TL', 'Tensor?[]': 'OTL', int: 'I', SymInt: 'I', 'int[]': 'IL', 'SymInt[]': 'IL',
  float: 'F', 'float[]': 'FL', bool: 'B', 'bool[]': 'BL', Scalar: 'S', 'Scalar[]': 'SL', ScalarType: 'ST',
  Layout: 'L', MemoryFormat: 'MF', Device: 'D', str: 'STR', Generator: 'G',
};

/** The kind of a schema type string ('Tensor?', 'int[3]', 'SymInt[]', ...). */
export function argKind(type: string): ArgKind {
  return KINDS[type.replace(/\?$/, '').replace(/\[\d*\]$/, '[]')] ?? 'U';
}

export function returnKind(type: string): string {
  return type === 'Tensor' ? 'T' : type === 'Tensor[]' ? 'L' : type === 'ScalarType' ? 'D' : 'V';
}

export function specFromSchema(s: NativeSchema): OverloadSpec {
  const a: ArgSpec[] = s.args.map((x) => {
    const flags = (x.type.endsWith('?') ? OPTIONAL : 0) | (x.hasDefault ? HAS_DEFAULT : 0) | (x.kwargOnly ? KWARG_ONLY : 0);
    const name = camel(x.name);
    return name === x.name ? [name, argKind(x.type), flags] : [name, argKind(x.type), flags, x.name];
  });
  const mutated = s.args.map((x, i) => (x.mutates ? i : -1)).filter((i) => i >= 0);
  let k = 0;
  const w = s.returns.map((r) => (r.writesAlias ? mutated[k++] ?? -1 : -1));
  const spec: OverloadSpec = { n: s.name, o: s.overload, a, r: s.returns.map((x) => returnKind(x.type)).join(''), p: s.args.filter((x) => !x.kwargOnly).length };
  if (w.some((i) => i >= 0)) spec.w = w;
  return spec;
}
