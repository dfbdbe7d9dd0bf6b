// Transformer, TransformerEncoderLayer / TransformerEncoder / TransformerDecoderLayer / TransformerDecoder
// (torch/nn/modules/transformer.py): same submodule names (self_attn, multihead_attn, linear1,
// linear2, norm1..3, dropout, dropout1..3, layers.N), post-norm by default, normFirst for pre-norm.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import * as init from '../init.js';
import { ModuleList } from '../containers.js';
import { Module } from '../module.js';
import { MultiheadAttention } from './attention.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './normalization.js';
import type { FactoryOptions } from './utils.js';

/** 'relu' (default), 'gelu', or a function / module of one tensor. */
export type TransformerActivation = 'relu' | 'gelu' | ((x: Tensor) => Tensor);
/** Options of the Transformer layers (PyTorch's keyword arguments, camelCase). */
export interface TransformerLayerOptions extends FactoryOptions {
  /** Feed-forward width, default 2048. */ dimFeedforward?: number;
  /** Dropout everywhere (attention weights, feed-forward, residual branches), default 0.1. */ dropout?: number;
  activation?: TransformerActivation;
  /** Default 1e-5. */ layerNormEps?: number;
  /** (N, L, E) instead of (L, N, E). Default false. */ batchFirst?: boolean;
  /** LayerNorm before attention/feed-forward (pre-norm) instead of after. Default false. */ normFirst?: boolean;
  /** Biases in the linear layers and layer norms, default true. */ bias?: boolean;
}

function activationFn(m: Module, a: TransformerActivation): (x: Tensor) => Tensor {
  if (a === 'relu') return (x) => F.relu(x);
  if (a === 'gelu') return (x) => F.gelu(x);
  if (typeof a !== 'function')
    throw new TypeError(`${m.constructor.name}: activation should be 'relu', 'gelu' or a function, not '${String(a)}'`);
  if (a instanceof Module) m.registerModule('activation', a); // a module activation is a child, as in PyTorch
  return a;
}

interface LayerConfig {
  dModel: number;
  nhead: number;
  o: TransformerLayerOptions;
}

abstract class TransformerLayerBase extends Module {
  readonly normFirst: boolean;
  readonly batchFirst: boolean;
  protected readonly act: (x: Tensor) => Tensor;
  protected readonly config: LayerConfig;
  constructor(dModel: number, nhead: number, o: TransformerLayerOptions, cross: boolean) {
    super();
    this.config = { dModel, nhead, o };
    const dff = o.dimFeedforward ?? 2048;
    const p = o.dropout ?? 0.1;
    const bias = o.bias ?? true;
    const fo: FactoryOptions = { device: o.device, dtype: o.dtype };
    this.batchFirst = o.batchFirst ?? false;
    this.normFirst = o.normFirst ?? false;
    this.registerModule(
      'self_attn',
      new MultiheadAttention(dModel, nhead, { ...fo, dropout: p, bias, batchFirst: this.batchFirst }),
    );
    if (cross)
      this.registerModule(
        'multihead_attn',
        new MultiheadAttention(dModel, nhead, { ...fo, dropout: p, bias, batchFirst: this.batchFirst }),
      );
    this.registerModule('linear1', new Linear(dModel, dff, { ...fo, bias }));
    this.registerModule('dropout', new Dropout(p));
    this.registerModule('linear2', new Linear(dff, dModel, { ...fo, bias }));
    const eps = o.layerNormEps ?? 1e-5;
    for (const n of cross ? ['norm1', 'norm2', 'norm3'] : ['norm1', 'norm2'])
      this.registerModule(n, new LayerNorm(dModel, { ...fo, eps, bias }));
    for (const n of cross ? ['dropout1', 'dropout2', 'dropout3'] : ['dropout1', 'dropout2'])
      this.registerModule(n, new Dropout(p));
    this.act = activationFn(this, o.activation ?? 'relu');
  }
  protected m(name: string): (x: Tensor) => Tensor {
    const c = this.child(name);
    return (x) => (c as unknown as { forward(x: Tensor): Tensor }).forward(x);
  }
  protected attn(
    name: string,
    x: Tensor,
    mem: Tensor,
    attnMask: Tensor | null,
    keyPaddingMask: Tensor | null,
    isCausal: boolean,
    drop: string,
  ): Tensor {
    const [out] = this.child<MultiheadAttention>(name).forward(x, mem, mem, {
      attnMask,
      keyPaddingMask,
      needWeights: false,
      isCausal,
    });
    return this.m(drop)(out);
  }
  protected ff(x: Tensor, drop: string): Tensor {
    return this.m(drop)(this.m('linear2')(this.m('dropout')(this.act(this.m('linear1')(x)))));
  }
  /** A copy with the same configuration and weights (PyTorch's copy.deepcopy of a layer). */
  clone(): this {
    const C = this.constructor as new (d: number, h: number, o: TransformerLayerOptions) => this;
    const copy = new C(this.config.dModel, this.config.nhead, this.config.o);
    torch.tidy(() => {
      copy.loadStateDict(this.stateDict());
    });
    copy.train(this.training);
    return copy;
  }
}

