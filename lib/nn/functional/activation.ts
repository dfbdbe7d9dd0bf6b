// nn.functional activations beyond relu/gelu/sigmoid/tanh: PyTorch's names, defaults and in-place flags.
import * as torch from '../../torch/index.js';
import type { DType } from '../../torch/dtype.js';
import type { Tensor } from '../../torch/tensor.js';

/** x * sigmoid(x). */
export const silu = (x: Tensor, inplace = false): Tensor => (inplace ? torch.silu_(x) : torch.silu(x));
/** x * tanh(softplus(x)). */
export const mish = (x: Tensor, inplace = false): Tensor => (inplace ? torch.mish_(x) : torch.mish(x));
/** log(1 + exp(beta x)) / beta, linear above `threshold` (defaults beta 1, threshold 20). */
export const softplus = (x: Tensor, beta = 1, threshold = 20): Tensor => torch.softplus(x, beta, threshold);
/** x for x > 0, alpha (exp(x) - 1) otherwise (alpha 1). */
export const elu = (x: Tensor, alpha = 1, inplace = false): Tensor => (inplace ? torch.elu_(x, alpha) : torch.elu(x, alpha));
/** scale * elu(x, alpha) with SELU's fixed constants. */
export const selu = (x: Tensor, inplace = false): Tensor => (inplace ? torch.selu_(x) : torch.selu(x));
/** max(0, x) + min(0, alpha (exp(x / alpha) - 1)) (alpha 1). */
export const celu = (x: Tensor, alpha = 1, inplace = false): Tensor => (inplace ? torch.celu_(x, alpha) : torch.celu(x, alpha));
/** max(0, x) + weight * min(0, x); weight has 1 or C (dim 1) elements. */
export const prelu = (x: Tensor, weight: Tensor): Tensor => torch.prelu(x, weight);
/** x * relu6(x + 3) / 6. */
export const hardswish = (x: Tensor, inplace = false): Tensor => (inplace ? torch.hardswish_(x) : torch.hardswish(x));
/** relu6(x + 3) / 6. */
export const hardsigmoid = (x: Tensor, inplace = false): Tensor => (inplace ? torch.hardsigmoid_(x) : torch.hardsigmoid(x));
/** clamp(x, minVal, maxVal) (defaults -1, 1). */
export const hardtanh = (x: Tensor, minVal = -1, maxVal = 1, inplace = false): Tensor =>
  (inplace ? torch.hardtanh_(x, minVal, maxVal) : torch.hardtanh(x, minVal, maxVal));
/** min(max(0, x), 6). */
export const relu6 = (x: Tensor, inplace = false): Tensor => (inplace ? torch.relu6_(x) : torch.relu6(x));
/** log(sigmoid(x)). */
export const logsigmoid = (x: Tensor): Tensor => torch.logSigmoid(x);
/** x / (1 + |x|). */
export const softsign = (x: Tensor): Tensor => torch.tidy(() => x.div(x.abs().add(1)));
/** x - tanh(x). */
export const tanhshrink = (x: Tensor): Tensor => torch.tidy(() => x.sub(x.tanh()));
/** Gated linear unit: a * sigmoid(b) of the two halves of `dim` (default -1). */
export const glu = (x: Tensor, dim = -1): Tensor => torch.glu(x, dim);
/** x where x > threshold, else value. */
export const threshold = (x: Tensor, thresholdValue: number, value: number, inplace = false): Tensor =>
  (inplace ? torch.threshold_(x, thresholdValue, value) : torch.threshold(x, thresholdValue, value));
/** Softmax along `dim`, optionally computed in `dtype`. */
export const softmax = (x: Tensor, dim: number, dtype: DType | null = null): Tensor => torch.softmax(x, dim, dtype);
/** Log-softmax along `dim`, optionally computed in `dtype`. */
export const logSoftmax = (x: Tensor, dim: number, dtype: DType | null = null): Tensor => torch.logSoftmax(x, dim, dtype);
/** softmax(-x) along `dim`. */
export const softmin = (x: Tensor, dim: number, dtype: DType | null = null): Tensor => torch.tidy(() => torch.softmax(x.neg(), dim, dtype));
