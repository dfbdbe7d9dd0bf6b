// nn.parallel.DistributedDataParallel on libtorch's c10d::Reducer, the engine Python's DDP uses:
// it hooks the parameters' gradient accumulators, fills fixed-size buckets as gradients arrive and
// all-reduces each full bucket while backward continues, then writes the averaged gradients back
// before backward returns. This wrapper does what Python's DDP does around it: broadcasts rank 0's
// parameters and buffers at construction, syncs buffers before each forward, and tells the reducer
// when a forward happened (and, with findUnusedParameters, which outputs to search for the graph).
import { getGroup } from '../../distributed/distributed-c10d.js';
import type { ProcessGroup } from '../../distributed/process-group.js';
import * as torch from '../../torch/index.js';
import { backwardCount } from '../../torch/backward-count.js';
import { native } from '../../torch/native.js';
import { Tensor } from '../../torch/tensor.js';
import { Module } from '../module.js';

/** Options of DistributedDataParallel (PyTorch's keyword arguments, camelCase). */
export interface DistributedDataParallelOptions {
  /** Bucket size in MiB (PyTorch's default 25). The first bucket is capped at 1 MiB, as in PyTorch. */
  bucketCapMb?: number;
  /** Broadcast rank 0's buffers (e.g. BatchNorm statistics) before every forward. Default true. */
  broadcastBuffers?: boolean;
  /**
   * Search the autograd graph from the forward outputs for parameters that get no gradient this
   * iteration (they are then skipped instead of awaited). Outputs of every forward since the last
   * backward are searched, so several forwards before one backward work. Default false.
   */
  findUnusedParameters?: boolean;
  /** Default: the default process group. */
  processGroup?: ProcessGroup;
}

const MIB = 1024 * 1024;

/** Tensors yielded by a forward's result (a tensor, arrays, plain objects, Maps). */
function collectTensors(value: unknown, out: Tensor[], depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (value instanceof Tensor) out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectTensors(v, out, depth + 1);
  else if (value instanceof Map) for (const v of value.values()) collectTensors(v, out, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) collectTensors(v, out, depth + 1);
}

/** Broadcasts `tensors` from `src` in one collective per dtype/device (flattened, then copied back). */
export function broadcastCoalesced(group: ProcessGroup, tensors: Tensor[], src: number): void {
  const byKind = new Map<string, Tensor[]>();
  for (const t of tensors) {
    const key = `${t.dtype}@${t.device}`;
    byKind.set(key, [...(byKind.get(key) ?? []), t]);
  }
  torch.noGrad(() =>
    torch.tidy(() => {
      for (const list of byKind.values()) {
        const flat = torch.cat(list.map((t) => t.detach().reshape([-1])));
        group.broadcast(flat, src);
        let offset = 0;
        for (const t of list) {
          const n = t.numel();
          t.copy_(flat.narrow(0, offset, n).view(t.shape));
          offset += n;
        }
      }
    }),
  );
}

/**
 * Data-parallel training across processes: the gradients of the wrapped module are averaged during backward.
 *
 * Each process runs the module on its own share of the batch.
 *
 * Built on libtorch's `c10d::Reducer`, the engine of PyTorch's DDP: the gradients are gathered into buckets as they are
 * produced, and each full bucket is all-reduced while backward goes on. At construction, rank 0's parameters and
 * buffers are broadcast to every process (each process must build the same model); with `broadcastBuffers`, rank 0's
 * buffers (e.g. batch-norm statistics) are broadcast again before every forward. `forward(...)` takes and returns what
 * the wrapped module's forward does; `module` is the wrapped module. Needs an initialized process group
 * (`distributed.initProcessGroup`). No Shape section: the shapes are those of the wrapped module.
 *
 * @param module - the module to replicate; its parameters that require grad are averaged.
 * @param options.bucketCapMb - the size of a gradient bucket in MiB; the first bucket is capped at 1 MiB (default
 *   `25`).
 * @param options.broadcastBuffers - broadcast rank 0's buffers before every forward (default `true`).
 * @param options.findUnusedParameters - search the autograd graph from the forward's outputs for parameters that get no
 *   gradient in an iteration, so that they are not waited for (default `false`).
 * @param options.processGroup - the process group to average over (default the default group).
 * @example
 * import { torch, nn, optim, distributed } from 'skcdf';
 * // in each of the processes a launcher starts, with MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE set
 * distributed.initProcessGroup({ backend: 'gloo' });
 * const model = new nn.parallel.DistributedDataParallel(new nn.Linear(10, 2));
 * const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
 * const loss = model(torch.randn(8, 10)).sum();
 * loss.backward(); // the gradients are now averaged over the processes
 * opt.step();
 */
export class DistributedDataParallel<M extends Module> extends Module {
  readonly module: M;
  readonly processGroup: ProcessGroup;
  readonly broadcastBuffers: boolean;
  readonly findUnusedParameters: boolean;
  /** Dotted names of the parameters the reducer averages, in reducer index order. */
  readonly parameterNames: string[];
  /** Reducer buckets (parameter indices), in the order they are reduced. */
  readonly buckets: number[][];
  private reducer: number;
  private requireBackwardGradSync = true;
  private requireForwardParamSync = true;
  private lastBackward = -1;

