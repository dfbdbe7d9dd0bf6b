// Every layer of lib/nn/modules against live PyTorch with identical weights: Python builds each layer
// from a seed, runs forward and backward, and saves state dict, inputs, outputs, output gradients and
// input/parameter gradients with torch.save (one Python process for the whole file). We load the state
// dict by key with loadStateDict (strict), run the same inputs through our layer (called as `m(x)`),
// and compare outputs, gradients, state after the step, state-dict keys and the printed form.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../lib/torch/index.js';
import * as nn from '../lib/nn/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import type { Loaded } from '../lib/torch/serialize.js';
import { hasPython, runPython } from '../test-support/python.js';

const F = nn.functional;
const py = hasPython('torch');
// Both sides run the same ATen kernels on the same float32 data; the differences left are summation
// order (e.g. our MHA projects q/k/v with three matmuls where PyTorch may use one). precision.json's
// float32 control (BatchNorm eval, float32 vs float64) has max relative max-norm 1.9e-5: we require
// max|ours - torch| <= 1e-5 * max(1, max|torch|).
const TOL = 1e-5;

type Call = (m: nn.Module, ...inputs: Tensor[]) => unknown;
interface Case {
  name: string;
  /** The PyTorch module expression (torch, nn, F in scope). */
  py: string;
  /** Python expression for the list of inputs. */
  inputs: string;
  make: () => nn.Module;
  /** Python `lambda m, *inputs: ...` and our equivalent; default: call the module. */
  pyCall?: string;
  call?: Call;
  train?: boolean;
  /** Randomize parameters (norm layers start at ones/zeros, which would hide weight mix-ups). */
  perturb?: boolean;
  noRepr?: boolean;
  /** Floating inputs that take no gradient (masks); the others require grad. */
  noGradInputs?: number[];
}

