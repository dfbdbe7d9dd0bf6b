// Flatten and Unflatten (torch/nn/modules/flatten.py).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { Module, pyTuple } from '../module.js';

/**
 * Flattens a contiguous range of dimensions, `startDim` to `endDim`, into one.
 *
 * Shape:
 * - Input: `(*, S_start, ..., S_end, *)`, where `S_start` is at `startDim` and `S_end` at `endDim`.
 * - Output: `(*, S_start * ... * S_end, *)`.
 *
 * @param startDim - the first dimension to flatten (default `1`, keeping the batch dimension).
 * @param endDim - the last dimension to flatten (default `-1`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const input = torch.randn(32, 1, 5, 5);
 * console.log(new nn.Flatten()(input).shape); // [32, 25]
 * console.log(new nn.Flatten(0, 2)(input).shape); // [160, 5]
 */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return torch.flatten(x, this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
/**
 * Expands dimension `dim` of the input into the shape `unflattenedSize`.
 *
 * Shape:
 * - Input: `(*, S_dim, *)`, where `S_dim` is the size at `dim`.
 * - Output: `(*, U_1, ..., U_n, *)`, where `unflattenedSize` is `[U_1, ..., U_n]` and `U_1 * ... * U_n = S_dim`.
 *
 * @param dim - the dimension to unflatten.
 * @param unflattenedSize - the new shape of that dimension; one entry may be `-1`, inferred from the others.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Unflatten(1, [2, 5, 5]);
 * const output = m(torch.randn(2, 50));
 * console.log(output.shape); // [2, 2, 5, 5]
 */
export class Unflatten extends Module {
  constructor(
    readonly dim: number,
    readonly unflattenedSize: number[],
  ) {
    super();
    if (!unflattenedSize.length || unflattenedSize.some((s) => !Number.isInteger(s)))
      throw new TypeError(
        `Unflatten: unflattenedSize must be a non-empty list of ints, got ${JSON.stringify(unflattenedSize)}`,
      );
  }
  override forward(x: Tensor): Tensor {
    return torch.unflatten(x, this.dim, this.unflattenedSize);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`;
  }
}
