// The SKCDF application layer.
export {
  VNetDecoupleAttentionABC,
  initSkcdfWeights,
  Encoder,
  Decoder,
  ConvBlock,
  DownsamplingConvBlock,
  UpsamplingDeconvBlock,
  type VNetDecoupleAttentionABCOptions,
  type Normalization,
  type PredType,
  type Features,
} from './model.js';
export {
  CrossAttentionLocalBlock,
  CrossAttentionGlobalBlock,
  CrossAttentionLocal,
  CrossAttentionGlobal,
  TokenLearner,
  checkBottleneck,
  type AttentionMode,
  type AttentionBlockOptions,
} from './attention.js';
export * from './train.js';
export * from './inference.js';
export * from './metrics.js';
export * from './evaluate.js';
export * from './data/index.js';
export * from './losses.js';
export {
  writeReport,
  encodePng,
  readRunLog,
  overlaySlices,
  type WriteReportOptions,
  type OverlayCase,
} from './report.js';
export * from './preprocess.js';
export * from './preprocess-pool.js';
export * from './synthetic.js';
export * from './datasets.js';
export * from './classes.js';
export * from './pipeline.js';
