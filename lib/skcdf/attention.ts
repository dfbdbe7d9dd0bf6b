// SKCDF's two bottleneck attention blocks: Cross_Attention_Local_Block and
// Cross_Attention_Global_Block, with the reference's parameter names, generalized to any even
// bottleneck (D, H, W) and any batch. Written as batched matmuls (no loops over positions/samples).
//
// Shapes: x is (B, E, D, H, W); Hh heads; EH = E * Hh.
// Local: 2x2x2 sub-grids (P = 8 tokens) at N = (D/2)(H/2)(W/2) grid positions (d, h, w).
// Global: M = D*H*W learned tokens per channel.
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/containers.js';
import { Conv3d, Dropout, GELU, InstanceNorm2d, LayerNorm, Linear, Softmax } from '../nn/layers.js';
import * as init from '../nn/init.js';

/** Which decoder path a forward serves: 'labeled' (decoder_l) or 'unlabeled' (decoder_u). */
export type AttentionMode = 'labeled' | 'unlabeled';

/** Options of the cross-attention blocks: heads and dropout. */
export interface AttentionBlockOptions {
  /** Heads (the reference uses 2). */
  numHeads?: number;
  /** p of attn.attn_dropout and attn.proj_dropout (reference 0.1). */
  dropout?: number;
}

const prod = (v: readonly number[]): number => v.reduce((a, b) => a * b, 1);

function checkMode(who: string, mode: string): asserts mode is AttentionMode {
  if (mode !== 'labeled' && mode !== 'unlabeled')
    throw new TypeError(`${who}: mode must be 'labeled' or 'unlabeled', got '${String(mode)}'`);
}

/** Validates a bottleneck (D, H, W): positive integers, even for the local block's 2x2x2 sub-grids. */
export function checkBottleneck(who: string, bottleneck: readonly number[], even: boolean): void {
  if (bottleneck.length !== 3 || bottleneck.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new RangeError(`${who}: bottleneck must be 3 positive integers (D, H, W), got [${bottleneck.join(', ')}]`);
  }
  if (even && bottleneck.some((v) => v % 2 !== 0)) {
    throw new RangeError(
      `${who}: every bottleneck dim must be even (the local block uses 2x2x2 sub-grids), got ` +
      `[${bottleneck.join(', ')}]; patch dims must be multiples of 32`,
    );
  }
}

function checkInput(
  who: string,
  x: Tensor,
  channels: number,
  bottleneck: readonly number[],
  mode: AttentionMode,
  training: boolean,
): void {
  const s = x.shape;
  if (
    s.length !== 5 ||
    s[1] !== channels ||
    s[2] !== bottleneck[0] ||
    s[3] !== bottleneck[1] ||
    s[4] !== bottleneck[2]
  ) {
    throw new RangeError(
      `${who}: expected input of shape [B, ${channels}, ${bottleneck.join(', ')}], got [${s.join(', ')}]`,
    );
  }
  if (s[0] < 1) throw new RangeError(`${who}: empty batch`);
  if (training && mode === 'labeled' && s[0] % 2 !== 0) {
    throw new RangeError(
      `${who}: train-mode 'labeled' needs an even batch ([labeled | unlabeled] halves), got batch ${s[0]}`,
    );
  }
}

/** Members shared by both attention cores (reference names: q, k, v, psi, softmax, out, attn_dropout, proj_dropout). */
abstract class CrossAttentionBase extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly psi: InstanceNorm2d;
  readonly softmax: Softmax;
  readonly out: Linear;
  readonly attnDropout: Dropout;
  readonly projDropout: Dropout;
  readonly eh: number;
  constructor(
    readonly numHeads: number,
    readonly embeddingChannels: number,
    dropout: number,
  ) {
    super();
    const E = embeddingChannels;
    this.eh = E * numHeads;
    this.q = this.registerModule('q', new Linear(E, this.eh, { bias: false }));
    this.k = this.registerModule('k', new Linear(E, this.eh, { bias: false }));
    this.v = this.registerModule('v', new Linear(E, this.eh, { bias: false }));
    this.psi = this.registerModule('psi', new InstanceNorm2d(1));
    this.softmax = this.registerModule('softmax', new Softmax(3));
    this.out = this.registerModule('out', new Linear(this.eh, E, { bias: false }));
    this.attnDropout = this.registerModule('attn_dropout', new Dropout(dropout));
    this.projDropout = this.registerModule('proj_dropout', new Dropout(dropout));
  }
  /**
   * attn_dropout(softmax(psi(a))) with `a` 4-D (instances, channels, rows, cols): each map normalized over its last two
   * dims.
   */
  protected normalizeScores(a: Tensor): Tensor {
    return this.attnDropout.forward(this.softmax.forward(this.psi.forward(a)));
  }
}

