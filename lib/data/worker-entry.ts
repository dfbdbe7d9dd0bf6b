/**
 * How to start a worker thread from a module of this package, whether the package runs compiled (dist/*.js) or
 * from its TypeScript sources (under tsx or vitest). A worker thread does not inherit the loader hooks tsx
 * installed in the main thread, so running from sources the worker starts with a small bootstrap that registers
 * tsx's ESM hooks and then imports the `.ts` module.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** What `new Worker` is given: the module's URL, or (running from sources) bootstrap code to evaluate. */
export interface WorkerEntry {
  /** The worker module that runs (a `.js` file, or the `.ts` file the bootstrap imports). */
  url: URL;
  /** Bootstrap code for `new Worker(code, { eval: true })`; undefined when `url` can be started as it is. */
  eval?: string;
}

/**
 * The entry of a worker module. `module` is the module's URL with a `.js` extension, resolved against the
 * caller's `import.meta.url` (e.g. `new URL('./worker.js', import.meta.url)`): that file when it exists (the
 * compiled package), otherwise its `.ts` sibling imported through tsx's ESM hooks.
 *
 * @throws when neither the `.js` file exists nor tsx is installed to run the `.ts` file.
 */
export function workerEntry(module: URL): WorkerEntry {
  if (!module.pathname.endsWith('.js'))
    throw new Error(`workerEntry: expected the URL of a .js module, got ${module.href}`);
  if (existsSync(fileURLToPath(module))) return { url: module };
  const ts = new URL(module.href.replace(/\.js$/, '.ts'));
  let api: string;
  try {
    const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
    api = pathToFileURL(join(dirname(pkg), 'dist', 'esm', 'api', 'index.mjs')).href;
  } catch {
    throw new Error(
      `worker: ${fileURLToPath(module)} is missing and tsx is not installed to run ` +
        `${fileURLToPath(ts)}; build the package (npm run build) or load in the calling thread`,
    );
  }
  const code =
    `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); })` +
    '.catch((e) => { throw e; });';
  return { url: ts, eval: code };
}

/** Starts a worker thread on `module` (see workerEntry) with the given options (workerData, resourceLimits...). */
export function startWorker(module: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const entry = workerEntry(module);
  return new Worker(entry.eval ?? entry.url, { ...options, eval: entry.eval !== undefined });
}
