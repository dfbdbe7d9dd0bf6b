// nn.functional activations (torch/nn/functional.py): PyTorch's names, defaults and in-place flags.
// Optional arguments: positional in Python's order, or a trailing options object (see ./args.ts).
import * as torch from '../../torch/index.js';
import type { DType } from '../../torch/dtype.js';
import type { Tensor } from '../../torch/tensor.js';
import { kwargs, type KwArgs } from './args.js';

/** `inplace`: write the result into the input (default false). */
export interface InplaceOptions {
  inplace?: boolean;
}
const INPLACE = ['inplace'] as const;
type Inplace = KwArgs<InplaceOptions, typeof INPLACE>;
const inplaceOf = (fn: string, args: readonly unknown[]): boolean =>
  kwargs<InplaceOptions>(fn, INPLACE, args).inplace ?? false;

/** max(0, x). */
export const relu = (x: Tensor, ...args: Inplace): Tensor => (inplaceOf('relu', args) ? x.relu_() : x.relu());
/** In-place relu. */
export const relu_ = (x: Tensor): Tensor => x.relu_();
/** x * sigmoid(x). */
export const silu = (x: Tensor, ...args: Inplace): Tensor => (inplaceOf('silu', args) ? torch.silu_(x) : torch.silu(x));
/** x * tanh(softplus(x)). */
export const mish = (x: Tensor, ...args: Inplace): Tensor => (inplaceOf('mish', args) ? torch.mish_(x) : torch.mish(x));
/** scale * elu(x, alpha) with SELU's fixed constants. */
export const selu = (x: Tensor, ...args: Inplace): Tensor => (inplaceOf('selu', args) ? torch.selu_(x) : torch.selu(x));
/** In-place selu. */
export const selu_ = (x: Tensor): Tensor => torch.selu_(x);
/** x * relu6(x + 3) / 6. */
export const hardswish = (x: Tensor, ...args: Inplace): Tensor =>
  inplaceOf('hardswish', args) ? torch.hardswish_(x) : torch.hardswish(x);
/** relu6(x + 3) / 6. */
export const hardsigmoid = (x: Tensor, ...args: Inplace): Tensor =>
  inplaceOf('hardsigmoid', args) ? torch.hardsigmoid_(x) : torch.hardsigmoid(x);
/** min(max(0, x), 6). */
export const relu6 = (x: Tensor, ...args: Inplace): Tensor =>
  inplaceOf('relu6', args) ? torch.relu6_(x) : torch.relu6(x);
/** 1 / (1 + exp(-x)). */
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
/** tanh(x). */
export const tanh = (x: Tensor): Tensor => x.tanh();
/** log(sigmoid(x)). */
export const logsigmoid = (x: Tensor): Tensor => torch.logSigmoid(x);
/** x / (1 + |x|). */
export const softsign = (x: Tensor): Tensor => torch.tidy(() => x.div(x.abs().add(1)));
/** x - tanh(x). */
export const tanhshrink = (x: Tensor): Tensor => torch.tidy(() => x.sub(x.tanh()));
/** max(0, x) + weight * min(0, x); weight has 1 or C (dim 1) elements. */
export const prelu = (x: Tensor, weight: Tensor): Tensor => torch.prelu(x, weight);

/** Options of leakyRelu (Python's keyword arguments, camelCase). */
export interface LeakyReluOptions extends InplaceOptions {
  /** Default 0.01. */ negativeSlope?: number;
}
const LEAKY = ['negativeSlope', 'inplace'] as const;
/** max(0, x) + negativeSlope * min(0, x). */
export function leakyRelu(x: Tensor, ...args: KwArgs<LeakyReluOptions, typeof LEAKY>): Tensor {
  const o = kwargs<LeakyReluOptions>('leakyRelu', LEAKY, args);
  const slope = o.negativeSlope ?? 0.01;
  return o.inplace ? x.leakyRelu_(slope) : torch.leakyRelu(x, slope);
}
/** In-place leakyRelu. */
export const leakyRelu_ = (x: Tensor, negativeSlope = 0.01): Tensor => x.leakyRelu_(negativeSlope);

/** Options of gelu (Python's keyword arguments, camelCase). */
export interface GeluOptions {
  /** 'none' (exact, default) or 'tanh'. */ approximate?: 'none' | 'tanh';
}
/** x * Phi(x), or its tanh approximation. */
export function gelu(x: Tensor, ...args: KwArgs<GeluOptions, ['approximate']>): Tensor {
  return torch.gelu(x, { approximate: kwargs<GeluOptions>('gelu', ['approximate'], args).approximate ?? 'none' });
}

