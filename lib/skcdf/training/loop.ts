// The epoch loop (Trainer): data, steps, validation, logs (JSON lines + TensorBoard), atomic checkpoints, resume
// (also mid-epoch, after an interruption), early stopping; one process or data-parallel ranks (ranks.ts).
import { existsSync, mkdirSync, readFileSync, appendFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { DCAndCELoss } from '../losses.js';
import { SGD } from '../../optim/sgd.js';
import { createLoader, type BatchLoader } from '../data/loader.js';
import type { Batch } from '../data/dataset.js';
import { readNpy } from '../../io/npy.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { SummaryWriter } from '../../io/tensorboard.js';
import { VNetDecoupleAttentionABC, initSkcdfWeights, type PredType } from '../model.js';
import { datasetInfo, type DatasetInfo } from '../classes.js';
import { cpsWeight, epochLr, usesUnlabeledData, validatesAfter, type TrainConfig, type TrainMethod } from './config.js';
import { ampFor, classRatios, stepFor, type StepInputs, type StepResult, type TrainStepFn } from './step.js';
import { validate, type ValidationResult } from './validate.js';
import { loadTrainCheckpoint, saveTrainCheckpoint, type TrainState } from './checkpoint.js';
import { rankContext, type RankContext } from './ranks.js';

/**
 * Which decoder a method is evaluated (and predicts) with: decoder_u for SKCDF (the reference), decoder_l for the
 * baselines that train decoder_l alone ('supervised', 'labeled-only').
 */
export function evaluationMode(method: TrainMethod): PredType {
  return usesUnlabeledData(method) ? 'unlabeled' : 'labeled';
}

/** The network a config trains (same options at train and test time). */
export function buildModel(
  c: Pick<TrainConfig, 'nFilters' | 'numHeads' | 'hasDropout' | 'patch' | 'crossAttention'>,
  numClasses: number,
): VNetDecoupleAttentionABC {
  return new VNetDecoupleAttentionABC({
    nClasses: numClasses,
    nFilters: c.nFilters,
    numHeads: c.numHeads,
    hasDropout: c.hasDropout,
    patchSize: c.patch,
    crossAttention: c.crossAttention ?? true,
  });
}

function readIds(dir: string, name: string): string[] {
  const path = join(dir, `${name}.txt`);
  if (!existsSync(path)) throw new Error(`split file ${path} not found`);
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Callbacks of a training run: after each iteration, after each epoch, and log messages. */
export interface TrainEvents {
  /** After each iteration (every rank): its position, losses, learning rate, cps weight and seconds. */
  onIteration?(info: {
    epoch: number;
    iteration: number;
    iterations: number;
    step: StepResult;
    lr: number;
    cpsW: number;
    seconds: number;
  }): void;
  /**
   * After each epoch, on every rank (`validation` only on rank 0); the model is the trained one (do not dispose it).
   */
  onEpoch?(info: {
    epoch: number;
    validation?: ValidationResult;
    seconds: number;
    model: VNetDecoupleAttentionABC;
    rank: number;
  }): void;
  /** Log messages (early stop, resume and the like). */
  log?(message: string): void;
}

/** How a run ended: epochs, best validation Dice (mean and foreground) and its epoch, early stop, run folder. */
export interface TrainSummary {
  epochs: number;
  bestDice: number;
  bestForegroundDice: number;
  bestEpoch: number;
  stoppedEarly: boolean;
  runDir: string;
}

/** Thrown when training stopped on request (`signal`); last.pth holds the position to resume from. */
export class TrainingInterrupted extends Error {
  constructor(
    readonly checkpoint: string,
    readonly epoch: number,
    readonly iteration: number,
    readonly reason: string,
  ) {
    super(`training interrupted (${reason}) at epoch ${epoch}, iteration ${iteration}; state saved to ${checkpoint}`);
    this.name = 'TrainingInterrupted';
  }
}

/** How to run train(): resume, events, and a signal that stops the run after the current iteration. */
export interface TrainOptions {
  /** Continue from `<runDir>/last.pth` (also from the middle of an epoch). */
  resume?: boolean;
  events?: TrainEvents;
  /**
   * Aborting it stops the run after the current iteration, with last.pth written (then TrainingInterrupted is thrown).
   */
  signal?: AbortSignal;
}

/** Trains one run (one fold, one seed) into `config.runDir`; resumes from its last checkpoint with `resume`. */
export async function train(config: TrainConfig, options: TrainOptions = {}): Promise<TrainSummary> {
  return new Trainer(config, options).run();
}

/** The run's cases by split. */
interface Splits {
  labeled: string[];
  unlabeled: string[];
  evalIds: string[];
}

/**
 * One training run, in parts: the constructor builds the model, optimizer and loss; `start` begins or resumes
 * (checkpoint, log truncation, config.json); `runEpoch` trains one epoch; `endEpoch` validates, keeps the best
 * checkpoint, moves the schedules, saves last.pth and decides about early stopping and interruption. One process
 * and data-parallel ranks differ only in the RankContext.
 */
export class Trainer {
  readonly model: VNetDecoupleAttentionABC;
  private readonly c: TrainConfig;
  private readonly events: TrainEvents;
  private readonly info: DatasetInfo;
  private readonly splits: Splits;
  private readonly ir2: Float64Array;
  private readonly optimizer: SGD;
  private readonly loss: DCAndCELoss;
  private readonly ratios: Tensor;
  private readonly amp: StepInputs['amp'];
  private readonly step: TrainStepFn;
  private readonly mode: PredType;
  private readonly ranks: RankContext;
  private readonly paths: { last: string; best: string; log: string };
  private state: TrainState;
  private board: SummaryWriter | undefined;
  private iterations = 0;

  constructor(
    config: TrainConfig,
    private readonly options: TrainOptions = {},
  ) {
    const c = (this.c = config);
    this.events = options.events ?? {};
    this.info = datasetInfo(c.dataset);
    if (c.threads) torch.setNumThreads(c.threads);
    mkdirSync(c.runDir, { recursive: true });
    this.splits = {
      labeled: readIds(c.splitsDir, c.labeledSplit),
      unlabeled: readIds(c.splitsDir, c.unlabeledSplit),
      evalIds: readIds(c.splitsDir, c.evalSplit),
    };
    if (this.splits.unlabeled.length < c.batchSize) {
      throw new Error(
        `train: ${this.splits.unlabeled.length} unlabeled cases are fewer than one batch of ${c.batchSize}`,
      );
    }
    const method = c.method ?? 'skcdf';
    this.step = stepFor(method);
    this.mode = evaluationMode(method);
    this.ir2 = classRatios(ratioCases(c.dataDir, this.splits.labeled), this.info.numClasses, this.info.classNames);

    torch.manualSeed(c.seed); // before construction: default inits draw random numbers too
    this.model = buildModel(c, this.info.numClasses);
    initSkcdfWeights(this.model);
    this.model.to(c.device);
    this.model.train();
    this.optimizer = new SGD(this.model.parameters(), {
      lr: c.lr,
      momentum: c.momentum,
      weightDecay: c.weightDecay,
      nesterov: c.nesterov,
    });
    this.loss = new DCAndCELoss();
    this.ratios = torch.keep(torch.tensor(this.ir2, { dtype: 'float64', device: c.device }));
    this.amp = c.amp ? ampFor(c.device) : undefined;
    this.paths = {
      last: join(c.runDir, 'last.pth'),
      best: join(c.runDir, 'best_model.pth'),
      log: join(c.runDir, 'log.jsonl'),
    };
    // Data parallel (a default process group of several ranks): every rank trains on its own batches, the
    // gradients are averaged; rank 0 alone writes logs, validation and checkpoints (the plain model's keys).
    this.ranks = rankContext(this.model);
    this.state = {
      epoch: -1,
      nextIteration: 0,
      bestDice: -1,
      bestEpoch: -1,
      cpsW: cpsWeight(c.cpsW, 0, c.maxEpochs),
      lr: c.lr,
      worldSize: this.ranks.worldSize,
    };
  }

  /** Trains from the start or the checkpoint to the last epoch, an early stop or an interruption. */
  async run(): Promise<TrainSummary> {
    const c = this.c;
    let loader: BatchLoader | undefined;
    let epoch = 0;
    let stoppedEarly = false;
    try {
      this.start();
      const { labeled, unlabeled } = this.splits;
      loader = createLoader({
        dataDir: c.dataDir,
        labeled,
        unlabeled,
        batchSize: c.batchSize,
        patch: c.patch,
        seed: this.ranks.dataSeed(c.seed),
        workers: c.workers,
        cache: true,
      });
      // One epoch is one pass over the data for all ranks together.
      this.iterations = Math.min(Math.ceil(loader.iterations / this.ranks.worldSize), c.maxIterations ?? Infinity);
      for (epoch = this.state.epoch + 1; epoch <= c.maxEpochs; epoch++) {
        const t0 = performance.now();
        await this.runEpoch(loader, epoch);
        stoppedEarly = this.endEpoch(epoch, t0);
        if (stoppedEarly) break;
      }
    } finally {
      this.ranks.close();
      this.board?.close();
      await loader?.close();
      torch.dispose([this.ratios, ...this.model.parameters(), ...this.model.buffers()]);
    }
    const s = this.state;
    return {
      epochs: Math.min(epoch, c.maxEpochs),
      bestDice: s.bestDice,
      bestForegroundDice: s.bestForeground ?? NaN,
      bestEpoch: s.bestEpoch,
      stoppedEarly,
      runDir: c.runDir,
    };
  }

  /** A new run writes config.json and an empty log; a resumed one restores last.pth on every rank and trims the log. */
  private start(): void {
    const { c, paths, ranks } = this;
    if (this.options.resume && existsSync(paths.last)) {
      // Every rank restores the same checkpoint (the run folder must be visible to all of them).
      this.state = loadTrainCheckpoint(paths.last, this.model, this.optimizer, this.amp?.scaler);
      const saved = this.state.worldSize ?? 1;
      if (saved !== ranks.worldSize) {
        throw new Error(
          `train: ${paths.last} was written by a run of ${saved} rank(s); resume it with the same number (this run ` +
          `has ${ranks.worldSize})`,
        );
      }
      // Lines logged after the checkpoint (a crash between checkpoints) would repeat: drop them.
      const bytes = this.state.logBytes;
      if (ranks.main && bytes !== undefined && existsSync(paths.log) && statSync(paths.log).size > bytes)
        truncateSync(paths.log, bytes);
      this.events.log?.(
        `resumed from ${paths.last} at epoch ${this.state.epoch + 1}, iteration ${this.state.nextIteration}`,
      );
    } else if (ranks.main) {
      const saved = { ...c, ir2: Array.from(this.ir2), classNames: this.info.classNames };
      writeFileAtomic(join(c.runDir, 'config.json'), JSON.stringify(saved, null, 2) + '\n');
      writeFileAtomic(paths.log, '');
    }
    this.board = ranks.main ? new SummaryWriter(c.runDir) : undefined;
    const note = ranks.describe(c.batchSize, usesUnlabeledData(c.method ?? 'skcdf') ? c.batchSize : 0);
    if (note) this.events.log?.(note);
  }

  /** Appends a line to log.jsonl (rank 0). */
  private log(line: Record<string, unknown>): void {
    if (this.ranks.main) appendFileSync(this.paths.log, JSON.stringify(line) + '\n');
  }

  /** Saves {model, optimizer, state} to `path` (rank 0), with the log's length so a resume can trim it. */
  private checkpoint(path: string): void {
    if (!this.ranks.main) return;
    if (this.amp?.scaler) this.state.scaler = this.amp.scaler.stateDict();
    this.state.logBytes = statSync(this.paths.log).size;
    saveTrainCheckpoint(path, this.model, this.optimizer, this.state);
  }

  /** The iterations of one epoch from state.nextIteration on; throws TrainingInterrupted when a stop is agreed. */
  private async runEpoch(loader: BatchLoader, epoch: number): Promise<void> {
    for (const g of this.optimizer.paramGroups) g.lr = this.state.lr;
    let iteration = this.state.nextIteration;
    for await (const batch of loader.epoch(epoch, iteration)) {
      if (iteration >= this.iterations) break;
      const stop = await this.trainIteration(batch, epoch, iteration);
      iteration++;
      this.state.nextIteration = iteration;
      if (stop && iteration < this.iterations) {
        this.checkpoint(this.paths.last);
        throw new TrainingInterrupted(this.paths.last, epoch, iteration, this.stopReason());
      }
    }
    this.state.nextIteration = 0;
  }

  /** One step on one batch: train, agree over ranks, check, log; resolves to whether to stop after it. */
  private async trainIteration(batch: Batch, epoch: number, iteration: number): Promise<boolean> {
    const { c, ranks, state } = this;
    // Seeded per iteration: a run resumed anywhere draws the same masks and dropout as an uninterrupted one.
    torch.manualSeed(ranks.iterationSeed(c.seed, epoch, iteration));
    const it0 = performance.now();
    let local: StepResult;
    try {
      local = torch.tidy(() =>
        this.step(this.model, this.optimizer, this.loss, {
          ...batchTensors(batch, c.device),
          epoch,
          maxEpochs: c.maxEpochs,
          ratios: this.ratios,
          cpsW: state.cpsW,
          emaW: c.emaW,
          amp: this.amp,
          abc: c.abc,
          balanceMasks: c.balanceMasks,
          net: ranks.net,
        }),
      );
    } catch (err) {
      throw ranks.stepError(err);
    }
    // The log shows the mean over ranks; a stop request on any rank stops all of them at the same iteration.
    const { result, stop } = ranks.agreeOnStep(local, this.options.signal?.aborted ?? false);
    const seconds = (performance.now() - it0) / 1000;
    if (!Number.isFinite(result.loss)) {
      this.log({ epoch, iter: iteration, error: 'non-finite loss', loss: String(result.loss) });
      throw new Error(
        `train: non-finite loss (${result.loss}) at epoch ${epoch}, iteration ${iteration}; the last good checkpoint ` +
        `is ${this.paths.last}`,
      );
    }
    this.log({
      epoch,
      iter: iteration,
      loss: result.loss,
      lossSup: result.lossSup,
      lossU: result.lossU,
      ...result.terms,
      cpsW: state.cpsW,
      lr: state.lr,
      seconds,
    });
    this.board?.addScalars(
      {
        'loss/loss': result.loss,
        'loss/sup': result.lossSup,
        'loss/unsup': result.lossU,
        lr: state.lr,
        cps_w: state.cpsW,
      },
      epoch * this.iterations + iteration,
    );
    this.events.onIteration?.({
      epoch,
      iteration,
      iterations: this.iterations,
      step: result,
      lr: state.lr,
      cpsW: state.cpsW,
      seconds,
    });
    // Let I/O through between iterations (signals, progress output, loader messages).
    await new Promise<void>((resolve) => setImmediate(resolve));
    return ranks.stopAfterIteration(stop, () => this.options.signal?.aborted ?? false);
  }

  private stopReason(): string {
    return String(this.options.signal?.reason ?? 'stopped on another rank');
  }

  /**
   * Validation, best checkpoint, schedules, last.pth, events; true for an early stop. Throws on an agreed interruption.
   */
  private endEpoch(epoch: number, t0: number): boolean {
    const { c, ranks, state } = this;
    ranks.syncBuffers(this.model);
    const validation = this.validateEpoch(epoch);
    state.epoch = epoch;
    state.lr = epochLr(c, epoch);
    state.cpsW = cpsWeight(c.cpsW, epoch, c.maxEpochs);
    this.checkpoint(this.paths.last);
    this.events.onEpoch?.({
      epoch,
      validation,
      seconds: (performance.now() - t0) / 1000,
      model: this.model,
      rank: ranks.rank,
    });
    if (ranks.rank0Decides(state.bestEpoch >= 0 && epoch - state.bestEpoch >= c.patience)) {
      this.events.log?.(`early stop: no improvement for ${c.patience} epochs`);
      return true;
    }
    if (ranks.anyRank(this.options.signal?.aborted ?? false) && epoch < c.maxEpochs) {
      throw new TrainingInterrupted(this.paths.last, epoch + 1, 0, this.stopReason());
    }
    return false;
  }

  /**
   * Rank 0 validates after the epochs {@link validatesAfter} names, logs it and saves best_model.pth when the mean Dice
   * improved.
   */
  private validateEpoch(epoch: number): ValidationResult | undefined {
    const { c, state, info, splits } = this;
    if (!this.ranks.main || !validatesAfter(c, epoch) || !splits.evalIds.length) return undefined;
    const validation = validate(this.model, c.dataDir, splits.evalIds, c.patch, c.device, this.mode);
    const other =
      c.evalBothDecoders && this.mode === 'unlabeled'
        ? validate(this.model, c.dataDir, splits.evalIds, c.patch, c.device, 'labeled')
        : undefined;
    this.log({
      epoch,
      evalDice: validation.perClass,
      evalMeanDice: validation.mean,
      evalForegroundDice: validation.foreground,
      ...(other ? { evalDiceL: other.perClass, evalMeanDiceL: other.mean } : {}),
    });
    this.board?.addScalars(
      {
        'val/dice': validation.mean,
        'val/foreground_dice': validation.foreground,
        ...Object.fromEntries(validation.perClass.map((d, k) => [`val_class/${info.classNames[k + 1]}`, d])),
      },
      (epoch + 1) * this.iterations,
    );
    if (validation.mean > state.bestDice) {
      state.bestDice = validation.mean;
      state.bestEpoch = epoch;
      state.bestForeground = validation.foreground;
      state.epoch = epoch;
      this.checkpoint(this.paths.best);
    }
    return validation;
  }
}

/**
 * The labels of the first four labeled cases in sorted id order (the reference reads its split lists sorted,
 * whatever the file's order): the class ratios of the balance masks come from them.
 */
function ratioCases(dataDir: string, labeled: readonly string[]): ArrayLike<number>[] {
  return [...labeled]
    .sort()
    .slice(0, 4)
    .map((id) => {
      const path = join(dataDir, `${id}_label.npy`);
      if (!existsSync(path)) throw new Error(`train: preprocessed label ${path} not found`);
      return readNpy(path).data as ArrayLike<number>;
    });
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
