// The layers added after test/nn-layers.test.ts against live PyTorch with identical weights (same
// harness: test-support/layer-cases.ts): padding, shrink/threshold activations, distances, the
// remaining losses, LP / unpooling / fractional pooling, RMSNorm / LRN, Fold / Unfold, shuffles,
// Bilinear, EmbeddingBag, ParameterList / ParameterDict, Transformer, packed sequences through
// RNN / LSTM / GRU, weight and spectral norm, forward hooks.
import * as torch from '../lib/torch/index.js';
import * as nn from '../lib/nn/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { describeLayerCases, type LayerCase } from '../test-support/layer-cases.js';

const F = nn.functional;
const R = nn.utils.rnn;
// Same ATen kernels on the same float32 data: only summation order differs (see nn-layers.test.ts).
const TOL = 1e-5;
type Fn = (...x: Tensor[]) => unknown;
const call = (m: nn.Module, ...x: Tensor[]): unknown => (m as unknown as Fn)(...x);

const CASES: LayerCase[] = [
  // ---- padding
  { name: 'zeropad1d', py: 'nn.ZeroPad1d(2)', inputs: '[randn(2, 3, 4)]', make: () => new nn.ZeroPad1d(2) },
  {
    name: 'zeropad2d',
    py: 'nn.ZeroPad2d((1, 2, 3, 0))',
    inputs: '[randn(2, 3, 4)]',
    make: () => new nn.ZeroPad2d([1, 2, 3, 0]),
  },
  { name: 'zeropad3d', py: 'nn.ZeroPad3d(1)', inputs: '[randn(1, 2, 2, 3, 2)]', make: () => new nn.ZeroPad3d(1) },
  {
    name: 'constantpad1d',
    py: 'nn.ConstantPad1d((1, 2), 3.5)',
    inputs: '[randn(3, 4)]',
    make: () => new nn.ConstantPad1d([1, 2], 3.5),
  },
  {
    name: 'constantpad2d',
    py: 'nn.ConstantPad2d(1, -1)',
    inputs: '[randn(1, 2, 3, 3)]',
    make: () => new nn.ConstantPad2d(1, -1),
  },
  {
    name: 'constantpad3d',
    py: 'nn.ConstantPad3d((1, 0, 0, 1, 2, 0), 2)',
    inputs: '[randn(2, 2, 2, 2)]',
    make: () => new nn.ConstantPad3d([1, 0, 0, 1, 2, 0], 2),
  },
  {
    name: 'reflectionpad1d',
    py: 'nn.ReflectionPad1d((3, 1))',
    inputs: '[randn(2, 3, 5)]',
    make: () => new nn.ReflectionPad1d([3, 1]),
  },
  {
    name: 'reflectionpad2d',
    py: 'nn.ReflectionPad2d(2)',
    inputs: '[randn(1, 2, 4, 5)]',
    make: () => new nn.ReflectionPad2d(2),
  },
  {
    name: 'reflectionpad3d',
    py: 'nn.ReflectionPad3d(1)',
    inputs: '[randn(1, 2, 3, 3, 3)]',
    make: () => new nn.ReflectionPad3d(1),
  },
  {
    name: 'replicationpad1d',
    py: 'nn.ReplicationPad1d(2)',
    inputs: '[randn(2, 3, 4)]',
    make: () => new nn.ReplicationPad1d(2),
  },
  {
    name: 'replicationpad2d',
    py: 'nn.ReplicationPad2d((1, 0, 2, 1))',
    inputs: '[randn(2, 3, 4)]',
    make: () => new nn.ReplicationPad2d([1, 0, 2, 1]),
  },
  {
    name: 'replicationpad3d',
    py: 'nn.ReplicationPad3d(1)',
    inputs: '[randn(1, 1, 2, 3, 4)]',
    make: () => new nn.ReplicationPad3d(1),
  },
  {
    name: 'circularpad1d',
    py: 'nn.CircularPad1d((2, 1))',
    inputs: '[randn(2, 3, 4)]',
    make: () => new nn.CircularPad1d([2, 1]),
  },
  {
    name: 'circularpad2d',
    py: 'nn.CircularPad2d(1)',
    inputs: '[randn(1, 2, 3, 4)]',
    make: () => new nn.CircularPad2d(1),
  },
  {
    name: 'circularpad3d',
    py: 'nn.CircularPad3d((1, 1, 0, 2, 1, 0))',
    inputs: '[randn(1, 2, 3, 3, 3)]',
    make: () => new nn.CircularPad3d([1, 1, 0, 2, 1, 0]),
  },
  // ---- activations
  { name: 'hardshrink', py: 'nn.Hardshrink(0.3)', inputs: '[randn(4, 5)]', make: () => new nn.Hardshrink(0.3) },
  { name: 'softshrink', py: 'nn.Softshrink()', inputs: '[randn(4, 5)]', make: () => new nn.Softshrink() },
  {
    name: 'rrelu_eval',
    py: 'nn.RReLU(0.1, 0.3)',
    inputs: '[randn(4, 5)]',
    make: () => new nn.RReLU(0.1, 0.3),
    train: false,
  },
  {
    name: 'rrelu_kw_repr',
    py: 'nn.RReLU(upper=0.4)',
    inputs: '[randn(4, 5)]',
    make: () => new nn.RReLU({ upper: 0.4 }),
    train: false,
  },
  { name: 'threshold', py: 'nn.Threshold(0.1, 20)', inputs: '[randn(4, 5)]', make: () => new nn.Threshold(0.1, 20) },
  { name: 'softmax2d', py: 'nn.Softmax2d()', inputs: '[randn(2, 3, 4, 5)]', make: () => new nn.Softmax2d() },
  // ---- distances
  {
    name: 'cosine_similarity',
    py: 'nn.CosineSimilarity(dim=0)',
    inputs: '[randn(4, 5), randn(4, 5)]',
    make: () => new nn.CosineSimilarity({ dim: 0 }),
  },
  {
    name: 'pairwise_distance',
    py: 'nn.PairwiseDistance(p=1.0, keepdim=True)',
    inputs: '[randn(4, 5), randn(4, 5)]',
    make: () => new nn.PairwiseDistance({ p: 1, keepdim: true }),
  },
  // ---- losses
  {
    name: 'kldivloss',
    py: "nn.KLDivLoss(reduction='batchmean')",
    inputs: '[randn(3, 5).log_softmax(1), randn(3, 5).softmax(1)]',
    noGradInputs: [1],
    make: () => new nn.KLDivLoss({ reduction: 'batchmean' }),
  },
  {
    name: 'kldivloss_log_target',
    py: "nn.KLDivLoss(reduction='sum', log_target=True)",
    inputs: '[randn(3, 5).log_softmax(1), randn(3, 5).log_softmax(1)]',
    make: () => new nn.KLDivLoss('sum', true),
  },
  {
    name: 'smoothl1loss',
    py: 'nn.SmoothL1Loss(beta=0.5)',
    inputs: '[randn(3, 4) * 2, randn(3, 4)]',
    make: () => new nn.SmoothL1Loss({ beta: 0.5 }),
  },
  {
    name: 'huberloss',
    py: "nn.HuberLoss('sum', 2.0)",
    inputs: '[randn(3, 4) * 3, randn(3, 4)]',
    make: () => new nn.HuberLoss('sum', 2),
  },
  {
    name: 'poissonnllloss',
    py: 'nn.PoissonNLLLoss(log_input=False, full=True)',
    inputs: '[rand(3, 4) + 0.5, (rand(3, 4) * 5).floor()]',
    noGradInputs: [1],
    make: () => new nn.PoissonNLLLoss({ logInput: false, full: true }),
  },
  {
    name: 'gaussiannllloss',
    py: "nn.GaussianNLLLoss(full=True, reduction='sum')",
    inputs: '[randn(4, 3), randn(4, 3), rand(4, 1) + 0.1]',
    make: () => new nn.GaussianNLLLoss({ full: true, reduction: 'sum' }),
  },
  {
    name: 'cosineembeddingloss',
    py: 'nn.CosineEmbeddingLoss(0.5)',
    inputs: '[randn(4, 5), randn(4, 5), torch.tensor([1., -1., -1., 1.])]',
    noGradInputs: [2],
    make: () => new nn.CosineEmbeddingLoss(0.5),
  },
  {
    name: 'marginrankingloss',
    py: 'nn.MarginRankingLoss(margin=0.1)',
    inputs: '[randn(5), randn(5), torch.tensor([1., -1., 1., 1., -1.])]',
    noGradInputs: [2],
    make: () => new nn.MarginRankingLoss({ margin: 0.1 }),
  },
  {
    name: 'hingeembeddingloss',
    py: 'nn.HingeEmbeddingLoss(2.0)',
    inputs: '[randn(5), torch.tensor([1., -1., 1., -1., -1.])]',
    noGradInputs: [1],
    make: () => new nn.HingeEmbeddingLoss(2),
  },
  {
    name: 'multimarginloss',
    py: 'nn.MultiMarginLoss(p=2, weight=rand(5))',
    inputs: '[randn(4, 5), torch.tensor([0, 3, 4, 1])]',
    make: () => new nn.MultiMarginLoss({ p: 2, weight: torch.zeros([5]) }),
  },
  {
    name: 'multilabelmarginloss',
    py: 'nn.MultiLabelMarginLoss()',
    inputs: '[randn(2, 4), torch.tensor([[3, 0, -1, 1], [1, 2, 3, 0]])]',
    make: () => new nn.MultiLabelMarginLoss(),
  },
  {
    name: 'multilabelsoftmarginloss',
    py: 'nn.MultiLabelSoftMarginLoss(rand(4))',
    inputs: '[randn(3, 4), (rand(3, 4) > 0.5).float()]',
    noGradInputs: [1],
    make: () => new nn.MultiLabelSoftMarginLoss(torch.zeros([4])),
  },
  {
    name: 'softmarginloss',
    py: "nn.SoftMarginLoss(reduction='none')",
    inputs: '[randn(5), torch.tensor([1., -1., 1., -1., -1.])]',
    noGradInputs: [1],
    make: () => new nn.SoftMarginLoss('none'),
  },
  {
    name: 'tripletmarginloss',
    py: 'nn.TripletMarginLoss(margin=0.5, swap=True)',
    inputs: '[randn(4, 5), randn(4, 5), randn(4, 5)]',
    make: () => new nn.TripletMarginLoss({ margin: 0.5, swap: true }),
  },
  {
    name: 'tripletmarginwithdistanceloss',
    py: 'nn.TripletMarginWithDistanceLoss()',
    inputs: '[randn(4, 5), randn(4, 5), randn(4, 5)]',
    make: () => new nn.TripletMarginWithDistanceLoss(),
  },
  {
    name: 'ctcloss',
    py: 'nn.CTCLoss(zero_infinity=True)',
    inputs:
      '[randn(10, 2, 5).log_softmax(2), torch.tensor([[1, 2, 2], [4, 1, 0]]), torch.tensor([10, 8]), ' +
      'torch.tensor([3, 2])]',
    make: () => new nn.CTCLoss({ zeroInfinity: true }),
  },
  {
    name: 'nllloss2d',
    py: 'nn.NLLLoss2d()',
    inputs: '[randn(2, 3, 4, 4).log_softmax(1), torch.randint(0, 3, (2, 4, 4))]',
    make: () => new nn.NLLLoss2d(),
  },
  {
    name: 'linearcrossentropyloss',
    py: "nn.LinearCrossEntropyLoss(4, 5, bias=True, weight=rand(5), label_smoothing=0.1, reduction='sum')",
    inputs: '[randn(3, 4), torch.tensor([0, 4, 2])]',
    make: () =>
      new nn.LinearCrossEntropyLoss(4, 5, {
        bias: true,
        weight: torch.zeros([5]),
        labelSmoothing: 0.1,
        reduction: 'sum',
      }),
  },
  {
    name: 'linearcrossentropyloss_kdim',
    py: 'nn.LinearCrossEntropyLoss(4, 3, out_features=(2,), ignore_index=1)',
    inputs: '[randn(5, 4), torch.tensor([[0, 1], [2, 2], [1, 0], [0, 0], [2, 1]])]',
    make: () => new nn.LinearCrossEntropyLoss(4, 3, { outFeatures: [2], ignoreIndex: 1 }),
  },
  {
    name: 'adaptivelogsoftmax',
    py: 'nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0, head_bias=True)',
    inputs: '[randn(6, 8), torch.tensor([0, 5, 9, 2, 7, 3])]',
    make: () => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], { divValue: 2, headBias: true }),
  },
  {
    name: 'adaptivelogsoftmax_unbatched',
    py: 'nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])',
    inputs: '[randn(8), torch.tensor(7)]',
    make: () => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4]),
  },
  {
    name: 'adaptivelogsoftmax_log_prob_predict',
    py: 'nn.AdaptiveLogSoftmaxWithLoss(8, 10, [2, 5])',
    inputs: '[randn(7, 8)]',
    perturb: true,
    pyCall: 'lambda m, x: [m.log_prob(x), m.predict(x)]',
    make: () => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [2, 5]),
    call: (m, x) => [
      (m as nn.AdaptiveLogSoftmaxWithLoss).logProb(x!),
      (m as nn.AdaptiveLogSoftmaxWithLoss).predict(x!),
    ],
  },
  // ---- pooling
  {
    name: 'lppool1d',
    py: 'nn.LPPool1d(2, 3, stride=2)',
    inputs: '[rand(2, 3, 9) + 0.1]',
    make: () => new nn.LPPool1d(2, 3, { stride: 2 }),
  },
  {
    name: 'lppool2d',
    py: 'nn.LPPool2d(2.5, (2, 3), stride=1, ceil_mode=True)',
    inputs: '[rand(1, 2, 5, 6) + 0.1]',
    make: () => new nn.LPPool2d(2.5, [2, 3], 1, true),
  },
  {
    name: 'lppool3d',
    py: 'nn.LPPool3d(1, 2)',
    inputs: '[rand(1, 2, 4, 4, 4) + 0.1]',
    make: () => new nn.LPPool3d(1, 2),
  },
  {
    name: 'maxunpool1d',
    py: 'nn.MaxUnpool1d(2)',
    inputs: '[randn(2, 3, 8)]',
    pyCall: 'lambda m, x: m(*F.max_pool1d(x, 2, return_indices=True))',
    make: () => new nn.MaxUnpool1d(2),
    call: (m, x) => call(m, ...F.maxPool1d(x!, 2, { returnIndices: true })),
  },
  {
    name: 'maxunpool2d',
    py: 'nn.MaxUnpool2d(2, stride=2)',
    inputs: '[randn(1, 2, 5, 5)]',
    pyCall: 'lambda m, x: m(*F.max_pool2d(x, 2, return_indices=True), output_size=[5, 5])',
    make: () => new nn.MaxUnpool2d(2, { stride: 2 }),
    call: (m, x) => (m as nn.MaxUnpool2d).forward(...F.maxPool2d(x!, 2, { returnIndices: true }), [5, 5]),
  },
  {
    name: 'maxunpool3d',
    py: 'nn.MaxUnpool3d((2, 2, 1))',
    inputs: '[randn(1, 2, 4, 4, 3)]',
    pyCall: 'lambda m, x: m(*F.max_pool3d(x, (2, 2, 1), return_indices=True))',
    make: () => new nn.MaxUnpool3d([2, 2, 1]),
    call: (m, x) => call(m, ...F.maxPool3d(x!, [2, 2, 1], { returnIndices: true })),
  },
  {
    name: 'fractionalmaxpool2d',
    py: 'nn.FractionalMaxPool2d(2, output_size=3, return_indices=True, _random_samples=rand(2, 3, 2))',
    inputs: '[randn(2, 3, 7, 7)]',
    make: () =>
      new nn.FractionalMaxPool2d(2, { outputSize: 3, returnIndices: true, randomSamples: torch.zeros([2, 3, 2]) }),
  },
  {
    name: 'fractionalmaxpool3d',
    py: 'nn.FractionalMaxPool3d(2, output_ratio=0.5, _random_samples=rand(1, 2, 3))',
    inputs: '[randn(1, 2, 6, 6, 6)]',
    make: () => new nn.FractionalMaxPool3d(2, { outputRatio: 0.5, randomSamples: torch.zeros([1, 2, 3]) }),
  },
  // ---- normalization
  {
    name: 'localresponsenorm',
    py: 'nn.LocalResponseNorm(3)',
    inputs: '[randn(2, 5, 3, 3)]',
    make: () => new nn.LocalResponseNorm(3),
  },
  {
    name: 'localresponsenorm_even_3d',
    py: 'nn.LocalResponseNorm(2, alpha=0.01, beta=0.5, k=2.0)',
    inputs: '[randn(2, 5, 4)]',
    make: () => new nn.LocalResponseNorm(2, { alpha: 0.01, beta: 0.5, k: 2 }),
  },
  {
    name: 'rmsnorm',
    py: 'nn.RMSNorm([3, 4], eps=1e-3)',
    inputs: '[randn(2, 3, 4)]',
    make: () => new nn.RMSNorm([3, 4], { eps: 1e-3 }),
    perturb: true,
  },
  {
    name: 'rmsnorm_no_affine',
    py: 'nn.RMSNorm(4, elementwise_affine=False)',
    inputs: '[randn(2, 3, 4)]',
    make: () => new nn.RMSNorm(4, { elementwiseAffine: false }),
  },
  // ---- fold, shuffles, upsampling, bilinear, embedding bag
  {
    name: 'unfold',
    py: 'nn.Unfold((2, 3), padding=1, stride=2)',
    inputs: '[randn(2, 3, 5, 6)]',
    make: () => new nn.Unfold([2, 3], { padding: 1, stride: 2 }),
  },
  {
    name: 'fold',
    py: 'nn.Fold(output_size=(4, 5), kernel_size=2)',
    inputs: '[randn(2, 12, 12)]',
    make: () => new nn.Fold([4, 5], 2),
  },
  {
    name: 'channelshuffle',
    py: 'nn.ChannelShuffle(2)',
    inputs: '[randn(1, 6, 2, 2)]',
    make: () => new nn.ChannelShuffle(2),
  },
  {
    name: 'upsamplingnearest2d',
    py: 'nn.UpsamplingNearest2d(scale_factor=2)',
    inputs: '[randn(1, 2, 3, 3)]',
    make: () => new nn.UpsamplingNearest2d({ scaleFactor: 2 }),
  },
  {
    name: 'upsamplingbilinear2d',
    py: 'nn.UpsamplingBilinear2d(size=(4, 5))',
    inputs: '[randn(1, 2, 3, 3)]',
    make: () => new nn.UpsamplingBilinear2d([4, 5]),
  },
  {
    name: 'bilinear',
    py: 'nn.Bilinear(3, 4, 5)',
    inputs: '[randn(2, 3), randn(2, 4)]',
    make: () => new nn.Bilinear(3, 4, 5),
  },
  {
    name: 'embeddingbag_sum',
    py: "nn.EmbeddingBag(10, 3, mode='sum')",
    inputs: '[torch.tensor([1, 2, 4, 5, 4, 3, 2, 9]), torch.tensor([0, 4]), rand(8)]',
    noGradInputs: [2],
    make: () => new nn.EmbeddingBag(10, 3, { mode: 'sum' }),
  },
  {
    name: 'embeddingbag_max_pad',
    py: "nn.EmbeddingBag(10, 3, mode='max', padding_idx=0)",
    inputs: '[torch.tensor([[1, 2, 0], [4, 0, 9]])]',
    make: () => new nn.EmbeddingBag(10, 3, { mode: 'max', paddingIdx: 0 }),
  },
  // ---- parameter containers (no forward: used in the call)
  {
    name: 'parameterlist',
    py: 'nn.ParameterList([nn.Parameter(torch.ones(3)), nn.Parameter(torch.ones(2, 3))])',
    inputs: '[randn(2, 3)]',
    perturb: true,
    pyCall: 'lambda m, x: x * m[0] + m[1]',
    make: () => new nn.ParameterList([torch.ones([3]), torch.ones([2, 3])]),
    call: (m, x) => x!.mul((m as nn.ParameterList).at(0)).add((m as nn.ParameterList).at(1)),
  },
  {
    name: 'parameterdict',
    py: "nn.ParameterDict({'scale': nn.Parameter(torch.ones(3))})",
    inputs: '[randn(2, 3)]',
    perturb: true,
    pyCall: "lambda m, x: x * m['scale']",
    make: () => new nn.ParameterDict({ scale: torch.ones([3]) }),
    call: (m, x) => x!.mul((m as nn.ParameterDict).get('scale')!),
  },
  // ---- transformer
  {
    name: 'transformer',
    py: 'nn.Transformer(8, 2, 2, 1, 16, dropout=0.0)',
    inputs: `[randn(5, 2, 8), randn(4, 2, 8), nn.Transformer.generate_square_subsequent_mask(4)]`,
    noGradInputs: [2],
    pyCall: 'lambda m, s, t, mask: m(s, t, tgt_mask=mask)',
    make: () => new nn.Transformer(8, 2, 2, 1, 16, { dropout: 0 }),
    call: (m, s, t, mask) => (m as nn.Transformer).forward(s!, t!, { tgtMask: mask }),
  },
  {
    name: 'transformer_batch_first_norm_first',
    py:
      'nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16, ' +
      "dropout=0.0, activation='gelu', batch_first=True, norm_first=True)",
    inputs: '[randn(2, 5, 8), randn(2, 3, 8), torch.tensor([[False] * 5, [False] * 4 + [True]])]',
    pyCall: 'lambda m, s, t, kpm: m(s, t, src_key_padding_mask=kpm, memory_key_padding_mask=kpm)',
    make: () =>
      new nn.Transformer({
        dModel: 8,
        nhead: 2,
        numEncoderLayers: 1,
        numDecoderLayers: 1,
        dimFeedforward: 16,
        dropout: 0,
        activation: 'gelu',
        batchFirst: true,
        normFirst: true,
      }),
    call: (m, s, t, kpm) =>
      (m as nn.Transformer).forward(s!, t!, { srcKeyPaddingMask: kpm, memoryKeyPaddingMask: kpm }),
  },
  // ---- packed sequences through the recurrent layers
  {
    name: 'lstm_packed_unsorted',
    py: 'nn.LSTM(4, 5, num_layers=2, bidirectional=True)',
    inputs: '[randn(5, 3, 4), randn(4, 3, 5), randn(4, 3, 5)]',
    pyCall:
      'lambda m, x, h, c: (lambda o: (pad_packed_sequence(o[0]), ' +
      'o[1]))(m(pack_padded_sequence(x, [3, 5, 2], enforce_sorted=False), (h, c)))',
    make: () => new nn.LSTM(4, 5, { numLayers: 2, bidirectional: true }),
    call: (m, x, h, c) => {
      const [o, hc] = (m as nn.LSTM)(R.packPaddedSequence(x!, [3, 5, 2], { enforceSorted: false }), [h!, c!]);
      return [R.padPackedSequence(o), hc];
    },
  },
  {
    name: 'gru_packed_batch_first',
    py: 'nn.GRU(4, 5, batch_first=True)',
    inputs: '[randn(3, 6, 4)]',
    pyCall:
      'lambda m, x: (lambda o: (pad_packed_sequence(o[0], batch_first=True, total_length=7), ' +
      'o[1]))(m(pack_padded_sequence(x, torch.tensor([6, 4, 1]), batch_first=True)))',
    make: () => new nn.GRU(4, 5, { batchFirst: true }),
    call: (m, x) => {
      const [o, h] = (m as nn.GRU)(R.packPaddedSequence(x!, torch.tensor([6, 4, 1]), { batchFirst: true }));
      return [R.padPackedSequence(o, { batchFirst: true, totalLength: 7 }), h];
    },
  },
  {
    name: 'rnn_pack_sequence',
    py: "nn.RNN(3, 4, nonlinearity='relu')",
    inputs: '[randn(2, 3), randn(4, 3), randn(3, 3)]',
    pyCall:
      'lambda m, a, b, c: (lambda o: (pad_packed_sequence(o[0]), ' +
      'o[1]))(m(pack_sequence([a, b, c], enforce_sorted=False)))',
    make: () => new nn.RNN(3, 4, { nonlinearity: 'relu' }),
    call: (m, a, b, c) => {
      const [o, h] = (m as nn.RNN)(R.packSequence([a!, b!, c!], { enforceSorted: false }));
      return [R.padPackedSequence(o), h];
    },
  },
  // ---- weight norm, spectral norm (hook form), forward hooks
  {
    name: 'weight_norm_linear',
    py: 'nn.utils.weight_norm(nn.Linear(3, 4))',
    inputs: '[randn(2, 3)]',
    make: () => nn.utils.weightNorm(new nn.Linear(3, 4)),
  },
  {
    name: 'weight_norm_conv_dim_none',
    py: 'nn.utils.weight_norm(nn.Conv2d(2, 3, 3), dim=None)',
    inputs: '[randn(1, 2, 4, 4)]',
    make: () => nn.utils.weightNorm(new nn.Conv2d(2, 3, 3), { dim: null }),
  },
  {
    name: 'weight_norm_removed',
    py: 'nn.utils.remove_weight_norm(nn.utils.weight_norm(nn.Linear(3, 4), name="weight", dim=1))',
    inputs: '[randn(2, 3)]',
    make: () => nn.utils.removeWeightNorm(nn.utils.weightNorm(new nn.Linear(3, 4), 'weight', 1)),
  },
  {
    name: 'spectral_norm_train',
    py: 'nn.utils.spectral_norm(nn.Linear(4, 5), n_power_iterations=2)',
    inputs: '[randn(3, 4)]',
    make: () => nn.utils.spectralNorm(new nn.Linear(4, 5), { nPowerIterations: 2 }),
  },
  {
    name: 'spectral_norm_convtranspose_eval',
    py: 'nn.utils.spectral_norm(nn.ConvTranspose2d(2, 3, 3))',
    inputs: '[randn(1, 2, 4, 4)]',
    train: false,
    make: () => nn.utils.spectralNorm(new nn.ConvTranspose2d(2, 3, 3)),
  },
  {
    name: 'spectral_norm_removed',
    py: 'nn.utils.remove_spectral_norm(nn.utils.spectral_norm(nn.Conv1d(2, 3, 3)))',
    inputs: '[randn(1, 2, 6)]',
    make: () => nn.utils.removeSpectralNorm(nn.utils.spectralNorm(new nn.Conv1d(2, 3, 3))),
  },
  {
    name: 'forward_hooks_in_sequential',
    py: 'nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))',
    inputs: '[randn(5, 3)]',
    pyCall:
      'lambda m, x: (m[0].register_forward_pre_hook(lambda mod, a: (a[0] * 2,)), ' +
      'm[2].register_forward_hook(lambda mod, a, o: o + a[0].sum()), m(x))[-1]',
    make: () => new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2)),
    call: (m, x) => {
      const s = m as nn.Sequential;
      s.at(0).registerForwardPreHook((_mod, a) => [(a[0] as Tensor).mul(2)]);
      s.at(2).registerForwardHook((_mod, a, o) => (o as Tensor).add((a[0] as Tensor).sum()));
      return s(x!);
    },
  },
];

describeLayerCases('nn layers added later vs PyTorch (weights loaded from a Python state dict)', CASES, TOL);
