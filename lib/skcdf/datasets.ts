// Where each dataset lives on disk, and making the built-in synthetic one on demand.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { datasetInfo, type DatasetName } from './classes.js';
import { generateSyntheticDataset } from './synthetic.js';
import { preprocessDataset } from './preprocess.js';

export interface DatasetPaths { root: string; raw: string; preprocessed: string }

export function datasetPaths(dataset: DatasetName, dataRoot = 'data'): DatasetPaths {
  const root = join(dataRoot, dataset);
  return { root, raw: join(root, 'raw'), preprocessed: join(root, 'preprocessed') };
}

const hasCases = (dir: string): boolean => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('_image.npy'));

/** Options of the built-in synthetic dataset (small enough to train on a CPU in minutes). */
export const SYNTHETIC_DEFAULTS = { cases: 20, shape: [64, 128, 128] as [number, number, number], seed: 0 };

/**
 * Makes sure preprocessed data exists. The synthetic dataset is generated and preprocessed on demand;
 * for Synapse and AMOS a missing folder is an error saying where the data goes and how to preprocess it.
 */
export function ensureDataset(dataset: DatasetName, paths: DatasetPaths, log: (m: string) => void = () => {}): void {
  if (hasCases(paths.preprocessed)) return;
  if (dataset === 'synthetic') {
    if (!existsSync(join(paths.raw, 'splits', 'eval.txt'))) {
      log(`generating the synthetic abdomen dataset (${SYNTHETIC_DEFAULTS.cases} cases, ${SYNTHETIC_DEFAULTS.shape.join('x')}) in ${paths.raw}`);
      generateSyntheticDataset({ outDir: paths.raw, ...SYNTHETIC_DEFAULTS });
    }
    preprocessDataset({ dataset, rawDir: paths.raw, outDir: paths.preprocessed, size: SYNTHETIC_DEFAULTS.shape, quiet: true });
    return;
  }
  const info = datasetInfo(dataset);
  throw new Error(
    `no preprocessed ${dataset} data in ${paths.preprocessed}. Put the raw dataset in ${paths.raw} ` +
      `(${info.rawGlobs.join(', ')}) and run \`npm run preprocess -- --dataset ${dataset}\`, ` +
      `or point --data-dir at a folder of <id>_image.npy/<id>_label.npy files.`,
  );
}
