// SKCDF's training data: preprocessed cases (CT clip and min-max scaling), the reference's random crop and flips,
// epoch plans of labeled + unlabeled batches, the batch loader with worker threads, and split files.
export * from './dataset.js';
export * from './loader.js';
export * from './splits.js';
