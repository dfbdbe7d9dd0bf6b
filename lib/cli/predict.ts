import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { datasetInfo, type DatasetName } from '../skcdf/classes.js';
import { datasetPaths } from '../skcdf/datasets.js';
import { VNetDecoupleAttentionABC } from '../skcdf/model.js';
import { fuseConvBatchNorm } from '../nn/fuse.js';
import { loadCheckpoint, predictDataset } from '../skcdf/inference.js';
import { evaluateFolds } from '../skcdf/evaluate.js';
import { writeReport } from '../skcdf/report.js';
import { readSplitFile } from '../data/splits.js';
import { choice, int, num, shape3 } from './options.js';
import { evaluateRun, overlayCases, predictRun, readRunConfig } from '../skcdf/pipeline.js';

export function predictCommands(program: Command): void {
  program.command('test-model')
    .description('sliding-window prediction of whole preprocessed volumes with a trained (or reference PyTorch) checkpoint')
    .option('--run-dir <dir>', 'a training run: its config.json gives dataset, patch, filters, data and splits')
    .option('--checkpoint <file>', '.pth state dict (ours, or the reference code\'s); default <run-dir>/best_model.pth')
    .option('--dataset <name>', 'synapse | amos | synthetic', choice('--dataset', ['synapse', 'amos', 'synthetic'] as const))
    .option('--data-dir <dir>', 'folder of <id>_image.npy or NIfTI volumes')
    .option('--splits-dir <dir>', 'split files folder')
    .option('--split <name>', 'which split to predict', 'test')
    .option('--patch <DxHxW>', 'window (the training patch)', shape3('--patch'))
    .option('--filters <n>', 'n_filters of the checkpoint', int('--filters'))
    .option('--speed <0|1|2>', 'reference stride presets: 0 (16,32,32), 1 (16,64,64), 2 (32,128,128)', int('--speed'), 0)
    .option('--overlap <f>', 'window overlap fraction instead of a speed preset', num('--overlap'))
    .option('--gaussian', 'Gaussian importance weighting of window centres')
    .option('--flips', 'test-time mirroring over the three axes')
    .option('--windows-per-batch <n>', 'windows per forward', int('--windows-per-batch'), 1)
    .option('--device <device>', 'cpu | cuda | cuda:N', 'cpu')
    .option('--no-fuse', 'keep BatchNorm layers (by default they are folded into the convolutions, same outputs, faster)')
    .option('--out-dir <dir>', 'where <id>_pred.nii.gz go (default <run-dir>/predictions)')
    .action((o: Record<string, unknown>) => {
      const settings = {
        speed: o.speed as 0 | 1 | 2, overlap: o.overlap as number | undefined, gaussian: Boolean(o.gaussian),
        flips: Boolean(o.flips), windowsPerBatch: o.windowsPerBatch as number,
      };
      const report = (id: string, seconds: number, output: string): void => { process.stderr.write(`${id}: ${seconds.toFixed(1)} s -> ${output}\n`); };
      if (o.runDir && !o.dataset) {
        // A run folder knows its model (method, ablations, patch, filters), data and splits.
        const r = predictRun({
          runDir: o.runDir as string, split: o.split as string, checkpoint: o.checkpoint as string | undefined, outDir: o.outDir as string | undefined,
          device: o.device as string, fuse: Boolean(o.fuse), ...settings, onCase: report,
        });
        process.stdout.write(`${r.ids.length} predictions in ${r.outDir}\n`);
        return;
      }
      const run = o.runDir ? readRunConfig(o.runDir as string) : undefined;
      const dataset = (o.dataset as DatasetName | undefined) ?? run?.dataset;
      if (!dataset) throw new Error('test-model: give --run-dir or --dataset');
      const info = datasetInfo(dataset);
      const patch = (o.patch as [number, number, number] | undefined) ?? run?.patch ?? [64, 128, 128];
      const nFilters = (o.filters as number | undefined) ?? run?.nFilters ?? 32;
      const dataDir = (o.dataDir as string | undefined) ?? run?.dataDir ?? datasetPaths(dataset).preprocessed;
      const splitsDir = (o.splitsDir as string | undefined) ?? run?.splitsDir ?? join('splits', dataset);
      const checkpoint = (o.checkpoint as string | undefined) ?? (o.runDir ? join(o.runDir as string, 'best_model.pth') : undefined);
      if (!checkpoint) throw new Error('test-model: give --checkpoint or --run-dir');
      const outDir = (o.outDir as string | undefined) ?? (o.runDir ? join(o.runDir as string, 'predictions') : 'predictions');
      const model = new VNetDecoupleAttentionABC({ nClasses: info.numClasses, nFilters, numHeads: run?.numHeads ?? 2, hasDropout: false, patchSize: patch });
      loadCheckpoint(model, checkpoint);
      model.to(o.device as string).eval();
      if (o.fuse) fuseConvBatchNorm(model);
      const ids = readSplitFile(join(splitsDir, `${o.split as string}.txt`));
      mkdirSync(outDir, { recursive: true });
      predictDataset({
        model, dataDir, ids, outDir, patch, numClasses: info.numClasses, device: o.device as string, ...settings,
        onCase: (id, r) => report(id, r.seconds, r.output),
      });
      model.dispose();
      process.stdout.write(`${ids.length} predictions in ${outDir}\n`);
    });

  program.command('evaluate')
    .description('Dice, ASD (directed, as the reference), ASSD and HD95 per case and class over one or more folds; CSV, JSON and an HTML report')
    .option('--run-dir <dir>', 'a training run: evaluates <run-dir>/predictions, writes report.html (curves, slice overlays) and evaluation/ there')
    .option('--pred-dirs <dirs>', 'comma-separated prediction folders, one per fold (instead of --run-dir)')
    .option('--dataset <name>', 'synapse | amos | synthetic', choice('--dataset', ['synapse', 'amos', 'synthetic'] as const), 'synapse')
    .option('--label-dir <dir>', 'labels (default: data/<dataset>/preprocessed)')
    .option('--splits-dir <dir>', 'split files folder (default: splits/<dataset>)')
    .option('--split <name>', 'which split', 'test')
    .option('--spacing <ZxYxX|header>', 'voxel spacing for distances (default: voxel units, as the reference)')
    .option('--run-log <file>', 'training log (log.jsonl) for the report\'s curves')
    .option('--overlay-slices <n>', 'axial slices per case in the report (with --run-dir)', int('--overlay-slices'), 3)
    .option('--out-dir <dir>', 'where tables and report.html go (default: the run folder with --run-dir, else evaluation)')
    .action((o: Record<string, unknown>) => {
      if (o.runDir && !o.predDirs) {
        const r = evaluateRun({ runDir: o.runDir as string, split: o.split as string, outDir: o.outDir as string | undefined, overlaySlices: o.overlaySlices as number });
        process.stdout.write(`report: ${r.report}\n`);
        return;
      }
      if (!o.predDirs) throw new Error('evaluate: give --run-dir or --pred-dirs');
      const dataset = o.dataset as DatasetName;
      const labelDir = (o.labelDir as string | undefined) ?? datasetPaths(dataset).preprocessed;
      const splitsDir = (o.splitsDir as string | undefined) ?? (dataset === 'synthetic' ? join(datasetPaths(dataset).raw, 'splits') : join('splits', dataset));
      const ids = readSplitFile(join(splitsDir, `${o.split as string}.txt`));
      const spacing = o.spacing === undefined ? undefined : o.spacing === 'header' ? 'header' as const : shape3('--spacing')(o.spacing as string);
      const outDir = (o.outDir as string | undefined) ?? 'evaluation';
      const predDirs = (o.predDirs as string).split(',');
      const evaluation = evaluateFolds({ predDirs, labelDir, ids, dataset, spacing, outDir });
      const overlays = predDirs.length === 1 ? overlayCases(labelDir, predDirs[0]!, ids, o.overlaySlices as number) : [];
      const html = writeReport({ outDir, evaluation, runLog: o.runLog as string | undefined, overlays });
      process.stdout.write(`report: ${html}\n`);
    });
}
