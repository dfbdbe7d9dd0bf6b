// Embedding and EmbeddingBag (torch/nn/modules/sparse.py): weight [numEmbeddings, embeddingDim] ~ N(0, 1), the
// padding row zeroed; fromPretrained wraps existing vectors.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { Module, pyFloat } from '../module.js';
import { factory, type FactoryOptions } from './utils.js';

/**
 * Registers the `weight` of an Embedding or EmbeddingBag: the given tensor (detached, its shape checked) or a new
 * `(numEmbeddings, embeddingDim)` one from N(0, 1) with the padding row zeroed; frozen when `o.freeze`.
 */
function registerWeight(
  m: Module,
  who: string,
  numEmbeddings: number,
  embeddingDim: number,
  paddingIdx: number | null,
  o: FactoryOptions & { weight?: Tensor; freeze?: boolean },
): void {
  if (o.weight) {
    const s = o.weight.shape;
    if (s.length !== 2 || s[0] !== numEmbeddings || s[1] !== embeddingDim)
      throw new RangeError(`${who}: weight shape [${s.join(', ')}] does not match [${numEmbeddings}, ${embeddingDim}]`);
    m.registerParameter('weight', o.weight.detach());
  } else {
    const w = m.registerParameter('weight', torch.empty([numEmbeddings, embeddingDim], factory(o)))!;
    init.normal_(w);
    if (paddingIdx !== null)
      torch.noGrad(() =>
        torch.tidy(() => {
          w.get(paddingIdx).fill_(0);
        }),
      );
  }
  if (o.freeze) m.param('weight').requiresGrad_(false);
}

/** Options of Embedding (PyTorch's keyword arguments, camelCase). */
export interface EmbeddingModuleOptions extends FactoryOptions, F.EmbeddingOptions {
  /** Use this tensor (shape [numEmbeddings, embeddingDim]) as the weight, sharing its storage. */ weight?: Tensor;
  /** With `weight`: do not train it. Default false. */ freeze?: boolean;
}
/**
 * A lookup table of fixed-size vectors: each integer index of the input selects a row of `weight`.
 *
 * Often used to store word embeddings and retrieve them by index. The row at `paddingIdx` gets no gradient, so it stays
 * a fixed "pad" vector (zeros in a new layer). `nn.Embedding.fromPretrained(embeddings, o)` wraps existing vectors,
 * frozen by default.
 *
 * Shape:
 * - Input: `(*)`, int64 (or int32) indices of any shape, each in `[0, numEmbeddings)`.
 * - Output: `(*, H)`, `H = embeddingDim`.
 *
 * The weight is `(numEmbeddings, embeddingDim)`, initialized from `N(0, 1)`.
 *
 * @param numEmbeddings - the size of the dictionary.
 * @param embeddingDim - the size of each embedding vector.
 * @param o.paddingIdx - a row that does not contribute to the gradient; negative counts from the end (default none).
 * @param o.maxNorm - rows looked up with a larger norm are renormalized, in place, to this norm (default none).
 * @param o.normType - the p of the p-norm for `maxNorm` (default `2`).
 * @param o.scaleGradByFreq - scale the gradients by the inverse frequency of the indices in the mini-batch (default
 *   `false`).
 * @param o.sparse - the gradient of `weight` is sparse (default `false`).
 * @param o.weight - use this `(numEmbeddings, embeddingDim)` tensor as the weight (its storage shared) instead of a new
 *   one.
 * @param o.freeze - with `weight`, do not train it (default `false`).
 * @param o.device - where the weight lives (default the CPU).
 * @param o.dtype - its floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const embedding = new nn.Embedding(10, 3);
 * const input = torch.tensor([[1, 2, 4, 5], [4, 3, 2, 9]]); // a batch of 2 samples of 4 indices
 * console.log(embedding(input).shape); // [2, 4, 3]
 * const padded = new nn.Embedding(10, 3, { paddingIdx: 0 });
 * console.log(padded(torch.tensor([0, 2])).get(0).tolist()); // [0, 0, 0]
 */
export class Embedding extends Module {
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    o: EmbeddingModuleOptions = {},
  ) {
    super();
    this.paddingIdx = F.resolvePaddingIdx(o.paddingIdx, numEmbeddings, 'Embedding');
    this.maxNorm = o.maxNorm ?? null;
    this.normType = o.normType ?? 2;
    this.scaleGradByFreq = o.scaleGradByFreq ?? false;
    this.sparse = o.sparse ?? false;
    registerWeight(this, 'Embedding', numEmbeddings, embeddingDim, this.paddingIdx, o);
  }
  get weight(): Tensor {
    return this.param('weight');
  }
  /** An Embedding over the rows of `embeddings` [num, dim] (storage shared); frozen unless `freeze: false`. */
  static fromPretrained(embeddings: Tensor, o: F.EmbeddingOptions & { freeze?: boolean } = {}): Embedding {
    if (embeddings.ndim !== 2)
      throw new RangeError(
        `Embedding.fromPretrained: embeddings must be 2-D, got shape [${embeddings.shape.join(', ')}]`,
      );
    return new Embedding(embeddings.shape[0]!, embeddings.shape[1]!, {
      ...o,
      weight: embeddings,
      freeze: o.freeze ?? true,
    });
  }
  override forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, {
      paddingIdx: this.paddingIdx,
      maxNorm: this.maxNorm,
      normType: this.normType,
      scaleGradByFreq: this.scaleGradByFreq,
      sparse: this.sparse,
    });
  }
  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ', scale_grad_by_freq=True';
    if (this.sparse) s += ', sparse=True';
    return s;
  }
}