/**
 * A Transformer encoder layer: self-attention and a feed-forward network, each with a residual connection.
 *
 * As in "Attention Is All You Need" (Vaswani et al., 2017): `x = norm1(x + selfAttn(x))`, then
 * `x = norm2(x + linear2(dropout(activation(linear1(x)))))`; with `normFirst`, each block normalizes its input instead
 * (`x = x + selfAttn(norm1(x))`, pre-norm). The children carry PyTorch's names (`self_attn`, `linear1`, `linear2`,
 * `norm1`, `norm2`, `dropout`, `dropout1`, `dropout2`), so PyTorch state dicts load.
 * `forward(src, { srcMask, srcKeyPaddingMask, isCausal })`: in a bool mask `true` marks a position that is not attended
 * to; a float mask is added to the attention scores.
 *
 * Shape (`S` the sequence length, `N` the batch size, `E = dModel`):
 * - src: `(S, E)` unbatched, `(S, N, E)`, or `(N, S, E)` with `batchFirst`.
 * - srcMask: `(S, S)` or `(N * nhead, S, S)`. srcKeyPaddingMask: `(N, S)`, or `(S)` unbatched.
 * - output: the shape of src.
 *
 * @param dModel - `E`, the number of expected features of the input.
 * @param nhead - the number of heads of the multi-head attention; `dModel` must be divisible by it.
 * @param o.dimFeedforward - the width of the feed-forward network (default `2048`).
 * @param o.dropout - the dropout probability of the attention weights, the feed-forward network and the residual
 *   branches (default `0.1`).
 * @param o.activation - the activation of the feed-forward network: `'relu'`, `'gelu'`, or a function or module of one
 *   tensor (a module becomes the child `activation`) (default `'relu'`).
 * @param o.layerNormEps - the eps of the layer norms (default `1e-5`).
 * @param o.batchFirst - inputs and output are `(N, S, E)` instead of `(S, N, E)` (default `false`).
 * @param o.normFirst - normalize before the attention and feed-forward blocks instead of after (default `false`).
 * @param o.bias - the linear layers and layer norms learn biases (default `true`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const layer = new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32 });
 * console.log(layer(torch.randn(10, 2, 16)).shape); // [10, 2, 16]
 * const batchFirst = new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32, batchFirst: true });
 * console.log(batchFirst(torch.randn(2, 10, 16)).shape); // [2, 10, 16]
 */
export class TransformerEncoderLayer extends TransformerLayerBase {
  constructor(dModel: number, nhead: number, o: TransformerLayerOptions = {}) {
    super(dModel, nhead, o, false);
  }
  override forward(
    src: Tensor,
    o: { srcMask?: Tensor | null; srcKeyPaddingMask?: Tensor | null; isCausal?: boolean } = {},
  ): Tensor {
    return torch.tidy(() => {
      const kpm = F.canonicalMask(o.srcKeyPaddingMask, src.dtype, 'srcKeyPaddingMask');
      const mask = F.canonicalMask(o.srcMask, src.dtype, 'srcMask');
      const sa = (x: Tensor): Tensor => this.attn('self_attn', x, x, mask, kpm, o.isCausal ?? false, 'dropout1');
      let x = src;
      if (this.normFirst) {
        x = x.add(sa(this.m('norm1')(x)));
        x = x.add(this.ff(this.m('norm2')(x), 'dropout2'));
      } else {
        x = this.m('norm1')(x.add(sa(x)));
        x = this.m('norm2')(x.add(this.ff(x, 'dropout2')));
      }
      return x;
    });
  }
}

