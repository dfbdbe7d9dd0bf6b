// torch.nn.utils.weight_norm / remove_weight_norm, the classic hook form: the parameter `name` is
// replaced by `${name}_g` (its norm over every dim but `dim`) and `${name}_v` (its direction), and a
// forward pre-hook recomputes name = v * g / ||v|| before every forward. State-dict keys are PyTorch's.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import { Module, registries, type RemovableHandle } from '../module.js';

type Op = (...args: unknown[]) => unknown;
const WEIGHT_NORM = (torch.ops.aten as unknown as Record<string, Record<string, Op>>)._weight_norm!.default!;

interface Applied {
  name: string;
  dim: number;
  handle: RemovableHandle;
}
const APPLIED = new WeakMap<Module, Map<string, Applied>>();

function compute(m: Module, name: string, dim: number): Tensor {
  return WEIGHT_NORM(m.param(`${name}_v`), m.param(`${name}_g`), dim) as Tensor;
}
/** Options of weightNorm (Python's keyword arguments, camelCase). */
export interface WeightNormOptions {
  /** Default 'weight'. */ name?: string;
  /** The dim kept by the norm (default 0; null or -1: one norm of the whole tensor). */ dim?: number | null;
}
/** Reparameterizes `module`'s parameter `name` by magnitude and direction; returns the module. */
export function weightNorm<M extends Module>(module: M, ...args: KwArgs<WeightNormOptions, ['name', 'dim']>): M {
  const o = kwargs<WeightNormOptions>('weightNorm', ['name', 'dim'], args);
  const name = o.name ?? 'weight';
  const applied = APPLIED.get(module) ?? new Map<string, Applied>();
  if (applied.has(name))
    throw new Error(`weightNorm: cannot register two weight_norm hooks on the same parameter ${name}`);
  const r = registries(module);
  const weight = r.parameters.get(name);
  if (!weight) throw new Error(`weightNorm: ${module.constructor.name} has no parameter '${name}'`);
  const dim = o.dim === null ? -1 : (o.dim ?? 0); // -1: one norm over the whole tensor, as PyTorch's norm_except_dim
  r.parameters.delete(name);
  torch.noGrad(() =>
    torch.tidy(() => {
      module.registerParameter(`${name}_g`, torch.normExceptDim(weight, 2, dim).detach());
      module.registerParameter(`${name}_v`, weight.detach());
    }),
  );
  weight.dispose();
  r.setDerived(
    name,
    torch.tidy(() => compute(module, name, dim)),
  );
  const handle = module.registerForwardPreHook((m) => {
    registries(m).setDerived(
      name,
      torch.tidy(() => compute(m, name, dim)),
    );
  });
  applied.set(name, { name, dim, handle });
  APPLIED.set(module, applied);
  return module;
}
/** Undoes weightNorm: `name` becomes a parameter again, holding the current v * g / ||v||. */
export function removeWeightNorm<M extends Module>(module: M, ...args: KwArgs<{ name?: string }, ['name']>): M {
  const name = kwargs<{ name?: string }>('removeWeightNorm', ['name'], args).name ?? 'weight';
  const a = APPLIED.get(module)?.get(name);
  if (!a) throw new Error(`removeWeightNorm: weight_norm of '${name}' not found in ${module.constructor.name}`);
  const weight = torch.noGrad(() => torch.tidy(() => compute(module, name, a.dim).detach()));
  a.handle.remove();
  APPLIED.get(module)!.delete(name);
  const r = registries(module);
  r.setDerived(name, null);
  for (const k of [`${name}_g`, `${name}_v`]) {
    r.parameters.get(k)?.dispose();
    r.parameters.delete(k);
  }
  module.registerParameter(name, weight);
  return module;
}
