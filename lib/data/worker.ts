/**
 * DataLoader worker thread: builds the dataset from a module (`workerData.module`, export
 * `workerData.export`, called with `workerData.args`), then answers each request (a list of indices) with the
 * raw items (structured-cloned; collation happens in the main thread, where tensors live).
 * A TypeScript dataset module is loaded with tsx (see ts-module.ts).
 */
import { workerData } from 'node:worker_threads';
import { setWorkerInfo } from './worker-info.js';
import { exportOf, importModule } from './ts-module.js';
import { serveRequests } from './worker-serve.js';
import type { Dataset } from './dataset.js';

interface Init {
  module: string;
  export: string;
  args: unknown[];
  id: number;
  numWorkers: number;
  seed: number;
}
const init = workerData as Init;
setWorkerInfo({ id: init.id, numWorkers: init.numWorkers, seed: init.seed });

const ready: Promise<Dataset<unknown>> = (async () => {
  const mod = await importModule(init.module);
  const make = exportOf(mod, init.export);
  if (typeof make !== 'function')
    throw new Error(`${init.module} has no exported function '${init.export}' to build the dataset`);
  const ds = (await (make as (...a: unknown[]) => unknown)(...init.args)) as Dataset<unknown>;
  if (!ds || typeof ds.getItem !== 'function') {
    throw new Error(
      `${init.module}: ${init.export}(...) did not return a map-style dataset (an object with length and getItem)`,
    );
  }
  return ds;
})();
ready.catch(() => undefined); // reported per request

serveRequests(async (indices: number[]) => {
  const ds = await ready;
  const items: unknown[] = [];
  for (const i of indices) {
    try {
      items.push(await ds.getItem(i));
    } catch (err) {
      const e = err as Error;
      const wrapped = new Error(`getItem(${i}): ${e?.message ?? String(err)}`);
      if (e?.stack) wrapped.stack = e.stack;
      throw wrapped;
    }
  }
  return items;
});