/**
 * Cross_Attention_Local: attention across channels at each 2x2x2 sub-grid position.
 * Input rows (b, d, h, w) of 8 tokens (p1 p2 p3) with E features: (B*N, 8, E); output (B, D*H*W, E)
 * with the token order (d p1 h p2 w p3).
 */
export class CrossAttentionLocal extends CrossAttentionBase {
  protected override typeName(): string {
    return 'Cross_Attention_Local';
  }
  /** emb: (B*N, 8, E) for batch B on grid (gd, gh, gw); returns (B, D*H*W, E). `evalLabeled`: eval-mode 'labeled'. */
  override forward(
    emb: Tensor,
    mode: AttentionMode,
    grid: [number, number, number],
    B: number,
    evalLabeled = false,
  ): Tensor {
    return torch.tidy(() => {
      if (mode === 'unlabeled') return this.unlabeled(emb, grid, B);
      if (evalLabeled) {
        // Eval mode: the reference attends cat(x, x); the kept first half is the l2u direction with
        // L = U = x (values and gradients identical to computing both halves).
        return this.direction(emb, emb.detach(), grid, B, true);
      }
      const half = B / 2;
      const [embL, embU] = emb.chunk(2, 0);
      const embUd = embU.detach();
      const u2l = this.direction(embUd, embL, grid, half, true);
      const l2u = this.direction(embL, embUd, grid, half, true);
      return torch.cat([l2u, u2l], 0);
    });
  }

  /** One direction: queries from `qIn` rows, keys/values from `kvIn` rows; both (Bh*N, 8, E). */
  private direction(qIn: Tensor, kvIn: Tensor, grid: [number, number, number], Bh: number, projDrop: boolean): Tensor {
    const [gd, gh, gw] = grid;
    const N = gd * gh * gw,
      EH = this.eh;
    // q: rows (b, n), tokens p, features f -> per position n: (Bh*EH, 8) [(b, f), p]
    const q = this.q
      .forward(qIn)
      .view([Bh, N, 8, EH])
      .permute([1, 0, 3, 2])
      .reshape([N, Bh * EH, 8]);
    // keys of all Bh samples at position n, concatenated along features: (8, Bh*EH) [p, (b, f)]
    const k = this.k
      .forward(kvIn)
      .view([Bh, N, 8, EH])
      .permute([1, 2, 0, 3])
      .reshape([N, 8, Bh * EH]);
    const v = this.v
      .forward(kvIn)
      .view([Bh, N, 8, EH])
      .permute([1, 0, 3, 2])
      .reshape([N, Bh * EH, 8]);
    // scores per (n, query sample b): (EH, Bh*EH), instance-normalized as one map
    const a = this.normalizeScores(torch.bmm(q, k).view([N * Bh, 1, EH, Bh * EH]));
    const ctx = torch.bmm(a.view([N, Bh * EH, Bh * EH]), v); // (N, Bh*EH, 8) [n, (b, f), p]
    // -> (Bh, (d p1 h p2 w p3), f)
    const y = ctx
      .view([gd, gh, gw, Bh, EH, 2, 2, 2])
      .permute([3, 0, 5, 1, 6, 2, 7, 4])
      .reshape([Bh, N * 8, EH]);
    const o = this.out.forward(y);
    return projDrop ? this.projDropout.forward(o) : o;
  }

