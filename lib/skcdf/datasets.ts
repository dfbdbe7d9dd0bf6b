// Where each dataset lives on disk, and making the built-in synthetic one on demand.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetInfo, type DatasetName } from './classes.js';
import { generateSyntheticDataset, syntheticSplits } from './synthetic.js';
import { writeSplits } from './data/splits.js';
import { preprocessDataset } from './preprocess.js';
import { labeledSplitNames, SYNTHETIC_DATA, type SyntheticDataConfig } from './training/config.js';

/** A dataset's folders: its root, `raw/` and `preprocessed/`. */
export interface DatasetPaths {
  root: string;
  raw: string;
  preprocessed: string;
}

/** The folders of a dataset under `dataRoot` (default `data`): `<root>/<dataset>/{raw,preprocessed}`. */
export function datasetPaths(dataset: DatasetName, dataRoot = 'data'): DatasetPaths {
  const root = join(dataRoot, dataset);
  return { root, raw: join(root, 'raw'), preprocessed: join(root, 'preprocessed') };
}

/** Generates (when its splits are missing) and preprocesses a synthetic dataset into `paths`. */
export function makeSyntheticDataset(
  paths: DatasetPaths,
  d: SyntheticDataConfig,
  log: (m: string) => void = () => {},
): void {
  if (!existsSync(join(paths.raw, 'splits', 'eval.txt'))) {
    log(
      `generating the synthetic abdomen dataset (${d.cases} cases, ${d.shape.join('x')}, seed ${d.seed}) in ` +
      `${paths.raw}`,
    );
    generateSyntheticDataset({
      outDir: paths.raw,
      cases: d.cases,
      shape: [...d.shape],
      fovMm: [...d.fovMm],
      centerMm: [...d.centerMm],
      seed: d.seed,
      labeledFractions: [d.labeledFraction],
    });
  }
  ensureSyntheticSplits(paths, d);
  preprocessDataset({
    dataset: 'synthetic',
    rawDir: paths.raw,
    outDir: paths.preprocessed,
    size: d.shape,
    quiet: true,
  });
}

/**
 * Writes the labeled/unlabeled split files of `d.labeledFraction` when they are missing (a set generated with
 * another labeled fraction): the same deterministic split rule as generation, so train/eval/test stay unchanged.
 */
function ensureSyntheticSplits(paths: DatasetPaths, d: SyntheticDataConfig): void {
  const dir = join(paths.raw, 'splits');
  if (existsSync(join(dir, `${labeledSplitNames(d.labeledFraction).labeled}.txt`))) return;
  const ids = readdirSync(join(paths.raw, 'imagesTr'))
    .map((f) => datasetInfo('synthetic').caseIdFromImage(f))
    .filter((id): id is string => id !== undefined)
    .sort();
  const splits = syntheticSplits(ids, d.seed, [d.labeledFraction]);
  for (const name of ['train', 'eval', 'test']) {
    const have = readFileSync(join(dir, `${name}.txt`), 'utf8')
      .split(/\r?\n/)
      .filter(Boolean);
    if (have.join() !== splits[name]!.join())
      throw new Error(`${join(dir, name + '.txt')} differs from the generator's split; regenerate ${paths.raw}`);
  }
  writeSplits(dir, splits);
}

const hasCases = (dir: string): boolean => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('_image.npy'));

/**
 * Makes sure preprocessed data exists. The synthetic dataset is generated and preprocessed on demand;
 * for Synapse and AMOS a missing folder is an error saying where the data goes and how to preprocess it.
 */
export function ensureDataset(dataset: DatasetName, paths: DatasetPaths, log: (m: string) => void = () => {}): void {
  if (hasCases(paths.preprocessed)) {
    if (dataset === 'synthetic' && existsSync(join(paths.raw, 'splits', 'eval.txt')))
      ensureSyntheticSplits(paths, SYNTHETIC_DATA);
    return;
  }
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
