// MultiheadAttention (PyTorch's torch/nn/modules/activation.py): packed in_proj_weight/in_proj_bias
// (or q/k/v_proj_weight when kdim/vdim differ), out_proj, optional bias_k/bias_v, PyTorch's init.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { Module } from '../module.js';
import { NonDynamicallyQuantizableLinear } from './linear.js';
import { factory, type FactoryOptions } from './utils.js';

/** Options of MultiheadAttention (PyTorch's keyword arguments, camelCase). */
export interface MultiheadAttentionOptions extends FactoryOptions {
  /** Dropout on the attention weights (training only), default 0. */ dropout?: number;
  /** Biases on the in- and out-projections, default true. */ bias?: boolean;
  /** Learned bias_k/bias_v appended to the key/value sequences, default false. */ addBiasKv?: boolean;
  /** Append a zero key/value to the sequences, default false. */ addZeroAttn?: boolean;
  /** Key features (default embedDim). */ kdim?: number;
  /** Value features (default embedDim). */ vdim?: number;
  /** (N, L, E) inputs and outputs instead of (L, N, E). Default false. */ batchFirst?: boolean;
}
/** Masks and flags of MultiheadAttention.forward (PyTorch's keyword arguments, camelCase). */
export interface MultiheadAttentionCallOptions {
  /** (N, S) bool (true = ignore) or float (added) mask over keys. */ keyPaddingMask?: Tensor | null;
  /** Return the weights (default true). */ needWeights?: boolean;
  /** (L, S) or (N*numHeads, L, S) bool or float mask. */ attnMask?: Tensor | null;
  /** Average weights over heads (default true); false gives (N, numHeads, L, S). */ averageAttnWeights?: boolean;
  /** Hint that attnMask is the causal mask. */ isCausal?: boolean;
}

/**
 * Multi-head attention (Vaswani et al., 2017, "Attention Is All You Need"):
 * `MultiHead(Q, K, V) = concat(head_1, ..., head_h) W^O`, with `head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)` and
 * scaled dot-product attention in each head.
 *
 * `forward(query, key, value, { keyPaddingMask, needWeights, attnMask, averageAttnWeights, isCausal })` returns
 * `[output, weights]`, `weights` null unless `needWeights` (default true). Each head has `embedDim / numHeads`
 * features. In a bool mask `true` marks a position that is not attended to; a float mask is added to the scores.
 *
 * Shape (`L` target length, `S` source length, `N` batch size, `E` = `embedDim`):
 * - query: `(L, E)` unbatched, `(L, N, E)`, or `(N, L, E)` with `batchFirst`.
 * - key: `(S, kdim)`, `(S, N, kdim)`, or `(N, S, kdim)` with `batchFirst`.
 * - value: `(S, vdim)`, `(S, N, vdim)`, or `(N, S, vdim)` with `batchFirst`.
 * - keyPaddingMask: `(N, S)`, or `(S)` unbatched. attnMask: `(L, S)` or `(N * numHeads, L, S)`.
 * - output: `(L, E)` unbatched, `(L, N, E)`, or `(N, L, E)` with `batchFirst`.
 * - weights: `(N, L, S)` (`(L, S)` unbatched) averaged over heads, else `(N, numHeads, L, S)` (`(numHeads, L, S)`
 *   unbatched).
 *
 * @param embedDim - the total dimension of the model.
 * @param numHeads - the number of parallel heads; `embedDim` must be divisible by it.
 * @param o.dropout - the dropout probability on the attention weights, training only (default `0`).
 * @param o.bias - add biases to the input and output projections (default `true`).
 * @param o.addBiasKv - append learned biases to the key and value sequences (default `false`).
 * @param o.addZeroAttn - append a batch of zeros to the key and value sequences (default `false`).
 * @param o.kdim - the number of key features (default `embedDim`).
 * @param o.vdim - the number of value features (default `embedDim`).
 * @param o.batchFirst - inputs and output are `(N, L, E)` instead of `(L, N, E)` (default `false`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const mha = new nn.MultiheadAttention(16, 4, { batchFirst: true });
 * const x = torch.randn(2, 5, 16);
 * const [output, weights] = mha(x, x, x);
 * console.log(output.shape); // [2, 5, 16]
 * console.log(weights?.shape); // [2, 5, 5]
 */
