// Flatten and Unflatten (torch/nn/modules/flatten.py).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { Module, pyTuple } from '../module.js';

/** Flattens dims startDim..endDim (defaults 1 and -1): (N, C, H, W) -> (N, C*H*W). */
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
/** Expands dim `dim` into `unflattenedSize` (one entry may be -1): (N, 12) with (1, [3, 4]) -> (N, 3, 4). */
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
