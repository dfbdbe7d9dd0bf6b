// CosineSimilarity and PairwiseDistance (torch/nn/modules/distance.py).
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import { Module } from '../module.js';

/**
 * Returns the cosine similarity of `x1` and `x2` along `dim`: `x1 . x2 / max(||x1||_2 * ||x2||_2, eps)`.
 *
 * Arguments as PyTorch's: positional (`dim, eps`) or one options object.
 *
 * Shape:
 * - Input1: `(*1, D, *2)`, where `D` is at position `dim`.
 * - Input2: `(*1, D, *2)`, the same number of dimensions as x1 and the same size at `dim`; the other dimensions
 *   broadcast with x1's.
 * - Output: `(*1, *2)`.
 *
 * @param dim - the dimension along which the similarity is computed (default `1`).
 * @param eps - a small value that keeps the denominator above 0 (default `1e-8`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const cos = new nn.CosineSimilarity({ dim: 1, eps: 1e-6 });
 * const output = cos(torch.randn(100, 128), torch.randn(100, 128));
 * console.log(output.shape); // [100]
 */
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
/**
 * Returns the p-norm distance between the rows of `x1` and `x2`: `||x1 - x2 + eps||_p` over the last dimension.
 *
 * Arguments as PyTorch's: positional (`p, eps, keepdim`) or one options object; `p` is kept as `norm`.
 *
 * Shape:
 * - Input1: `(N, D)` or `(D)`, `N` the batch size and `D` the vector dimension.
 * - Input2: `(N, D)` or `(D)`, the same shape as Input1.
 * - Output: `(N)` or `()`; with `keepdim`, `(N, 1)` or `(1)`.
 *
 * @param p - the norm degree, which may be negative (default `2`).
 * @param eps - a small value added to the difference to avoid division by zero (default `1e-6`).
 * @param keepdim - keep the vector dimension, of size 1 (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const pdist = new nn.PairwiseDistance(2);
 * const output = pdist(torch.randn(100, 128), torch.randn(100, 128));
 * console.log(output.shape); // [100]
 */
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
