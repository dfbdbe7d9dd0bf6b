// BatchNorm1d/2d/3d and the shared base of batch and instance norms (torch/nn/modules/batchnorm.py):
// weight/bias, running_mean/running_var/num_batches_tracked buffers under PyTorch's names.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { Module, pyBool, pyFloat } from '../module.js';
import { factory, needDims, type FactoryOptions } from './utils.js';

/** Options of the batch and instance norm layers (PyTorch's keyword arguments, camelCase). */
export interface NormOptions extends FactoryOptions {
  /** Added to the variance, default 1e-5. */ eps?: number;
  /** Running-stat update factor, default 0.1; null: cumulative moving average. */ momentum?: number | null;
  /** Learn weight (ones) and bias (zeros); default true for batch norm, false for instance norm. */ affine?: boolean;
  /** Keep running statistics; default true for batch norm, false for instance norm. */ trackRunningStats?: boolean;
  /** With affine: learn a bias too (default true). */ bias?: boolean;
}
/** PyTorch's _NormBase: parameters and running-statistics buffers. */
export abstract class NormBase extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  constructor(
    readonly numFeatures: number,
    o: NormOptions,
    defaults: { affine: boolean; track: boolean },
  ) {
    super();
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    this.affine = o.affine ?? defaults.affine;
    this.trackRunningStats = o.trackRunningStats ?? defaults.track;
    const fo = factory(o);
    this.registerParameter('weight', this.affine ? torch.ones([numFeatures], fo) : null);
    this.registerParameter('bias', this.affine && (o.bias ?? true) ? torch.zeros([numFeatures], fo) : null);
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', torch.zeros([numFeatures], fo));
      this.registerBuffer('running_var', torch.ones([numFeatures], fo));
      this.registerBuffer('num_batches_tracked', torch.zeros([], { dtype: 'int64', device: o.device }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }
  get weight(): Tensor | null {
    return this.paramOrNull('weight');
  }
  get bias(): Tensor | null {
    return this.paramOrNull('bias');
  }
  get runningMean(): Tensor | null {
    return this.buffer('running_mean');
  }
  get runningVar(): Tensor | null {
    return this.buffer('running_var');
  }
  get numBatchesTracked(): Tensor | null {
    return this.buffer('num_batches_tracked');
  }
  /** Resets running statistics to mean 0, var 1, count 0. */
  resetRunningStats(): void {
    torch.noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }
  protected abstract checkInput(x: Tensor): void;
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, bias=${pyBool(this.bias !== null)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

abstract class BatchNormNd extends NormBase {
  constructor(numFeatures: number, o: NormOptions = {}) {
    super(numFeatures, o, { affine: true, track: true });
  }
  override forward(x: Tensor): Tensor {
    this.checkInput(x);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked) {
      torch.noGrad(() => this.numBatchesTracked!.add_(1));
      if (this.momentum === null) factor = 1 / this.numBatchesTracked.item();
    }
    const bnTraining = this.training || this.runningMean === null;
    const useStats = !this.training || this.trackRunningStats;
    return torch.batchNorm(
      x,
      this.weight,
      this.bias,
      useStats ? this.runningMean : null,
      useStats ? this.runningVar : null,
      bnTraining,
      factor,
      this.eps,
      true,
    );
  }
}
/**
 * Applies batch normalization over a 2D or 3D input (a mini-batch of 1D inputs with an optional channel dimension).
 *
 * `y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta` (Ioffe and Szegedy, 2015).
 *
 * The mean and (biased) variance are computed per channel over the batch in training mode; the running estimates
 * `runningMean` and `runningVar` (buffers `running_mean`, `running_var`, starting at 0 and 1) are updated as
 * `running = (1 - momentum) * running + momentum * observed`, with the unbiased variance, and take the place of the
 * batch statistics in evaluation mode. This is also called temporal batch normalization.
 *
 * Shape:
 * - Input: `(N, C)` or `(N, C, L)`, `N` the batch size, `C` the number of features, `L` the sequence length.
 * - Output: the same shape as the input.
 *
 * @param numFeatures - `C`, the number of features (channels) of the input.
 * @param o.eps - added to the variance for numerical stability (default `1e-5`).
 * @param o.momentum - the weight of the new batch in the running statistics (default `0.1`); `null` gives a cumulative
 *   moving average (a plain average over the batches seen).
 * @param o.affine - learn a per-channel scale `gamma` (`weight`, initially ones) and shift `beta` (`bias`, zeros)
 *   (default `true`).
 * @param o.trackRunningStats - keep running estimates of the mean and variance and use them in evaluation mode; without
 *   them the batch statistics are used in both modes (default `true`).
 * @param o.bias - with `affine`, learn the shift too (default `true`).
 * @param o.device - where the parameters and buffers live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.BatchNorm1d(100);
 * const output = m(torch.randn(20, 100));
 * console.log(output.shape); // [20, 100]
 */
export class BatchNorm1d extends BatchNormNd {
  protected checkInput(x: Tensor): void {
    needDims(this, x, [2, 3]);
  }
}
/**
 * Applies batch normalization over a 4D input (a mini-batch of 2D inputs with a channel dimension).
 *
 * `y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta` (Ioffe and Szegedy, 2015).
 *
 * The mean and (biased) variance are computed per channel over the batch and the spatial positions in training mode;
 * the running estimates `runningMean` and `runningVar` (buffers `running_mean`, `running_var`, starting at 0 and 1) are
 * updated as `running = (1 - momentum) * running + momentum * observed`, with the unbiased variance, and take the place
 * of the batch statistics in evaluation mode. This is also called spatial batch normalization.
 *
 * Shape:
 * - Input: `(N, C, H, W)`.
 * - Output: `(N, C, H, W)`, the same shape as the input.
 *
 * @param numFeatures - `C`, the number of features (channels) of the input.
 * @param o.eps - added to the variance for numerical stability (default `1e-5`).
 * @param o.momentum - the weight of the new batch in the running statistics (default `0.1`); `null` gives a cumulative
 *   moving average (a plain average over the batches seen).
 * @param o.affine - learn a per-channel scale `gamma` (`weight`, initially ones) and shift `beta` (`bias`, zeros)
 *   (default `true`).
 * @param o.trackRunningStats - keep running estimates of the mean and variance and use them in evaluation mode; without
 *   them the batch statistics are used in both modes (default `true`).
 * @param o.bias - with `affine`, learn the shift too (default `true`).
 * @param o.device - where the parameters and buffers live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.BatchNorm2d(100, { affine: false });
 * const output = m(torch.randn(20, 100, 35, 45));
 * console.log(output.shape); // [20, 100, 35, 45]
 */
export class BatchNorm2d extends BatchNormNd {
  protected checkInput(x: Tensor): void {
    needDims(this, x, [4]);
  }
}
/**
 * Applies batch normalization over a 5D input (a mini-batch of 3D inputs with a channel dimension).
 *
 * `y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta` (Ioffe and Szegedy, 2015).
 *
 * The mean and (biased) variance are computed per channel over the batch and the spatial positions in training mode;
 * the running estimates `runningMean` and `runningVar` (buffers `running_mean`, `running_var`, starting at 0 and 1) are
 * updated as `running = (1 - momentum) * running + momentum * observed`, with the unbiased variance, and take the place
 * of the batch statistics in evaluation mode. This is also called volumetric or spatio-temporal batch normalization.
 *
 * Shape:
 * - Input: `(N, C, D, H, W)`.
 * - Output: `(N, C, D, H, W)`, the same shape as the input.
 *
 * @param numFeatures - `C`, the number of features (channels) of the input.
 * @param o.eps - added to the variance for numerical stability (default `1e-5`).
 * @param o.momentum - the weight of the new batch in the running statistics (default `0.1`); `null` gives a cumulative
 *   moving average (a plain average over the batches seen).
 * @param o.affine - learn a per-channel scale `gamma` (`weight`, initially ones) and shift `beta` (`bias`, zeros)
 *   (default `true`).
 * @param o.trackRunningStats - keep running estimates of the mean and variance and use them in evaluation mode; without
 *   them the batch statistics are used in both modes (default `true`).
 * @param o.bias - with `affine`, learn the shift too (default `true`).
 * @param o.device - where the parameters and buffers live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.BatchNorm3d(100);
 * const output = m(torch.randn(2, 100, 3, 4, 5));
 * console.log(output.shape); // [2, 100, 3, 4, 5]
 */
export class BatchNorm3d extends BatchNormNd {
  protected checkInput(x: Tensor): void {
    needDims(this, x, [5]);
  }
}
