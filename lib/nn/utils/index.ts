// torch.nn.utils: gradient clipping, parameter vectors, weight and spectral norm (hook form), conv/linear
// + batch-norm fusion, conv weight memory formats, skipInit, and nn.utils.rnn (packed sequences).
export {
  clipGradNorm_,
  clipGradNorm,
  clipGradValue_,
  getTotalNorm,
  clipGradsWithNorm_,
  type ClipGradNormOptions,
} from './clip-grad.js';
export { parametersToVector, vectorToParameters } from './convert-parameters.js';
export { weightNorm, removeWeightNorm, type WeightNormOptions } from './weight-norm.js';
export { spectralNorm, removeSpectralNorm, type SpectralNormOptions } from './spectral-norm.js';
export { fuseConvBnEval, fuseConvBnWeights, fuseLinearBnEval, fuseLinearBnWeights } from './fusion.js';
export { convertConv2dWeightMemoryFormat, convertConv3dWeightMemoryFormat, skipInit } from './memory-format.js';
export * as rnn from './rnn.js';
