// The SKCDF training step (the steps of one iteration, listed at trainStep), its ablations, and the steps of the
// labeled-only baselines.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import type { DCAndCELoss } from '../losses.js';
import type { SGD } from '../../optim/sgd.js';
import { autocast, type AutocastDtype } from '../../amp/autocast.js';
import { GradScaler } from '../../amp/grad-scaler.js';
import type { VNetDecoupleAttentionABC } from '../model.js';
import type { TrainMethod } from './config.js';

/**
 * Class ratios ir2[c] = min(count) / count[c] over whole label volumes (the reference uses the first four
 * labeled cases). A class with no voxels would divide by zero in the reference: here it is an error naming it.
 */
export function classRatios(labels: ArrayLike<number>[], numClasses: number, names?: readonly string[]): Float64Array {
  const counts = new Float64Array(numClasses);
  for (const l of labels) {
    for (let i = 0; i < l.length; i++) {
      const v = l[i];
      if (v < 0 || v >= numClasses || !Number.isInteger(v))
        throw new RangeError(`class ratios: label value ${v} outside [0, ${numClasses})`);
      counts[v]++;
    }
  }
  const missing = [...counts.keys()].filter((c) => counts[c] === 0);
  if (missing.length) {
    throw new Error(
      `class ratios: class ${missing.map((c) => `${c}${names ? ` (${names[c]})` : ''}`).join(', ')} has no voxels in ` +
        `the labeled cases used for the ratios; ` +
        'every class needs voxels there (the reference would divide by zero)',
    );
  }
  const min = Math.min(...counts);
  return counts.map((c) => min / c);
}

/**
 * Keep probabilities for a label map, as the reference builds them: sequential `where(prob == i, ir2[i], prob)`
 * over i = 0..C-1. That is the lookup ir2[label], except when class 0 is the rarest (ir2[0] = 1): then its
 * voxels are remapped again at i = 1 to ir2[1]. float64, label's shape.
 */
export function keepProbabilities(label: Tensor, ratios: Tensor): Tensor {
  return torch.tidy(() => {
    const p = ratios.index([label.long()]);
    if (ratios.shape[0] > 1 && ratios.get(0).item() === 1) return torch.where(label.eq(0), ratios.get(1), p);
    return p;
  });
}

/**
 * The unlabeled batch's class ratios in epoch e: ir22 = 1 - (e / maxEpochs) * (1 - ir2), float64 with the
 * reference's operation order (all ones in epoch 0, ir2 in the last epoch). maxEpochs 0 gives all ones.
 */
export function unlabeledRatios(ratios: Tensor, epoch: number, maxEpochs: number): Tensor {
  const progress = maxEpochs > 0 ? epoch / maxEpochs : 0; // the reference divides by max_epoch
  return torch.tidy(() => ratios.neg().add(1).mul(progress).neg().add(1));
}

/** One iteration's inputs: the batch tensors, epoch, schedules, ratios, autocast and the ablation switches. */
export interface StepInputs {
  imageL: Tensor; // (n, 1, D, H, W) float32
  labelL: Tensor; // (n, 1, D, H, W) int64
  imageU: Tensor; // (n, 1, D, H, W) float32
  epoch: number;
  maxEpochs: number;
  /** ir2 as a float64 tensor of C entries. */
  ratios: Tensor;
  cpsW: number;
  emaW: number;
  /** Test hooks: Bernoulli masks to use instead of drawing them (as the fixtures do). */
  maskL?: Tensor;
  maskU?: Tensor;
  /** Mixed precision: forwards under autocast, losses in float32; a scaler scales the loss (float16). */
  amp?: { deviceType: 'cuda' | 'cpu'; dtype: AutocastDtype; scaler?: GradScaler };
  /** Ablation: false drops the out_conv9_abc losses and the ABC head averaging (default true). */
  abc?: boolean;
  /** Ablation: false uses keep probability 1 everywhere (no class-balance masks; default true). */
  balanceMasks?: boolean;
  /** What the forwards go through: a DistributedDataParallel wrapper of the model (default: the model itself). */
  net?: {
    /** The model's forward: [out, outAbc] of the decoder of `mode`. */
    forward(x: Tensor, mode: 'labeled' | 'unlabeled', options?: { single?: boolean }): [Tensor, Tensor];
  };
}

/** Mixed-precision settings for a device: float16 + gradient scaling on CUDA, bfloat16 on CPU. */
export function ampFor(device: string): NonNullable<StepInputs['amp']> {
  const cuda = device.startsWith('cuda');
  return {
    deviceType: cuda ? 'cuda' : 'cpu',
    dtype: cuda ? 'float16' : 'bfloat16',
    scaler: cuda ? new GradScaler() : undefined,
  };
}

/** One iteration's losses: the total, its supervised and unlabeled parts, and each term. */
export interface StepResult {
  loss: number;
  lossSup: number;
  lossU: number;
  terms: { sup: number; supAbc: number; u: number; uAbc: number };
}

