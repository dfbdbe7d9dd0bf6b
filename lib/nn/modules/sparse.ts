// Embedding and EmbeddingBag (torch/nn/modules/sparse.py): weight [numEmbeddings, embeddingDim] ~ N(0, 1), the
// padding row zeroed; fromPretrained wraps existing vectors.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { Module, pyFloat } from '../module.js';
import { factory, type FactoryOptions } from './utils.js';

/** Options of Embedding (PyTorch's keyword arguments, camelCase). */
export interface EmbeddingModuleOptions extends FactoryOptions, F.EmbeddingOptions {
  /** Use this tensor (shape [numEmbeddings, embeddingDim]) as the weight, sharing its storage. */ weight?: Tensor;
  /** With `weight`: do not train it. Default false. */ freeze?: boolean;
}
/** Lookup table: integer input of any shape (*) -> (*, embeddingDim). */
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
    if (o.weight) {
      const s = o.weight.shape;
      if (s.length !== 2 || s[0] !== numEmbeddings || s[1] !== embeddingDim)
        throw new RangeError(
          `Embedding: weight shape [${s.join(', ')}] does not match [${numEmbeddings}, ${embeddingDim}]`,
        );
      this.registerParameter('weight', o.weight.detach());
    } else {
      const w = this.registerParameter('weight', torch.empty([numEmbeddings, embeddingDim], factory(o)))!;
      init.normal_(w);
      if (this.paddingIdx !== null)
        torch.noGrad(() =>
          torch.tidy(() => {
            w.get(this.paddingIdx!).fill_(0);
          }),
        );
    }
    if (o.freeze) this.weight.requiresGrad_(false);
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
/** Sums, averages or maxes bags of embeddings: forward(input, offsets?, perSampleWeights?) -> (bags, embeddingDim). */
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
    if (o.weight) {
      const s = o.weight.shape;
      if (s.length !== 2 || s[0] !== numEmbeddings || s[1] !== embeddingDim)
        throw new RangeError(
          `EmbeddingBag: weight shape [${s.join(', ')}] does not match [${numEmbeddings}, ${embeddingDim}]`,
        );
      this.registerParameter('weight', o.weight.detach());
    } else {
      const w = this.registerParameter('weight', torch.empty([numEmbeddings, embeddingDim], factory(o)))!;
      init.normal_(w);
      if (this.paddingIdx !== null)
        torch.noGrad(() =>
          torch.tidy(() => {
            w.get(this.paddingIdx!).fill_(0);
          }),
        );
    }
    if (o.freeze) this.weight.requiresGrad_(false);
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
