// The `optim` namespace: optimizers, LR schedules and gradient clipping.
export { Optimizer, type OptimizerStateDict, type ParamGroup, type ParamsArg, type ParamState, type StateValue } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export * as lrScheduler from './lr-scheduler/index.js';
// The schedulers' earlier top-level names: the same classes as in `lrScheduler`.
export { LRScheduler, PolyLR, polyLr, CosineAnnealingLR, StepLR, LambdaLR } from './schedulers.js';
export { clipGradNorm_, clipGradValue_ } from './clip.js';
