// nn.Parameter and nn.Buffer (torch/nn/parameter.py): tensors that a module registers when they are
// assigned to one of its fields (`this.w = new nn.Parameter(torch.randn([3]))`).
import * as torch from '../torch/index.js';
import { Tensor } from '../torch/tensor.js';

/**
 * Every tensor that is a parameter: built by `new Parameter`, registered by `registerParameter`, or moved by
 * `Module.to`.
 */
const PARAMETERS = new WeakSet<object>();

/** Marks `t` as a parameter (so `t instanceof nn.Parameter` holds and assigning it to a module field registers it). */
export function markParameter<T extends Tensor>(t: T): T {
  PARAMETERS.add(t);
  return t;
}
/** Whether `v` is a parameter tensor (PyTorch's `isinstance(v, nn.Parameter)`). */
export function isParameter(v: unknown): boolean {
  return typeof v === 'object' && v !== null && PARAMETERS.has(v);
}

/**
 * A new handle on `data`'s storage, detached (a leaf), owned by the tensor being constructed: the
 * temporary handle object gives its native handle away (h = -1), so no scope or finalizer frees it.
 */
function adoptDetached(data: Tensor | undefined, what: string): number {
  if (data !== undefined && data !== null && !(data instanceof Tensor)) {
    throw new TypeError(
      `${what}: data must be a Tensor, got ${typeof data === 'object' ? (data as object).constructor?.name : typeof data}`,
    );
  }
  const d = torch.tidy(() => torch.noGrad(() => (data ?? torch.empty([0])).detach()));
  const h = d.h;
  d.h = -1;
  return h;
}

/** Options of `new nn.Parameter(data, options)`. */
export interface ParameterOptions {
  /** Default true. */ requiresGrad?: boolean;
}

/**
 * A tensor that is a module parameter (PyTorch's nn.Parameter): shares `data`'s storage, is a leaf,
 * and requires grad unless `requiresGrad` is false. Assigned to a module field (`this.scale =
 * new nn.Parameter(torch.ones([4]))`) it is registered under the field's name. `p instanceof
 * nn.Parameter` also holds for every tensor a module registered as a parameter.
 */
export class Parameter extends Tensor {
  constructor(data?: Tensor, requiresGrad: boolean | ParameterOptions = true) {
    super(adoptDetached(data, 'nn.Parameter'));
    const rg = typeof requiresGrad === 'boolean' ? requiresGrad : (requiresGrad.requiresGrad ?? true);
    if (rg) this.requiresGrad_(true);
    PARAMETERS.add(this);
  }
  /** `x instanceof Parameter`: true for tensors made parameters (`isParameter`). */
  static override [Symbol.hasInstance](v: unknown): boolean {
    return isParameter(v);
  }
}

/** Options of `new nn.Buffer(data, options)`. */
export interface BufferOptions {
  /** In the state dict (default true); PyTorch's persistent. */ persistent?: boolean;
}

/**
 * A tensor that registers as a buffer when assigned to a module field (PyTorch's nn.Buffer):
 * `this.runningMean = new nn.Buffer(torch.zeros([4]))`. `persistent: false` keeps it out of the state dict.
 */
export class Buffer extends Tensor {
  /** Whether the buffer goes into the state dict. */
  readonly persistent: boolean;
  constructor(data?: Tensor, options: BufferOptions = {}) {
    super(adoptDetached(data, 'nn.Buffer'));
    this.persistent = options.persistent ?? true;
  }
}
