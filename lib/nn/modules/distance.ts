// CosineSimilarity and PairwiseDistance (torch/nn/modules/distance.py).
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import { Module } from '../module.js';

/** Cosine similarity of x1 and x2 along `dim` (default 1, eps 1e-8). */
export class CosineSimilarity extends Module {
  readonly dim: number;
  readonly eps: number;
  constructor(...args: KwArgs<F.CosineSimilarityOptions, ['dim', 'eps']>) {
    super();
    const o = kwargs<F.CosineSimilarityOptions>('CosineSimilarity', ['dim', 'eps'], args);
    this.dim = o.dim ?? 1;
    this.eps = o.eps ?? 1e-8;
  }
  override forward(x1: Tensor, x2: Tensor): Tensor {
    return F.cosineSimilarity(x1, x2, this.dim, this.eps);
  }
}
/** p-norm distance of x1 - x2 (+ eps) over the last dim (p 2, eps 1e-6). */
export class PairwiseDistance extends Module {
  readonly norm: number;
  readonly eps: number;
  readonly keepdim: boolean;
  constructor(...args: KwArgs<F.PairwiseDistanceOptions, ['p', 'eps', 'keepdim']>) {
    super();
    const o = kwargs<F.PairwiseDistanceOptions>('PairwiseDistance', ['p', 'eps', 'keepdim'], args);
    this.norm = o.p ?? 2;
    this.eps = o.eps ?? 1e-6;
    this.keepdim = o.keepdim ?? false;
  }
  override forward(x1: Tensor, x2: Tensor): Tensor {
    return F.pairwiseDistance(x1, x2, this.norm, this.eps, this.keepdim);
  }
}
