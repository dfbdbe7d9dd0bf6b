// Pooling modules (torch/nn/modules/pooling.py): MaxPool1d/2d/3d (optionally returning indices),
// AvgPool1d/2d/3d, AdaptiveAvgPool1d/2d/3d, AdaptiveMaxPool1d/2d/3d, LPPool1d/2d/3d, MaxUnpool1d/2d/3d,
// FractionalMaxPool2d/3d. Inputs (N, C, *spatial) or (C, *spatial); stride defaults to the kernel size.
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import type { AdaptiveSize } from '../functional/pooling.js';
import { Module, pyBool, pyTuple } from '../module.js';
import { pyIntOrTuple, tuple, type IntOrList } from './utils.js';

/** forward's result: the pooled tensor, or [pooled, indices] when constructed with returnIndices: true. */
export type PoolResult<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;
/** Options of MaxPool1d/2d/3d; `returnIndices: true` types forward as [out, indices]. */
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
  constructor(
    readonly kernelSize: IntOrList,
    o: MaxPoolOptions<R> = {},
  ) {
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
/** Max pooling over (L). */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  protected pool(x: Tensor, o: F.MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor] {
    return F.maxPool1d(x, this.kernelSize, o);
  }
  protected poolPlain(x: Tensor, o: F.MaxPoolOptions): Tensor {
    return F.maxPool1d(x, this.kernelSize, o);
  }
}
/** Max pooling over (H, W). */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> {
  protected pool(x: Tensor, o: F.MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor] {
    return F.maxPool2d(x, this.kernelSize, o);
  }
  protected poolPlain(x: Tensor, o: F.MaxPoolOptions): Tensor {
    return F.maxPool2d(x, this.kernelSize, o);
  }
}
/** Max pooling over (D, H, W). */
export class MaxPool3d<R extends boolean = false> extends MaxPoolNd<R> {
  protected pool(x: Tensor, o: F.MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor] {
    return F.maxPool3d(x, this.kernelSize, o);
  }
  protected poolPlain(x: Tensor, o: F.MaxPoolOptions): Tensor {
    return F.maxPool3d(x, this.kernelSize, o);
  }
}

