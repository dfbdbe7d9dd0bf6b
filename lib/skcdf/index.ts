// The SKCDF application layer.
export {
  VNetDecoupleAttentionABC, initSkcdfWeights, Encoder, Decoder, ConvBlock, DownsamplingConvBlock, UpsamplingDeconvBlock,
  type VNetDecoupleAttentionABCOptions, type Normalization, type PredType, type Features,
} from './model.js';
export {
  CrossAttentionLocalBlock, CrossAttentionGlobalBlock, CrossAttentionLocal, CrossAttentionGlobal, TokenLearner,
  checkBottleneck, type AttentionMode, type AttentionBlockOptions,
} from './attention.js';
