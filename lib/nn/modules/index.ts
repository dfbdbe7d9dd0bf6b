// Every layer, one concept per file as in torch/nn/modules.
export * from './activation.js';
export * from './attention.js';
export * from './batchnorm.js';
export * from './conv.js';
export * from './dropout.js';
export * from './flatten.js';
export * from './instancenorm.js';
export * from './linear.js';
export * from './normalization.js';
export * from './pooling.js';
export * from './rnn.js';
export * from './sparse.js';
export * from './transformer.js';
export * from './upsampling.js';
export type { FactoryOptions, IntOrList } from './utils.js';
