// One rank of a distributed test (spawned by test-support/distributed.ts with torchrun's env).
// `node --import tsx test-support/distributed-worker.ts <scenario>`; prints `RESULT <json>` last.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildModel, defaultConfig, train, type TrainConfig } from '../lib/skcdf/train.js';
import { initSkcdfWeights } from '../lib/skcdf/model.js';
import { torch, nn, optim } from '../lib/index.js';
import type { DType } from '../lib/torch/dtype.js';
import type { Tensor } from '../lib/torch/tensor.js';

const dist = torch.distributed;
const scenario = process.argv[2];
const rank = Number(process.env.RANK);
const world = Number(process.env.WORLD_SIZE);
torch.setNumThreads(1);

const out = (o: unknown): void => {
  process.stdout.write(`RESULT ${JSON.stringify(o)}\n`);
};
const flat = (t: Tensor): number[] =>
  (t.dtype === 'float16' ? t.float() : t).contiguous().reshape([-1]).toArray() as number[];

export const DTYPES: DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8'];
export const SHAPES: number[][] = [[7], [3, 4], [2, 3, 2]];

/** Rank r's test tensor: (r + 1) * ((i % 5) + 1) + r at flat index i. */
function rankTensor(r: number, shape: number[], dtype: DType, contiguous: boolean): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (r + 1) * ((i % 5) + 1) + r);
  const x = torch.tensor(values, { dtype }).reshape(shape);
  if (contiguous || shape.length < 2) return x;
  // Same values, transposed storage: a non-contiguous view.
  const order = [...shape.keys()].reverse();
  const nc = torch
    .zeros(
      order.map((d) => shape[d]),
      { dtype },
    )
    .permute(order);
  nc.copy_(x);
  if (nc.strides.join() === x.strides.join()) throw new Error('expected a non-contiguous tensor');
  return nc;
}

async function collectives(): Promise<void> {
  dist.initProcessGroup({ backend: 'gloo', initMethod: 'env://', timeoutMs: 30_000 });
  const results: Record<string, number[]> = {};
  for (const dtype of DTYPES) {
    for (const shape of SHAPES) {
      for (const contiguous of [true, false]) {
        if (!contiguous && shape.length < 2) continue;
        const key = (op: string): string => `${op}|${dtype}|${shape.join('x')}|${contiguous ? 'c' : 'nc'}`;
        const floating = dtype.startsWith('float');
        for (const op of ['sum', 'max', 'min', 'product', ...(floating ? ['avg'] : [])] as const) {
          torch.tidy(() => {
            const x = rankTensor(rank, shape, dtype, contiguous);
            dist.allReduce(x, { op });
            results[key(`allReduce-${op}`)] = flat(x);
          });
        }
        await torch.scope(async () => {
          const x = rankTensor(rank, shape, dtype, contiguous);
          await dist.allReduceAsync(x);
          results[key('allReduceAsync-sum')] = flat(x);
          const b = rankTensor(rank, shape, dtype, contiguous);
          dist.broadcast(b, 1);
          results[key('broadcast-1')] = flat(b);
          const ba = rankTensor(rank, shape, dtype, contiguous);
          await dist.broadcastAsync(ba, 0);
          results[key('broadcastAsync-0')] = flat(ba);
          const outs = Array.from({ length: world }, () => rankTensor(0, shape, dtype, contiguous).zero_());
          dist.allGather(outs, rankTensor(rank, shape, dtype, contiguous));
          results[key('allGather')] = outs.flatMap(flat);
          const outsA = Array.from({ length: world }, () => rankTensor(0, shape, dtype, contiguous).zero_());
          await dist.allGatherAsync(outsA, rankTensor(rank, shape, dtype, contiguous));
          results[key('allGatherAsync')] = outsA.flatMap(flat);
          // reduceScatter: rank r contributes rankTensor(r) + 10 k to slot k.
          const inputs = Array.from({ length: world }, (_, k) =>
            rankTensor(rank, shape, dtype, contiguous).add(10 * k),
          );
          const rs = rankTensor(0, shape, dtype, contiguous).zero_();
          dist.reduceScatter(rs, inputs);
          results[key('reduceScatter')] = flat(rs);
          const rsa = rankTensor(0, shape, dtype, contiguous).zero_();
          await dist.reduceScatterAsync(rsa, inputs, { op: 'max' });
          results[key('reduceScatterAsync-max')] = flat(rsa);
          const list =
            rank === 0 ? Array.from({ length: world }, () => rankTensor(0, shape, dtype, contiguous).zero_()) : null;
          dist.gather(rankTensor(rank, shape, dtype, contiguous), list, 0);
          if (list) results[key('gather')] = list.flatMap(flat);
          const listA =
            rank === 1 ? Array.from({ length: world }, () => rankTensor(0, shape, dtype, contiguous).zero_()) : null;
          await dist.gatherAsync(rankTensor(rank, shape, dtype, contiguous), listA, 1);
          if (listA) results[key('gatherAsync')] = listA.flatMap(flat);
          // scatter from rank 1: slot k holds rankTensor(k + 5).
          const sc = rankTensor(0, shape, dtype, contiguous).zero_();
          dist.scatter(
            sc,
            rank === 1 ? Array.from({ length: world }, (_, k) => rankTensor(k + 5, shape, dtype, contiguous)) : null,
            1,
          );
          results[key('scatter')] = flat(sc);
          const sca = rankTensor(0, shape, dtype, contiguous).zero_();
          await dist.scatterAsync(
            sca,
            rank === 0 ? Array.from({ length: world }, (_, k) => rankTensor(k + 5, shape, dtype, contiguous)) : null,
            0,
          );
          results[key('scatterAsync')] = flat(sca);
        });
      }
    }
  }
  // Async collectives leave the event loop running: rank 1 joins the barrier 300 ms late, and
  // rank 0 counts timer ticks while it waits.
  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
  }, 10);
  if (rank === 1) await new Promise((r) => setTimeout(r, 300));
  const t0 = performance.now();
  await dist.barrierAsync();
  const barrierMs = performance.now() - t0;
  clearInterval(timer);
  dist.barrier();
  const info = {
    rank: dist.getRank(),
    worldSize: dist.getWorldSize(),
    initialized: dist.isInitialized(),
    available: dist.isAvailable(),
  };
  dist.destroyProcessGroup();
  out({ results, ticks, barrierMs, info, initializedAfter: dist.isInitialized() });
}

