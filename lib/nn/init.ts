// nn.init: in-place initialisers with PyTorch's gain and fan rules (torch/nn/init.py).
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { kwargs, type KwArgs } from './functional/args.js';

/** Nonlinearities calculateGain knows (PyTorch's names). */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';
/** Which fan the Kaiming initializers scale by: fan_in (forward variance) or fan_out (backward variance). */
export type FanMode = 'fan_in' | 'fan_out';

/** PyTorch's calculate_gain. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'conv_transpose1d':
    case 'conv_transpose2d':
    case 'conv_transpose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new TypeError(`calculateGain: unsupported nonlinearity '${String(nonlinearity)}'`);
  }
}

/** PyTorch's _calculate_fan_in_and_fan_out: fan_in = size(1) * receptive field, fan_out = size(0) * receptive field. */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  const s = t.shape;
  if (s.length < 2)
    throw new RangeError(`calculateFanInAndFanOut: needs a tensor with at least 2 dims, got shape [${s.join(', ')}]`);
  const rf = s.slice(2).reduce((a, b) => a * b, 1);
  return [s[1] * rf, s[0] * rf];
}

function fanOf(t: Tensor, mode: FanMode): number {
  const [fin, fout] = calculateFanInAndFanOut(t);
  return mode === 'fan_in' ? fin : fout;
}

const inPlace = (t: Tensor, fn: () => unknown): Tensor => {
  torch.noGrad(() =>
    torch.tidy(() => {
      fn();
    }),
  );
  return t;
};

/** Fills `t` with U(a, b) (defaults 0, 1). */
export function uniform_(t: Tensor, ...args: KwArgs<{ a?: number; b?: number }, ['a', 'b']>): Tensor {
  const o = kwargs<{ a?: number; b?: number }>('uniform_', ['a', 'b'], args);
  return inPlace(t, () => t.uniform_(o.a ?? 0, o.b ?? 1));
}
/** Fills `t` with N(mean, std^2) (defaults 0, 1). */
export function normal_(t: Tensor, ...args: KwArgs<{ mean?: number; std?: number }, ['mean', 'std']>): Tensor {
  const o = kwargs<{ mean?: number; std?: number }>('normal_', ['mean', 'std'], args);
  return inPlace(t, () => t.normal_(o.mean ?? 0, o.std ?? 1));
}
/** Fills `t` with `value`. */
export const constant_ = (t: Tensor, value: number): Tensor => inPlace(t, () => t.fill_(value));
/** Fills `t` with zeros. */
export const zeros_ = (t: Tensor): Tensor => inPlace(t, () => t.zero_());
/** Fills `t` with ones. */
export const ones_ = (t: Tensor): Tensor => inPlace(t, () => t.fill_(1));

type GainArgs = KwArgs<{ gain?: number }, ['gain']>;
/** U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform_(t: Tensor, ...args: GainArgs): Tensor {
  const gain = kwargs<{ gain?: number }>('xavierUniform_', ['gain'], args).gain ?? 1;
  const [fin, fout] = calculateFanInAndFanOut(t);
  const a = Math.sqrt(3) * gain * Math.sqrt(2 / (fin + fout));
  return uniform_(t, -a, a);
}
/** N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, ...args: GainArgs): Tensor {
  const gain = kwargs<{ gain?: number }>('xavierNormal_', ['gain'], args).gain ?? 1;
  const [fin, fout] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fin + fout)));
}
/** Options of kaimingUniform_ / kaimingNormal_ (Python's keyword arguments, camelCase). */
export interface KaimingOptions {
  /** Negative slope of the following leaky ReLU, default 0. */ a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}
const KAIMING = ['a', 'mode', 'nonlinearity'] as const;
function kaimingStd(fn: string, t: Tensor, args: readonly unknown[]): number | null {
  const o = kwargs<KaimingOptions>(fn, KAIMING, args);
  if (t.shape.includes(0)) return null; // PyTorch: initializing zero-element tensors is a no-op
  return calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fanOf(t, o.mode ?? 'fan_in'));
}
/** He uniform: U(-b, b) with b = gain * sqrt(3 / fan). */
export function kaimingUniform_(t: Tensor, ...args: KwArgs<KaimingOptions, typeof KAIMING>): Tensor {
  const std = kaimingStd('kaimingUniform_', t, args);
  if (std === null) return t;
  const bound = Math.sqrt(3) * std;
  return uniform_(t, -bound, bound);
}
/** He normal: N(0, (gain / sqrt(fan))^2). */
export function kaimingNormal_(t: Tensor, ...args: KwArgs<KaimingOptions, typeof KAIMING>): Tensor {
  const std = kaimingStd('kaimingNormal_', t, args);
  return std === null ? t : normal_(t, 0, std);
}
/** Truncated normal on [a, b] by inverse CDF, as PyTorch's trunc_normal_. */
export function truncNormal_(
  t: Tensor,
  ...args: KwArgs<{ mean?: number; std?: number; a?: number; b?: number }, ['mean', 'std', 'a', 'b']>
): Tensor {
  const o = kwargs<{ mean?: number; std?: number; a?: number; b?: number }>(
    'truncNormal_',
    ['mean', 'std', 'a', 'b'],
    args,
  );
  const mean = o.mean ?? 0,
    std = o.std ?? 1,
    a = o.a ?? -2,
    b = o.b ?? 2;
  const normCdf = (x: number): number => (1 + erf(x / Math.SQRT2)) / 2;
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  return inPlace(t, () => {
    t.uniform_(2 * l - 1, 2 * u - 1);
    t.erfinv_();
    t.mul_(std * Math.SQRT2);
    t.add_(mean);
    t.clamp_(a, b);
  });
}

// Abramowitz-Stegun is not exact enough; use a series/continued-fraction erf accurate to ~1e-15.
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const z = Math.abs(x);
  if (z < 2.5) {
    // Taylor series
    let sum = z,
      term = z;
    for (let n = 1; n < 200; n++) {
      term *= (-z * z) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return sign * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // continued fraction for erfc
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (z + f);
  const erfc = Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + f);
  return sign * (1 - erfc);
}

// snake_case aliases, as in torch.nn.init
export {
  xavierUniform_ as xavier_uniform_,
  xavierNormal_ as xavier_normal_,
  kaimingUniform_ as kaiming_uniform_,
  kaimingNormal_ as kaiming_normal_,
  truncNormal_ as trunc_normal_,
  calculateGain as calculate_gain,
};
