// nn.functional against live PyTorch: each case is a Python call of torch.nn.functional and our call
// (with keyword arguments as a trailing options object, or positionally), on the same inputs. Python
// runs once for the whole file: it makes the inputs from a seed, calls the function, backpropagates a
// random output gradient and saves inputs, outputs and input gradients (torch.save). Random functions
// (dropout, rrelu, gumbel softmax) re-seed both sides right before the call: the CPU generator and
// the kernels are the same, so the draws are too.
import { mkdtempSync, writeFileSync } from 'node:fs';
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
// Same ATen kernels on the same float32 data; what is left is summation order (see nn-layers.test.ts).
const TOL = 1e-5;

interface Case {
  name: string;
  /** Python expression for the list of inputs (torch, F, randn, rand in scope). */
  inputs: string;
  /** Python callable over the inputs. */
  py: string;
  ts: (...x: Tensor[]) => Tensor | Tensor[];
  /** Inputs that take no gradient (the others, when floating, require grad). */
  nograd?: number[];
  /** Re-seed both generators with this right before the call. */
  seed?: number;
}
const t = (...x: Tensor[]): Tensor[] => x;
const CASES: Case[] = [
  // ---- activations: keyword and positional forms
  {
    name: 'softmax_kw',
    inputs: '[randn(3, 5)]',
    py: 'lambda x: F.softmax(x, dim=1)',
    ts: (x) => F.softmax(x!, { dim: 1 }),
  },
  {
    name: 'softmax_implicit_dim_3d',
    inputs: '[randn(2, 3, 4)]',
    py: 'lambda x: F.softmax(x, _stacklevel=5)',
    ts: (x) => F.softmax(x!),
  },
  {
    name: 'log_softmax_dtype',
    inputs: '[randn(3, 5)]',
    py: 'lambda x: F.log_softmax(x, dim=-1, dtype=torch.float64)',
    ts: (x) => F.logSoftmax(x!, { dim: -1, dtype: 'float64' }),
  },
  { name: 'softmin_pos', inputs: '[randn(3, 5)]', py: 'lambda x: F.softmin(x, 0)', ts: (x) => F.softmin(x!, 0) },
  {
    name: 'hardshrink',
    inputs: '[randn(20)]',
    py: 'lambda x: F.hardshrink(x, lambd=0.3)',
    ts: (x) => F.hardshrink(x!, { lambd: 0.3 }),
  },
  { name: 'softshrink', inputs: '[randn(20)]', py: 'lambda x: F.softshrink(x)', ts: (x) => F.softshrink(x!) },
  { name: 'rrelu_eval', inputs: '[randn(20)]', py: 'lambda x: F.rrelu(x, 0.1, 0.3)', ts: (x) => F.rrelu(x!, 0.1, 0.3) },
  {
    name: 'rrelu_train',
    inputs: '[randn(50)]',
    py: 'lambda x: F.rrelu(x, training=True)',
    ts: (x) => F.rrelu(x!, { training: true }),
    seed: 7,
  },
  {
    name: 'leaky_relu_kw',
    inputs: '[randn(20)]',
    py: 'lambda x: F.leaky_relu(x, negative_slope=0.2)',
    ts: (x) => F.leakyRelu(x!, { negativeSlope: 0.2 }),
  },
  { name: 'elu_kw', inputs: '[randn(20)]', py: 'lambda x: F.elu(x, alpha=0.5)', ts: (x) => F.elu(x!, { alpha: 0.5 }) },
  { name: 'celu_pos', inputs: '[randn(20)]', py: 'lambda x: F.celu(x, 2.0)', ts: (x) => F.celu(x!, 2) },
  {
    name: 'hardtanh_kw',
    inputs: '[randn(20)]',
    py: 'lambda x: F.hardtanh(x, min_val=-0.5, max_val=0.7)',
    ts: (x) => F.hardtanh(x!, { minVal: -0.5, maxVal: 0.7 }),
  },
  {
    name: 'softplus_kw',
    inputs: '[randn(20)]',
    py: 'lambda x: F.softplus(x, beta=2, threshold=1)',
    ts: (x) => F.softplus(x!, { beta: 2, threshold: 1 }),
  },
  {
    name: 'gelu_tanh',
    inputs: '[randn(20)]',
    py: "lambda x: F.gelu(x, approximate='tanh')",
    ts: (x) => F.gelu(x!, { approximate: 'tanh' }),
  },
  { name: 'glu_kw', inputs: '[randn(4, 6)]', py: 'lambda x: F.glu(x, dim=0)', ts: (x) => F.glu(x!, { dim: 0 }) },
  {
    name: 'threshold',
    inputs: '[randn(20)]',
    py: 'lambda x: F.threshold(x, 0.1, -2.0)',
    ts: (x) => F.threshold(x!, 0.1, -2),
  },
  {
    name: 'inplace_variants',
    inputs: '[randn(20)]',
    nograd: [0],
    py:
      'lambda x: [F.relu_(x.clone()), F.elu_(x.clone(), 0.5), F.celu_(x.clone()), F.leaky_relu_(x.clone(), 0.3), ' +
      'F.hardtanh_(x.clone(), -0.2, 0.2), F.selu_(x.clone()), F.threshold_(x.clone(), 0.0, 3.0), ' +
      'F.rrelu_(x.clone()), F.relu(x.clone(), inplace=True)]',
    ts: (x) => [
      F.relu_(x!.clone()),
      F.elu_(x!.clone(), 0.5),
      F.celu_(x!.clone()),
      F.leakyRelu_(x!.clone(), 0.3),
      F.hardtanh_(x!.clone(), -0.2, 0.2),
      F.selu_(x!.clone()),
      F.threshold_(x!.clone(), 0, 3),
      F.rrelu_(x!.clone()),
      F.relu(x!.clone(), { inplace: true }),
    ],
  },
  {
    name: 'pointwise',
    inputs: '[randn(20)]',
    py:
      'lambda x: [F.relu6(x), F.selu(x), F.silu(x), F.mish(x), F.hardswish(x), F.hardsigmoid(x), ' +
      'F.logsigmoid(x), F.softsign(x), F.tanhshrink(x), F.sigmoid(x), F.tanh(x)]',
    ts: (x) => [
      F.relu6(x!),
      F.selu(x!),
      F.silu(x!),
      F.mish(x!),
      F.hardswish(x!),
      F.hardsigmoid(x!),
      F.logsigmoid(x!),
      F.softsign(x!),
      F.tanhshrink(x!),
      F.sigmoid(x!),
      F.tanh(x!),
    ],
  },
  {
    name: 'gumbel_softmax',
    inputs: '[randn(4, 6)]',
    py: 'lambda x: F.gumbel_softmax(x, tau=0.5)',
    ts: (x) => F.gumbelSoftmax(x!, { tau: 0.5 }),
    seed: 11,
  },
  {
    name: 'gumbel_softmax_hard',
    inputs: '[randn(4, 6)]',
    py: 'lambda x: F.gumbel_softmax(x, 1.0, True, dim=0)',
    ts: (x) => F.gumbelSoftmax(x!, 1, true, { dim: 0 }),
    seed: 12,
  },
  {
    name: 'dropout_train',
    inputs: '[randn(200)]',
    py: 'lambda x: F.dropout(x, 0.3)',
    ts: (x) => F.dropout(x!, 0.3),
    seed: 13,
  },
  {
    name: 'dropout_kw_eval',
    inputs: '[randn(20)]',
    py: 'lambda x: F.dropout(x, p=0.3, training=False)',
    ts: (x) => F.dropout(x!, { p: 0.3, training: false }),
  },
  {
    name: 'dropout2d_train',
    inputs: '[randn(2, 8, 3, 3)]',
    py: 'lambda x: F.dropout2d(x, 0.5, True)',
    ts: (x) => F.dropout2d(x!, 0.5, true),
    seed: 14,
  },
  // ---- pooling
  {
    name: 'lp_pool1d',
    inputs: '[rand(2, 3, 9) + 0.1]',
    py: 'lambda x: F.lp_pool1d(x, 2, 3, stride=2)',
    ts: (x) => F.lpPool1d(x!, 2, 3, { stride: 2 }),
  },
  {
    name: 'lp_pool2d',
    inputs: '[rand(2, 3, 6, 7) + 0.1]',
    py: 'lambda x: F.lp_pool2d(x, 3.0, (2, 3), ceil_mode=True)',
    ts: (x) => F.lpPool2d(x!, 3, [2, 3], { ceilMode: true }),
  },
  {
    name: 'lp_pool3d',
    inputs: '[rand(1, 2, 4, 4, 4) + 0.1]',
    py: 'lambda x: F.lp_pool3d(x, 1.5, 2)',
    ts: (x) => F.lpPool3d(x!, 1.5, 2),
  },
  {
    name: 'max_unpool1d',
    inputs: '[randn(2, 3, 8)]',
    py: 'lambda x: F.max_unpool1d(*F.max_pool1d(x, 2, return_indices=True), 2)',
    ts: (x) => {
      const [o, i] = F.maxPool1d(x!, 2, { returnIndices: true });
      return F.maxUnpool1d(o, i, 2);
    },
  },
  {
    name: 'max_unpool2d_size',
    inputs: '[randn(1, 2, 5, 5)]',
    py: 'lambda x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2, output_size=[5, 5])',
    ts: (x) => {
      const [o, i] = F.maxPool2d(x!, 2, { returnIndices: true });
      return F.maxUnpool2d(o, i, 2, { outputSize: [5, 5] });
    },
  },
  {
    name: 'max_unpool3d',
    inputs: '[randn(1, 2, 4, 4, 4)]',
    py: 'lambda x: F.max_unpool3d(*F.max_pool3d(x, 2, stride=2, return_indices=True), 2, 2)',
    ts: (x) => {
      const [o, i] = F.maxPool3dWithIndices(x!, 2, 2);
      return F.maxUnpool3d(o, i, 2, 2);
    },
  },
  {
    name: 'max_pool2d_with_indices',
    inputs: '[randn(1, 2, 6, 6)]',
    py: 'lambda x: F.max_pool2d_with_indices(x, 3, 2, 1)',
    ts: (x) => F.maxPool2dWithIndices(x!, 3, 2, 1),
  },
  {
    name: 'max_pool1d_positional_indices',
    inputs: '[randn(1, 2, 9)]',
    py: 'lambda x: F.max_pool1d(x, 3, 2, 1, 1, False, True)',
    ts: (x) => F.maxPool1d(x!, 3, 2, 1, 1, false, true),
  },
  {
    name: 'adaptive_max_pool2d_with_indices',
    inputs: '[randn(1, 2, 7, 5)]',
    py: 'lambda x: F.adaptive_max_pool2d_with_indices(x, (3, 2))',
    ts: (x) => F.adaptiveMaxPool2dWithIndices(x!, [3, 2]),
  },
  {
    name: 'avg_pool2d_positional',
    inputs: '[randn(1, 2, 7, 6)]',
    py: 'lambda x: F.avg_pool2d(x, 3, 2, 1, True, False)',
    ts: (x) => F.avgPool2d(x!, 3, 2, 1, true, false),
  },
  {
    name: 'fractional_max_pool2d',
    inputs: '[randn(2, 3, 9, 9), rand(2, 3, 2)]',
    nograd: [1],
    py: 'lambda x, s: F.fractional_max_pool2d(x, 2, output_size=(5, 4), return_indices=True, _random_samples=s)',
    ts: (x, s) =>
      F.fractionalMaxPool2d(x!, 2, { outputSize: [5, 4], returnIndices: true, randomSamples: s }) as Tensor[],
  },
  {
    name: 'fractional_max_pool3d_ratio',
    inputs: '[randn(1, 2, 6, 6, 6), rand(1, 2, 3)]',
    nograd: [1],
    py: 'lambda x, s: F.fractional_max_pool3d(x, 2, output_ratio=0.5, _random_samples=s)',
    ts: (x, s) => F.fractionalMaxPool3d(x!, 2, { outputRatio: 0.5, randomSamples: s }) as Tensor,
  },
  // ---- convolution, folding
  {
    name: 'conv2d_same',
    inputs: '[randn(1, 2, 6, 6), randn(3, 2, 3, 3), randn(3)]',
    py: "lambda x, w, b: F.conv2d(x, w, b, padding='same', dilation=2)",
    ts: (x, w, b) => F.conv2d(x!, w!, b, { padding: 'same', dilation: 2 }),
  },
  {
    name: 'conv1d_positional',
    inputs: '[randn(2, 4, 9), randn(6, 2, 3)]',
    py: 'lambda x, w: F.conv1d(x, w, None, 2, 1, 1, 2)',
    ts: (x, w) => F.conv1d(x!, w!, null, 2, 1, 1, 2),
  },
  {
    name: 'conv_transpose2d_kw',
    inputs: '[randn(1, 2, 4, 4), randn(2, 3, 3, 3)]',
    py: 'lambda x, w: F.conv_transpose2d(x, w, stride=2, output_padding=1)',
    ts: (x, w) => F.convTranspose2d(x!, w!, { stride: 2, outputPadding: 1 }),
  },
  {
    name: 'conv_tbc',
    inputs: '[randn(7, 2, 3), randn(3, 3, 4), randn(4)]',
    py: 'lambda x, w, b: F.conv_tbc(x, w, b, 1)',
    ts: (x, w, b) => F.convTbc(x!, w!, b!, 1),
  },
  {
    name: 'unfold',
    inputs: '[randn(2, 3, 6, 5)]',
    py: 'lambda x: F.unfold(x, (2, 3), dilation=1, padding=1, stride=2)',
    ts: (x) => F.unfold(x!, [2, 3], { padding: 1, stride: 2 }),
  },
  {
    name: 'fold',
    inputs: '[randn(2, 12, 12)]',
    py: 'lambda x: F.fold(x, (4, 5), 2, stride=1)',
    ts: (x) => F.fold(x!, [4, 5], 2, { stride: 1 }),
  },
  // ---- normalization
  {
    name: 'batch_norm_positional',
    inputs: '[randn(4, 3, 5), randn(3), rand(3) + 0.5, randn(3), randn(3)]',
    nograd: [1, 2],
    py: 'lambda x, rm, rv, w, b: F.batch_norm(x, rm.clone(), rv.clone(), w, b, True, 0.2)',
    ts: (x, rm, rv, w, b) => F.batchNorm(x!, rm!.clone(), rv!.clone(), w, b, true, 0.2),
  },
  {
    name: 'batch_norm_eval_kw',
    inputs: '[randn(4, 3), randn(3), rand(3) + 0.5]',
    nograd: [1, 2],
    py: 'lambda x, rm, rv: F.batch_norm(x, rm, rv, eps=1e-3)',
    ts: (x, rm, rv) => F.batchNorm(x!, { runningMean: rm, runningVar: rv, eps: 1e-3 }),
  },
  {
    name: 'instance_norm',
    inputs: '[randn(2, 3, 6), randn(3), randn(3)]',
    py: 'lambda x, w, b: F.instance_norm(x, weight=w, bias=b)',
    ts: (x, w, b) => F.instanceNorm(x!, { weight: w, bias: b }),
  },
  {
    name: 'group_norm_kw',
    inputs: '[randn(2, 4, 5), randn(4), randn(4)]',
    py: 'lambda x, w, b: F.group_norm(x, 2, w, eps=1e-3)',
    ts: (x, w) => F.groupNorm(x!, 2, w, { eps: 1e-3 }),
  },
  {
    name: 'layer_norm_kw',
    inputs: '[randn(2, 3, 4), randn(3, 4)]',
    py: 'lambda x, w: F.layer_norm(x, (3, 4), weight=w)',
    ts: (x, w) => F.layerNorm(x!, [3, 4], { weight: w }),
  },
  {
    name: 'rms_norm',
    inputs: '[randn(2, 3, 4), randn(4)]',
    py: 'lambda x, w: [F.rms_norm(x, [4], w), F.rms_norm(x, (3, 4), eps=1e-3)]',
    ts: (x, w) => [F.rmsNorm(x!, [4], w), F.rmsNorm(x!, [3, 4], { eps: 1e-3 })],
  },
  {
    name: 'local_response_norm',
    inputs: '[randn(2, 6, 5), randn(2, 6, 3, 4)]',
    py: 'lambda a, b: [F.local_response_norm(a, 3), F.local_response_norm(b, 2, alpha=1e-2, beta=0.5, k=2.0)]',
    ts: (a, b) => [F.localResponseNorm(a!, 3), F.localResponseNorm(b!, 2, { alpha: 1e-2, beta: 0.5, k: 2 })],
  },
  {
    name: 'normalize',
    inputs: '[randn(3, 4)]',
    py: 'lambda x: [F.normalize(x), F.normalize(x, p=1, dim=0), F.normalize(x, 3.0, -1, 1e-3)]',
    ts: (x) => [F.normalize(x!), F.normalize(x!, { p: 1, dim: 0 }), F.normalize(x!, 3, -1, 1e-3)],
  },
  // ---- padding
  {
    name: 'pad_constant',
    inputs: '[randn(2, 3, 4)]',
    py: 'lambda x: F.pad(x, (1, 2, 0, 1), value=1.5)',
    ts: (x) => F.pad(x!, [1, 2, 0, 1], { value: 1.5 }),
  },
  { name: 'pad_crop', inputs: '[randn(2, 3, 4)]', py: 'lambda x: F.pad(x, (-1, 1))', ts: (x) => F.pad(x!, [-1, 1]) },
  {
    name: 'pad_modes',
    inputs: '[randn(1, 2, 4), randn(1, 2, 4, 5), randn(1, 2, 3, 4, 5)]',
    py:
      "lambda a, b, c: [F.pad(a, (2, 1), 'reflect'), F.pad(b, (1, 2, 2, 1), mode='replicate'), " +
      "F.pad(c, (1, 1, 2, 0, 1, 2), mode='circular'), F.pad(b, (1, 1, 1, 1), 'reflect'), F.pad(a, (3, 1), " +
      "'circular')]",
    ts: (a, b, c) => [
      F.pad(a!, [2, 1], 'reflect'),
      F.pad(b!, [1, 2, 2, 1], { mode: 'replicate' }),
      F.pad(c!, [1, 1, 2, 0, 1, 2], { mode: 'circular' }),
      F.pad(b!, [1, 1, 1, 1], 'reflect'),
      F.pad(a!, [3, 1], 'circular'),
    ],
  },
  // ---- distances
  {
    name: 'cosine_similarity',
    inputs: '[randn(3, 5), randn(1, 5)]',
    py: 'lambda a, b: [F.cosine_similarity(a, b), F.cosine_similarity(a, b, dim=-1, eps=0.5)]',
    ts: (a, b) => [F.cosineSimilarity(a!, b!), F.cosineSimilarity(a!, b!, { dim: -1, eps: 0.5 })],
  },
  {
    name: 'pairwise_distance',
    inputs: '[randn(3, 5), randn(3, 5)]',
    py: 'lambda a, b: [F.pairwise_distance(a, b), F.pairwise_distance(a, b, p=1.0, keepdim=True)]',
    ts: (a, b) => [F.pairwiseDistance(a!, b!), F.pairwiseDistance(a!, b!, { p: 1, keepdim: true })],
  },
  {
    name: 'pdist',
    inputs: '[randn(4, 3)]',
    py: 'lambda x: [F.pdist(x), F.pdist(x, p=3)]',
    ts: (x) => [F.pdist(x!), F.pdist(x!, { p: 3 })],
  },
  // ---- losses
  {
    name: 'cross_entropy_kw',
    inputs: '[randn(4, 5), torch.tensor([0, 4, 2, 1]), rand(5)]',
    nograd: [2],
    py: "lambda x, y, w: F.cross_entropy(x, y, weight=w, label_smoothing=0.1, reduction='sum')",
    ts: (x, y, w) => F.crossEntropy(x!, y!, { weight: w, labelSmoothing: 0.1, reduction: 'sum' }),
  },
  {
    name: 'nll_loss_positional',
    inputs: '[randn(4, 5).log_softmax(1), torch.tensor([0, 4, 2, 1])]',
    py: 'lambda x, y: F.nll_loss(x, y, None, ignore_index=2)',
    ts: (x, y) => F.nllLoss(x!, y!, null, 2),
  },
  {
    name: 'bce_weight',
    inputs: '[rand(3, 4) * 0.9 + 0.05, rand(3, 4), rand(4)]',
    nograd: [1, 2],
    py: 'lambda x, y, w: F.binary_cross_entropy(x, y, w)',
    ts: (x, y, w) => F.binaryCrossEntropy(x!, y!, w),
  },
  {
    name: 'bce_logits_pos_weight',
    inputs: '[randn(3, 4), rand(3, 4), rand(4) + 0.5]',
    nograd: [1, 2],
    py: "lambda x, y, pw: F.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction='none')",
    ts: (x, y, pw) => F.binaryCrossEntropyWithLogits(x!, y!, { posWeight: pw, reduction: 'none' }),
  },
  {
    name: 'mse_l1_weighted',
    inputs: '[randn(3, 4), randn(3, 4), rand(3, 4)]',
    nograd: [2],
    py:
      "lambda x, y, w: [F.mse_loss(x, y, weight=w), F.l1_loss(x, y, reduction='sum', weight=w), " +
      "F.mse_loss(x, y, reduction='none'), F.l1_loss(x, y)]",
    ts: (x, y, w) => [
      F.mseLoss(x!, y!, { weight: w }),
      F.l1Loss(x!, y!, 'sum', w),
      F.mseLoss(x!, y!, 'none'),
      F.l1Loss(x!, y!),
    ],
  },
  {
    name: 'huber',
    inputs: '[randn(3, 4) * 2, randn(3, 4), rand(3, 4)]',
    nograd: [2],
    py: "lambda x, y, w: [F.huber_loss(x, y, delta=0.5), F.huber_loss(x, y, 'sum', 1.5), F.huber_loss(x, y, weight=w)]",
    ts: (x, y, w) => [
      F.huberLoss(x!, y!, { delta: 0.5 }),
      F.huberLoss(x!, y!, 'sum', 1.5),
      F.huberLoss(x!, y!, { weight: w }),
    ],
  },
  {
    name: 'smooth_l1',
    inputs: '[randn(3, 4) * 2, randn(3, 4)]',
    py:
      'lambda x, y: [F.smooth_l1_loss(x, y), F.smooth_l1_loss(x, y, beta=0.3), ' +
      "F.smooth_l1_loss(x, y, reduction='none', beta=0.0)]",
    ts: (x, y) => [F.smoothL1Loss(x!, y!), F.smoothL1Loss(x!, y!, { beta: 0.3 }), F.smoothL1Loss(x!, y!, 'none', 0)],
  },
  {
    name: 'kl_div',
    inputs: '[randn(3, 5).log_softmax(1), randn(3, 5).softmax(1)]',
    py:
      "lambda x, y: [F.kl_div(x, y, reduction='batchmean'), F.kl_div(x, y.log(), " +
      "reduction='sum', log_target=True), F.kl_div(x, y, reduction='none')]",
    ts: (x, y) => [
      F.klDiv(x!, y!, { reduction: 'batchmean' }),
      F.klDiv(x!, y!.log(), 'sum', true),
      F.klDiv(x!, y!, { reduction: 'none' }),
    ],
  },
  {
    name: 'poisson_nll',
    inputs: '[randn(3, 4), rand(3, 4) * 5]',
    nograd: [1],
    py: 'lambda x, y: [F.poisson_nll_loss(x, y), F.poisson_nll_loss(x.exp(), y, log_input=False, full=True)]',
    ts: (x, y) => [F.poissonNllLoss(x!, y!), F.poissonNllLoss(x!.exp(), y!, { logInput: false, full: true })],
  },
  {
    name: 'gaussian_nll',
    inputs: '[randn(4, 3), randn(4, 3), rand(4) + 0.1, rand(4, 3) + 0.1]',
    py:
      'lambda x, y, v1, v2: [F.gaussian_nll_loss(x, y, v1), ' +
      "F.gaussian_nll_loss(x, y, v2, full=True, reduction='sum'), F.gaussian_nll_loss(x, y, v1.unsqueeze(1), " +
      'eps=0.5)]',
    ts: (x, y, v1, v2) => [
      F.gaussianNllLoss(x!, y!, v1!),
      F.gaussianNllLoss(x!, y!, v2!, { full: true, reduction: 'sum' }),
      F.gaussianNllLoss(x!, y!, v1!.unsqueeze(1), { eps: 0.5 }),
    ],
  },
  {
    name: 'margin_losses',
    inputs: '[randn(4, 5), randn(4, 5), torch.tensor([1., -1., 1., -1.]), randn(4), randn(4)]',
    nograd: [2],
    py:
      'lambda a, b, y, c, d: [F.cosine_embedding_loss(a, b, y, margin=0.2), F.margin_ranking_loss(c, d, y, 0.1), ' +
      'F.hinge_embedding_loss(c, y), F.soft_margin_loss(c, y, reduction="sum")]',
    ts: (a, b, y, c, d) => [
      F.cosineEmbeddingLoss(a!, b!, y!, { margin: 0.2 }),
      F.marginRankingLoss(c!, d!, y!, 0.1),
      F.hingeEmbeddingLoss(c!, y!),
      F.softMarginLoss(c!, y!, { reduction: 'sum' }),
    ],
  },
  {
    name: 'multi_margin',
    inputs: '[randn(4, 5), torch.tensor([0, 3, 4, 1]), rand(5)]',
    nograd: [2],
    py: 'lambda x, y, w: [F.multi_margin_loss(x, y), F.multi_margin_loss(x, y, p=2, margin=0.5, weight=w)]',
    ts: (x, y, w) => [F.multiMarginLoss(x!, y!), F.multiMarginLoss(x!, y!, { p: 2, margin: 0.5, weight: w })],
  },
  {
    name: 'multilabel',
    inputs:
      '[randn(3, 4), torch.tensor([[3, 0, -1, 1], [0, 1, 2, 3], [1, -1, 0, 0]]), (rand(3, 4) > 0.5).float(), rand(4)]',
    nograd: [2, 3],
    py:
      'lambda x, y, t, w: [F.multilabel_margin_loss(x, y), F.multilabel_soft_margin_loss(x, t), ' +
      'F.multilabel_soft_margin_loss(x, t, w, reduction="none")]',
    ts: (x, y, tt, w) => [
      F.multilabelMarginLoss(x!, y!),
      F.multilabelSoftMarginLoss(x!, tt!),
      F.multilabelSoftMarginLoss(x!, tt!, w, { reduction: 'none' }),
    ],
  },
  {
    name: 'triplet',
    inputs: '[randn(4, 5), randn(4, 5), randn(4, 5)]',
    py:
      'lambda a, p, n: [F.triplet_margin_loss(a, p, n), F.triplet_margin_loss(a, p, n, margin=2.0, p=1, swap=True), ' +
      'F.triplet_margin_with_distance_loss(a, p, n, distance_function=lambda u, v: 1 - F.cosine_similarity(u, v), ' +
      'margin=0.5, swap=True)]',
    ts: (a, p, n) => [
      F.tripletMarginLoss(a!, p!, n!),
      F.tripletMarginLoss(a!, p!, n!, { margin: 2, p: 1, swap: true }),
      F.tripletMarginWithDistanceLoss(a!, p!, n!, {
        distanceFunction: (u, v) => F.cosineSimilarity(u, v).neg().add(1),
        margin: 0.5,
        swap: true,
      }),
    ],
  },
  {
    name: 'ctc_loss',
    inputs:
      '[randn(12, 2, 5).log_softmax(2), torch.tensor([[1, 2, 2, 3], [4, 1, 0, 0]]), torch.tensor([12, 10]), ' +
      'torch.tensor([4, 2])]',
    py:
      'lambda lp, tg, il, tl: [F.ctc_loss(lp, tg, il, tl), F.ctc_loss(lp, tg, [12, 10], [4, 2], ' +
      "reduction='sum', zero_infinity=True)]",
    ts: (lp, tg, il, tl) => [
      F.ctcLoss(lp!, tg!, il!, tl!),
      F.ctcLoss(lp!, tg!, [12, 10], [4, 2], { reduction: 'sum', zeroInfinity: true }),
    ],
  },
  {
    name: 'linear_cross_entropy',
    inputs: '[randn(4, 3), randn(5, 3), torch.tensor([1, 0, 4, 2]), randn(5), randn(4, 5).softmax(1)]',
    nograd: [4],
    py:
      'lambda x, w, y, b, p: [F.linear_cross_entropy(x, w, y, linear_bias=b, label_smoothing=0.2), ' +
      "F.linear_cross_entropy(x, w, p, reduction='none'), F.linear_cross_entropy(x[0], w, y[0])]",
    ts: (x, w, y, b, p) => [
      F.linearCrossEntropy(x!, w!, y!, { linearBias: b, labelSmoothing: 0.2 }),
      F.linearCrossEntropy(x!, w!, p!, { reduction: 'none' }),
      F.linearCrossEntropy(x!.select(0, 0), w!, y!.select(0, 0)),
    ],
  },
  // ---- vision
  {
    name: 'grid_sample',
    inputs: '[randn(1, 2, 5, 6), rand(1, 3, 4, 2) * 2.4 - 1.2]',
    py:
      "lambda x, g: [F.grid_sample(x, g, align_corners=False), F.grid_sample(x, g, 'nearest', 'border', True), " +
      "F.grid_sample(x, g, mode='bicubic', padding_mode='reflection', align_corners=False)]",
    ts: (x, g) => [
      F.gridSample(x!, g!, { alignCorners: false }),
      F.gridSample(x!, g!, 'nearest', 'border', true),
      F.gridSample(x!, g!, { mode: 'bicubic', paddingMode: 'reflection', alignCorners: false }),
    ],
  },
  {
    name: 'grid_sample_3d',
    inputs: '[randn(1, 2, 3, 4, 5), rand(1, 2, 3, 2, 3) * 2 - 1]',
    py: 'lambda x, g: F.grid_sample(x, g, align_corners=True)',
    ts: (x, g) => F.gridSample(x!, g!, { alignCorners: true }),
  },
  {
    name: 'affine_grid',
    inputs: '[randn(2, 2, 3), randn(1, 3, 4)]',
    py: 'lambda a, b: [F.affine_grid(a, [2, 3, 4, 5], align_corners=False), F.affine_grid(b, (1, 1, 2, 3, 4), True)]',
    ts: (a, b) => [F.affineGrid(a!, [2, 3, 4, 5], { alignCorners: false }), F.affineGrid(b!, [1, 1, 2, 3, 4], true)],
  },
  // ---- embedding, one-hot, linear, upsampling, attention
  {
    name: 'embedding_kw',
    inputs: '[torch.tensor([[1, 2], [0, 3]]), randn(5, 3)]',
    py: 'lambda i, w: F.embedding(i, w, padding_idx=0)',
    ts: (i, w) => F.embedding(i!, w!, { paddingIdx: 0 }),
  },
  {
    name: 'embedding_bag',
    inputs:
      '[torch.tensor([1, 2, 4, 5, 4, 3, 2, 9]), torch.tensor([0, 4]), randn(10, 3), rand(8), ' +
      'torch.tensor([[1, 2, 3], [4, 4, 0]])]',
    nograd: [3],
    py:
      'lambda i, off, w, psw, i2: [F.embedding_bag(i, w, off), ' +
      "F.embedding_bag(i, w, off, mode='sum', per_sample_weights=psw), F.embedding_bag(i2, w, mode='max'), " +
      'F.embedding_bag(i, w, off, padding_idx=4, include_last_offset=True)]',
    ts: (i, off, w, psw, i2) => [
      F.embeddingBag(i!, w!, off),
      F.embeddingBag(i!, w!, off, { mode: 'sum', perSampleWeights: psw }),
      F.embeddingBag(i2!, w!, { mode: 'max' }),
      F.embeddingBag(i!, w!, off, { paddingIdx: 4, includeLastOffset: true }),
    ],
  },
  {
    name: 'one_hot',
    inputs: '[torch.tensor([0, 2, 1])]',
    py: 'lambda y: [F.one_hot(y), F.one_hot(y, num_classes=4)]',
    ts: (y) => [F.oneHot(y!), F.oneHot(y!, { numClasses: 4 })],
  },
  {
    name: 'linear_bilinear',
    inputs: '[randn(3, 4), randn(5, 4), randn(5), randn(3, 2), randn(6, 4, 2), randn(6)]',
    py: 'lambda x, w, b, x2, wb, bb: [F.linear(x, w, bias=b), F.linear(x, w), F.bilinear(x, x2, wb, bb)]',
    ts: (x, w, b, x2, wb, bb) => [F.linear(x!, w!, { bias: b }), F.linear(x!, w!), F.bilinear(x!, x2!, wb!, bb)],
  },
  {
    name: 'interpolate_positional',
    inputs: '[randn(1, 2, 3, 4)]',
    py:
      "lambda x: [F.interpolate(x, (5, 6), None, 'bilinear', True), F.upsample(x, scale_factor=2), " +
      'F.upsample_nearest(x, (6, 8)), F.upsample_bilinear(x, scale_factor=2)]',
    ts: (x) => [
      F.interpolate(x!, [5, 6], null, 'bilinear', true),
      F.upsample(x!, { scaleFactor: 2 }),
      F.upsampleNearest(x!, [6, 8]),
      F.upsampleBilinear(x!, { scaleFactor: 2 }),
    ],
  },
  {
    name: 'shuffles',
    inputs: '[randn(1, 6, 2, 2), randn(1, 4, 2, 2)]',
    py:
      'lambda a, b: [F.channel_shuffle(a, 3), F.native_channel_shuffle(a.detach(), 2), F.pixel_shuffle(b, 2), ' +
      'F.pixel_unshuffle(b, 2)]',
    ts: (a, b) => [
      F.channelShuffle(a!, 3),
      F.nativeChannelShuffle(a!.detach(), 2),
      F.pixelShuffle(b!, 2),
      F.pixelUnshuffle(b!, 2),
    ],
  },
  {
    name: 'multi_head_attention_forward_python_signature',
    inputs:
      '[randn(4, 2, 8), randn(5, 2, 8), randn(5, 2, 8), randn(24, 8), randn(24), randn(8, 8), randn(8), ' +
      'randn(1, 1, 8), randn(1, 1, 8), torch.tensor([[False] * 5, [False] * 4 + [True]])]',
    py:
      'lambda q, k, v, w, b, ow, ob, bk, bv, kpm: [*F.multi_head_attention_forward(q, k, v, 8, 2, w, b, None, ' +
      'None, False, 0.0, ow, ob), *F.multi_head_attention_forward(q, k, v, 8, 2, w, b, bk, bv, True, 0.0, ow, ob, ' +
      'key_padding_mask=kpm, average_attn_weights=False), *F.multi_head_attention_forward(q, k, v, 8, 2, None, b, ' +
      'None, None, False, 0.0, ow, None, use_separate_proj_weight=True, q_proj_weight=w[:8], k_proj_weight=w[8:16], ' +
      'v_proj_weight=w[16:], need_weights=False)]',
    ts: (q, k, v, w, b, ow, ob, bk, bv, kpm) =>
      [
        ...F.multiHeadAttentionForward(q!, k!, v!, 8, 2, w!, b!, null, null, false, 0, ow!, ob!),
        ...F.multiHeadAttentionForward(q!, k!, v!, 8, 2, w!, b!, bk!, bv!, true, 0, ow!, ob!, {
          keyPaddingMask: kpm,
          averageAttnWeights: false,
        }),
        ...F.multiHeadAttentionForward(q!, k!, v!, 8, 2, null, b!, null, null, false, 0, ow!, null, {
          useSeparateProjWeight: true,
          qProjWeight: w!.narrow(0, 0, 8),
          kProjWeight: w!.narrow(0, 8, 8),
          vProjWeight: w!.narrow(0, 16, 8),
          needWeights: false,
        }),
      ].filter((t): t is Tensor => t !== null),
  },
  {
    name: 'sdpa_kw',
    inputs: '[randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 4)]',
    py: 'lambda q, k, v: F.scaled_dot_product_attention(q, k, v, scale=0.3)',
    ts: (q, k, v) => F.scaledDotProductAttention(q!, k!, v!, { scale: 0.3 }),
  },
];