// ---- DDP ----

export const DDP = { b: 3, inF: 6, hidden: 8, outF: 3, steps: 5, lr: 0.1, seed: 7 };

/** The test model (no BatchNorm) and its data, identical in every process for a given seed. */
export function ddpSetup(): { model: nn.Sequential; x: Tensor; y: Tensor } {
  torch.manualSeed(DDP.seed);
  const model = new nn.Sequential(
    new nn.Linear(DDP.inF, DDP.hidden),
    new nn.Tanh(),
    new nn.Linear(DDP.hidden, DDP.outF),
  );
  const x = torch.randn([DDP.steps, 2 * DDP.b, DDP.inF]);
  const y = torch.randn([DDP.steps, 2 * DDP.b, DDP.outF]);
  return { model, x, y };
}

function paramsOf(m: nn.Module): Record<string, number[]> {
  return Object.fromEntries(
    torch.tidy(() => [...m.stateDict()].map(([k, v]) => [k, Array.from(v.toTypedArray() as Float32Array)])),
  );
}

function ddp(): void {
  dist.initProcessGroup({ timeoutMs: 30_000 });
  const { model, x, y } = ddpSetup();
  // Ranks start from different weights on purpose: DDP must broadcast rank 0's.
  if (rank !== 0)
    torch.noGrad(() => {
      for (const p of model.parameters()) p.add_(1);
    });
  const net = new nn.parallel.DistributedDataParallel(model, { bucketCapMb: Number(process.env.BUCKET_MB ?? 25) });
  const opt = new optim.SGD(model.parameters(), { lr: DDP.lr });
  for (let s = 0; s < DDP.steps; s++) {
    torch.tidy(() => {
      opt.zeroGrad();
      const xs = x.get(s, `${rank * DDP.b}:${(rank + 1) * DDP.b}`);
      const ys = y.get(s, `${rank * DDP.b}:${(rank + 1) * DDP.b}`);
      const loss = nn.functional.mseLoss(net.forward(xs) as Tensor, ys);
      loss.backward();
      opt.step();
    });
  }
  out({ params: paramsOf(model), buckets: net.buckets.length, names: net.parameterNames });
  net.disposeReducer();
  dist.destroyProcessGroup();
}

/** A model with two heads (used by different forwards) and a parameter no forward uses. */
export class TwoHeads extends nn.Module {
  readonly trunk = this.registerModule('trunk', new nn.Linear(DDP.inF, DDP.hidden));
  readonly headA = this.registerModule('head_a', new nn.Linear(DDP.hidden, DDP.outF));
  readonly headB = this.registerModule('head_b', new nn.Linear(DDP.hidden, DDP.outF));
  readonly unused = this.registerParameter('map_in', torch.ones([4]));
  override forward(x: Tensor, head: 'a' | 'b'): Tensor {
    return torch.tidy(() => (head === 'a' ? this.headA : this.headB).forward(this.trunk.forward(x).tanh()));
  }
}

