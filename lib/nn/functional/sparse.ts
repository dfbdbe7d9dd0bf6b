// nn.functional.embedding and one_hot.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';

export interface EmbeddingOptions {
  /** Row whose gradient is always zero (negative counts from the end). */ paddingIdx?: number | null;
  /** Rows looked up with a larger norm are renormalized in place to this norm. */ maxNorm?: number | null;
  /** The p of the norm for maxNorm, default 2. */ normType?: number;
  /** Scale gradients by the inverse frequency of the indices in the batch. */ scaleGradByFreq?: boolean;
  /** Sparse gradients (not supported by this library's optimizers). */ sparse?: boolean;
}
/** PyTorch's padding_idx rule: in [-num, num), negative counted from the end; null when absent. */
export function resolvePaddingIdx(paddingIdx: number | null | undefined, num: number, what: string): number | null {
  if (paddingIdx === null || paddingIdx === undefined) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx >= num || paddingIdx < -num) throw new RangeError(`${what}: paddingIdx must be within [-${num}, ${num}), got ${paddingIdx}`);
  return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
}
/** Rows of `weight` [num, dim] picked by the integer `input` (any shape) -> (*input.shape, dim). */
export function embedding(input: Tensor, weight: Tensor, o: EmbeddingOptions = {}): Tensor {
  if (input.isFloatingPoint()) throw new TypeError(`embedding: input must be an integer tensor of indices, got ${input.dtype}`);
  const pad = resolvePaddingIdx(o.paddingIdx, weight.shape[0]!, 'embedding');
  if (o.maxNorm !== null && o.maxNorm !== undefined) {
    const maxNorm = o.maxNorm;
    torch.noGrad(() => torch.tidy(() => { torch.embeddingRenorm_(weight, input.contiguous(), maxNorm, o.normType ?? 2); }));
  }
  return torch.embedding(weight, input, pad ?? -1, o.scaleGradByFreq ?? false, o.sparse ?? false);
}
export const oneHot = (labels: Tensor, numClasses = -1): Tensor => torch.oneHot(labels, numClasses);
