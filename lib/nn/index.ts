// The `nn` namespace: Module, Parameter, layers, containers, losses, functional, init and utils.
export {
  Module,
  type LoadStateDictResult,
  type RemovableHandle,
  type ForwardHook,
  type ForwardPreHook,
  type FullBackwardHook,
  type FullBackwardPreHook,
} from './module.js';
export { Parameter, Buffer, type ParameterOptions, type BufferOptions } from './parameter.js';
export * from './layers.js';
export * from './containers.js';
export * from './losses.js';
export * as functional from './functional.js';
export * as F from './functional.js';
export * as init from './init.js';
export { fuseConvBatchNorm } from './fuse.js';
export * as parallel from './parallel/index.js';
export * as utils from './utils/index.js';
export { PackedSequence } from './utils/rnn.js';
