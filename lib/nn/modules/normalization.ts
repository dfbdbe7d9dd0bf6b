// GroupNorm, LayerNorm, RMSNorm and LocalResponseNorm (torch/nn/modules/normalization.py).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import { Module, pyBool, pyFloat, pyTuple } from '../module.js';
import { factory, type FactoryOptions, type IntOrList } from './utils.js';

/**
 * Applies group normalization over a mini-batch: channels are split into groups, each normalized on its own.
 *
 * `y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta` (Wu and He, 2018), with the mean and (biased) variance of each
 * sample's group of `numChannels / numGroups` channels, over those channels and all spatial positions. `gamma` and
 * `beta` are per channel. The same statistics are used in training and evaluation modes.
 *
 * Shape:
 * - Input: `(N, C, *)`, where `C = numChannels`.
 * - Output: `(N, C, *)`, the same shape as the input.
 *
 * @param numGroups - the number of groups to divide the channels into; `numChannels` must be divisible by it.
 * @param numChannels - the number of channels of the input.
 * @param o.eps - added to the variance for numerical stability (default `1e-5`).
 * @param o.affine - learn a per-channel scale (`weight`, ones) and shift (`bias`, zeros) (default `true`).
 * @param o.bias - with `affine`, learn the shift too (default `true`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const input = torch.randn(20, 6, 10, 10);
 * const m = new nn.GroupNorm(3, 6); // 3 groups of 2 channels
 * console.log(m(input).shape); // [20, 6, 10, 10]
 * // one group: the same as a layer norm over (C, H, W)
 * console.log(new nn.GroupNorm(1, 6)(input).shape); // [20, 6, 10, 10]
 */