const causal = 'nn.Transformer.generate_square_subsequent_mask';
const CASES: Case[] = [
  // ---- pooling
  {
    name: 'maxpool1d',
    py: 'nn.MaxPool1d(3, stride=2, padding=1)',
    inputs: '[randn(2, 3, 9)]',
    make: () => new nn.MaxPool1d(3, { stride: 2, padding: 1 }),
  },
  { name: 'maxpool1d_unbatched', py: 'nn.MaxPool1d(2)', inputs: '[randn(3, 8)]', make: () => new nn.MaxPool1d(2) },
  {
    name: 'maxpool2d_idx',
    py: 'nn.MaxPool2d((2, 3), stride=(2, 1), dilation=(1, 2), return_indices=True, ceil_mode=True)',
    inputs: '[randn(2, 2, 7, 8)]',
    make: () => new nn.MaxPool2d([2, 3], { stride: [2, 1], dilation: [1, 2], returnIndices: true, ceilMode: true }),
  },
  {
    name: 'maxpool3d_idx',
    py: 'nn.MaxPool3d(2, padding=1, return_indices=True)',
    inputs: '[randn(1, 2, 4, 4, 6)]',
    make: () => new nn.MaxPool3d(2, { padding: 1, returnIndices: true }),
  },
  {
    name: 'avgpool1d',
    py: 'nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False)',
    inputs: '[randn(2, 3, 9)]',
    make: () => new nn.AvgPool1d(3, { stride: 2, padding: 1, countIncludePad: false }),
  },
  {
    name: 'avgpool2d',
    py: 'nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, divisor_override=4)',
    inputs: '[randn(2, 3, 7, 6)]',
    make: () => new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, divisorOverride: 4 }),
  },
  {
    name: 'avgpool3d',
    py: 'nn.AvgPool3d((2, 2, 3))',
    inputs: '[randn(1, 2, 4, 4, 6)]',
    make: () => new nn.AvgPool3d([2, 2, 3]),
  },
  {
    name: 'adaptiveavg1d',
    py: 'nn.AdaptiveAvgPool1d(4)',
    inputs: '[randn(2, 3, 10)]',
    make: () => new nn.AdaptiveAvgPool1d(4),
  },
  {
    name: 'adaptiveavg2d',
    py: 'nn.AdaptiveAvgPool2d((3, None))',
    inputs: '[randn(2, 3, 7, 5)]',
    make: () => new nn.AdaptiveAvgPool2d([3, null]),
  },
  {
    name: 'adaptiveavg3d',
    py: 'nn.AdaptiveAvgPool3d(2)',
    inputs: '[randn(1, 2, 5, 4, 3)]',
    make: () => new nn.AdaptiveAvgPool3d(2),
  },
  {
    name: 'adaptivemax1d_idx',
    py: 'nn.AdaptiveMaxPool1d(3, return_indices=True)',
    inputs: '[randn(2, 3, 10)]',
    make: () => new nn.AdaptiveMaxPool1d(3, true),
  },
  {
    name: 'adaptivemax2d',
    py: 'nn.AdaptiveMaxPool2d((2, 3))',
    inputs: '[randn(2, 3, 7, 5)]',
    make: () => new nn.AdaptiveMaxPool2d([2, 3]),
  },
  {
    name: 'adaptivemax3d_idx',
    py: 'nn.AdaptiveMaxPool3d(2, return_indices=True)',
    inputs: '[randn(1, 2, 5, 4, 3)]',
    make: () => new nn.AdaptiveMaxPool3d(2, true),
  },
  {
    name: 'f_maxpool2d_idx',
    py: 'nn.Identity()',
    inputs: '[randn(2, 3, 6, 6)]',
    pyCall: 'lambda m, x: F.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)',
    make: () => new nn.Identity(),
    call: (m, x) => F.maxPool2d(x, 3, { stride: 2, padding: 1, returnIndices: true }),
  },
  // ---- shapes, identity, embedding
  { name: 'flatten', py: 'nn.Flatten()', inputs: '[randn(2, 3, 4, 5)]', make: () => new nn.Flatten() },
  { name: 'flatten_0_2', py: 'nn.Flatten(0, 2)', inputs: '[randn(2, 3, 4, 5)]', make: () => new nn.Flatten(0, 2) },
  {
    name: 'unflatten',
    py: 'nn.Unflatten(1, (3, 4))',
    inputs: '[randn(2, 12, 5)]',
    make: () => new nn.Unflatten(1, [3, 4]),
  },
  { name: 'identity', py: 'nn.Identity()', inputs: '[randn(2, 3)]', make: () => new nn.Identity() },
  {
    name: 'embedding_pad',
    py: 'nn.Embedding(10, 4, padding_idx=2)',
    inputs: '[torch.tensor([[1, 2, 4], [2, 9, 0]])]',
    make: () => new nn.Embedding(10, 4, { paddingIdx: 2 }),
  },
  {
    name: 'embedding_negpad_freq',
    py: 'nn.Embedding(6, 3, padding_idx=-1, scale_grad_by_freq=True)',
    inputs: '[torch.tensor([1, 1, 5, 3, 1])]',
    make: () => new nn.Embedding(6, 3, { paddingIdx: -1, scaleGradByFreq: true }),
  },
  {
    name: 'embedding_maxnorm',
    py: 'nn.Embedding(8, 5, max_norm=1.0)',
    inputs: '[torch.tensor([[0, 3], [3, 7]])]',
    make: () => new nn.Embedding(8, 5, { maxNorm: 1 }),
  },
  {
    name: 'embedding_pretrained',
    py: 'nn.Embedding.from_pretrained(torch.randn(5, 3), freeze=False, padding_idx=0)',
    inputs: '[torch.tensor([0, 4, 2, 0])]',
    make: () => torch.tidy(() => nn.Embedding.fromPretrained(torch.zeros([5, 3]), { freeze: false, paddingIdx: 0 })),
  },
  {
    name: 'embedding_frozen',
    py: 'nn.Embedding.from_pretrained(torch.randn(5, 3))',
    inputs: '[torch.tensor([1, 4])]',
    make: () => torch.tidy(() => nn.Embedding.fromPretrained(torch.zeros([5, 3]))),
  },
  // ---- upsampling (every interpolate mode), pixel shuffle
  {
    name: 'up_nearest1d',
    py: "nn.Upsample(scale_factor=2, mode='nearest')",
    inputs: '[randn(2, 3, 5)]',
    make: () => new nn.Upsample({ scaleFactor: 2 }),
  },
  {
    name: 'up_nearest_exact2d',
    py: "nn.Upsample(size=(5, 7), mode='nearest-exact')",
    inputs: '[randn(2, 3, 3, 4)]',
    make: () => new nn.Upsample({ size: [5, 7], mode: 'nearest-exact' }),
  },
  {
    name: 'up_nearest3d_recompute',
    py: "nn.Upsample(scale_factor=1.5, mode='nearest', recompute_scale_factor=True)",
    inputs: '[randn(1, 2, 3, 4, 5)]',
    make: () => new nn.Upsample({ scaleFactor: 1.5, recomputeScaleFactor: true }),
  },
  {
    name: 'up_linear_ac',
    py: "nn.Upsample(scale_factor=1.7, mode='linear', align_corners=True)",
    inputs: '[randn(2, 3, 5)]',
    make: () => new nn.Upsample({ scaleFactor: 1.7, mode: 'linear', alignCorners: true }),
  },
  {
    name: 'up_bilinear',
    py: "nn.Upsample(scale_factor=(1.5, 2.0), mode='bilinear')",
    inputs: '[randn(2, 3, 4, 5)]',
    make: () => new nn.Upsample({ scaleFactor: [1.5, 2], mode: 'bilinear' }),
  },
  {
    name: 'up_bicubic',
    py: "nn.Upsample(size=(7, 9), mode='bicubic')",
    inputs: '[randn(2, 3, 4, 5)]',
    make: () => new nn.Upsample({ size: [7, 9], mode: 'bicubic' }),
  },
  {
    name: 'up_bicubic_ac',
    py: "nn.Upsample(scale_factor=2.5, mode='bicubic', align_corners=True)",
    inputs: '[randn(1, 2, 3, 4)]',
    make: () => new nn.Upsample({ scaleFactor: 2.5, mode: 'bicubic', alignCorners: true }),
  },
  {
    name: 'up_trilinear',
    py: "nn.Upsample(scale_factor=2, mode='trilinear')",
    inputs: '[randn(1, 2, 2, 3, 2)]',
    make: () => new nn.Upsample({ scaleFactor: 2, mode: 'trilinear' }),
  },
  {
    name: 'f_area',
    py: 'nn.Identity()',
    inputs: '[randn(2, 3, 7, 5)]',
    pyCall: "lambda m, x: F.interpolate(x, size=(3, 2), mode='area')",
    make: () => new nn.Identity(),
    call: (m, x) => F.interpolate(x, { size: [3, 2], mode: 'area' }),
  },
  {
    name: 'f_area_scale',
    py: 'nn.Identity()',
    inputs: '[randn(2, 3, 9)]',
    pyCall: "lambda m, x: F.interpolate(x, scale_factor=0.5, mode='area')",
    make: () => new nn.Identity(),
    call: (m, x) => F.interpolate(x, { scaleFactor: 0.5, mode: 'area' }),
  },
  {
    name: 'f_bilinear_aa',
    py: 'nn.Identity()',
    inputs: '[randn(2, 3, 12, 10)]',
    pyCall: "lambda m, x: F.interpolate(x, size=(5, 4), mode='bilinear', antialias=True)",
    make: () => new nn.Identity(),
    call: (m, x) => F.interpolate(x, { size: [5, 4], mode: 'bilinear', antialias: true }),
  },
  {
    name: 'f_bicubic_aa',
    py: 'nn.Identity()',
    inputs: '[randn(1, 2, 12, 10)]',
    pyCall: "lambda m, x: F.interpolate(x, scale_factor=0.4, mode='bicubic', antialias=True)",
    make: () => new nn.Identity(),
    call: (m, x) => F.interpolate(x, { scaleFactor: 0.4, mode: 'bicubic', antialias: true }),
  },
  { name: 'pixelshuffle', py: 'nn.PixelShuffle(2)', inputs: '[randn(2, 8, 3, 4)]', make: () => new nn.PixelShuffle(2) },
  {
    name: 'pixelunshuffle',
    py: 'nn.PixelUnshuffle(2)',
    inputs: '[randn(2, 2, 6, 4)]',
    make: () => new nn.PixelUnshuffle(2),
  },
  // ---- transposed convolutions
  {
    name: 'convT1d',
    py: 'nn.ConvTranspose1d(3, 4, 3, stride=2, padding=1, output_padding=1, dilation=2)',
    inputs: '[randn(2, 3, 6)]',
    make: () => new nn.ConvTranspose1d(3, 4, 3, { stride: 2, padding: 1, outputPadding: 1, dilation: 2 }),
  },
  {
    name: 'convT2d_groups_outsize',
    py: 'nn.ConvTranspose2d(4, 6, (3, 2), stride=2, groups=2, bias=False)',
    inputs: '[randn(2, 4, 4, 5)]',
    pyCall: 'lambda m, x: m(x, output_size=[10, 11])',
    make: () => new nn.ConvTranspose2d(4, 6, [3, 2], { stride: 2, groups: 2, bias: false }),
    call: (m, x) => (m as nn.ConvTranspose2d).forward(x, [10, 11]),
  },
  // ---- normalization
  {
    name: 'groupnorm',
    py: 'nn.GroupNorm(3, 6, eps=1e-3)',
    inputs: '[randn(2, 6, 4)]',
    make: () => new nn.GroupNorm(3, 6, { eps: 1e-3 }),
    perturb: true,
  },
  {
    name: 'layernorm_nobias',
    py: 'nn.LayerNorm(5, bias=False)',
    inputs: '[randn(2, 3, 5)]',
    make: () => new nn.LayerNorm(5, { bias: false }),
    perturb: true,
  },
  {
    name: 'instancenorm1d_affine',
    py: 'nn.InstanceNorm1d(3, affine=True)',
    inputs: '[randn(2, 3, 7)]',
    make: () => new nn.InstanceNorm1d(3, { affine: true }),
    perturb: true,
  },
  {
    name: 'instancenorm1d_unbatched',
    py: 'nn.InstanceNorm1d(3)',
    inputs: '[randn(3, 7)]',
    make: () => new nn.InstanceNorm1d(3),
  },
  {
    name: 'instancenorm2d_track',
    py: 'nn.InstanceNorm2d(3, track_running_stats=True)',
    inputs: '[randn(2, 3, 4, 5)]',
    make: () => new nn.InstanceNorm2d(3, { trackRunningStats: true }),
    train: true,
  },
  {
    name: 'instancenorm2d_eval',
    py: 'nn.InstanceNorm2d(3, track_running_stats=True, affine=True)',
    inputs: '[randn(2, 3, 4, 5)]',
    make: () => new nn.InstanceNorm2d(3, { trackRunningStats: true, affine: true }),
    perturb: true,
    train: false,
  },
  // ---- activations
  { name: 'gelu_tanh', py: "nn.GELU('tanh')", inputs: '[randn(3, 7)]', make: () => new nn.GELU('tanh') },
  { name: 'silu', py: 'nn.SiLU()', inputs: '[randn(3, 7)]', make: () => new nn.SiLU() },
  { name: 'mish', py: 'nn.Mish()', inputs: '[randn(3, 7)]', make: () => new nn.Mish() },
  {
    name: 'softplus',
    py: 'nn.Softplus(beta=2.0, threshold=1.5)',
    inputs: '[randn(3, 7)]',
    make: () => new nn.Softplus(2, 1.5),
  },
  { name: 'leakyrelu', py: 'nn.LeakyReLU(0.2)', inputs: '[randn(3, 7)]', make: () => new nn.LeakyReLU(0.2) },
  { name: 'prelu', py: 'nn.PReLU()', inputs: '[randn(3, 7)]', make: () => new nn.PReLU() },
  { name: 'prelu_channels', py: 'nn.PReLU(3)', inputs: '[randn(2, 3, 4)]', make: () => new nn.PReLU(3), perturb: true },
  { name: 'elu', py: 'nn.ELU(alpha=0.7)', inputs: '[randn(3, 7)]', make: () => new nn.ELU(0.7) },
  { name: 'celu', py: 'nn.CELU(0.5)', inputs: '[randn(3, 7)]', make: () => new nn.CELU(0.5) },
  { name: 'selu', py: 'nn.SELU()', inputs: '[randn(3, 7)]', make: () => new nn.SELU() },
  { name: 'hardswish', py: 'nn.Hardswish()', inputs: '[randn(3, 7) * 4]', make: () => new nn.Hardswish() },
  { name: 'hardsigmoid', py: 'nn.Hardsigmoid()', inputs: '[randn(3, 7) * 4]', make: () => new nn.Hardsigmoid() },
  { name: 'hardtanh', py: 'nn.Hardtanh(-0.5, 0.8)', inputs: '[randn(3, 7)]', make: () => new nn.Hardtanh(-0.5, 0.8) },
  { name: 'relu6', py: 'nn.ReLU6()', inputs: '[randn(3, 7) * 5]', make: () => new nn.ReLU6() },
  { name: 'logsigmoid', py: 'nn.LogSigmoid()', inputs: '[randn(3, 7)]', make: () => new nn.LogSigmoid() },
  { name: 'softsign', py: 'nn.Softsign()', inputs: '[randn(3, 7)]', make: () => new nn.Softsign() },
  { name: 'tanhshrink', py: 'nn.Tanhshrink()', inputs: '[randn(3, 7)]', make: () => new nn.Tanhshrink() },
  { name: 'glu', py: 'nn.GLU(1)', inputs: '[randn(3, 8)]', make: () => new nn.GLU(1) },
  { name: 'softmax', py: 'nn.Softmax(dim=1)', inputs: '[randn(3, 7, 2)]', make: () => new nn.Softmax(1) },
  { name: 'logsoftmax', py: 'nn.LogSoftmax(dim=-1)', inputs: '[randn(3, 7)]', make: () => new nn.LogSoftmax(-1) },
  { name: 'softmin', py: 'nn.Softmin(dim=0)', inputs: '[randn(3, 7)]', make: () => new nn.Softmin(0) },
  // ---- dropouts in eval mode are the identity (training statistics: separate test)
  {
    name: 'dropout1d_eval',
    py: 'nn.Dropout1d(0.3)',
    inputs: '[randn(2, 3, 5)]',
    make: () => new nn.Dropout1d(0.3),
    train: false,
  },
  {
    name: 'alphadropout_eval',
    py: 'nn.AlphaDropout(0.2)',
    inputs: '[randn(2, 3, 5)]',
    make: () => new nn.AlphaDropout(0.2),
    train: false,
  },
  // ---- recurrent
  {
    name: 'rnn_relu_2layer',
    py: "nn.RNN(4, 5, num_layers=2, nonlinearity='relu')",
    inputs: '[randn(6, 3, 4), randn(2, 3, 5)]',
    make: () => new nn.RNN(4, 5, { numLayers: 2, nonlinearity: 'relu' }),
  },
  {
    name: 'rnn_bi_bf_nobias',
    py: 'nn.RNN(4, 5, bidirectional=True, batch_first=True, bias=False)',
    inputs: '[randn(3, 6, 4)]',
    make: () => new nn.RNN(4, 5, { bidirectional: true, batchFirst: true, bias: false }),
  },
  {
    name: 'lstm_2layer_bi',
    py: 'nn.LSTM(4, 5, num_layers=2, bidirectional=True)',
    inputs: '[randn(6, 3, 4), randn(4, 3, 5), randn(4, 3, 5)]',
    pyCall: 'lambda m, x, h, c: m(x, (h, c))',
    make: () => new nn.LSTM(4, 5, { numLayers: 2, bidirectional: true }),
    call: (m, x, h, c) => (m as nn.LSTM).forward(x, [h!, c!]),
  },
  {
    name: 'lstm_proj_bf',
    py: 'nn.LSTM(4, 6, batch_first=True, proj_size=3, num_layers=2)',
    inputs: '[randn(2, 5, 4)]',
    make: () => new nn.LSTM(4, 6, { batchFirst: true, projSize: 3, numLayers: 2 }),
  },
  { name: 'lstm_unbatched', py: 'nn.LSTM(3, 4)', inputs: '[randn(5, 3)]', make: () => new nn.LSTM(3, 4) },
  {
    name: 'gru_2layer_bi_bf',
    py: 'nn.GRU(4, 5, num_layers=2, batch_first=True, bidirectional=True)',
    inputs: '[randn(3, 6, 4), randn(4, 3, 5)]',
    make: () => new nn.GRU(4, 5, { numLayers: 2, batchFirst: true, bidirectional: true }),
  },
  {
    name: 'gru_dropout_eval',
    py: 'nn.GRU(4, 5, num_layers=2, dropout=0.5)',
    inputs: '[randn(6, 2, 4)]',
    make: () => new nn.GRU(4, 5, { numLayers: 2, dropout: 0.5 }),
    train: false,
  },
  {
    name: 'rnncell',
    py: "nn.RNNCell(4, 5, nonlinearity='relu')",
    inputs: '[randn(3, 4), randn(3, 5)]',
    make: () => new nn.RNNCell(4, 5, { nonlinearity: 'relu' }),
  },
  {
    name: 'lstmcell',
    py: 'nn.LSTMCell(4, 5)',
    inputs: '[randn(3, 4), randn(3, 5), randn(3, 5)]',
    pyCall: 'lambda m, x, h, c: m(x, (h, c))',
    make: () => new nn.LSTMCell(4, 5),
    call: (m, x, h, c) => (m as nn.LSTMCell).forward(x, [h!, c!]),
  },
  {
    name: 'grucell_unbatched',
    py: 'nn.GRUCell(4, 5, bias=False)',
    inputs: '[randn(4)]',
    make: () => new nn.GRUCell(4, 5, { bias: false }),
  },
  // ---- attention and transformers (dropout 0 in training mode: PyTorch's math path, deterministic)
  {
    name: 'mha',
    py: 'nn.MultiheadAttention(8, 2)',
    inputs: '[randn(5, 3, 8), randn(7, 3, 8), randn(7, 3, 8)]',
    make: () => new nn.MultiheadAttention(8, 2),
  },
  {
    name: 'mha_bf_kpm_heads',
    py: 'nn.MultiheadAttention(8, 4, batch_first=True)',
    inputs:
      '[randn(3, 5, 8), randn(3, 6, 8), randn(3, 6, 8), torch.tensor([[False] * 6, [False] * 4 + [True] * 2, ' +
      '[True] + [False] * 5])]',
    pyCall: 'lambda m, q, k, v, kpm: m(q, k, v, key_padding_mask=kpm, average_attn_weights=False)',
    make: () => new nn.MultiheadAttention(8, 4, { batchFirst: true }),
    call: (m, q, k, v, kpm) =>
      (m as nn.MultiheadAttention).forward(q, k!, v!, { keyPaddingMask: kpm, averageAttnWeights: false }),
  },
  {
    name: 'mha_causal_noweights',
    py: 'nn.MultiheadAttention(8, 2, bias=False)',
    inputs: `[randn(5, 2, 8), ${causal}(5)]`,
    pyCall: 'lambda m, x, mask: m(x, x, x, attn_mask=mask, need_weights=False, is_causal=True)',
    noGradInputs: [1],
    make: () => new nn.MultiheadAttention(8, 2, { bias: false }),
    call: (m, x, mask) =>
      (m as nn.MultiheadAttention).forward(x, x, x, { attnMask: mask, needWeights: false, isCausal: true }),
  },
  {
    name: 'mha_kvdim_biaskv_zeroattn',
    py: 'nn.MultiheadAttention(8, 4, kdim=6, vdim=5, add_bias_kv=True, add_zero_attn=True)',
    inputs: '[randn(4, 2, 8), randn(3, 2, 6), randn(3, 2, 5), torch.rand(4, 3) > 0.7]',
    pyCall: 'lambda m, q, k, v, mask: m(q, k, v, attn_mask=mask)',
    make: () => new nn.MultiheadAttention(8, 4, { kdim: 6, vdim: 5, addBiasKv: true, addZeroAttn: true }),
    call: (m, q, k, v, mask) => (m as nn.MultiheadAttention).forward(q, k!, v!, { attnMask: mask }),
  },
  {
    name: 'mha_unbatched',
    py: 'nn.MultiheadAttention(6, 3)',
    inputs: '[randn(4, 6), randn(5, 6), randn(5, 6)]',
    make: () => new nn.MultiheadAttention(6, 3),
  },
  {
    name: 'encoder_layer',
    py: 'nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0)',
    inputs: '[randn(5, 3, 8)]',
    make: () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 }),
    perturb: true,
  },
  {
    name: 'encoder_layer_prenorm_gelu_bf_kpm',
    py: "nn.TransformerEncoderLayer(8, 2, 16, 0.0, activation='gelu', batch_first=True, norm_first=True)",
    inputs: '[randn(2, 5, 8), torch.tensor([[False] * 5, [False] * 3 + [True] * 2])]',
    pyCall: 'lambda m, x, kpm: m(x, src_key_padding_mask=kpm)',
    make: () =>
      new nn.TransformerEncoderLayer(8, 2, {
        dimFeedforward: 16,
        dropout: 0,
        activation: 'gelu',
        batchFirst: true,
        normFirst: true,
      }),
    call: (m, x, kpm) => (m as nn.TransformerEncoderLayer).forward(x, { srcKeyPaddingMask: kpm }),
    perturb: true,
  },
  {
    name: 'encoder_stack_causal',
    py:
      'nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, 0.0), 2, norm=nn.LayerNorm(8), ' +
      'enable_nested_tensor=False)',
    inputs: `[randn(5, 2, 8), ${causal}(5)]`,
    pyCall: 'lambda m, x, mask: m(x, mask=mask)',
    noGradInputs: [1],
    make: () => {
      const l = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 });
      const e = new nn.TransformerEncoder(l, 2, { norm: new nn.LayerNorm(8) });
      l.dispose();
      return e;
    },
    call: (m, x, mask) => (m as nn.TransformerEncoder).forward(x, { mask }),
    perturb: true,
  },
  {
    name: 'decoder_layer_bf_causal',
    py: 'nn.TransformerDecoderLayer(8, 2, 16, 0.0, batch_first=True)',
    inputs: `[randn(2, 4, 8), randn(2, 6, 8), ${causal}(4)]`,
    pyCall: 'lambda m, t, mem, mask: m(t, mem, tgt_mask=mask)',
    noGradInputs: [2],
    make: () => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }),
    call: (m, t, mem, mask) => (m as nn.TransformerDecoderLayer).forward(t, mem!, { tgtMask: mask }),
    perturb: true,
  },
  {
    name: 'decoder_stack_prenorm',
    py: "nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, 0.0, activation='gelu', norm_first=True), 2)",
    inputs: '[randn(4, 2, 8), randn(6, 2, 8), torch.tensor([[False] * 6, [False] * 5 + [True]])]',
    pyCall: 'lambda m, t, mem, kpm: m(t, mem, memory_key_padding_mask=kpm)',
    make: () => {
      const l = new nn.TransformerDecoderLayer(8, 2, {
        dimFeedforward: 16,
        dropout: 0,
        activation: 'gelu',
        normFirst: true,
      });
      const d = new nn.TransformerDecoder(l, 2);
      l.dispose();
      return d;
    },
    call: (m, t, mem, kpm) => (m as nn.TransformerDecoder).forward(t, mem!, { memoryKeyPaddingMask: kpm }),
    perturb: true,
  },
];

