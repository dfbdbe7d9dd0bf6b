// torch.ops.<namespace>.<name>(...) and torch.ops.<namespace>.<name>.<overload>(...): raw access to
// every registered operator (aten from the generated table, other namespaces from the live schemas).
import { callOverloads, type ArgKind, type ArgSpec, type OverloadSpec, HAS_DEFAULT, KWARG_ONLY, OPTIONAL } from './dispatch.js';
import { ATEN } from './generated/schemas.js';
import { native, type NativeSchema } from './native.js';

type OpFn = ((...args: unknown[]) => unknown) & Record<string, (...args: unknown[]) => unknown>;

let live: Map<string, OverloadSpec[]> | undefined;
const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function kindOf(type: string): ArgKind {
  const base = type.replace(/\?$/, '').replace(/\[\d*\]$/, '[]');
  const kinds: Record<string, ArgKind> = {
    Tensor: 'T', 'Tensor[]': 'TL', 'Tensor?[]': 'OTL', int: 'I', SymInt: 'I', 'int[]': 'IL', 'SymInt[]': 'IL',
    float: 'F', 'float[]': 'FL', bool: 'B', 'bool[]': 'BL', Scalar: 'S', 'Scalar[]': 'SL', ScalarType: 'ST',
    Layout: 'L', MemoryFormat: 'MF', Device: 'D', str: 'STR', Generator: 'G',
  };
  return kinds[base] ?? 'U';
}

function specFromSchema(s: NativeSchema): OverloadSpec {
  const a: ArgSpec[] = s.args.map((x) => {
    const flags = (x.type.endsWith('?') ? OPTIONAL : 0) | (x.hasDefault ? HAS_DEFAULT : 0) | (x.kwargOnly ? KWARG_ONLY : 0);
    const name = camel(x.name);
    return name === x.name ? [name, kindOf(x.type), flags] : [name, kindOf(x.type), flags, x.name];
  });
  const mutated = s.args.map((x, i) => (x.mutates ? i : -1)).filter((i) => i >= 0);
  let k = 0;
  const w = s.returns.map((r) => (r.writesAlias ? mutated[k++] ?? -1 : -1));
  const r = s.returns.map((x) => (x.type === 'Tensor' ? 'T' : x.type === 'Tensor[]' ? 'L' : x.type === 'ScalarType' ? 'D' : 'V')).join('');
  return { n: s.name, o: s.overload, a, r, p: s.args.filter((x) => !x.kwargOnly).length, ...(w.some((i) => i >= 0) ? { w } : {}) };
}

function overloadsOf(ns: string, name: string): OverloadSpec[] | undefined {
  if (ns === 'aten' && ATEN[name]) return ATEN[name];
  if (!live) {
    live = new Map();
    for (const s of native.schemas()) {
      const group = live.get(s.name) ?? [];
      group.push(specFromSchema(s));
      live.set(s.name, group);
    }
  }
  return live.get(`${ns}::${name}`);
}

function opFunction(ns: string, name: string): OpFn {
  const group = overloadsOf(ns, name);
  if (!group) throw new TypeError(`torch.ops.${ns}.${name}: no such operator`);
  const fn = ((...args: unknown[]) => callOverloads(group, args)) as OpFn;
  for (const spec of group) fn[spec.o || 'default'] = (...args: unknown[]) => callOverloads([spec], args);
  return fn;
}

/** `torch.ops.aten.add.Tensor(x, y)`, `torch.ops.aten._softmax(x, 1, false)`. */
export const ops: Record<string, Record<string, OpFn>> = new Proxy({}, {
  get: (_, ns: string) => new Proxy({}, { get: (__, name: string) => opFunction(ns, name) }),
});
