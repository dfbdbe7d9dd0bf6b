// AdaptiveLogSoftmaxWithLoss (torch/nn/modules/adaptive.py): the efficient softmax approximation of
// Grave et al. (2016). Children `head` (Linear to shortlist + clusters) and `tail` (per cluster a
// Sequential of two bias-free Linear layers), as in PyTorch.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { ModuleList, Sequential } from '../containers.js';
import { kwargs, type KwArgs } from '../functional/args.js';
import { Module } from '../module.js';
import { Linear } from './linear.js';
import type { FactoryOptions } from './utils.js';

/** forward's result: [output (log-probability of each target), loss (mean negative output)], PyTorch's _ASMoutput. */
export type ASMOutput = [output: Tensor, loss: Tensor];
/** Options of adaptiveLogSoftmax (Python's keyword arguments, camelCase). */
export interface AdaptiveLogSoftmaxOptions extends FactoryOptions {
  /** Cluster size divisor, default 4. */ divValue?: number;
  /** Bias in the head. Default false. */ headBias?: boolean;
}

/**
 * Efficient softmax approximation for large output spaces (Grave et al., 2016, "Efficient softmax approximation for
 * GPUs"): the classes, sorted by falling frequency, are split into clusters.
 *
 * The shortlist `[0, cutoffs[0])` and one entry per further cluster are scored by the `head` Linear layer; the classes
 * of cluster `i` (`[cutoffs[i - 1], cutoffs[i])`) are scored by `tail[i - 1]`, a projection to
 * `floor(inFeatures / divValue ** i)` features followed by a Linear layer to the cluster's classes. Rare classes thus
 * cost smaller matrices. `forward(input, target)` returns `[output, loss]`: the log-probability of each target and the
 * mean negative log-likelihood; `logProb(input)` gives the log-probabilities of every class and `predict(input)` the
 * most likely class. The labels must be sorted by frequency (0 the most frequent) for this to help.
 *
 * Shape:
 * - input: `(N, inFeatures)` or `(inFeatures)`.
 * - target: `(N)` or `()`, integers with `0 <= target[i] < nClasses`.
 * - output: `(N)` or `()`; loss: a scalar.
 * - `logProb`: `(N, inFeatures)` to `(N, nClasses)`; `predict`: `(N, inFeatures)` to `(N)`.
 *
 * @param inFeatures - the number of features of the input.
 * @param nClasses - the number of classes.
 * @param cutoffs - the cluster boundaries, increasing integers between 1 and `nClasses - 1`.
 * @param divValue - the exponent base of the cluster sizes (default `4`); positionally or in the options object.
 * @param headBias - whether the head has a bias (default `false`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const asm = new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [2, 6], { divValue: 2 });
 * const [output, loss] = asm(torch.randn(4, 8), torch.tensor([0, 3, 7, 9]));
 * console.log(output.shape); // [4]
 * console.log(loss.shape); // []
 */
