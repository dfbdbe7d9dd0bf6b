// The schedulers that lived here before `optim.lrScheduler`, kept under their old import path: the same classes
// (PolyLR is PolynomialLR with nnU-Net's power 0.9; polyLr its closed form as a function).
export { LRScheduler, PolyLR, polyLr, CosineAnnealingLR, cosineLr, StepLR, LambdaLR } from './lr-scheduler/index.js';
