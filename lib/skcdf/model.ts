// VNet_Decouple_Attention_ABC, SKCDF's network: one encoder, local and global cross-attention at the
// bottleneck, two decoders (decoder_l for labeled data, decoder_u for unlabeled data), each with a
// main head (out_conv9) and a class-balanced auxiliary head (out_conv9_abc). State-dict keys and
// order are the reference's (fixtures/model/param_names.txt).
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/containers.js';
import { BatchNorm3d, Conv3d, ConvTranspose3d, Dropout3d, GroupNorm, InstanceNorm3d, ReLU } from '../nn/layers.js';
import * as init from '../nn/init.js';
import { CrossAttentionGlobalBlock, CrossAttentionLocalBlock, type AttentionMode } from './attention.js';

/** The normalization of the VNet blocks. */
export type Normalization = 'batchnorm' | 'groupnorm' | 'instancenorm' | 'none';
/** Which decoder predicts: 'labeled' (decoder_l) or 'unlabeled' (decoder_u, the evaluated one for SKCDF). */
export type PredType = AttentionMode;

function norm(kind: Normalization, channels: number): Module | null {
  switch (kind) {
    case 'batchnorm':
      return new BatchNorm3d(channels);
    case 'groupnorm':
      return new GroupNorm(16, channels);
    case 'instancenorm':
      return new InstanceNorm3d(channels);
    case 'none':
      return null;
    default:
      throw new TypeError(
        `normalization must be 'batchnorm', 'groupnorm', 'instancenorm' or 'none', got '${String(kind)}'`,
      );
  }
}

/** ConvBlock: n stages of [Conv3d(k3, pad 1), norm, ReLU] in a Sequential named `conv`. */
export class ConvBlock extends Module {
  readonly conv: Sequential;
  constructor(nStages: number, inChannels: number, outChannels: number, normalization: Normalization = 'none') {
    super();
    const ops: Module[] = [];
    for (let i = 0; i < nStages; i++) {
      ops.push(new Conv3d(i === 0 ? inChannels : outChannels, outChannels, 3, { padding: 1 }));
      const n = norm(normalization, outChannels);
      if (n) ops.push(n);
      ops.push(new ReLU(true));
    }
    this.conv = this.registerModule('conv', new Sequential(...ops));
  }
  override forward(x: Tensor): Tensor {
    return this.conv.forward(x);
  }
}

/** DownsamplingConvBlock: [Conv3d(k2, stride 2), norm, ReLU]. */
export class DownsamplingConvBlock extends Module {
  readonly conv: Sequential;
  constructor(inChannels: number, outChannels: number, normalization: Normalization = 'none', stride = 2) {
    super();
    const n = norm(normalization, outChannels);
    this.conv = this.registerModule(
      'conv',
      new Sequential(
        new Conv3d(inChannels, outChannels, stride, { stride, padding: 0 }),
        ...(n ? [n] : []),
        new ReLU(true),
      ),
    );
  }
  override forward(x: Tensor): Tensor {
    return this.conv.forward(x);
  }
}

/** UpsamplingDeconvBlock: [ConvTranspose3d(k2, stride 2), norm, ReLU]. */
export class UpsamplingDeconvBlock extends Module {
  readonly conv: Sequential;
  constructor(inChannels: number, outChannels: number, normalization: Normalization = 'none', stride = 2) {
    super();
    const n = norm(normalization, outChannels);
    this.conv = this.registerModule(
      'conv',
      new Sequential(
        new ConvTranspose3d(inChannels, outChannels, stride, { stride, padding: 0 }),
        ...(n ? [n] : []),
        new ReLU(true),
      ),
    );
  }
  override forward(x: Tensor): Tensor {
    return this.conv.forward(x);
  }
}

/** The encoder's five feature maps, shallowest first (the decoder's skip connections and the bottleneck). */
export type Features = [Tensor, Tensor, Tensor, Tensor, Tensor];

