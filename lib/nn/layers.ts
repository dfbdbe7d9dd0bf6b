// The layers, kept importable from here; each lives in lib/nn/modules/<concept>.ts.
export * from './modules/index.js';