  /** Self-attention per row and head; heads split features c-major (head j owns c*Hh + j). No proj_dropout. */
  private unlabeled(emb: Tensor, grid: [number, number, number], B: number): Tensor {
    const [gd, gh, gw] = grid;
    const N = gd * gh * gw,
      E = this.embeddingChannels,
      Hh = this.numHeads;
    const R = B * N;
    const q = this.q.forward(emb).view([R, 8, E, Hh]).permute([0, 3, 2, 1]); // (R, Hh, E, 8)
    const k = this.k.forward(emb).view([R, 8, E, Hh]).permute([0, 3, 1, 2]); // (R, Hh, 8, E)
    const v = this.v.forward(emb).view([R, 8, E, Hh]).permute([0, 3, 2, 1]); // (R, Hh, E, 8)
    const a = this.normalizeScores(torch.matmul(q, k)); // (R, Hh, E, E)
    const ctx = torch.matmul(a, v); // (R, Hh, E, 8)
    // (b d h w) heads c (p1 p2 p3) -> b (d p1 h p2 w p3) (c heads)
    const y = ctx
      .view([B, gd, gh, gw, Hh, E, 2, 2, 2])
      .permute([0, 1, 6, 2, 7, 3, 8, 5, 4])
      .reshape([B, N * 8, E * Hh]);
    return this.out.forward(y);
  }
}

/** Cross_Attention_Global: attention across channels over all D*H*W tokens. emb (B, M, E) -> (B, M, E). */
export class CrossAttentionGlobal extends CrossAttentionBase {
  protected override typeName(): string {
    return 'Cross_Attention_Global';
  }
  override forward(emb: Tensor, mode: AttentionMode, evalLabeled = false): Tensor {
    return torch.tidy(() => {
      if (mode === 'unlabeled') return this.unlabeled(emb);
      if (evalLabeled) return this.direction(emb, emb.detach());
      const [embL, embU] = emb.chunk(2, 0);
      const embUd = embU.detach();
      const u2l = this.direction(embUd, embL);
      const l2u = this.direction(embL, embUd);
      return torch.cat([l2u, u2l], 0);
    });
  }

  private direction(qIn: Tensor, kvIn: Tensor): Tensor {
    const [Bh, M] = qIn.shape;
    const EH = this.eh;
    const q = this.q.forward(qIn).transpose(1, 2); // (Bh, EH, M)
    const k = this.k
      .forward(kvIn)
      .permute([1, 0, 2])
      .reshape([M, Bh * EH]); // [m, (b, f)]
    const v = this.v
      .forward(kvIn)
      .permute([0, 2, 1])
      .reshape([Bh * EH, M]); // [(b, f), m]
    const a = this.normalizeScores(torch.matmul(q, k).view([Bh, 1, EH, Bh * EH]));
    const ctx = torch.matmul(a.view([Bh, EH, Bh * EH]), v); // (Bh, EH, M)
    return this.projDropout.forward(this.out.forward(ctx.transpose(1, 2)));
  }

  /** Heads split head-major on the way in (head j owns j*E..j*E+E-1), c-major on the way out (c*Hh + j). */
  private unlabeled(emb: Tensor): Tensor {
    const [B, M] = emb.shape;
    const E = this.embeddingChannels,
      Hh = this.numHeads;
    const q = this.q.forward(emb).view([B, M, Hh, E]).permute([0, 2, 3, 1]); // (B, Hh, E, M)
    const k = this.k.forward(emb).view([B, M, Hh, E]).permute([0, 2, 1, 3]); // (B, Hh, M, E)
    const v = this.v.forward(emb).view([B, M, Hh, E]).permute([0, 2, 3, 1]); // (B, Hh, E, M)
    const a = this.normalizeScores(torch.matmul(q, k)); // (B, Hh, E, E)
    const ctx = torch.matmul(a, v); // (B, Hh, E, M)
    const y = ctx.permute([0, 3, 2, 1]).reshape([B, M, E * Hh]); // (B, M, E, Hh) flattened: c-major
    return this.projDropout.forward(this.out.forward(y));
  }
}

/**
 * TokenLearner_Local / TokenLearner_Global: `proj` (used) and `map_in` = [Conv3d, GELU] (never used by forward, kept
 * for the state dict).
 */
