// The `torch` namespace: every ATen operator as a typed function (generated), plus the
// hand-written core. Explicit exports below take precedence over the generated ones.
export * from './generated/functions.js';
export {
  Tensor,
  type Index,
  type Slice,
  type SetValue,
  type ToOptions,
  type DeviceName,
  type UniqueOptions,
  type NestedArray,
} from './tensor.js';
export { einsum, unique, nonzero } from './friendly.js';
export type { DType, MemoryFormat, Layout, TypedArray } from './dtype.js';
export type { Scalar, Device } from './types.js';
export {
  tensor,
  fromBuffer,
  zeros,
  ones,
  empty,
  full,
  rand,
  randn,
  randint,
  arange,
  linspace,
  eye,
  bernoulli,
  zerosLike,
  onesLike,
  emptyLike,
  randLike,
  randnLike,
  fullLike,
  manualSeed,
  type TensorOptions,
  type FromBufferOptions,
  type SizeFactory,
} from './creation.js';
export { tidy, scope, keep, dispose, memory, type MemoryInfo } from './handle.js';
export { setPrintOptions, getPrintOptions, type PrintOptions } from './printing.js';
export { NODE_FLAGS } from './node-flags.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './autograd.js';
export type { RemovableHandle, TensorHook } from './hooks.js';
export * as autograd from './autograd.js';
export * as cpu from './cpu-memory.js';
export * as cuda from './cuda.js';
export * as distributed from '../distributed/index.js';
export { ops } from './ops.js';
export { Checkpoint, loadCheckpoint } from './checkpoint.js';
export {
  load,
  save,
  loadStateDict,
  serialize,
  withIntKeys,
  loadSafetensors,
  saveSafetensors,
  type Loaded,
  type Savable,
  type LoadOptions,
} from './serialize.js';
import { native } from './native.js';

/**
 * The number of threads libtorch uses for intra-op parallelism on the CPU, as PyTorch's `torch.get_num_threads()`.
 *
 * Example:
 *   torch.getNumThreads(); // e.g. 8
 */
export const getNumThreads = (): number => native.getNumThreads();
/**
 * Sets the number of threads libtorch uses for intra-op parallelism on the CPU, as PyTorch's
 * `torch.set_num_threads(n)`.
 *
 * Args:
 *   n: a positive integer.
 *
 * Throws:
 *   Error when `n` is not positive.
 *
 * Example:
 *   torch.setNumThreads(2); // leave the other cores to other work
 */
export const setNumThreads = (n: number): void => native.setNumThreads(n);
/** The libtorch version the addon runs on. */
export const version = (): string => native.version();
