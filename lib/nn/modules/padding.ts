// Padding layers (torch/nn/modules/padding.py): ZeroPad, ConstantPad, ReflectionPad, ReplicationPad
// and CircularPad, 1-D to 3-D. `padding` is one int for every side or PyTorch's tuple
// (left, right[, top, bottom[, front, back]]); the last dims of a batched or unbatched input are padded.
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { Module, pyTuple } from '../module.js';
import type { IntOrList } from './utils.js';

function sides(padding: IntOrList, n: number, who: string): number[] {
  const p = Array.isArray(padding) ? padding : Array<number>(2 * n).fill(padding);
  if (p.length !== 2 * n || p.some((v) => !Number.isInteger(v)))
    throw new TypeError(`${who}: padding must be an int or ${2 * n} ints, got ${JSON.stringify(padding)}`);
  return p;
}
abstract class PadNd extends Module {
  /** The padding per side, PyTorch's tuple (left, right, top, bottom, front, back order as far as needed). */
  readonly padding: number[];
  constructor(
    padding: IntOrList,
    protected readonly dims: number,
    protected readonly mode: F.PadMode,
  ) {
    super();
    this.padding = sides(padding, dims, this.constructor.name);
  }
  /** Pads the last dims of a batched or unbatched input by `padding`. */
  override forward(x: Tensor): Tensor {
    if (x.ndim !== this.dims + 1 && x.ndim !== this.dims + 2) {
      throw new RangeError(
        `${this.constructor.name}: expected ${this.dims + 1}D or ${this.dims + 2}D input, got shape [${x.shape.join(', ')}]`,
      );
    }
    return F.pad(x, this.padding, this.mode);
  }
  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}

abstract class ConstantPadNd extends PadNd {
  constructor(
    padding: IntOrList,
    readonly value: number,
    dims: number,
  ) {
    super(padding, dims, 'constant');
  }
  /** Pads the last dims of a batched or unbatched input by `padding`. */
  override forward(x: Tensor): Tensor {
    return F.pad(x, this.padding, 'constant', this.value);
  }
  /** PyTorch prints the value as given; a JS number prints as an int when integral (Python's 0.0 prints as 0). */
  override extraRepr(): string {
    return `padding=${pyTuple(this.padding)}, value=${this.value}`;
  }
}
/**
 * Pads the last dimension of the input with a constant value.
 *
 * The value fills every new position.
 *
 * Shape:
 * - Input: `(N, C, W_in)` or `(C, W_in)`.
 * - Output: `(N, C, W_out)` or `(C, W_out)`, where
 *   `W_out = W_in + left + right`
 *
 * @param padding - the size of the padding: one int for every side, or 2 ints `[left, right]`.
 * @param value - the value of the new positions.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ConstantPad1d(2, 3.5);
 * const input = torch.arange(4, { dtype: 'float32' }).reshape(1, 1, 4);
 * console.log(m(input).tolist()); // [[[3.5, 3.5, 0, 1, 2, 3, 3.5, 3.5]]]
 */
export class ConstantPad1d extends ConstantPadNd {
  constructor(padding: IntOrList, value: number) {
    super(padding, value, 1);
  }
}
/**
 * Pads the last two dimensions of the input with a constant value.
 *
 * The value fills every new position.
 *
 * Shape:
 * - Input: `(N, C, H_in, W_in)` or `(C, H_in, W_in)`.
 * - Output: `(N, C, H_out, W_out)` or `(C, H_out, W_out)`, where
 *   `H_out = H_in + top + bottom`
 *   `W_out = W_in + left + right`
 *
 * @param padding - the size of the padding: one int for every side, or 4 ints `[left, right, top, bottom]` (PyTorch's
 *   order: the last dimension first).
 * @param value - the value of the new positions.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ConstantPad2d([2, 1, 0, 1], 3.5);
 * const output = m(torch.randn(1, 3, 3));
 * console.log(output.shape); // [1, 4, 6]
 */
