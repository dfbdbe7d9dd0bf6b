// Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_).
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';

/**
 * Scales all gradients in place so their joint `normType` norm is at most `maxNorm`
 * (coefficient maxNorm / (total + 1e-6), clamped to 1, applied to every gradient as PyTorch does).
 * Returns the total norm before clipping. Parameters without a gradient are ignored.
 */
export function clipGradNorm_(
  params: Iterable<Tensor>,
  maxNorm: number,
  normType = 2,
  options: { errorIfNonfinite?: boolean } = {},
): number {
  return torch.noGrad(() =>
    torch.tidy(() => {
      const grads = [...params].map((p) => p.grad).filter((g): g is Tensor => g !== null);
      if (grads.length === 0) return 0;
      const norms = grads.map((g) => torch.linalgVectorNorm(g, normType));
      const total = norms.length === 1 ? norms[0] : torch.linalgVectorNorm(torch.stack(norms), normType);
      const totalValue = total.item();
      if (options.errorIfNonfinite && !Number.isFinite(totalValue)) {
        throw new Error(
          `clipGradNorm_: the total norm of order ${normType} for gradients is non-finite, so it cannot be clipped`,
        );
      }
      const coef = total.add(1e-6).reciprocal().mul_(maxNorm).clampMax_(1);
      for (const g of grads) g.mul_(coef.to({ dtype: g.dtype, device: g.device }));
      return totalValue;
    }),
  );
}

/** Clamps every gradient in place to [-clipValue, clipValue]. */
export function clipGradValue_(params: Iterable<Tensor>, clipValue: number): void {
  torch.noGrad(() =>
    torch.tidy(() => {
      for (const p of params) p.grad?.clamp_(-clipValue, clipValue);
    }),
  );
}
