// Layers with PyTorch's parameter names, default initialisation and printed form.
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import * as F from './functional.js';
import * as init from './init.js';
import { Module, pyBool, pyFloat, pyTuple } from './module.js';

type IntOrList = number | number[];
const tuple = (v: IntOrList, n: number, what: string): number[] => {
  const t = Array.isArray(v) ? v : Array(n).fill(v);
  if (t.length !== n || t.some((x) => !Number.isInteger(x))) throw new TypeError(`${what}: expected an int or ${n} ints, got ${JSON.stringify(v)}`);
  return t;
};
export interface FactoryOptions { device?: string; dtype?: 'float32' | 'float64' | 'float16' | 'bfloat16' }

/** Weight and bias created as PyTorch's reset_parameters does: kaiming_uniform_(a=sqrt(5)), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
function resetLinearLike(weight: Tensor, bias: Tensor | null): void {
  init.kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const [fanIn] = init.calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    init.uniform_(bias, -bound, bound);
  }
}

// ---------------------------------------------------------------- convolutions
export interface ConvOptions extends FactoryOptions {
  stride?: IntOrList; padding?: IntOrList; dilation?: IntOrList; groups?: number; bias?: boolean;
}
abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly groups: number;
  readonly outputPadding: number[];
  readonly transposed: boolean;
  constructor(n: number, transposed: boolean, inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvOptions & { outputPadding?: IntOrList }) {
    super();
    const name = this.constructor.name;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = tuple(kernelSize, n, `${name} kernelSize`);
    this.stride = tuple(o.stride ?? 1, n, `${name} stride`);
    this.padding = tuple(o.padding ?? 0, n, `${name} padding`);
    this.dilation = tuple(o.dilation ?? 1, n, `${name} dilation`);
    this.outputPadding = tuple(o.outputPadding ?? 0, n, `${name} outputPadding`);
    this.groups = o.groups ?? 1;
    this.transposed = transposed;
    if (inChannels % this.groups || outChannels % this.groups) throw new RangeError(`${name}: in_channels and out_channels must be divisible by groups`);
    const shape = transposed ? [inChannels, outChannels / this.groups, ...this.kernelSize] : [outChannels, inChannels / this.groups, ...this.kernelSize];
    const fo = { device: o.device, dtype: o.dtype ?? 'float32' } as const;
    const w = this.registerParameter('weight', torch.empty(shape, fo))!;
    const b = (o.bias ?? true) ? this.registerParameter('bias', torch.empty([outChannels], fo)) : this.registerParameter('bias', null);
    resetLinearLike(w, b);
  }
  get weight(): Tensor { return this.param('weight'); }
  get bias(): Tensor | null { return this.paramOrNull('bias'); }
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((d) => d !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }
}
const convOpts = (c: ConvNd): F.ConvTransposeOptions => ({ stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, outputPadding: c.outputPadding });
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvOptions = {}) { super(1, false, inChannels, outChannels, kernelSize, o); }
  override forward(x: Tensor): Tensor { return F.conv1d(x, this.weight, this.bias, convOpts(this)); }
}
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvOptions = {}) { super(2, false, inChannels, outChannels, kernelSize, o); }
  override forward(x: Tensor): Tensor { return F.conv2d(x, this.weight, this.bias, convOpts(this)); }
}
export class Conv3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvOptions = {}) { super(3, false, inChannels, outChannels, kernelSize, o); }
  override forward(x: Tensor): Tensor { return F.conv3d(x, this.weight, this.bias, convOpts(this)); }
}
export interface ConvTransposeOptions extends ConvOptions { outputPadding?: IntOrList }
export class ConvTranspose2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvTransposeOptions = {}) { super(2, true, inChannels, outChannels, kernelSize, o); }
  override forward(x: Tensor): Tensor { return F.convTranspose2d(x, this.weight, this.bias, convOpts(this)); }
}
export class ConvTranspose3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, o: ConvTransposeOptions = {}) { super(3, true, inChannels, outChannels, kernelSize, o); }
  override forward(x: Tensor): Tensor { return F.convTranspose3d(x, this.weight, this.bias, convOpts(this)); }
}

// ---------------------------------------------------------------- linear, identity
export class Linear extends Module {
  constructor(readonly inFeatures: number, readonly outFeatures: number, o: FactoryOptions & { bias?: boolean } = {}) {
    super();
    const fo = { device: o.device, dtype: o.dtype ?? 'float32' } as const;
    const w = this.registerParameter('weight', torch.empty([outFeatures, inFeatures], fo))!;
    const b = this.registerParameter('bias', (o.bias ?? true) ? torch.empty([outFeatures], fo) : null);
    resetLinearLike(w, b);
  }
  get weight(): Tensor { return this.param('weight'); }
  get bias(): Tensor | null { return this.paramOrNull('bias'); }
  override forward(x: Tensor): Tensor { return F.linear(x, this.weight, this.bias); }
  override extraRepr(): string { return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`; }
}
export class Identity extends Module {
  /** Returns a new handle on the same tensor (the caller may dispose it independently). */
  override forward(x: Tensor): Tensor { return x.alias(); }
}

