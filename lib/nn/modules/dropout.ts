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
/** Zeroes elements, scales the rest by 1 / (1 - p). */
export class Dropout extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training, this.inplace);
  }
}
/** Zeroes whole channels of (N, C, L) or (C, L) inputs. */
export class Dropout1d extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.dropout1d(x, this.p, this.training, this.inplace);
  }
}
/** Zeroes whole channels of (N, C, H, W) or (C, H, W) inputs. */
export class Dropout2d extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.dropout2d(x, this.p, this.training, this.inplace);
  }
}
/** Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) inputs. */
export class Dropout3d extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.dropout3d(x, this.p, this.training, this.inplace);
  }
}
/** Alpha dropout for SELU networks: keeps zero mean and unit variance. */
export class AlphaDropout extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.alphaDropout(x, this.p, this.training, this.inplace);
  }
}
/** Alpha dropout of whole channels. */
export class FeatureAlphaDropout extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.featureAlphaDropout(x, this.p, this.training, this.inplace);
  }
}
