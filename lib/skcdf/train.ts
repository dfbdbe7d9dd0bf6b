// SKCDF training (spec section 2): the training step, class ratios, ramp-up and the epoch loop
// with validation, atomic checkpoints, resume and early stopping.
import { existsSync, mkdirSync, readFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/tensor.js';
import { DCAndCELoss, evalDicePerClass } from '../nn/losses.js';
import { SGD } from '../optim/sgd.js';
import { autocast, type AutocastDtype } from '../amp/autocast.js';
import { GradScaler } from '../amp/grad-scaler.js';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import type { Savable } from '../torch/serialize.js';
import { polyLr } from '../optim/schedulers.js';
import { createLoader } from '../data/loader.js';
import { loadEvalCase, type Batch, type Shape3 } from '../data/dataset.js';
import { deriveSeed } from '../data/prng.js';
import { readNpy } from '../io/npy.js';
import { writeFileAtomic } from '../io/atomic.js';
import { VNetDecoupleAttentionABC, initSkcdfWeights } from './model.js';
import { datasetInfo, type DatasetName } from './classes.js';

export interface TrainConfig {
  dataset: DatasetName;
  /** Folder of preprocessed `<id>_image.npy` / `<id>_label.npy`. */
  dataDir: string;
  /** Folder of split files (labeled_XXp.txt, unlabeled_XXp.txt, eval.txt). */
  splitsDir: string;
  labeledSplit: string;
  unlabeledSplit: string;
  evalSplit: string;
  runDir: string;
  /** max_epoch; the loop runs epochs 0..maxEpochs inclusive, as the reference. */
  maxEpochs: number;
  /** n labeled + n unlabeled per iteration. */
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  emaW: number;
  cpsW: number;
  patch: Shape3;
  nFilters: number;
  numHeads: number;
  hasDropout: boolean;
  evalEvery: number;
  patience: number;
  seed: number;
  device: string;
  workers: number;
  threads?: number;
  /** Stop after this many iterations per epoch (quick runs); default: all. */
  maxIterations?: number;
  /** Mixed precision: autocast forwards (float16 with gradient scaling on CUDA, bfloat16 on CPU). */
  amp?: boolean;
}

/** The reference's hyper-parameters per dataset (spec section 2); synthetic is sized for a CPU in minutes. */
export function defaultConfig(dataset: DatasetName, overrides: Partial<TrainConfig> = {}): TrainConfig {
  const info = datasetInfo(dataset);
  const paper = dataset !== 'synthetic';
  return {
    dataset,
    dataDir: join('data', dataset, 'preprocessed'),
    splitsDir: paper ? join('splits', dataset) : join('data', dataset, 'raw', 'splits'),
    labeledSplit: 'labeled_20p',
    unlabeledSplit: 'unlabeled_20p',
    evalSplit: 'eval',
    runDir: join('runs', `${dataset}-seed${overrides.seed ?? 0}`),
    maxEpochs: paper ? 1500 : 30,
    batchSize: 2,
    // Synthetic: the paper's Synapse rate; with 0.1 the short run learned no organ in 200 iterations.
    lr: paper ? info.defaultLr : 0.3,
    momentum: 0.9,
    weightDecay: 3e-5,
    nesterov: true,
    emaW: 0.99,
    cpsW: 10,
    patch: paper ? [64, 128, 128] : [32, 64, 64],
    nFilters: paper ? 32 : 8,
    numHeads: 2,
    // At F 8, Dropout3d(0.5) drops half of an 8-channel layer: measured on the synthetic set, no organ was
    // learned in 200 iterations with it, the liver reached Dice 0.7 in 50 without. The paper config keeps it.
    hasDropout: paper,
    evalEvery: 1,
    patience: 1500,
    seed: 0,
    device: 'cpu',
    workers: paper ? 2 : 1,
    ...overrides,
  };
}

/** cps weight after epoch e: cpsW * exp(-5 (1 - min(e, R)/R)^2), R = maxEpochs (the reference's sigmoid_rampup). */
export function cpsWeight(cpsW: number, epoch: number, maxEpochs: number): number {
  if (maxEpochs === 0) return cpsW;
  const phase = 1 - Math.min(Math.max(epoch, 0), maxEpochs) / maxEpochs;
  return cpsW * Math.exp(-5 * phase * phase);
}

/**
 * Class ratios ir2[c] = min(count) / count[c] over whole label volumes (the reference uses the first four
 * labeled cases). A class with no voxels would divide by zero in the reference: here it is an error naming it.
 */
export function classRatios(labels: ArrayLike<number>[], numClasses: number, names?: readonly string[]): Float64Array {
  const counts = new Float64Array(numClasses);
  for (const l of labels) {
    for (let i = 0; i < l.length; i++) {
      const v = l[i];
      if (v < 0 || v >= numClasses || !Number.isInteger(v)) throw new RangeError(`class ratios: label value ${v} outside [0, ${numClasses})`);
      counts[v]++;
    }
  }
  const missing = [...counts.keys()].filter((c) => counts[c] === 0);
  if (missing.length) {
    throw new Error(`class ratios: class ${missing.map((c) => `${c}${names ? ` (${names[c]})` : ''}`).join(', ')} has no voxels in the labeled cases used for the ratios; ` +
      'every class needs voxels there (the reference would divide by zero)');
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
}

/** Mixed-precision settings for a device: float16 + gradient scaling on CUDA, bfloat16 on CPU. */
export function ampFor(device: string): NonNullable<StepInputs['amp']> {
  const cuda = device.startsWith('cuda');
  return { deviceType: cuda ? 'cuda' : 'cpu', dtype: cuda ? 'float16' : 'bfloat16', scaler: cuda ? new GradScaler() : undefined };
}

export interface StepResult {
  loss: number;
  lossSup: number;
  lossU: number;
  terms: { sup: number; supAbc: number; u: number; uAbc: number };
}

/** Weight averaging of step 1 (no gradients; optimizer state untouched), float32 as the reference rounds it. */
export function averageDecoderWeights(model: VNetDecoupleAttentionABC, emaW: number): void {
  torch.noGrad(() => torch.tidy(() => {
    const blend = (target: Tensor, source: Tensor): void => {
      target.copy_(target.mul(emaW).add(source.mul(1 - emaW)));
    };
    const l = model.decoderL;
    const u = model.decoderU;
    blend(l.outConv9.weight, l.outConv9Abc.weight);
    if (l.outConv9.bias && l.outConv9Abc.bias) blend(l.outConv9.bias, l.outConv9Abc.bias);
    const lParams = new Map(l.namedParameters());
    for (const [name, p] of u.namedParameters()) blend(p, lParams.get(name)!);
    blend(u.outConv9.weight, u.outConv9Abc.weight);
    if (u.outConv9.bias && u.outConv9Abc.bias) blend(u.outConv9.bias, u.outConv9Abc.bias);
  }));
}

/** One SKCDF iteration (spec section 2, steps 1-7), leaving no tensors behind. */
export function trainStep(model: VNetDecoupleAttentionABC, optimizer: SGD, loss: DCAndCELoss, s: StepInputs): StepResult {
  averageDecoderWeights(model, s.emaW);
  const amp = s.amp;
  const forward = (x: Tensor, mode: 'labeled' | 'unlabeled'): [Tensor, Tensor] => {
    if (!amp) return model.forward(x, mode);
    const [out, outAbc] = autocast(amp.deviceType, () => model.forward(x, mode), { dtype: amp.dtype });
    return [out.float(), outAbc.float()];
  };
  const result = torch.tidy(() => {
    const n = s.imageL.shape[0];
    const [outA, outAAbc] = forward(torch.cat([s.imageL, s.imageU], 0), 'labeled');
    const outL = outA.get(`:${n}`);
    const outLAbc = outAAbc.get(`:${n}`);
    const maskL = s.maskL ?? torch.bernoulli(keepProbabilities(s.labelL, s.ratios));
    const sup = loss.forward(outL, s.labelL);
    const supAbc = loss.forward(outLAbc.mul(maskL), s.labelL.mul(maskL));
    const lossSup = sup.add(supAbc);

    const [pl, plAbc] = torch.noGrad(() => [outA.get(`${n}:`).argmax(1, true), outAAbc.get(`${n}:`).argmax(1, true)]);
    const ratiosU = s.ratios.neg().add(1).mul(s.epoch / s.maxEpochs).neg().add(1);
    const maskU = s.maskU ?? torch.bernoulli(keepProbabilities(plAbc, ratiosU));
    const [outU, outUAbc] = forward(s.imageU, 'unlabeled');
    const u = loss.forward(outU, pl);
    const uAbc = loss.forward(outUAbc.mul(maskU), plAbc.mul(maskU));
    const lossU = u.add(uAbc);
    const total = lossSup.add(lossU.mul(s.cpsW));
    const value = total.item();
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
    return {
      loss: value, lossSup: lossSup.item(), lossU: lossU.item(),
      terms: { sup: sup.item(), supAbc: supAbc.item(), u: u.item(), uAbc: uAbc.item() },
    };
  });
  return result;
}

export interface ValidationResult {
  /** The reference's validation Dice per foreground class, averaged over cases. */
  perClass: number[];
  mean: number;
  /** Dice of organs versus background (all foreground classes merged), averaged over cases. */
  foreground: number;
}

/**
 * The reference's validation: eval mode, each case center-cropped to the patch (start = round((size - patch)/2)),
 * forward 'unlabeled', argmax one-hot Dice per foreground class (smooth 1e-8), mean over cases, then classes.
 */
export function validate(model: VNetDecoupleAttentionABC, dataDir: string, ids: readonly string[], patch: Shape3, device: string): ValidationResult {
  const wasTraining = model.training;
  model.eval();
  const C = model.nClasses;
  const sums = new Float64Array(C - 1);
  let foreground = 0;
  try {
    for (const id of ids) {
      const c = loadEvalCase(dataDir, id);
      torch.tidy(() => torch.noGrad(() => {
        const [D, H, W] = c.shape;
        let image = torch.fromBuffer(c.image, 'float32', [1, 1, D, H, W]);
        let label = torch.fromBuffer(c.label, 'int8', [1, 1, D, H, W]);
        const starts = patch.map((p, i) => Math.round((c.shape[i] - p) / 2));
        if (starts.some((s) => s < 0)) throw new Error(`validation case ${id}: shape [${c.shape}] is smaller than the patch [${patch}]`);
        const crop = (t: Tensor): Tensor => t.get(':', ':', `${starts[0]}:${starts[0] + patch[0]}`, `${starts[1]}:${starts[1] + patch[1]}`, `${starts[2]}:${starts[2] + patch[2]}`);
        image = crop(image).to({ device });
        label = crop(label).to({ device, dtype: 'int64' });
        const [out] = model.forward(image, 'unlabeled');
        const dice = evalDicePerClass(out, label).toArray() as number[];
        dice.forEach((d, k) => (sums[k] += d));
        const predFg = out.argmax(1, true).gt(0);
        const labelFg = label.gt(0);
        const overlap = predFg.logicalAnd(labelFg).sum().item();
        const total = predFg.sum().item() + labelFg.sum().item();
        foreground += total > 0 ? (2 * overlap) / total : 1;
      }));
    }
  } finally {
    if (wasTraining) model.train();
  }
  const perClass = Array.from(sums, (s) => s / Math.max(ids.length, 1));
  return { perClass, mean: perClass.reduce((a, b) => a + b, 0) / perClass.length, foreground: foreground / Math.max(ids.length, 1) };
}

function readIds(dir: string, name: string): string[] {
  const path = join(dir, `${name}.txt`);
  if (!existsSync(path)) throw new Error(`split file ${path} not found`);
  return readFileSync(path, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
}

interface Checkpoint {
  /** GradScaler state when training with float16 autocast. */
  scaler?: ReturnType<GradScaler['stateDict']>;
  epoch: number;
  bestDice: number;
  bestEpoch: number;
  /** Foreground (organs vs background) Dice at the best epoch. */
  bestForeground?: number;
  cpsW: number;
  lr: number;
}

export interface TrainEvents {
  onIteration?(info: { epoch: number; iteration: number; iterations: number; step: StepResult; lr: number; cpsW: number; seconds: number }): void;
  onEpoch?(info: { epoch: number; validation?: ValidationResult; seconds: number }): void;
  log?(message: string): void;
}

export interface TrainSummary { epochs: number; bestDice: number; bestForegroundDice: number; bestEpoch: number; stoppedEarly: boolean; runDir: string }

/** Trains one run (one fold, one seed) into `config.runDir`; resumes from its last checkpoint with `resume`. */
export async function train(config: TrainConfig, options: { resume?: boolean; events?: TrainEvents } = {}): Promise<TrainSummary> {
  const c = config;
  const ev = options.events ?? {};
  const info = datasetInfo(c.dataset);
  if (c.threads) torch.setNumThreads(c.threads);
  mkdirSync(c.runDir, { recursive: true });
  const labeled = readIds(c.splitsDir, c.labeledSplit);
  const unlabeled = readIds(c.splitsDir, c.unlabeledSplit);
  const evalIds = readIds(c.splitsDir, c.evalSplit);
  if (unlabeled.length < c.batchSize) throw new Error(`train: ${unlabeled.length} unlabeled cases are fewer than one batch of ${c.batchSize}`);

  const ratioCases = labeled.slice(0, 4).map((id) => {
    const path = join(c.dataDir, `${id}_label.npy`);
    if (!existsSync(path)) throw new Error(`train: preprocessed label ${path} not found`);
    return readNpy(path).data as ArrayLike<number>;
  });
  const ir2 = classRatios(ratioCases, info.numClasses, info.classNames);

  torch.manualSeed(c.seed); // before construction: default inits draw random numbers too
  const model = new VNetDecoupleAttentionABC({ nClasses: info.numClasses, nFilters: c.nFilters, numHeads: c.numHeads, hasDropout: c.hasDropout, patchSize: c.patch });
  initSkcdfWeights(model);
  model.to(c.device);
  model.train();
  const optimizer = new SGD(model.parameters(), { lr: c.lr, momentum: c.momentum, weightDecay: c.weightDecay, nesterov: c.nesterov });
  const loss = new DCAndCELoss();
  const ratios = torch.keep(torch.tensor(ir2, { dtype: 'float64', device: c.device }));
  const amp = c.amp ? ampFor(c.device) : undefined;

  const lastPath = join(c.runDir, 'last.pth');
  const bestPath = join(c.runDir, 'best_model.pth');
  const logPath = join(c.runDir, 'log.jsonl');
  let state: Checkpoint = { epoch: -1, bestDice: -1, bestEpoch: -1, cpsW: cpsWeight(c.cpsW, 0, c.maxEpochs), lr: c.lr };
  if (options.resume && existsSync(lastPath)) {
    torch.tidy(() => {
      const ck = torch.load(lastPath) as Map<string, unknown>;
      model.loadStateDict(ck.get('model') as Map<string, Tensor>);
      optimizer.loadStateDict(optimizerStateFromLoaded(ck.get('optimizer'), lastPath));
      state = JSON.parse(ck.get('state') as string) as Checkpoint;
      if (amp?.scaler && state.scaler) amp.scaler.loadStateDict(state.scaler);
    });
    ev.log?.(`resumed from ${lastPath} after epoch ${state.epoch}`);
  } else {
    writeFileAtomic(join(c.runDir, 'config.json'), JSON.stringify({ ...c, ir2: Array.from(ir2), classNames: info.classNames }, null, 2) + '\n');
    writeFileAtomic(logPath, '');
  }
  const log = (line: Record<string, unknown>): void => appendFileSync(logPath, JSON.stringify(line) + '\n');
  // A checkpoint Python's torch.load reads: {model: state_dict, optimizer: state_dict (int keys), state: JSON}.
  const saveCheckpoint = (path: string): void => torch.tidy(() => {
    if (amp?.scaler) state.scaler = amp.scaler.stateDict();
    const opt = optimizer.stateDict();
    const optState = new Map<number, Map<string, Savable>>(Object.entries(opt.state).map(([k, v]) => [Number(k), new Map(Object.entries(v))]));
    torch.save(new Map<string, Savable>([
      ['model', model.stateDict()],
      ['optimizer', new Map<string, Savable>([['state', optState], ['param_groups', opt.param_groups as Savable]])],
      ['state', JSON.stringify(state)],
    ]), path);
  });

  const loader = createLoader({ dataDir: c.dataDir, labeled, unlabeled, batchSize: c.batchSize, patch: c.patch, seed: c.seed, workers: c.workers, cache: true });
  let stoppedEarly = false;
  let epoch = state.epoch + 1;
  try {
    for (; epoch <= c.maxEpochs; epoch++) {
      // Per-epoch seeding makes a resumed run draw the same masks and dropout as an uninterrupted one.
      torch.manualSeed(deriveSeed(c.seed, epoch, 0x5eed));
      for (const g of optimizer.paramGroups) g.lr = state.lr;
      const t0 = performance.now();
      let iteration = 0;
      const iterations = Math.min(loader.iterations, c.maxIterations ?? Infinity);
      for await (const batch of loader.epoch(epoch)) {
        if (iteration >= iterations) break;
        const it0 = performance.now();
        const step = torch.tidy(() => {
          const inputs = batchTensors(batch, c.device);
          return trainStep(model, optimizer, loss, { ...inputs, epoch, maxEpochs: c.maxEpochs, ratios, cpsW: state.cpsW, emaW: c.emaW, amp });
        });
        const seconds = (performance.now() - it0) / 1000;
        if (!Number.isFinite(step.loss)) {
          log({ epoch, iter: iteration, error: 'non-finite loss', loss: String(step.loss) });
          throw new Error(`train: non-finite loss (${step.loss}) at epoch ${epoch}, iteration ${iteration}; the last good checkpoint is ${lastPath}`);
        }
        log({ epoch, iter: iteration, loss: step.loss, lossSup: step.lossSup, lossU: step.lossU, ...step.terms, cpsW: state.cpsW, lr: state.lr, seconds });
        ev.onIteration?.({ epoch, iteration, iterations, step, lr: state.lr, cpsW: state.cpsW, seconds });
        iteration++;
        // Let I/O through between iterations (signals, progress output, loader messages).
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      let validation: ValidationResult | undefined;
      if (c.evalEvery > 0 && epoch % c.evalEvery === 0 && evalIds.length) {
        validation = validate(model, c.dataDir, evalIds, c.patch, c.device);
        log({ epoch, evalDice: validation.perClass, evalMeanDice: validation.mean, evalForegroundDice: validation.foreground });
        if (validation.mean > state.bestDice) {
          state.bestDice = validation.mean;
          state.bestEpoch = epoch;
          state.bestForeground = validation.foreground;
          state.epoch = epoch;
          saveCheckpoint(bestPath);
        }
      }
      state.epoch = epoch;
      state.lr = polyLr(epoch, c.maxEpochs, c.lr);
      state.cpsW = cpsWeight(c.cpsW, epoch, c.maxEpochs);
      saveCheckpoint(lastPath);
      ev.onEpoch?.({ epoch, validation, seconds: (performance.now() - t0) / 1000 });
      if (state.bestEpoch >= 0 && epoch - state.bestEpoch >= c.patience) {
        stoppedEarly = true;
        ev.log?.(`early stop: no improvement for ${c.patience} epochs`);
        break;
      }
    }
  } finally {
    await loader.close();
    torch.dispose([ratios, ...model.parameters(), ...model.buffers()]);
  }
  return { epochs: Math.min(epoch, c.maxEpochs), bestDice: state.bestDice, bestForegroundDice: state.bestForeground ?? NaN, bestEpoch: state.bestEpoch, stoppedEarly, runDir: c.runDir };
}

/** The optimizer part of a loaded checkpoint (Maps from torch.load) in the optimizer's stateDict layout. */
function optimizerStateFromLoaded(value: unknown, file: string): OptimizerStateDict {
  if (!(value instanceof Map) || !(value.get('state') instanceof Map) || !Array.isArray(value.get('param_groups'))) {
    throw new Error(`${file}: the checkpoint has no optimizer state dict`);
  }
  const state: OptimizerStateDict['state'] = {};
  for (const [k, v] of value.get('state') as Map<number, Map<string, Tensor | number>>) state[Number(k)] = Object.fromEntries(v);
  const groups = (value.get('param_groups') as Map<string, unknown>[]).map((g) => Object.fromEntries(g));
  return { state, param_groups: groups as OptimizerStateDict['param_groups'] };
}

/** Batch typed arrays to tensors on the device: images (n,1,D,H,W) float32, labels int64. */
export function batchTensors(b: Batch, device: string): { imageL: Tensor; labelL: Tensor; imageU: Tensor } {
  const shape = b.shape as number[];
  return {
    imageL: torch.fromBuffer(b.imageL, 'float32', shape).to({ device }),
    labelL: torch.fromBuffer(b.labelL, 'int8', shape).to({ device, dtype: 'int64' }),
    imageU: torch.fromBuffer(b.imageU, 'float32', shape).to({ device }),
  };
}