/** Masks and causality flags of a decoder forward (PyTorch's keyword arguments, camelCase). */
export interface DecoderCallOptions {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  tgtIsCausal?: boolean;
  memoryIsCausal?: boolean;
}
/**
 * A Transformer decoder layer: self-attention, attention over the encoder's output, and a feed-forward network.
 *
 * As in "Attention Is All You Need" (Vaswani et al., 2017): `x = norm1(x + selfAttn(x))`,
 * `x = norm2(x + multiheadAttn(x, memory))`, `x = norm3(x + feedForward(x))`; with `normFirst`, each block normalizes
 * its input instead (pre-norm). The children carry PyTorch's names (`self_attn`, `multihead_attn`, `linear1`,
 * `linear2`, `norm1` to `norm3`, `dropout`, `dropout1` to `dropout3`). `forward(tgt, memory, options)` takes the masks
 * `tgtMask`, `memoryMask`, `tgtKeyPaddingMask` and `memoryKeyPaddingMask` and the flags `tgtIsCausal` and
 * `memoryIsCausal`: in a bool mask `true` marks a position that is not attended to; a float mask is added to the
 * attention scores.
 *
 * Shape (`T` the target length, `S` the source (memory) length, `N` the batch size, `E = dModel`):
 * - tgt: `(T, E)` unbatched, `(T, N, E)`, or `(N, T, E)` with `batchFirst`.
 * - memory: `(S, E)` unbatched, `(S, N, E)`, or `(N, S, E)` with `batchFirst`.
 * - tgtMask: `(T, T)` or `(N * nhead, T, T)`. memoryMask: `(T, S)` or `(N * nhead, T, S)`.
 * - tgtKeyPaddingMask: `(N, T)` (`(T)` unbatched). memoryKeyPaddingMask: `(N, S)` (`(S)` unbatched).
 * - output: the shape of tgt.
 *
 * @param dModel - `E`, the number of expected features of the input.
 * @param nhead - the number of heads of the multi-head attentions; `dModel` must be divisible by it.
 * @param o.dimFeedforward - the width of the feed-forward network (default `2048`).
 * @param o.dropout - the dropout probability of the attention weights, the feed-forward network and the residual
 *   branches (default `0.1`).
 * @param o.activation - the activation of the feed-forward network: `'relu'`, `'gelu'`, or a function or module of one
 *   tensor (a module becomes the child `activation`) (default `'relu'`).
 * @param o.layerNormEps - the eps of the layer norms (default `1e-5`).
 * @param o.batchFirst - inputs and output are `(N, T, E)` instead of `(T, N, E)` (default `false`).
 * @param o.normFirst - normalize before each block instead of after (default `false`).
 * @param o.bias - the linear layers and layer norms learn biases (default `true`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const layer = new nn.TransformerDecoderLayer(16, 4, { dimFeedforward: 32 });
 * const memory = torch.randn(10, 2, 16);
 * const tgt = torch.randn(20, 2, 16);
 * console.log(layer(tgt, memory).shape); // [20, 2, 16]
 */
export class TransformerDecoderLayer extends TransformerLayerBase {
  constructor(dModel: number, nhead: number, o: TransformerLayerOptions = {}) {
    super(dModel, nhead, o, true);
  }
  override forward(tgt: Tensor, memory: Tensor, o: DecoderCallOptions = {}): Tensor {
    return torch.tidy(() => {
      const tm = F.canonicalMask(o.tgtMask, tgt.dtype, 'tgtMask');
      const tk = F.canonicalMask(o.tgtKeyPaddingMask, tgt.dtype, 'tgtKeyPaddingMask');
      const mm = F.canonicalMask(o.memoryMask, tgt.dtype, 'memoryMask');
      const mk = F.canonicalMask(o.memoryKeyPaddingMask, tgt.dtype, 'memoryKeyPaddingMask');
      const sa = (x: Tensor): Tensor => this.attn('self_attn', x, x, tm, tk, o.tgtIsCausal ?? false, 'dropout1');
      const ca = (x: Tensor): Tensor =>
        this.attn('multihead_attn', x, memory, mm, mk, o.memoryIsCausal ?? false, 'dropout2');
      let x = tgt;
      if (this.normFirst) {
        x = x.add(sa(this.m('norm1')(x)));
        x = x.add(ca(this.m('norm2')(x)));
        x = x.add(this.ff(this.m('norm3')(x), 'dropout3'));
      } else {
        x = this.m('norm1')(x.add(sa(x)));
        x = this.m('norm2')(x.add(ca(x)));
        x = this.m('norm3')(x.add(this.ff(x, 'dropout3')));
      }
      return x;
    });
  }
}

