// DataLoader workers load a dataset module written in TypeScript, as a TS user runs it with tsx: in a folder
// without package.json (a CommonJS-scoped .ts), as .mts, and from the compiled worker (plain Node, no tsx hooks).
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as data from '../lib/data/index.js';
import * as torch from '../lib/torch/index.js';

const repo = join(import.meta.dirname, '..');

// Type annotations, an interface, a class with a private field and an enum: none of it is valid JavaScript.
// The ES module variant also reports getWorkerInfo(), which must be the worker's own (one module instance).
const dataset = (esm: boolean): string => `
${esm ? `import { getWorkerInfo } from ${JSON.stringify(pathToFileURL(join(repo, 'lib/data/worker-safe.ts')).href)};` : 'const getWorkerInfo = () => null;'}
interface Item { x: Float32Array; y: number; label: string; w: number }
enum Scale { Half = 0.5, Twice = 2 }
class Squares {
  readonly length: number;
  private readonly scale: Scale;
  constructor(n: number, scale: Scale = Scale.Twice) { this.length = n; this.scale = scale; }
  getItem(i: number): Item {
    return { x: Float32Array.of(i, i * i * this.scale, Math.sqrt(i)), y: i % 3, label: \`item-\${i}\`, w: getWorkerInfo()?.id ?? -1 };
  }
}
export function makeSquares(n: number): Squares { return new Squares(n); }
`;

function datasetDir(fileName: string, withTsx: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'ts-dataset-'));
  writeFileSync(join(dir, fileName), dataset(fileName.endsWith('.mts')));
  if (withTsx) {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(join(repo, 'node_modules/tsx'), join(dir, 'node_modules/tsx'), 'dir');
  }
  return join(dir, fileName);
}

type Item = { x: Float32Array; y: number; label: string; w: number };
interface Flat {
  x: number[][];
  y: number[];
  label: string[];
}

/** One epoch's batches, and the worker ids that produced the items. */
async function epoch(loader: data.DataLoader<Item>): Promise<{ batches: Flat[]; workers: Set<number> }> {
  const batches: Flat[] = [],
    workers = new Set<number>();
  for await (const b of loader) {
    batches.push({ x: b.x.toArray() as number[][], y: b.y.toArray() as number[], label: b.label });
    for (const w of b.w.toArray() as number[]) workers.add(w);
    torch.dispose([b.x, b.y, b.w]);
  }
  return { batches, workers };
}

describe('DataLoader workers with a TypeScript dataset module', () => {
  for (const fileName of ['dataset.ts', 'dataset.mts']) {
    it(`${fileName} in a folder without package.json: numWorkers 2 gives the batches of numWorkers 0`, async () => {
      const module = datasetDir(fileName, false);
      const { makeSquares } = (await import(pathToFileURL(module).href)) as {
        makeSquares(n: number): data.Dataset<Item>;
      };
      const common = { batchSize: 4, shuffle: true, generator: 5 } as const;
      const local = await epoch(new data.DataLoader(makeSquares(23), common));
      const threaded = new data.DataLoader(makeSquares(23), {
        ...common,
        numWorkers: 2,
        workerDataset: { module, export: 'makeSquares', args: [23] },
      });
      const got = await epoch(threaded);
      await threaded.close();
      expect(local.batches).toHaveLength(6);
      expect(got.batches).toEqual(local.batches);
      expect(local.batches.flatMap((b) => b.label).sort()).toEqual(
        Array.from({ length: 23 }, (_, i) => `item-${i}`).sort(),
      );
      expect(local.workers).toEqual(new Set([-1]));
      if (fileName.endsWith('.mts')) expect(got.workers).toEqual(new Set([0, 1]));
    }, 60_000);
  }
});

/** The worker as `npm run build` compiles it (TS -> JS next to its imports), started by plain Node. */
function compiledWorker(): string {
  const dir = mkdtempSync(join(tmpdir(), 'compiled-worker-'));
  for (const name of ['worker', 'worker-info', 'ts-module', 'worker-serve']) {
    const src = readFileSync(join(repo, `lib/data/${name}.ts`), 'utf8');
    const js = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      fileName: `${name}.ts`,
    }).outputText;
    writeFileSync(join(dir, `${name}.js`), js);
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  return join(dir, 'worker.js');
}

function askWorker(entry: string, module: string, indices: number[]): Promise<{ result?: unknown[]; error?: string }> {
  const w = new Worker(entry, {
    workerData: {
      module: pathToFileURL(module).href,
      export: 'makeSquares',
      args: [10],
      id: 0,
      numWorkers: 1,
      seed: 1,
    },
  });
  return new Promise<{ result?: unknown[]; error?: string }>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
    w.postMessage({ id: 0, request: indices });
  }).finally(() => w.terminate());
}

describe("the compiled worker (no tsx hooks in the thread) loads a .ts dataset with the project's tsx", () => {
  const entry = compiledWorker();
  it("answers items equal to the module's own getItem", async () => {
    const module = datasetDir('dataset.ts', true);
    const { makeSquares } = (await import(pathToFileURL(module).href)) as {
      makeSquares(n: number): data.Dataset<unknown>;
    };
    const reply = await askWorker(entry, module, [0, 3, 9]);
    expect(reply.error).toBeUndefined();
    expect(reply.result).toEqual([0, 3, 9].map((i) => makeSquares(10).getItem(i)));
  }, 60_000);
  it('names the module and tsx when tsx cannot be found', async () => {
    const module = datasetDir('dataset.ts', false);
    const reply = await askWorker(entry, module, [1]);
    expect(reply.error).toMatch(
      /dataset\.ts is a TypeScript module; a DataLoader worker loads it with tsx, which is not installed/,
    );
  }, 60_000);
});
