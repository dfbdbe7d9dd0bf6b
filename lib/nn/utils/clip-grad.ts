// torch.nn.utils.clip_grad: clipGradNorm_ / clipGradValue_ are the ones of lib/optim/clip.ts (which
// depends on lib/torch only), re-exported here under nn.utils as in PyTorch; getTotalNorm and
// clipGradsWithNorm_ are the two halves of clipGradNorm_ (PyTorch 2.6).
import * as torch from '../../torch/index.js';
import { Tensor } from '../../torch/tensor.js';
import { clipGradNorm_ as optimClipGradNorm_, clipGradValue_ } from '../../optim/clip.js';
import { kwargs, type KwArgs } from '../functional/args.js';

export { clipGradValue_ };
const asList = (p: Iterable<Tensor> | Tensor): Tensor[] => (p instanceof Tensor ? [p] : [...p]);

/** Options of clipGradNorm (Python's keyword arguments, camelCase). */
export interface ClipGradNormOptions {
  /** Default 2 (Infinity for the max norm). */ normType?: number;
  /** Throw when the total norm is nan or inf. Default false. */ errorIfNonfinite?: boolean;
  /** Accepted for PyTorch compatibility (no effect). */ foreach?: boolean | null;
}
const CLIP = ['normType', 'errorIfNonfinite', 'foreach'] as const;
/** Scales the gradients of `parameters` in place so their joint norm is at most maxNorm; returns the norm before. */
export function clipGradNorm_(
  parameters: Iterable<Tensor> | Tensor,
  maxNorm: number,
  ...args: KwArgs<ClipGradNormOptions, typeof CLIP>
): number {
  const o = kwargs<ClipGradNormOptions>('clipGradNorm_', CLIP, args);
  return optimClipGradNorm_(asList(parameters), maxNorm, o.normType ?? 2, {
    errorIfNonfinite: o.errorIfNonfinite ?? false,
  });
}
/** Deprecated alias of clipGradNorm_ (PyTorch's clip_grad_norm). */
export const clipGradNorm = clipGradNorm_;

/** The joint `normType` norm of `tensors` (the norm of their norms), a 0-d tensor the caller owns. */
export function getTotalNorm(
  tensors: Iterable<Tensor> | Tensor,
  ...args: KwArgs<ClipGradNormOptions, typeof CLIP>
): Tensor {
  const o = kwargs<ClipGradNormOptions>('getTotalNorm', CLIP, args);
  const ts = asList(tensors);
  const normType = o.normType ?? 2;
  if (!ts.length) return torch.tensor(0, { dtype: 'float32' });
  return torch.noGrad(() =>
    torch.tidy(() => {
      const norms = ts.map((t) => torch.linalgVectorNorm(t, normType));
      const total = torch.linalgVectorNorm(torch.stack(norms.map((n) => n.to({ device: norms[0]!.device }))), normType);
      if (o.errorIfNonfinite && !Number.isFinite(total.item())) {
        throw new Error(
          `getTotalNorm: the total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped`,
        );
      }
      return total;
    }),
  );
}
/** Scales the gradients of `parameters` by min(1, maxNorm / (totalNorm + 1e-6)) in place. */
export function clipGradsWithNorm_(
  parameters: Iterable<Tensor> | Tensor,
  maxNorm: number,
  totalNorm: Tensor | number,
  ...args: KwArgs<{ foreach?: boolean | null }, ['foreach']>
): void {
  kwargs<{ foreach?: boolean | null }>('clipGradsWithNorm_', ['foreach'], args);
  torch.noGrad(() =>
    torch.tidy(() => {
      const total = typeof totalNorm === 'number' ? torch.tensor(totalNorm, { dtype: 'float32' }) : totalNorm;
      const coef = total.add(1e-6).reciprocal().mul(maxNorm).clampMax(1);
      for (const p of asList(parameters)) p.grad?.mul_(coef.to({ dtype: p.grad.dtype, device: p.grad.device }));
    }),
  );
}
