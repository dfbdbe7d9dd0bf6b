// nn.functional.scaled_dot_product_attention and multi_head_attention_forward (PyTorch's math path:
// packed or separate in-projection, bias_k/bias_v, zero attention, boolean or float masks,
// averaged or per-head weights).
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { dropout } from './dropout.js';
import { kwargs, type KwArgs } from './args.js';

const linear = (x: Tensor, w: Tensor, b: Tensor | null): Tensor => torch.linear(x, w, b);

/** Options of sdpa (Python's keyword arguments, camelCase). */
export interface SdpaOptions {
  attnMask?: Tensor | null;
  dropoutP?: number;
  isCausal?: boolean;
  scale?: number | null;
  /** Grouped-query attention: key/value heads shared by groups of query heads. Default false. */ enableGqa?: boolean;
}
const SDPA = ['attnMask', 'dropoutP', 'isCausal', 'scale', 'enableGqa'] as const;
/** softmax(q k^T * scale + mask) v over (..., L, E) queries and (..., S, E) keys/values. */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  ...args: KwArgs<SdpaOptions, typeof SDPA>
): Tensor {
  const o = kwargs<SdpaOptions>('scaledDotProductAttention', SDPA, args);
  return torch.scaledDotProductAttention(q, k, v, {
    attnMask: o.attnMask ?? null,
    dropoutP: o.dropoutP ?? 0,
    isCausal: o.isCausal ?? false,
    scale: o.scale ?? null,
    enableGqa: o.enableGqa ?? false,
  });
}

/** PyTorch's _canonical_mask: a boolean mask becomes 0 / -inf in `dtype`; float masks pass through. */
export function canonicalMask(mask: Tensor | null | undefined, dtype: Tensor['dtype'], what: string): Tensor | null {
  if (!mask) return null;
  if (mask.dtype === 'bool')
    return torch.zeros(mask.shape, { dtype, device: mask.device }).maskedFill_(mask, -Infinity);
  if (!mask.isFloatingPoint())
    throw new TypeError(`${what}: only bool and floating types of masks are supported, got ${mask.dtype}`);
  return mask.alias();
}

/** The projection weights of multiHeadAttentionForward's compact form. */
export interface MhaWeights {
  inProjWeight: Tensor | null;
  inProjBias: Tensor | null;
  outProjWeight: Tensor;
  outProjBias: Tensor | null;
  /** Separate projections, used when key/value dims differ from the embedding dim. */
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  biasK?: Tensor | null;
  biasV?: Tensor | null;
}
/** Options of multiHeadAttentionForward's compact form. */
export interface MhaOptions {
  keyPaddingMask?: Tensor | null;
  attnMask?: Tensor | null;
  /** Return the attention weights (default true); false uses scaled_dot_product_attention. */ needWeights?: boolean;
  /** Average the weights over heads (default true). */ averageAttnWeights?: boolean;
  isCausal?: boolean;
  addZeroAttn?: boolean;
  dropoutP?: number;
  training?: boolean;
}

/** The keyword arguments of PyTorch's multi_head_attention_forward after out_proj_bias. */
export interface MhaPyOptions {
  /** Default true (dropout applies). */ training?: boolean;
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  attnMask?: Tensor | null;
  useSeparateProjWeight?: boolean;
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  /** Not supported (precomputed keys/values); must be null. */ staticK?: Tensor | null;
  /** Not supported; must be null. */ staticV?: Tensor | null;
  averageAttnWeights?: boolean;
  isCausal?: boolean;
}
const MHA_PY = [
  'training',
  'keyPaddingMask',
  'needWeights',
  'attnMask',
  'useSeparateProjWeight',
  'qProjWeight',
  'kProjWeight',
  'vProjWeight',
  'staticK',
  'staticV',
  'averageAttnWeights',
  'isCausal',
] as const;
type MhaPyPositional = [
  embedDimToCheck: number,
  numHeads: number,
  inProjWeight: Tensor | null,
  inProjBias: Tensor | null,
  biasK: Tensor | null,
  biasV: Tensor | null,
  addZeroAttn: boolean,
  dropoutP: number,
  outProjWeight: Tensor,
  outProjBias: Tensor | null,
  ...rest: KwArgs<MhaPyOptions, typeof MHA_PY>,
];

/**
 * Sequence-first multi-head attention: query (L, N, E) or (L, E), key/value (S, N, E_k/E_v).
 * Returns the output (L, N, E) and the weights (N, L, S) averaged, (N, H, L, S) per head, or null.
 * Two forms: PyTorch's positional signature (embedDimToCheck, numHeads, inProjWeight, inProjBias,
 * biasK, biasV, addZeroAttn, dropoutP, outProjWeight, outProjBias, then the keywords), or the
 * compact (numHeads, weights, options).
 */
