// Dropout modules (torch/nn/modules/dropout.py); active only in training mode.
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { Module, pyBool, pyFloat } from '../module.js';

abstract class DropoutBase extends Module {
  /** p: probability of an element (or channel) to be zeroed, default 0.5. */
  constructor(
    public p = 0.5,
    readonly inplace = false,
  ) {
    super();
    if (!(p >= 0 && p <= 1))
      throw new RangeError(`${this.constructor.name}: dropout probability has to be between 0 and 1, but got ${p}`);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
/**
 * During training, zeroes elements of the input at random with probability `p`.
 *
 * Each element is zeroed independently, on every forward call, with a Bernoulli draw, and the output is scaled by
 * `1 / (1 - p)`, so that evaluation mode (where the module is the identity) needs no rescaling. This regularizes
 * networks and prevents co-adaptation of neurons (Hinton et al., 2012).
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param p - the probability of an element to be zeroed (default `0.5`).
 * @param inplace - do the operation in place on the input (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Dropout(0.2);
 * const output = m(torch.randn(20, 16));
 * console.log(output.shape); // [20, 16]
 */
export class Dropout extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training, this.inplace);
  }
}
/**
 * During training, zeroes whole channels (1D feature maps) of the input at random.
 *
 * Each channel is zeroed independently, on every forward call, with probability `p` (a Bernoulli draw), and the result
 * is scaled by `1 / (1 - p)`. When neighbouring elements of a feature map are strongly correlated (as in early
 * convolution layers), element-wise dropout does not regularize them and only lowers the learning rate; dropping whole
 * maps helps independence between them (Tompson et al., 2015). Only active in training mode.
 *
 * Shape:
 * - Input: `(N, C, L)` or `(C, L)`.
 * - Output: the same shape as the input.
 *
 * @param p - the probability of an channel to be zeroed (default `0.5`).
 * @param inplace - do the operation in place on the input (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Dropout1d(0.2);
 * const output = m(torch.randn(20, 16, 32));
 * console.log(output.shape); // [20, 16, 32]
 */
export class Dropout1d extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.dropout1d(x, this.p, this.training, this.inplace);
  }
}
/**
 * During training, zeroes whole channels (2D feature maps) of the input at random.
 *
 * Each channel is zeroed independently, on every forward call, with probability `p` (a Bernoulli draw), and the result
 * is scaled by `1 / (1 - p)`. When neighbouring elements of a feature map are strongly correlated (as in early
 * convolution layers), element-wise dropout does not regularize them and only lowers the learning rate; dropping whole
 * maps helps independence between them (Tompson et al., 2015). Only active in training mode.
 *
 * Shape:
 * - Input: `(N, C, H, W)` or `(C, H, W)`.
 * - Output: the same shape as the input.
 *
 * @param p - the probability of an channel to be zeroed (default `0.5`).
 * @param inplace - do the operation in place on the input (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Dropout2d(0.2);
 * const output = m(torch.randn(20, 16, 32, 32));
 * console.log(output.shape); // [20, 16, 32, 32]
 */
export class Dropout2d extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.dropout2d(x, this.p, this.training, this.inplace);
  }
}
/**
 * During training, zeroes whole channels (3D feature maps) of the input at random.
 *
 * Each channel is zeroed independently, on every forward call, with probability `p` (a Bernoulli draw), and the result
 * is scaled by `1 / (1 - p)`. When neighbouring elements of a feature map are strongly correlated (as in early
 * convolution layers), element-wise dropout does not regularize them and only lowers the learning rate; dropping whole
 * maps helps independence between them (Tompson et al., 2015). Only active in training mode.
 *
 * Shape:
 * - Input: `(N, C, D, H, W)` or `(C, D, H, W)`.
 * - Output: the same shape as the input.
 *
 * @param p - the probability of an channel to be zeroed (default `0.5`).
 * @param inplace - do the operation in place on the input (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Dropout3d(0.2);
 * const output = m(torch.randn(2, 16, 4, 8, 8));
 * console.log(output.shape); // [2, 16, 4, 8, 8]
 */
export class Dropout3d extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.dropout3d(x, this.p, this.training, this.inplace);
  }
}
/**
 * During training, applies alpha dropout, which keeps the mean and variance of its input.
 *
 * Meant for SELU networks (Klambauer et al., 2017, "Self-Normalizing Neural Networks"): for an input of zero mean and
 * unit variance the output keeps zero mean and unit variance. Each element is set, with probability `p`, to SELU's
 * negative saturation value instead of zero, and the result is scaled and shifted back. The identity in evaluation
 * mode.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Output: `(*)`, the same shape as the input.
 *
 * @param p - the probability of an element to be zeroed (default `0.5`).
 * @param inplace - do the operation in place on the input (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.AlphaDropout(0.2);
 * const output = m(torch.randn(20, 16));
 * console.log(output.shape); // [20, 16]
 */
export class AlphaDropout extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.alphaDropout(x, this.p, this.training, this.inplace);
  }
}
/**
 * During training, applies alpha dropout to whole channels of the input.
 *
 * As `AlphaDropout`, but a channel (feature map) is masked as a whole, with probability `p`, to SELU's negative
 * saturation value, and the result scaled and shifted to keep zero mean and unit variance. The identity in evaluation
 * mode.
 *
 * Shape:
 * - Input: `(N, C, *)`, at least 2 dimensions.
 * - Output: the same shape as the input.
 *
 * @param p - the probability of an channel to be zeroed (default `0.5`).
 * @param inplace - do the operation in place on the input (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.FeatureAlphaDropout(0.2);
 * const output = m(torch.randn(20, 16, 4, 4));
 * console.log(output.shape); // [20, 16, 4, 4]
 */
export class FeatureAlphaDropout extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.featureAlphaDropout(x, this.p, this.training, this.inplace);
  }
}