export class ConstantPad2d extends ConstantPadNd {
  constructor(padding: IntOrList, value: number) {
    super(padding, value, 2);
  }
}
/**
 * Pads the last three dimensions of the input with a constant value.
 *
 * The value fills every new position.
 *
 * Shape:
 * - Input: `(N, C, D_in, H_in, W_in)` or `(C, D_in, H_in, W_in)`.
 * - Output: `(N, C, D_out, H_out, W_out)` or `(C, D_out, H_out, W_out)`, where
 *   `D_out = D_in + front + back`
 *   `H_out = H_in + top + bottom`
 *   `W_out = W_in + left + right`
 *
 * @param padding - the size of the padding: one int for every side, or 6 ints `[left, right, top, bottom, front, back]`
 *   (PyTorch's order: the last dimension first).
 * @param value - the value of the new positions.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ConstantPad3d(1, 3.5);
 * const output = m(torch.randn(2, 3, 4, 5, 6));
 * console.log(output.shape); // [2, 3, 6, 7, 8]
 */
export class ConstantPad3d extends ConstantPadNd {
  constructor(padding: IntOrList, value: number) {
    super(padding, value, 3);
  }
}
/**
 * Pads the last dimension of the input with zeros.
 *
 * `ConstantPad1d` with the value 0.
 *
 * Shape:
 * - Input: `(N, C, W_in)` or `(C, W_in)`.
 * - Output: `(N, C, W_out)` or `(C, W_out)`, where
 *   `W_out = W_in + left + right`
 *
 * @param padding - the size of the padding: one int for every side, or 2 ints `[left, right]`.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ZeroPad1d([1, 2]);
 * const input = torch.arange(4, { dtype: 'float32' }).reshape(1, 1, 4);
 * console.log(m(input).tolist()); // [[[0, 0, 1, 2, 3, 0, 0]]]
 */
export class ZeroPad1d extends ConstantPad1d {
  constructor(padding: IntOrList) {
    super(padding, 0);
  }
  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}
/**
 * Pads the last two dimensions of the input with zeros.
 *
 * `ConstantPad2d` with the value 0.
 *
 * Shape:
 * - Input: `(N, C, H_in, W_in)` or `(C, H_in, W_in)`.
 * - Output: `(N, C, H_out, W_out)` or `(C, H_out, W_out)`, where
 *   `H_out = H_in + top + bottom`
 *   `W_out = W_in + left + right`
 *
 * @param padding - the size of the padding: one int for every side, or 4 ints `[left, right, top, bottom]` (PyTorch's
 *   order: the last dimension first).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ZeroPad2d([2, 1, 0, 1]);
 * const output = m(torch.randn(1, 3, 3));
 * console.log(output.shape); // [1, 4, 6]
 */
export class ZeroPad2d extends ConstantPad2d {
  constructor(padding: IntOrList) {
    super(padding, 0);
  }
  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}
/**
 * Pads the last three dimensions of the input with zeros.
 *
 * `ConstantPad3d` with the value 0.
 *
 * Shape:
 * - Input: `(N, C, D_in, H_in, W_in)` or `(C, D_in, H_in, W_in)`.
 * - Output: `(N, C, D_out, H_out, W_out)` or `(C, D_out, H_out, W_out)`, where
 *   `D_out = D_in + front + back`
 *   `H_out = H_in + top + bottom`
 *   `W_out = W_in + left + right`
 *
 * @param padding - the size of the padding: one int for every side, or 6 ints `[left, right, top, bottom, front, back]`
 *   (PyTorch's order: the last dimension first).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ZeroPad3d(1);
 * const output = m(torch.randn(2, 3, 4, 5, 6));
 * console.log(output.shape); // [2, 3, 6, 7, 8]
 */
export class ZeroPad3d extends ConstantPad3d {
  constructor(padding: IntOrList) {
    super(padding, 0);
  }
  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}
