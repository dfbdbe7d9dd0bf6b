// Loads the compiled addon (built by cmake-js or node-gyp into build/Release) via node-gyp-build.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeStats {
  liveTensors: number;
  cpuBytes: number;
  deviceBytes: number;
}
export interface CudaMemory {
  allocated: number;
  reserved: number;
  peakAllocated: number;
  peakReserved: number;
}
export interface NativeSchemaArg {
  name: string;
  type: string;
  kwargOnly: boolean;
  hasDefault: boolean;
  default: unknown;
  mutates: boolean;
  N?: number;
}
export interface NativeSchema {
  name: string;
  overload: string;
  schema: string;
  args: NativeSchemaArg[];
  returns: { type: string; name: string; writesAlias: boolean }[];
}

/** torch.distributed's native side (native/distributed.cc, native/reducer.cc); ids are integers into native tables. */
export interface NativeDistributed {
  distAvailable(): { gloo: boolean; nccl: boolean; reason: string | null };
  distStoreCreate(
    host: string,
    port: number,
    isServer: boolean,
    worldSize: number,
    timeoutMs: number,
  ): { id: number; port: number };
  distStoreSet(store: number, key: string, value: string): void;
  distStoreGet(store: number, key: string): string;
  distStoreAdd(store: number, key: string, amount: number): number;
  distStoreDestroy(store: number): void;
  distGroupCreate(
    store: number,
    backend: string,
    rank: number,
    worldSize: number,
    timeoutMs: number,
    groupName: string,
  ): number;
  distGroupDestroy(group: number): void;
  distAllReduce(group: number, tensors: number[], op: number, async: boolean): Promise<void> | undefined;
  distBroadcast(group: number, tensor: number, src: number, async: boolean): Promise<void> | undefined;
  distAllGather(group: number, outputs: number[], input: number, async: boolean): Promise<void> | undefined;
  distReduceScatter(
    group: number,
    output: number,
    inputs: number[],
    op: number,
    async: boolean,
  ): Promise<void> | undefined;
  distGather(group: number, outputs: number[], input: number, dst: number, async: boolean): Promise<void> | undefined;
  distScatter(group: number, output: number, inputs: number[], src: number, async: boolean): Promise<void> | undefined;
  distBarrier(group: number, async: boolean): Promise<void> | undefined;
  ddpReducerCreate(
    group: number,
    params: number[],
    names: string[],
    bucketCapBytes: number,
    firstBucketBytes: number,
    findUnusedParameters: boolean,
  ): { id: number; buckets: number[][] };
  ddpReducerPrepareForward(reducer: number): void;
  ddpReducerPrepareBackward(reducer: number, outputs: number[], newIteration: boolean): void;
  ddpReducerSetStaticGraph(reducer: number): void;
  ddpReducerDestroy(reducer: number): void;
}

/** The addon's functions; tensors cross the boundary as integer handles. */
export interface NativeAddon extends NativeDistributed {
  fromBuffer(
    data: ArrayBufferView | ArrayBuffer,
    dtype: number,
    shape: number[],
    device?: string,
    requiresGrad?: boolean,
  ): number;
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
  backward(
    tensors: number[],
    grads: (number | null)[] | null,
    retainGraph: boolean | undefined,
    createGraph: boolean,
    inputs: number[] | null,
  ): void;
  autogradGrad(
    outputs: number[],
    inputs: number[],
    gradOutputs: (number | null)[] | null,
    retainGraph: boolean | undefined,
    createGraph: boolean,
    allowUnused: boolean,
  ): (number | null)[];
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