/**
 * A stack of `numLayers` Transformer encoder layers, optionally followed by a normalization layer.
 *
 * The children `layers.0` to `layers.{numLayers - 1}` are copies of `encoderLayer` (with the same initial weights, as
 * PyTorch's deep copies); `norm` (often a `nn.LayerNorm`, needed after pre-norm layers) is registered only when given.
 * `forward(src, { mask, srcKeyPaddingMask, isCausal })` passes the input through every layer in turn.
 *
 * Shape (`S` the sequence length, `N` the batch size, `E` the layer's `dModel`):
 * - src: `(S, E)` unbatched, `(S, N, E)`, or `(N, S, E)` with the layer's `batchFirst`.
 * - mask: `(S, S)` or `(N * nhead, S, S)`. srcKeyPaddingMask: `(N, S)`, or `(S)` unbatched.
 * - output: the shape of src.
 *
 * @param encoderLayer - the layer to copy (`nn.TransformerEncoderLayer`); the copies do not share its parameters.
 * @param numLayers - the number of layers.
 * @param o.norm - a module applied to the output of the last layer (default none).
 * @example
 * import { torch, nn } from 'skcdf';
 * const layer = new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32 });
 * const encoder = new nn.TransformerEncoder(layer, 3, { norm: new nn.LayerNorm(16) });
 * console.log(encoder(torch.randn(10, 2, 16)).shape); // [10, 2, 16]
 */
export class TransformerEncoder extends Module {
  readonly layers: ModuleList;
  readonly norm: Module | null;
  constructor(
    encoderLayer: TransformerEncoderLayer,
    readonly numLayers: number,
    o: { norm?: Module | null } = {},
  ) {
    super();
    this.layers = this.registerModule(
      'layers',
      new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone())),
    );
    // PyTorch registers norm only when given (None stays a plain attribute, absent from the repr)
    this.norm = o.norm ? this.registerModule('norm', o.norm) : null;
  }
  override forward(
    src: Tensor,
    o: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null; isCausal?: boolean } = {},
  ): Tensor {
    return torch.tidy(() => {
      let x = src;
      for (const layer of this.layers)
        x = (layer as TransformerEncoderLayer).forward(x, {
          srcMask: o.mask,
          srcKeyPaddingMask: o.srcKeyPaddingMask,
          isCausal: o.isCausal,
        });
      if (this.norm) x = (this.norm as unknown as { forward(x: Tensor): Tensor }).forward(x);
      return x;
    });
  }
}

/**
 * A stack of `numLayers` Transformer decoder layers, optionally followed by a normalization layer.
 *
 * The children `layers.0` to `layers.{numLayers - 1}` are copies of `decoderLayer` (with the same initial weights, as
 * PyTorch's deep copies); `norm` is registered only when given. `forward(tgt, memory, options)` takes the options of
 * `nn.TransformerDecoderLayer.forward` and passes them to every layer.
 *
 * Shape (`T` the target length, `S` the source (memory) length, `N` the batch size, `E` the layer's `dModel`):
 * - tgt: `(T, E)` unbatched, `(T, N, E)`, or `(N, T, E)` with the layer's `batchFirst`.
 * - memory: `(S, E)` unbatched, `(S, N, E)`, or `(N, S, E)` with the layer's `batchFirst`.
 * - masks: as for `nn.TransformerDecoderLayer`.
 * - output: the shape of tgt.
 *
 * @param decoderLayer - the layer to copy (`nn.TransformerDecoderLayer`); the copies do not share its parameters.
 * @param numLayers - the number of layers.
 * @param o.norm - a module applied to the output of the last layer (default none).
 * @example
 * import { torch, nn } from 'skcdf';
 * const layer = new nn.TransformerDecoderLayer(16, 4, { dimFeedforward: 32 });
 * const decoder = new nn.TransformerDecoder(layer, 2);
 * const memory = torch.randn(10, 2, 16);
 * const tgtMask = nn.Transformer.generateSquareSubsequentMask(20);
 * const output = decoder(torch.randn(20, 2, 16), memory, { tgtMask, tgtIsCausal: true });
 * console.log(output.shape); // [20, 2, 16]
 */
