// A process group: the one seam every collective goes through (like Python's ProcessGroup in
// torch/distributed/distributed_c10d.py). It owns the native c10d::ProcessGroup (Gloo backend)
// and checks arguments before they reach c10d, so mistakes name the collective and the argument.
import { native } from '../torch/native.js';
import type { Tensor } from '../torch/tensor.js';

/** A c10d backend: Gloo (CPU tensors) or NCCL (CUDA tensors). */
export type Backend = 'gloo' | 'nccl';
/** How allReduce / reduceScatter combine the ranks' values. */
export type ReduceOp = 'sum' | 'avg' | 'product' | 'min' | 'max';

// c10d::ReduceOp::RedOpType codes.
const REDUCE_OPS: Record<ReduceOp, number> = { sum: 0, avg: 1, product: 2, min: 3, max: 4 };

function opCode(name: string, op: ReduceOp | undefined): number {
  const code = REDUCE_OPS[op ?? 'sum'];
  if (code === undefined)
    throw new TypeError(`${name}: op must be one of ${Object.keys(REDUCE_OPS).join(', ')}, got '${String(op)}'`);
  return code;
}

function checkTensors(name: string, what: string, tensors: readonly Tensor[]): void {
  for (const t of tensors) {
    if (!t || typeof t.h !== 'number') throw new TypeError(`${name}: ${what} must be tensors`);
    if (t.isDisposed) throw new Error(`${name}: ${what} include a disposed tensor`);
  }
}

function checkRank(name: string, what: string, r: number, size: number): void {
  if (!Number.isInteger(r) || r < 0 || r >= size)
    throw new RangeError(`${name}: ${what} must be a rank in [0, ${size}), got ${r}`);
}

/**
 * A c10d process group (torch.distributed.ProcessGroup): the collectives of one set of ranks, sync and async (the async
 * forms leave the event loop free while the native call waits).
 */
export class ProcessGroup {
  /** Native process-group id; -1 once destroyed. */
  private id: number;

  constructor(
    id: number,
    readonly backend: Backend,
    readonly rank: number,
    readonly worldSize: number,
    readonly timeoutMs: number,
    private readonly store: number,
  ) {
    this.id = id;
  }

  get isDestroyed(): boolean {
    return this.id < 0;
  }

  private handle(name: string): number {
    if (this.id < 0) throw new Error(`${name}: the process group was destroyed (destroyProcessGroup)`);
    return this.id;
  }

  /** Releases the group and its store connection; pending collectives fail. */
  destroy(): void {
    if (this.id < 0) return;
    const id = this.id;
    this.id = -1;
    native.distGroupDestroy(id);
    native.distStoreDestroy(this.store);
  }

  // Each collective: `<name>(...)` waits for completion; `<name>Async(...)` returns a Promise
  // resolved when c10d's Work completes (the event loop keeps running meanwhile).

  /** Reduces `tensor` across all ranks in place (sum unless `op` says otherwise) and returns it. */
  allReduce(tensor: Tensor, options?: { op?: ReduceOp }): Tensor {
    this.allReduceImpl(tensor, options, false);
    return tensor;
  }
  /** {@link allReduce} without blocking the event loop; resolves to `tensor` once reduced. */
  async allReduceAsync(tensor: Tensor, options?: { op?: ReduceOp }): Promise<Tensor> {
    await this.allReduceImpl(tensor, options, true);
    return tensor;
  }
  /** All-reduces several tensors in one collective (c10d's multi-tensor allreduce, one Work). */
  allReduceMany(tensors: Tensor[], options: { op?: ReduceOp } = {}, async = false): Promise<void> | undefined {
    checkTensors('allReduce', 'tensors', tensors);
    return native.distAllReduce(
      this.handle('allReduce'),
      tensors.map((t) => t.h),
      opCode('allReduce', options.op),
      async,
    );
  }
  private allReduceImpl(tensor: Tensor, options: { op?: ReduceOp } = {}, async: boolean): Promise<void> | undefined {
    checkTensors('allReduce', 'tensor', [tensor]);
    return native.distAllReduce(this.handle('allReduce'), [tensor.h], opCode('allReduce', options.op), async);
  }

  /** Copies rank `src`'s `tensor` into `tensor` on every rank, in place, and returns it. */
  broadcast(tensor: Tensor, src: number): Tensor {
    this.broadcastImpl(tensor, src, false);
    return tensor;
  }
  /** {@link broadcast} without blocking the event loop; resolves to `tensor` once filled. */
  async broadcastAsync(tensor: Tensor, src: number): Promise<Tensor> {
    await this.broadcastImpl(tensor, src, true);
    return tensor;
  }
  private broadcastImpl(tensor: Tensor, src: number, async: boolean): Promise<void> | undefined {
    checkTensors('broadcast', 'tensor', [tensor]);
    checkRank('broadcast', 'src', src, this.worldSize);
    return native.distBroadcast(this.handle('broadcast'), tensor.h, src, async);
  }

