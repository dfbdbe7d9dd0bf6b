// The `optim.lrScheduler` namespace: torch.optim.lr_scheduler's schedulers with PyTorch's names.
export {
  LRScheduler,
  type SchedulerOptimizer,
  type SchedulerStateDict,
  type SchedulerStateValue,
  type LrGroup,
} from './lr-scheduler.js';
export { LambdaLR, MultiplicativeLR, type LambdaLROptions, type LrLambda } from './lambda.js';
export { StepLR, MultiStepLR, type StepLROptions, type MultiStepLROptions } from './step.js';
export { ConstantLR, LinearLR, type ConstantLROptions, type LinearLROptions } from './warmup.js';
export { ExponentialLR, type ExponentialLROptions } from './exponential.js';
export { PolynomialLR, PolyLR, polyLr, type PolynomialLROptions } from './polynomial.js';
export {
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  cosineLr,
  type CosineAnnealingLROptions,
  type CosineAnnealingWarmRestartsOptions,
} from './cosine.js';
export { CyclicLR, type CyclicLROptions, type CyclicMode } from './cyclic.js';
export { OneCycleLR, type OneCycleLROptions, type SchedulePhase } from './one-cycle.js';
export { SequentialLR, ChainedScheduler, type SequentialLROptions, type ChainedSchedulerOptions } from './composite.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau.js';