type DecoderOf = VNetDecoupleAttentionABC['decoderL'];

/** target <- emaW * target + (1 - emaW) * source, in place, float32 as the reference rounds it. */
function blendInto(target: Tensor, source: Tensor, emaW: number): void {
  target.mul_(emaW).add_(source.mul(1 - emaW)); // the same two roundings as a new tensor copied back, one op less
}

/** A decoder's main head takes emaW of itself and 1 - emaW of its ABC head (weight and bias). */
function blendHeadWithAbc(d: DecoderOf, emaW: number): void {
  blendInto(d.outConv9.weight, d.outConv9Abc.weight, emaW);
  if (d.outConv9.bias && d.outConv9Abc.bias) blendInto(d.outConv9.bias, d.outConv9Abc.bias, emaW);
}

/**
 * Step 1a alone (no gradients; optimizer state untouched): decoder_l.out_conv9 <- emaW * out_conv9 +
 * (1 - emaW) * out_conv9_abc. Skipped with `abc: false` (the ABC branch is ablated). The first part of
 * {@link averageDecoderWeights}, and the only averaging of the 'labeled-only' method.
 */
export function averageLabeledHead(
  model: VNetDecoupleAttentionABC,
  emaW: number,
  options: { abc?: boolean } = {},
): void {
  if (!(options.abc ?? true)) return;
  torch.noGrad(() => torch.tidy(() => blendHeadWithAbc(model.decoderL, emaW)));
}

/**
 * Weight averaging of step 1 (no gradients; optimizer state untouched), float32 as the reference rounds it:
 * step 1a ({@link averageLabeledHead}), then decoder_u takes emaW of itself and 1 - emaW of decoder_l (without
 * its unused ABC head when `abc` is false), then decoder_u's main head takes emaW of itself and 1 - emaW of its
 * ABC head (skipped with `abc: false`).
 */
export function averageDecoderWeights(
  model: VNetDecoupleAttentionABC,
  emaW: number,
  options: { abc?: boolean } = {},
): void {
  const abc = options.abc ?? true;
  averageLabeledHead(model, emaW, { abc });
  torch.noGrad(() =>
    torch.tidy(() => {
      const lParams = new Map(model.decoderL.namedParameters());
      for (const [name, p] of model.decoderU.namedParameters()) {
        if (!abc && name.startsWith('out_conv9_abc.')) continue; // unused without the ABC branch
        blendInto(p, lParams.get(name)!, emaW);
      }
      if (abc) blendHeadWithAbc(model.decoderU, emaW);
    }),
  );
}

type Forward = (x: Tensor, mode: 'labeled' | 'unlabeled') => [Tensor, Tensor];

function forwardWith(model: NonNullable<StepInputs['net']>, amp: StepInputs['amp'], single?: boolean): Forward {
  return (x, mode) => {
    if (!amp) return model.forward(x, mode, { single });
    const [out, outAbc] = autocast(amp.deviceType, () => model.forward(x, mode, { single }), { dtype: amp.dtype });
    return [out.float(), outAbc.float()];
  };
}

/** Keep-probability masks (Bernoulli draws), or no mask when the balance masks are ablated. */
function drawMask(label: Tensor, ratios: Tensor, s: StepInputs, given: Tensor | undefined): Tensor | undefined {
  if (s.balanceMasks === false) return undefined;
  return given ?? torch.bernoulli(keepProbabilities(label, ratios));
}

/**
 * `t * mask`, made contiguous before the product (the same values; the loss would otherwise copy the wider float64
 * product to contiguous memory, as the reference's softmax does internally).
 */
const masked = (t: Tensor, mask: Tensor | undefined): Tensor => (mask ? t.contiguous().mul(mask) : t);

/**
 * Backward + optimizer step when the loss is finite (with gradient scaling under float16 autocast), then zero grads.
 */
function applyGradients(total: Tensor, value: number, optimizer: SGD, amp: StepInputs['amp']): void {
  if (Number.isFinite(value)) {
    if (amp?.scaler) {
      amp.scaler.scale(total).backward();
      amp.scaler.step(optimizer);
      amp.scaler.update();
    } else {
      total.backward();
      optimizer.step();
    }
  }
  optimizer.zeroGrad();
}

/**
 * One SKCDF iteration, leaving no tensors behind: (1) weight averaging (averageDecoderWeights: each decoder's main head
 * with its ABC head, decoder_u with decoder_l); (2) forward the labeled + unlabeled batch in 'labeled' mode; (3) DC+CE
 * on the labeled half's main head and, through a class-balance mask, its ABC head; (4) pseudo labels of the unlabeled
 * half from the argmax of both heads; (5) forward the unlabeled batch in 'unlabeled' mode (decoder_u); (6) DC+CE
 * against the pseudo labels, masked on the ABC head; (7) total = supervised + cps weight x unlabeled, backward and the
 * optimizer step.
 */