// ---------------------------------------------------------------- normalisation
export interface NormOptions extends FactoryOptions { eps?: number; momentum?: number | null; affine?: boolean; trackRunningStats?: boolean; /** With affine: learn a bias too (default true). */ bias?: boolean }
abstract class NormBase extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  constructor(readonly numFeatures: number, o: NormOptions, defaults: { affine: boolean; track: boolean }) {
    super();
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    this.affine = o.affine ?? defaults.affine;
    this.trackRunningStats = o.trackRunningStats ?? defaults.track;
    const fo = { device: o.device, dtype: o.dtype ?? 'float32' } as const;
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
  get weight(): Tensor | null { return this.paramOrNull('weight'); }
  get bias(): Tensor | null { return this.paramOrNull('bias'); }
  get runningMean(): Tensor | null { return this.buffer('running_mean'); }
  get runningVar(): Tensor | null { return this.buffer('running_var'); }
  get numBatchesTracked(): Tensor | null { return this.buffer('num_batches_tracked'); }
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
  constructor(numFeatures: number, o: NormOptions = {}) { super(numFeatures, o, { affine: true, track: true }); }
  override forward(x: Tensor): Tensor {
    this.checkInput(x);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked) {
      torch.noGrad(() => this.numBatchesTracked!.add_(1));
      if (this.momentum === null) factor = 1 / this.numBatchesTracked.item();
    }
    const bnTraining = this.training || this.runningMean === null;
    const useStats = !this.training || this.trackRunningStats;
    return torch.batchNorm(x, this.weight, this.bias, useStats ? this.runningMean : null, useStats ? this.runningVar : null,
      bnTraining, factor, this.eps, true);
  }
}
const needDims = (m: Module, x: Tensor, dims: number[]): void => {
  if (!dims.includes(x.ndim)) throw new RangeError(`${m.constructor.name}: expected ${dims.join('D or ')}D input, got shape [${x.shape.join(', ')}]`);
};
export class BatchNorm1d extends BatchNormNd { protected checkInput(x: Tensor): void { needDims(this, x, [2, 3]); } }
export class BatchNorm2d extends BatchNormNd { protected checkInput(x: Tensor): void { needDims(this, x, [4]); } }
export class BatchNorm3d extends BatchNormNd { protected checkInput(x: Tensor): void { needDims(this, x, [5]); } }

abstract class InstanceNormNd extends NormBase {
  constructor(numFeatures: number, o: NormOptions = {}) { super(numFeatures, o, { affine: false, track: false }); }
  protected abstract readonly spatial: number;
  override forward(x: Tensor): Tensor {
    this.checkInput(x);
    const unbatched = x.ndim === this.spatial + 1;
    return torch.tidy(() => {
      const inp = unbatched ? x.unsqueeze(0) : x;
      const out = torch.instanceNorm(inp, this.weight, this.bias, this.runningMean, this.runningVar,
        this.training || !this.trackRunningStats, this.momentum ?? 0.1, this.eps, true);
      return unbatched ? out.squeeze(0) : out;
    });
  }
  protected checkInput(x: Tensor): void { needDims(this, x, [this.spatial + 1, this.spatial + 2]); }
}
export class InstanceNorm1d extends InstanceNormNd { protected readonly spatial = 1; }
export class InstanceNorm2d extends InstanceNormNd { protected readonly spatial = 2; }
export class InstanceNorm3d extends InstanceNormNd { protected readonly spatial = 3; }

export class GroupNorm extends Module {
  readonly eps: number;
  readonly affine: boolean;
  constructor(readonly numGroups: number, readonly numChannels: number, o: FactoryOptions & { eps?: number; affine?: boolean; bias?: boolean } = {}) {
    super();
    if (numChannels % numGroups) throw new RangeError(`GroupNorm: num_channels (${numChannels}) must be divisible by num_groups (${numGroups})`);
    this.eps = o.eps ?? 1e-5;
    this.affine = o.affine ?? true;
    const fo = { device: o.device, dtype: o.dtype ?? 'float32' } as const;
    this.registerParameter('weight', this.affine ? torch.ones([numChannels], fo) : null);
    this.registerParameter('bias', this.affine && (o.bias ?? true) ? torch.zeros([numChannels], fo) : null);
  }
  get weight(): Tensor | null { return this.paramOrNull('weight'); }
  get bias(): Tensor | null { return this.paramOrNull('bias'); }
  override forward(x: Tensor): Tensor { return F.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps); }
  override extraRepr(): string { return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}, bias=${pyBool(this.bias !== null)}`; }
}
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  constructor(normalizedShape: IntOrList, o: FactoryOptions & { eps?: number; elementwiseAffine?: boolean; bias?: boolean } = {}) {
    super();
    this.normalizedShape = Array.isArray(normalizedShape) ? normalizedShape : [normalizedShape];
    this.eps = o.eps ?? 1e-5;
    this.elementwiseAffine = o.elementwiseAffine ?? true;
    const fo = { device: o.device, dtype: o.dtype ?? 'float32' } as const;
    this.registerParameter('weight', this.elementwiseAffine ? torch.ones(this.normalizedShape, fo) : null);
    this.registerParameter('bias', this.elementwiseAffine && (o.bias ?? true) ? torch.zeros(this.normalizedShape, fo) : null);
  }
  get weight(): Tensor | null { return this.paramOrNull('weight'); }
  get bias(): Tensor | null { return this.paramOrNull('bias'); }
  override forward(x: Tensor): Tensor { return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps); }
  override extraRepr(): string { return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}, bias=${pyBool(this.bias !== null)}`; }
}

