// torch.distributed on c10d/Gloo with real processes: 2 ranks on 127.0.0.1 (child processes through
// tsx), every collective against its closed form, DDP against single-process training on the
// concatenated batch, a dying/silent peer, and a group shared with Python's torch.distributed.
import { describe, expect, it } from 'vitest';
import { torch, nn, optim, data } from '../lib/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { freePort, resultOf, runRanks, spawnPython, spawnTs } from '../test-support/distributed.js';
import { DDP, DTYPES, SHAPES, ddpSetup, twoHeadsRows, twoHeadsSetup } from '../test-support/distributed-worker.js';
import { hasPython, runPython } from '../test-support/python.js';

const available = torch.distributed.isAvailable();
const W = 2;

/** Closed form of rank r's test tensor (see rankTensor in the worker). */
const base = (r: number, n: number): number[] => Array.from({ length: n }, (_, i) => (r + 1) * ((i % 5) + 1) + r);
const ranks = [...Array(W).keys()];
const zip = (arrays: number[][], f: (vals: number[]) => number): number[] =>
  arrays[0].map((_, i) => f(arrays.map((a) => a[i])));

/** What a collective must produce on `rank`, from the closed forms (integer dtypes wrap as C does). */
function expected(op: string, rank: number, n: number, dtype: string): number[] | undefined {
  const all = ranks.map((r) => base(r, n));
  const wrap = (v: number): number => (dtype === 'uint8' ? ((v % 256) + 256) % 256 : v);
  switch (op) {
    case 'allReduce-sum':
    case 'allReduceAsync-sum':
      return zip(all, (v) => wrap(v.reduce((a, b) => a + b)));
    case 'allReduce-max':
      return zip(all, (v) => Math.max(...v));
    case 'allReduce-min':
      return zip(all, (v) => Math.min(...v));
    case 'allReduce-product':
      return zip(all, (v) => wrap(v.reduce((a, b) => a * b)));
    case 'allReduce-avg':
      return zip(all, (v) => v.reduce((a, b) => a + b) / W);
    case 'broadcast-1':
      return all[1];
    case 'broadcastAsync-0':
      return all[0];
    case 'allGather':
    case 'allGatherAsync':
      return all.flat();
    case 'reduceScatter':
      return zip(all, (v) => wrap(v.reduce((a, b) => a + b) + 10 * rank * W));
    case 'reduceScatterAsync-max':
      return zip(all, (v) => Math.max(...v) + 10 * rank);
    case 'gather':
      return rank === 0 ? all.flat() : undefined;
    case 'gatherAsync':
      return rank === 1 ? all.flat() : undefined;
    case 'scatter':
    case 'scatterAsync':
      return base(rank + 5, n);
    default:
      throw new Error(`no closed form for ${op}`);
  }
}

describe.skipIf(!available)('torch.distributed collectives (Gloo, 2 processes)', () => {
  it('every collective, sync and async, matches its closed form for several dtypes, shapes and non-contiguous inputs ' +
    '', async () => {
    const results = await runRanks('collectives', W);
    let checked = 0;
    for (const [rank, res] of results.entries()) {
      const got = res.results as Record<string, number[]>;
      for (const dtype of DTYPES) {
        for (const shape of SHAPES) {
          const n = shape.reduce((a, b) => a * b, 1);
          for (const layout of shape.length < 2 ? ['c'] : ['c', 'nc']) {
            const ops = [
              'allReduce-sum',
              'allReduce-max',
              'allReduce-min',
              'allReduce-product',
              'allReduceAsync-sum',
              'broadcast-1',
              'broadcastAsync-0',
              'allGather',
              'allGatherAsync',
              'reduceScatter',
              'reduceScatterAsync-max',
              'gather',
              'gatherAsync',
              'scatter',
              'scatterAsync',
              ...(dtype.startsWith('float') ? ['allReduce-avg'] : []),
            ];
            for (const op of ops) {
              const key = `${op}|${dtype}|${shape.join('x')}|${layout}`;
              const want = expected(op, rank, n, dtype);
              if (want === undefined) {
                expect(got[key], key).toBeUndefined();
                continue;
              }
              expect(got[key], `rank ${rank} ${key}`).toEqual(want);
              checked++;
            }
          }
        }
      }
      expect(res.info).toEqual({ rank, worldSize: W, initialized: true, available: true });
      expect(res.initializedAfter).toBe(false);
    }
    expect(checked).toBeGreaterThan(600);
    // Rank 0 waited ~300 ms in an async barrier while its timers kept firing.
    const r0 = results[0];
    expect(r0.barrierMs as number).toBeGreaterThan(200);
    expect(r0.ticks as number).toBeGreaterThan(5);
  });

  it('argument errors name the collective and the argument; a 1-rank group works', async () => {
    const port = await freePort();
    const r = await spawnTs('misuse', 0, 1, port).done;
    const res = resultOf(r);
    const e = res.errors as Record<string, string>;
    expect(e.notInitialized).toMatch(/allReduce: the default process group is not initialized/);
    expect(e.badInit).toMatch(/initProcessGroup: initMethod must be 'env:\/\/' or 'tcp:\/\/host:port'/);
    expect(e.badRank).toMatch(/initProcessGroup: rank must be in \[0, 2\), got 3/);
    expect(e.badOp).toMatch(/allReduce: op must be one of/);
    expect(e.avgInt).toMatch(/allReduce: .*avg.*floating-point/);
    expect(e.badSrc).toMatch(/broadcast: src must be a rank in \[0, 1\), got 1/);
    expect(e.gatherShape).toMatch(/allGather: outputs\[0\] is float32 \[3\], expected float32 \[2\]/);
    expect(e.gatherCount).toMatch(/allGather: outputs must hold 1 tensors/);
    expect(e.disposed).toMatch(/allReduce: tensor include a disposed tensor/);
    expect(e.twice).toMatch(/already initialized/);
    expect(e.afterDestroy).toMatch(/getRank: the default process group is not initialized/);
    expect(res.single).toEqual([2.5]);
  });
});