export function twoHeadsSetup(): { model: TwoHeads; x: Tensor; y: Tensor } {
  torch.manualSeed(DDP.seed);
  const model = new TwoHeads();
  const x = torch.randn([DDP.steps, 4 * DDP.b, DDP.inF]);
  const y = torch.randn([DDP.steps, 4 * DDP.b, DDP.outF]);
  return { model, x, y };
}

/** Rows of step s's batch a rank uses for head 'a' and 'b' (single process: both ranks' rows). */
export function twoHeadsRows(r: number): { a: string; b: string } {
  const b = DDP.b;
  return { a: `${r * b}:${(r + 1) * b}`, b: `${2 * b + r * b}:${2 * b + (r + 1) * b}` };
}

function ddpUnused(): void {
  dist.initProcessGroup({ timeoutMs: 30_000 });
  const { model, x, y } = twoHeadsSetup();
  const net = new nn.parallel.DistributedDataParallel(model, { findUnusedParameters: true, bucketCapMb: 0.0001 });
  const opt = new optim.SGD(model.parameters(), { lr: DDP.lr, momentum: 0.9 });
  const rows = twoHeadsRows(rank);
  let unusedGradNull = true;
  for (let s = 0; s < DDP.steps; s++) {
    torch.tidy(() => {
      opt.zeroGrad();
      // Two forwards (as SKCDF's labeled and unlabeled passes), then one backward.
      const la = nn.functional.mseLoss(net.forward(x.get(s, rows.a), 'a'), y.get(s, rows.a));
      const lb = nn.functional.mseLoss(net.forward(x.get(s, rows.b), 'b'), y.get(s, rows.b));
      la.add(lb).backward();
      unusedGradNull &&= model.unused.grad === null;
      opt.step();
    });
  }
  // noSync: accumulate one micro-batch locally, then a synced one; grads = average over ranks of the sum.
  torch.tidy(() => {
    opt.zeroGrad();
    net.noSync(() => nn.functional.mseLoss(net.forward(x.get(0, rows.a), 'a'), y.get(0, rows.a)).backward());
    const local = model.headA.param('weight').grad!.clone();
    nn.functional.mseLoss(net.forward(x.get(1, rows.a), 'a'), y.get(1, rows.a)).backward();
    out({
      params: paramsOf(model),
      unusedGradNull,
      buckets: net.buckets.length,
      noSyncLocal: Array.from(local.toTypedArray() as Float32Array),
      noSyncGrad: Array.from(model.headA.param('weight').grad!.toTypedArray() as Float32Array),
    });
  });
  net.disposeReducer();
  dist.destroyProcessGroup();
}

// ---- failures ----

async function peerDies(): Promise<void> {
  const timeoutMs = Number(process.env.TIMEOUT_MS ?? 4000);
  dist.initProcessGroup({ timeoutMs });
  const t = torch.ones([1000]);
  dist.allReduce(t);
  if (rank !== 0) {
    process.stdout.write('READY\n');
    // Stays out of the next collective: killed by the test, or silent until rank 0 times out.
    await new Promise((r) => setTimeout(r, 60_000));
    return;
  }
  process.stdout.write('ENTERING\n');
  const t0 = performance.now();
  try {
    if (process.env.ASYNC === '1') await dist.allReduceAsync(t);
    else dist.allReduce(t);
    out({ error: null, ms: performance.now() - t0 });
  } catch (err) {
    out({ error: (err as Error).message, ms: performance.now() - t0, timeoutMs });
  }
  process.exit(0);
}

// ---- mixed group (rank 0 here, rank 1 in Python) ----

function mixed(): void {
  dist.initProcessGroup({
    initMethod: `tcp://127.0.0.1:${process.env.MASTER_PORT}`,
    rank: 0,
    worldSize: 2,
    timeoutMs: 30_000,
  });
  const a = torch.arange(6, { dtype: 'float32' }).reshape([2, 3]).add(1);
  dist.allReduce(a);
  const m = torch.tensor([1, 5, 3], { dtype: 'int64' });
  dist.allReduce(m, { op: 'max' });
  const b = torch.zeros([4], { dtype: 'float64' });
  dist.broadcast(b, 1);
  const c = torch.tensor([10, 20, 30], { dtype: 'int32' });
  dist.broadcast(c, 0);
  dist.barrier();
  out({ sum: flat(a), max: flat(m), fromPython: flat(b), sent: flat(c) });
  dist.destroyProcessGroup();
}

