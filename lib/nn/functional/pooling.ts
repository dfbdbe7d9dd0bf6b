// nn.functional pooling: max (optionally with indices), average, adaptive average and adaptive max,
// 1-D to 3-D, with PyTorch's defaults (stride = kernel size).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';

type IntOrList = number | number[];
export interface MaxPoolOptions { /** Default: the kernel size. */ stride?: IntOrList | null; padding?: IntOrList; dilation?: IntOrList; ceilMode?: boolean }
export interface AvgPoolOptions { /** Default: the kernel size. */ stride?: IntOrList | null; padding?: IntOrList; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }
/** Options of both kinds (kept for callers of the earlier maxPool3d/avgPool3d). */
export type PoolOptions = MaxPoolOptions & AvgPoolOptions;

// An empty stride list means "the kernel size" to ATen; PyTorch passes [] for stride=None.
const stride = (o: { stride?: IntOrList | null }, k: IntOrList): IntOrList => o.stride ?? k;
type MaxPoolFn = (x: Tensor, k: IntOrList, s: IntOrList, p: IntOrList, d: IntOrList, c: boolean) => Tensor;
type MaxPoolIdxFn = (x: Tensor, k: IntOrList, s: IntOrList, p: IntOrList, d: IntOrList, c: boolean) => [Tensor, Tensor];
function maxPool(plain: MaxPoolFn, withIdx: MaxPoolIdxFn, x: Tensor, k: IntOrList, o: MaxPoolOptions & { returnIndices?: boolean }): Tensor | [Tensor, Tensor] {
  const args = [x, k, stride(o, k), o.padding ?? 0, o.dilation ?? 1, o.ceilMode ?? false] as const;
  return o.returnIndices ? withIdx(...args) : plain(...args);
}

/** Input (N, C, L) or (C, L). With `returnIndices`, also the flat argmax indices (int64) MaxUnpool uses. */
export function maxPool1d(x: Tensor, kernelSize: IntOrList, o?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool1d(x: Tensor, kernelSize: IntOrList, o: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(x: Tensor, kernelSize: IntOrList, o: MaxPoolOptions & { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  return maxPool(torch.maxPool1d, torch.maxPool1dWithIndices, x, kernelSize, o);
}
/** Input (N, C, H, W) or (C, H, W). */
export function maxPool2d(x: Tensor, kernelSize: IntOrList, o?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(x: Tensor, kernelSize: IntOrList, o: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: IntOrList, o: MaxPoolOptions & { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  return maxPool(torch.maxPool2d, torch.maxPool2dWithIndices, x, kernelSize, o);
}
/** Input (N, C, D, H, W) or (C, D, H, W). */
export function maxPool3d(x: Tensor, kernelSize: IntOrList, o?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool3d(x: Tensor, kernelSize: IntOrList, o: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool3d(x: Tensor, kernelSize: IntOrList, o: MaxPoolOptions & { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  return maxPool(torch.maxPool3d, torch.maxPool3dWithIndices, x, kernelSize, o);
}

/** Input (N, C, L) or (C, L); countIncludePad default true. */
export const avgPool1d = (x: Tensor, kernelSize: IntOrList, o: AvgPoolOptions = {}): Tensor => {
  if (o.divisorOverride != null) throw new TypeError('avgPool1d: divisorOverride is not an argument of avg_pool1d');
  return torch.avgPool1d(x, kernelSize, stride(o, kernelSize), o.padding ?? 0, o.ceilMode ?? false, o.countIncludePad ?? true);
};
/** Input (N, C, H, W) or (C, H, W). */
export const avgPool2d = (x: Tensor, kernelSize: IntOrList, o: AvgPoolOptions = {}): Tensor =>
  torch.avgPool2d(x, kernelSize, stride(o, kernelSize), o.padding ?? 0, o.ceilMode ?? false, o.countIncludePad ?? true, o.divisorOverride ?? null);
/** Input (N, C, D, H, W) or (C, D, H, W). */
export const avgPool3d = (x: Tensor, kernelSize: IntOrList, o: AvgPoolOptions = {}): Tensor =>
  torch.avgPool3d(x, kernelSize, stride(o, kernelSize), o.padding ?? 0, o.ceilMode ?? false, o.countIncludePad ?? true, o.divisorOverride ?? null);

/** Output size given per spatial dim; null keeps that input size (PyTorch's None). */
export type AdaptiveSize = number | (number | null)[];
function resolveAdaptive(x: Tensor, size: AdaptiveSize, n: number, what: string): number[] {
  const s = Array.isArray(size) ? size : Array<number>(n).fill(size);
  if (s.length !== n) throw new TypeError(`${what}: outputSize must be an int or ${n} ints, got ${JSON.stringify(size)}`);
  if (x.ndim !== n + 1 && x.ndim !== n + 2) throw new RangeError(`${what}: expected a ${n + 1}D or ${n + 2}D input, got shape [${x.shape.join(', ')}]`);
  return s.map((v, i) => v ?? x.shape[x.ndim - n + i]!);
}
export const adaptiveAvgPool1d = (x: Tensor, outputSize: AdaptiveSize): Tensor => torch.adaptiveAvgPool1d(x, resolveAdaptive(x, outputSize, 1, 'adaptiveAvgPool1d'));
export const adaptiveAvgPool2d = (x: Tensor, outputSize: AdaptiveSize): Tensor => torch.adaptiveAvgPool2d(x, resolveAdaptive(x, outputSize, 2, 'adaptiveAvgPool2d'));
export const adaptiveAvgPool3d = (x: Tensor, outputSize: AdaptiveSize): Tensor => torch.adaptiveAvgPool3d(x, resolveAdaptive(x, outputSize, 3, 'adaptiveAvgPool3d'));

function adaptiveMax(fn: (x: Tensor, s: number[]) => [Tensor, Tensor], n: number, x: Tensor, size: AdaptiveSize, returnIndices: boolean, what: string): Tensor | [Tensor, Tensor] {
  const [out, idx] = fn(x, resolveAdaptive(x, size, n, what));
  if (returnIndices) return [out, idx];
  idx.dispose();
  return out;
}
export function adaptiveMaxPool1d(x: Tensor, outputSize: AdaptiveSize, returnIndices?: false): Tensor;
export function adaptiveMaxPool1d(x: Tensor, outputSize: AdaptiveSize, returnIndices: true): [Tensor, Tensor];
export function adaptiveMaxPool1d(x: Tensor, outputSize: AdaptiveSize, returnIndices = false): Tensor | [Tensor, Tensor] {
  return adaptiveMax(torch.adaptiveMaxPool1d, 1, x, outputSize, returnIndices, 'adaptiveMaxPool1d');
}
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, returnIndices?: false): Tensor;
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, returnIndices: true): [Tensor, Tensor];
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, returnIndices = false): Tensor | [Tensor, Tensor] {
  return adaptiveMax(torch.adaptiveMaxPool2d, 2, x, outputSize, returnIndices, 'adaptiveMaxPool2d');
}
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize, returnIndices?: false): Tensor;
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize, returnIndices: true): [Tensor, Tensor];
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize, returnIndices = false): Tensor | [Tensor, Tensor] {
  return adaptiveMax(torch.adaptiveMaxPool3d, 3, x, outputSize, returnIndices, 'adaptiveMaxPool3d');
}
