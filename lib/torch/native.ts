// Loads the compiled addon (built by cmake-js or node-gyp into build/Release) via node-gyp-build.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeStats { liveTensors: number; cpuBytes: number; deviceBytes: number }
export interface CudaMemory { allocated: number; reserved: number; peakAllocated: number; peakReserved: number }
export interface NativeSchemaArg { name: string; type: string; kwargOnly: boolean; hasDefault: boolean; default: unknown; mutates: boolean; N?: number }
export interface NativeSchema { name: string; overload: string; schema: string; args: NativeSchemaArg[]; returns: { type: string; name: string; writesAlias: boolean }[] }

/** The addon's functions; tensors cross the boundary as integer handles. */
export interface NativeAddon {
  fromBuffer(data: ArrayBufferView | ArrayBuffer, dtype: number, shape: number[], device?: string, requiresGrad?: boolean): number;
  fromBufferShared(data: ArrayBufferView | ArrayBuffer, dtype: number, shape: number[], requiresGrad?: boolean): number;
  toBuffer(h: number): ArrayBuffer;
  storageBuffer(h: number): ArrayBuffer;
  storageKey(h: number): string;
  meta(h: number): [number, string, number[], number[], number, boolean, boolean];
  shape(h: number): number[];
  dtype(h: number): number;
  device(h: number): string;
  numel(h: number): number;
  item(h: number): number | boolean;
  dispose(h: number): void;
  share(h: number): number;
  stats(): NativeStats;
  format(h: number): string;
  findOp(name: string, overload: string): number;
  call(op: number, ...args: unknown[]): unknown;
  schemas(): NativeSchema[];
  backward(tensors: number[], grads: (number | null)[] | null, retainGraph: boolean | undefined, createGraph: boolean, inputs: number[] | null): void;
  autogradGrad(outputs: number[], inputs: number[], gradOutputs: (number | null)[] | null, retainGraph: boolean | undefined, createGraph: boolean, allowUnused: boolean): (number | null)[];
  getGrad(h: number): number | null;
  setGrad(h: number, g: number | null): void;
  setRequiresGrad(h: number, value: boolean): void;
  retainGrad(h: number): void;
  gradFn(h: number): string | null;
  isGradEnabled(): boolean;
  setGradEnabled(value: boolean): void;
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  cudaSynchronize(index?: number): void;
  cudaEmptyCache(): void;
  cudaMemory(index?: number): CudaMemory | null;
  cudaCompiled(): boolean;
  manualSeed(seed: number | bigint): void;
  getNumThreads(): number;
  setNumThreads(n: number): void;
  version(): string;
}

const require = createRequire(import.meta.url);
// lib/torch/native.ts and dist/torch/native.js both sit two folders below the package root.
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

function load(): NativeAddon {
  try {
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => NativeAddon;
    return nodeGypBuild(packageRoot);
  } catch (err) {
    throw new Error(
      `skcdf: cannot load the native addon from ${packageRoot}/build (${(err as Error).message}). ` +
        'Run `npm run build:native` (it resolves libtorch and builds with cmake-js).',
    );
  }
}

export const native: NativeAddon = load();
