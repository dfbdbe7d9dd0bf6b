// Shared helpers of the layer files: PyTorch's _ntuple, factory options and repr helpers.
import type { Module } from '../module.js';
import type { Tensor } from '../../torch/tensor.js';

/** One int for every dim, or one per dim. */
export type IntOrList = number | number[];
/** Where and in which floating dtype a layer creates its parameters. */
export interface FactoryOptions {
  device?: string;
  dtype?: 'float32' | 'float64' | 'float16' | 'bfloat16';
}

/** PyTorch's _ntuple: an int repeated n times, or a list of exactly n ints. */
export function tuple(v: IntOrList, n: number, what: string): number[] {
  const t = Array.isArray(v) ? v : Array(n).fill(v);
  if (t.length !== n || t.some((x) => !Number.isInteger(x)))
    throw new TypeError(`${what}: expected an int or ${n} ints, got ${JSON.stringify(v)}`);
  return t;
}
/** The tensor options for a layer's parameters (float32 unless given). */
export const factory = (o: FactoryOptions): { device?: string; dtype: NonNullable<FactoryOptions['dtype']> } => ({
  device: o.device,
  dtype: o.dtype ?? 'float32',
});

/** Python's repr of an int or a tuple of ints, as layer reprs print arguments given either way. */
export const pyIntOrTuple = (v: IntOrList): string =>
  Array.isArray(v) ? (v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`) : String(v);

/** Throws a RangeError naming the layer unless the input has one of `dims` dimensions. */
export function needDims(m: Module, x: Tensor, dims: number[]): void {
  if (!dims.includes(x.ndim))
    throw new RangeError(
      `${m.constructor.name}: expected ${dims.join('D or ')}D input, got shape [${x.shape.join(', ')}]`,
    );
}