describe.skipIf(!available)('DistributedDataParallel (c10d Reducer, 2 processes)', () => {
  /** One process on the concatenated batch: the reference DDP must reproduce. */
  function singleProcess(): Record<string, Float32Array> {
    return torch.tidy(() => {
      const { model, x, y } = ddpSetup();
      const opt = new optim.SGD(model.parameters(), { lr: DDP.lr });
      for (let s = 0; s < DDP.steps; s++) {
        torch.tidy(() => {
          opt.zeroGrad();
          nn.functional.mseLoss(model.forward(x.get(s)) as Tensor, y.get(s)).backward();
          opt.step();
        });
      }
      return Object.fromEntries([...model.stateDict()].map(([k, v]) => [k, v.toTypedArray() as Float32Array]));
    });
  }

  function expectClose(got: number[], want: ArrayLike<number>, rtol: number, atol: number, what: string): void {
    expect(got.length, what).toBe(want.length);
    for (let i = 0; i < got.length; i++) {
      const tol = atol + rtol * Math.abs(want[i]);
      if (Math.abs(got[i] - want[i]) > tol) throw new Error(`${what}[${i}]: ${got[i]} vs ${want[i]} (tol ${tol})`);
    }
  }

  for (const bucketMb of [25, 0.0002]) {
    it(`2 ranks x batch ${DDP.b} for ${DDP.steps} SGD steps equal 1 process on batch ${2 * DDP.b}, ` +
      `bitwise identical across ranks (bucketCapMb ${bucketMb})`, async () => {
      const [r0, r1] = await runRanks('ddp', W, { BUCKET_MB: String(bucketMb) });
      const ref = singleProcess();
      const p0 = r0.params as Record<string, number[]>,
        p1 = r1.params as Record<string, number[]>;
      expect(Object.keys(p0)).toEqual(Object.keys(ref));
      for (const k of Object.keys(ref)) {
        expect(p1[k], `${k} rank 1 vs rank 0`).toEqual(p0[k]);
        expectClose(p0[k], ref[k], 1e-5, 1e-7, k);
      }
      // A tiny cap puts parameters into several buckets (reduced while backward runs).
      if (bucketMb < 1) expect(r0.buckets as number).toBeGreaterThan(1);
      else expect(r0.buckets as number).toBeGreaterThanOrEqual(1);
    });
  }

  it('two forwards before one backward, an unused parameter (findUnusedParameters), momentum, and noSync', async () => {
    const [r0, r1] = await runRanks('ddpUnused', W);
    const ref = torch.tidy(() => {
      const { model, x, y } = twoHeadsSetup();
      const opt = new optim.SGD(model.parameters(), { lr: DDP.lr, momentum: 0.9 });
      // Each rank's loss is mse(a rows) + mse(b rows) over b rows; DDP averages over ranks.
      const rowsA = (s: number): Tensor => torch.cat(ranks.map((r) => x.get(s, twoHeadsRows(r).a)));
      for (let s = 0; s < DDP.steps; s++) {
        torch.tidy(() => {
          opt.zeroGrad();
          const ya = torch.cat(ranks.map((r) => y.get(s, twoHeadsRows(r).a)));
          const xb = torch.cat(ranks.map((r) => x.get(s, twoHeadsRows(r).b)));
          const yb = torch.cat(ranks.map((r) => y.get(s, twoHeadsRows(r).b)));
          nn.functional
            .mseLoss(model.forward(rowsA(s), 'a'), ya)
            .add(nn.functional.mseLoss(model.forward(xb, 'b'), yb))
            .backward();
          expect(model.unused.grad).toBeNull();
          opt.step();
        });
      }
      const params = Object.fromEntries([...model.stateDict()].map(([k, v]) => [k, v.toTypedArray() as Float32Array]));
      // noSync reference: mean over ranks of (local grad of step-0 rows + grad of step-1 rows).
      opt.zeroGrad();
      const w = model.headA.param('weight');
      const gradOf = (s: number, r: number): Float32Array =>
        torch.tidy(() => {
          w.grad = null;
          const rows = twoHeadsRows(r).a;
          nn.functional.mseLoss(model.forward(x.get(s, rows), 'a'), y.get(s, rows)).backward();
          return w.grad!.clone().toTypedArray() as Float32Array;
        });
      const local0 = gradOf(0, 0);
      const sum = ranks.map((r) => {
        const a = gradOf(0, r),
          b = gradOf(1, r);
        return a.map((v, i) => v + b[i]);
      });
      const avg = sum[0].map((v, i) => (v + sum[1][i]) / W);
      return { params, local0, avg };
    });
    for (const r of [r0, r1]) expect(r.unusedGradNull).toBe(true);
    expect(r0.buckets as number).toBeGreaterThan(1);
    const p0 = r0.params as Record<string, number[]>,
      p1 = r1.params as Record<string, number[]>;
    for (const k of Object.keys(ref.params)) {
      expect(p1[k], `${k} rank 1 vs rank 0`).toEqual(p0[k]);
      expectClose(p0[k], ref.params[k], 1e-5, 1e-7, k);
    }
    expect(p0.map_in).toEqual([1, 1, 1, 1]);
    // Inside noSync the gradient stayed local (rank 0's own), then the synced backward averaged the sum.
    expectClose(r0.noSyncLocal as number[], ref.local0, 1e-5, 1e-7, 'noSync local grad');
    expectClose(r0.noSyncGrad as number[], ref.avg, 1e-5, 1e-7, 'grad after noSync + synced backward');
    expect(r1.noSyncGrad).toEqual(r0.noSyncGrad);
  });
});

