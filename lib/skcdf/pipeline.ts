// The whole run as a user meets it: data (the synthetic set is generated on demand), training, sliding-window
// prediction of the test split with the best checkpoint, evaluation, and report.html in the run folder.
// Each stage is a function of its own: train (training/loop.ts), predictRun, evaluateRun.
import * as torch from '../torch/index.js';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../torch/tensor.js';
import { fuseConvBatchNorm } from '../nn/fuse.js';
import { readNpy } from '../io/npy.js';
import { readNifti } from '../io/nifti.js';
import { readSplitFile } from './data/splits.js';
import { writeFileAtomic } from '../io/atomic.js';
import { datasetInfo, type DatasetName } from './classes.js';
import { datasetPaths, ensureDataset } from './datasets.js';
import { loadModelWeights, predictDataset, type InferenceSettings, type SegmentationNet } from './inference.js';
import { evaluateFolds, type Evaluation } from './evaluate.js';
import { writeReport, overlaySlices, type OverlayCase } from './report.js';
import { defaultConfig, type TrainConfig } from './training/config.js';
import { readRunConfig } from './training/run-config.js';
import { buildModel, evaluationMode, train, type TrainOptions, type TrainSummary } from './training/loop.js';
import type { PredType, VNetDecoupleAttentionABC } from './model.js';

/**
 * The model as a SegmentationNet predicting with the decoder of `mode` (decoder_u for SKCDF, decoder_l for the
 * baseline).
 */
export function decoderNet(model: VNetDecoupleAttentionABC, mode: 'labeled' | 'unlabeled'): SegmentationNet {
  return {
    forward: (x: Tensor) => model.forward(x, mode),
    predict: (x: Tensor) => model.predict(x, mode),
    eval: () => model.eval(),
    train: (m?: boolean) => model.train(m),
    get training() {
      return model.training;
    },
  };
}

/**
 * predictRun's options: a run folder (or a dataset and a checkpoint), the split, and overrides of the run's settings.
 */
export interface PredictRunOptions extends Partial<Omit<InferenceSettings, 'numClasses'>> {
  /**
   * A training run folder: its config.json gives the network (method, hence the decoder; ablations; filters,
   * heads, patch), the data and the splits. Every option given here wins over it.
   */
  runDir?: string;
  /**
   * Without `runDir`: the dataset whose defaultConfig describes the network and the data (e.g. a checkpoint of
   * the reference PyTorch code; give `checkpoint`). With `runDir` it must be the run's dataset.
   */
  dataset?: DatasetName;
  /** n_filters of the checkpoint (default: the run's / the dataset's). */
  nFilters?: number;
  /** Split to predict (default 'test'), read from `<splitsDir>/<split>.txt`. */
  split?: string;
  /** Folder of `<id>_image.npy` or NIfTI volumes (default: the run's). */
  dataDir?: string;
  /** Folder of split files (default: the run's). */
  splitsDir?: string;
  /** The ids to predict instead of a split. */
  ids?: readonly string[];
  /** Default `<runDir>/best_model.pth`. */
  checkpoint?: string;
  /** Default `<runDir>/predictions` (`predictions` without a run folder). */
  outDir?: string;
  /** Default: the run's device. */
  device?: string;
  /** Fold BatchNorm into the convolutions (default true; same outputs, faster). */
  fuse?: boolean;
  /** Called after each case with its id, seconds and output file. */
  onCase?: (id: string, seconds: number, output: string) => void;
}

/**
 * What {@link predictRun} does, resolved: the network's config (with the overrides), checkpoint, cases, output folder,
 * decoder.
 */
export interface PredictionPlan {
  /**
   * The run's config.json (or defaultConfig(dataset)) with dataDir, splitsDir, patch, nFilters and device overridden as
   * given.
   */
  config: TrainConfig;
  checkpoint: string;
  ids: string[];
  outDir: string;
  /** The decoder that predicts: evaluationMode(config.method). */
  mode: PredType;
}

