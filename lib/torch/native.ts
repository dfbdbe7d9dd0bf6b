// Loads the compiled addon (built by cmake-js or node-gyp into build/Release) via node-gyp-build.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's tensor table figures (see `memory()`, which adds the CUDA allocator's). */
export interface NativeStats {
  /** Tensor handles alive in the native table. */
  liveTensors: number;
  /** Bytes of distinct CPU storages referenced by live handles. */
  cpuBytes: number;
  /** Bytes of distinct non-CPU storages referenced by live handles. */
  deviceBytes: number;
}
/** The CUDA caching allocator's figures for one device, in bytes (see `torch.cuda.memoryStats`). */
export interface CudaMemory {
  /** Bytes held by tensors now (Python's `torch.cuda.memory_allocated`). */
  allocated: number;
  /** Bytes the allocator holds from the driver now, used or cached (`torch.cuda.memory_reserved`). */
  reserved: number;
  /** The highest `allocated` so far (`torch.cuda.max_memory_allocated`). */
  peakAllocated: number;
  /** The highest `reserved` so far (`torch.cuda.max_memory_reserved`). */
  peakReserved: number;
}
/** The caching CPU allocator's figures (see `torch.cpu.memoryStats`). */
export interface CpuAllocatorStats {
  /** Bytes of freed large blocks kept for reuse. */
  cachedBytes: number;
  /** How many blocks `cachedBytes` is made of. */
  cachedBlocks: number;
  /** Bytes of large blocks held by tensors now. */
  liveBytes: number;
  /** The highest `liveBytes + cachedBytes` so far: the most large-block memory held at once. */
  peakBytes: number;
  /** Large allocations served from the cache. */
  hits: number;
  /** Large allocations that mapped new memory (the cache had no block of a fitting size). */
  misses: number;
  /** Cached or freed large blocks returned to the kernel to stay within `limit`. */
  evictions: number;
  /** The most bytes the cache may hold; 0 when caching is off. */
  limit: number;
  /** Blocks from this many bytes on are large (cached); smaller ones go to the C library's heap. */
  threshold: number;
  /** Bytes of freed small blocks (up to 4 KiB each) kept for reuse; at most 8 MiB, or `limit` when that is less. */
  smallCachedBytes: number;
  /** Small allocations (up to 4 KiB) served from the cache. */
  smallHits: number;
  /** Small allocations (up to 4 KiB) that went to the C library's heap. */
  smallMisses: number;
  /** Whether new large blocks are advised for transparent huge pages (`NODE_TORCH_CPU_HUGEPAGES`). */
  hugePages: boolean;
  /** Whether this allocator is libtorch's CPU allocator (false when another library installed its own). */
  installed: boolean;
}
/** One argument of an operator schema as the addon's `schemas()` reports it. */
export interface NativeSchemaArg {
  /** The argument's name in the schema (snake_case). */
  name: string;
  /** Its type as the schema writes it ('Tensor', 'int[]', 'Scalar?', 'SymInt[2]', ...). */
  type: string;
  /** Whether it comes after `*` (keyword-only in Python). */
  kwargOnly: boolean;
  /** Whether the schema gives it a default. */
  hasDefault: boolean;
  /** The default, when there is one. */
  default: unknown;
  /** Whether the op writes to it (`Tensor(a!)`). */
  mutates: boolean;
  /** The fixed length of a sized list (`int[3]` has 3), when it is one. */
  N?: number;
}
/** An operator schema as the addon's `schemas()` reports it (one per overload). */
export interface NativeSchema {
  /** The qualified op name, e.g. 'aten::add'. */
  name: string;
  /** The overload name, e.g. 'Tensor' ('' for the default overload). */
  overload: string;
  /** The schema as text, e.g. 'aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor'. */
  schema: string;
  /** The arguments, in order. */
  args: NativeSchemaArg[];
  /** The returns: type, name (often '') and whether the return aliases a mutated argument. */
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
  /** Releases `h` now (and whatever `disposeQueue` holds). */
  dispose(h: number): void;
  /** Deferred disposal: slot 0 is how many handles follow; the addon releases them at its next entry. */
  disposeQueue: ArrayBuffer;
  /** Releases the handles queued in `disposeQueue` now. */
  drainDisposed(): void;
  share(h: number): number;
  stats(): NativeStats;
  format(h: number): string;
  findOp(name: string, overload: string): number;
  call(op: number, ...args: unknown[]): unknown;
  /** `call(op, self, dims)` for a (Tensor, int[]) op, the list's integers given one by one (at most 16). */
  callDims(op: number, self: number, ...dims: number[]): unknown;
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
  /** Tensor.registerHook: `fn` gets the gradient's handle, returns a replacement handle or null; gives the hook id. */
  registerTensorHook(h: number, fn: (grad: number) => number | null): number;
  removeTensorHook(id: number): void;
  /** How many JS functions autograd hooks hold now (tensor and module backward hooks). */
  hookCallbacks(): number;
  /** The tensors through one identity node carrying `fn` as its pre-hook (post false) or post-hook (post true);
   *  new handles for those that require grad, null for the others. */
  backwardHookNode(
    tensors: number[],
    fn: (grads: (number | null)[]) => (number | null)[] | null,
    post: boolean,
    what: string,
  ): (number | null)[];
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  cudaSynchronize(index?: number): void;
  cudaEmptyCache(): void;
  cudaMemory(index?: number): CudaMemory | null;
  cudaCompiled(): boolean;
  cpuMemoryStats(): CpuAllocatorStats;
  cpuEmptyCache(): void;
  cpuSetCacheLimit(bytes: number): void;
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

// A copy of the addon's exports: that object holds its ~70 functions in dictionary mode (they were added one by
// one), which made every `native.fn` load a hash lookup, on every op call; the spread copy has fast properties.
/**
 * The loaded native addon (libtorch bindings). Loading happens when this module is first imported.
 *
 * Throws:
 *   Error, at import, when the addon is not built, naming the folder searched and the command that builds it.
 */
export const native: NativeAddon = { ...load() };
