// Reading optimizer state dicts in either form: what `Optimizer.stateDict()` returns (plain objects, state keyed
// by '0', '1', ...) and what `torch.load` gives for Python's `optimizer.state_dict()` (Maps, state keyed by ints).
import { Tensor } from '../torch/tensor.js';

/** One saved group: its parameter indices and its other entries (snake_case keys, as saved). */
export interface SavedGroup {
  params: number[];
  options: [string, GroupValue][];
}
/** A hyper-parameter value of a group (Python tuples such as `betas` are arrays). */
export type GroupValue = number | boolean | string | null | (number | null)[] | string[];
/** A normalized state dict: per-parameter state by index, and the groups in order. */
export interface SavedOptimizerState {
  state: Map<number, [string, SavedStateValue][]>;
  groups: SavedGroup[];
}
/** A saved per-parameter state entry: a tensor, a number, or a list of them (None kept as null; LBFGS's history). */
export type SavedStateValue = Tensor | number | (Tensor | number | null)[];

const INT_KEY = /^-?(0|[1-9]\d*)$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && !(v instanceof Map);
}

/** The entries of a dict: a Map (from torch.load) or a plain object (from stateDict()); undefined otherwise. */
function entriesOf(v: unknown): [string | number, unknown][] | undefined {
  if (v instanceof Map) return [...(v as Map<string | number, unknown>).entries()];
  if (isPlainObject(v)) return Object.entries(v);
  return undefined;
}

function field(sd: unknown, key: string): unknown {
  if (sd instanceof Map) return (sd as Map<unknown, unknown>).get(key);
  return isPlainObject(sd) ? sd[key] : undefined;
}

function paramIndex(k: string | number, where: string): number {
  const n = typeof k === 'number' ? k : INT_KEY.test(k) ? Number(k) : NaN;
  if (!Number.isSafeInteger(n) || n < 0)
    throw new TypeError(`${where}: state key ${JSON.stringify(k)} is not a parameter index`);
  return n;
}

function groupValue(v: unknown, where: string): GroupValue {
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' || x === null)) return [...v] as (number | null)[];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return [...v] as string[];
  if (v instanceof Tensor && v.numel() === 1) return v.item() as number;
  throw new TypeError(`${where} is not a number, boolean, string, None or list of numbers (or None) or strings`);
}

function readGroup(g: unknown, gi: number, who: string): SavedGroup {
  const entries = entriesOf(g);
  if (!entries) throw new TypeError(`${who}: param_groups[${gi}] is not a dict`);
  const params = field(g, 'params');
  if (!Array.isArray(params) || !params.every((x) => Number.isSafeInteger(x))) {
    throw new TypeError(`${who}: param_groups[${gi}].params is not a list of parameter indices`);
  }
  const options = entries
    .filter(([k]) => k !== 'params')
    .map(([k, v]): [string, GroupValue] => [String(k), groupValue(v, `${who}: param_groups[${gi}].${String(k)}`)]);
  return { params: [...params] as number[], options };
}

function stateItem(v: unknown, where: string, inList: boolean): Tensor | number | null {
  if (inList && (v === null || v === undefined)) return null;
  if (typeof v === 'bigint') throw new RangeError(`${where} is ${v}, beyond a JS number's exact range`);
  if (!(v instanceof Tensor) && typeof v !== 'number')
    throw new TypeError(`${where} is not a tensor or a number${inList ? '' : ' (or a list of them)'}`);
  return v;
}

function readParamState(st: unknown, index: number, who: string): [string, SavedStateValue][] {
  const entries = entriesOf(st);
  if (!entries) throw new TypeError(`${who}: state[${index}] is not a dict`);
  const out: [string, SavedStateValue][] = [];
  for (const [k, v] of entries) {
    if (v === null || v === undefined) continue; // None (e.g. an unset momentum_buffer) is the same as absent
    const where = `${who}: state[${index}].${String(k)}`;
    out.push([
      String(k),
      Array.isArray(v)
        ? v.map((x, i) => stateItem(x, `${where}[${i}]`, true))
        : (stateItem(v, where, false) as Tensor | number),
    ]);
  }
  return out;
}

/**
 * Checks and normalizes an optimizer state dict given as `stateDict()` output, as loaded by `torch.load` from
 * Python's `optimizer.state_dict()`, or as an older checkpoint of ours (state keyed by strings '0', '1', ...).
 * Errors name `who` and the offending entry.
 */
export function readOptimizerState(sd: unknown, who: string): SavedOptimizerState {
  const groupsV = field(sd, 'param_groups');
  const stateV = field(sd, 'state');
  if (!Array.isArray(groupsV))
    throw new TypeError(`${who}: not an optimizer state dict (expected a dict with 'state' and a 'param_groups' list)`);
  const stateEntries = entriesOf(stateV);
  if (!stateEntries) throw new TypeError(`${who}: the state dict's 'state' is not a dict`);
  const groups = groupsV.map((g, gi) => readGroup(g, gi, who));
  const state = new Map<number, [string, SavedStateValue][]>();
  for (const [k, v] of stateEntries) {
    const index = paramIndex(k, who);
    if (state.has(index)) throw new TypeError(`${who}: state for parameter ${index} appears twice`);
    state.set(index, readParamState(v, index, who));
  }
  return { state, groups };
}