/** Options of AvgPool1d/2d/3d. */
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
  constructor(
    readonly kernelSize: IntOrList,
    o: AvgPoolOptions = {},
  ) {
    super();
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }
  protected get opts(): F.AvgPoolOptions {
    return {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    };
  }
  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernelSize)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}`;
  }
}
/** 1-D average pooling; PyTorch stores its sizes as 1-tuples, and so prints them. */
export class AvgPool1d extends AvgPoolNd {
  constructor(kernelSize: IntOrList, o: Omit<AvgPoolOptions, 'divisorOverride'> = {}) {
    super(kernelSize, o);
  }
  override forward(x: Tensor): Tensor {
    return F.avgPool1d(x, this.kernelSize, this.opts);
  }
  override extraRepr(): string {
    const t = (v: IntOrList): string => pyIntOrTuple(Array.isArray(v) ? v : [v]);
    return `kernel_size=${t(this.kernelSize)}, stride=${t(this.stride)}, padding=${t(this.padding)}`;
  }
}
/** Average pooling over (H, W). */
export class AvgPool2d extends AvgPoolNd {
  override forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, this.opts);
  }
}
/** Average pooling over (D, H, W). */
export class AvgPool3d extends AvgPoolNd {
  override forward(x: Tensor): Tensor {
    return F.avgPool3d(x, this.kernelSize, this.opts);
  }
}

const pyAdaptive = (v: AdaptiveSize): string =>
  Array.isArray(v)
    ? v.length === 1
      ? `(${v[0] ?? 'None'},)`
      : `(${v.map((e) => e ?? 'None').join(', ')})`
    : String(v);
abstract class AdaptiveAvgPoolNd extends Module {
  /** outputSize: per spatial dim, null keeps the input size there. */
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }
  override extraRepr(): string {
    return `output_size=${pyAdaptive(this.outputSize)}`;
  }
}
/** Average pooling to a fixed output length. */
export class AdaptiveAvgPool1d extends AdaptiveAvgPoolNd {
  override forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool1d(x, this.outputSize);
  }
}
/** Average pooling to a fixed (H, W). */
export class AdaptiveAvgPool2d extends AdaptiveAvgPoolNd {
  override forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }
}
/** Average pooling to a fixed (D, H, W). */
export class AdaptiveAvgPool3d extends AdaptiveAvgPoolNd {
  override forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool3d(x, this.outputSize);
  }
}

abstract class AdaptiveMaxPoolNd<R extends boolean> extends Module {
  readonly returnIndices: R;
  constructor(
    readonly outputSize: AdaptiveSize,
    returnIndices?: R,
  ) {
    super();
    this.returnIndices = (returnIndices ?? false) as R;
  }
  protected abstract pool(x: Tensor): [Tensor, Tensor];
  override forward(x: Tensor): PoolResult<R> {
    const [out, idx] = this.pool(x);
    if (this.returnIndices) return [out, idx] as PoolResult<R>;
    idx.dispose();
    return out as PoolResult<R>;
  }
  override extraRepr(): string {
    return `output_size=${pyAdaptive(this.outputSize)}`;
  }
}
/** Max pooling to a fixed output length. */
export class AdaptiveMaxPool1d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  protected pool(x: Tensor): [Tensor, Tensor] {
    return F.adaptiveMaxPool1d(x, this.outputSize, true);
  }
}
/** Max pooling to a fixed (H, W). */
export class AdaptiveMaxPool2d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  protected pool(x: Tensor): [Tensor, Tensor] {
    return F.adaptiveMaxPool2d(x, this.outputSize, true);
  }
}
/** Max pooling to a fixed (D, H, W). */
export class AdaptiveMaxPool3d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  protected pool(x: Tensor): [Tensor, Tensor] {
    return F.adaptiveMaxPool3d(x, this.outputSize, true);
  }
}

/** Power-average pooling: (sum over the window of x^p)^(1/p). */
abstract class LPPoolNd extends Module {
  readonly stride: IntOrList | null;
  readonly ceilMode: boolean;
  constructor(
    readonly normType: number,
    readonly kernelSize: IntOrList,
    ...args: KwArgs<F.LpPoolOptions, ['stride', 'ceilMode']>
  ) {
    super();
    const o = kwargs<F.LpPoolOptions>(this.constructor.name, ['stride', 'ceilMode'], args);
    this.stride = o.stride ?? null;
    this.ceilMode = o.ceilMode ?? false;
  }
  protected get opts(): F.LpPoolOptions {
    return { stride: this.stride, ceilMode: this.ceilMode };
  }
  override extraRepr(): string {
    return `norm_type=${this.normType}, kernel_size=${pyIntOrTuple(this.kernelSize)}, stride=${this.stride === null ? 'None' : pyIntOrTuple(this.stride)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}
/** Input (N, C, L) or (C, L). */
export class LPPool1d extends LPPoolNd {
  override forward(x: Tensor): Tensor {
    return F.lpPool1d(x, this.normType, this.kernelSize, this.opts);
  }
}
/** Input (N, C, H, W) or (C, H, W). */
export class LPPool2d extends LPPoolNd {
  override forward(x: Tensor): Tensor {
    return F.lpPool2d(x, this.normType, this.kernelSize, this.opts);
  }
}
/** Input (N, C, D, H, W) or (C, D, H, W). */
export class LPPool3d extends LPPoolNd {
  override forward(x: Tensor): Tensor {
    return F.lpPool3d(x, this.normType, this.kernelSize, this.opts);
  }
}

