// torch.nn.utils.fusion: fold an eval-mode BatchNorm into the preceding convolution or linear layer.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import { Module } from '../module.js';
import { Linear } from '../modules/linear.js';
import { Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d } from '../modules/conv.js';
import { Parameter } from '../parameter.js';

type Conv = Conv1d | Conv2d | Conv3d | ConvTranspose1d | ConvTranspose2d | ConvTranspose3d;
/** What fusion reads of a BatchNorm (running statistics, eps, affine parameters). */
interface BatchNormLike extends Module {
  readonly eps: number;
  readonly numFeatures: number;
}
function bnParts(bn: BatchNormLike): [Tensor, Tensor, number, Tensor | null, Tensor | null] {
  const rm = bn.buffer('running_mean'),
    rv = bn.buffer('running_var');
  if (!rm || !rv)
    throw new TypeError(`fusion: ${bn.constructor.name} has no running statistics (trackRunningStats: false)`);
  return [rm, rv, bn.eps, bn.paramOrNull('weight'), bn.paramOrNull('bias')];
}

/**
 * The fused [weight, bias] of a convolution followed by batch norm (PyTorch's fuse_conv_bn_weights), as new Parameters.
 */
export function fuseConvBnWeights(
  convW: Tensor,
  convB: Tensor | null,
  bnRm: Tensor,
  bnRv: Tensor,
  bnEps: number,
  bnW: Tensor | null,
  bnB: Tensor | null,
  ...args: KwArgs<{ transpose?: boolean }, ['transpose']>
): [Parameter, Parameter] {
  const transpose = kwargs<{ transpose?: boolean }>('fuseConvBnWeights', ['transpose'], args).transpose ?? false;
  const biasDtype = convB ? convB.dtype : convW.dtype;
  const [w, b] = torch.noGrad(() =>
    torch.tidy(() => {
      const cb = convB ?? torch.zerosLike(bnRm);
      const bw = bnW ?? torch.onesLike(bnRm),
        bb = bnB ?? torch.zerosLike(bnRm);
      const rsqrt = bnRv.add(bnEps).rsqrt();
      const shape = transpose
        ? [1, -1, ...Array<number>(convW.ndim - 2).fill(1)]
        : [-1, 1, ...Array<number>(convW.ndim - 2).fill(1)];
      return [
        convW.mul(bw.mul(rsqrt).reshape(shape)).to(convW.dtype),
        cb.sub(bnRm).mul(rsqrt).mul(bw).add(bb).to(biasDtype),
      ];
    }),
  );
  return [new Parameter(w, convW.requiresGrad), new Parameter(b, convB ? convB.requiresGrad : true)];
}
/** The fused [weight, bias] of a linear layer followed by batch norm (PyTorch's fuse_linear_bn_weights). */
export function fuseLinearBnWeights(
  linearW: Tensor,
  linearB: Tensor | null,
  bnRm: Tensor,
  bnRv: Tensor,
  bnEps: number,
  bnW: Tensor,
  bnB: Tensor,
): [Parameter, Parameter] {
  const [w, b] = torch.noGrad(() =>
    torch.tidy(() => {
      const lb = linearB ?? torch.zerosLike(bnRm);
      const scale = bnW.mul(bnRv.add(bnEps).rsqrt());
      return [linearW.mul(scale.unsqueeze(-1)), lb.sub(bnRm).mul(scale).add(bnB)];
    }),
  );
  return [new Parameter(w, linearW.requiresGrad), new Parameter(b, linearB ? linearB.requiresGrad : true)];
}

/** A copy of the eval-mode `conv` with the eval-mode batch norm `bn` folded in (the inputs are not changed). */
export function fuseConvBnEval<C extends Conv>(
  conv: C,
  bn: BatchNormLike,
  ...args: KwArgs<{ transpose?: boolean }, ['transpose']>
): C {
  const transpose = kwargs<{ transpose?: boolean }>('fuseConvBnEval', ['transpose'], args).transpose ?? false;
  if (conv.training || bn.training) throw new Error('fuseConvBnEval: fusion only for eval!');
  const Ctor = conv.constructor as new (i: number, o: number, k: number[], opts: object) => C;
  const fused = new Ctor(conv.inChannels, conv.outChannels, conv.kernelSize, {
    stride: conv.stride,
    padding: conv.padding,
    dilation: conv.dilation,
    groups: conv.groups,
    bias: true,
    ...(conv.transposed ? { outputPadding: conv.outputPadding } : {}),
    dtype: conv.weight.dtype,
    device: conv.weight.device,
  });
  const [w, b] = fuseConvBnWeights(conv.weight, conv.bias, ...bnParts(bn), transpose);
  fused.registerParameter('weight', w);
  fused.registerParameter('bias', b);
  fused.eval();
  return fused;
}
/** A copy of the eval-mode `linear` with the eval-mode batch norm `bn` folded in. */
export function fuseLinearBnEval(linear: Linear, bn: BatchNormLike): Linear {
  if (linear.training || bn.training) throw new Error('fuseLinearBnEval: fusion only for eval!');
  if (linear.outFeatures !== bn.numFeatures && bn.numFeatures !== 1) {
    throw new RangeError(
      'fuseLinearBnEval: to fuse, linear.outFeatures must equal bn.numFeatures or bn.numFeatures must be 1',
    );
  }
  const [rm, rv, eps, bw, bb] = bnParts(bn);
  if (!bw || !bb) throw new TypeError('fuseLinearBnEval: the batch norm must be affine');
  const fused = new Linear(linear.inFeatures, linear.outFeatures, {
    bias: true,
    dtype: linear.weight.dtype as 'float32',
    device: linear.weight.device,
  });
  const [w, b] = fuseLinearBnWeights(linear.weight, linear.bias, rm, rv, eps, bw, bb);
  fused.registerParameter('weight', w);
  fused.registerParameter('bias', b);
  return fused.eval();
}