/**
 * Pads the last dimension of the input with the reflection of the input at its boundary.
 *
 * The edge element itself is not repeated: padding `[a, b, c]` by 2 on the left gives `[c, b, a, b, c]`. Each padding
 * must be smaller than the size of its dimension.
 *
 * Shape:
 * - Input: `(N, C, W_in)` or `(C, W_in)`.
 * - Output: `(N, C, W_out)` or `(C, W_out)`, where
 *   `W_out = W_in + left + right`
 *
 * @param padding - the size of the padding: one int for every side, or 2 ints `[left, right]`.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ReflectionPad1d(2);
 * const input = torch.arange(4, { dtype: 'float32' }).reshape(1, 1, 4);
 * console.log(m(input).tolist()); // [[[2, 1, 0, 1, 2, 3, 2, 1]]]
 */
export class ReflectionPad1d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 1, 'reflect');
  }
}
/**
 * Pads the last two dimensions of the input with the reflection of the input at its boundary.
 *
 * The edge element itself is not repeated: padding `[a, b, c]` by 2 on the left gives `[c, b, a, b, c]`. Each padding
 * must be smaller than the size of its dimension.
 *
 * Shape:
 * - Input: `(N, C, H_in, W_in)` or `(C, H_in, W_in)`.
 * - Output: `(N, C, H_out, W_out)` or `(C, H_out, W_out)`, where
 *   `H_out = H_in + top + bottom`
 *   `W_out = W_in + left + right`
 *
 * @param padding - the size of the padding: one int for every side, or 4 ints `[left, right, top, bottom]` (PyTorch's
 *   order: the last dimension first).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ReflectionPad2d([2, 1, 0, 1]);
 * const output = m(torch.randn(1, 3, 3));
 * console.log(output.shape); // [1, 4, 6]
 */
export class ReflectionPad2d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 2, 'reflect');
  }
}
/**
 * Pads the last three dimensions of the input with the reflection of the input at its boundary.
 *
 * The edge element itself is not repeated: padding `[a, b, c]` by 2 on the left gives `[c, b, a, b, c]`. Each padding
 * must be smaller than the size of its dimension.
 *
 * Shape:
 * - Input: `(N, C, D_in, H_in, W_in)` or `(C, D_in, H_in, W_in)`.
 * - Output: `(N, C, D_out, H_out, W_out)` or `(C, D_out, H_out, W_out)`, where
 *   `D_out = D_in + front + back`
 *   `H_out = H_in + top + bottom`
 *   `W_out = W_in + left + right`
 *
 * @param padding - the size of the padding: one int for every side, or 6 ints `[left, right, top, bottom, front, back]`
 *   (PyTorch's order: the last dimension first).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ReflectionPad3d(1);
 * const output = m(torch.randn(2, 3, 4, 5, 6));
 * console.log(output.shape); // [2, 3, 6, 7, 8]
 */
export class ReflectionPad3d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 3, 'reflect');
  }
}
/**
 * Pads the last dimension of the input by repeating the edge values.
 *
 * Padding `[a, b, c]` by 2 on the left gives `[a, a, a, b, c]`.
 *
 * Shape:
 * - Input: `(N, C, W_in)` or `(C, W_in)`.
 * - Output: `(N, C, W_out)` or `(C, W_out)`, where
 *   `W_out = W_in + left + right`
 *
 * @param padding - the size of the padding: one int for every side, or 2 ints `[left, right]`.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ReplicationPad1d(2);
 * const input = torch.arange(4, { dtype: 'float32' }).reshape(1, 1, 4);
 * console.log(m(input).tolist()); // [[[0, 0, 0, 1, 2, 3, 3, 3]]]
 */
export class ReplicationPad1d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 1, 'replicate');
  }
}
/**
 * Pads the last two dimensions of the input by repeating the edge values.
 *
 * Padding `[a, b, c]` by 2 on the left gives `[a, a, a, b, c]`.
 *
 * Shape:
 * - Input: `(N, C, H_in, W_in)` or `(C, H_in, W_in)`.
 * - Output: `(N, C, H_out, W_out)` or `(C, H_out, W_out)`, where
 *   `H_out = H_in + top + bottom`
 *   `W_out = W_in + left + right`
 *
 * @param padding - the size of the padding: one int for every side, or 4 ints `[left, right, top, bottom]` (PyTorch's
 *   order: the last dimension first).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ReplicationPad2d([2, 1, 0, 1]);
 * const output = m(torch.randn(1, 3, 3));
 * console.log(output.shape); // [1, 4, 6]
 */
