// test-model and evaluate: thin commands over predictRun / evaluateRun (lib/skcdf/pipeline.ts) and evaluateFolds.
import { join } from 'node:path';
import type { Command } from 'commander';
import { DATASET_NAMES, type DatasetName } from '../skcdf/classes.js';
import { datasetPaths } from '../skcdf/datasets.js';
import type { Shape3 } from '../data/resize.js';
import { evaluateFolds } from '../skcdf/evaluate.js';
import { writeReport } from '../skcdf/report.js';
import { readSplitFile } from '../skcdf/data/splits.js';
import { choice, int, num, shape3 } from './options.js';
import { evaluateRun, overlayCases, predictRun } from '../skcdf/pipeline.js';

const SPEEDS = { 0: 0, 1: 1, 2: 2 } as const;
const speed = (v: string): 0 | 1 | 2 => SPEEDS[choice('--speed', ['0', '1', '2'] as const)(v)];

/** test-model's options as commander parses them (undefined: not given; the run's config.json decides). */
export interface TestModelOptions {
  runDir?: string;
  checkpoint?: string;
  dataset?: DatasetName;
  dataDir?: string;
  splitsDir?: string;
  split: string;
  patch?: Shape3;
  filters?: number;
  speed: 0 | 1 | 2;
  overlap?: number;
  gaussian?: boolean;
  flips?: boolean;
  windowsPerBatch: number;
  device?: string;
  fuse: boolean;
  outDir?: string;
}

/** The test-model command: one predictRun call, the flags given winning over the run's config.json. */
export function testModel(o: TestModelOptions): { outDir: string; ids: string[] } {
  const r = predictRun({
    runDir: o.runDir,
    dataset: o.dataset,
    checkpoint: o.checkpoint,
    dataDir: o.dataDir,
    splitsDir: o.splitsDir,
    split: o.split,
    patch: o.patch,
    nFilters: o.filters,
    speed: o.speed,
    overlap: o.overlap,
    gaussian: o.gaussian,
    flips: o.flips,
    windowsPerBatch: o.windowsPerBatch,
    device: o.device,
    fuse: o.fuse,
    outDir: o.outDir,
    onCase: (id, seconds, output) => {
      process.stderr.write(`${id}: ${seconds.toFixed(1)} s -> ${output}\n`);
    },
  });
  process.stdout.write(`${r.ids.length} predictions in ${r.outDir}\n`);
  return r;
}

/** evaluate's options as commander parses them. */
export interface EvaluateOptions {
  runDir?: string;
  predDirs?: string;
  dataset: DatasetName;
  labelDir?: string;
  splitsDir?: string;
  split: string;
  spacing?: string;
  runLog?: string;
  overlaySlices: number;
  outDir?: string;
}

