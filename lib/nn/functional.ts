// nn.functional: thin wrappers over ATen with PyTorch's Python-side semantics (default strides,
// reduction names, running-stat updates), one file per concept under functional/.
// The argument rule (functional/args.ts): positional arguments as Python's, then optionally one
// options object with Python's keyword names in camelCase: `F.softmax(x, 1)` or `F.softmax(x, { dim: 1 })`.
export * from './functional/activation.js';
export * from './functional/attention.js';
export * from './functional/conv.js';
export * from './functional/distance.js';
export * from './functional/dropout.js';
export * from './functional/loss.js';
export * from './functional/normalization.js';
export * from './functional/padding.js';
export * from './functional/pooling.js';
export * from './functional/sparse.js';
export * from './functional/upsampling.js';
export * from './functional/vision.js';
export type { KwArgs } from './functional/args.js';
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { kwargs, type KwArgs } from './functional/args.js';

/** y = x W^T + b. */
export const linear = (x: Tensor, weight: Tensor, ...args: KwArgs<{ bias?: Tensor | null }, ['bias']>): Tensor =>
  torch.linear(
    x,
    weight,
    args.length ? (kwargs<{ bias?: Tensor | null }>('linear', ['bias'], args).bias ?? null) : null,
  );
/** y = x1^T A x2 + b with weight A (out, in1, in2). */
export const bilinear = (
  x1: Tensor,
  x2: Tensor,
  weight: Tensor,
  ...args: KwArgs<{ bias?: Tensor | null }, ['bias']>
): Tensor => torch.bilinear(x1, x2, weight, kwargs<{ bias?: Tensor | null }>('bilinear', ['bias'], args).bias ?? null);