const PY = String.raw`
import json, sys, torch, warnings
import torch.nn.functional as F
warnings.simplefilter('ignore')
cases = json.load(open(sys.argv[1]))
randn, rand = torch.randn, torch.rand
def flat(v):
    if v is None: return []
    if isinstance(v, torch.Tensor): return [v]
    return [t for e in v for t in flat(e)]
res = {}
for i, c in enumerate(cases):
    torch.manual_seed(2000 + i)
    xs = eval(c['inputs'])
    xs = [x.detach().requires_grad_() if x.is_floating_point() and j not in c['nograd'] else x for j, x in enumerate(xs)]
    if c['seed'] is not None: torch.manual_seed(c['seed'])
    outs = flat(eval(c['py'])(*xs))
    gs = [torch.randn_like(o) if o.requires_grad else None for o in outs]
    loss = sum((o * g).sum() for o, g in zip(outs, gs) if g is not None)
    if isinstance(loss, torch.Tensor): loss.backward()
    res[c['name']] = {'inputs': [x.detach() for x in xs], 'grad': [x.requires_grad for x in xs], 'outs': [o.detach() for o in outs], 'gs': gs, 'gin': [x.grad for x in xs]}
torch.save(res, sys.argv[2])
`;

type Rec = Map<string | number, Loaded>;
const values = (x: Tensor): Float64Array => torch.tidy(() => x.detach().double().toTypedArray() as Float64Array);
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
    if (Number.isNaN(b[i]!) || !Number.isFinite(b[i]!)) {
      expect(a[i], `${what}[${i}]`).toBe(b[i]);
      continue;
    }
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  expect(err / scale, `${what}: max abs diff ${err} (scale ${scale})`).toBeLessThanOrEqual(TOL);
}
const flatTensors = (v: unknown): Tensor[] =>
  v === null || v === undefined ? [] : Array.isArray(v) ? v.flatMap(flatTensors) : [v as Tensor];