export class TokenLearner extends Module {
  readonly proj: Conv3d;
  readonly mapIn: Sequential;
  constructor(
    readonly embedDim: number,
    readonly patchSize: [number, number, number],
    private readonly kind: 'Local' | 'Global' = 'Local',
  ) {
    super();
    this.proj = this.registerModule('proj', new Conv3d(1, embedDim, patchSize, { stride: patchSize }));
    this.mapIn = this.registerModule(
      'map_in',
      new Sequential(new Conv3d(1, embedDim, patchSize, { stride: patchSize }), new GELU()),
    );
  }
  protected override typeName(): string {
    return `TokenLearner_${this.kind}`;
  }
  /** (B*E, 1, D, H, W) -> proj output (B*E, embedDim, D/p1, H/p2, W/p3) (not flattened; the blocks rearrange it). */
  override forward(x: Tensor): Tensor {
    return this.proj.forward(x);
  }
}

function initLinears(m: Module): void {
  for (const sub of m.modules()) if (sub instanceof Linear) init.xavierUniform_(sub.weight);
}

abstract class AttentionBlockBase extends Module {
  readonly tokenLearner: TokenLearner;
  readonly attnNorm: LayerNorm;
  readonly ffnNorm: LayerNorm;
  readonly mapOut: Sequential;
  readonly bottleneck: [number, number, number];
  readonly numHeads: number;
  constructor(
    readonly embeddingChannels: number,
    bottleneck: readonly number[],
    tokens: number,
    patch: [number, number, number],
    attn: () => Module,
    options: AttentionBlockOptions,
    kind: 'Local' | 'Global',
  ) {
    super();
    this.bottleneck = [bottleneck[0], bottleneck[1], bottleneck[2]];
    this.numHeads = options.numHeads ?? 2;
    if (!Number.isInteger(this.numHeads) || this.numHeads < 1)
      throw new RangeError(`${this.constructor.name}: numHeads must be a positive integer, got ${this.numHeads}`);
    if (!Number.isInteger(embeddingChannels) || embeddingChannels < 1)
      throw new RangeError(
        `${this.constructor.name}: embeddingChannels must be a positive integer, got ${embeddingChannels}`,
      );
    this.tokenLearner = this.registerModule('token_learner', new TokenLearner(tokens, patch, kind));
    this.attnNorm = this.registerModule('attn_norm', new LayerNorm(embeddingChannels, { eps: 1e-6 }));
    this.registerModule('attn', attn());
    this.ffnNorm = this.registerModule('ffn_norm', new LayerNorm(embeddingChannels, { eps: 1e-6 }));
    this.mapOut = this.registerModule(
      'map_out',
      new Sequential(new Conv3d(embeddingChannels, embeddingChannels, 1), new GELU()),
    );
    initLinears(this);
  }
  /** Sets p of attn.attn_dropout and attn.proj_dropout. */
  setDropout(p: number): void {
    const a = this.child('attn');
    a.child<Dropout>('attn_dropout').p = p;
    a.child<Dropout>('proj_dropout').p = p;
  }
  /** Common tail: x + res -> ffn_norm -> (B, E, D, H, W) -> map_out. */
  protected finish(y: Tensor, res: Tensor, B: number): Tensor {
    const [D, H, W] = this.bottleneck;
    const z = this.ffnNorm.forward(y.add(res));
    // reshape, not contiguous().view: the permuted tokens become a channels-last view (no copy), as in the
    // reference, and the decoders' convolutions, BatchNorm and the heads' argmax then run channels-last.
    return this.mapOut.forward(z.permute([0, 2, 1]).reshape([B, this.embeddingChannels, D, H, W]));
  }
}

/**
 * Cross_Attention_Local_Block: token learner Conv3d(1, 8, k2, s2), local cross attention, residual, LayerNorms,
 * map_out.
 */
