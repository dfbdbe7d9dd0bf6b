import type { Command } from 'commander';
import { preprocessDatasetParallel } from '../skcdf/preprocess-pool.js';
import { availableParallelism } from 'node:os';
import { generateSyntheticDataset } from '../skcdf/synthetic.js';
import { makeSplits } from '../skcdf/data/splits.js';
import { readdirSync } from 'node:fs';
import type { DatasetName } from '../skcdf/classes.js';
import { datasetPaths } from '../skcdf/datasets.js';
import { SYNTHETIC_DATA } from '../skcdf/training/config.js';
import { choice, int, num, shape3 } from './options.js';

export function preprocessCommand(program: Command): void {
  program.command('preprocess')
    .description('resize raw NIfTI volumes to <id>_image.npy (float32) and <id>_label.npy (int8); resumable')
    .option('--dataset <name>', 'synapse | amos | synthetic', choice('--dataset', ['synapse', 'amos', 'synthetic'] as const), 'synapse')
    .option('--raw-dir <dir>', 'raw dataset root (default: data/<dataset>/raw)')
    .option('--out-dir <dir>', 'output folder (default: data/<dataset>/preprocessed)')
    .option('--size <DxHxW>', 'output size', shape3('--size'), [80, 160, 160])
    .option('--workers <n>', 'worker threads over cases (1: in this thread)', int('--workers'), availableParallelism())
    .action(async (o: Record<string, unknown>) => {
      const dataset = o.dataset as DatasetName;
      const paths = datasetPaths(dataset);
      // Prints its progress and summary itself.
      await preprocessDatasetParallel({ dataset, rawDir: (o.rawDir as string) ?? paths.raw, outDir: (o.outDir as string) ?? paths.preprocessed,
        size: o.size as [number, number, number], workers: o.workers as number });
    });
}

export function syntheticCommand(program: Command): void {
  program.command('synthetic')
    .description('generate the synthetic abdomen dataset in the Synapse raw layout (with splits)')
    .option('--out-dir <dir>', 'output folder', datasetPaths('synthetic').raw)
    .option('--cases <n>', 'number of cases', int('--cases'), SYNTHETIC_DATA.cases)
    .option('--shape <ZxYxX>', 'volume shape', shape3('--shape'), [...SYNTHETIC_DATA.shape])
    .option('--seed <n>', 'seed', int('--seed'), 0)
    .action((o: Record<string, unknown>) => {
      const r = generateSyntheticDataset({
        outDir: o.outDir as string, cases: o.cases as number, shape: o.shape as [number, number, number], seed: o.seed as number,
        fovMm: [...SYNTHETIC_DATA.fovMm], centerMm: [...SYNTHETIC_DATA.centerMm], labeledFractions: [SYNTHETIC_DATA.labeledFraction],
      });
      process.stdout.write(`${r.ids.length} cases in ${o.outDir as string}; splits: ${Object.entries(r.splits).map(([k, v]) => `${k} ${v.length}`).join(', ')}\n`);
    });
}

export function splitsCommand(program: Command): void {
  program.command('splits')
    .description('make train/eval/test and labeled/unlabeled splits for a new dataset from its preprocessed cases')
    .requiredOption('--data-dir <dir>', 'folder of <id>_image.npy files')
    .requiredOption('--out-dir <dir>', 'where to write the split files')
    .option('--seed <n>', 'seed', int('--seed'), 0)
    .option('--train <f>', 'train fraction', num('--train'), 0.7)
    .option('--eval <f>', 'eval fraction', num('--eval'), 0.1)
    .option('--labeled <fractions>', 'labeled fractions of train, comma separated', '0.1,0.2')
    .action((o: Record<string, unknown>) => {
      const ids = readdirSync(o.dataDir as string).filter((f) => f.endsWith('_image.npy')).map((f) => f.slice(0, -'_image.npy'.length)).sort();
      const splits = makeSplits({ ids, seed: o.seed as number, trainFraction: o.train as number, evalFraction: o.eval as number,
        labeledFractions: (o.labeled as string).split(',').map(Number), outDir: o.outDir as string });
      process.stdout.write(`${Object.entries(splits).map(([k, v]) => `${k}: ${v.length}`).join(', ')}\n`);
    });
}
