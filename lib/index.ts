// Public entry point of the skcdf package.
export * as torch from './torch/index.js';
export { Tensor } from './torch/tensor.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as amp from './amp/index.js';
export * as io from './io/index.js';
export * as data from './data/index.js';
export * as distributed from './distributed/index.js';
export * as skcdf from './skcdf/index.js';
