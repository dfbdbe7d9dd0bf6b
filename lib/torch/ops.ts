// torch.ops.<namespace>.<name>(...) and torch.ops.<namespace>.<name>.<overload>(...): raw access to
// every registered operator (aten from the generated table, other namespaces from the live schemas).
import { callOverloads } from './dispatch.js';
import { rankOverloads, specFromSchema, type OverloadSpec } from './schema-spec.js';
import { ATEN } from './generated/schemas.js';
import { native } from './native.js';

type OpFn = ((...args: unknown[]) => unknown) & Record<string, (...args: unknown[]) => unknown>;

let live: Map<string, OverloadSpec[]> | undefined;
function overloadsOf(ns: string, name: string): OverloadSpec[] | undefined {
  if (ns === 'aten' && ATEN[name]) return ATEN[name];
  if (!live) {
    live = new Map();
    for (const s of native.schemas()) {
      const group = live.get(s.name) ?? [];
      group.push(specFromSchema(s));
      live.set(s.name, group);
    }
    for (const [name, group] of live) live.set(name, rankOverloads(group));
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
export const ops: Record<string, Record<string, OpFn>> = new Proxy(
  {},
  {
    get: (_, ns: string) => new Proxy({}, { get: (__, name: string) => opFunction(ns, name) }),
  },
);
