// SKCDF training, one module per responsibility under training/: configuration (config, run-config), the step,
// validation, checkpoints and the epoch loop.
export * from './training/config.js';
export * from './training/step.js';
export * from './training/validate.js';
export * from './training/checkpoint.js';
export * from './training/loop.js';
export * from './training/run-config.js';
