// nn.functional pooling: max (optionally with indices), average, power-average (lp), adaptive,
// fractional max and max unpooling, 1-D to 3-D, with PyTorch's defaults (stride = kernel size).
// Optional arguments: positional in Python's order, or a trailing options object (see ./args.ts).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { relu } from './activation.js';
import { kwargs, type KwArgs } from './args.js';

type IntOrList = number | number[];
/** Options of maxPool (Python's keyword arguments, camelCase). */
export interface MaxPoolOptions {
  /** Default: the kernel size. */ stride?: IntOrList | null;
  padding?: IntOrList;
  dilation?: IntOrList;
  ceilMode?: boolean;
}
/** MaxPoolOptions plus `returnIndices` (also return the flat argmax indices, int64). */
export interface MaxPoolCallOptions extends MaxPoolOptions {
  returnIndices?: boolean;
}
/** Options of avgPool (Python's keyword arguments, camelCase). */
export interface AvgPoolOptions {
  /** Default: the kernel size. */ stride?: IntOrList | null;
  padding?: IntOrList;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}
/** Options of both kinds (kept for callers of the earlier maxPool3d/avgPool3d). */
export type PoolOptions = MaxPoolOptions & AvgPoolOptions;

const MAXPOOL = ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'] as const;
type MaxPoolArgs = KwArgs<MaxPoolCallOptions & { returnIndices?: false }, typeof MAXPOOL>;
type IdxPositional = [
  stride: IntOrList | null | undefined,
  padding: IntOrList | undefined,
  dilation: IntOrList | undefined,
  ceilMode: boolean | undefined,
  returnIndices: true,
];
type MaxPoolFn = (x: Tensor, k: IntOrList, s: IntOrList, p: IntOrList, d: IntOrList, c: boolean) => Tensor;
type MaxPoolIdxFn = (x: Tensor, k: IntOrList, s: IntOrList, p: IntOrList, d: IntOrList, c: boolean) => [Tensor, Tensor];
function maxPool(
  fn: string,
  plain: MaxPoolFn,
  withIdx: MaxPoolIdxFn,
  x: Tensor,
  k: IntOrList,
  args: readonly unknown[],
  forceIdx = false,
): Tensor | [Tensor, Tensor] {
  const o = kwargs<MaxPoolCallOptions>(fn, MAXPOOL, args);
  const a = [x, k, o.stride ?? k, o.padding ?? 0, o.dilation ?? 1, o.ceilMode ?? false] as const;
  return o.returnIndices || forceIdx ? withIdx(...a) : plain(...a);
}

/** Input (N, C, L) or (C, L). With `returnIndices`, also the flat argmax indices (int64) MaxUnpool uses. */
export function maxPool1d(
  x: Tensor,
  kernelSize: IntOrList,
  o: MaxPoolOptions & { returnIndices: true },
): [Tensor, Tensor];
/** maxPool1d with every argument positional and returnIndices true: [out, indices]. */
export function maxPool1d(x: Tensor, kernelSize: IntOrList, ...args: IdxPositional): [Tensor, Tensor];
/** maxPool1d without indices. */
export function maxPool1d(x: Tensor, kernelSize: IntOrList, ...args: MaxPoolArgs): Tensor;
/** maxPool1d: the implementation of the overloads above. */
export function maxPool1d(x: Tensor, kernelSize: IntOrList, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  return maxPool('maxPool1d', torch.maxPool1d, torch.maxPool1dWithIndices, x, kernelSize, args);
}
/** Input (N, C, H, W) or (C, H, W). */
export function maxPool2d(
  x: Tensor,
  kernelSize: IntOrList,
  o: MaxPoolOptions & { returnIndices: true },
): [Tensor, Tensor];
/** maxPool2d with every argument positional and returnIndices true: [out, indices]. */
export function maxPool2d(x: Tensor, kernelSize: IntOrList, ...args: IdxPositional): [Tensor, Tensor];
/** maxPool2d without indices. */
export function maxPool2d(x: Tensor, kernelSize: IntOrList, ...args: MaxPoolArgs): Tensor;
/** maxPool2d: the implementation of the overloads above. */
export function maxPool2d(x: Tensor, kernelSize: IntOrList, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  return maxPool('maxPool2d', torch.maxPool2d, torch.maxPool2dWithIndices, x, kernelSize, args);
}
/** Input (N, C, D, H, W) or (C, D, H, W). */
export function maxPool3d(
  x: Tensor,
  kernelSize: IntOrList,
  o: MaxPoolOptions & { returnIndices: true },
): [Tensor, Tensor];
/** maxPool3d with every argument positional and returnIndices true: [out, indices]. */
export function maxPool3d(x: Tensor, kernelSize: IntOrList, ...args: IdxPositional): [Tensor, Tensor];
/** maxPool3d without indices. */
export function maxPool3d(x: Tensor, kernelSize: IntOrList, ...args: MaxPoolArgs): Tensor;
/** maxPool3d: the implementation of the overloads above. */
export function maxPool3d(x: Tensor, kernelSize: IntOrList, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  return maxPool('maxPool3d', torch.maxPool3d, torch.maxPool3dWithIndices, x, kernelSize, args);
}
type WithIdxArgs = KwArgs<MaxPoolCallOptions, typeof MAXPOOL>;
/** maxPool1d returning [output, indices] (PyTorch's max_pool1d_with_indices). */
export const maxPool1dWithIndices = (x: Tensor, kernelSize: IntOrList, ...args: WithIdxArgs): [Tensor, Tensor] =>
  maxPool('maxPool1dWithIndices', torch.maxPool1d, torch.maxPool1dWithIndices, x, kernelSize, args, true) as [
    Tensor,
    Tensor,
  ];
