// GradScaler: dynamic loss scaling for mixed precision (torch.amp.GradScaler semantics).
// Works on any device (tested on CPU): scale the loss, unscale grads (finding inf/nan), skip the
// optimizer step when any grad is non-finite, and update the scale (backoff on overflow, growth
// after `growthInterval` clean steps).
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import type { Optimizer } from '../optim/optimizer.js';

/** torch.amp.GradScaler's options: initial scale, growth and backoff factors, growth interval, enabled. */
export interface GradScalerOptions {
  initScale?: number;
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
  enabled?: boolean;
}

type AnyOptimizer = Optimizer<object>;
interface PerOptimizer {
  unscaled: boolean;
  stepped: boolean;
  foundInf: boolean;
}

/**
 * torch.amp.GradScaler: scales the loss so float16 gradients do not underflow, unscales them before the optimizer step,
 * skips steps with inf/NaN gradients and adapts the scale.
 *
 * @example
 * const scaler = new GradScaler();
 * scaler.scale(loss).backward();
 * scaler.step(optimizer);
 * scaler.update();
 */
export class GradScaler {
  private scaleValue: number;
  private growthTracker = 0;
  readonly growthFactor: number;
  readonly backoffFactor: number;
  readonly growthInterval: number;
  readonly enabled: boolean;
  private perOpt = new Map<AnyOptimizer, PerOptimizer>();

  constructor(o: GradScalerOptions = {}) {
    this.scaleValue = o.initScale ?? 2 ** 16;
    this.growthFactor = o.growthFactor ?? 2;
    this.backoffFactor = o.backoffFactor ?? 0.5;
    this.growthInterval = o.growthInterval ?? 2000;
    this.enabled = o.enabled ?? true;
    if (!(this.growthFactor > 1))
      throw new RangeError(`GradScaler: growthFactor must be > 1, got ${this.growthFactor}`);
    if (!(this.backoffFactor < 1 && this.backoffFactor > 0))
      throw new RangeError(`GradScaler: backoffFactor must be in (0, 1), got ${this.backoffFactor}`);
  }

  /** The current scale (PyTorch keeps it as a float32 tensor; the value is rounded the same way). */
  getScale(): number {
    return this.enabled ? this.scaleValue : 1;
  }
  /** Consecutive steps without inf/NaN gradients since the scale last changed. */
  getGrowthTracker(): number {
    return this.growthTracker;
  }

  /** `loss * scale` (a new tensor; the caller owns it). */
  scale(loss: Tensor): Tensor {
    return this.enabled ? loss.mul(this.scaleValue) : loss.alias();
  }

  private entry(opt: AnyOptimizer): PerOptimizer {
    let e = this.perOpt.get(opt);
    if (!e) {
      e = { unscaled: false, stepped: false, foundInf: false };
      this.perOpt.set(opt, e);
    }
    return e;
  }

  /** Divides the optimizer's grads by the scale in place and records whether any is inf/nan. */
  unscale_(opt: AnyOptimizer): void {
    if (!this.enabled) return;
    const e = this.entry(opt);
    if (e.unscaled)
      throw new Error('GradScaler.unscale_() has already been called on this optimizer since the last update().');
    if (e.stepped) throw new Error('GradScaler.unscale_() is being called after step().');
    const inv = Math.fround(1 / this.scaleValue); // PyTorch: scale.double().reciprocal().float()
    e.foundInf = torch.noGrad(() =>
      torch.tidy(() => {
        let found: Tensor | null = null;
        for (const g of opt.paramGroups)
          for (const p of g.params) {
            const grad = p.grad;
            if (!grad) continue;
            const bad = grad.isfinite().all().logicalNot();
            found = found ? found.logicalOr(bad) : bad;
            grad.mul_(inv);
          }
        return found ? Number(found.item()) !== 0 : false; // item() of a bool tensor gives a boolean
      }),
    );
    e.unscaled = true;
  }

  /** Unscales (unless done), then steps the optimizer only if all grads are finite. Returns whether it stepped. */
  step(opt: AnyOptimizer): boolean {
    if (!this.enabled) {
      opt.step();
      return true;
    }
    const e = this.entry(opt);
    if (e.stepped) throw new Error('GradScaler.step() has already been called since the last update().');
    if (!e.unscaled) this.unscale_(opt);
    e.stepped = true;
    if (e.foundInf) return false;
    opt.step();
    return true;
  }

  /**
   * Updates the scale: times backoffFactor if any optimizer saw inf/nan (tracker reset), else grows every
   * growthInterval clean steps.
   */
  update(newScale?: number): void {
    if (!this.enabled) return;
    if (newScale !== undefined) {
      this.scaleValue = Math.fround(newScale);
    } else {
      const entries = [...this.perOpt.values()];
      if (entries.length === 0) throw new Error('GradScaler.update(): no inf checks were recorded prior to update.');
      const found = entries.some((e) => e.foundInf);
      if (found) {
        this.scaleValue = Math.fround(this.scaleValue * this.backoffFactor);
        this.growthTracker = 0;
      } else if (this.growthTracker + 1 === this.growthInterval) {
        const grown = Math.fround(this.scaleValue * this.growthFactor);
        if (Number.isFinite(grown)) this.scaleValue = grown;
        this.growthTracker = 0;
      } else {
        this.growthTracker += 1;
      }
    }
    this.perOpt.clear();
  }

  /** The scaler's state, with PyTorch's keys (scale, growth and backoff factors, interval, tracker). */
  stateDict(): {
    scale: number;
    growth_factor: number;
    backoff_factor: number;
    growth_interval: number;
    _growth_tracker: number;
  } {
    return {
      scale: this.scaleValue,
      growth_factor: this.growthFactor,
      backoff_factor: this.backoffFactor,
      growth_interval: this.growthInterval,
      _growth_tracker: this.growthTracker,
    };
  }
  /** Restores the scale and growth tracker of a {@link GradScaler.stateDict}. */
  loadStateDict(sd: { scale: number; _growth_tracker: number }): void {
    this.scaleValue = sd.scale;
    this.growthTracker = sd._growth_tracker;
  }
}