const PY = String.raw`
import json, sys, torch
from torch import nn
import torch.nn.functional as F
cases = json.load(open(sys.argv[1]))
randn = torch.randn
def flat(v):
    if v is None: return []
    if isinstance(v, torch.Tensor): return [v]
    return [t for e in v for t in flat(e)]
res = {}
for i, c in enumerate(cases):
    torch.manual_seed(1000 + i)
    m = eval(c['py'])
    m.train(c['train'])
    if c['perturb']:
        with torch.no_grad():
            for p in m.parameters(): p.add_(torch.rand_like(p) - 0.5)
    sd = {k: v.clone() for k, v in m.state_dict().items()}
    inputs = eval(c['inputs'])
    inputs = [x.requires_grad_() if x.is_floating_point() and j not in c['nograd'] else x for j, x in enumerate(inputs)]
    call = eval(c['call']) if c['call'] else (lambda m, *a: m(*a))
    outs = flat(call(m, *inputs))
    gs = [torch.randn_like(o) if o.requires_grad else None for o in outs]
    loss = sum((o * g).sum() for o, g in zip(outs, gs) if g is not None)
    if isinstance(loss, torch.Tensor): loss.backward()
    res[c['name']] = {
        'sd': sd, 'sd_after': m.state_dict(), 'keys': list(m.state_dict().keys()), 'repr': repr(m),
        'inputs': [x.detach() for x in inputs], 'grad_inputs': [x.requires_grad for x in inputs],
        'outs': [o.detach() for o in outs], 'gs': gs,
        'gin': [x.grad for x in inputs],
        'gparams': {k: p.grad for k, p in m.named_parameters() if p.grad is not None},
    }
torch.save(res, sys.argv[2])
`;