/** Partial inverse of MaxPool: forward(input, indices, outputSize?) puts each value at its index, zeros elsewhere. */
abstract class MaxUnpoolNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  constructor(
    n: number,
    kernelSize: IntOrList,
    ...args: KwArgs<Omit<F.MaxUnpoolOptions, 'outputSize'>, ['stride', 'padding']>
  ) {
    super();
    const o = kwargs<Omit<F.MaxUnpoolOptions, 'outputSize'>>(this.constructor.name, ['stride', 'padding'], args);
    this.kernelSize = tuple(kernelSize, n, `${this.constructor.name} kernelSize`);
    this.stride = tuple(o.stride ?? kernelSize, n, `${this.constructor.name} stride`);
    this.padding = tuple(o.padding ?? 0, n, `${this.constructor.name} padding`);
  }
  protected abstract unpool(x: Tensor, indices: Tensor, o: F.MaxUnpoolOptions): Tensor;
  override forward(x: Tensor, indices: Tensor, outputSize?: number[] | null): Tensor {
    return this.unpool(x, indices, { stride: this.stride, padding: this.padding, outputSize: outputSize ?? null });
  }
  override extraRepr(): string {
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}`;
  }
}
type UnpoolRest = KwArgs<Omit<F.MaxUnpoolOptions, 'outputSize'>, ['stride', 'padding']>;
/** Inverse of MaxPool1d. */
export class MaxUnpool1d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrList, ...args: UnpoolRest) {
    super(1, kernelSize, ...args);
  }
  protected unpool(x: Tensor, i: Tensor, o: F.MaxUnpoolOptions): Tensor {
    return F.maxUnpool1d(x, i, this.kernelSize, o);
  }
}
/** Inverse of MaxPool2d. */
export class MaxUnpool2d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrList, ...args: UnpoolRest) {
    super(2, kernelSize, ...args);
  }
  protected unpool(x: Tensor, i: Tensor, o: F.MaxUnpoolOptions): Tensor {
    return F.maxUnpool2d(x, i, this.kernelSize, o);
  }
}
/** Inverse of MaxPool3d. */
export class MaxUnpool3d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrList, ...args: UnpoolRest) {
    super(3, kernelSize, ...args);
  }
  protected unpool(x: Tensor, i: Tensor, o: F.MaxUnpoolOptions): Tensor {
    return F.maxUnpool3d(x, i, this.kernelSize, o);
  }
}

/** Options of FractionalMaxPool2d/3d; `returnIndices: true` types forward as [out, indices]. */
export interface FractionalMaxPoolModuleOptions<R extends boolean> extends Omit<
  F.FractionalMaxPoolOptions,
  'returnIndices'
> {
  returnIndices?: R;
}
/** Fractional max pooling (pseudo-random window positions) to outputSize or outputRatio. */
abstract class FractionalMaxPoolNd<R extends boolean> extends Module {
  readonly outputSize: IntOrList | null;
  readonly outputRatio: number | number[] | null;
  readonly returnIndices: R;
  constructor(
    readonly kernelSize: IntOrList,
    o: FractionalMaxPoolModuleOptions<R>,
  ) {
    super();
    this.outputSize = o.outputSize ?? null;
    this.outputRatio = o.outputRatio ?? null;
    this.returnIndices = (o.returnIndices ?? false) as R;
    // PyTorch keeps the given samples as the buffer `_random_samples` (in the state dict when given)
    this.registerBuffer('_random_samples', o.randomSamples ?? null);
    if ((this.outputSize === null) === (this.outputRatio === null))
      throw new TypeError(`${this.constructor.name} requires specifying either an outputSize or an outputRatio`);
    const ratios =
      this.outputRatio === null ? [] : Array.isArray(this.outputRatio) ? this.outputRatio : [this.outputRatio];
    if (ratios.some((r) => !(r > 0 && r < 1)))
      throw new RangeError(
        `${this.constructor.name}: outputRatio must be between 0 and 1 (got ${JSON.stringify(this.outputRatio)})`,
      );
  }
  protected abstract pool(x: Tensor, o: F.FractionalMaxPoolOptions): [Tensor, Tensor];
  override forward(x: Tensor): PoolResult<R> {
    const [out, idx] = this.pool(x, {
      outputSize: this.outputSize,
      outputRatio: this.outputRatio,
      randomSamples: this.buffer('_random_samples'),
      returnIndices: true,
    });
    if (this.returnIndices) return [out, idx] as PoolResult<R>;
    idx.dispose();
    return out as PoolResult<R>;
  }
}
/** Fractional max pooling over (H, W). */
export class FractionalMaxPool2d<R extends boolean = false> extends FractionalMaxPoolNd<R> {
  constructor(kernelSize: IntOrList, o: FractionalMaxPoolModuleOptions<R> = {}) {
    super(kernelSize, o);
  }
  protected pool(x: Tensor, o: F.FractionalMaxPoolOptions): [Tensor, Tensor] {
    return F.fractionalMaxPool2dWithIndices(x, this.kernelSize, o);
  }
}
/** Fractional max pooling over (D, H, W). */
export class FractionalMaxPool3d<R extends boolean = false> extends FractionalMaxPoolNd<R> {
  constructor(kernelSize: IntOrList, o: FractionalMaxPoolModuleOptions<R> = {}) {
    super(kernelSize, o);
  }
  protected pool(x: Tensor, o: F.FractionalMaxPoolOptions): [Tensor, Tensor] {
    return F.fractionalMaxPool3dWithIndices(x, this.kernelSize, o);
  }
}