export class GroupNorm extends Module {
  readonly eps: number;
  readonly affine: boolean;
  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    o: FactoryOptions & { eps?: number; affine?: boolean; bias?: boolean } = {},
  ) {
    super();
    if (numChannels % numGroups)
      throw new RangeError(`GroupNorm: num_channels (${numChannels}) must be divisible by num_groups (${numGroups})`);
    this.eps = o.eps ?? 1e-5;
    this.affine = o.affine ?? true;
    const fo = factory(o);
    this.registerParameter('weight', this.affine ? torch.ones([numChannels], fo) : null);
    this.registerParameter('bias', this.affine && (o.bias ?? true) ? torch.zeros([numChannels], fo) : null);
  }
  get weight(): Tensor | null {
    return this.paramOrNull('weight');
  }
  get bias(): Tensor | null {
    return this.paramOrNull('bias');
  }
  override forward(x: Tensor): Tensor {
    return F.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * Applies layer normalization over the trailing dimensions of the input, given by `normalizedShape`.
 *
 * `y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta` (Ba et al., 2016), with the mean and (biased) variance over the
 * last `normalizedShape.length` dimensions of each sample. Unlike batch and instance normalization, `gamma` and `beta`
 * are elementwise, of shape `normalizedShape`, and the same statistics are used in training and evaluation.
 *
 * Shape:
 * - Input: `(N, *)`, whose trailing dimensions are `normalizedShape`.
 * - Output: `(N, *)`, the same shape as the input.
 *
 * @param normalizedShape - the shape of the normalized trailing dimensions; one int normalizes the last dimension.
 * @param o.eps - added to the variance for numerical stability (default `1e-5`).
 * @param o.elementwiseAffine - learn an elementwise scale (`weight`, ones) and shift (`bias`, zeros) (default `true`).
 * @param o.bias - with `elementwiseAffine`, learn the shift too (default `true`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * // NLP: normalize each token's embedding
 * const embedding = torch.randn(20, 5, 10);
 * console.log(new nn.LayerNorm(10)(embedding).shape); // [20, 5, 10]
 * // images: normalize over channels and positions
 * const image = torch.randn(20, 5, 10, 10);
 * console.log(new nn.LayerNorm([5, 10, 10])(image).shape); // [20, 5, 10, 10]
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  constructor(
    normalizedShape: IntOrList,
    o: FactoryOptions & { eps?: number; elementwiseAffine?: boolean; bias?: boolean } = {},
  ) {
    super();
    this.normalizedShape = Array.isArray(normalizedShape) ? normalizedShape : [normalizedShape];
    this.eps = o.eps ?? 1e-5;
    this.elementwiseAffine = o.elementwiseAffine ?? true;
    const fo = factory(o);
    this.registerParameter('weight', this.elementwiseAffine ? torch.ones(this.normalizedShape, fo) : null);
    this.registerParameter(
      'bias',
      this.elementwiseAffine && (o.bias ?? true) ? torch.zeros(this.normalizedShape, fo) : null,
    );
  }
  get weight(): Tensor | null {
    return this.paramOrNull('weight');
  }
  get bias(): Tensor | null {
    return this.paramOrNull('bias');
  }
  override forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * Applies local response normalization: each channel is divided by a power of the energy of its neighbours.
 *
 * `b_c = a_c * (k + alpha / n * sum_{c'} a_{c'}^2)^(-beta)`, the sum over the `n = size` channels around `c`
 * (`max(0, c - n / 2)` to `min(C - 1, c + n / 2)`). Arguments as PyTorch's: `alpha, beta, k` positional after `size`,
 * or in one options object.
 *
 * Shape:
 * - Input: `(N, C, *)`, at least 3 dimensions.
 * - Output: `(N, C, *)`, the same shape as the input.
 *
 * @param size - the number of neighbouring channels used for normalization.
 * @param alpha - the multiplicative factor (default `1e-4`).
 * @param beta - the exponent (default `0.75`).
 * @param k - the additive factor (default `1`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const lrn = new nn.LocalResponseNorm(2);
 * console.log(lrn(torch.randn(4, 5, 24, 24)).shape); // [4, 5, 24, 24]
 * console.log(lrn(torch.randn(2, 5, 7, 7, 7)).shape); // [2, 5, 7, 7, 7]
 */
export class LocalResponseNorm extends Module {
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  constructor(
    readonly size: number,
    ...args: KwArgs<F.LocalResponseNormOptions, ['alpha', 'beta', 'k']>
  ) {
    super();
    const o = kwargs<F.LocalResponseNormOptions>(this.constructor.name, ['alpha', 'beta', 'k'], args);
    this.alpha = o.alpha ?? 1e-4;
    this.beta = o.beta ?? 0.75;
    this.k = o.k ?? 1;
  }
  override forward(x: Tensor): Tensor {
    return F.localResponseNorm(x, this.size, this.alpha, this.beta, this.k);
  }
  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}
/**
 * Applies root mean square layer normalization over the trailing dimensions given by `normalizedShape`.
 *
 * `y = x / sqrt(eps + mean(x^2)) * gamma` (Zhang and Sennrich, 2019), the mean over the last `normalizedShape.length`
 * dimensions of each sample and `gamma` elementwise, of shape `normalizedShape`. Arguments as PyTorch's:
 * `eps, elementwiseAffine` positional after `normalizedShape`, or in one options object (with `device` and `dtype`).
 *
 * Shape:
 * - Input: `(N, *)`, whose trailing dimensions are `normalizedShape`.
 * - Output: `(N, *)`, the same shape as the input.
 *
 * @param normalizedShape - the shape of the normalized trailing dimensions; one int normalizes the last dimension.
 * @param eps - added to the mean square for numerical stability (default `null`: the machine epsilon of the input's
 *   dtype).
 * @param elementwiseAffine - learn an elementwise scale (`weight`, ones) (default `true`).
 * @param device - where the weight lives (default the CPU); in the options object only.
 * @param dtype - its floating dtype (default `'float32'`); in the options object only.
 * @example
 * import { torch, nn } from 'skcdf';
 * const rmsNorm = new nn.RMSNorm([5, 10]);
 * const output = rmsNorm(torch.randn(20, 5, 10));
 * console.log(output.shape); // [20, 5, 10]
 */
export class RMSNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number | null;
  readonly elementwiseAffine: boolean;
  constructor(
    normalizedShape: IntOrList,
    ...args: KwArgs<FactoryOptions & { eps?: number | null; elementwiseAffine?: boolean }, ['eps', 'elementwiseAffine']>
  ) {
    super();
    const o = kwargs<FactoryOptions & { eps?: number | null; elementwiseAffine?: boolean }>(
      'RMSNorm',
      ['eps', 'elementwiseAffine'],
      args,
      ['device', 'dtype'],
    );
    this.normalizedShape = Array.isArray(normalizedShape) ? normalizedShape : [normalizedShape];
    this.eps = o.eps ?? null;
    this.elementwiseAffine = o.elementwiseAffine ?? true;
    this.registerParameter('weight', this.elementwiseAffine ? torch.ones(this.normalizedShape, factory(o)) : null);
  }
  get weight(): Tensor | null {
    return this.paramOrNull('weight');
  }
  override forward(x: Tensor): Tensor {
    return F.rmsNorm(x, this.normalizedShape, this.weight, this.eps);
  }
  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${this.eps === null ? 'None' : pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}
