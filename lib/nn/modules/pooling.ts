// Pooling modules (torch/nn/modules/pooling.py): MaxPool1d/2d/3d (optionally returning indices),
// AvgPool1d/2d/3d, AdaptiveAvgPool1d/2d/3d, AdaptiveMaxPool1d/2d/3d. Inputs (N, C, *spatial) or
// (C, *spatial); stride defaults to the kernel size.
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import type { AdaptiveSize } from '../functional/pooling.js';
import { Module, pyBool } from '../module.js';
import { pyIntOrTuple, type IntOrList } from './utils.js';

/** forward's result: the pooled tensor, or [pooled, indices] when constructed with returnIndices: true. */
export type PoolResult<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;
export interface MaxPoolOptions<R extends boolean> {
  /** Default: kernelSize. */ stride?: IntOrList | null;
  /** Implicit -inf padding, default 0. */ padding?: IntOrList;
  /** Default 1. */ dilation?: IntOrList;
  /** Also return the argmax indices (int64). Default false. */ returnIndices?: R;
  /** Ceil instead of floor in the output-size formula. Default false. */ ceilMode?: boolean;
}
abstract class MaxPoolNd<R extends boolean> extends Module {
  readonly stride: IntOrList;
  readonly padding: IntOrList;
  readonly dilation: IntOrList;
  readonly returnIndices: R;
  readonly ceilMode: boolean;
  constructor(readonly kernelSize: IntOrList, o: MaxPoolOptions<R> = {}) {
    super();
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.returnIndices = (o.returnIndices ?? false) as R;
    this.ceilMode = o.ceilMode ?? false;
  }
  protected abstract pool(x: Tensor, o: F.MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
  protected abstract poolPlain(x: Tensor, o: F.MaxPoolOptions): Tensor;
  override forward(x: Tensor): PoolResult<R> {
    const o = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return (this.returnIndices ? this.pool(x, { ...o, returnIndices: true }) : this.poolPlain(x, o)) as PoolResult<R>;
  }
  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernelSize)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}, dilation=${pyIntOrTuple(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  protected pool(x: Tensor, o: F.MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor] { return F.maxPool1d(x, this.kernelSize, o); }
  protected poolPlain(x: Tensor, o: F.MaxPoolOptions): Tensor { return F.maxPool1d(x, this.kernelSize, o); }
}
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> {
  protected pool(x: Tensor, o: F.MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor] { return F.maxPool2d(x, this.kernelSize, o); }
  protected poolPlain(x: Tensor, o: F.MaxPoolOptions): Tensor { return F.maxPool2d(x, this.kernelSize, o); }
}
export class MaxPool3d<R extends boolean = false> extends MaxPoolNd<R> {
  protected pool(x: Tensor, o: F.MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor] { return F.maxPool3d(x, this.kernelSize, o); }
  protected poolPlain(x: Tensor, o: F.MaxPoolOptions): Tensor { return F.maxPool3d(x, this.kernelSize, o); }
}

export interface AvgPoolOptions {
  /** Default: kernelSize. */ stride?: IntOrList | null;
  /** Zero padding, default 0. */ padding?: IntOrList;
  /** Default false. */ ceilMode?: boolean;
  /** Count padded zeros in the divisor, default true. */ countIncludePad?: boolean;
  /** Divide by this instead of the window size (2-D and 3-D only). */ divisorOverride?: number | null;
}
abstract class AvgPoolNd extends Module {
  readonly stride: IntOrList;
  readonly padding: IntOrList;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(readonly kernelSize: IntOrList, o: AvgPoolOptions = {}) {
    super();
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }
  protected get opts(): F.AvgPoolOptions {
    return { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride };
  }
  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernelSize)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}`;
  }
}
/** 1-D average pooling; PyTorch stores its sizes as 1-tuples, and so prints them. */
export class AvgPool1d extends AvgPoolNd {
  constructor(kernelSize: IntOrList, o: Omit<AvgPoolOptions, 'divisorOverride'> = {}) { super(kernelSize, o); }
  override forward(x: Tensor): Tensor { return F.avgPool1d(x, this.kernelSize, this.opts); }
  override extraRepr(): string {
    const t = (v: IntOrList): string => pyIntOrTuple(Array.isArray(v) ? v : [v]);
    return `kernel_size=${t(this.kernelSize)}, stride=${t(this.stride)}, padding=${t(this.padding)}`;
  }
}
export class AvgPool2d extends AvgPoolNd {
  override forward(x: Tensor): Tensor { return F.avgPool2d(x, this.kernelSize, this.opts); }
}
export class AvgPool3d extends AvgPoolNd {
  override forward(x: Tensor): Tensor { return F.avgPool3d(x, this.kernelSize, this.opts); }
}

const pyAdaptive = (v: AdaptiveSize): string =>
  (Array.isArray(v) ? (v.length === 1 ? `(${v[0] ?? 'None'},)` : `(${v.map((e) => e ?? 'None').join(', ')})`) : String(v));
abstract class AdaptiveAvgPoolNd extends Module {
  /** outputSize: per spatial dim, null keeps the input size there. */
  constructor(readonly outputSize: AdaptiveSize) { super(); }
  override extraRepr(): string { return `output_size=${pyAdaptive(this.outputSize)}`; }
}
export class AdaptiveAvgPool1d extends AdaptiveAvgPoolNd { override forward(x: Tensor): Tensor { return F.adaptiveAvgPool1d(x, this.outputSize); } }
export class AdaptiveAvgPool2d extends AdaptiveAvgPoolNd { override forward(x: Tensor): Tensor { return F.adaptiveAvgPool2d(x, this.outputSize); } }
export class AdaptiveAvgPool3d extends AdaptiveAvgPoolNd { override forward(x: Tensor): Tensor { return F.adaptiveAvgPool3d(x, this.outputSize); } }

abstract class AdaptiveMaxPoolNd<R extends boolean> extends Module {
  readonly returnIndices: R;
  constructor(readonly outputSize: AdaptiveSize, returnIndices?: R) { super(); this.returnIndices = (returnIndices ?? false) as R; }
  protected abstract pool(x: Tensor): [Tensor, Tensor];
  override forward(x: Tensor): PoolResult<R> {
    const [out, idx] = this.pool(x);
    if (this.returnIndices) return [out, idx] as PoolResult<R>;
    idx.dispose();
    return out as PoolResult<R>;
  }
  override extraRepr(): string { return `output_size=${pyAdaptive(this.outputSize)}`; }
}
export class AdaptiveMaxPool1d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> { protected pool(x: Tensor): [Tensor, Tensor] { return F.adaptiveMaxPool1d(x, this.outputSize, true); } }
export class AdaptiveMaxPool2d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> { protected pool(x: Tensor): [Tensor, Tensor] { return F.adaptiveMaxPool2d(x, this.outputSize, true); } }
export class AdaptiveMaxPool3d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> { protected pool(x: Tensor): [Tensor, Tensor] { return F.adaptiveMaxPool3d(x, this.outputSize, true); } }