describe.skipIf(!py)('nn.functional vs PyTorch (keyword options and positional arguments)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nn-functional-'));
  let ref: Rec;
  it('Python reference run', () => {
    const spec = join(dir, 'cases.json');
    writeFileSync(
      spec,
      JSON.stringify(
        CASES.map((c) => ({ name: c.name, inputs: c.inputs, py: c.py, nograd: c.nograd ?? [], seed: c.seed ?? null })),
      ),
    );
    runPython(PY, [spec, join(dir, 'ref.pth')]);
    ref = torch.load(join(dir, 'ref.pth')) as Rec;
    expect([...ref.keys()]).toEqual(CASES.map((c) => c.name));
  });
  for (const c of CASES) {
    it(c.name, () => {
      const r = ref.get(c.name) as Rec;
      const before = torch.memory().liveTensors;
      torch.tidy(() => {
        const grad = r.get('grad') as boolean[];
        const xs = (r.get('inputs') as Tensor[]).map((x, i) => (grad[i] ? x.clone().requiresGrad_() : x));
        if (c.seed !== undefined) torch.manualSeed(c.seed);
        const outs = flatTensors(c.ts(...xs));
        const refOuts = r.get('outs') as Tensor[];
        expect(outs.length, 'number of outputs').toBe(refOuts.length);
        outs.forEach((o, i) => expectClose(o, refOuts[i]!, `output ${i}`));
        const gs = r.get('gs') as (Tensor | null)[];
        const terms = outs.flatMap((o, i) => (gs[i] ? [o.mul(gs[i]!).sum()] : []));
        if (terms.length) terms.reduce((a, b) => a.add(b)).backward();
        (r.get('gin') as (Tensor | null)[]).forEach((g, i) => {
          if (g) expectClose(xs[i]!.grad!, g, `grad of input ${i}`);
          else if (grad[i]) expect(xs[i]!.grad, `input ${i} has no grad`).toBeNull();
        });
      });
      expect(torch.memory().liveTensors, 'live tensors').toBe(before);
    });
  }
});

