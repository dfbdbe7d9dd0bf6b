// Loss modules: PyTorch's standard losses (torch.nn.CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss,
// MSELoss, L1Loss) over the functional forms in ./functional.ts.
import type { Tensor } from '../torch/tensor.js';
import * as F from './functional.js';
import { Module } from './module.js';

export type { Reduction } from './functional.js';

/** Cross-entropy of logits against class indices or probabilities (F.crossEntropy with the given options). */
export class CrossEntropyLoss extends Module {
  constructor(readonly options: F.CrossEntropyOptions = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, this.options);
  }
}
/** Negative log-likelihood of log-probabilities at class indices. */
export class NLLLoss extends Module {
  constructor(readonly options: Omit<F.CrossEntropyOptions, 'labelSmoothing'> = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, this.options);
  }
}
/** Binary cross-entropy of probabilities. */
export class BCELoss extends Module {
  constructor(readonly options: { weight?: Tensor | null; reduction?: F.Reduction } = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, this.options);
  }
}
/** Binary cross-entropy of logits (sigmoid applied stably inside). */
export class BCEWithLogitsLoss extends Module {
  constructor(readonly options: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: F.Reduction } = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, this.options);
  }
}
/** Mean squared error (reduction 'mean' by default). */
export class MSELoss extends Module {
  constructor(readonly reduction: F.Reduction = 'mean') {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, this.reduction);
  }
}
/** Mean absolute error (reduction 'mean' by default). */
export class L1Loss extends Module {
  constructor(readonly reduction: F.Reduction = 'mean') {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, this.reduction);
  }
}