/** Options of softplus (Python's keyword arguments, camelCase). */
export interface SoftplusOptions {
  /** Default 1. */ beta?: number;
  /** Linear above this (default 20). */ threshold?: number;
}
const SOFTPLUS = ['beta', 'threshold'] as const;
/** log(1 + exp(beta x)) / beta, linear above `threshold`. */
export function softplus(x: Tensor, ...args: KwArgs<SoftplusOptions, typeof SOFTPLUS>): Tensor {
  const o = kwargs<SoftplusOptions>('softplus', SOFTPLUS, args);
  return torch.softplus(x, o.beta ?? 1, o.threshold ?? 20);
}

/** Options of alpha (Python's keyword arguments, camelCase). */
export interface AlphaOptions extends InplaceOptions {
  /** Default 1. */ alpha?: number;
}
const ALPHA = ['alpha', 'inplace'] as const;
/** x for x > 0, alpha (exp(x) - 1) otherwise. */
export function elu(x: Tensor, ...args: KwArgs<AlphaOptions, typeof ALPHA>): Tensor {
  const o = kwargs<AlphaOptions>('elu', ALPHA, args);
  return o.inplace ? torch.elu_(x, o.alpha ?? 1) : torch.elu(x, o.alpha ?? 1);
}
/** In-place elu. */
export const elu_ = (x: Tensor, alpha = 1): Tensor => torch.elu_(x, alpha);
/** max(0, x) + min(0, alpha (exp(x / alpha) - 1)). */
export function celu(x: Tensor, ...args: KwArgs<AlphaOptions, typeof ALPHA>): Tensor {
  const o = kwargs<AlphaOptions>('celu', ALPHA, args);
  return o.inplace ? torch.celu_(x, o.alpha ?? 1) : torch.celu(x, o.alpha ?? 1);
}
/** In-place celu. */
export const celu_ = (x: Tensor, alpha = 1): Tensor => torch.celu_(x, alpha);

/** Options of hardtanh (Python's keyword arguments, camelCase). */
export interface HardtanhOptions extends InplaceOptions {
  /** Default -1. */ minVal?: number;
  /** Default 1. */ maxVal?: number;
}
const HARDTANH = ['minVal', 'maxVal', 'inplace'] as const;
/** clamp(x, minVal, maxVal). */
export function hardtanh(x: Tensor, ...args: KwArgs<HardtanhOptions, typeof HARDTANH>): Tensor {
  const o = kwargs<HardtanhOptions>('hardtanh', HARDTANH, args);
  const lo = o.minVal ?? -1,
    hi = o.maxVal ?? 1;
  return o.inplace ? torch.hardtanh_(x, lo, hi) : torch.hardtanh(x, lo, hi);
}
/** In-place hardtanh. */
export const hardtanh_ = (x: Tensor, minVal = -1, maxVal = 1): Tensor => torch.hardtanh_(x, minVal, maxVal);

/** Options of lambd (Python's keyword arguments, camelCase). */
export interface LambdOptions {
  /** Default 0.5. */ lambd?: number;
}
/** x where |x| > lambd, else 0. */
export const hardshrink = (x: Tensor, ...args: KwArgs<LambdOptions, ['lambd']>): Tensor =>
  torch.hardshrink(x, kwargs<LambdOptions>('hardshrink', ['lambd'], args).lambd ?? 0.5);
/** x - lambd * sign(x) where |x| > lambd, else 0. */
export const softshrink = (x: Tensor, ...args: KwArgs<LambdOptions, ['lambd']>): Tensor =>
  torch.softshrink(x, kwargs<LambdOptions>('softshrink', ['lambd'], args).lambd ?? 0.5);

/** Options of rrelu (Python's keyword arguments, camelCase). */
export interface RreluOptions extends InplaceOptions {
  /** Default 1/8. */ lower?: number;
  /** Default 1/3. */ upper?: number;
  /** Random slopes (training) or their mean. Default false. */ training?: boolean;
}
const RRELU = ['lower', 'upper', 'training', 'inplace'] as const;
/** Randomized leaky ReLU: slope ~ U(lower, upper) per element in training, (lower + upper) / 2 otherwise. */
export function rrelu(x: Tensor, ...args: KwArgs<RreluOptions, typeof RRELU>): Tensor {
  const o = kwargs<RreluOptions>('rrelu', RRELU, args);
  const a = [o.lower ?? 1 / 8, o.upper ?? 1 / 3, o.training ?? false] as const;
  return o.inplace ? torch.rrelu_(x, ...a) : torch.rrelu(x, ...a);
}
/** In-place rrelu. */
export const rrelu_ = (x: Tensor, lower = 1 / 8, upper = 1 / 3, training = false): Tensor =>
  torch.rrelu_(x, lower, upper, training);