describe("the argument rule: Python's errors", () => {
  it('too many positionals, a value given twice, an unknown keyword; positional and keyword forms agree', () => {
    torch.tidy(() => {
      const x = torch.randn([3, 4]);
      expect(() => (F.softmax as (...a: unknown[]) => Tensor)(x, 1, 'float32', 3)).toThrow(
        /softmax\(\) takes at most 2 optional positional arguments \(dim, dtype\) but 3 were given/,
      );
      expect(() => (F.dropout as (...a: unknown[]) => Tensor)(x, 0.5, { p: 0.2 })).toThrow(
        /dropout\(\) got multiple values for argument 'p'/,
      );
      expect(() => (F.softmax as (...a: unknown[]) => Tensor)(x, { dimm: 1 })).toThrow(
        /softmax\(\) got an unexpected keyword argument 'dimm' \(expected one of dim, dtype\)/,
      );
      expect(() => (F.tripletMarginWithDistanceLoss as (...a: unknown[]) => Tensor)(x, x, x, { p: 2 })).toThrow(
        /unexpected keyword argument 'p'/,
      );
      const a = F.dropout(x, 0.5, false),
        b = F.dropout(x, { p: 0.5, training: false });
      expect(a.sub(b).abs().max().item()).toBe(0);
      expect(
        F.leakyRelu(x, 0.2)
          .sub(F.leakyRelu(x, { negativeSlope: 0.2 }))
          .abs()
          .max()
          .item(),
      ).toBe(0);
      expect(() => F.pad(x, [1, 1], 'reflect', 2)).toThrow(/padding mode 'reflect' doesn't take in value argument/);
      expect(() =>
        F.gridSample(x.view([1, 1, 3, 4]), torch.zeros([1, 1, 1, 2]), { mode: 'cubic' as 'bicubic' }),
      ).toThrow(/expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: 'cubic'/);
    });
  });
});
