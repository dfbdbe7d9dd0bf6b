// Learning-rate schedules (closed forms). Call `step()` once per epoch after the optimizer steps;
// epoch e (after e calls) runs with lr = f(e). Each group's base lr is its lr when the scheduler is built.
import type { Optimizer } from './optimizer.js';

interface LrGroup { lr: number; initialLr?: number }

export abstract class LRScheduler {
  lastEpoch: number;
  readonly baseLrs: number[];
  constructor(readonly optimizer: Optimizer<{ lr: number }>, lastEpoch = -1) {
    const groups = optimizer.paramGroups as LrGroup[];
    if (lastEpoch === -1) for (const g of groups) g.initialLr ??= g.lr;
    else for (const [i, g] of groups.entries()) if (g.initialLr === undefined) throw new Error(`${this.constructor.name}: param group ${i} has no initialLr (needed when resuming with lastEpoch ${lastEpoch})`);
    this.baseLrs = groups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }
  /** Subclasses call this at the end of their constructor (after their own fields are set): applies epoch lastEpoch + 1. */
  protected start(): void {
    this.step();
  }
  /** The lr of each group at epoch `epoch`. */
  abstract lrAt(epoch: number, baseLr: number): number;
  /** Advances one epoch (or jumps to `epoch`) and writes the new lr into every group. */
  step(epoch?: number): void {
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    (this.optimizer.paramGroups as LrGroup[]).forEach((g, i) => { g.lr = this.lrAt(this.lastEpoch, this.baseLrs[i]); });
  }
  getLastLr(): number[] {
    return (this.optimizer.paramGroups as LrGroup[]).map((g) => g.lr);
  }
  stateDict(): { last_epoch: number; base_lrs: number[] } {
    return { last_epoch: this.lastEpoch, base_lrs: [...this.baseLrs] };
  }
  loadStateDict(sd: { last_epoch: number; base_lrs: number[] }): void {
    this.lastEpoch = sd.last_epoch;
    this.baseLrs.splice(0, this.baseLrs.length, ...sd.base_lrs);
    (this.optimizer.paramGroups as LrGroup[]).forEach((g, i) => { g.lr = this.lrAt(this.lastEpoch, this.baseLrs[i]); });
  }
}

/** lr = base * (1 - e / maxEpochs)^power (power 0.9: nnU-Net's poly schedule); clamped at 0 past maxEpochs. */
export class PolyLR extends LRScheduler {
  constructor(optimizer: Optimizer<{ lr: number }>, readonly maxEpochs: number, readonly power = 0.9, lastEpoch = -1) {
    if (!(maxEpochs > 0)) throw new RangeError(`PolyLR: maxEpochs must be positive, got ${maxEpochs}`);
    super(optimizer, lastEpoch);
    this.start();
  }
  lrAt(e: number, base: number): number {
    return base * Math.max(0, 1 - e / this.maxEpochs) ** this.power;
  }
}
/** nnU-Net's poly learning rate as a function: baseLr * (1 - epoch / maxEpochs)^power. */
export const polyLr = (epoch: number, maxEpochs: number, baseLr: number, power = 0.9): number => baseLr * (1 - epoch / maxEpochs) ** power;

/** lr = etaMin + (base - etaMin) * (1 + cos(pi * e / tMax)) / 2 (PyTorch's closed form). */
export class CosineAnnealingLR extends LRScheduler {
  constructor(optimizer: Optimizer<{ lr: number }>, readonly tMax: number, readonly etaMin = 0, lastEpoch = -1) {
    super(optimizer, lastEpoch);
    this.start();
  }
  lrAt(e: number, base: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * e) / this.tMax))) / 2;
  }
}
/** lr = base * gamma^floor(e / stepSize). */
export class StepLR extends LRScheduler {
  constructor(optimizer: Optimizer<{ lr: number }>, readonly stepSize: number, readonly gamma = 0.1, lastEpoch = -1) {
    super(optimizer, lastEpoch);
    this.start();
  }
  lrAt(e: number, base: number): number {
    return base * this.gamma ** Math.floor(e / this.stepSize);
  }
}
/** lr = base * lambda(e). */
export class LambdaLR extends LRScheduler {
  constructor(optimizer: Optimizer<{ lr: number }>, readonly lrLambda: (epoch: number) => number, lastEpoch = -1) {
    super(optimizer, lastEpoch);
    this.start();
  }
  lrAt(e: number, base: number): number {
    return base * this.lrLambda(e);
  }
}
