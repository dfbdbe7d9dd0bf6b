// Fold and Unfold (torch/nn/modules/fold.py): sliding local blocks to columns and back.
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import { Module } from '../module.js';
import { pyIntOrTuple, type IntOrList } from './utils.js';

type FoldArgs = KwArgs<F.UnfoldOptions, ['dilation', 'padding', 'stride']>;
const blockRepr = (m: { dilation: IntOrList; padding: IntOrList; stride: IntOrList }): string =>
  `dilation=${pyIntOrTuple(m.dilation)}, padding=${pyIntOrTuple(m.padding)}, stride=${pyIntOrTuple(m.stride)}`;
/**
 * Extracts sliding local blocks from a batched input (im2col).
 *
 * Each block of `kernelSize` positions, over all `C` channels, becomes one column of the output: for an input of shape
 * `(N, C, H, W)` the output is `(N, C * kernelSize[0] * kernelSize[1], L)`, `L` the number of blocks. Only 4D (batched)
 * and 3D (unbatched) image-like inputs are supported. `Fold` sums the columns back into an image; `fold(unfold(x))`
 * multiplies each position of `x` by the number of blocks it belongs to. Arguments as PyTorch's:
 * `dilation, padding, stride` positional or in one options object.
 *
 * Shape:
 * - Input: `(N, C, H, W)` or `(C, H, W)`.
 * - Output: `(N, C * kernelSize[0] * kernelSize[1], L)` or `(C * kernelSize[0] * kernelSize[1], L)`, where
 *   `L = prod_d floor((spatialSize[d] + 2 * padding[d] - dilation[d] * (kernelSize[d] - 1) - 1) / stride[d] + 1)`
 *
 * @param kernelSize - the size of the blocks: one int for both dimensions or 2 ints.
 * @param dilation - the spacing between the elements of a block (default `1`).
 * @param padding - zeros added to both sides of each spatial dimension (default `0`).
 * @param stride - the stride of the blocks (default `1`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const unfold = new nn.Unfold([2, 3]);
 * // 5 channels of 2 x 3 kernel positions: 30 values per block; 2 x 2 = 4 blocks in a 3 x 4 image
 * const output = unfold(torch.randn(2, 5, 3, 4));
 * console.log(output.shape); // [2, 30, 4]
 */
export class Unfold extends Module {
  readonly dilation: IntOrList;
  readonly padding: IntOrList;
  readonly stride: IntOrList;
  constructor(
    readonly kernelSize: IntOrList,
    ...args: FoldArgs
  ) {
    super();
    const o = kwargs<F.UnfoldOptions>('Unfold', ['dilation', 'padding', 'stride'], args);
    this.dilation = o.dilation ?? 1;
    this.padding = o.padding ?? 0;
    this.stride = o.stride ?? 1;
  }
  override forward(x: Tensor): Tensor {
    return F.unfold(x, this.kernelSize, this.dilation, this.padding, this.stride);
  }
  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernelSize)}, ${blockRepr(this)}`;
  }
}
/**
 * Combines an array of sliding local blocks into a large containing tensor (col2im), summing overlapping values.
 *
 * The inverse in shape of `Unfold`: each column of the input holds one block of `C * kernelSize[0] * kernelSize[1]`
 * values, placed at its position in an image of size `outputSize`. Arguments as PyTorch's: `dilation, padding, stride`
 * positional or in one options object.
 *
 * Shape:
 * - Input: `(N, C * kernelSize[0] * kernelSize[1], L)` or `(C * kernelSize[0] * kernelSize[1], L)`, where `L` must
 *   equal `prod_d floor((outputSize[d] + 2 * padding[d] - dilation[d] * (kernelSize[d] - 1) - 1) / stride[d] + 1)`.
 * - Output: `(N, C, outputSize[0], outputSize[1])` or `(C, outputSize[0], outputSize[1])`.
 *
 * @param outputSize - the spatial size of the output: one int for both dimensions or 2 ints.
 * @param kernelSize - the size of the blocks: one int for both dimensions or 2 ints.
 * @param dilation - the spacing between the elements of a block (default `1`).
 * @param padding - zeros added to both sides of each spatial dimension (default `0`).
 * @param stride - the stride of the blocks (default `1`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const fold = new nn.Fold([4, 5], [2, 2]);
 * const output = fold(torch.randn(1, 3 * 2 * 2, 12));
 * console.log(output.shape); // [1, 3, 4, 5]
 */
export class Fold extends Module {
  readonly dilation: IntOrList;
  readonly padding: IntOrList;
  readonly stride: IntOrList;
  constructor(
    readonly outputSize: IntOrList,
    readonly kernelSize: IntOrList,
    ...args: FoldArgs
  ) {
    super();
    const o = kwargs<F.UnfoldOptions>('Fold', ['dilation', 'padding', 'stride'], args);
    this.dilation = o.dilation ?? 1;
    this.padding = o.padding ?? 0;
    this.stride = o.stride ?? 1;
  }
  override forward(x: Tensor): Tensor {
    return F.fold(x, this.outputSize, this.kernelSize, this.dilation, this.padding, this.stride);
  }
  override extraRepr(): string {
    return `output_size=${pyIntOrTuple(this.outputSize)}, kernel_size=${pyIntOrTuple(this.kernelSize)}, ${blockRepr(this)}`;
  }
}