  /** Fills `outputs[r]` with rank r's `input` (one output per rank, each shaped like `input`). */
  allGather(outputs: Tensor[], input: Tensor): Tensor[] {
    this.allGatherImpl(outputs, input, false);
    return outputs;
  }
  /** Fills `outputs[r]` with rank r's `input` on every rank; resolves to `outputs`. */
  async allGatherAsync(outputs: Tensor[], input: Tensor): Promise<Tensor[]> {
    await this.allGatherImpl(outputs, input, true);
    return outputs;
  }
  private allGatherImpl(outputs: Tensor[], input: Tensor, async: boolean): Promise<void> | undefined {
    checkTensors('allGather', 'input', [input]);
    this.checkList('allGather', 'outputs', outputs, input);
    return native.distAllGather(
      this.handle('allGather'),
      outputs.map((t) => t.h),
      input.h,
      async,
    );
  }

  /** `output` = reduction over ranks of their `inputs[rank]` (one input per rank). */
  reduceScatter(output: Tensor, inputs: Tensor[], options?: { op?: ReduceOp }): Tensor {
    this.reduceScatterImpl(output, inputs, options, false);
    return output;
  }
  /** Reduces `inputs[r]` over all ranks into rank r's `output`; resolves to `output`. */
  async reduceScatterAsync(output: Tensor, inputs: Tensor[], options?: { op?: ReduceOp }): Promise<Tensor> {
    await this.reduceScatterImpl(output, inputs, options, true);
    return output;
  }
  private reduceScatterImpl(
    output: Tensor,
    inputs: Tensor[],
    options: { op?: ReduceOp } = {},
    async: boolean,
  ): Promise<void> | undefined {
    checkTensors('reduceScatter', 'output', [output]);
    this.checkList('reduceScatter', 'inputs', inputs, output);
    return native.distReduceScatter(
      this.handle('reduceScatter'),
      output.h,
      inputs.map((t) => t.h),
      opCode('reduceScatter', options.op),
      async,
    );
  }

  /** On `dst`, `gatherList[r]` receives rank r's `input`; other ranks pass no list. */
  gather(input: Tensor, gatherList: Tensor[] | null, dst: number): Tensor[] | null {
    this.gatherImpl(input, gatherList, dst, false);
    return gatherList;
  }
  /** Collects every rank's `input` into `gatherList` on rank `dst` (null elsewhere); resolves to the list. */
  async gatherAsync(input: Tensor, gatherList: Tensor[] | null, dst: number): Promise<Tensor[] | null> {
    await this.gatherImpl(input, gatherList, dst, true);
    return gatherList;
  }
  private gatherImpl(input: Tensor, list: Tensor[] | null, dst: number, async: boolean): Promise<void> | undefined {
    checkTensors('gather', 'input', [input]);
    checkRank('gather', 'dst', dst, this.worldSize);
    if (this.rank === dst) this.checkList('gather', 'gatherList (on the destination rank)', list, input);
    else if (list && list.length)
      throw new TypeError(`gather: only the destination rank ${dst} passes a gatherList (this is rank ${this.rank})`);
    return native.distGather(
      this.handle('gather'),
      (list ?? []).map((t) => t.h),
      input.h,
      dst,
      async,
    );
  }

  /** `output` receives `scatterList[rank]` of rank `src`; other ranks pass no list. */
  scatter(output: Tensor, scatterList: Tensor[] | null, src: number): Tensor {
    this.scatterImpl(output, scatterList, src, false);
    return output;
  }
  /** Copies `scatterList[r]` from rank `src` into rank r's `output`; resolves to `output`. */
  async scatterAsync(output: Tensor, scatterList: Tensor[] | null, src: number): Promise<Tensor> {
    await this.scatterImpl(output, scatterList, src, true);
    return output;
  }
  private scatterImpl(output: Tensor, list: Tensor[] | null, src: number, async: boolean): Promise<void> | undefined {
    checkTensors('scatter', 'output', [output]);
    checkRank('scatter', 'src', src, this.worldSize);
    if (this.rank === src) this.checkList('scatter', 'scatterList (on the source rank)', list, output);
    else if (list && list.length)
      throw new TypeError(`scatter: only the source rank ${src} passes a scatterList (this is rank ${this.rank})`);
    return native.distScatter(
      this.handle('scatter'),
      output.h,
      (list ?? []).map((t) => t.h),
      src,
      async,
    );
  }

  /** Blocks until every rank has reached this barrier. */
  barrier(): void {
    native.distBarrier(this.handle('barrier'), false);
  }
  /** Resolves once every rank has reached this barrier (without blocking the event loop). */
  async barrierAsync(): Promise<void> {
    await native.distBarrier(this.handle('barrier'), true);
  }

  /** The native id, for DistributedDataParallel's reducer (internal). */
  nativeId(name: string): number {
    return this.handle(name);
  }

  /** A list of one tensor per rank, each with the shape and dtype of `like`. */
  private checkList(name: string, what: string, list: Tensor[] | null, like: Tensor): asserts list is Tensor[] {
    if (!Array.isArray(list) || list.length !== this.worldSize) {
      throw new RangeError(
        `${name}: ${what} must hold ${this.worldSize} tensors (one per rank), got ` +
        `${Array.isArray(list) ? list.length : String(list)}`,
      );
    }
    checkTensors(name, what, list);
    const shape = like.shape.join(', ');
    list.forEach((t, i) => {
      if (t.dtype !== like.dtype || t.shape.join(', ') !== shape) {
        throw new TypeError(
          `${name}: ${what}[${i}] is ${t.dtype} [${t.shape.join(', ')}], expected ${like.dtype} [${shape}]`,
        );
      }
    });
  }
}