describe.skipIf(!available)('failures end in errors naming the collective, within the timeout', () => {
  for (const mode of ['killed', 'silent'] as const) {
    for (const async of [false, true]) {
      it(`peer ${mode} during ${async ? 'allReduceAsync' : 'allReduce'}`, async () => {
        const port = await freePort();
        const timeoutMs = 3000;
        const env = { TIMEOUT_MS: String(timeoutMs), ASYNC: async ? '1' : '0' };
        const r0 = spawnTs('peerDies', 0, W, port, env);
        const r1 = spawnTs('peerDies', 1, W, port, env);
        if (mode === 'killed') {
          await new Promise<void>((resolve) => {
            let ready = false,
              entering = false;
            const check = (): void => {
              if (ready && entering) resolve();
            };
            r1.onLine((l) => {
              if (l === 'READY') {
                ready = true;
                check();
              }
            });
            r0.onLine((l) => {
              if (l === 'ENTERING') {
                entering = true;
                setTimeout(() => {
                  check();
                }, 200);
              }
            });
          });
          r1.child.kill('SIGKILL');
        }
        const res = resultOf(await r0.done);
        r1.child.kill('SIGKILL');
        await r1.done;
        expect(res.error).toMatch(/^allReduce: /);
        if (mode === 'killed') expect(res.error).toMatch(/Connection closed by peer|Connection reset/);
        else expect(res.error).toMatch(/[Tt]imed out/);
        expect(res.ms as number).toBeLessThan(timeoutMs + 2000);
      });
    }
  }
});

