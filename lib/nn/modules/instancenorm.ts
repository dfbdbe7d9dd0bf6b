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
/**
 * Applies instance normalization over a 3D input (a mini-batch of 1D inputs with a channel dimension) or a 2D unbatched
 * one.
 *
 * `y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta` (Ulyanov et al., 2016).
 *
 * The mean and (biased) variance are computed per sample and per channel over the sequence. Unlike batch normalization,
 * the default is no affine parameters and no running statistics, so training and evaluation modes compute the same
 * thing.
 *
 * Shape:
 * - Input: `(N, C, L)` or `(C, L)`.
 * - Output: the same shape as the input.
 *
 * @param numFeatures - `C`, the number of channels of the input.
 * @param o.eps - added to the variance for numerical stability (default `1e-5`).
 * @param o.momentum - the weight of the new statistics in the running ones (default `0.1`); `null` gives a cumulative
 *   moving average.
 * @param o.affine - learn a per-channel scale (`weight`, ones) and shift (`bias`, zeros) (default `false`).
 * @param o.trackRunningStats - keep running estimates of the mean and variance and use them in evaluation mode (default
 *   `false`: the instance statistics are used in both modes).
 * @param o.bias - with `affine`, learn the shift too (default `true`).
 * @param o.device - where the parameters and buffers live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.InstanceNorm1d(100);
 * const output = m(torch.randn(20, 100, 40));
 * console.log(output.shape); // [20, 100, 40]
 */
export class InstanceNorm1d extends InstanceNormNd {
  protected readonly spatial = 1;
}
/**
 * Applies instance normalization over a 4D input (a mini-batch of 2D inputs with a channel dimension) or a 3D unbatched
 * one.
 *
 * `y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta` (Ulyanov et al., 2016).
 *
 * The mean and (biased) variance are computed per sample and per channel over the spatial positions. Unlike batch
 * normalization, the default is no affine parameters and no running statistics, so training and evaluation modes
 * compute the same thing.
 *
 * Shape:
 * - Input: `(N, C, H, W)` or `(C, H, W)`.
 * - Output: the same shape as the input.
 *
 * @param numFeatures - `C`, the number of channels of the input.
 * @param o.eps - added to the variance for numerical stability (default `1e-5`).
 * @param o.momentum - the weight of the new statistics in the running ones (default `0.1`); `null` gives a cumulative
 *   moving average.
 * @param o.affine - learn a per-channel scale (`weight`, ones) and shift (`bias`, zeros) (default `false`).
 * @param o.trackRunningStats - keep running estimates of the mean and variance and use them in evaluation mode (default
 *   `false`: the instance statistics are used in both modes).
 * @param o.bias - with `affine`, learn the shift too (default `true`).
 * @param o.device - where the parameters and buffers live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.InstanceNorm2d(100, { affine: true });
 * const output = m(torch.randn(20, 100, 35, 45));
 * console.log(output.shape); // [20, 100, 35, 45]
 */
export class InstanceNorm2d extends InstanceNormNd {
  protected readonly spatial = 2;
}
/**
 * Applies instance normalization over a 5D input (a mini-batch of 3D inputs with a channel dimension) or a 4D unbatched
 * one.
 *
 * `y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta` (Ulyanov et al., 2016).
 *
 * The mean and (biased) variance are computed per sample and per channel over the spatial positions. Unlike batch
 * normalization, the default is no affine parameters and no running statistics, so training and evaluation modes
 * compute the same thing.
 *
 * Shape:
 * - Input: `(N, C, D, H, W)` or `(C, D, H, W)`.
 * - Output: the same shape as the input.
 *
 * @param numFeatures - `C`, the number of channels of the input.
 * @param o.eps - added to the variance for numerical stability (default `1e-5`).
 * @param o.momentum - the weight of the new statistics in the running ones (default `0.1`); `null` gives a cumulative
 *   moving average.
 * @param o.affine - learn a per-channel scale (`weight`, ones) and shift (`bias`, zeros) (default `false`).
 * @param o.trackRunningStats - keep running estimates of the mean and variance and use them in evaluation mode (default
 *   `false`: the instance statistics are used in both modes).
 * @param o.bias - with `affine`, learn the shift too (default `true`).
 * @param o.device - where the parameters and buffers live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.InstanceNorm3d(100);
 * const output = m(torch.randn(2, 100, 3, 4, 5));
 * console.log(output.shape); // [2, 100, 3, 4, 5]
 */
export class InstanceNorm3d extends InstanceNormNd {
  protected readonly spatial = 3;
}