export function multiHeadAttentionForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  numHeads: number,
  w: MhaWeights,
  o?: MhaOptions,
): [Tensor, Tensor | null];
/** multiHeadAttentionForward with PyTorch's positional signature. */
export function multiHeadAttentionForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  ...args: MhaPyPositional
): [Tensor, Tensor | null];
/** multiHeadAttentionForward: the implementation of both forms. */
export function multiHeadAttentionForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  ...args: unknown[]
): [Tensor, Tensor | null] {
  if (typeof args[1] !== 'number')
    return mhaForward(query, key, value, args[0] as number, args[1] as MhaWeights, (args[2] ?? {}) as MhaOptions);
  const [
    embedDimToCheck,
    numHeads,
    inProjWeight,
    inProjBias,
    biasK,
    biasV,
    addZeroAttn,
    dropoutP,
    outProjWeight,
    outProjBias,
  ] = args as MhaPyPositional;
  const o = kwargs<MhaPyOptions>('multiHeadAttentionForward', MHA_PY, args.slice(10));
  const e = query.shape[query.ndim - 1];
  if (e !== embedDimToCheck)
    throw new RangeError(
      `multiHeadAttentionForward: was expecting embedding dimension of ${embedDimToCheck}, but got ${e}`,
    );
  if (o.staticK || o.staticV) throw new TypeError('multiHeadAttentionForward: staticK / staticV are not supported');
  const separate = o.useSeparateProjWeight ?? false;
  return mhaForward(
    query,
    key,
    value,
    numHeads,
    {
      inProjWeight: separate ? null : inProjWeight,
      inProjBias,
      outProjWeight,
      outProjBias,
      biasK,
      biasV,
      qProjWeight: o.qProjWeight,
      kProjWeight: o.kProjWeight,
      vProjWeight: o.vProjWeight,
    },
    {
      keyPaddingMask: o.keyPaddingMask,
      attnMask: o.attnMask,
      needWeights: o.needWeights,
      averageAttnWeights: o.averageAttnWeights,
      isCausal: o.isCausal,
      addZeroAttn,
      dropoutP,
      training: o.training ?? true,
    },
  );
}
function mhaForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  numHeads: number,
  w: MhaWeights,
  o: MhaOptions,
): [Tensor, Tensor | null] {
  const batched = query.ndim === 3;
  if (!batched && query.ndim !== 2)
    throw new RangeError(
      `multiHeadAttentionForward: query should be 2D (unbatched) or 3D (batched), got shape [${query.shape.join(', ')}]`,
    );
  if (key.ndim !== query.ndim || value.ndim !== query.ndim)
    throw new RangeError(
      `multiHeadAttentionForward: query [${query.shape.join(', ')}], key [${key.shape.join(', ')}] and value [${value.shape.join(', ')}] must have the same number of dims`,
    );
  const needWeights = o.needWeights ?? true;
  const dropoutP = o.training === false ? 0 : (o.dropoutP ?? 0);
  let isCausal = o.isCausal ?? false;
  return torch.tidy(() => {
    let q0 = query,
      k0 = key,
      v0 = value;
    let kpm = o.keyPaddingMask ?? null;
    if (!batched) {
      q0 = q0.unsqueeze(1);
      k0 = k0.unsqueeze(1);
      v0 = v0.unsqueeze(1);
      if (kpm) kpm = kpm.unsqueeze(0);
    }
    const [tgtLen, bsz, embedDim] = q0.shape as [number, number, number];
    if (embedDim % numHeads)
      throw new RangeError(`multiHeadAttentionForward: embed_dim ${embedDim} not divisible by num_heads ${numHeads}`);
    const headDim = embedDim / numHeads;
    if (k0.shape[0] !== v0.shape[0] || k0.shape[1] !== bsz)
      throw new RangeError(
        `multiHeadAttentionForward: key [${key.shape.join(', ')}] and value [${value.shape.join(', ')}] do not fit query [${query.shape.join(', ')}]`,
      );
    let keyPadding = canonicalMask(kpm, query.dtype, 'keyPaddingMask');
    if (isCausal && !o.attnMask)
      throw new TypeError(
        'multiHeadAttentionForward: isCausal needs an attnMask (a hint that attnMask is the causal mask)',
      );
    let attnMask: Tensor | null;
    if (isCausal && !keyPadding && !needWeights)
      attnMask = null; // scaled_dot_product_attention builds the causal mask
    else {
      attnMask = canonicalMask(o.attnMask, query.dtype, 'attnMask');
      if (keyPadding) isCausal = false;
    }
    // in-projection
    let q: Tensor, k: Tensor, v: Tensor;
    const [bq, bk, bv] = w.inProjBias ? w.inProjBias.chunk(3) : [null, null, null];
    if (w.inProjWeight) {
      const [wq, wk, wv] = w.inProjWeight.chunk(3);
      q = linear(q0, wq!, bq ?? null);
      k = linear(k0, wk!, bk ?? null);
      v = linear(v0, wv!, bv ?? null);
    } else {
      if (!w.qProjWeight || !w.kProjWeight || !w.vProjWeight)
        throw new TypeError(
          'multiHeadAttentionForward: without inProjWeight, qProjWeight, kProjWeight and vProjWeight are required',
        );
      q = linear(q0, w.qProjWeight, bq ?? null);
      k = linear(k0, w.kProjWeight, bk ?? null);
      v = linear(v0, w.vProjWeight, bv ?? null);
    }
    if (attnMask) {
      if (attnMask.ndim === 2) {
        if (attnMask.shape[0] !== tgtLen || attnMask.shape[1] !== k0.shape[0])
          throw new RangeError(
            `multiHeadAttentionForward: the 2D attnMask should be [${tgtLen}, ${k0.shape[0]}], got [${attnMask.shape.join(', ')}]`,
          );
        attnMask = attnMask.unsqueeze(0);
      } else if (attnMask.ndim === 3) {
        if (attnMask.shape[0] !== bsz * numHeads || attnMask.shape[1] !== tgtLen || attnMask.shape[2] !== k0.shape[0])
          throw new RangeError(
            `multiHeadAttentionForward: the 3D attnMask should be [${bsz * numHeads}, ${tgtLen}, ${k0.shape[0]}], got [${attnMask.shape.join(', ')}]`,
          );
      } else
        throw new RangeError(
          `multiHeadAttentionForward: attnMask must be 2D or 3D, got shape [${attnMask.shape.join(', ')}]`,
        );
    }
    const padLast = (t: Tensor | null): Tensor | null => (t ? torch.constantPadNd(t, [0, 1], 0) : null);
    if (w.biasK && w.biasV) {
      k = torch.cat([k, w.biasK.repeat([1, bsz, 1])]);
      v = torch.cat([v, w.biasV.repeat([1, bsz, 1])]);
      attnMask = padLast(attnMask);
      keyPadding = padLast(keyPadding);
    } else if (w.biasK || w.biasV) throw new TypeError('multiHeadAttentionForward: biasK and biasV come together');
    q = q.view([tgtLen, bsz * numHeads, headDim]).transpose(0, 1);
    k = k.view([k.shape[0]!, bsz * numHeads, headDim]).transpose(0, 1);
    v = v.view([v.shape[0]!, bsz * numHeads, headDim]).transpose(0, 1);
    if (o.addZeroAttn) {
      k = torch.cat([k, torch.zeros([bsz * numHeads, 1, headDim], { dtype: k.dtype, device: k.device })], 1);
      v = torch.cat([v, torch.zeros([bsz * numHeads, 1, headDim], { dtype: v.dtype, device: v.device })], 1);
      attnMask = padLast(attnMask);
      keyPadding = padLast(keyPadding);
    }
    const srcLen = k.shape[1]!;
    if (keyPadding) {
      if (keyPadding.shape[0] !== bsz || keyPadding.shape[1] !== srcLen)
        throw new RangeError(
          `multiHeadAttentionForward: keyPaddingMask should be [${bsz}, ${srcLen}], got [${(o.keyPaddingMask ?? keyPadding).shape.join(', ')}]`,
        );
      const kp = keyPadding
        .view([bsz, 1, 1, srcLen])
        .expand([-1, numHeads, -1, -1])
        .reshape([bsz * numHeads, 1, srcLen]);
      attnMask = attnMask ? attnMask.add(kp) : kp;
    }
    if (needWeights) {
      const qScaled = q.mul(Math.sqrt(1 / headDim));
      let weights = attnMask
        ? torch.baddbmm(attnMask, qScaled, k.transpose(-2, -1))
        : torch.bmm(qScaled, k.transpose(-2, -1));
      weights = weights.softmax(-1);
      if (dropoutP > 0) weights = dropout(weights, dropoutP);
      let out = torch
        .bmm(weights, v)
        .transpose(0, 1)
        .contiguous()
        .view([tgtLen * bsz, embedDim]);
      out = linear(out, w.outProjWeight, w.outProjBias).view([tgtLen, bsz, embedDim]);
      weights = weights.view([bsz, numHeads, tgtLen, srcLen]);
      if (o.averageAttnWeights ?? true) weights = weights.mean(1);
      return batched ? [out, weights] : [out.squeeze(1), weights.squeeze(0)];
    }
    if (attnMask)
      attnMask = attnMask.shape[0] === 1 ? attnMask.unsqueeze(0) : attnMask.view([bsz, numHeads, -1, srcLen]);
    const q4 = q.view([bsz, numHeads, tgtLen, headDim]);
    const k4 = k.view([bsz, numHeads, srcLen, headDim]);
    const v4 = v.view([bsz, numHeads, srcLen, headDim]);
    const att = scaledDotProductAttention(q4, k4, v4, { attnMask, dropoutP, isCausal });
    let out = att
      .permute([2, 0, 1, 3])
      .contiguous()
      .view([bsz * tgtLen, embedDim]);
    out = linear(out, w.outProjWeight, w.outProjBias).view([tgtLen, bsz, embedDim]);
    return [batched ? out : out.squeeze(1), null];
  });
}