type Rec = Map<string | number, Loaded>;
const get = (m: Rec, k: string): Loaded => {
  if (!m.has(k)) throw new Error(`python result has no '${k}'`);
  return m.get(k)!;
};
const asMap = (v: Loaded): Map<string, Tensor> => v as unknown as Map<string, Tensor>;
const flatTensors = (v: unknown): Tensor[] =>
  v === null || v === undefined ? [] : Array.isArray(v) ? v.flatMap(flatTensors) : [v as Tensor];
const values = (t: Tensor): Float64Array => torch.tidy(() => t.detach().double().toTypedArray() as Float64Array);
function expectClose(ours: Tensor, ref: Tensor, what: string): void {
  expect(ours.shape, `${what} shape`).toEqual(ref.shape);
  expect(ours.dtype, `${what} dtype`).toBe(ref.dtype);
  const a = values(ours),
    b = values(ref);
  if (!ref.isFloatingPoint()) {
    expect(Array.from(a), what).toEqual(Array.from(b));
    return;
  }
  let err = 0,
    scale = 1;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  expect(err / scale, `${what}: max abs diff ${err} (scale ${scale})`).toBeLessThanOrEqual(TOL);
}

describe.skipIf(!py)('nn layers vs PyTorch (weights loaded from a Python state dict)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nn-layers-'));
  const spec = join(dir, 'cases.json');
  const out = join(dir, 'ref.pth');
  let ref: Rec;

  it('Python reference run', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      spec,
      JSON.stringify(
        CASES.map((c) => ({
          name: c.name,
          py: c.py,
          inputs: c.inputs,
          call: c.pyCall ?? null,
          train: c.train ?? true,
          perturb: c.perturb ?? false,
          nograd: c.noGradInputs ?? [],
        })),
      ),
    );
    runPython(PY, [spec, out]);
    ref = torch.load(out) as Rec;
    expect([...ref.keys()]).toEqual(CASES.map((c) => c.name));
  }, 120_000);

  for (const c of CASES) {
    it(c.name, () => {
      const r = get(ref, c.name) as Rec;
      const before = torch.memory().liveTensors;
      const m = c.make();
      m.train(c.train ?? true);
      expect([...m.stateDict({ keepVars: true }).keys()], 'state-dict keys').toEqual(get(r, 'keys'));
      m.loadStateDict(asMap(get(r, 'sd')));
      if (!c.noRepr) expect(m.toString(), 'repr').toBe(get(r, 'repr'));
      torch.tidy(() => {
        const gradIn = get(r, 'grad_inputs') as boolean[];
        const inputs = (get(r, 'inputs') as Tensor[]).map((x, i) => (gradIn[i] ? x.clone().requiresGrad_() : x));
        const result = c.call ? c.call(m, ...inputs) : (m as unknown as (...a: Tensor[]) => unknown)(...inputs);
        const outs = flatTensors(result);
        const refOuts = get(r, 'outs') as Tensor[];
        expect(outs.length, 'number of outputs').toBe(refOuts.length);
        outs.forEach((o, i) => expectClose(o, refOuts[i]!, `output ${i}`));
        const gs = get(r, 'gs') as (Tensor | null)[];
        const terms = outs.flatMap((o, i) => (gs[i] ? [o.mul(gs[i]!).sum()] : []));
        if (terms.length) terms.reduce((a, b) => a.add(b)).backward();
        const gin = get(r, 'gin') as (Tensor | null)[];
        inputs.forEach((x, i) => {
          if (gin[i]) expectClose(x.grad!, gin[i]!, `grad of input ${i}`);
          else expect(gradIn[i] ? x.grad : null, `input ${i} has no grad`).toBeNull();
        });
        const gp = asMap(get(r, 'gparams'));
        const ours = new Map([...m.namedParameters()].filter(([, p]) => p.grad).map(([k, p]) => [k, p.grad!]));
        expect([...ours.keys()], 'parameters with gradients').toEqual([...gp.keys()]);
        for (const [k, g] of gp) expectClose(ours.get(k)!, g, `grad ${k}`);
        const after = asMap(get(r, 'sd_after'));
        const sd = m.stateDict();
        for (const [k, v] of after) expectClose(sd.get(k)!, v, `state after step: ${k}`);
      });
      m.zeroGrad();
      m.dispose();
      expect(torch.memory().liveTensors, 'live tensors').toBe(before);
    });
  }
});

