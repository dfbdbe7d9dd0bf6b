// The `optim` namespace: optimizers, LR schedules and gradient clipping.
export {
  Optimizer,
  checkImplementationFlags,
  type Closure,
  type ImplementationFlags,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamsArg,
  type ParamState,
  type StateValue,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions, type AdamWOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { Adadelta, type AdadeltaOptions } from './adadelta.js';
export { Adamax, type AdamaxOptions } from './adamax.js';
export { NAdam, type NAdamOptions } from './nadam.js';
export { RAdam, type RAdamOptions } from './radam.js';
export { ASGD, type ASGDOptions } from './asgd.js';
export { Rprop, type RpropOptions } from './rprop.js';
export { LBFGS, type LBFGSOptions } from './lbfgs.js';
export { Adafactor, type AdafactorOptions } from './adafactor.js';
export { Muon, zeropowerViaNewtonSchulz, type MuonOptions } from './muon.js';
export * as lrScheduler from './lr-scheduler/index.js';
// The schedulers' earlier top-level names: the same classes as in `lrScheduler`.
export { LRScheduler, PolyLR, polyLr, CosineAnnealingLR, cosineLr, StepLR, LambdaLR } from './schedulers.js';
export { clipGradNorm_, clipGradValue_ } from './clip.js';