export class ReplicationPad2d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 2, 'replicate');
  }
}
/**
 * Pads the last three dimensions of the input by repeating the edge values.
 *
 * Padding `[a, b, c]` by 2 on the left gives `[a, a, a, b, c]`.
 *
 * Shape:
 * - Input: `(N, C, D_in, H_in, W_in)` or `(C, D_in, H_in, W_in)`.
 * - Output: `(N, C, D_out, H_out, W_out)` or `(C, D_out, H_out, W_out)`, where
 *   `D_out = D_in + front + back`
 *   `H_out = H_in + top + bottom`
 *   `W_out = W_in + left + right`
 *
 * @param padding - the size of the padding: one int for every side, or 6 ints `[left, right, top, bottom, front, back]`
 *   (PyTorch's order: the last dimension first).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.ReplicationPad3d(1);
 * const output = m(torch.randn(2, 3, 4, 5, 6));
 * console.log(output.shape); // [2, 3, 6, 7, 8]
 */
export class ReplicationPad3d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 3, 'replicate');
  }
}
/**
 * Pads the last dimension of the input circularly (periodically), wrapping it around.
 *
 * Padding `[a, b, c]` by 2 on the left gives `[b, c, a, b, c]`: the values past one edge come from the other. Each
 * padding must be at most the size of its dimension.
 *
 * Shape:
 * - Input: `(N, C, W_in)` or `(C, W_in)`.
 * - Output: `(N, C, W_out)` or `(C, W_out)`, where
 *   `W_out = W_in + left + right`
 *
 * @param padding - the size of the padding: one int for every side, or 2 ints `[left, right]`.
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.CircularPad1d(2);
 * const input = torch.arange(4, { dtype: 'float32' }).reshape(1, 1, 4);
 * console.log(m(input).tolist()); // [[[2, 3, 0, 1, 2, 3, 0, 1]]]
 */
export class CircularPad1d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 1, 'circular');
  }
}
/**
 * Pads the last two dimensions of the input circularly (periodically), wrapping it around.
 *
 * Padding `[a, b, c]` by 2 on the left gives `[b, c, a, b, c]`: the values past one edge come from the other. Each
 * padding must be at most the size of its dimension.
 *
 * Shape:
 * - Input: `(N, C, H_in, W_in)` or `(C, H_in, W_in)`.
 * - Output: `(N, C, H_out, W_out)` or `(C, H_out, W_out)`, where
 *   `H_out = H_in + top + bottom`
 *   `W_out = W_in + left + right`
 *
 * @param padding - the size of the padding: one int for every side, or 4 ints `[left, right, top, bottom]` (PyTorch's
 *   order: the last dimension first).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.CircularPad2d([2, 1, 0, 1]);
 * const output = m(torch.randn(1, 3, 3));
 * console.log(output.shape); // [1, 4, 6]
 */
export class CircularPad2d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 2, 'circular');
  }
}
/**
 * Pads the last three dimensions of the input circularly (periodically), wrapping it around.
 *
 * Padding `[a, b, c]` by 2 on the left gives `[b, c, a, b, c]`: the values past one edge come from the other. Each
 * padding must be at most the size of its dimension.
 *
 * Shape:
 * - Input: `(N, C, D_in, H_in, W_in)` or `(C, D_in, H_in, W_in)`.
 * - Output: `(N, C, D_out, H_out, W_out)` or `(C, D_out, H_out, W_out)`, where
 *   `D_out = D_in + front + back`
 *   `H_out = H_in + top + bottom`
 *   `W_out = W_in + left + right`
 *
 * @param padding - the size of the padding: one int for every side, or 6 ints `[left, right, top, bottom, front, back]`
 *   (PyTorch's order: the last dimension first).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.CircularPad3d(1);
 * const output = m(torch.randn(2, 3, 4, 5, 6));
 * console.log(output.shape); // [2, 3, 6, 7, 8]
 */
export class CircularPad3d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 3, 'circular');
  }
}