describe('dropout in training mode (closed forms)', () => {
  it(
    'Dropout1d/2d zero whole channels and scale the rest by 1/(1-p); AlphaDropout keeps two affine values and the ' +
      'moments',
    () => {
      torch.manualSeed(3);
      torch.tidy(() => {
        for (const [m, shape] of [
          [new nn.Dropout1d(0.4), [64, 8, 16]],
          [new nn.Dropout2d(0.4), [64, 8, 4, 4]],
          [new nn.Dropout1d(0.4), [8, 16]],
        ] as const) {
          const x = torch.rand([...shape]).add(1); // strictly positive, so a zero means dropped
          const y = m(x);
          const ratio = y.div(x);
          const rows = ratio.reshape([shape[0]! * (shape.length === 2 ? 1 : shape[1]!), -1]);
          // per channel: all entries equal, either 0 or 1/(1-p)
          expect(rows.max(1)[0].sub(rows.min(1)[0]).abs().max().item()).toBeLessThan(1e-6);
          const vals = new Set(
            Array.from(rows.select(1, 0).toTypedArray() as Float32Array, (v) => Math.round(v * 1e5) / 1e5),
          );
          for (const v of vals) expect([0, Math.round(1e5 / 0.6) / 1e5]).toContain(v);
        }
        const p = 0.2,
          alpha = 1.7580993408473766;
        const a = 1 / Math.sqrt((alpha * alpha * p + 1) * (1 - p));
        const x = torch.randn([200000], { dtype: 'float64' });
        const y = new nn.AlphaDropout(p)(x);
        const kept = y
          .sub(x.mul(a).add(alpha * a * p))
          .abs()
          .lt(1e-9);
        const dropped = y
          .sub(-alpha * a + alpha * a * p)
          .abs()
          .lt(1e-9);
        expect(Number(kept.logicalOr(dropped).all().item())).toBe(1);
        expect(Math.abs(dropped.double().mean().item() - p)).toBeLessThan(0.01); // binomial sd 0.0009
        expect(Math.abs(y.mean().item())).toBeLessThan(0.01);
        expect(Math.abs(y.std().item() - 1)).toBeLessThan(0.01);
      });
    },
  );
});