/** Registers test-model and evaluate. */
export function predictCommands(program: Command): void {
  program
    .command('test-model')
    .description(
      'sliding-window prediction of whole preprocessed volumes with a trained (or reference PyTorch) checkpoint; ' +
        "the network is built as the run trained it (method, ablations), every flag given wins over the run's " +
        "config.json",
    )
    .option(
      '--run-dir <dir>',
      'a training run: its config.json gives dataset, method, ablations, patch, filters, data, splits and device',
    )
    .option('--checkpoint <file>', ".pth state dict (ours, or the reference code's); default <run-dir>/best_model.pth")
    .option(
      '--dataset <name>',
      `without --run-dir: the dataset whose default config describes the checkpoint's network ` +
      `(${DATASET_NAMES.join(' | ')})`,
      choice('--dataset', DATASET_NAMES),
    )
    .option('--data-dir <dir>', "folder of <id>_image.npy or NIfTI volumes (default: the run's)")
    .option('--splits-dir <dir>', "split files folder (default: the run's)")
    .option('--split <name>', 'which split to predict: <splits-dir>/<name>.txt', 'test')
    .option('--patch <DxHxW>', 'window (default: the training patch)', shape3('--patch'))
    .option('--filters <n>', "n_filters of the checkpoint (default: the run's)", int('--filters'))
    .option('--speed <0|1|2>', 'reference stride presets: 0 (16,32,32), 1 (16,64,64), 2 (32,128,128)', speed, 0)
    .option('--overlap <f>', 'window overlap fraction instead of a speed preset', num('--overlap'))
    .option('--gaussian', 'Gaussian importance weighting of window centres')
    .option('--flips', 'test-time mirroring over the three axes')
    .option('--windows-per-batch <n>', 'windows per forward', int('--windows-per-batch'), 1)
    .option('--device <device>', "cpu | cuda | cuda:N (default: the run's, else cpu)")
    .option(
      '--no-fuse',
      'keep BatchNorm layers (by default they are folded into the convolutions, same outputs, faster)',
    )
    .option(
      '--out-dir <dir>',
      'where <id>_pred.nii.gz go (default <run-dir>/predictions, without a run folder predictions)',
    )
    .action((o: TestModelOptions) => {
      testModel(o);
    });

  program
    .command('evaluate')
    .description(
      'Dice, ASD (directed, as the reference), ASSD and HD95 per case and class over one or more folds; CSV, JSON ' +
      'and an HTML report',
    )
    .option(
      '--run-dir <dir>',
      'a training run: evaluates <run-dir>/predictions, writes report.html (curves, slice overlays) and evaluation/ ' +
      'there',
    )
    .option('--pred-dirs <dirs>', 'comma-separated prediction folders, one per fold (instead of --run-dir)')
    .option('--dataset <name>', DATASET_NAMES.join(' | '), choice('--dataset', DATASET_NAMES), 'synapse')
    .option('--label-dir <dir>', "labels (default: the run's data with --run-dir, else data/<dataset>/preprocessed)")
    .option('--splits-dir <dir>', "split files folder (default: the run's with --run-dir, else splits/<dataset>)")
    .option('--split <name>', 'which split', 'test')
    .option('--spacing <ZxYxX|header>', 'voxel spacing for distances (default: voxel units, as the reference)')
    .option('--run-log <file>', "training log (log.jsonl) for the report's curves")
    .option('--overlay-slices <n>', 'axial slices per case in the report (with --run-dir)', int('--overlay-slices'), 3)
    .option(
      '--out-dir <dir>',
      'where tables and report.html go (default: the run folder with --run-dir, else evaluation)',
    )
    .action((o: EvaluateOptions) => {
      if (o.runDir && !o.predDirs) {
        // With a run folder: its config.json gives data and splits unless --label-dir / --splits-dir say otherwise.
        const r = evaluateRun({
          runDir: o.runDir,
          split: o.split,
          dataDir: o.labelDir,
          splitsDir: o.splitsDir,
          outDir: o.outDir,
          overlaySlices: o.overlaySlices,
        });
        process.stdout.write(`report: ${r.report}\n`);
        return;
      }
      if (!o.predDirs) throw new Error('evaluate: give --run-dir or --pred-dirs');
      const dataset = o.dataset;
      const labelDir = o.labelDir ?? datasetPaths(dataset).preprocessed;
      const splitsDir =
        o.splitsDir ?? (dataset === 'synthetic' ? join(datasetPaths(dataset).raw, 'splits') : join('splits', dataset));
      const ids = readSplitFile(join(splitsDir, `${o.split}.txt`));
      const spacing =
        o.spacing === undefined
          ? undefined
          : o.spacing === 'header'
            ? ('header' as const)
            : shape3('--spacing')(o.spacing);
      const outDir = o.outDir ?? 'evaluation';
      const predDirs = o.predDirs.split(',');
      const evaluation = evaluateFolds({ predDirs, labelDir, ids, dataset, spacing, outDir });
      const overlays = predDirs.length === 1 ? overlayCases(labelDir, predDirs[0]!, ids, o.overlaySlices) : [];
      const html = writeReport({ outDir, evaluation, runLog: o.runLog, overlays });
      process.stdout.write(`report: ${html}\n`);
    });
}