/** maxPool2d returning [output, indices]. */
export const maxPool2dWithIndices = (x: Tensor, kernelSize: IntOrList, ...args: WithIdxArgs): [Tensor, Tensor] =>
  maxPool('maxPool2dWithIndices', torch.maxPool2d, torch.maxPool2dWithIndices, x, kernelSize, args, true) as [
    Tensor,
    Tensor,
  ];
/** maxPool3d returning [output, indices]. */
export const maxPool3dWithIndices = (x: Tensor, kernelSize: IntOrList, ...args: WithIdxArgs): [Tensor, Tensor] =>
  maxPool('maxPool3dWithIndices', torch.maxPool3d, torch.maxPool3dWithIndices, x, kernelSize, args, true) as [
    Tensor,
    Tensor,
  ];

const AVGPOOL = ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'] as const;
const avgArgs = (
  fn: string,
  k: IntOrList,
  args: readonly unknown[],
): [IntOrList, IntOrList, boolean, boolean, number | null] => {
  const o = kwargs<AvgPoolOptions>(fn, AVGPOOL, args);
  return [o.stride ?? k, o.padding ?? 0, o.ceilMode ?? false, o.countIncludePad ?? true, o.divisorOverride ?? null];
};
/** Input (N, C, L) or (C, L); countIncludePad default true. */
export function avgPool1d(
  x: Tensor,
  kernelSize: IntOrList,
  ...args: KwArgs<Omit<AvgPoolOptions, 'divisorOverride'>, ['stride', 'padding', 'ceilMode', 'countIncludePad']>
): Tensor {
  const [s, p, c, cip, div] = avgArgs('avgPool1d', kernelSize, args);
  if (div != null) throw new TypeError('avgPool1d: divisorOverride is not an argument of avg_pool1d');
  return torch.avgPool1d(x, kernelSize, s, p, c, cip);
}
/** Input (N, C, H, W) or (C, H, W). */
export const avgPool2d = (x: Tensor, kernelSize: IntOrList, ...args: KwArgs<AvgPoolOptions, typeof AVGPOOL>): Tensor =>
  torch.avgPool2d(x, kernelSize, ...avgArgs('avgPool2d', kernelSize, args));
/** Input (N, C, D, H, W) or (C, D, H, W). */
export const avgPool3d = (x: Tensor, kernelSize: IntOrList, ...args: KwArgs<AvgPoolOptions, typeof AVGPOOL>): Tensor =>
  torch.avgPool3d(x, kernelSize, ...avgArgs('avgPool3d', kernelSize, args));