// ---- unavailable / misuse (single process) ----

function misuse(): void {
  const errors: Record<string, string> = {};
  const tryIt = (name: string, fn: () => unknown): void => {
    try {
      fn();
      errors[name] = 'no error';
    } catch (e) {
      errors[name] = (e as Error).message;
    }
  };
  tryIt('notInitialized', () => dist.allReduce(torch.ones([2])));
  tryIt('badInit', () => dist.initProcessGroup({ initMethod: 'file:///tmp/x', rank: 0, worldSize: 1 }));
  tryIt('badRank', () => dist.initProcessGroup({ initMethod: 'tcp://127.0.0.1:1', rank: 3, worldSize: 2 }));
  dist.initProcessGroup({
    initMethod: `tcp://127.0.0.1:${process.env.MASTER_PORT}`,
    rank: 0,
    worldSize: 1,
    timeoutMs: 5000,
  });
  tryIt('badOp', () => dist.allReduce(torch.ones([2]), { op: 'mean' as never }));
  tryIt('avgInt', () => dist.allReduce(torch.ones([2], { dtype: 'int64' }), { op: 'avg' }));
  tryIt('badSrc', () => dist.broadcast(torch.ones([2]), 1));
  tryIt('gatherShape', () => dist.allGather([torch.ones([3])], torch.ones([2])));
  tryIt('gatherCount', () => dist.allGather([torch.ones([2]), torch.ones([2])], torch.ones([2])));
  const disposed = torch.ones([2]);
  disposed.dispose();
  tryIt('disposed', () => dist.allReduce(disposed));
  tryIt('twice', () => dist.initProcessGroup({ initMethod: 'tcp://127.0.0.1:1', rank: 0, worldSize: 1 }));
  const one = dist.allReduce(torch.tensor([2.5]), { op: 'avg' });
  dist.destroyProcessGroup();
  tryIt('afterDestroy', () => dist.getRank());
  out({ errors, single: flat(one) });
}

// ---- SKCDF training, data parallel (the test writes a tiny dataset into DATA_ROOT) ----

export function skcdfConfig(root: string): TrainConfig {
  return defaultConfig('synthetic', {
    dataDir: join(root, 'data'),
    splitsDir: root,
    labeledSplit: 'labeled',
    unlabeledSplit: 'unlabeled',
    evalSplit: 'eval',
    runDir: join(root, 'run'),
    maxEpochs: 2,
    maxIterations: 1,
    evalEvery: 0,
    batchSize: 1,
    patch: [32, 32, 32],
    nFilters: 4,
    workers: 0,
    seed: 3,
    threads: 1,
  });
}

const digest = (t: Tensor): string =>
  createHash('sha256').update(new Uint8Array(t.contiguous().toTypedArray().buffer)).digest('hex');

async function skcdfTrain(): Promise<void> {
  dist.initProcessGroup({ timeoutMs: 120_000 });
  const c = skcdfConfig(process.env.DATA_ROOT!);
  const losses: number[] = [];
  let hashes: Record<string, string> = {};
  let mapInGradNull = false,
    mapInUnchanged = false;
  await train(c, {
    events: {
      onIteration: ({ step }) => {
        losses.push(step.loss);
      },
      onEpoch: ({ model }) => {
        torch.tidy(() => {
          hashes = Object.fromEntries([...model.stateDict()].map(([k, v]) => [k, digest(v)]));
          const mapIn = [...model.namedParameters()].filter(([k]) => k.includes('map_in'));
          mapInGradNull = mapIn.length > 0 && mapIn.every(([, p]) => p.grad === null);
          torch.manualSeed(c.seed);
          const initial = buildModel(c, 14);
          initSkcdfWeights(initial);
          const init = new Map(initial.namedParameters());
          mapInUnchanged = mapIn.every(([k, p]) => digest(p) === digest(init.get(k)!));
          initial.dispose();
        });
      },
    },
  });
  out({ losses, hashes, mapInGradNull, mapInUnchanged });
  dist.destroyProcessGroup();
}

const scenarios: Record<string, () => void | Promise<void>> = {
  collectives,
  ddp,
  ddpUnused,
  peerDies,
  mixed,
  misuse,
  skcdfTrain,
};
// Run only as a script (the test imports the model setups from this file).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const run = scenarios[scenario];
  if (!run) throw new Error(`unknown scenario '${scenario}'`);
  await run();
}
