// Loss modules: PyTorch's standard losses (torch.nn.CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss,
// MSELoss, L1Loss) over the functional forms in ./functional.ts.
import type { Tensor } from '../torch/tensor.js';
import * as F from './functional.js';
import { Module } from './module.js';

export type { Reduction } from './functional.js';

/**
 * The cross-entropy loss between unnormalized logits and target classes or class probabilities.
 *
 * For class indices, the loss of sample `n` is `-w[y_n] * log(softmax(x_n)[y_n])`; for class probabilities `p`, it is
 * `-sum_c w[c] * p_c * log(softmax(x_n)[c])`. It equals `nn.LogSoftmax` followed by `nn.NLLLoss`. With class indices,
 * `'mean'` divides by the summed weights of the non-ignored targets. With `labelSmoothing` the targets are mixed with
 * the uniform distribution (Szegedy et al., 2016). The options are kept as `options`.
 *
 * Shape:
 * - Input: `(C)`, `(N, C)` or `(N, C, d_1, ..., d_K)`, `C` the number of classes and `N` the batch size.
 * - Target: class indices (int64, in `[0, C)`) of shape `()`, `(N)` or `(N, d_1, ..., d_K)`, or class probabilities
 *   (floating, in `[0, 1]`) of the input's shape.
 * - Output: a scalar; with reduction `'none'`, `()`, `(N)` or `(N, d_1, ..., d_K)`, as the input.
 *
 * @param options.weight - a rescaling weight for each class, of size `C` (default none: all 1).
 * @param options.ignoreIndex - a class index whose targets are ignored and do not contribute to the gradient; only for
 *   class-index targets (default `-100`).
 * @param options.reduction - `'none'` (the loss of each element), `'mean'` (their mean, weighted by the class weights
 *   of the targets) or `'sum'` (default `'mean'`).
 * @param options.labelSmoothing - the amount of smoothing, in `[0, 1]` (default `0`: none).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const input = torch.randn([3, 5], { requiresGrad: true });
 * const output = loss(input, torch.tensor([1, 0, 4]));
 * output.backward();
 * console.log(output.shape); // []
 * // class probabilities as the target
 * console.log(loss(input, torch.randn(3, 5).softmax(1)).shape); // []
 */
export class CrossEntropyLoss extends Module {
  constructor(readonly options: F.CrossEntropyOptions = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, this.options);
  }
}
/**
 * The negative log-likelihood loss, for classification from log-probabilities.
 *
 * The loss of sample `n` is `-w[y_n] * x[n, y_n]`; `'mean'` divides the sum by the summed weights of the non-ignored
 * targets. The input holds log-probabilities, e.g. from an `nn.LogSoftmax` layer (or use `nn.CrossEntropyLoss` on the
 * logits). The options are kept as `options`.
 *
 * Shape:
 * - Input: `(C)`, `(N, C)` or `(N, C, d_1, ..., d_K)`, `C` the number of classes and `N` the batch size.
 * - Target: `()`, `(N)` or `(N, d_1, ..., d_K)`, int64 class indices in `[0, C)`.
 * - Output: a scalar; with reduction `'none'`, `()`, `(N)` or `(N, d_1, ..., d_K)`, as the target.
 *
 * @param options.weight - a rescaling weight for each class, of size `C` (default none: all 1).
 * @param options.ignoreIndex - a class index whose targets are ignored and do not contribute to the gradient (default
 *   `-100`).
 * @param options.reduction - `'none'` (the loss of each element), `'mean'` (their mean, weighted by the class weights
 *   of the targets) or `'sum'` (default `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.LogSoftmax(1);
 * const loss = new nn.NLLLoss();
 * const output = loss(m(torch.randn(3, 5)), torch.tensor([1, 0, 4]));
 * console.log(output.shape); // []
 */