/** Options of EmbeddingBag. */
export interface EmbeddingBagModuleOptions
  extends FactoryOptions, Omit<F.EmbeddingBagOptions, 'offsets' | 'perSampleWeights'> {
  /** Use this tensor [numEmbeddings, embeddingDim] as the weight (PyTorch's _weight). */ weight?: Tensor;
  /** With `weight`: do not train it. Default false. */ freeze?: boolean;
}
/**
 * Computes the sums, means or maxima of bags of embeddings, without building the intermediate embeddings.
 *
 * `forward(input, offsets?, perSampleWeights?)`: for a 2D input each row is a bag; for a 1D input `offsets` gives the
 * start of each bag (with `includeLastOffset`, also the end of the last one). With `mode` `'sum'`, `perSampleWeights`
 * scales each embedding before the sum. `'sum'` equals `nn.Embedding` followed by a sum over each bag, `'mean'` a mean
 * and `'max'` a maximum, at a lower cost. `nn.EmbeddingBag.fromPretrained(embeddings, o)` wraps existing vectors,
 * frozen by default.
 *
 * Shape:
 * - input: `(B, N)`, `B` bags of `N` indices each, or `(N)` with offsets: int64 (or int32) indices in
 *   `[0, numEmbeddings)`.
 * - offsets: `(B)` (`(B + 1)` with `includeLastOffset`), only with a 1D input.
 * - perSampleWeights: the shape of the input.
 * - output: `(B, embeddingDim)`.
 *
 * The weight is `(numEmbeddings, embeddingDim)`, initialized from `N(0, 1)`.
 *
 * @param numEmbeddings - the size of the dictionary.
 * @param embeddingDim - the size of each embedding vector.
 * @param o.mode - how a bag is reduced: `'sum'`, `'mean'` or `'max'` (default `'mean'`).
 * @param o.paddingIdx - an index that is left out of the bags and of the gradient (default none).
 * @param o.maxNorm - rows looked up with a larger norm are renormalized, in place, to this norm (default none).
 * @param o.normType - the p of the p-norm for `maxNorm` (default `2`).
 * @param o.scaleGradByFreq - scale the gradients by the inverse frequency of the indices in the mini-batch (default
 *   `false`; not with `'max'`).
 * @param o.sparse - the gradient of `weight` is sparse (default `false`; not with `'max'`).
 * @param o.includeLastOffset - `offsets` has one more element, the end of the last bag (default `false`).
 * @param o.weight - use this `(numEmbeddings, embeddingDim)` tensor as the weight instead of a new one.
 * @param o.freeze - with `weight`, do not train it (default `false`).
 * @param o.device - where the weight lives (default the CPU).
 * @param o.dtype - its floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const bag = new nn.EmbeddingBag(10, 3, { mode: 'sum' });
 * // two bags of four indices, given flat with their start offsets
 * const input = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9]);
 * console.log(bag(input, torch.tensor([0, 4])).shape); // [2, 3]
 * console.log(bag(input.reshape(2, 4)).shape); // [2, 3]
 */
export class EmbeddingBag extends Module {
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly mode: 'sum' | 'mean' | 'max';
  readonly sparse: boolean;
  readonly includeLastOffset: boolean;
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    o: EmbeddingBagModuleOptions = {},
  ) {
    super();
    this.paddingIdx = F.resolvePaddingIdx(o.paddingIdx, numEmbeddings, 'EmbeddingBag');
    this.maxNorm = o.maxNorm ?? null;
    this.normType = o.normType ?? 2;
    this.scaleGradByFreq = o.scaleGradByFreq ?? false;
    this.mode = o.mode ?? 'mean';
    this.sparse = o.sparse ?? false;
    this.includeLastOffset = o.includeLastOffset ?? false;
    registerWeight(this, 'EmbeddingBag', numEmbeddings, embeddingDim, this.paddingIdx, o);
  }
  get weight(): Tensor {
    return this.param('weight');
  }
  /** An EmbeddingBag over the rows of `embeddings` (storage shared); frozen unless `freeze: false`. */
  static fromPretrained(embeddings: Tensor, o: Omit<EmbeddingBagModuleOptions, 'weight'> = {}): EmbeddingBag {
    if (embeddings.ndim !== 2)
      throw new RangeError(
        `EmbeddingBag.fromPretrained: embeddings must be 2-D, got shape [${embeddings.shape.join(', ')}]`,
      );
    return new EmbeddingBag(embeddings.shape[0]!, embeddings.shape[1]!, {
      ...o,
      weight: embeddings,
      freeze: o.freeze ?? true,
    });
  }
  override forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    return F.embeddingBag(
      input,
      this.weight,
      offsets,
      this.maxNorm,
      this.normType,
      this.scaleGradByFreq,
      this.mode,
      this.sparse,
      perSampleWeights,
      this.includeLastOffset,
      this.paddingIdx,
    );
  }
  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ', scale_grad_by_freq=True';
    s += `, mode='${this.mode}'`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    return s;
  }
}