export class TransformerDecoder extends Module {
  readonly layers: ModuleList;
  readonly norm: Module | null;
  constructor(
    decoderLayer: TransformerDecoderLayer,
    readonly numLayers: number,
    o: { norm?: Module | null } = {},
  ) {
    super();
    this.layers = this.registerModule(
      'layers',
      new ModuleList(Array.from({ length: numLayers }, () => decoderLayer.clone())),
    );
    // PyTorch registers norm only when given (None stays a plain attribute, absent from the repr)
    this.norm = o.norm ? this.registerModule('norm', o.norm) : null;
  }
  override forward(tgt: Tensor, memory: Tensor, o: DecoderCallOptions = {}): Tensor {
    return torch.tidy(() => {
      let x = tgt;
      for (const layer of this.layers) x = (layer as TransformerDecoderLayer).forward(x, memory, o);
      if (this.norm) x = (this.norm as unknown as { forward(x: Tensor): Tensor }).forward(x);
      return x;
    });
  }
}

/** Options of transformer (Python's keyword arguments, camelCase). */
export interface TransformerOptions extends TransformerLayerOptions {
  /** Default 512. */ dModel?: number;
  /** Default 8. */ nhead?: number;
  /** Default 6. */ numEncoderLayers?: number;
  /** Default 6. */ numDecoderLayers?: number;
  /** Use this encoder instead of the default stack (its parameters are re-initialized like the rest). */
  customEncoder?: Module | null;
  /** Use this decoder instead of the default stack. */ customDecoder?: Module | null;
}
/** Masks and causality flags of Transformer.forward (PyTorch's keyword arguments, camelCase). */
export interface TransformerCallOptions extends DecoderCallOptions {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  srcIsCausal?: boolean;
}
const TRANSFORMER = [
  'dModel',
  'nhead',
  'numEncoderLayers',
  'numDecoderLayers',
  'dimFeedforward',
  'dropout',
  'activation',
  'customEncoder',
  'customDecoder',
  'layerNormEps',
  'batchFirst',
  'normFirst',
  'bias',
] as const;
/**
 * A Transformer model: an encoder of the source sequence and a decoder of the target sequence attending to it.
 *
 * The architecture of "Attention Is All You Need" (Vaswani et al., 2017): the child `encoder` is a
 * `nn.TransformerEncoder` of `numEncoderLayers` layers and the child `decoder` a `nn.TransformerDecoder` of
 * `numDecoderLayers` layers, each followed by a `nn.LayerNorm` (or the custom modules given); every parameter with more
 * than one dimension is initialized by `nn.init.xavierUniform_`. `forward(src, tgt, options)` encodes `src` and decodes
 * `tgt` against it; the options are the masks and causality flags of the encoder (`srcMask`, `srcKeyPaddingMask`,
 * `srcIsCausal`) and of the decoder. `nn.Transformer.generateSquareSubsequentMask(T)` gives the causal mask of a target
 * sequence. Arguments as PyTorch's: positional in Python's order (`dModel, nhead, numEncoderLayers, ...`) or one
 * options object (with `device` and `dtype`).
 *
 * Shape (`S` the source length, `T` the target length, `N` the batch size, `E = dModel`):
 * - src: `(S, E)` unbatched, `(S, N, E)`, or `(N, S, E)` with `batchFirst`.
 * - tgt: `(T, E)` unbatched, `(T, N, E)`, or `(N, T, E)` with `batchFirst`.
 * - srcMask: `(S, S)` or `(N * nhead, S, S)`. tgtMask: `(T, T)` or `(N * nhead, T, T)`. memoryMask: `(T, S)`.
 * - srcKeyPaddingMask and memoryKeyPaddingMask: `(N, S)` (`(S)` unbatched). tgtKeyPaddingMask: `(N, T)` (`(T)`
 *   unbatched).
 * - output: `(T, E)` unbatched, `(T, N, E)`, or `(N, T, E)` with `batchFirst`.
 *
 * @param dModel - the number of expected features of the encoder and decoder inputs (default `512`).
 * @param nhead - the number of heads of the multi-head attentions (default `8`).
 * @param numEncoderLayers - the number of encoder layers (default `6`).
 * @param numDecoderLayers - the number of decoder layers (default `6`).
 * @param dimFeedforward - the width of the feed-forward networks (default `2048`).
 * @param dropout - the dropout probability (default `0.1`).
 * @param activation - the activation of the feed-forward networks: `'relu'`, `'gelu'` or a function (default
 *   `'relu'`).
 * @param customEncoder - a module used as the encoder instead of the default stack (default none).
 * @param customDecoder - a module used as the decoder instead of the default stack (default none).
 * @param layerNormEps - the eps of the layer norms (default `1e-5`).
 * @param batchFirst - inputs and output are `(N, *, E)` instead of `(*, N, E)` (default `false`).
 * @param normFirst - normalize before each block instead of after (default `false`).
 * @param bias - the linear layers and layer norms learn biases (default `true`).
 * @param device - where the parameters live (default the CPU); in the options object only.
 * @param dtype - their floating dtype (default `'float32'`); in the options object only.
 * @example
 * import { torch, nn } from 'skcdf';
 * const model = new nn.Transformer({
 *   dModel: 32, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64,
 * });
 * const src = torch.randn(10, 2, 32);
 * const tgt = torch.randn(20, 2, 32);
 * const output = model(src, tgt, { tgtMask: nn.Transformer.generateSquareSubsequentMask(20) });
 * console.log(output.shape); // [20, 2, 32]
 */
