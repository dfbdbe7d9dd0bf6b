// The ablation experiment (`npm run experiment`): rows, runner, run folders, tables and figure.
export * from './rows.js';
export * from './run-folder.js';
export * from './results.js';
export * from './tables.js';
export * from './figure.js';
export * from './runner.js';
