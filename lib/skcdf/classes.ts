/** Dataset descriptors: classes, raw layouts, case ids and default learning rates. */

export type DatasetName = 'synapse' | 'amos' | 'synthetic';

/** One pair of raw folders of a dataset: images and their labels. */
export interface RawPair {
  /** Folder (relative to the raw root) holding images, e.g. 'imagesTr'. */
  imagesDir: string;
  /** Folder (relative to the raw root) holding the matching labels, e.g. 'labelsTr'. */
  labelsDir: string;
}

/** What the code needs to know about a dataset: classes, raw layout, case ids and the default learning rate. */
export interface DatasetInfo {
  name: DatasetName;
  /** Number of classes including background (index 0). */
  numClasses: number;
  /** classNames[c] for c in [0, numClasses); classNames[0] = 'background'. */
  classNames: readonly string[];
  /** Reference base learning rate. */
  defaultLr: number;
  /** Image/label folder pairs searched under the raw root. */
  rawPairs: readonly RawPair[];
  /** Image file pattern (documentation; glob style), e.g. 'imagesTr/img*.nii.gz'. */
  rawGlobs: readonly string[];
  /** Case id from an image file name, or undefined when the file is not an image of this dataset. */
  caseIdFromImage(fileName: string): string | undefined;
  /** Label file name for a case id. */
  labelFileName(id: string): string;
  /** Image file name for a case id. */
  imageFileName(id: string): string;
}

const SYNAPSE_CLASSES = [
  'background',
  'spleen',
  'right kidney',
  'left kidney',
  'gallbladder',
  'esophagus',
  'liver',
  'stomach',
  'aorta',
  'inferior vena cava',
  'portal and splenic veins',
  'pancreas',
  'right adrenal gland',
  'left adrenal gland',
] as const;

const AMOS_CLASSES = [
  'background',
  'spleen',
  'right kidney',
  'left kidney',
  'gallbladder',
  'esophagus',
  'liver',
  'stomach',
  'aorta',
  'postcava (IVC)',
  'pancreas',
  'right adrenal gland',
  'left adrenal gland',
  'duodenum',
  'bladder',
  'prostate/uterus',
] as const;

const synapseLayout = {
  rawPairs: [{ imagesDir: 'imagesTr', labelsDir: 'labelsTr' }],
  rawGlobs: ['imagesTr/img*.nii.gz', 'labelsTr/label*.nii.gz'],
  caseIdFromImage: (f: string) => /^img(\d+)\.nii(\.gz)?$/.exec(f)?.[1],
  labelFileName: (id: string) => `label${id}.nii.gz`,
  imageFileName: (id: string) => `img${id}.nii.gz`,
};

/**
 * The known datasets: Synapse (14 classes), AMOS (16), and the built-in synthetic set (Synapse's classes and layout).
 */
export const DATASETS: Readonly<Record<DatasetName, DatasetInfo>> = {
  synapse: { name: 'synapse', numClasses: 14, classNames: SYNAPSE_CLASSES, defaultLr: 0.3, ...synapseLayout },
  amos: {
    name: 'amos',
    numClasses: 16,
    classNames: AMOS_CLASSES,
    defaultLr: 0.1,
    rawPairs: [
      { imagesDir: 'imagesTr', labelsDir: 'labelsTr' },
      { imagesDir: 'imagesVa', labelsDir: 'labelsVa' },
    ],
    rawGlobs: ['imagesTr/amos_*.nii.gz', 'imagesVa/amos_*.nii.gz', 'labelsTr/amos_*.nii.gz', 'labelsVa/amos_*.nii.gz'],
    caseIdFromImage: (f: string) => /^(amos_\d+)\.nii(\.gz)?$/.exec(f)?.[1],
    labelFileName: (id: string) => `${id}.nii.gz`,
    imageFileName: (id: string) => `${id}.nii.gz`,
  },
  // Synthetic data uses Synapse's classes and raw layout. lr 0.1: at Synapse's 0.3 its short (451-iteration) run
  // collapsed late on some seeds, with the official trainer as with ours (see defaultConfig).
  synthetic: { name: 'synthetic', numClasses: 14, classNames: SYNAPSE_CLASSES, defaultLr: 0.1, ...synapseLayout },
};

/** Every dataset name, in the order the command line lists them. */
export const DATASET_NAMES: readonly DatasetName[] = ['synapse', 'amos', 'synthetic'];

/** The dataset's description; an unknown name throws, listing the known ones. */
export function datasetInfo(name: string): DatasetInfo {
  const d = (DATASETS as Record<string, DatasetInfo | undefined>)[name];
  if (!d) throw new Error(`unknown dataset '${name}' (expected one of: ${DATASET_NAMES.join(', ')})`);
  return d;
}

/** 'c (name)' for reports. */
export function className(dataset: DatasetName, c: number): string {
  const n = DATASETS[dataset].classNames[c];
  return n === undefined ? `class ${c}` : `${c} (${n})`;
}