export function trainStep(
  model: VNetDecoupleAttentionABC,
  optimizer: SGD,
  loss: DCAndCELoss,
  s: StepInputs,
): StepResult {
  const abc = s.abc ?? true;
  averageDecoderWeights(model, s.emaW, { abc });
  const forward = forwardWith(s.net ?? model, s.amp);
  return torch.tidy(() => {
    const n = s.imageL.shape[0];
    const [outA, outAAbc] = forward(torch.cat([s.imageL, s.imageU], 0), 'labeled');
    const sup = loss.forward(outA.get(`:${n}`), s.labelL);
    let supAbc: Tensor | undefined;
    if (abc) {
      const maskL = drawMask(s.labelL, s.ratios, s, s.maskL);
      supAbc = loss.forward(masked(outAAbc.get(`:${n}`), maskL), masked(s.labelL, maskL));
    }
    const lossSup = supAbc ? sup.add(supAbc) : sup;

    const [pl, plAbc] = torch.noGrad(() => [
      outA.get(`${n}:`).argmax(1, true),
      abc ? outAAbc.get(`${n}:`).argmax(1, true) : undefined,
    ]);
    // Drawn before the unlabeled forward, as the reference does (dropout draws from the same stream).
    const ratiosU = unlabeledRatios(s.ratios, s.epoch, s.maxEpochs);
    const maskU = plAbc ? drawMask(plAbc, ratiosU, s, s.maskU) : undefined;
    const [outU, outUAbc] = forward(s.imageU, 'unlabeled');
    const u = loss.forward(outU, pl);
    const uAbc = plAbc ? loss.forward(masked(outUAbc, maskU), masked(plAbc, maskU)) : undefined;
    const lossU = uAbc ? u.add(uAbc) : u;
    const total = lossSup.add(lossU.mul(s.cpsW));
    const value = total.item();
    applyGradients(total, value, optimizer, s.amp);
    return {
      loss: value,
      lossSup: lossSup.item(),
      lossU: lossU.item(),
      terms: { sup: sup.item(), supAbc: supAbc?.item() ?? 0, u: u.item(), uAbc: uAbc?.item() ?? 0 },
    };
  });
}

/**
 * The supervised baseline's iteration: the labeled batch alone through the decoder_l path ('labeled' mode, each
 * image attending to itself as at test time, since there is no unlabeled half), the same DC+CE losses on the main
 * and (masked) ABC heads, no unlabeled batch and no weight averaging. imageU is ignored.
 */
export function supervisedStep(
  model: VNetDecoupleAttentionABC,
  optimizer: SGD,
  loss: DCAndCELoss,
  s: StepInputs,
): StepResult {
  const abc = s.abc ?? true;
  const forward = forwardWith(s.net ?? model, s.amp, true);
  return torch.tidy(() => {
    const [out, outAbc] = forward(s.imageL, 'labeled');
    const sup = loss.forward(out, s.labelL);
    let supAbc: Tensor | undefined;
    if (abc) {
      const maskL = drawMask(s.labelL, s.ratios, s, s.maskL);
      supAbc = loss.forward(masked(outAbc, maskL), masked(s.labelL, maskL));
    }
    const total = supAbc ? sup.add(supAbc) : sup;
    const value = total.item();
    applyGradients(total, value, optimizer, s.amp);
    return {
      loss: value,
      lossSup: value,
      lossU: 0,
      terms: { sup: sup.item(), supAbc: supAbc?.item() ?? 0, u: 0, uAbc: 0 },
    };
  });
}

/**
 * The 'labeled-only' iteration (SKCDF without unlabeled data): step 1a on decoder_l alone
 * ({@link averageLabeledHead}; skipped with `abc: false`), then the labeled batch exactly as
 * {@link supervisedStep}. decoder_u is neither trained nor averaged. imageU is ignored.
 */
export function labeledOnlyStep(
  model: VNetDecoupleAttentionABC,
  optimizer: SGD,
  loss: DCAndCELoss,
  s: StepInputs,
): StepResult {
  averageLabeledHead(model, s.emaW, { abc: s.abc ?? true });
  return supervisedStep(model, optimizer, loss, s);
}

/** One training iteration of some method. */
export type TrainStepFn = (
  model: VNetDecoupleAttentionABC,
  optimizer: SGD,
  loss: DCAndCELoss,
  s: StepInputs,
) => StepResult;

const STEPS: Readonly<Record<TrainMethod, TrainStepFn>> = {
  skcdf: trainStep,
  supervised: supervisedStep,
  'labeled-only': labeledOnlyStep,
};

/** The iteration a method trains with. */
export function stepFor(method: TrainMethod): TrainStepFn {
  const step = STEPS[method];
  if (!step) throw new Error(`unknown training method '${String(method)}' (one of ${Object.keys(STEPS).join(', ')})`);
  return step;
}
