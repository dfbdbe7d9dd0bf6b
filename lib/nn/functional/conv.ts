// nn.functional convolutions: conv1d/2d/3d (int or 'same' / 'valid' padding), conv_transpose1d/2d/3d,
// conv_tbc, and unfold / fold (im2col / col2im).
// Optional arguments: positional in Python's order, or a trailing options object (see ./args.ts).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { kwargs, type KwArgs } from './args.js';

type IntOrList = number | number[];
/** Options of conv (Python's keyword arguments, camelCase). */
export interface ConvOptions {
  /** Default null. */ bias?: Tensor | null;
  /** Default 1. */ stride?: IntOrList;
  /** Zero padding per side (default 0), or 'same' / 'valid'. */ padding?: IntOrList | 'same' | 'valid';
  /** Default 1. */ dilation?: IntOrList;
  /** Default 1. */ groups?: number;
}
const CONV = ['bias', 'stride', 'padding', 'dilation', 'groups'] as const;
type ConvArgs = KwArgs<ConvOptions, typeof CONV>;
type ConvFn = (x: Tensor, w: Tensor, b: Tensor | null, s: IntOrList, p: IntOrList, d: IntOrList, g: number) => Tensor;
type ConvStrFn = (x: Tensor, w: Tensor, b: Tensor | null, s: IntOrList, p: string, d: IntOrList, g: number) => Tensor;
function conv(fn: string, op: ConvFn, x: Tensor, w: Tensor, args: readonly unknown[]): Tensor {
  const o = kwargs<ConvOptions>(fn, CONV, args);
  const p = o.padding ?? 0;
  const a = [o.bias ?? null, o.stride ?? 1] as const;
  if (typeof p === 'string') return (op as unknown as ConvStrFn)(x, w, ...a, p, o.dilation ?? 1, o.groups ?? 1);
  return op(x, w, ...a, p, o.dilation ?? 1, o.groups ?? 1);
}
/** Input (N, C_in, L) or (C_in, L), weight (C_out, C_in / groups, k). */
export const conv1d = (x: Tensor, weight: Tensor, ...args: ConvArgs): Tensor =>
  conv('conv1d', torch.conv1d, x, weight, args);
/** Input (N, C_in, H, W) or (C_in, H, W), weight (C_out, C_in / groups, kH, kW). */
export const conv2d = (x: Tensor, weight: Tensor, ...args: ConvArgs): Tensor =>
  conv('conv2d', torch.conv2d, x, weight, args);
/** Input (N, C_in, D, H, W) or (C_in, D, H, W), weight (C_out, C_in / groups, kD, kH, kW). */
export const conv3d = (x: Tensor, weight: Tensor, ...args: ConvArgs): Tensor =>
  conv('conv3d', torch.conv3d, x, weight, args);

/** Options of convTranspose (Python's keyword arguments, camelCase). */
export interface ConvTransposeOptions {
  /** Default null. */ bias?: Tensor | null;
  /** Default 1. */ stride?: IntOrList;
  /** Default 0. */ padding?: IntOrList;
  /** Extra size on one side of each output dim, default 0. */ outputPadding?: IntOrList;
  /** Default 1. */ groups?: number;
  /** Default 1. */ dilation?: IntOrList;
}
const CONVT = ['bias', 'stride', 'padding', 'outputPadding', 'groups', 'dilation'] as const;
type ConvTArgs = KwArgs<ConvTransposeOptions, typeof CONVT>;
type ConvTFn = (
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  s: IntOrList,
  p: IntOrList,
  op: IntOrList,
  g: number,
  d: IntOrList,
) => Tensor;
function convT(fn: string, op: ConvTFn, x: Tensor, w: Tensor, args: readonly unknown[]): Tensor {
  const o = kwargs<ConvTransposeOptions>(fn, CONVT, args);
  return op(x, w, o.bias ?? null, o.stride ?? 1, o.padding ?? 0, o.outputPadding ?? 0, o.groups ?? 1, o.dilation ?? 1);
}
/** Transposed convolution; weight (C_in, C_out / groups, k). */
export const convTranspose1d = (x: Tensor, weight: Tensor, ...args: ConvTArgs): Tensor =>
  convT('convTranspose1d', torch.convTranspose1d, x, weight, args);
/** Transposed convolution; weight (C_in, C_out / groups, kH, kW). */
export const convTranspose2d = (x: Tensor, weight: Tensor, ...args: ConvTArgs): Tensor =>
  convT('convTranspose2d', torch.convTranspose2d, x, weight, args);
/** Transposed convolution; weight (C_in, C_out / groups, kD, kH, kW). */
export const convTranspose3d = (x: Tensor, weight: Tensor, ...args: ConvTArgs): Tensor =>
  convT('convTranspose3d', torch.convTranspose3d, x, weight, args);

/** 1-D convolution of a time-batch-channel input (T, N, C_in) with weight (k, C_in, C_out) and bias (C_out). */
export const convTbc = (x: Tensor, weight: Tensor, bias: Tensor, ...args: KwArgs<{ pad?: number }, ['pad']>): Tensor =>
  torch.convTbc(x, weight, bias, kwargs<{ pad?: number }>('convTbc', ['pad'], args).pad ?? 0);

/** Options of unfold (Python's keyword arguments, camelCase). */
export interface UnfoldOptions {
  /** Default 1. */ dilation?: IntOrList;
  /** Default 0. */ padding?: IntOrList;
  /** Default 1. */ stride?: IntOrList;
}
const UNFOLD = ['dilation', 'padding', 'stride'] as const;
const pair = (v: IntOrList): number[] => (Array.isArray(v) ? v : [v, v]);
/** Sliding local blocks of (N, C, H, W) -> (N, C * kH * kW, L) (im2col). */
export function unfold(x: Tensor, kernelSize: IntOrList, ...args: KwArgs<UnfoldOptions, typeof UNFOLD>): Tensor {
  const o = kwargs<UnfoldOptions>('unfold', UNFOLD, args);
  return torch.im2col(x, pair(kernelSize), pair(o.dilation ?? 1), pair(o.padding ?? 0), pair(o.stride ?? 1));
}
/** Sums sliding local blocks (N, C * kH * kW, L) back into (N, C, outputSize) (col2im). */
export function fold(
  x: Tensor,
  outputSize: IntOrList,
  kernelSize: IntOrList,
  ...args: KwArgs<UnfoldOptions, typeof UNFOLD>
): Tensor {
  const o = kwargs<UnfoldOptions>('fold', UNFOLD, args);
  return torch.col2im(
    x,
    pair(outputSize),
    pair(kernelSize),
    pair(o.dilation ?? 1),
    pair(o.padding ?? 0),
    pair(o.stride ?? 1),
  );
}