  constructor(module: M, options: DistributedDataParallelOptions = {}) {
    super();
    const name = 'DistributedDataParallel';
    if (!(module instanceof Module)) throw new TypeError(`${name}: module must be an nn.Module`);
    this.module = this.registerModule('module', module);
    this.processGroup = getGroup(name, options.processGroup);
    this.broadcastBuffers = options.broadcastBuffers ?? true;
    this.findUnusedParameters = options.findUnusedParameters ?? false;
    const bucketCapMb = options.bucketCapMb ?? 25;
    if (!(bucketCapMb > 0)) throw new RangeError(`${name}: bucketCapMb must be positive, got ${bucketCapMb}`);
    const named = [...module.namedParameters()].filter(([, p]) => p.requiresGrad);
    if (!named.length) throw new Error(`${name}: the module has no parameters that require grad`);
    this.parameterNames = named.map(([n]) => n);
    const params = named.map(([, p]) => p);
    this.verifyAcrossRanks(params);
    // Identical starting point on every rank: rank 0's parameters and buffers.
    broadcastCoalesced(this.processGroup, [...module.parameters(), ...module.buffers()], 0);
    const cap = Math.round(bucketCapMb * MIB);
    const created = native.ddpReducerCreate(
      this.processGroup.nativeId(name),
      params.map((p) => p.h),
      this.parameterNames,
      cap,
      Math.min(MIB, cap),
      this.findUnusedParameters,
    );
    this.reducer = created.id;
    this.buckets = created.buckets;
  }

  /** Every rank must wrap the same parameters (count, shapes, dtypes); a mismatch would corrupt the reduction. */
  private verifyAcrossRanks(params: Tensor[]): void {
    const g = this.processGroup;
    // A fingerprint of the parameter layout: count, total elements, and a hash of shapes and dtypes.
    let hash = 0;
    for (const p of params) {
      for (const ch of `${p.dtype}[${p.shape.join(',')}];`) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) | 0;
    }
    const total = params.reduce((n, p) => n + p.numel(), 0);
    torch.tidy(() => {
      const mine = torch.tensor([params.length, total, hash], { dtype: 'int64' });
      const all = Array.from({ length: g.worldSize }, () => torch.zeros([3], { dtype: 'int64' }));
      g.allGather(all, mine);
      const rows = all.map((t) => t.toArray() as number[]);
      rows.forEach((r, rank) => {
        if (r[0] !== rows[0][0] || r[1] !== rows[0][1] || r[2] !== rows[0][2]) {
          throw new Error(
            `DistributedDataParallel: rank ${rank} wraps ${r[0]} parameters (${r[1]} elements), rank 0 wraps ` +
              `${rows[0][0]} (${rows[0][1]} elements)${r[0] === rows[0][0] && r[1] === rows[0][1] ? ' with different shapes or dtypes' : ''}; ` +
              'every rank must build the same model',
          );
        }
      });
    });
  }

  private reducerId(): number {
    if (this.reducer < 0) throw new Error('DistributedDataParallel: disposed');
    return this.reducer;
  }

  override forward(...args: Parameters<M['forward']>): ReturnType<M['forward']> {
    const id = this.reducerId();
    const sync = torch.isGradEnabled() && this.requireBackwardGradSync;
    if (sync) native.ddpReducerPrepareForward(id);
    if (this.broadcastBuffers && this.requireForwardParamSync) {
      const buffers = this.module.buffers();
      if (buffers.length && this.processGroup.worldSize > 1) broadcastCoalesced(this.processGroup, buffers, 0);
    }
    const out = (this.module.forward as (...a: unknown[]) => ReturnType<M['forward']>)(...args);
    if (sync) {
      this.requireForwardParamSync = true;
      const outputs: Tensor[] = [];
      if (this.findUnusedParameters) collectTensors(out, outputs);
      const newIteration = backwardCount() !== this.lastBackward;
      this.lastBackward = backwardCount();
      native.ddpReducerPrepareBackward(
        id,
        outputs.map((t) => t.h),
        newIteration,
      );
    } else {
      this.requireForwardParamSync = false;
    }
    return out;
  }

  /**
   * Gradient accumulation without communication (Python's `no_sync()`): forwards and backwards run
   * inside accumulate locally; the first synced backward afterwards averages the accumulated sum.
   * `ddp.noSync(() => { ... })`, or `using _ = ddp.noSync()`.
   */
  noSync<T>(fn: () => T): T;
  noSync(): Disposable;
  noSync<T>(fn?: () => T): T | Disposable {
    const previous = this.requireBackwardGradSync;
    this.requireBackwardGradSync = false;
    const restore = (): void => {
      this.requireBackwardGradSync = previous;
    };
    if (!fn) return { [Symbol.dispose]: restore };
    try {
      const r = fn();
      if (r instanceof Promise)
        throw new TypeError(
          'DistributedDataParallel.noSync: the callback returned a Promise; use `using _ = ddp.noSync()`',
        );
      return r;
    } finally {
      restore();
    }
  }

  /** Removes the reducer's autograd hooks (the wrapped module stays usable on its own). */
  disposeReducer(): void {
    if (this.reducer < 0) return;
    native.ddpReducerDestroy(this.reducer);
    this.reducer = -1;
  }

  override dispose(): void {
    this.disposeReducer();
    super.dispose();
  }

  protected override typeName(): string {
    return 'DistributedDataParallel';
  }
}