describe.skipIf(!available || !hasPython('torch'))('a process group shared with Python torch.distributed', () => {
  it('rank 0 in TypeScript and rank 1 in Python complete allReduce and broadcast together', async () => {
    const port = await freePort();
    const py = `
import os, json, torch, torch.distributed as dist
from datetime import timedelta
dist.init_process_group('gloo', init_method='tcp://127.0.0.1:' + os.environ['MASTER_PORT'], rank=1, world_size=2, timeout=timedelta(seconds=30))
a = (torch.arange(6, dtype=torch.float32).reshape(2, 3) + 1) * 10
dist.all_reduce(a)
m = torch.tensor([4, 2, 9])
dist.all_reduce(m, op=dist.ReduceOp.MAX)
b = torch.tensor([0.5, 1.5, 2.5, 3.5], dtype=torch.float64)
dist.broadcast(b, 1)
c = torch.zeros(3, dtype=torch.int32)
dist.broadcast(c, 0)
dist.barrier()
print('RESULT ' + json.dumps({'sum': a.flatten().tolist(), 'max': m.tolist(), 'received': c.tolist(), 'torch': torch.__version__}))
dist.destroy_process_group()
`;
    const ts = spawnTs('mixed', 0, W, port);
    const p = spawnPython(py, 1, W, port);
    const [rt, rp] = await Promise.all([ts.done, p.done]);
    expect(rt.code, rt.stderr).toBe(0);
    expect(rp.code, rp.stderr).toBe(0);
    const a = resultOf(rt),
      b = resultOf(rp);
    const sum = [1, 2, 3, 4, 5, 6].map((v) => v + 10 * v);
    expect(a.sum).toEqual(sum);
    expect(b.sum).toEqual(sum);
    expect(a.max).toEqual([4, 5, 9]);
    expect(b.max).toEqual([4, 5, 9]);
    expect(a.fromPython).toEqual([0.5, 1.5, 2.5, 3.5]);
    expect(b.received).toEqual([10, 20, 30]);
    expect(String(b.torch).split('+')[0]).toBe(torch.version().split('+')[0]);
  });
});

describe('DistributedSampler', () => {
  it('without shuffle equals PyTorch DistributedSampler index for index (padding and dropLast)', () => {
    if (!hasPython('torch')) return;
    const cases = [
      [10, 3, false],
      [10, 3, true],
      [7, 2, false],
      [4, 4, false],
      [3, 5, false],
    ] as const;
    const py = `
import json, sys
from torch.utils.data.distributed import DistributedSampler
out = []
for n, w, drop in json.loads(sys.argv[1]):
    out.append([list(DistributedSampler(range(n), num_replicas=w, rank=r, shuffle=False, drop_last=drop)) for r in range(w)])
print(json.dumps(out))
`;
    const want = JSON.parse(runPython(py, [JSON.stringify(cases)])) as number[][][];
    cases.forEach(([n, w, dropLast], c) => {
      for (let r = 0; r < w; r++) {
        expect(
          new data.DistributedSampler(n, { numReplicas: w, rank: r, shuffle: false, dropLast }).indices(),
          `${n}/${w}/${dropLast} rank ${r}`,
        ).toEqual(want[c][r]);
      }
    });
  });

  it('shuffles per epoch from seed + epoch: same plan on every rank, disjoint equal shards covering the dataset ' +
    '', () => {
    const n = 23,
      w = 4;
    const shards = (epoch: number): number[][] =>
      [...Array(w).keys()].map((r) => {
        const s = new data.DistributedSampler(n, { numReplicas: w, rank: r, seed: 5 });
        s.setEpoch(epoch);
        return [...s];
      });
    const e0 = shards(0),
      e1 = shards(1);
    for (const e of [e0, e1]) {
      expect(e.every((s) => s.length === Math.ceil(n / w))).toBe(true);
      const all = e.flat();
      expect(new Set(all).size).toBe(n); // every index, padding repeats only the first ones
      expect(all.length - n).toBe(Math.ceil(n / w) * w - n);
    }
    expect(e0).not.toEqual(e1);
    expect(shards(1)).toEqual(e1);
    expect(new Set([0, 1, 2, 3].map((r) => data.rankSeed(0, r, 0))).size).toBe(4);
    expect(data.rankSeed(3, 1, 2)).toBe(data.rankSeed(3, 1, 2));
    expect(data.rankSeed(3, 1, 2)).not.toBe(data.rankSeed(3, 1, 3));
    expect(() => new data.DistributedSampler(5, { numReplicas: 2, rank: 2 })).toThrow(/invalid rank 2/);
  });
});

describe.skipIf(available)('without Gloo', () => {
  it('isAvailable() is false and every call says how to enable it', () => {
    expect(() =>
      torch.distributed.initProcessGroup({ initMethod: 'tcp://127.0.0.1:1', rank: 0, worldSize: 1 }),
    ).toThrow(/libgloo-dev/);
  });
});