export class Transformer extends Module {
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;
  constructor(...args: KwArgs<TransformerOptions, typeof TRANSFORMER>) {
    super();
    const o = kwargs<TransformerOptions>('Transformer', TRANSFORMER, args, ['device', 'dtype']);
    this.dModel = o.dModel ?? 512;
    this.nhead = o.nhead ?? 8;
    this.batchFirst = o.batchFirst ?? false;
    const fo: FactoryOptions = { device: o.device, dtype: o.dtype };
    const layerOpts: TransformerLayerOptions = {
      ...fo,
      dimFeedforward: o.dimFeedforward,
      dropout: o.dropout,
      activation: o.activation,
      layerNormEps: o.layerNormEps,
      batchFirst: o.batchFirst,
      normFirst: o.normFirst,
      bias: o.bias,
    };
    const norm = (): LayerNorm =>
      new LayerNorm(this.dModel, { ...fo, eps: o.layerNormEps ?? 1e-5, bias: o.bias ?? true });
    this.registerModule(
      'encoder',
      o.customEncoder ??
        stack(
          new TransformerEncoderLayer(this.dModel, this.nhead, layerOpts),
          (l) => new TransformerEncoder(l, o.numEncoderLayers ?? 6, { norm: norm() }),
        ),
    );
    this.registerModule(
      'decoder',
      o.customDecoder ??
        stack(
          new TransformerDecoderLayer(this.dModel, this.nhead, layerOpts),
          (l) => new TransformerDecoder(l, o.numDecoderLayers ?? 6, { norm: norm() }),
        ),
    );
    for (const p of this.parameters()) if (p.ndim > 1) init.xavierUniform_(p);
  }
  get encoder(): TransformerEncoder {
    return this.child('encoder');
  }
  get decoder(): TransformerDecoder {
    return this.child('decoder');
  }
  override forward(src: Tensor, tgt: Tensor, o: TransformerCallOptions = {}): Tensor {
    const bdim = this.batchFirst ? 0 : 1;
    if (src.ndim === 3 && tgt.ndim === 3 && src.shape[bdim] !== tgt.shape[bdim])
      throw new RangeError('Transformer: the batch number of src and tgt must be equal');
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel)
      throw new RangeError(`Transformer: the feature number of src and tgt must be equal to dModel (${this.dModel})`);
    return torch.tidy(() => {
      const memory = this.encoder.forward(src, {
        mask: o.srcMask,
        srcKeyPaddingMask: o.srcKeyPaddingMask,
        isCausal: o.srcIsCausal,
      });
      return this.decoder.forward(tgt, memory, o);
    });
  }
  /** A float (sz, sz) mask with -inf above the diagonal (0 elsewhere): position i attends to positions <= i. */
  static generateSquareSubsequentMask(
    sz: number,
    o: { device?: string; dtype?: 'float32' | 'float64' | 'float16' | 'bfloat16' } = {},
  ): Tensor {
    return torch.tidy(() => torch.full([sz, sz], -Infinity, { dtype: o.dtype ?? 'float32', device: o.device }).triu(1));
  }
}
/** Builds a stack from a template layer, then frees the template (the stack holds clones). */
function stack<L extends Module, S extends Module>(layer: L, make: (l: L) => S): S {
  const s = make(layer);
  layer.dispose();
  return s;
}
