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

/** Self-attention + feed-forward. src (S, N, E) (batchFirst: (N, S, E)) or (S, E) -> same shape. */
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
/** Self-attention, cross-attention over `memory`, feed-forward. tgt (T, N, E), memory (S, N, E) -> (T, N, E). */
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

/** `numLayers` copies of `encoderLayer` (identical initial weights, as PyTorch's deepcopy), then an optional norm. */
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

/** `numLayers` copies of `decoderLayer`, then an optional norm. */
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
  /** Use this encoder instead of the default stack (its parameters are re-initialized like the rest). */ customEncoder?: Module | null;
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
 * The encoder-decoder Transformer ("Attention Is All You Need"): children `encoder` and `decoder`
 * (layer stacks with a final LayerNorm each), every matrix parameter xavier-uniform initialized.
 * forward(src, tgt, options) -> (T, N, E) (or (N, T, E) with batchFirst).
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