export class NLLLoss extends Module {
  constructor(readonly options: Omit<F.CrossEntropyOptions, 'labelSmoothing'> = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, this.options);
  }
}
/**
 * The binary cross-entropy between target probabilities and input probabilities.
 *
 * The loss of element `n` is `-w_n * (y_n * log(x_n) + (1 - y_n) * log(1 - x_n))`, the logarithms clamped at `-100` so
 * that inputs of 0 or 1 give finite values. The input should come out of a sigmoid; `nn.BCEWithLogitsLoss` takes logits
 * and is numerically more stable. The options are kept as `options`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Target: `(*)`, the same shape as the input, in `[0, 1]`.
 * - Output: a scalar; with reduction `'none'`, `(*)`, the same shape as the input.
 *
 * @param options.weight - a rescaling weight of each element, broadcast to the input's shape (default none).
 * @param options.reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const m = new nn.Sigmoid();
 * const loss = new nn.BCELoss();
 * const output = loss(m(torch.randn(3)), torch.rand(3));
 * console.log(output.shape); // []
 */
export class BCELoss extends Module {
  constructor(readonly options: { weight?: Tensor | null; reduction?: F.Reduction } = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, this.options);
  }
}
/**
 * A sigmoid layer and the binary cross-entropy in one, numerically stable, loss.
 *
 * The loss of element `n`, for class `c`, is
 * `-w_n * (p_c * y_n * log(sigmoid(x_n)) + (1 - y_n) * log(1 - sigmoid(x_n)))`, computed with the log-sum-exp trick.
 * `posWeight` > 1 raises the recall of the positive class, < 1 its precision: for a class with 100 positive and 300
 * negative examples, `posWeight` 3 balances them. The options are kept as `options`.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Target: `(*)`, the same shape as the input, in `[0, 1]`.
 * - Output: a scalar; with reduction `'none'`, `(*)`, the same shape as the input.
 *
 * @param options.weight - a rescaling weight of each element, broadcast to the input's shape (default none).
 * @param options.posWeight - a weight of the positive examples, broadcast with the target: for `C` classes in the last
 *   dimension, one per class, shape `(C)` (default none).
 * @param options.reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.BCEWithLogitsLoss({ posWeight: torch.full([3], 2) });
 * const output = loss(torch.randn(4, 3), torch.rand(4, 3));
 * console.log(output.shape); // []
 */
export class BCEWithLogitsLoss extends Module {
  constructor(readonly options: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: F.Reduction } = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, this.options);
  }
}
/**
 * The mean squared error between each element of the input and the target.
 *
 * The loss of element `n` is `(x_n - y_n)^2`; `'mean'` divides the sum by the number of elements.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Target: `(*)`, the same shape as the input.
 * - Output: a scalar; with reduction `'none'`, `(*)`, the same shape as the input.
 *
 * @param reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.MSELoss();
 * const input = torch.randn([3, 5], { requiresGrad: true });
 * const output = loss(input, torch.randn(3, 5));
 * output.backward();
 * console.log(output.shape); // []
 */
export class MSELoss extends Module {
  constructor(readonly reduction: F.Reduction = 'mean') {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, this.reduction);
  }
}
/**
 * The mean absolute error between each element of the input and the target.
 *
 * The loss of element `n` is `|x_n - y_n|`; `'mean'` divides the sum by the number of elements.
 *
 * Shape:
 * - Input: `(*)`, any number of dimensions.
 * - Target: `(*)`, the same shape as the input.
 * - Output: a scalar; with reduction `'none'`, `(*)`, the same shape as the input.
 *
 * @param reduction - `'none'` (the loss of each element), `'mean'` (their mean) or `'sum'` (their sum) (default
 *   `'mean'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const loss = new nn.L1Loss('sum');
 * const output = loss(torch.tensor([1, 2.5]), torch.tensor([0.5, 3]));
 * console.log(output.item()); // 1
 */
export class L1Loss extends Module {
  constructor(readonly reduction: F.Reduction = 'mean') {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, this.reduction);
  }
}
