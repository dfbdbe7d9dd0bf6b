// nn.functional distances: cosine_similarity, pairwise_distance, pdist.
// Optional arguments: positional in Python's order, or a trailing options object (see ./args.ts).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { kwargs, type KwArgs } from './args.js';

/** Options of cosineSimilarity (Python's keyword arguments, camelCase). */
export interface CosineSimilarityOptions {
  /** Default 1. */ dim?: number;
  /** Default 1e-8. */ eps?: number;
}
/** x1 . x2 / max(||x1|| ||x2||, eps) along `dim` (inputs broadcast). */
export function cosineSimilarity(
  x1: Tensor,
  x2: Tensor,
  ...args: KwArgs<CosineSimilarityOptions, ['dim', 'eps']>
): Tensor {
  const o = kwargs<CosineSimilarityOptions>('cosineSimilarity', ['dim', 'eps'], args);
  return torch.cosineSimilarity(x1, x2, o.dim ?? 1, o.eps ?? 1e-8);
}
/** Options of pairwiseDistance (Python's keyword arguments, camelCase). */
export interface PairwiseDistanceOptions {
  /** Norm order, default 2. */ p?: number;
  /** Added to the difference, default 1e-6. */ eps?: number;
  /** Default false. */ keepdim?: boolean;
}
const PAIRWISE = ['p', 'eps', 'keepdim'] as const;
/** ||x1 - x2 + eps||_p over the last dim. */
export function pairwiseDistance(
  x1: Tensor,
  x2: Tensor,
  ...args: KwArgs<PairwiseDistanceOptions, typeof PAIRWISE>
): Tensor {
  const o = kwargs<PairwiseDistanceOptions>('pairwiseDistance', PAIRWISE, args);
  return torch.pairwiseDistance(x1, x2, o.p ?? 2, o.eps ?? 1e-6, o.keepdim ?? false);
}
/** The p-norm distances between the rows of (N, M): the upper triangle, N (N - 1) / 2 values. */
export const pdist = (x: Tensor, ...args: KwArgs<{ p?: number }, ['p']>): Tensor =>
  torch.pdist(x, kwargs<{ p?: number }>('pdist', ['p'], args).p ?? 2);
