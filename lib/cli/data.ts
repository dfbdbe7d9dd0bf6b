// preprocess, synthetic and splits: thin commands over preprocessDatasetParallel, generateSyntheticDataset and
// makeSplits.
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { Shape3 } from '../data/resize.js';
import { DATASET_NAMES, type DatasetName } from '../skcdf/classes.js';
import { makeSplits } from '../skcdf/data/splits.js';
import { datasetPaths } from '../skcdf/datasets.js';
import { PREPROCESSED_SIZE } from '../skcdf/preprocess.js';
import { preprocessDatasetParallel } from '../skcdf/preprocess-pool.js';
import { generateSyntheticDataset } from '../skcdf/synthetic.js';
import { SYNTHETIC_DATA } from '../skcdf/training/config.js';
import { choice, int, num, shape3 } from './options.js';

/** The preprocess command's options as commander parses them. */
export interface PreprocessCliOptions {
  dataset: DatasetName;
  rawDir?: string;
  outDir?: string;
  size: Shape3;
  workers: number;
}

/** Registers `preprocess`: raw NIfTI -> resized .npy pairs. */
export function preprocessCommand(program: Command): void {
  program
    .command('preprocess')
    .description('resize raw NIfTI volumes to <id>_image.npy (float32) and <id>_label.npy (int8); resumable')
    .option('--dataset <name>', DATASET_NAMES.join(' | '), choice('--dataset', DATASET_NAMES), 'synapse')
    .option('--raw-dir <dir>', 'raw dataset root (default: data/<dataset>/raw)')
    .option('--out-dir <dir>', 'output folder (default: data/<dataset>/preprocessed)')
    .option('--size <DxHxW>', 'output size', shape3('--size'), [...PREPROCESSED_SIZE])
    .option('--workers <n>', 'worker threads over cases (1: in this thread)', int('--workers'), availableParallelism())
    .action(async (o: PreprocessCliOptions) => {
      const paths = datasetPaths(o.dataset);
      // Prints its progress and summary itself.
      await preprocessDatasetParallel({
        dataset: o.dataset,
        rawDir: o.rawDir ?? paths.raw,
        outDir: o.outDir ?? paths.preprocessed,
        size: o.size,
        workers: o.workers,
      });
    });
}

/** The synthetic command's options as commander parses them. */
export interface SyntheticCliOptions {
  outDir: string;
  cases: number;
  shape: Shape3;
  seed: number;
}

/** Registers `synthetic`: the synthetic abdomen dataset in Synapse's raw layout. */
export function syntheticCommand(program: Command): void {
  program
    .command('synthetic')
    .description('generate the synthetic abdomen dataset in the Synapse raw layout (with splits)')
    .option('--out-dir <dir>', 'output folder', datasetPaths('synthetic').raw)
    .option('--cases <n>', 'number of cases', int('--cases'), SYNTHETIC_DATA.cases)
    .option('--shape <ZxYxX>', 'volume shape', shape3('--shape'), [...SYNTHETIC_DATA.shape])
    .option('--seed <n>', 'seed', int('--seed'), 0)
    .action((o: SyntheticCliOptions) => {
      const r = generateSyntheticDataset({
        outDir: o.outDir,
        cases: o.cases,
        shape: o.shape,
        seed: o.seed,
        fovMm: [...SYNTHETIC_DATA.fovMm],
        centerMm: [...SYNTHETIC_DATA.centerMm],
        labeledFractions: [SYNTHETIC_DATA.labeledFraction],
      });
      const splits = Object.entries(r.splits)
        .map(([k, v]) => `${k} ${v.length}`)
        .join(', ');
      process.stdout.write(`${r.ids.length} cases in ${o.outDir}; splits: ${splits}\n`);
    });
}

/** The splits command's options as commander parses them. */
export interface SplitsCliOptions {
  dataDir: string;
  outDir: string;
  seed: number;
  train: number;
  eval: number;
  /** Comma-separated labeled fractions of the train split. */
  labeled: string;
}

/** The case ids of a folder of preprocessed `<id>_image.npy` files, sorted. */
export function preprocessedIds(dataDir: string): string[] {
  return readdirSync(dataDir)
    .filter((f) => f.endsWith('_image.npy'))
    .map((f) => f.slice(0, -'_image.npy'.length))
    .sort();
}

/** Registers `splits`: seeded train/eval/test and labeled/unlabeled splits of a new dataset. */
export function splitsCommand(program: Command): void {
  program
    .command('splits')
    .description('make train/eval/test and labeled/unlabeled splits for a new dataset from its preprocessed cases')
    .requiredOption('--data-dir <dir>', 'folder of <id>_image.npy files')
    .requiredOption('--out-dir <dir>', 'where to write the split files')
    .option('--seed <n>', 'seed', int('--seed'), 0)
    .option('--train <f>', 'train fraction', num('--train'), 0.7)
    .option('--eval <f>', 'eval fraction', num('--eval'), 0.1)
    .option('--labeled <fractions>', 'labeled fractions of train, comma separated', '0.1,0.2')
    .action((o: SplitsCliOptions) => {
      const splits = makeSplits({
        ids: preprocessedIds(o.dataDir),
        seed: o.seed,
        trainFraction: o.train,
        evalFraction: o.eval,
        labeledFractions: o.labeled.split(',').map(Number),
        outDir: o.outDir,
      });
      process.stdout.write(
        `${Object.entries(splits)
          .map(([k, v]) => `${k}: ${v.length}`)
          .join(', ')}\n`,
      );
    });
}
