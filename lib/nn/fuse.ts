// Folding eval-mode BatchNorm into the convolution before it, for inference: y = gamma (conv(x) - mean)
// / sqrt(var + eps) + beta is the same convolution with rescaled weights and a shifted bias, so one
// memory pass per normalized layer disappears.
import * as torch from '../torch/index.js';
import { Module } from './module.js';
import { Sequential } from './containers.js';
import {
  BatchNorm1d,
  BatchNorm2d,
  BatchNorm3d,
  Conv1d,
  Conv2d,
  Conv3d,
  ConvTranspose2d,
  ConvTranspose3d,
  Identity,
} from './layers.js';

type Conv = Conv1d | Conv2d | Conv3d | ConvTranspose2d | ConvTranspose3d;
type BatchNorm = BatchNorm1d | BatchNorm2d | BatchNorm3d;
const isConv = (m: Module | undefined): m is Conv =>
  m instanceof Conv1d ||
  m instanceof Conv2d ||
  m instanceof Conv3d ||
  m instanceof ConvTranspose2d ||
  m instanceof ConvTranspose3d;
const isBatchNorm = (m: Module | undefined): m is BatchNorm =>
  m instanceof BatchNorm1d || m instanceof BatchNorm2d || m instanceof BatchNorm3d;

function foldInto(conv: Conv, bn: BatchNorm): void {
  if (!bn.runningMean || !bn.runningVar)
    throw new Error('fuseConvBatchNorm: BatchNorm without running statistics cannot be folded');
  if (conv.groups !== 1 && conv instanceof ConvTranspose3d)
    throw new Error('fuseConvBatchNorm: grouped transposed convolutions are not supported');
  torch.noGrad(() =>
    torch.tidy(() => {
      const scale = bn.runningVar!.add(bn.eps).rsqrt();
      const gamma = bn.weight ? scale.mul(bn.weight) : scale;
      const outDim = conv.transposed ? 1 : 0;
      const shape = conv.weight.shape.map((s, i) => (i === outDim ? s : 1));
      conv.weight.mul_(gamma.view(shape));
      const bias = (conv.bias ?? torch.zerosLike(bn.runningMean!)).sub(bn.runningMean!).mul(gamma);
      if (bn.bias) bias.add_(bn.bias);
      if (conv.bias) conv.bias.copy_(bias);
      else conv.registerParameter('bias', torch.keep(bias.clone()));
    }),
  );
}

/**
 * Folds every BatchNorm that directly follows a convolution inside a Sequential into that convolution
 * and replaces it by Identity, in place. Only for inference: the model is put in eval mode, and its
 * state dict no longer has the BatchNorm entries. Returns the number of folded layers.
 */
export function fuseConvBatchNorm(model: Module): number {
  model.eval();
  let folded = 0;
  const sequentials = [...model.modules()].filter((m): m is Sequential => m instanceof Sequential);
  for (const m of sequentials) {
    const children = [...m.namedChildren()];
    for (let i = 0; i + 1 < children.length; i++) {
      const [, conv] = children[i];
      const [bnName, bn] = children[i + 1];
      if (!isConv(conv) || !isBatchNorm(bn)) continue;
      foldInto(conv, bn);
      m.registerModule(bnName, new Identity());
      bn.dispose();
      folded++;
    }
  }
  return folded;
}
