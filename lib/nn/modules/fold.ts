// Fold and Unfold (torch/nn/modules/fold.py): sliding local blocks to columns and back.
import type { Tensor } from '../../torch/tensor.js';
import * as F from '../functional.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import { Module } from '../module.js';
import { pyIntOrTuple, type IntOrList } from './utils.js';

type FoldArgs = KwArgs<F.UnfoldOptions, ['dilation', 'padding', 'stride']>;
const blockRepr = (m: { dilation: IntOrList; padding: IntOrList; stride: IntOrList }): string =>
  `dilation=${pyIntOrTuple(m.dilation)}, padding=${pyIntOrTuple(m.padding)}, stride=${pyIntOrTuple(m.stride)}`;
/** (N, C, H, W) -> (N, C * prod(kernelSize), L) blocks. */
export class Unfold extends Module {
  readonly dilation: IntOrList;
  readonly padding: IntOrList;
  readonly stride: IntOrList;
  constructor(
    readonly kernelSize: IntOrList,
    ...args: FoldArgs
  ) {
    super();
    const o = kwargs<F.UnfoldOptions>('Unfold', ['dilation', 'padding', 'stride'], args);
    this.dilation = o.dilation ?? 1;
    this.padding = o.padding ?? 0;
    this.stride = o.stride ?? 1;
  }
  override forward(x: Tensor): Tensor {
    return F.unfold(x, this.kernelSize, this.dilation, this.padding, this.stride);
  }
  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernelSize)}, ${blockRepr(this)}`;
  }
}
/** (N, C * prod(kernelSize), L) blocks -> (N, C, *outputSize), overlapping values summed. */
export class Fold extends Module {
  readonly dilation: IntOrList;
  readonly padding: IntOrList;
  readonly stride: IntOrList;
  constructor(
    readonly outputSize: IntOrList,
    readonly kernelSize: IntOrList,
    ...args: FoldArgs
  ) {
    super();
    const o = kwargs<F.UnfoldOptions>('Fold', ['dilation', 'padding', 'stride'], args);
    this.dilation = o.dilation ?? 1;
    this.padding = o.padding ?? 0;
    this.stride = o.stride ?? 1;
  }
  override forward(x: Tensor): Tensor {
    return F.fold(x, this.outputSize, this.kernelSize, this.dilation, this.padding, this.stride);
  }
  override extraRepr(): string {
    return `output_size=${pyIntOrTuple(this.outputSize)}, kernel_size=${pyIntOrTuple(this.kernelSize)}, ${blockRepr(this)}`;
  }
}
