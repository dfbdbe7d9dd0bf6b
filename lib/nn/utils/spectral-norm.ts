// torch.nn.utils.spectral_norm / remove_spectral_norm, the classic hook form: the parameter `name`
// becomes `${name}_orig`, buffers `${name}_u` / `${name}_v` hold the power-iteration vectors, and a
// forward pre-hook sets name = orig / sigma (one or more power iterations per training forward,
// updating u and v in place). State-dict keys are PyTorch's.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import { normalize } from '../functional/normalization.js';
import { Module, registries, type RemovableHandle } from '../module.js';

interface Config {
  name: string;
  nPowerIterations: number;
  eps: number;
  dim: number;
  handle?: RemovableHandle;
}
const APPLIED = new WeakMap<Module, Map<string, Config>>();

/** The weight as a matrix with `dim` first (PyTorch's reshape_weight_to_matrix). */
function toMatrix(w: Tensor, dim: number): Tensor {
  const p = dim === 0 ? w : w.permute([dim, ...Array.from({ length: w.ndim }, (_, i) => i).filter((i) => i !== dim)]);
  return p.reshape([p.shape[0]!, -1]);
}
function compute(m: Module, c: Config, powerIteration: boolean): Tensor {
  return torch.tidy(() => {
    const weight = m.param(`${c.name}_orig`);
    const uBuf = m.buffer(`${c.name}_u`)!,
      vBuf = m.buffer(`${c.name}_v`)!;
    const mat = toMatrix(weight, c.dim);
    let u = uBuf,
      v = vBuf;
    if (powerIteration && c.nPowerIterations > 0) {
      torch.noGrad(() => {
        for (let i = 0; i < c.nPowerIterations; i++) {
          vBuf.copy_(normalize(torch.mv(mat.t(), uBuf), { dim: 0, eps: c.eps }));
          uBuf.copy_(normalize(torch.mv(mat, vBuf), { dim: 0, eps: c.eps }));
        }
        u = uBuf.clone();
        v = vBuf.clone();
      });
    }
    const sigma = torch.dot(u, torch.mv(mat, v));
    return weight.div(sigma);
  });
}
/** Options of spectralNorm (Python's keyword arguments, camelCase). */
export interface SpectralNormOptions {
  /** Default 'weight'. */ name?: string;
  /** Power iterations per training forward, default 1. */ nPowerIterations?: number;
  /** Default 1e-12. */ eps?: number;
  /** The output dim (default 0; 1 for ConvTranspose). */ dim?: number | null;
}
const SPECTRAL = ['name', 'nPowerIterations', 'eps', 'dim'] as const;
/** Divides `module`'s parameter `name` by its spectral norm (largest singular value), estimated by power iteration. */
export function spectralNorm<M extends Module>(module: M, ...args: KwArgs<SpectralNormOptions, typeof SPECTRAL>): M {
  const o = kwargs<SpectralNormOptions>('spectralNorm', SPECTRAL, args);
  const name = o.name ?? 'weight';
  const applied = APPLIED.get(module) ?? new Map<string, Config>();
  if (applied.has(name))
    throw new Error(`spectralNorm: cannot register two spectral_norm hooks on the same parameter ${name}`);
  const n = o.nPowerIterations ?? 1;
  if (n < 0)
    throw new RangeError(`spectralNorm: expected nPowerIterations to be non-negative, but got nPowerIterations=${n}`);
  const r = registries(module);
  const weight = r.parameters.get(name);
  if (!weight) throw new Error(`spectralNorm: ${module.constructor.name} has no parameter '${name}'`);
  const transposed = /^ConvTranspose[123]d$/.test(module.constructor.name);
  const c: Config = { name, nPowerIterations: n, eps: o.eps ?? 1e-12, dim: o.dim ?? (transposed ? 1 : 0) };
  const [u, v] = torch.noGrad(() =>
    torch.tidy(() => {
      const mat = toMatrix(weight, c.dim);
      const opts = { dtype: weight.dtype, device: weight.device };
      return [
        normalize(torch.empty([mat.shape[0]!], opts).normal_(0, 1), { dim: 0, eps: c.eps }),
        normalize(torch.empty([mat.shape[1]!], opts).normal_(0, 1), { dim: 0, eps: c.eps }),
      ];
    }),
  );
  r.parameters.delete(name);
  module.registerParameter(`${name}_orig`, weight);
  r.setDerived(name, weight.detach());
  module.registerBuffer(`${name}_u`, u!);
  module.registerBuffer(`${name}_v`, v!);
  c.handle = module.registerForwardPreHook((m) => {
    registries(m).setDerived(name, compute(m, c, m.training));
  });
  applied.set(name, c);
  APPLIED.set(module, applied);
  return module;
}
/** Undoes spectralNorm: `name` becomes a parameter again, holding the current orig / sigma. */
export function removeSpectralNorm<M extends Module>(module: M, ...args: KwArgs<{ name?: string }, ['name']>): M {
  const name = kwargs<{ name?: string }>('removeSpectralNorm', ['name'], args).name ?? 'weight';
  const c = APPLIED.get(module)?.get(name);
  if (!c) throw new Error(`removeSpectralNorm: spectral_norm of '${name}' not found in ${module.constructor.name}`);
  const weight = torch.noGrad(() => torch.tidy(() => compute(module, c, false).detach()));
  c.handle!.remove();
  APPLIED.get(module)!.delete(name);
  const r = registries(module);
  r.setDerived(name, null);
  r.parameters.get(`${name}_orig`)?.dispose();
  r.parameters.delete(`${name}_orig`);
  for (const k of [`${name}_u`, `${name}_v`]) {
    r.buffers.get(k)?.dispose();
    r.buffers.delete(k);
  }
  module.registerParameter(name, weight);
  return module;
}