describe('Module called like a function', () => {
  it('model(x) runs forward; getters such as Sequential.length are not shadowed by Function.length', () => {
    torch.tidy(() => {
      const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
      const x = torch.randn([5, 3]);
      const a = model(x),
        b = model.forward(x);
      expect(a.sub(b).abs().max().item()).toBe(0);
      expect(a.shape).toEqual([5, 2]);
      expect(model.length).toBe(3);
      expect(typeof model).toBe('function');
      expect(model instanceof nn.Module).toBe(true);
      expect(model.at(0) instanceof nn.Linear).toBe(true);
      const lstm = new nn.LSTM(3, 4);
      const [out, [h, c]] = lstm(torch.randn([6, 2, 3]));
      expect([out.shape, h.shape, c.shape]).toEqual([
        [6, 2, 4],
        [1, 2, 4],
        [1, 2, 4],
      ]);
      expect(() => new nn.Linear(3, 4)(torch.randn([2, 5]))).toThrow(/mat1 and mat2|shapes cannot be multiplied/);
      for (const m of [model, lstm]) m.dispose();
    });
  });
  it('bad layer arguments give clear errors', () => {
    expect(() => new nn.MultiheadAttention(10, 3)).toThrow(/embedDim \(10\) must be divisible by numHeads \(3\)/);
    expect(() => new nn.Embedding(4, 2, { paddingIdx: 4 })).toThrow(/paddingIdx must be within \[-4, 4\)/);
    const lstm = new nn.LSTM(3, 4);
    torch.tidy(() => {
      expect(() => lstm(torch.randn([5, 2, 7]))).toThrow(
        /input.size\(-1\) must be equal to input_size. Expected 3, got 7/,
      );
      expect(() => lstm(torch.randn([5, 2, 3]), [torch.zeros([1, 3, 4]), torch.zeros([1, 2, 4])])).toThrow(
        /expected hidden\[0\] size \[1, 2, 4\], got \[1, 3, 4\]/,
      );
      expect(() => F.interpolate(torch.randn([1, 1, 4]), { size: 8, mode: 'bilinear' })).toThrow(
        /bilinear mode needs 4D input/,
      );
      expect(() => F.interpolate(torch.randn([1, 1, 4, 4]), { size: 8, mode: 'nearest', alignCorners: true })).toThrow(
        /alignCorners can only be set/,
      );
    });
    lstm.dispose();
  });
});
