/**
 * Importing a dataset module written in TypeScript inside a DataLoader worker thread. A worker does not inherit
 * the loader hooks tsx installed in the main thread, so it registers tsx's hooks itself, with the API workerEntry's
 * bootstrap uses for this package's own workers (`register()` from tsx's ESM API), plus tsx's CommonJS hooks for a .ts
 * file in
 * a package without `"type": "module"` (Node loads those as CommonJS, which the ESM hooks alone leave untransformed).
 * Hooks are registered globally, not per import (tsImport), so the module shares this worker's module instances
 * (getWorkerInfo from the package's `data/worker-safe` export sees the worker's id).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TS_MODULE = /\.[cm]?tsx?$/i;
type TsxApi = { register(): unknown };
let registered = false;

/** One of tsx's APIs: from this package's dependencies, else from the project of the module being imported. */
async function tsxApi(which: 'esm/api' | 'cjs/api', moduleFile: string): Promise<TsxApi> {
  try {
    return (await import(`tsx/${which}`)) as TsxApi;
  } catch {
    /* tsx is not installed next to this package; try the dataset module's project */
  }
  try {
    // The ESM entry named by tsx's package.json (a plain require would pick the CommonJS one).
    const pkgPath = createRequire(moduleFile).resolve('tsx/package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as {
      exports: Record<string, { import: { default: string } }>;
    };
    return (await import(
      pathToFileURL(join(dirname(pkgPath), pkg.exports[`./${which}`].import.default)).href
    )) as TsxApi;
  } catch {
    throw new Error(
      `${moduleFile} is a TypeScript module; a DataLoader worker loads it with tsx, which is not installed ` +
        'in this project (npm install --save-dev tsx), or compile the module to JavaScript',
    );
  }
}

/** Imports a module by URL; a TypeScript file (.ts, .mts, .cts, .tsx) first registers tsx's hooks in this thread. */
export async function importModule(url: string): Promise<Record<string, unknown>> {
  if (!registered && url.startsWith('file:') && TS_MODULE.test(new URL(url).pathname)) {
    const file = fileURLToPath(url);
    const [esm, cjs] = [await tsxApi('esm/api', file), await tsxApi('cjs/api', file)];
    esm.register();
    cjs.register();
    registered = true;
  }
  return (await import(url)) as Record<string, unknown>;
}

/** An export of an imported module; a CommonJS-scoped TypeScript module has its exports on `default`. */
export function exportOf(mod: Record<string, unknown>, name: string): unknown {
  if (name in mod) return mod[name];
  const cjs = mod.default;
  return typeof cjs === 'object' && cjs !== null ? (cjs as Record<string, unknown>)[name] : undefined;
}
