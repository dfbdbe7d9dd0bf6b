// SKCDF training (spec section 2), one module per responsibility under training/.
export * from './training/config.js';
export * from './training/step.js';
export * from './training/validate.js';
export * from './training/checkpoint.js';
export * from './training/loop.js';