/** Options of glu (Python's keyword arguments, camelCase). */
export interface GluOptions {
  /** Default -1. */ dim?: number;
}
/** Gated linear unit: a * sigmoid(b) of the two halves of `dim`. */
export const glu = (x: Tensor, ...args: KwArgs<GluOptions, ['dim']>): Tensor =>
  torch.glu(x, kwargs<GluOptions>('glu', ['dim'], args).dim ?? -1);

/** x where x > threshold, else value. */
export function threshold(x: Tensor, thresholdValue: number, value: number, ...args: Inplace): Tensor {
  return inplaceOf('threshold', args)
    ? torch.threshold_(x, thresholdValue, value)
    : torch.threshold(x, thresholdValue, value);
}
/** In-place threshold. */
export const threshold_ = (x: Tensor, thresholdValue: number, value: number): Tensor =>
  torch.threshold_(x, thresholdValue, value);

/** Options of softmax (Python's keyword arguments, camelCase). */
export interface SoftmaxOptions {
  /** Default: PyTorch's implicit choice (0 for 0-, 1- and 3-D input, else 1); pass it. */ dim?: number | null;
  /** Compute in this dtype (the input is cast first). */ dtype?: DType | null;
}
const SOFTMAX = ['dim', 'dtype'] as const;
type SoftmaxArgs = KwArgs<SoftmaxOptions, typeof SOFTMAX>;
function softmaxArgs(fn: string, x: Tensor, args: readonly unknown[]): [number, DType | null] {
  const o = kwargs<SoftmaxOptions>(fn, SOFTMAX, args);
  const nd = x.ndim;
  return [o.dim ?? (nd === 0 || nd === 1 || nd === 3 ? 0 : 1), o.dtype ?? null];
}
/** Softmax along `dim`, optionally computed in `dtype`. */
export const softmax = (x: Tensor, ...args: SoftmaxArgs): Tensor =>
  torch.softmax(x, ...softmaxArgs('softmax', x, args));
/** Log-softmax along `dim`, optionally computed in `dtype`. */
export const logSoftmax = (x: Tensor, ...args: SoftmaxArgs): Tensor =>
  torch.logSoftmax(x, ...softmaxArgs('logSoftmax', x, args));
/** softmax(-x) along `dim`. */
export function softmin(x: Tensor, ...args: SoftmaxArgs): Tensor {
  const [dim, dtype] = softmaxArgs('softmin', x, args);
  return torch.tidy(() => torch.softmax(x.neg(), dim, dtype));
}

/** Options of gumbelSoftmax (Python's keyword arguments, camelCase). */
export interface GumbelSoftmaxOptions {
  /** Temperature, default 1. */ tau?: number;
  /** One-hot output whose gradient is the soft sample's (straight-through), default false. */ hard?: boolean;
  /** Unused (kept by PyTorch for compatibility), default 1e-10. */ eps?: number;
  /** Default -1. */ dim?: number;
}
const GUMBEL = ['tau', 'hard', 'eps', 'dim'] as const;
/** Samples from the Gumbel-softmax distribution over `dim` (PyTorch's sampling: -log(Exp(1)) noise). */
export function gumbelSoftmax(logits: Tensor, ...args: KwArgs<GumbelSoftmaxOptions, typeof GUMBEL>): Tensor {
  const o = kwargs<GumbelSoftmaxOptions>('gumbelSoftmax', GUMBEL, args);
  const dim = o.dim ?? -1;
  return torch.tidy(() => {
    const gumbels = torch.noGrad(() => torch.emptyLike(logits).exponential_().log().neg());
    const ySoft = logits
      .add(gumbels)
      .div(o.tau ?? 1)
      .softmax(dim);
    if (!o.hard) return ySoft;
    const index = ySoft.max(dim, { keepdim: true })[1];
    const yHard = torch.zerosLike(logits).scatter_(dim, index, 1);
    return yHard.sub(ySoft.detach()).add(ySoft);
  });
}