/** Resolves a prediction's settings: options given win over the run's config.json (or defaultConfig(dataset)). */
export function predictionPlan(o: PredictRunOptions): PredictionPlan {
  const run = o.runDir !== undefined ? readRunConfig(o.runDir) : undefined;
  if (!run && !o.dataset)
    throw new Error('predictRun: give runDir (a training run folder) or dataset (with checkpoint)');
  if (run && o.dataset && o.dataset !== run.dataset) {
    throw new Error(
      `predictRun: dataset '${o.dataset}' is not the run's ('${run.dataset}' in ${join(o.runDir!, 'config.json')})`,
    );
  }
  const base = run ?? defaultConfig(o.dataset!);
  const config: TrainConfig = {
    ...base,
    dataDir: o.dataDir ?? base.dataDir,
    splitsDir: o.splitsDir ?? base.splitsDir,
    patch: o.patch ?? base.patch,
    nFilters: o.nFilters ?? base.nFilters,
    device: o.device ?? base.device,
  };
  const checkpoint = o.checkpoint ?? (o.runDir !== undefined ? join(o.runDir, 'best_model.pth') : undefined);
  if (checkpoint === undefined)
    throw new Error('predictRun: give checkpoint (there is no run folder to take best_model.pth from)');
  const ids = o.ids ? [...o.ids] : readSplitFile(join(config.splitsDir, `${o.split ?? 'test'}.txt`));
  const outDir = o.outDir ?? (o.runDir !== undefined ? join(o.runDir, 'predictions') : 'predictions');
  return { config, checkpoint, ids, outDir, mode: evaluationMode(config.method) };
}

/** The window settings among predictRun's options (the reference's speed 0 unless told otherwise). */
function windowSettings(o: PredictRunOptions): Omit<InferenceSettings, 'patch' | 'numClasses' | 'device'> {
  return {
    speed: o.speed ?? 0,
    stride: o.stride,
    overlap: o.overlap,
    gaussian: o.gaussian,
    windowsPerBatch: o.windowsPerBatch,
    flips: o.flips,
    channelsLast: o.channelsLast,
  };
}

/**
 * Sliding-window prediction of a split with a checkpoint, into `<outDir>/<id>_pred.nii.gz`: the one prediction
 * path of the library, the pipeline and the `test-model` command. The network is built as the run trained it
 * (method's decoder, ablations), see {@link predictionPlan}.
 */
export function predictRun(o: PredictRunOptions): { outDir: string; ids: string[] } {
  const { config: c, checkpoint, ids, outDir, mode } = predictionPlan(o);
  const info = datasetInfo(c.dataset);
  const model = buildModel({ ...c, hasDropout: false }, info.numClasses);
  try {
    loadModelWeights(model, checkpoint);
    model.to(c.device).eval();
    if (o.fuse ?? true) fuseConvBatchNorm(model);
    mkdirSync(outDir, { recursive: true });
    predictDataset({
      ...windowSettings(o),
      model: decoderNet(model, mode),
      dataDir: c.dataDir,
      ids,
      outDir,
      patch: c.patch,
      numClasses: info.numClasses,
      device: c.device,
      onCase: (id, r) => o.onCase?.(id, r.seconds, r.output),
    });
  } finally {
    model.dispose();
  }
  return { outDir, ids };
}

/** evaluateRun's options: the run folder, the split or ids, and overrides of data, splits, predictions and output. */
export interface EvaluateRunOptions {
  runDir: string;
  split?: string;
  /** Other labels than the run's data (e.g. a freshly generated set). */
  dataDir?: string;
  /** Other split files than the run's. */
  splitsDir?: string;
  ids?: readonly string[];
  /** Default `<runDir>/predictions`. */
  predDir?: string;
  /** Tables and report go here (default `<runDir>`; tables under `<runDir>/evaluation`). */
  outDir?: string;
  /** Axial slices per case in the report's overlays (default 3; 0: none). */
  overlaySlices?: number;
  /** Where progress lines go (default console.log; null: nowhere). */
  log?: ((text: string) => void) | null;
}

/**
 * Evaluates a run's predictions (Dice, ASD, ASSD, HD95) and writes the tables and report.html with overlays and curves.
 */
