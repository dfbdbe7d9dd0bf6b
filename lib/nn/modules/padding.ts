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
  override forward(x: Tensor): Tensor {
    return F.pad(x, this.padding, 'constant', this.value);
  }
  /** PyTorch prints the value as given; a JS number prints as an int when integral (Python's 0.0 prints as 0). */
  override extraRepr(): string {
    return `padding=${pyTuple(this.padding)}, value=${this.value}`;
  }
}
/** Pads the last dim with `value`: (N, C, W) or (C, W). */
export class ConstantPad1d extends ConstantPadNd {
  constructor(padding: IntOrList, value: number) {
    super(padding, value, 1);
  }
}
/** Pads the last two dims with `value`. */
export class ConstantPad2d extends ConstantPadNd {
  constructor(padding: IntOrList, value: number) {
    super(padding, value, 2);
  }
}
/** Pads the last three dims with `value`. */
export class ConstantPad3d extends ConstantPadNd {
  constructor(padding: IntOrList, value: number) {
    super(padding, value, 3);
  }
}
/** Pads the last dim with zeros. */
export class ZeroPad1d extends ConstantPad1d {
  constructor(padding: IntOrList) {
    super(padding, 0);
  }
  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}
/** Pads the last two dims with zeros. */
export class ZeroPad2d extends ConstantPad2d {
  constructor(padding: IntOrList) {
    super(padding, 0);
  }
  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}
/** Pads the last three dims with zeros. */
export class ZeroPad3d extends ConstantPad3d {
  constructor(padding: IntOrList) {
    super(padding, 0);
  }
  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}
/** Reflects the last dim at its edges (edge not repeated). */
export class ReflectionPad1d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 1, 'reflect');
  }
}
/** Reflects the last two dims at their edges. */
export class ReflectionPad2d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 2, 'reflect');
  }
}
/** Reflects the last three dims at their edges. */
export class ReflectionPad3d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 3, 'reflect');
  }
}
/** Repeats the edge values of the last dim. */
export class ReplicationPad1d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 1, 'replicate');
  }
}
/** Repeats the edge values of the last two dims. */
export class ReplicationPad2d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 2, 'replicate');
  }
}
/** Repeats the edge values of the last three dims. */
export class ReplicationPad3d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 3, 'replicate');
  }
}
/** Wraps the last dim around (periodic). */
export class CircularPad1d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 1, 'circular');
  }
}
/** Wraps the last two dims around. */
export class CircularPad2d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 2, 'circular');
  }
}
/** Wraps the last three dims around. */
export class CircularPad3d extends PadNd {
  constructor(padding: IntOrList) {
    super(padding, 3, 'circular');
  }
}