export class AdaptiveLogSoftmaxWithLoss extends Module {
  readonly cutoffs: number[];
  readonly divValue: number;
  readonly headBias: boolean;
  readonly shortlistSize: number;
  readonly nClusters: number;
  readonly headSize: number;
  head: Linear;
  tail: ModuleList;
  constructor(
    readonly inFeatures: number,
    readonly nClasses: number,
    cutoffs: number[],
    ...args: KwArgs<AdaptiveLogSoftmaxOptions, ['divValue', 'headBias']>
  ) {
    super();
    const o = kwargs<AdaptiveLogSoftmaxOptions>('AdaptiveLogSoftmaxWithLoss', ['divValue', 'headBias'], args, [
      'device',
      'dtype',
    ]);
    const sorted = [...cutoffs].sort((a, b) => a - b);
    if (!cutoffs.length)
      throw new RangeError('AdaptiveLogSoftmaxWithLoss: cutoffs should be a sequence of length larger than 0');
    if (
      cutoffs.some(
        (c, i) => c !== sorted[i] || !Number.isInteger(c) || c <= 0 || c > nClasses - 1 || cutoffs.indexOf(c) !== i,
      )
    ) {
      throw new RangeError(
        'AdaptiveLogSoftmaxWithLoss: cutoffs should be a sequence of unique, positive integers sorted in an ' +
          'increasing order, where each value is between 1 and nClasses-1',
      );
    }
    this.cutoffs = [...cutoffs, nClasses];
    this.divValue = o.divValue ?? 4;
    this.headBias = o.headBias ?? false;
    this.shortlistSize = this.cutoffs[0]!;
    this.nClusters = this.cutoffs.length - 1;
    this.headSize = this.shortlistSize + this.nClusters;
    const fo = { device: o.device, dtype: o.dtype };
    this.head = new Linear(inFeatures, this.headSize, { ...fo, bias: this.headBias });
    this.tail = new ModuleList(
      Array.from({ length: this.nClusters }, (_, i) => {
        const hsz = Math.floor(inFeatures / this.divValue ** (i + 1));
        return new Sequential(
          new Linear(inFeatures, hsz, { ...fo, bias: false }),
          new Linear(hsz, this.cutoffs[i + 1]! - this.cutoffs[i]!, { ...fo, bias: false }),
        );
      }),
    );
  }
  private cluster(i: number, x: Tensor): Tensor {
    return this.tail.at<Sequential>(i).forward(x);
  }
  /** input (N, inFeatures) with target (N), or (inFeatures) with a 0-d target. */
  override forward(input: Tensor, target: Tensor): ASMOutput {
    const batched = target.ndim === 1;
    if (target.ndim > 1)
      throw new RangeError('AdaptiveLogSoftmaxWithLoss: 0D or 1D target tensor expected, multi-target not supported');
    if (batched && (input.ndim !== 2 || input.shape[0] !== target.shape[0]))
      throw new RangeError(
        `AdaptiveLogSoftmaxWithLoss: 1D target [${target.shape.join(', ')}] expects a 2D input with the same batch size, got [${input.shape.join(', ')}]`,
      );
    if (!batched && input.ndim !== 1)
      throw new RangeError(
        `AdaptiveLogSoftmaxWithLoss: 0D target tensor expects 1D input tensors, got [${input.shape.join(', ')}]`,
      );
    return torch.tidy(() => {
      const x = batched ? input : input.unsqueeze(0);
      const t = batched ? target : target.unsqueeze(0);
      const tv = t.toArray() as number[];
      let output = torch.zeros([tv.length], { dtype: x.dtype, device: x.device });
      const gather = t.clone();
      const bounds = [0, ...this.cutoffs];
      let used = 0;
      for (let i = 0; i < bounds.length - 1; i++) {
        const lo = bounds[i]!,
          hi = bounds[i + 1]!;
        const rows = tv.flatMap((v, j) => (v >= lo && v < hi ? [j] : []));
        if (!rows.length) continue;
        used += rows.length;
        if (i === 0) continue; // shortlist rows gather their own class from the head
        const idx = torch.tensor(rows, { dtype: 'int64', device: x.device });
        const rel = torch.tensor(
          rows.map((j) => tv[j]! - lo),
          { dtype: 'int64', device: x.device },
        );
        gather.indexFill_(0, idx, this.shortlistSize + i - 1);
        const local = this.cluster(i - 1, x.indexSelect(0, idx))
          .logSoftmax(1)
          .gather(1, rel.unsqueeze(1))
          .squeeze(1);
        output = output.indexCopy(0, idx, local);
      }
      if (used !== tv.length)
        throw new RangeError(
          `AdaptiveLogSoftmaxWithLoss: target values should be in [0, ${this.nClasses - 1}], but values in range [${Math.min(...tv)}, ${Math.max(...tv)}] were found`,
        );
      output = output.add(this.head.forward(x).logSoftmax(1).gather(1, gather.unsqueeze(1)).squeeze(1));
      const loss = output.neg().mean();
      return [batched ? output : output.squeeze(0), loss] as ASMOutput;
    });
  }
  private fullLogProb(x: Tensor, headOutput: Tensor): Tensor {
    const head = headOutput.logSoftmax(1);
    const parts = [head.narrow(1, 0, this.shortlistSize)];
    for (let i = 0; i < this.nClusters; i++)
      parts.push(
        this.cluster(i, x)
          .logSoftmax(1)
          .add(head.select(1, this.shortlistSize + i).unsqueeze(1)),
      );
    return torch.cat(parts, 1);
  }
  /** Log-probabilities of every class, (N, nClasses). */
  logProb(input: Tensor): Tensor {
    return torch.tidy(() => this.fullLogProb(input, this.head.forward(input)));
  }
  /**
   * The most likely class of each row, (N) int64 (the full distribution only for rows whose head argmax is a cluster).
   */
  predict(input: Tensor): Tensor {
    return torch.tidy(() => {
      const headOutput = this.head.forward(input);
      const out = headOutput.argmax(1);
      const outside = out.ge(this.shortlistSize);
      if (!outside.any().item()) return out;
      return torch.where(outside, this.fullLogProb(input, headOutput).argmax(1), out);
    });
  }
}
