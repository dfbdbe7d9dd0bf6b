// nn.functional dropouts: element-wise, channel-wise (1d/2d/3d: whole feature maps) and alpha
// (keeps SELU's zero mean and unit variance). Unbatched inputs are handled as PyTorch does.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { kwargs, type KwArgs } from './args.js';

/** Options of dropout (Python's keyword arguments, camelCase). */
export interface DropoutOptions {
  /** Probability of an element (or channel) to be zeroed, default 0.5. */ p?: number;
  /** Apply dropout (default true; false for alphaDropout / featureAlphaDropout). */ training?: boolean;
  /** Default false. */ inplace?: boolean;
}
const DROPOUT = ['p', 'training', 'inplace'] as const;
type DropoutArgs = KwArgs<DropoutOptions, typeof DROPOUT>;
function dropoutArgs(fn: string, args: readonly unknown[], training: boolean): [number, boolean, boolean] {
  const o = kwargs<DropoutOptions>(fn, DROPOUT, args);
  return [o.p ?? 0.5, o.training ?? training, o.inplace ?? false];
}

function checkP(p: number, what: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${what}: dropout probability has to be between 0 and 1, but got ${p}`);
}
/** Zeroes elements with probability p and scales the rest by 1 / (1 - p) (training only). */
export function dropout(x: Tensor, ...args: DropoutArgs): Tensor {
  const [p, training, inplace] = dropoutArgs('dropout', args, true);
  checkP(p, 'dropout');
  return inplace ? x.dropout_(p, training) : torch.dropout(x, p, training);
}
/** Channel-wise dropout on (N, C, *) (ATen's feature_dropout, no unbatched handling). */
export function featureDropout(x: Tensor, ...args: DropoutArgs): Tensor {
  const [p, training, inplace] = dropoutArgs('featureDropout', args, true);
  checkP(p, 'featureDropout');
  return inplace ? x.featureDropout_(p, training) : torch.featureDropout(x, p, training);
}
function channelDropout(
  x: Tensor,
  p: number,
  training: boolean,
  inplace: boolean,
  spatial: number,
  alpha: boolean,
  what: string,
): Tensor {
  checkP(p, what);
  if (x.ndim !== spatial + 1 && x.ndim !== spatial + 2) {
    throw new RangeError(
      `${what}: expected ${spatial + 1}D or ${spatial + 2}D input, but received a ${x.ndim}D input of shape [${x.shape.join(', ')}]`,
    );
  }
  const batched = x.ndim === spatial + 2;
  if (inplace) {
    const inp = batched ? x : x.unsqueeze_(0);
    if (alpha) torch.featureAlphaDropout_(inp, p, training);
    else torch.featureDropout_(inp, p, training);
    return batched ? x : x.squeeze_(0);
  }
  return torch.tidy(() => {
    const inp = batched ? x : x.unsqueeze(0);
    const out = alpha ? torch.featureAlphaDropout(inp, p, training) : torch.featureDropout(inp, p, training);
    return batched ? out : out.squeeze(0);
  });
}
/** Zeroes whole channels of (N, C, L) or (C, L) inputs. */
export const dropout1d = (x: Tensor, ...args: DropoutArgs): Tensor =>
  channelDropout(x, ...dropoutArgs('dropout1d', args, true), 1, false, 'dropout1d');
/** Zeroes whole channels of (N, C, H, W) or (C, H, W) inputs. */
export const dropout2d = (x: Tensor, ...args: DropoutArgs): Tensor =>
  channelDropout(x, ...dropoutArgs('dropout2d', args, true), 2, false, 'dropout2d');
/** Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) inputs. */
export const dropout3d = (x: Tensor, ...args: DropoutArgs): Tensor =>
  channelDropout(x, ...dropoutArgs('dropout3d', args, true), 3, false, 'dropout3d');
/**
 * Alpha dropout: dropped elements are set to SELU's negative saturation and the result is affinely
 * rescaled so a zero-mean unit-variance input keeps its mean and variance.
 */
export function alphaDropout(x: Tensor, ...args: DropoutArgs): Tensor {
  const [p, training, inplace] = dropoutArgs('alphaDropout', args, false);
  checkP(p, 'alphaDropout');
  return inplace ? torch.alphaDropout_(x, p, training) : torch.alphaDropout(x, p, training);
}
/** Alpha dropout of whole channels of (N, C, *) inputs. */
export function featureAlphaDropout(x: Tensor, ...args: DropoutArgs): Tensor {
  const [p, training, inplace] = dropoutArgs('featureAlphaDropout', args, false);
  checkP(p, 'featureAlphaDropout');
  return inplace ? torch.featureAlphaDropout_(x, p, training) : torch.featureAlphaDropout(x, p, training);
}
