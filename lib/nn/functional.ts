// nn.functional: thin wrappers over ATen with PyTorch's Python-side semantics
// (default strides, reduction names, running-stat updates). Activations, pooling, dropout,
// interpolation, embedding and attention live in functional/<concept>.ts and are re-exported here.
export * from './functional/activation.js';
export * from './functional/attention.js';
export * from './functional/dropout.js';
export * from './functional/pooling.js';
export * from './functional/sparse.js';
export * from './functional/upsampling.js';
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';

export type Reduction = 'none' | 'mean' | 'sum';
/** ATen reduction codes: 0 none, 1 mean, 2 sum. */
export function reductionCode(r: Reduction): number {
  if (r === 'none') return 0;
  if (r === 'mean') return 1;
  if (r === 'sum') return 2;
  throw new TypeError(`reduction: expected 'none' | 'mean' | 'sum', got '${String(r)}'`);
}

type IntOrList = number | number[];

export const relu = (x: Tensor, inplace = false): Tensor => (inplace ? x.relu_() : x.relu());
export const leakyRelu = (x: Tensor, negativeSlope = 0.01, inplace = false): Tensor =>
  (inplace ? x.leakyRelu_(negativeSlope) : torch.leakyRelu(x, negativeSlope));
export const gelu = (x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor => torch.gelu(x, { approximate });
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
export const tanh = (x: Tensor): Tensor => x.tanh();

export const linear = (x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor => torch.linear(x, weight, bias);

export interface ConvOptions { stride?: IntOrList; padding?: IntOrList; dilation?: IntOrList; groups?: number }
export const conv1d = (x: Tensor, w: Tensor, b: Tensor | null = null, o: ConvOptions = {}): Tensor =>
  torch.conv1d(x, w, b, o.stride ?? 1, o.padding ?? 0, o.dilation ?? 1, o.groups ?? 1);
export const conv2d = (x: Tensor, w: Tensor, b: Tensor | null = null, o: ConvOptions = {}): Tensor =>
  torch.conv2d(x, w, b, o.stride ?? 1, o.padding ?? 0, o.dilation ?? 1, o.groups ?? 1);
export const conv3d = (x: Tensor, w: Tensor, b: Tensor | null = null, o: ConvOptions = {}): Tensor =>
  torch.conv3d(x, w, b, o.stride ?? 1, o.padding ?? 0, o.dilation ?? 1, o.groups ?? 1);
export interface ConvTransposeOptions extends ConvOptions { outputPadding?: IntOrList }
export const convTranspose1d = (x: Tensor, w: Tensor, b: Tensor | null = null, o: ConvTransposeOptions = {}): Tensor =>
  torch.convTranspose1d(x, w, b, o.stride ?? 1, o.padding ?? 0, o.outputPadding ?? 0, o.groups ?? 1, o.dilation ?? 1);
export const convTranspose2d = (x: Tensor, w: Tensor, b: Tensor | null = null, o: ConvTransposeOptions = {}): Tensor =>
  torch.convTranspose2d(x, w, b, o.stride ?? 1, o.padding ?? 0, o.outputPadding ?? 0, o.groups ?? 1, o.dilation ?? 1);
export const convTranspose3d = (x: Tensor, w: Tensor, b: Tensor | null = null, o: ConvTransposeOptions = {}): Tensor =>
  torch.convTranspose3d(x, w, b, o.stride ?? 1, o.padding ?? 0, o.outputPadding ?? 0, o.groups ?? 1, o.dilation ?? 1);

export interface BatchNormOptions {
  runningMean?: Tensor | null; runningVar?: Tensor | null; weight?: Tensor | null; bias?: Tensor | null;
  training?: boolean; momentum?: number; eps?: number;
}
/** F.batch_norm: in training mode with running stats, updates them in place (unbiased variance). */
export function batchNorm(x: Tensor, o: BatchNormOptions = {}): Tensor {
  const training = o.training ?? false;
  const rm = o.runningMean ?? null, rv = o.runningVar ?? null;
  if (!training && (!rm || !rv)) throw new TypeError('batchNorm: eval mode needs runningMean and runningVar');
  return torch.batchNorm(x, o.weight ?? null, o.bias ?? null, rm, rv, training, o.momentum ?? 0.1, o.eps ?? 1e-5, true);
}
export function instanceNorm(x: Tensor, o: BatchNormOptions & { useInputStats?: boolean } = {}): Tensor {
  return torch.instanceNorm(x, o.weight ?? null, o.bias ?? null, o.runningMean ?? null, o.runningVar ?? null,
    o.useInputStats ?? true, o.momentum ?? 0.1, o.eps ?? 1e-5, true);
}
export const groupNorm = (x: Tensor, numGroups: number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor =>
  torch.groupNorm(x, numGroups, weight, bias, eps, true);
export const layerNorm = (x: Tensor, normalizedShape: IntOrList, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor =>
  torch.layerNorm(x, typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape, weight, bias, eps, true);

// ---- losses ----
export interface CrossEntropyOptions { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number }
export const crossEntropy = (input: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor =>
  torch.crossEntropyLoss(input, target, o.weight ?? null, reductionCode(o.reduction ?? 'mean'), o.ignoreIndex ?? -100, o.labelSmoothing ?? 0);
export const nllLoss = (input: Tensor, target: Tensor, o: Omit<CrossEntropyOptions, 'labelSmoothing'> = {}): Tensor =>
  torch.nllLossNd(input, target, o.weight ?? null, reductionCode(o.reduction ?? 'mean'), o.ignoreIndex ?? -100);
export const binaryCrossEntropy = (input: Tensor, target: Tensor, o: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor =>
  torch.binaryCrossEntropy(input, target, o.weight ?? null, reductionCode(o.reduction ?? 'mean'));
export const binaryCrossEntropyWithLogits = (input: Tensor, target: Tensor, o: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}): Tensor =>
  torch.binaryCrossEntropyWithLogits(input, target, o.weight ?? null, o.posWeight ?? null, reductionCode(o.reduction ?? 'mean'));
export const mseLoss = (input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor => torch.mseLoss(input, target, reductionCode(reduction));
export const l1Loss = (input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor => torch.l1Loss(input, target, reductionCode(reduction));