// ---------------------------------------------------------------- activations
export class ReLU extends Module {
  constructor(readonly inplace = false) { super(); }
  override forward(x: Tensor): Tensor { return F.relu(x, this.inplace); }
  override extraRepr(): string { return this.inplace ? 'inplace=True' : ''; }
}
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01, readonly inplace = false) { super(); }
  override forward(x: Tensor): Tensor { return F.leakyRelu(x, this.negativeSlope, this.inplace); }
  override extraRepr(): string { return `negative_slope=${this.negativeSlope}${this.inplace ? ', inplace=True' : ''}`; }
}
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') { super(); }
  override forward(x: Tensor): Tensor { return F.gelu(x, this.approximate); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}
export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor { return x.sigmoid(); }
}
export class Tanh extends Module {
  override forward(x: Tensor): Tensor { return x.tanh(); }
}
export class Softmax extends Module {
  constructor(readonly dim: number) { super(); }
  override forward(x: Tensor): Tensor { return torch.softmax(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

// ---------------------------------------------------------------- dropout
abstract class DropoutBase extends Module {
  constructor(public p = 0.5, readonly inplace = false) {
    super();
    if (p < 0 || p > 1) throw new RangeError(`${this.constructor.name}: dropout probability has to be between 0 and 1, but got ${p}`);
  }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`; }
}
export class Dropout extends DropoutBase {
  override forward(x: Tensor): Tensor { return F.dropout(x, this.p, this.training, this.inplace); }
}
/** Zeroes whole channels of (N, C, H, W) inputs. */
export class Dropout2d extends DropoutBase {
  override forward(x: Tensor): Tensor { return F.featureDropout(x, this.p, this.training, this.inplace); }
}
/** Zeroes whole channels of (N, C, D, H, W) inputs (PyTorch's feature_dropout). */
export class Dropout3d extends DropoutBase {
  override forward(x: Tensor): Tensor { return F.featureDropout(x, this.p, this.training, this.inplace); }
}

// ---------------------------------------------------------------- pooling, upsampling
export class MaxPool3d extends Module {
  readonly stride: IntOrList;
  constructor(readonly kernelSize: IntOrList, o: { stride?: IntOrList | null; padding?: IntOrList; dilation?: IntOrList; ceilMode?: boolean } = {}) {
    super();
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.ceilMode = o.ceilMode ?? false;
  }
  readonly padding: IntOrList;
  readonly dilation: IntOrList;
  readonly ceilMode: boolean;
  override forward(x: Tensor): Tensor { return F.maxPool3d(x, this.kernelSize, this); }
  override extraRepr(): string {
    const r = (v: IntOrList): string => (Array.isArray(v) ? pyTuple(v) : String(v));
    return `kernel_size=${r(this.kernelSize)}, stride=${r(this.stride)}, padding=${r(this.padding)}, dilation=${r(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}
export class AvgPool3d extends Module {
  readonly stride: IntOrList;
  readonly padding: IntOrList;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(readonly kernelSize: IntOrList, o: { stride?: IntOrList | null; padding?: IntOrList; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null } = {}) {
    super();
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }
  override forward(x: Tensor): Tensor { return F.avgPool3d(x, this.kernelSize, this); }
  override extraRepr(): string {
    const r = (v: IntOrList): string => (Array.isArray(v) ? pyTuple(v) : String(v));
    return `kernel_size=${r(this.kernelSize)}, stride=${r(this.stride)}, padding=${r(this.padding)}`;
  }
}
export class Upsample extends Module {
  constructor(readonly options: F.InterpolateOptions) { super(); }
  override forward(x: Tensor): Tensor { return F.interpolate(x, this.options); }
  override extraRepr(): string {
    const o = this.options;
    const info = o.scaleFactor !== undefined
      ? `scale_factor=${Array.isArray(o.scaleFactor) ? `(${o.scaleFactor.map(pyFloat).join(', ')})` : pyFloat(o.scaleFactor)}`
      : `size=${Array.isArray(o.size) ? pyTuple(o.size) : String(o.size)}`;
    return `${info}, mode='${o.mode ?? 'nearest'}'`;
  }
}
