// InstanceNorm1d/2d/3d (torch/nn/modules/instancenorm.py): per-sample, per-channel statistics;
// affine and running stats off by default. Unbatched inputs (C, *) are accepted.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { NormBase, type NormOptions } from './batchnorm.js';
import { needDims } from './utils.js';

abstract class InstanceNormNd extends NormBase {
  constructor(numFeatures: number, o: NormOptions = {}) {
    super(numFeatures, o, { affine: false, track: false });
  }
  protected abstract readonly spatial: number;
  override forward(x: Tensor): Tensor {
    this.checkInput(x);
    const unbatched = x.ndim === this.spatial + 1;
    const c = x.shape[unbatched ? 0 : 1];
    if (c !== this.numFeatures && this.affine) {
      throw new RangeError(
        `${this.constructor.name}: expected input's size at dim=${unbatched ? 0 : 1} to match num_features (${this.numFeatures}), but got: ${c}`,
      );
    }
    return torch.tidy(() => {
      const inp = unbatched ? x.unsqueeze(0) : x;
      const out = torch.instanceNorm(
        inp,
        this.weight,
        this.bias,
        this.runningMean,
        this.runningVar,
        this.training || !this.trackRunningStats,
        this.momentum ?? 0,
        this.eps,
        true,
      );
      return unbatched ? out.squeeze(0) : out;
    });
  }
  protected checkInput(x: Tensor): void {
    needDims(this, x, [this.spatial + 1, this.spatial + 2]);
  }
}
/** Input (N, C, L) or (C, L). */
export class InstanceNorm1d extends InstanceNormNd {
  protected readonly spatial = 1;
}
/** Input (N, C, H, W) or (C, H, W). */
export class InstanceNorm2d extends InstanceNormNd {
  protected readonly spatial = 2;
}
/** Input (N, C, D, H, W) or (C, D, H, W). */
export class InstanceNorm3d extends InstanceNormNd {
  protected readonly spatial = 3;
}