/** Options of lpPool (Python's keyword arguments, camelCase). */
export interface LpPoolOptions {
  /** Default: the kernel size. */ stride?: IntOrList | null;
  /** Default false. */ ceilMode?: boolean;
}
const LPPOOL = ['stride', 'ceilMode'] as const;
function lpPool(
  fn: string,
  n: 1 | 2 | 3,
  x: Tensor,
  normType: number,
  kernelSize: IntOrList,
  args: readonly unknown[],
): Tensor {
  const o = kwargs<LpPoolOptions>(fn, LPPOOL, args);
  const ks = Array.isArray(kernelSize) ? kernelSize : Array<number>(n).fill(kernelSize);
  return torch.tidy(() => {
    const xp = x.pow(normType);
    const s = o.stride ?? kernelSize,
      c = o.ceilMode ?? false;
    const out =
      n === 1
        ? torch.avgPool1d(xp, kernelSize, s, 0, c)
        : n === 2
          ? torch.avgPool2d(xp, kernelSize, s, 0, c)
          : torch.avgPool3d(xp, kernelSize, s, 0, c);
    return out
      .sign()
      .mul(relu(out.abs()))
      .mul(ks.reduce((a, b) => a * b, 1))
      .pow(1 / normType);
  });
}
/** Power-average pooling: (sum over the window of x^p)^(1/p). Input (N, C, L) or (C, L). */
export const lpPool1d = (
  x: Tensor,
  normType: number,
  kernelSize: IntOrList,
  ...args: KwArgs<LpPoolOptions, typeof LPPOOL>
): Tensor => lpPool('lpPool1d', 1, x, normType, kernelSize, args);
/** Power-average pooling over (H, W). */
export const lpPool2d = (
  x: Tensor,
  normType: number,
  kernelSize: IntOrList,
  ...args: KwArgs<LpPoolOptions, typeof LPPOOL>
): Tensor => lpPool('lpPool2d', 2, x, normType, kernelSize, args);
/** Power-average pooling over (D, H, W). */
export const lpPool3d = (
  x: Tensor,
  normType: number,
  kernelSize: IntOrList,
  ...args: KwArgs<LpPoolOptions, typeof LPPOOL>
): Tensor => lpPool('lpPool3d', 3, x, normType, kernelSize, args);

/** Output size given per spatial dim; null keeps that input size (PyTorch's None). */
export type AdaptiveSize = number | (number | null)[];
function resolveAdaptive(x: Tensor, size: AdaptiveSize, n: number, what: string): number[] {
  const s = Array.isArray(size) ? size : Array<number>(n).fill(size);
  if (s.length !== n)
    throw new TypeError(`${what}: outputSize must be an int or ${n} ints, got ${JSON.stringify(size)}`);
  if (x.ndim !== n + 1 && x.ndim !== n + 2)
    throw new RangeError(`${what}: expected a ${n + 1}D or ${n + 2}D input, got shape [${x.shape.join(', ')}]`);
  return s.map((v, i) => v ?? x.shape[x.ndim - n + i]!);
}
/** Average pooling to a fixed output length. */
export const adaptiveAvgPool1d = (x: Tensor, outputSize: AdaptiveSize): Tensor =>
  torch.adaptiveAvgPool1d(x, resolveAdaptive(x, outputSize, 1, 'adaptiveAvgPool1d'));
/** Average pooling to a fixed (H, W). */
export const adaptiveAvgPool2d = (x: Tensor, outputSize: AdaptiveSize): Tensor =>
  torch.adaptiveAvgPool2d(x, resolveAdaptive(x, outputSize, 2, 'adaptiveAvgPool2d'));
/** Average pooling to a fixed (D, H, W). */
export const adaptiveAvgPool3d = (x: Tensor, outputSize: AdaptiveSize): Tensor =>
  torch.adaptiveAvgPool3d(x, resolveAdaptive(x, outputSize, 3, 'adaptiveAvgPool3d'));