export class MultiheadAttention extends Module {
  readonly kdim: number;
  readonly vdim: number;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly addZeroAttn: boolean;
  private readonly qkvSameEmbedDim: boolean;
  readonly outProj: NonDynamicallyQuantizableLinear;
  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    o: MultiheadAttentionOptions = {},
  ) {
    super();
    if (embedDim <= 0 || numHeads <= 0)
      throw new RangeError(
        `MultiheadAttention: embedDim and numHeads must be greater than 0, got embedDim=${embedDim} and numHeads=${numHeads}`,
      );
    if (embedDim % numHeads)
      throw new RangeError(`MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    this.kdim = o.kdim ?? embedDim;
    this.vdim = o.vdim ?? embedDim;
    this.qkvSameEmbedDim = this.kdim === embedDim && this.vdim === embedDim;
    this.headDim = embedDim / numHeads;
    this.dropout = o.dropout ?? 0;
    this.batchFirst = o.batchFirst ?? false;
    this.addZeroAttn = o.addZeroAttn ?? false;
    const fo = factory(o);
    const bias = o.bias ?? true;
    if (this.qkvSameEmbedDim) {
      this.registerParameter('in_proj_weight', torch.empty([3 * embedDim, embedDim], fo));
      this.registerParameter('q_proj_weight', null);
      this.registerParameter('k_proj_weight', null);
      this.registerParameter('v_proj_weight', null);
    } else {
      this.registerParameter('q_proj_weight', torch.empty([embedDim, embedDim], fo));
      this.registerParameter('k_proj_weight', torch.empty([embedDim, this.kdim], fo));
      this.registerParameter('v_proj_weight', torch.empty([embedDim, this.vdim], fo));
      this.registerParameter('in_proj_weight', null);
    }
    this.registerParameter('in_proj_bias', bias ? torch.empty([3 * embedDim], fo) : null);
    this.outProj = this.registerModule(
      'out_proj',
      new NonDynamicallyQuantizableLinear(embedDim, embedDim, { ...o, bias }),
    );
    this.registerParameter('bias_k', o.addBiasKv ? torch.empty([1, 1, embedDim], fo) : null);
    this.registerParameter('bias_v', o.addBiasKv ? torch.empty([1, 1, embedDim], fo) : null);
    this.resetParameters();
  }
  /** PyTorch's _reset_parameters: xavier_uniform_ projections, zero in/out biases, xavier_normal_ bias_k/v. */
  resetParameters(): void {
    for (const n of ['in_proj_weight', 'q_proj_weight', 'k_proj_weight', 'v_proj_weight']) {
      const p = this.paramOrNull(n);
      if (p) init.xavierUniform_(p);
    }
    const b = this.paramOrNull('in_proj_bias');
    if (b) {
      init.zeros_(b);
      init.zeros_(this.outProj.bias!);
    }
    for (const n of ['bias_k', 'bias_v']) {
      const p = this.paramOrNull(n);
      if (p) init.xavierNormal_(p);
    }
  }
  override forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    o: MultiheadAttentionCallOptions = {},
  ): [Tensor, Tensor | null] {
    const batched = query.ndim === 3;
    return torch.tidy(() => {
      let q = query,
        k = key,
        v = value;
      if (this.batchFirst && batched) {
        q = q.transpose(1, 0);
        k = k.transpose(1, 0);
        v = v.transpose(1, 0);
      }
      const [out, weights] = F.multiHeadAttentionForward(
        q,
        k,
        v,
        this.numHeads,
        {
          inProjWeight: this.paramOrNull('in_proj_weight'),
          inProjBias: this.paramOrNull('in_proj_bias'),
          qProjWeight: this.paramOrNull('q_proj_weight'),
          kProjWeight: this.paramOrNull('k_proj_weight'),
          vProjWeight: this.paramOrNull('v_proj_weight'),
          outProjWeight: this.outProj.weight,
          outProjBias: this.outProj.bias,
          biasK: this.paramOrNull('bias_k'),
          biasV: this.paramOrNull('bias_v'),
        },
        { ...o, addZeroAttn: this.addZeroAttn, dropoutP: this.dropout, training: this.training },
      );
      return [this.batchFirst && batched ? out.transpose(1, 0) : out, weights];
    });
  }
}
