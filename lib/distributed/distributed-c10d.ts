// torch.distributed's module-level API (Python's torch/distributed/distributed_c10d.py): the default
// process group, its rendezvous (env:// as torchrun sets it, or tcp://host:port), and collectives
// that act on the default group unless given one.
import { native } from '../torch/native.js';
import type { Tensor } from '../torch/tensor.js';
import { type Backend, ProcessGroup, type ReduceOp } from './process-group.js';

/**
 * torch.distributed.init_process_group's options: backend, init method (env:// or tcp://), rank, world size,
 * timeout (ms).
 */
export interface InitOptions {
  backend?: Backend;
  /** 'env://' (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE) or 'tcp://host:port'. Default 'env://'. */
  initMethod?: string;
  /** Overrides RANK from the environment. */
  rank?: number;
  /** Overrides WORLD_SIZE from the environment. */
  worldSize?: number;
  /** Timeout of the rendezvous and of every collective, in ms (Python's default: 30 minutes). */
  timeoutMs?: number;
}

/** The process group a call works on (default: the default group). */
export interface GroupOption {
  group?: ProcessGroup;
}

const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

let defaultGroup: ProcessGroup | null = null;

/** Whether this build has torch.distributed (the native addon was compiled with Gloo's headers). */
export function isAvailable(): boolean {
  return native.distAvailable().gloo;
}
/** Whether libtorch was built with the Gloo backend (CPU collectives). */
export function isGlooAvailable(): boolean {
  return native.distAvailable().gloo;
}
/** Whether libtorch was built with the NCCL backend (CUDA collectives). */
export function isNcclAvailable(): boolean {
  return native.distAvailable().nccl;
}

function requireAvailable(name: string): void {
  const a = native.distAvailable();
  if (!a.gloo) throw new Error(`torch.distributed.${name}: ${a.reason ?? 'not available'}`);
}

function envInt(name: string, fn: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new TypeError(`${fn}: environment variable ${name}='${v}' is not a non-negative integer`);
  return n;
}

