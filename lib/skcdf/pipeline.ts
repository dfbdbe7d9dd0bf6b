// The whole run as a user meets it: data (the synthetic set is generated on demand), training, sliding-window
// prediction of the test split with the best checkpoint, evaluation, and report.html in the run folder.
// Each stage is a function of its own: train (training/loop.ts), predictRun, evaluateRun.
import * as torch from '../torch/index.js';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../torch/tensor.js';
import { fuseConvBatchNorm } from '../nn/fuse.js';
import { readNpy } from '../io/npy.js';
import { readNifti } from '../io/nifti.js';
import { readSplitFile } from '../data/splits.js';
import { datasetInfo, type DatasetName } from './classes.js';
import { datasetPaths, ensureDataset } from './datasets.js';
import { loadCheckpoint, predictDataset, type InferenceSettings, type SegmentationNet } from './inference.js';
import { evaluateFolds, type Evaluation } from './evaluate.js';
import { writeReport, overlaySlices, type OverlayCase } from './report.js';
import { defaultConfig, type TrainConfig } from './training/config.js';
import { buildModel, evaluationMode, train, type TrainOptions, type TrainSummary } from './training/loop.js';
import type { VNetDecoupleAttentionABC } from './model.js';

/** A run folder's config.json (what training wrote), with the defaults of older runs filled in. */
export function readRunConfig(runDir: string): TrainConfig {
  const path = join(runDir, 'config.json');
  if (!existsSync(path)) throw new Error(`${path} not found (is ${runDir} a training run folder?)`);
  let saved: Partial<TrainConfig>;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8')) as Partial<TrainConfig>;
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (!saved.dataset) throw new Error(`${path}: no 'dataset' entry`);
  return { ...defaultConfig(saved.dataset), ...saved };
}

/** The model as a SegmentationNet predicting with the decoder of `mode` (decoder_u for SKCDF, decoder_l for the baseline). */
export function decoderNet(model: VNetDecoupleAttentionABC, mode: 'labeled' | 'unlabeled'): SegmentationNet {
  return {
    forward: (x: Tensor) => model.forward(x, mode),
    predict: (x: Tensor) => model.predict(x, mode),
    eval: () => model.eval(),
    train: (m?: boolean) => model.train(m),
    get training() { return model.training; },
  };
}

export interface PredictRunOptions extends Partial<InferenceSettings> {
  runDir: string;
  /** Split to predict (default 'test'). */
  split?: string;
  /** Other data than the run's (e.g. a freshly generated set): its folder and the ids to predict (instead of the split). */
  dataDir?: string;
  ids?: readonly string[];
  /** Default `<runDir>/best_model.pth`. */
  checkpoint?: string;
  /** Default `<runDir>/predictions`. */
  outDir?: string;
  device?: string;
  /** Fold BatchNorm into the convolutions (default true; same outputs, faster). */
  fuse?: boolean;
  onCase?: (id: string, seconds: number, output: string) => void;
}

/** Sliding-window prediction of a split with a run's checkpoint, into `<runDir>/predictions/<id>_pred.nii.gz`. */
export function predictRun(o: PredictRunOptions): { outDir: string; ids: string[] } {
  const { runDir, split, checkpoint, outDir: out, device: dev, fuse, onCase, dataDir, ids: given, ...settings } = o;
  const c = readRunConfig(runDir);
  const info = datasetInfo(c.dataset);
  const ids = given ? [...given] : readSplitFile(join(c.splitsDir, `${split ?? 'test'}.txt`));
  const outDir = out ?? join(runDir, 'predictions');
  const device = dev ?? c.device;
  const model = buildModel({ ...c, hasDropout: false }, info.numClasses);
  try {
    loadCheckpoint(model, checkpoint ?? join(runDir, 'best_model.pth'));
    model.to(device).eval();
    if (fuse ?? true) fuseConvBatchNorm(model);
    mkdirSync(outDir, { recursive: true });
    predictDataset({
      speed: 0, ...settings, model: decoderNet(model, evaluationMode(c.method)), dataDir: dataDir ?? c.dataDir, ids, outDir, patch: c.patch,
      numClasses: info.numClasses, device, onCase: (id, r) => onCase?.(id, r.seconds, r.output),
    });
  } finally {
    model.dispose();
  }
  return { outDir, ids };
}

export interface EvaluateRunOptions {
  runDir: string;
  split?: string;
  /** Other labels than the run's data (with `ids`), e.g. a freshly generated set. */
  dataDir?: string;
  ids?: readonly string[];
  /** Default `<runDir>/predictions`. */
  predDir?: string;
  /** Tables and report go here (default `<runDir>`; tables under `<runDir>/evaluation`). */
  outDir?: string;
  /** Axial slices per case in the report's overlays (default 3; 0: none). */
  overlaySlices?: number;
  log?: ((text: string) => void) | null;
}

/** Evaluates a run's predictions (Dice, ASD, ASSD, HD95) and writes the tables and report.html with overlays and curves. */
export function evaluateRun(o: EvaluateRunOptions): { evaluation: Evaluation; report: string } {
  const c = readRunConfig(o.runDir);
  const ids = o.ids ? [...o.ids] : readSplitFile(join(c.splitsDir, `${o.split ?? 'test'}.txt`));
  const predDir = o.predDir ?? join(o.runDir, 'predictions');
  const outDir = o.outDir ?? o.runDir;
  const labelDir = o.dataDir ?? c.dataDir;
  const evaluation = evaluateFolds({ predDirs: [predDir], labelDir, ids, dataset: c.dataset, outDir: join(outDir, 'evaluation'), log: o.log });
  const overlays = overlayCases(labelDir, predDir, ids, o.overlaySlices ?? 3);
  const logPath = join(o.runDir, 'log.jsonl');
  const report = writeReport({
    outDir, evaluation, runLog: existsSync(logPath) ? logPath : undefined, overlays,
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
      out.push({ id: `${id}_z${slice}`, image: image.data as ArrayLike<number>, label: label.data as ArrayLike<number>, pred: pred.data as ArrayLike<number>, shape, slice });
    }
  }
  return out;
}

export interface PipelineOptions extends TrainOptions {
  config: TrainConfig;
  /** Predict, evaluate and report after training (default true). */
  test?: boolean;
  testSplit?: string;
  log?: (message: string) => void;
}

export interface PipelineResult { summary: TrainSummary; evaluation?: Evaluation; report?: string }

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
  if (o.test === false || rank !== 0) return { summary };
  log(`predicting the ${o.testSplit ?? 'test'} split with ${join(c.runDir, 'best_model.pth')} (sliding window)`);
  predictRun({ runDir: c.runDir, split: o.testSplit, device: c.device });
  const { evaluation, report } = evaluateRun({ runDir: c.runDir, split: o.testSplit, log: null });
  return { summary, evaluation, report };
}
