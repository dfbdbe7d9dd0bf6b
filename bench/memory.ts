// Leak check of the training loop machinery: 10,000 iterations of a small forward / backward / SGD
// step (Conv3d + BatchNorm3d + ReLU + Linear from lib/nn, cross-entropy, lib/optim SGD with Nesterov
// momentum and weight decay) inside torch.tidy. Every iteration the live tensor count must return to
// its baseline (asserted); RSS is sampled every 100 iterations. ratio = RSS at the end / RSS after
// the warm-up (first 1000 iterations). Target <= 1.05.
//
// The reference is the target itself (flat memory), so ratio is ours-end / ours-after-warm-up.
// Env: BENCH_ITERS (10000), BENCH_WARMUP (1000), BENCH_THREADS (1).
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import { Module } from '../lib/nn/module.js';
import { BatchNorm3d, Conv3d, Linear, ReLU } from '../lib/nn/layers.js';
import * as F from '../lib/nn/functional.js';
import { SGD } from '../lib/optim/sgd.js';

const ITERS = Number(process.env.BENCH_ITERS ?? 10_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
const EVERY = 100;
torch.setNumThreads(Number(process.env.BENCH_THREADS ?? 1));

class Small extends Module {
  readonly conv = this.registerModule('conv', new Conv3d(1, 4, 3, { padding: 1 }));
  readonly bn = this.registerModule('bn', new BatchNorm3d(4));
  readonly relu = this.registerModule('relu', new ReLU());
  readonly fc = this.registerModule('fc', new Linear(4 * 4 * 4 * 4, 3));
  override forward(x: Tensor): Tensor {
    return torch.tidy(() => this.fc.forward(this.relu.forward(this.bn.forward(this.conv.forward(x))).flatten(1)));
  }
}

torch.manualSeed(0);
const model = new Small();
model.train();
const optimizer = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9, weightDecay: 3e-5, nesterov: true });
const x = torch.keep(torch.rand([2, 1, 4, 4, 4]));
const y = torch.keep(torch.tensor([0, 2], { dtype: 'int64' }));

const mib = (b: number): number => +(b / 2 ** 20).toFixed(2);
let baseline = -1;
const samples: { iter: number; rssMiB: number; heapMiB: number; liveTensors: number; cpuBytes: number }[] = [];
let lossValue = 0;
const t0 = performance.now();
for (let i = 1; i <= ITERS; i++) {
  lossValue = torch.tidy(() => {
    const loss = F.crossEntropy(model.forward(x), y);
    loss.backward();
    optimizer.step();
    optimizer.zeroGrad();
    return loss.item();
  });
  const live = torch.memory().liveTensors;
  if (i === 1)
    baseline = live; // after the first step: momentum buffers exist from here on
  else if (live !== baseline)
    throw new Error(`memory bench: live tensors ${live} at iteration ${i}, baseline ${baseline} (a leak in the step)`);
  if (i % EVERY === 0) {
    const m = torch.memory();
    samples.push({
      iter: i,
      rssMiB: mib(process.memoryUsage.rss()),
      heapMiB: mib(process.memoryUsage().heapUsed),
      liveTensors: m.liveTensors,
      cpuBytes: m.cpuBytes,
    });
  }
}
const seconds = (performance.now() - t0) / 1000;
const atWarmup = samples.find((s) => s.iter === WARMUP) ?? samples[0];
const last = samples[samples.length - 1];
const ratio = last.rssMiB / atWarmup.rssMiB;
const maxAfter = Math.max(...samples.filter((s) => s.iter >= WARMUP).map((s) => s.rssMiB));
console.table(samples.filter((s) => s.iter % 1000 === 0 || s.iter === EVERY));
console.log(
  `${ITERS} iterations in ${seconds.toFixed(1)} s; live tensors ${baseline} every iteration; RSS ${atWarmup.rssMiB} ` +
  `MiB after ${atWarmup.iter} -> ${last.rssMiB} MiB at ${last.iter} (max ${maxAfter} MiB)`,
);
const ok = ratio <= 1.05;
console.log(
  JSON.stringify({
    bench: 'memory',
    ratio: +ratio.toFixed(4),
    liveTensorsFlat: true,
    liveTensors: baseline,
    target: 1.05,
    ok,
    rssAfterWarmupMiB: atWarmup.rssMiB,
    rssEndMiB: last.rssMiB,
    rssMaxAfterWarmupMiB: maxAfter,
    heapAfterWarmupMiB: atWarmup.heapMiB,
    heapEndMiB: last.heapMiB,
    iterations: ITERS,
    warmup: WARMUP,
    loss: lossValue,
    seconds: +seconds.toFixed(1),
  }),
);
