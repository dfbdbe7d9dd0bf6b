// Where each dataset lives on disk, and making the built-in synthetic one on demand.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { datasetInfo, type DatasetName } from './classes.js';
import { generateSyntheticDataset } from './synthetic.js';
import { preprocessDataset } from './preprocess.js';
import { SYNTHETIC_DATA, type SyntheticDataConfig } from './training/config.js';

export interface DatasetPaths { root: string; raw: string; preprocessed: string }

export function datasetPaths(dataset: DatasetName, dataRoot = 'data'): DatasetPaths {
  const root = join(dataRoot, dataset);
  return { root, raw: join(root, 'raw'), preprocessed: join(root, 'preprocessed') };
}

/** Generates (when its splits are missing) and preprocesses a synthetic dataset into `paths`. */
export function makeSyntheticDataset(paths: DatasetPaths, d: SyntheticDataConfig, log: (m: string) => void = () => {}): void {
  if (!existsSync(join(paths.raw, 'splits', 'eval.txt'))) {
    log(`generating the synthetic abdomen dataset (${d.cases} cases, ${d.shape.join('x')}, seed ${d.seed}) in ${paths.raw}`);
    generateSyntheticDataset({
      outDir: paths.raw, cases: d.cases, shape: [...d.shape], fovMm: [...d.fovMm], centerMm: [...d.centerMm], seed: d.seed,
      labeledFractions: [d.labeledFraction],
    });
  }
  preprocessDataset({ dataset: 'synthetic', rawDir: paths.raw, outDir: paths.preprocessed, size: d.shape, quiet: true });
}

const hasCases = (dir: string): boolean => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('_image.npy'));


/**
 * Makes sure preprocessed data exists. The synthetic dataset is generated and preprocessed on demand;
 * for Synapse and AMOS a missing folder is an error saying where the data goes and how to preprocess it.
 */
export function ensureDataset(dataset: DatasetName, paths: DatasetPaths, log: (m: string) => void = () => {}): void {
  if (hasCases(paths.preprocessed)) return;
  if (dataset === 'synthetic') {
    makeSyntheticDataset(paths, SYNTHETIC_DATA, log);
    return;
  }
  const info = datasetInfo(dataset);
  throw new Error(
    `no preprocessed ${dataset} data in ${paths.preprocessed}. Put the raw dataset in ${paths.raw} ` +
      `(${info.rawGlobs.join(', ')}) and run \`npm run preprocess -- --dataset ${dataset}\`, ` +
      `or point --data-dir at a folder of <id>_image.npy/<id>_label.npy files.`,
  );
}