export class CrossAttentionLocalBlock extends AttentionBlockBase {
  readonly attn: CrossAttentionLocal;
  constructor(embeddingChannels: number, bottleneck: readonly number[], options: AttentionBlockOptions = {}) {
    checkBottleneck('CrossAttentionLocalBlock', bottleneck, true);
    let attn: CrossAttentionLocal | undefined;
    super(
      embeddingChannels,
      bottleneck,
      8,
      [2, 2, 2],
      () => (attn = new CrossAttentionLocal(options.numHeads ?? 2, embeddingChannels, options.dropout ?? 0.1)),
      options,
      'Local',
    );
    this.attn = attn!;
  }
  protected override typeName(): string {
    return 'Cross_Attention_Local_Block';
  }
  /**
   * `single`: 'labeled' mode without [labeled | unlabeled] halves, each sample attending to itself (the eval-mode
   * path; default in eval mode). Used for training the supervised baseline, which has no unlabeled half.
   */
  override forward(x: Tensor, mode: AttentionMode, single = !this.training && mode === 'labeled'): Tensor {
    checkMode('CrossAttentionLocalBlock', mode);
    checkInput('CrossAttentionLocalBlock', x, this.embeddingChannels, this.bottleneck, mode, this.training && !single);
    return torch.tidy(() => {
      const B = x.shape[0],
        E = this.embeddingChannels;
      const [D, H, W] = this.bottleneck;
      const gd = D / 2,
        gh = H / 2,
        gw = W / 2,
        N = gd * gh * gw;
      const t = this.tokenLearner.forward(x.reshape([B * E, 1, D, H, W])); // (B*E, 8, gd, gh, gw)
      // res: b (d p1 h p2 w p3) c
      const res = t
        .view([B, E, 2, 2, 2, gd, gh, gw])
        .permute([0, 5, 2, 6, 3, 7, 4, 1])
        .reshape([B, D * H * W, E]);
      // attention rows (b d h w), tokens (p1 p2 p3), features c
      const emb = this.attnNorm.forward(
        t
          .view([B, E, 8, gd, gh, gw])
          .permute([0, 3, 4, 5, 2, 1])
          .reshape([B * N, 8, E]),
      );
      const y = this.attn.forward(emb, mode, [gd, gh, gw], B, single && mode === 'labeled');
      return this.finish(y, res, B);
    });
  }
}

/**
 * Cross_Attention_Global_Block: token learner Conv3d(1, D*H*W, kernel = stride = (D, H, W)), global cross attention.
 */
export class CrossAttentionGlobalBlock extends AttentionBlockBase {
  readonly attn: CrossAttentionGlobal;
  constructor(embeddingChannels: number, bottleneck: readonly number[], options: AttentionBlockOptions = {}) {
    checkBottleneck('CrossAttentionGlobalBlock', bottleneck, false);
    const bn: [number, number, number] = [bottleneck[0], bottleneck[1], bottleneck[2]];
    let attn: CrossAttentionGlobal | undefined;
    super(
      embeddingChannels,
      bottleneck,
      prod(bn),
      bn,
      () => (attn = new CrossAttentionGlobal(options.numHeads ?? 2, embeddingChannels, options.dropout ?? 0.1)),
      options,
      'Global',
    );
    this.attn = attn!;
  }
  protected override typeName(): string {
    return 'Cross_Attention_Global_Block';
  }
  /**
   * `single`: 'labeled' mode without [labeled | unlabeled] halves, each sample attending to itself (the eval-mode
   * path; default in eval mode). Used for training the supervised baseline, which has no unlabeled half.
   */
  override forward(x: Tensor, mode: AttentionMode, single = !this.training && mode === 'labeled'): Tensor {
    checkMode('CrossAttentionGlobalBlock', mode);
    checkInput('CrossAttentionGlobalBlock', x, this.embeddingChannels, this.bottleneck, mode, this.training && !single);
    return torch.tidy(() => {
      const B = x.shape[0],
        E = this.embeddingChannels;
      const [D, H, W] = this.bottleneck;
      const M = D * H * W;
      const t = this.tokenLearner.forward(x.reshape([B * E, 1, D, H, W])); // (B*E, M, 1, 1, 1)
      const res = t.view([B, E, M]).transpose(1, 2); // b (d h w) c
      const emb = this.attnNorm.forward(res);
      const y = this.attn.forward(emb, mode, single && mode === 'labeled');
      return this.finish(y, res, B);
    });
  }
}
