// nn.functional.embedding, embedding_bag and one_hot.
// Optional arguments: positional in Python's order, or a trailing options object (see ./args.ts).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { kwargs, type KwArgs } from './args.js';

/** Options of embedding (Python's keyword arguments, camelCase). */
export interface EmbeddingOptions {
  /** Row whose gradient is always zero (negative counts from the end). */ paddingIdx?: number | null;
  /** Rows looked up with a larger norm are renormalized in place to this norm. */ maxNorm?: number | null;
  /** The p of the norm for maxNorm, default 2. */ normType?: number;
  /** Scale gradients by the inverse frequency of the indices in the batch. */ scaleGradByFreq?: boolean;
  /** Sparse gradients (not supported by this library's optimizers). */ sparse?: boolean;
}
const EMBEDDING = ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse'] as const;
/** PyTorch's padding_idx rule: in [-num, num), negative counted from the end; null when absent. */
export function resolvePaddingIdx(paddingIdx: number | null | undefined, num: number, what: string): number | null {
  if (paddingIdx === null || paddingIdx === undefined) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx >= num || paddingIdx < -num)
    throw new RangeError(`${what}: paddingIdx must be within [-${num}, ${num}), got ${paddingIdx}`);
  return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
}
function renorm(weight: Tensor, input: Tensor, maxNorm: number | null | undefined, normType: number | undefined): void {
  if (maxNorm === null || maxNorm === undefined) return;
  torch.noGrad(() =>
    torch.tidy(() => {
      torch.embeddingRenorm_(weight, input.contiguous(), maxNorm, normType ?? 2);
    }),
  );
}
/** Rows of `weight` [num, dim] picked by the integer `input` (any shape) -> (*input.shape, dim). */
export function embedding(input: Tensor, weight: Tensor, ...args: KwArgs<EmbeddingOptions, typeof EMBEDDING>): Tensor {
  const o = kwargs<EmbeddingOptions>('embedding', EMBEDDING, args);
  if (input.isFloatingPoint())
    throw new TypeError(`embedding: input must be an integer tensor of indices, got ${input.dtype}`);
  const pad = resolvePaddingIdx(o.paddingIdx, weight.shape[0]!, 'embedding');
  renorm(weight, input, o.maxNorm, o.normType);
  return torch.embedding(weight, input, pad ?? -1, o.scaleGradByFreq ?? false, o.sparse ?? false);
}

/** Options of embeddingBag (Python's keyword arguments, camelCase). */
export interface EmbeddingBagOptions extends EmbeddingOptions {
  /** Start of each bag in a 1-D input (int64); absent for 2-D input (one bag per row). */ offsets?: Tensor | null;
  /** How a bag is reduced: 'sum', 'mean' (default) or 'max'. */ mode?: 'sum' | 'mean' | 'max';
  /** Weights of each index (mode 'sum' only), same shape as input. */ perSampleWeights?: Tensor | null;
  /** offsets has one more element, the end of the last bag. Default false. */ includeLastOffset?: boolean;
}
const EMBEDDING_BAG = [
  'offsets',
  'maxNorm',
  'normType',
  'scaleGradByFreq',
  'mode',
  'sparse',
  'perSampleWeights',
  'includeLastOffset',
  'paddingIdx',
] as const;
const BAG_MODES = { sum: 0, mean: 1, max: 2 } as const;
/** Sums, averages or maxes the embeddings of each bag of indices -> (bags, dim). */
export function embeddingBag(
  input: Tensor,
  weight: Tensor,
  ...args: KwArgs<EmbeddingBagOptions, typeof EMBEDDING_BAG>
): Tensor {
  const o = kwargs<EmbeddingBagOptions>('embeddingBag', EMBEDDING_BAG, args);
  const mode = o.mode ?? 'mean';
  if (!(mode in BAG_MODES))
    throw new TypeError(`embeddingBag: mode has to be one of sum, mean or max, got '${String(mode)}'`);
  if (o.perSampleWeights && mode !== 'sum')
    throw new TypeError(
      `embeddingBag: perSampleWeights was not null; perSampleWeights is only supported for mode='sum' (got mode='${mode}')`,
    );
  const pad = resolvePaddingIdx(o.paddingIdx, weight.shape[0]!, 'embeddingBag');
  return torch.tidy(() => {
    let inp = input,
      offsets = o.offsets ?? null,
      psw = o.perSampleWeights ?? null;
    if (input.ndim === 2) {
      if (offsets)
        throw new TypeError(
          'embeddingBag: if input is 2D, then offsets has to be null, as input is treated as a mini-batch of fixed ' +
            'length sequences',
        );
      offsets = torch.arange(0, input.numel(), input.shape[1]!, { dtype: input.dtype, device: input.device });
      inp = input.reshape(-1);
      psw = psw ? psw.reshape(-1) : null;
    } else if (input.ndim === 1) {
      if (!offsets || offsets.ndim !== 1)
        throw new TypeError('embeddingBag: offsets has to be a 1D Tensor for a 1D input');
    } else {
      throw new RangeError(`embeddingBag: input has to be 1D or 2D Tensor, but got Tensor of dimension ${input.ndim}`);
    }
    renorm(weight, inp, o.maxNorm, o.normType);
    const [out] = torch.embeddingBag(
      weight,
      inp,
      offsets,
      o.scaleGradByFreq ?? false,
      BAG_MODES[mode],
      o.sparse ?? false,
      psw,
      o.includeLastOffset ?? false,
      pad,
    );
    return out;
  });
}

/** Options of oneHot (Python's keyword arguments, camelCase). */
export interface OneHotOptions {
  /** Default -1: max(labels) + 1. */ numClasses?: number;
}
/** int64 labels (*) -> (*, numClasses) one-hot int64. */
export const oneHot = (labels: Tensor, ...args: KwArgs<OneHotOptions, ['numClasses']>): Tensor =>
  torch.oneHot(labels, kwargs<OneHotOptions>('oneHot', ['numClasses'], args).numClasses ?? -1);