export function evaluateRun(o: EvaluateRunOptions): { evaluation: Evaluation; report: string } {
  const c = readRunConfig(o.runDir);
  const ids = o.ids ? [...o.ids] : readSplitFile(join(o.splitsDir ?? c.splitsDir, `${o.split ?? 'test'}.txt`));
  const predDir = o.predDir ?? join(o.runDir, 'predictions');
  const outDir = o.outDir ?? o.runDir;
  const labelDir = o.dataDir ?? c.dataDir;
  const evaluation = evaluateFolds({
    predDirs: [predDir],
    labelDir,
    ids,
    dataset: c.dataset,
    outDir: join(outDir, 'evaluation'),
    log: o.log,
  });
  const overlays = overlayCases(labelDir, predDir, ids, o.overlaySlices ?? 3);
  const logPath = join(o.runDir, 'log.jsonl');
  const report = writeReport({
    outDir,
    evaluation,
    runLog: existsSync(logPath) ? logPath : undefined,
    overlays,
    title: `SKCDF (${c.method}) on ${c.dataset}: ${o.split ?? 'test'} split`,
  });
  return { evaluation, report };
}

/** Overlay panels for `perCase` axial slices of each case, chosen where its organs are. */
export function overlayCases(dataDir: string, predDir: string, ids: readonly string[], perCase: number): OverlayCase[] {
  if (perCase <= 0) return [];
  const out: OverlayCase[] = [];
  for (const id of ids) {
    const imagePath = join(dataDir, `${id}_image.npy`);
    const labelPath = join(dataDir, `${id}_label.npy`);
    const predPath = join(predDir, `${id}_pred.nii.gz`);
    if (![imagePath, labelPath, predPath].every(existsSync)) continue;
    const image = readNpy(imagePath);
    const label = readNpy(labelPath);
    const pred = readNifti(predPath);
    const shape = label.shape as [number, number, number];
    for (const slice of overlaySlices(label.data as ArrayLike<number>, shape, perCase)) {
      out.push({
        id: `${id}_z${slice}`,
        image: image.data as ArrayLike<number>,
        label: label.data as ArrayLike<number>,
        pred: pred.data as ArrayLike<number>,
        shape,
        slice,
      });
    }
  }
  return out;
}

/** runPipeline's options: the configuration, resume, events and stop signal of training, and the test step. */
export interface PipelineOptions extends TrainOptions {
  config: TrainConfig;
  /** Predict, evaluate and report after training (default: the config's `test`). */
  test?: boolean;
  testSplit?: string;
  /** Where progress lines go (default: nowhere). */
  log?: (message: string) => void;
}

/** What runPipeline gives: the training summary and, when it tested, the evaluation and the report's path. */
export interface PipelineResult {
  summary: TrainSummary;
  evaluation?: Evaluation;
  report?: string;
}

/**
 * `npm run train`: makes sure the data exists (generating the synthetic set when needed), trains, then predicts
 * the test split with best_model.pth, evaluates it and writes report.html into the run folder.
 */
export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const c = o.config;
  const log = o.log ?? (() => {});
  const paths = datasetPaths(c.dataset as DatasetName);
  // Data parallel: rank 0 prepares the data while the others wait; it alone predicts and evaluates.
  const dist = torch.distributed;
  const rank = dist.isAvailable() && dist.isInitialized() ? dist.getRank() : 0;
  if (c.dataDir === paths.preprocessed && rank === 0) ensureDataset(c.dataset, paths, log);
  if (dist.isAvailable() && dist.isInitialized()) await dist.barrierAsync();
  const summary = await train(c, o);
  if (!(o.test ?? c.test ?? true) || rank !== 0) return { summary };
  log(`predicting the ${o.testSplit ?? 'test'} split with ${join(c.runDir, 'best_model.pth')} (sliding window)`);
  predictRun({ runDir: c.runDir, split: o.testSplit, device: c.device });
  const { evaluation, report } = evaluateRun({ runDir: c.runDir, split: o.testSplit, log: null });
  // The completion marker (written last, atomically): a run folder with summary.json is finished.
  writeFileAtomic(
    join(c.runDir, 'summary.json'),
    JSON.stringify(
      {
        ...summary,
        testSplit: o.testSplit ?? 'test',
        testMeanDice: evaluation.overall.dice.mean,
        report,
        finishedAt: new Date().toISOString(),
      },
      null,
      2,
    ) + '\n',
  );
  return { summary, evaluation, report };
}