/** The VNet encoder: five resolution stages of ConvBlocks joined by strided downsampling convolutions. */
export class Encoder extends Module {
  readonly dropout: Dropout3d;
  constructor(
    nChannels: number,
    nFilters: number,
    normalization: Normalization,
    public hasDropout: boolean,
  ) {
    super();
    const F = nFilters;
    this.registerModule('block_one', new ConvBlock(1, nChannels, F, normalization));
    this.registerModule('block_one_dw', new DownsamplingConvBlock(F, 2 * F, normalization));
    this.registerModule('block_two', new ConvBlock(2, 2 * F, 2 * F, normalization));
    this.registerModule('block_two_dw', new DownsamplingConvBlock(2 * F, 4 * F, normalization));
    this.registerModule('block_three', new ConvBlock(3, 4 * F, 4 * F, normalization));
    this.registerModule('block_three_dw', new DownsamplingConvBlock(4 * F, 8 * F, normalization));
    this.registerModule('block_four', new ConvBlock(3, 8 * F, 8 * F, normalization));
    this.registerModule('block_four_dw', new DownsamplingConvBlock(8 * F, 16 * F, normalization));
    this.registerModule('block_five', new ConvBlock(3, 16 * F, 16 * F, normalization));
    this.dropout = this.registerModule('dropout', new Dropout3d(0.5));
  }
  private run(name: string, x: Tensor): Tensor {
    return this.child<ConvBlock>(name).forward(x);
  }
  /** Returns [x1, x2, x3, x4, x5] (the caller owns them). */
  override forward(image: Tensor): Features {
    return torch.tidy(() => {
      const x1 = this.run('block_one', image);
      const x2 = this.run('block_two', this.run('block_one_dw', x1));
      const x3 = this.run('block_three', this.run('block_two_dw', x2));
      const x4 = this.run('block_four', this.run('block_three_dw', x3));
      let x5 = this.run('block_five', this.run('block_four_dw', x4));
      if (this.hasDropout) x5 = this.dropout.forward(x5);
      return [x1, x2, x3, x4, x5] as Features;
    });
  }
}

/** A VNet decoder with two heads: out_conv9 (the segmentation) and out_conv9_abc (the class-balanced branch). */
export class Decoder extends Module {
  readonly dropout: Dropout3d;
  readonly outConv9: Conv3d;
  readonly outConv9Abc: Conv3d;
  constructor(
    nClasses: number,
    nFilters: number,
    normalization: Normalization,
    public hasDropout: boolean,
  ) {
    super();
    const F = nFilters;
    this.registerModule('block_five_up', new UpsamplingDeconvBlock(16 * F, 8 * F, normalization));
    this.registerModule('block_six', new ConvBlock(3, 8 * F, 8 * F, normalization));
    this.registerModule('block_six_up', new UpsamplingDeconvBlock(8 * F, 4 * F, normalization));
    this.registerModule('block_seven', new ConvBlock(3, 4 * F, 4 * F, normalization));
    this.registerModule('block_seven_up', new UpsamplingDeconvBlock(4 * F, 2 * F, normalization));
    this.registerModule('block_eight', new ConvBlock(2, 2 * F, 2 * F, normalization));
    this.registerModule('block_eight_up', new UpsamplingDeconvBlock(2 * F, F, normalization));
    this.registerModule('block_nine', new ConvBlock(1, F, F, normalization));
    this.outConv9 = this.registerModule('out_conv9', new Conv3d(F, nClasses, 1, { padding: 0 }));
    this.outConv9Abc = this.registerModule('out_conv9_abc', new Conv3d(F, nClasses, 1, { padding: 0 }));
    this.dropout = this.registerModule('dropout', new Dropout3d(0.5));
  }
  private run(name: string, x: Tensor): Tensor {
    return this.child<ConvBlock>(name).forward(x);
  }
  /** The features before the two heads (x9). */
  private trunk(features: Features): Tensor {
    const [x1, x2, x3, x4, x5] = features;
    // One scope per stage, so each upsampled map and sum is freed as soon as the next block has read it.
    const stage = (up: string, block: string, x: Tensor, skip: Tensor): Tensor =>
      torch.tidy(() => this.run(block, this.run(up, x).add(skip)));
    const x6 = stage('block_five_up', 'block_six', x5, x4);
    const x7 = stage('block_six_up', 'block_seven', x6, x3);
    const x8 = stage('block_seven_up', 'block_eight', x7, x2);
    const x9 = stage('block_eight_up', 'block_nine', x8, x1);
    return this.hasDropout ? this.dropout.forward(x9) : x9;
  }
  /** Returns [out, outAbc]. */
  override forward(features: Features): [Tensor, Tensor] {
    return torch.tidy(() => {
      const x9 = this.trunk(features);
      return [this.outConv9.forward(x9), this.outConv9Abc.forward(x9)] as [Tensor, Tensor];
    });
  }
  /** The main head only (what the test-time prediction uses). */
  forwardMain(features: Features): Tensor {
    return torch.tidy(() => this.outConv9.forward(this.trunk(features)));
  }
}