/** Where to rendezvous: host, port, rank and world size from the init method and the options. */
export function parseInitMethod(options: InitOptions): { host: string; port: number; rank: number; worldSize: number } {
  const fn = 'initProcessGroup';
  const method = options.initMethod ?? 'env://';
  let host: string | undefined;
  let port: number | undefined;
  if (method === 'env://') {
    host = process.env.MASTER_ADDR;
    port = envInt('MASTER_PORT', fn);
    if (!host) throw new Error(`${fn}: initMethod 'env://' needs MASTER_ADDR in the environment`);
    if (port === undefined) throw new Error(`${fn}: initMethod 'env://' needs MASTER_PORT in the environment`);
  } else if (method.startsWith('tcp://')) {
    const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(method);
    if (!m) throw new TypeError(`${fn}: initMethod '${method}' is not of the form tcp://host:port`);
    host = m[1].replace(/^\[|\]$/g, '');
    port = Number(m[2]);
  } else {
    throw new TypeError(`${fn}: initMethod must be 'env://' or 'tcp://host:port', got '${method}'`);
  }
  if (port > 65535) throw new RangeError(`${fn}: port ${port} is out of range`);
  const rank = options.rank ?? envInt('RANK', fn);
  const worldSize = options.worldSize ?? envInt('WORLD_SIZE', fn);
  if (rank === undefined) throw new Error(`${fn}: no rank (pass rank, or set RANK as torchrun does)`);
  if (worldSize === undefined)
    throw new Error(`${fn}: no worldSize (pass worldSize, or set WORLD_SIZE as torchrun does)`);
  if (!Number.isInteger(worldSize) || worldSize < 1)
    throw new RangeError(`${fn}: worldSize must be a positive integer, got ${worldSize}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize)
    throw new RangeError(`${fn}: rank must be in [0, ${worldSize}), got ${rank}`);
  return { host, port, rank, worldSize };
}

/**
 * Creates a process group (rank 0 hosts the TCPStore), Python's rendezvous and store prefixes
 * included, so TypeScript and Python ranks can share one group. Blocks until every rank has joined
 * or the timeout passes. Without `setDefault: false` it becomes the default group.
 */
export function newProcessGroup(options: InitOptions = {}): ProcessGroup {
  requireAvailable('initProcessGroup');
  const backend = options.backend ?? 'gloo';
  if (backend !== 'gloo' && backend !== 'nccl')
    throw new TypeError(`initProcessGroup: backend must be 'gloo' or 'nccl', got '${String(backend)}'`);
  if (backend === 'nccl' && !isNcclAvailable()) {
    throw new Error(
      "initProcessGroup: backend 'nccl' is not built into this addon (it needs a CUDA libtorch and nccl.h); use 'gloo'",
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new RangeError(`initProcessGroup: timeoutMs must be positive, got ${timeoutMs}`);
  const { host, port, rank, worldSize } = parseInitMethod(options);
  const store = native.distStoreCreate(host, port, rank === 0, worldSize, timeoutMs);
  let id: number;
  try {
    id = native.distGroupCreate(store.id, backend, rank, worldSize, timeoutMs, '0');
  } catch (err) {
    native.distStoreDestroy(store.id);
    throw err;
  }
  return new ProcessGroup(id, backend, rank, worldSize, timeoutMs, store.id);
}

/** Python's `init_process_group`: creates the default process group. */
export function initProcessGroup(options: InitOptions = {}): ProcessGroup {
  if (defaultGroup)
    throw new Error(
      'initProcessGroup: the default process group is already initialized (call destroyProcessGroup first)',
    );
  defaultGroup = newProcessGroup(options);
  return defaultGroup;
}

/** Whether the default process group exists (initProcessGroup was called and not destroyed). */
export function isInitialized(): boolean {
  return defaultGroup !== null;
}

/** The default group (or `group`); throws naming `name` when none was initialized. */
export function getGroup(name: string, group?: ProcessGroup): ProcessGroup {
  const g = group ?? defaultGroup;
  if (!g) {
    requireAvailable(name);
    throw new Error(
      `torch.distributed.${name}: the default process group is not initialized (call initProcessGroup first)`,
    );
  }
  return g;
}

/** This process's rank in the group (0 .. worldSize - 1). */
export function getRank(options: GroupOption = {}): number {
  return getGroup('getRank', options.group).rank;
}
/** Number of processes in the group. */
export function getWorldSize(options: GroupOption = {}): number {
  return getGroup('getWorldSize', options.group).worldSize;
}
/** The group's backend ('gloo' or 'nccl'). */
export function getBackend(options: GroupOption = {}): Backend {
  return getGroup('getBackend', options.group).backend;
}

/** Destroys the default group (or `group`). */
export function destroyProcessGroup(group?: ProcessGroup): void {
  const g = group ?? defaultGroup;
  if (!g) return;
  g.destroy();
  if (g === defaultGroup) defaultGroup = null;
}

/** Blocks until every rank of the group has reached the barrier. */
export function barrier(options: GroupOption = {}): void {
  getGroup('barrier', options.group).barrier();
}
/** barrier without blocking the event loop: resolves when every rank has reached it. */
export function barrierAsync(options: GroupOption = {}): Promise<void> {
  return getGroup('barrier', options.group).barrierAsync();
}

/** Reduces `tensor` over all ranks in place (default op 'sum'); every rank gets the result. Returns `tensor`. */
export function allReduce(tensor: Tensor, options: GroupOption & { op?: ReduceOp } = {}): Tensor {
  return getGroup('allReduce', options.group).allReduce(tensor, options);
}
/** allReduce without blocking the event loop; resolves to `tensor` once reduced. */
export function allReduceAsync(tensor: Tensor, options: GroupOption & { op?: ReduceOp } = {}): Promise<Tensor> {
  return getGroup('allReduce', options.group).allReduceAsync(tensor, options);
}

/** Overwrites `tensor` on every rank with rank `src`'s. Returns `tensor`. */
export function broadcast(tensor: Tensor, src: number, options: GroupOption = {}): Tensor {
  return getGroup('broadcast', options.group).broadcast(tensor, src);
}
/** broadcast without blocking the event loop; resolves to `tensor`. */
export function broadcastAsync(tensor: Tensor, src: number, options: GroupOption = {}): Promise<Tensor> {
  return getGroup('broadcast', options.group).broadcastAsync(tensor, src);
}

/** Fills `tensorList[r]` with rank r's `tensor`, on every rank (tensors of equal shape and dtype). */
export function allGather(tensorList: Tensor[], tensor: Tensor, options: GroupOption = {}): Tensor[] {
  return getGroup('allGather', options.group).allGather(tensorList, tensor);
}
/** allGather without blocking the event loop. */
export function allGatherAsync(tensorList: Tensor[], tensor: Tensor, options: GroupOption = {}): Promise<Tensor[]> {
  return getGroup('allGather', options.group).allGatherAsync(tensorList, tensor);
}

/** Reduces `inputList[r]` over ranks (default op 'sum') into rank r's `output`. */
export function reduceScatter(
  output: Tensor,
  inputList: Tensor[],
  options: GroupOption & { op?: ReduceOp } = {},
): Tensor {
  return getGroup('reduceScatter', options.group).reduceScatter(output, inputList, options);
}
/** reduceScatter without blocking the event loop. */
export function reduceScatterAsync(
  output: Tensor,
  inputList: Tensor[],
  options: GroupOption & { op?: ReduceOp } = {},
): Promise<Tensor> {
  return getGroup('reduceScatter', options.group).reduceScatterAsync(output, inputList, options);
}

/** Collects every rank's `tensor` into `gatherList` on rank `dst` (null on the other ranks). */
export function gather(
  tensor: Tensor,
  gatherList: Tensor[] | null,
  dst = 0,
  options: GroupOption = {},
): Tensor[] | null {
  return getGroup('gather', options.group).gather(tensor, gatherList, dst);
}
/** gather without blocking the event loop. */
export function gatherAsync(
  tensor: Tensor,
  gatherList: Tensor[] | null,
  dst = 0,
  options: GroupOption = {},
): Promise<Tensor[] | null> {
  return getGroup('gather', options.group).gatherAsync(tensor, gatherList, dst);
}

/** Fills each rank's `tensor` with `scatterList[rank]` from rank `src` (null on the other ranks). */
export function scatter(tensor: Tensor, scatterList: Tensor[] | null, src = 0, options: GroupOption = {}): Tensor {
  return getGroup('scatter', options.group).scatter(tensor, scatterList, src);
}
/** scatter without blocking the event loop. */
export function scatterAsync(
  tensor: Tensor,
  scatterList: Tensor[] | null,
  src = 0,
  options: GroupOption = {},
): Promise<Tensor> {
  return getGroup('scatter', options.group).scatterAsync(tensor, scatterList, src);
}
