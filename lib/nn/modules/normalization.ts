// GroupNorm and LayerNorm (torch/nn/modules/normalization.py).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { Module, pyBool, pyFloat, pyTuple } from '../module.js';
import { factory, type FactoryOptions, type IntOrList } from './utils.js';

/** Normalizes (N, C, *) over groups of C / numGroups channels; per-channel weight (ones) and bias (zeros). */
export class GroupNorm extends Module {
  readonly eps: number;
  readonly affine: boolean;
  constructor(readonly numGroups: number, readonly numChannels: number, o: FactoryOptions & { eps?: number; affine?: boolean; bias?: boolean } = {}) {
    super();
    if (numChannels % numGroups) throw new RangeError(`GroupNorm: num_channels (${numChannels}) must be divisible by num_groups (${numGroups})`);
    this.eps = o.eps ?? 1e-5;
    this.affine = o.affine ?? true;
    const fo = factory(o);
    this.registerParameter('weight', this.affine ? torch.ones([numChannels], fo) : null);
    this.registerParameter('bias', this.affine && (o.bias ?? true) ? torch.zeros([numChannels], fo) : null);
  }
  get weight(): Tensor | null { return this.paramOrNull('weight'); }
  get bias(): Tensor | null { return this.paramOrNull('bias'); }
  override forward(x: Tensor): Tensor { return F.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps); }
  override extraRepr(): string { return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}, bias=${pyBool(this.bias !== null)}`; }
}

/** Normalizes over the trailing `normalizedShape` dims; elementwise weight (ones) and bias (zeros) of that shape. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  constructor(normalizedShape: IntOrList, o: FactoryOptions & { eps?: number; elementwiseAffine?: boolean; bias?: boolean } = {}) {
    super();
    this.normalizedShape = Array.isArray(normalizedShape) ? normalizedShape : [normalizedShape];
    this.eps = o.eps ?? 1e-5;
    this.elementwiseAffine = o.elementwiseAffine ?? true;
    const fo = factory(o);
    this.registerParameter('weight', this.elementwiseAffine ? torch.ones(this.normalizedShape, fo) : null);
    this.registerParameter('bias', this.elementwiseAffine && (o.bias ?? true) ? torch.zeros(this.normalizedShape, fo) : null);
  }
  get weight(): Tensor | null { return this.paramOrNull('weight'); }
  get bias(): Tensor | null { return this.paramOrNull('bias'); }
  override forward(x: Tensor): Tensor { return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps); }
  override extraRepr(): string { return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}, bias=${pyBool(this.bias !== null)}`; }
}
