// Compile-time checks (test/optim-lr-scheduler.test.ts runs tsc on this file) of optim's argument rule: Python's
// positional arguments, then optionally one options object with Python's keyword names in camelCase.
import * as optim from '../../lib/optim/index.js';
import * as torch from '../../lib/torch/index.js';

const L = optim.lrScheduler;
const params = [torch.zeros([2, 2]).requiresGrad_()];
const opt = new optim.SGD(params, { lr: 0.1, momentum: 0.9 });
const scheds: optim.lrScheduler.LRScheduler[] = [
  new L.StepLR(opt, { stepSize: 30, gamma: 0.1 }),
  new L.StepLR(opt, 30, { gamma: 0.1 }),
  new L.StepLR(opt, 30, 0.1),
  new L.MultiStepLR(opt, [30, 80]),
  new L.ExponentialLR(opt, { gamma: 0.9 }),
  new L.LinearLR(opt, { startFactor: 0.1 }),
  new L.CosineAnnealingLR(opt, 10, { etaMin: 1e-4 }),
  new L.CosineAnnealingWarmRestarts(opt, { t0: 5, tMult: 2 }),
  new L.CyclicLR(opt, 0.01, 0.1, { mode: 'triangular2' }),
  new L.OneCycleLR(opt, 0.1, { totalSteps: 100 }),
  new L.PolynomialLR(opt),
  new L.LambdaLR(opt, (e) => 0.9 ** e),
  new L.MultiplicativeLR(opt, { lrLambda: () => 0.95 }),
  new L.SequentialLR(opt, [new L.ConstantLR(opt), new L.ExponentialLR(opt, 0.9)], [5]),
  new L.ChainedScheduler([new L.ConstantLR(opt)], opt),
  new L.ReduceLROnPlateau(opt, 'max', { patience: 3 }),
];
const optimizers: optim.Optimizer<object>[] = [
  new optim.SGD(params, 0.1, 0.9, { nesterov: true }),
  new optim.Adam(params, 1e-3, [0.9, 0.99]),
  new optim.AdamW(params, { weightDecay: 0.05 }),
  new optim.RMSprop(params, 1e-3, { momentum: 0.9 }),
  new optim.Adagrad(params, 0.1, { maximize: true }),
  new optim.Adadelta(params),
  new optim.Adamax(params, { betas: [0.9, 0.99] }),
  new optim.NAdam(params, { decoupledWeightDecay: true }),
  new optim.RAdam(params, 1e-3, [0.9, 0.999]),
  new optim.ASGD(params, { t0: 100 }),
  new optim.Rprop(params, { etas: [0.5, 1.2] }),
  new optim.LBFGS(params, { lineSearchFn: 'strong_wolfe' }),
  new optim.Adafactor(params, { eps: [null, 1e-3] }),
  new optim.Muon(params, 0.02),
];
const lrs: number[] = scheds[0].getLastLr();
new L.ReduceLROnPlateau(opt).step(0.5);

// @ts-expect-error stepSize is required
new L.StepLR(opt, { gamma: 0.1 });
// @ts-expect-error stepSize given positionally and by name
new L.StepLR(opt, 30, { stepSize: 3 });
// @ts-expect-error a misspelt keyword
new L.StepLR(opt, { stepSize: 30, gama: 0.1 });
// @ts-expect-error CyclicLR has no mode 'triangle'
new L.CyclicLR(opt, 0.01, 0.1, { mode: 'triangle' });
// @ts-expect-error lr is a number
new optim.RMSprop(params, { lr: '1e-3' });
// @ts-expect-error maximize is keyword-only in Adagrad (too many positional arguments)
new optim.Adagrad(params, 0.1, 0, 0, 0, 1e-10, null, true);
// @ts-expect-error AdamW always decouples: no decoupledWeightDecay option
new optim.AdamW(params, { decoupledWeightDecay: false });
// @ts-expect-error LBFGS's only line search is 'strong_wolfe'
new optim.LBFGS(params, { lineSearchFn: 'armijo' });
export { lrs, optimizers };