/** The network's options: channels, classes, filters, normalization, dropout, heads, patch, cross-attention. */
export interface VNetDecoupleAttentionABCOptions {
  nChannels?: number;
  nClasses: number;
  nFilters?: number;
  normalization?: Normalization;
  hasDropout?: boolean;
  numHeads?: number;
  /** Input patch (D, H, W); each a multiple of 32 (bottleneck = patch / 16 must be even). */
  patchSize: [number, number, number];
  /** p of the encoder/decoder Dropout3d (reference 0.5). */
  dropout3d?: number;
  /** p of the attention blocks' attn_dropout and proj_dropout (reference 0.1). */
  attentionDropout?: number;
  /**
   * Ablation: false builds no cross-attention blocks; the encoder bottleneck goes straight to the decoders
   * (default true, the reference; the state dict then lacks the cross_attention_* keys).
   */
  crossAttention?: boolean;
}

/**
 * VNet_Decouple_Attention_ABC with the reference's module names; forward(image, 'labeled' | 'unlabeled') -> [out,
 * outAbc].
 */
export class VNetDecoupleAttentionABC extends Module {
  readonly encoder: Encoder;
  readonly decoderL: Decoder;
  readonly decoderU: Decoder;
  readonly crossAttentionLocal: CrossAttentionLocalBlock | undefined;
  readonly crossAttentionGlobal: CrossAttentionGlobalBlock | undefined;
  readonly nChannels: number;
  readonly nClasses: number;
  readonly nFilters: number;
  readonly patchSize: [number, number, number];
  readonly bottleneck: [number, number, number];

  protected override typeName(): string {
    return 'VNet_Decouple_Attention_ABC';
  }

  constructor(options: VNetDecoupleAttentionABCOptions) {
    super();
    const o = options;
    this.nChannels = o.nChannels ?? 1;
    this.nClasses = o.nClasses;
    this.nFilters = o.nFilters ?? 16;
    const normalization = o.normalization ?? 'batchnorm';
    const hasDropout = o.hasDropout ?? true;
    const numHeads = o.numHeads ?? 2;
    for (const [k, v] of [
      ['nChannels', this.nChannels],
      ['nClasses', this.nClasses],
      ['nFilters', this.nFilters],
      ['numHeads', numHeads],
    ] as const) {
      if (!Number.isInteger(v) || v < 1)
        throw new RangeError(`VNetDecoupleAttentionABC: ${k} must be a positive integer, got ${v}`);
    }
    const p = o.patchSize;
    if (!Array.isArray(p) || p.length !== 3 || p.some((v) => !Number.isInteger(v) || v < 1)) {
      throw new RangeError(
        `VNetDecoupleAttentionABC: patchSize must be 3 positive integers [D, H, W], got ${JSON.stringify(p)}`,
      );
    }
    if (p.some((v) => v % 32 !== 0)) {
      throw new RangeError(
        `VNetDecoupleAttentionABC: patchSize [${p.join(', ')}] has dims that are not multiples of 32 (the ` +
        `bottleneck, patch/16, must be even for the local attention's 2x2x2 sub-grids)`,
      );
    }
    this.patchSize = [p[0], p[1], p[2]];
    this.bottleneck = [p[0] / 16, p[1] / 16, p[2] / 16];
    const E = 16 * this.nFilters;
    this.encoder = this.registerModule(
      'encoder',
      new Encoder(this.nChannels, this.nFilters, normalization, hasDropout),
    );
    this.decoderL = this.registerModule(
      'decoder_l',
      new Decoder(this.nClasses, this.nFilters, normalization, hasDropout),
    );
    this.decoderU = this.registerModule(
      'decoder_u',
      new Decoder(this.nClasses, this.nFilters, normalization, hasDropout),
    );
    const attn = { numHeads, dropout: o.attentionDropout ?? 0.1 };
    if (o.crossAttention ?? true) {
      this.crossAttentionLocal = this.registerModule(
        'cross_attention_local',
        new CrossAttentionLocalBlock(E, this.bottleneck, attn),
      );
      this.crossAttentionGlobal = this.registerModule(
        'cross_attention_global',
        new CrossAttentionGlobalBlock(E, this.bottleneck, attn),
      );
    }
    if (o.dropout3d !== undefined) this.setDropout({ dropout3d: o.dropout3d });
  }