/** Options of adaptiveMax (Python's keyword arguments, camelCase). */
export interface AdaptiveMaxOptions {
  returnIndices?: boolean;
}
function adaptiveMax(
  fn: (x: Tensor, s: number[]) => [Tensor, Tensor],
  n: number,
  x: Tensor,
  size: AdaptiveSize,
  args: readonly unknown[],
  what: string,
  force = false,
): Tensor | [Tensor, Tensor] {
  const returnIndices = force || (kwargs<AdaptiveMaxOptions>(what, ['returnIndices'], args).returnIndices ?? false);
  const [out, idx] = fn(x, resolveAdaptive(x, size, n, what));
  if (returnIndices) return [out, idx];
  idx.dispose();
  return out;
}
type AdaptiveIdx = [returnIndices: true] | [options: { returnIndices: true }];
type AdaptivePlain = [] | [returnIndices: false | undefined] | [options: { returnIndices?: false }];
/** Max pooling to a fixed output length (with `returnIndices`, also the argmax indices). */
export function adaptiveMaxPool1d(x: Tensor, outputSize: AdaptiveSize, ...args: AdaptiveIdx): [Tensor, Tensor];
/** adaptiveMaxPool1d without indices. */
export function adaptiveMaxPool1d(x: Tensor, outputSize: AdaptiveSize, ...args: AdaptivePlain): Tensor;
/** adaptiveMaxPool1d: the implementation of the overloads above. */
export function adaptiveMaxPool1d(x: Tensor, outputSize: AdaptiveSize, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  return adaptiveMax(torch.adaptiveMaxPool1d, 1, x, outputSize, args, 'adaptiveMaxPool1d');
}
/** Max pooling to a fixed (H, W). */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, ...args: AdaptiveIdx): [Tensor, Tensor];
/** adaptiveMaxPool2d without indices. */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, ...args: AdaptivePlain): Tensor;
/** adaptiveMaxPool2d: the implementation of the overloads above. */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  return adaptiveMax(torch.adaptiveMaxPool2d, 2, x, outputSize, args, 'adaptiveMaxPool2d');
}
/** Max pooling to a fixed (D, H, W). */
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize, ...args: AdaptiveIdx): [Tensor, Tensor];
/** adaptiveMaxPool3d without indices. */
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize, ...args: AdaptivePlain): Tensor;
/** adaptiveMaxPool3d: the implementation of the overloads above. */
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  return adaptiveMax(torch.adaptiveMaxPool3d, 3, x, outputSize, args, 'adaptiveMaxPool3d');
}
/** adaptiveMaxPool1d returning [output, indices]. */
export const adaptiveMaxPool1dWithIndices = (x: Tensor, outputSize: AdaptiveSize): [Tensor, Tensor] =>
  adaptiveMax(torch.adaptiveMaxPool1d, 1, x, outputSize, [], 'adaptiveMaxPool1dWithIndices', true) as [Tensor, Tensor];
/** adaptiveMaxPool2d returning [output, indices]. */
export const adaptiveMaxPool2dWithIndices = (x: Tensor, outputSize: AdaptiveSize): [Tensor, Tensor] =>
  adaptiveMax(torch.adaptiveMaxPool2d, 2, x, outputSize, [], 'adaptiveMaxPool2dWithIndices', true) as [Tensor, Tensor];
/** adaptiveMaxPool3d returning [output, indices]. */
export const adaptiveMaxPool3dWithIndices = (x: Tensor, outputSize: AdaptiveSize): [Tensor, Tensor] =>
  adaptiveMax(torch.adaptiveMaxPool3d, 3, x, outputSize, [], 'adaptiveMaxPool3dWithIndices', true) as [Tensor, Tensor];

/** Options of maxUnpool (Python's keyword arguments, camelCase). */
export interface MaxUnpoolOptions {
  /** Default: the kernel size. */ stride?: IntOrList | null;
  /** Default 0. */ padding?: IntOrList;
  /** Spatial output size (or with the leading N, C); default from the pooling formula. */ outputSize?: number[] | null;
}
const UNPOOL = ['stride', 'padding', 'outputSize'] as const;
const ntuple = (v: IntOrList, n: number): number[] => (Array.isArray(v) ? v : Array<number>(n).fill(v));
/** PyTorch's _unpool_output_size: the default size, or the requested one checked against it. */
function unpoolSize(
  fn: string,
  x: Tensor,
  k: number[],
  s: number[],
  p: number[],
  outputSize: number[] | null | undefined,
): number[] {
  const def = k.map((kd, d) => (x.shape[x.ndim - k.length + d]! - 1) * s[d]! + kd - 2 * p[d]!);
  if (!outputSize) return def;
  const size = outputSize.length === k.length + 2 ? outputSize.slice(2) : outputSize;
  if (size.length !== k.length)
    throw new RangeError(
      `${fn}: outputSize must have ${k.length} or ${k.length + 2} elements, got ${outputSize.length}`,
    );
  size.forEach((v, d) => {
    const lo = def[d]! - s[d]!,
      hi = def[d]! + s[d]!;
    if (!(lo < v && v < hi))
      throw new RangeError(
        `${fn}: invalid outputSize [${size.join(', ')}] (dim ${d} must be between ${lo + 1} and ${hi - 1})`,
      );
  });
  return size;
}
function maxUnpool(
  fn: string,
  n: 1 | 2 | 3,
  x: Tensor,
  indices: Tensor,
  kernelSize: IntOrList,
  args: readonly unknown[],
): Tensor {
  const o = kwargs<MaxUnpoolOptions>(fn, UNPOOL, args);
  const k = ntuple(kernelSize, n),
    s = ntuple(o.stride ?? k, n),
    p = ntuple(o.padding ?? 0, n);
  const size = unpoolSize(fn, x, k, s, p, o.outputSize);
  if (n === 3) return torch.maxUnpool3d(x, indices, size, s, p);
  if (n === 2) return torch.maxUnpool2d(x, indices, size);
  return torch.tidy(() => torch.maxUnpool2d(x.unsqueeze(-1), indices.unsqueeze(-1), [...size, 1]).squeeze(-1));
}
type UnpoolArgs = KwArgs<MaxUnpoolOptions, typeof UNPOOL>;
/** Inverse of maxPool1d: scatters `input` to the positions `indices` (from returnIndices), zeros elsewhere. */
export const maxUnpool1d = (x: Tensor, indices: Tensor, kernelSize: IntOrList, ...args: UnpoolArgs): Tensor =>
  maxUnpool('maxUnpool1d', 1, x, indices, kernelSize, args);
