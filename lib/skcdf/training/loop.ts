// The epoch loop: data, steps, validation, logs (JSON lines + TensorBoard), atomic checkpoints, resume
// (also mid-epoch, after an interruption), early stopping.
import { existsSync, mkdirSync, readFileSync, appendFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { DCAndCELoss } from '../losses.js';
import { SGD } from '../../optim/sgd.js';
import { polyLr } from '../../optim/schedulers.js';
import { createLoader } from '../data/loader.js';
import type { Batch } from '../data/dataset.js';
import { readNpy } from '../../io/npy.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { SummaryWriter } from '../../io/tensorboard.js';
import { VNetDecoupleAttentionABC, initSkcdfWeights, type PredType } from '../model.js';
import { datasetInfo } from '../classes.js';
import { cpsWeight, usesUnlabeledData, type TrainConfig, type TrainMethod } from './config.js';
import { ampFor, classRatios, stepFor, type StepResult } from './step.js';
import { validate, type ValidationResult } from './validate.js';
import { loadTrainCheckpoint, saveTrainCheckpoint, type TrainState } from './checkpoint.js';
import { distributedError, fromRank0, iterationSeed, rankDataSeed, sumOverRanks, syncBuffers, trainDistributed } from './distributed.js';

/**
 * Which decoder a method is evaluated (and predicts) with: decoder_u for SKCDF (the reference), decoder_l for the
 * baselines that train decoder_l alone ('supervised', 'labeled-only').
 */
export function evaluationMode(method: TrainMethod): PredType {
  return usesUnlabeledData(method) ? 'unlabeled' : 'labeled';
}

/** The network a config trains (same options at train and test time). */
export function buildModel(c: Pick<TrainConfig, 'nFilters' | 'numHeads' | 'hasDropout' | 'patch' | 'crossAttention'>, numClasses: number): VNetDecoupleAttentionABC {
  return new VNetDecoupleAttentionABC({
    nClasses: numClasses, nFilters: c.nFilters, numHeads: c.numHeads, hasDropout: c.hasDropout, patchSize: c.patch,
    crossAttention: c.crossAttention ?? true,
  });
}

function readIds(dir: string, name: string): string[] {
  const path = join(dir, `${name}.txt`);
  if (!existsSync(path)) throw new Error(`split file ${path} not found`);
  return readFileSync(path, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
}

export interface TrainEvents {
  onIteration?(info: { epoch: number; iteration: number; iterations: number; step: StepResult; lr: number; cpsW: number; seconds: number }): void;
  /** After each epoch, on every rank (`validation` only on rank 0); the model is the trained one (do not dispose it). */
  onEpoch?(info: { epoch: number; validation?: ValidationResult; seconds: number; model: VNetDecoupleAttentionABC; rank: number }): void;
  log?(message: string): void;
}

export interface TrainSummary { epochs: number; bestDice: number; bestForegroundDice: number; bestEpoch: number; stoppedEarly: boolean; runDir: string }

/** Thrown when training stopped on request (`signal`); last.pth holds the position to resume from. */
export class TrainingInterrupted extends Error {
  constructor(readonly checkpoint: string, readonly epoch: number, readonly iteration: number, readonly reason: string) {
    super(`training interrupted (${reason}) at epoch ${epoch}, iteration ${iteration}; state saved to ${checkpoint}`);
    this.name = 'TrainingInterrupted';
  }
}

export interface TrainOptions {
  /** Continue from `<runDir>/last.pth` (also from the middle of an epoch). */
  resume?: boolean;
  events?: TrainEvents;
  /** Aborting it stops the run after the current iteration, with last.pth written (then TrainingInterrupted is thrown). */
  signal?: AbortSignal;
}

/** Trains one run (one fold, one seed) into `config.runDir`; resumes from its last checkpoint with `resume`. */
export async function train(config: TrainConfig, options: TrainOptions = {}): Promise<TrainSummary> {
  const c = config;
  const ev = options.events ?? {};
  const info = datasetInfo(c.dataset);
  if (c.threads) torch.setNumThreads(c.threads);
  mkdirSync(c.runDir, { recursive: true });
  const labeled = readIds(c.splitsDir, c.labeledSplit);
  const unlabeled = readIds(c.splitsDir, c.unlabeledSplit);
  const evalIds = readIds(c.splitsDir, c.evalSplit);
  if (unlabeled.length < c.batchSize) throw new Error(`train: ${unlabeled.length} unlabeled cases are fewer than one batch of ${c.batchSize}`);
  const method = c.method ?? 'skcdf';
  const step = stepFor(method);
  const mode = evaluationMode(method);

  // The first four labeled cases in sorted id order (the reference reads its split lists sorted, whatever the
  // file's order): the class ratios of the balance masks come from their whole label volumes.
  const ratioCases = [...labeled].sort().slice(0, 4).map((id) => {
    const path = join(c.dataDir, `${id}_label.npy`);
    if (!existsSync(path)) throw new Error(`train: preprocessed label ${path} not found`);
    return readNpy(path).data as ArrayLike<number>;
  });
  const ir2 = classRatios(ratioCases, info.numClasses, info.classNames);

  torch.manualSeed(c.seed); // before construction: default inits draw random numbers too
  const model = buildModel(c, info.numClasses);
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
  // Data parallel (a default process group of several ranks): every rank trains on its own batches, the
  // gradients are averaged; rank 0 alone writes logs, validation and checkpoints (the plain model's keys).
  const dd = trainDistributed(model);
  const world = dd?.worldSize ?? 1;
  const main = !dd || dd.rank === 0;
  let state: TrainState = { epoch: -1, nextIteration: 0, bestDice: -1, bestEpoch: -1, cpsW: cpsWeight(c.cpsW, 0, c.maxEpochs), lr: c.lr, worldSize: world };
  if (options.resume && existsSync(lastPath)) {
    // Every rank restores the same checkpoint (the run folder must be visible to all of them).
    state = loadTrainCheckpoint(lastPath, model, optimizer, amp?.scaler);
    if ((state.worldSize ?? 1) !== world) {
      throw new Error(`train: ${lastPath} was written by a run of ${state.worldSize ?? 1} rank(s); resume it with the same number (this run has ${world})`);
    }
    // Lines logged after the checkpoint (a crash between checkpoints) would repeat: drop them.
    if (main && state.logBytes !== undefined && existsSync(logPath) && statSync(logPath).size > state.logBytes) truncateSync(logPath, state.logBytes);
    ev.log?.(`resumed from ${lastPath} at epoch ${state.epoch + 1}, iteration ${state.nextIteration}`);
  } else if (main) {
    writeFileAtomic(join(c.runDir, 'config.json'), JSON.stringify({ ...c, ir2: Array.from(ir2), classNames: info.classNames }, null, 2) + '\n');
    writeFileAtomic(logPath, '');
  }
  const log = (line: Record<string, unknown>): void => { if (main) appendFileSync(logPath, JSON.stringify(line) + '\n'); };
  const checkpoint = (path: string): void => {
    if (!main) return;
    if (amp?.scaler) state.scaler = amp.scaler.stateDict();
    state.logBytes = statSync(logPath).size;
    saveTrainCheckpoint(path, model, optimizer, state);
  };
  const board = main ? new SummaryWriter(c.runDir) : undefined;
  if (dd) ev.log?.(`distributed: rank ${dd.rank} of ${world}, global batch ${world * c.batchSize}+${usesUnlabeledData(method) ? world * c.batchSize : 0}`);

  const loader = createLoader({ dataDir: c.dataDir, labeled, unlabeled, batchSize: c.batchSize, patch: c.patch, seed: rankDataSeed(c.seed, dd), workers: c.workers, cache: true });
  // One epoch is one pass over the data for all ranks together.
  const iterations = Math.min(Math.ceil(loader.iterations / world), c.maxIterations ?? Infinity);
  let stoppedEarly = false;
  let stopRequested = false;
  let epoch = state.epoch + 1;
  try {
    for (; epoch <= c.maxEpochs; epoch++) {
      for (const g of optimizer.paramGroups) g.lr = state.lr;
      const t0 = performance.now();
      let iteration = state.nextIteration;
      for await (const batch of loader.epoch(epoch, iteration)) {
        if (iteration >= iterations) break;
        // Seeded per iteration: a run resumed anywhere draws the same masks and dropout as an uninterrupted one.
        torch.manualSeed(iterationSeed(c.seed, epoch, iteration, dd));
        const it0 = performance.now();
        let result: StepResult;
        try {
          result = torch.tidy(() => {
            const inputs = batchTensors(batch, c.device);
            return step(model, optimizer, loss, {
              ...inputs, epoch, maxEpochs: c.maxEpochs, ratios, cpsW: state.cpsW, emaW: c.emaW, amp, abc: c.abc, balanceMasks: c.balanceMasks, net: dd?.net,
            });
          });
        } catch (err) {
          throw dd ? distributedError(dd, err) : err;
        }
        const aborted = options.signal?.aborted ? 1 : 0;
        if (dd) {
          // The log shows the mean over ranks; a stop request on any rank stops all of them at the same iteration.
          const v = sumOverRanks(dd, [result.loss, result.lossSup, result.lossU, result.terms.sup, result.terms.supAbc, result.terms.u, result.terms.uAbc, aborted]);
          result = { loss: v[0] / world, lossSup: v[1] / world, lossU: v[2] / world, terms: { sup: v[3] / world, supAbc: v[4] / world, u: v[5] / world, uAbc: v[6] / world } };
          stopRequested = v[7] > 0;
        } else {
          stopRequested = aborted > 0;
        }
        const seconds = (performance.now() - it0) / 1000;
        if (!Number.isFinite(result.loss)) {
          log({ epoch, iter: iteration, error: 'non-finite loss', loss: String(result.loss) });
          throw new Error(`train: non-finite loss (${result.loss}) at epoch ${epoch}, iteration ${iteration}; the last good checkpoint is ${lastPath}`);
        }
        log({ epoch, iter: iteration, loss: result.loss, lossSup: result.lossSup, lossU: result.lossU, ...result.terms, cpsW: state.cpsW, lr: state.lr, seconds });
        const globalStep = epoch * iterations + iteration;
        board?.addScalars({ 'loss/loss': result.loss, 'loss/sup': result.lossSup, 'loss/unsup': result.lossU, lr: state.lr, cps_w: state.cpsW }, globalStep);
        ev.onIteration?.({ epoch, iteration, iterations, step: result, lr: state.lr, cpsW: state.cpsW, seconds });
        iteration++;
        state.nextIteration = iteration;
        // Let I/O through between iterations (signals, progress output, loader messages).
        await new Promise<void>((resolve) => setImmediate(resolve));
        // One process: a stop requested during this iteration (or by its events) stops here. Ranks use the agreed value.
        if (!dd) stopRequested = options.signal?.aborted ?? false;
        if (stopRequested && iteration < iterations) {
          checkpoint(lastPath);
          throw new TrainingInterrupted(lastPath, epoch, iteration, String(options.signal?.reason ?? 'stopped on another rank'));
        }
      }
      state.nextIteration = 0;
      // The last forward updated each rank's BatchNorm statistics with its own batch: take rank 0's.
      syncBuffers(dd, model);
      let validation: ValidationResult | undefined;
      if (main && c.evalEvery > 0 && epoch % c.evalEvery === 0 && evalIds.length) {
        validation = validate(model, c.dataDir, evalIds, c.patch, c.device, mode);
        const other = c.evalBothDecoders && mode === 'unlabeled' ? validate(model, c.dataDir, evalIds, c.patch, c.device, 'labeled') : undefined;
        log({
          epoch, evalDice: validation.perClass, evalMeanDice: validation.mean, evalForegroundDice: validation.foreground,
          ...(other ? { evalDiceL: other.perClass, evalMeanDiceL: other.mean } : {}),
        });
        const step = (epoch + 1) * iterations;
        board?.addScalars({
          'val/dice': validation.mean, 'val/foreground_dice': validation.foreground,
          ...Object.fromEntries(validation.perClass.map((d, k) => [`val_class/${info.classNames[k + 1]}`, d])),
        }, step);
        if (validation.mean > state.bestDice) {
          state.bestDice = validation.mean;
          state.bestEpoch = epoch;
          state.bestForeground = validation.foreground;
          state.epoch = epoch;
          checkpoint(bestPath);
        }
      }
      state.epoch = epoch;
      state.lr = polyLr(epoch, c.maxEpochs, c.lr);
      state.cpsW = cpsWeight(c.cpsW, epoch, c.maxEpochs);
      checkpoint(lastPath);
      ev.onEpoch?.({ epoch, validation, seconds: (performance.now() - t0) / 1000, model, rank: dd?.rank ?? 0 });
      // Only rank 0 validates, so it decides about early stopping for everyone.
      if (fromRank0(dd, state.bestEpoch >= 0 && epoch - state.bestEpoch >= c.patience ? 1 : 0) > 0) {
        stoppedEarly = true;
        ev.log?.(`early stop: no improvement for ${c.patience} epochs`);
        break;
      }
      if (sumOverRanks(dd, [options.signal?.aborted ? 1 : 0])[0] > 0 && epoch < c.maxEpochs) {
        throw new TrainingInterrupted(lastPath, epoch + 1, 0, String(options.signal?.reason ?? 'stopped on another rank'));
      }
    }
  } finally {
    dd?.net.disposeReducer();
    board?.close();
    await loader.close();
    torch.dispose([ratios, ...model.parameters(), ...model.buffers()]);
  }
  return { epochs: Math.min(epoch, c.maxEpochs), bestDice: state.bestDice, bestForegroundDice: state.bestForeground ?? NaN, bestEpoch: state.bestEpoch, stoppedEarly, runDir: c.runDir };
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