  /** Sets dropout probabilities: the 3 Dropout3d (encoder, both decoders) and/or the 4 attention dropouts. */
  setDropout(p: { dropout3d?: number; attention?: number } | number): this {
    const o = typeof p === 'number' ? { dropout3d: p, attention: p } : p;
    if (o.dropout3d !== undefined)
      for (const m of [this.encoder.dropout, this.decoderL.dropout, this.decoderU.dropout]) m.p = o.dropout3d;
    if (o.attention !== undefined)
      for (const b of [this.crossAttentionLocal, this.crossAttentionGlobal]) b?.setDropout(o.attention);
    return this;
  }

  /**
   * image (B, nChannels, D, H, W) with (D, H, W) = patchSize. 'labeled': the batch is [labeled | unlabeled]
   * (even batch in train mode), decoded by decoder_l; 'unlabeled': decoder_u. Returns [out, outAbc]
   * (B, nClasses, D, H, W), owned by the caller.
   */
  override forward(image: Tensor, mode: PredType, options: { single?: boolean } = {}): [Tensor, Tensor] {
    this.checkInput(image, mode, options.single);
    return torch.tidy(() =>
      (mode === 'labeled' ? this.decoderL : this.decoderU).forward(this.features(image, mode, options.single)),
    );
  }

  private checkInput(image: Tensor, mode: PredType, single = false): void {
    if (mode !== 'labeled' && mode !== 'unlabeled')
      throw new TypeError(`VNetDecoupleAttentionABC: mode must be 'labeled' or 'unlabeled', got '${String(mode)}'`);
    const s = image.shape;
    const [D, H, W] = this.patchSize;
    if (s.length !== 5 || s[1] !== this.nChannels || s[2] !== D || s[3] !== H || s[4] !== W) {
      throw new RangeError(
        `VNetDecoupleAttentionABC: expected image of shape [B, ${this.nChannels}, ${D}, ${H}, ${W}] (the configured ` +
        `patchSize), got [${s.join(', ')}]`,
      );
    }
    if (s[0] < 1) throw new RangeError('VNetDecoupleAttentionABC: empty batch');
    if (this.training && mode === 'labeled' && !single && s[0] % 2 !== 0) {
      throw new RangeError(
        `VNetDecoupleAttentionABC: train-mode 'labeled' needs an even batch ([labeled | unlabeled] halves), got ` +
        `batch ${s[0]}`,
      );
    }
  }

  /**
   * Encoder features with the bottleneck passed through both attention blocks. `single` (train mode, 'labeled'):
   * each sample attends to itself instead of the [labeled | unlabeled] halves to each other.
   */
  private features(image: Tensor, mode: PredType, single?: boolean): Features {
    const [x1, x2, x3, x4, x5] = this.encoder.forward(image);
    if (!this.crossAttentionLocal || !this.crossAttentionGlobal) return [x1, x2, x3, x4, x5];
    const a = this.crossAttentionLocal.forward(x5, mode, single);
    return [x1, x2, x3, x4, this.crossAttentionGlobal.forward(a, mode, single)];
  }

  /**
   * The test-time prediction (as the reference tests): 'unlabeled' mode, decoder_u's main head only, so the
   * auxiliary head's full-resolution output is never computed. Logits (B, nClasses, D, H, W).
   * `mode: 'labeled'` predicts with decoder_l instead (the supervised baseline's decoder).
   */
  predict(image: Tensor, mode: PredType = 'unlabeled'): Tensor {
    this.checkInput(image, mode);
    return torch.tidy(() =>
      (mode === 'labeled' ? this.decoderL : this.decoderU).forwardMain(this.features(image, mode)),
    );
  }
}

/**
 * The training initialisation (the reference's xavier_normal_init_weight): xavier_normal on
 * the weight of every Conv3d (heads, token learners and map_out included; not ConvTranspose3d),
 * BatchNorm3d weight 1 and bias 0. Everything else keeps its construction-time init.
 */
export function initSkcdfWeights<M extends Module>(model: M): M {
  for (const m of model.modules()) {
    if (m instanceof Conv3d) init.xavierNormal_(m.weight);
    else if (m instanceof BatchNorm3d) {
      if (m.weight) init.ones_(m.weight);
      if (m.bias) init.zeros_(m.bias);
    }
  }
  return model;
}