/** Inverse of maxPool2d. */
export const maxUnpool2d = (x: Tensor, indices: Tensor, kernelSize: IntOrList, ...args: UnpoolArgs): Tensor =>
  maxUnpool('maxUnpool2d', 2, x, indices, kernelSize, args);
/** Inverse of maxPool3d. */
export const maxUnpool3d = (x: Tensor, indices: Tensor, kernelSize: IntOrList, ...args: UnpoolArgs): Tensor =>
  maxUnpool('maxUnpool3d', 3, x, indices, kernelSize, args);

/** Options of fractionalMaxPool (Python's keyword arguments, camelCase). */
export interface FractionalMaxPoolOptions {
  /** Output spatial size (this or outputRatio). */ outputSize?: IntOrList | null;
  /** Output size as a fraction of the input size, in (0, 1). */ outputRatio?: number | number[] | null;
  /** Also return the argmax indices. Default false. */ returnIndices?: boolean;
  /** The pseudo-random offsets, (N, C, n) in [0, 1) (PyTorch's _random_samples); default torch.rand. */
  randomSamples?: Tensor | null;
}
const FRACTIONAL = ['outputSize', 'outputRatio', 'returnIndices'] as const;
function fractional(
  fn: string,
  n: 2 | 3,
  x: Tensor,
  kernelSize: IntOrList,
  args: readonly unknown[],
  force = false,
): Tensor | [Tensor, Tensor] {
  const o = kwargs<FractionalMaxPoolOptions>(fn, FRACTIONAL, args, ['randomSamples']);
  if (o.outputSize == null && o.outputRatio == null)
    throw new TypeError(`${fn} requires specifying either an outputSize or an outputRatio`);
  const size =
    o.outputSize != null
      ? ntuple(o.outputSize, n)
      : ntuple(o.outputRatio!, n).map((r, d) => Math.trunc(x.shape[x.ndim - n + d]! * r));
  const [out, idx] = torch.tidy(() => {
    const samples =
      o.randomSamples ??
      torch.rand([x.ndim === n + 1 ? 1 : x.shape[0]!, x.shape[x.ndim - n - 1]!, n], {
        dtype: x.dtype,
        device: x.device,
      });
    return n === 2
      ? torch.fractionalMaxPool2d(x, kernelSize, size, samples)
      : torch.fractionalMaxPool3d(x, kernelSize, size, samples);
  });
  if (o.returnIndices || force) return [out, idx];
  idx.dispose();
  return out;
}
type FracArgs = KwArgs<FractionalMaxPoolOptions, typeof FRACTIONAL>;
/** Fractional max pooling over (H, W) (Graham, 2014): pseudo-random window positions reaching outputSize. */
export const fractionalMaxPool2d = (x: Tensor, kernelSize: IntOrList, ...args: FracArgs): Tensor | [Tensor, Tensor] =>
  fractional('fractionalMaxPool2d', 2, x, kernelSize, args);
/** Fractional max pooling over (D, H, W). */
export const fractionalMaxPool3d = (x: Tensor, kernelSize: IntOrList, ...args: FracArgs): Tensor | [Tensor, Tensor] =>
  fractional('fractionalMaxPool3d', 3, x, kernelSize, args);
/** fractionalMaxPool2d returning [output, indices]. */
export const fractionalMaxPool2dWithIndices = (x: Tensor, kernelSize: IntOrList, ...args: FracArgs): [Tensor, Tensor] =>
  fractional('fractionalMaxPool2dWithIndices', 2, x, kernelSize, args, true) as [Tensor, Tensor];
/** fractionalMaxPool3d returning [output, indices]. */
export const fractionalMaxPool3dWithIndices = (x: Tensor, kernelSize: IntOrList, ...args: FracArgs): [Tensor, Tensor] =>
  fractional('fractionalMaxPool3dWithIndices', 3, x, kernelSize, args, true) as [Tensor, Tensor];
