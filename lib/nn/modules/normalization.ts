// GroupNorm, LayerNorm, RMSNorm and LocalResponseNorm (torch/nn/modules/normalization.py).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import { Module, pyBool, pyFloat, pyTuple } from '../module.js';
import { factory, type FactoryOptions, type IntOrList } from './utils.js';

/** Normalizes (N, C, *) over groups of C / numGroups channels; per-channel weight (ones) and bias (zeros). */
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

/** Normalizes over the trailing `normalizedShape` dims; elementwise weight (ones) and bias (zeros) of that shape. */
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

/** Local response normalization across `size` neighbouring channels of (N, C, *). */
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
/** Root-mean-square normalization over the trailing `normalizedShape` dims, elementwise weight (ones). */
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
