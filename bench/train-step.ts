// One SKCDF training iteration (both forwards, DCCE losses, backward, SGD step: our `trainStep`)
// against the same algorithm in plain PyTorch (bench/reference/skcdf_reference.py), on the CPU,
// same thread count, same inputs. F 16, patch 32x64x64, batch 2+2, 14 classes.
//
// 1. Parity: our model's weights and inputs go to Python; forward outputs ('labeled', 'unlabeled',
//    train mode, dropout 0) and one step with identical masks are compared (max abs diffs printed).
// 2. Time and peak memory: each side runs in a fresh process that does only model construction,
//    2 warm-up and >= 5 timed iterations; ours reports process.resourceUsage().maxRSS, Python
//    resource.getrusage(RUSAGE_SELF).ru_maxrss. Ratio = ours / PyTorch.
//
// Env: BENCH_THREADS (2), BENCH_ITERS (5), BENCH_WARMUP (2), BENCH_PROFILE=1 (per-phase split on both sides).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import type { Savable } from '../lib/torch/serialize.js';
import { VNetDecoupleAttentionABC, initSkcdfWeights } from '../lib/skcdf/model.js';
import { trainStep, averageDecoderWeights, keepProbabilities } from '../lib/skcdf/train.js';
import { DCAndCELoss } from '../lib/nn/losses.js';
import { SGD } from '../lib/optim/sgd.js';
import { pythonEnv } from './python-env.js';

const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const ITERS = Math.max(5, Number(process.env.BENCH_ITERS ?? 5));
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const F = 16, C = 14, PATCH: [number, number, number] = [32, 64, 64], N = 2;
const LR = 0.3, EPOCH = 1, MAX_EPOCH = 1500, CPS_W = 10 * Math.exp(-5), EMA_W = 0.99;
const PY_SCRIPT = join(import.meta.dirname, 'reference/skcdf_reference.py');
const FWD_ATOL = 1e-3;

/** This process's own peak RSS in KiB: VmHWM (per address space, so not inherited from the parent across fork/exec as ru_maxrss is). */
const vmHwmKiB = (): number => {
  try { return Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN); } catch { return NaN; }
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pyArgs = (cmd: string, data: string): string[] => [PY_SCRIPT, cmd, '--data', data, '--threads', String(THREADS), '--filters', String(F),
  '--classes', String(C), '--patch', ...PATCH.map(String), '--warmup', String(WARMUP), '--iters', String(ITERS), '--lr', String(LR),
  '--epoch', String(EPOCH), '--max-epoch', String(MAX_EPOCH), '--cps-w', String(CPS_W)];
const childEnv = (): NodeJS.ProcessEnv => ({ ...pythonEnv(), OMP_NUM_THREADS: String(THREADS), MKL_NUM_THREADS: String(THREADS) });

function buildModel(): VNetDecoupleAttentionABC {
  const model = new VNetDecoupleAttentionABC({ nClasses: C, nFilters: F, patchSize: PATCH, hasDropout: true, numHeads: 2 });
  torch.manualSeed(0);
  initSkcdfWeights(model);
  model.train();
  return model;
}

/** Bench inputs: images, smooth-ish labels (mostly background), class ratios with background the commonest class. */
function makeInputs(): Map<string, Tensor> {
  torch.manualSeed(123);
  const shape = [N, 1, ...PATCH];
  const imageL = torch.rand(shape);
  const imageU = torch.rand(shape);
  const labelL = torch.tidy(() => {
    const fg = torch.randint(1, C, shape);
    return torch.where(torch.rand(shape).lt(0.6), torch.zeros(shape, { dtype: 'int64' }), fg);
  });
  const ratios = torch.tensor([0.004, 1, 0.8, 0.75, 0.2, 0.3, 0.02, 0.05, 0.15, 0.12, 0.5, 0.1, 0.9, 0.95], { dtype: 'float64' });
  return new Map([['imageL', imageL], ['imageU', imageU], ['labelL', labelL], ['ratios', ratios]]);
}

// ------------------------------------------------------------------------------------------------
// Worker: model construction + iterations only, in a fresh process.

function worker(dataPath: string, profile: boolean): void {
  torch.setNumThreads(THREADS);
  const rss0 = vmHwmKiB();
  const data = torch.keep(torch.load(dataPath) as Map<string, Tensor>);
  const imageL = data.get('imageL')!, imageU = data.get('imageU')!, labelL = data.get('labelL')!, ratios = data.get('ratios')!;
  const model = buildModel();
  const optimizer = new SGD(model.parameters(), { lr: LR, momentum: 0.9, weightDecay: 3e-5, nesterov: true });
  const loss = new DCAndCELoss();
  const times: number[] = [];
  const phases: Record<string, number[]> = { avg: [], fwdLabeled: [], lossSup: [], fwdUnlabeled: [], lossU: [], backward: [], step: [] };
  let last = 0;
  for (let i = 0; i < WARMUP + ITERS; i++) {
    const t0 = performance.now();
    if (!profile) {
      last = trainStep(model, optimizer, loss, { imageL, labelL, imageU, epoch: EPOCH, maxEpochs: MAX_EPOCH, ratios, cpsW: CPS_W, emaW: EMA_W }).loss;
    } else {
      // trainStep's body, split into phases (same ops in the same order).
      let t = performance.now();
      const mark = (k: string): void => { const now = performance.now(); if (i >= WARMUP) phases[k].push(now - t); t = now; };
      averageDecoderWeights(model, EMA_W); mark('avg');
      torch.tidy(() => {
        const [outA, outAAbc] = model.forward(torch.cat([imageL, imageU], 0), 'labeled'); mark('fwdLabeled');
        const maskL = torch.bernoulli(keepProbabilities(labelL, ratios));
        const lossSup = loss.forward(outA.get(`:${N}`), labelL).add(loss.forward(outAAbc.get(`:${N}`).mul(maskL), labelL.mul(maskL)));
        const [pl, plAbc] = torch.noGrad(() => [outA.get(`${N}:`).argmax(1, true), outAAbc.get(`${N}:`).argmax(1, true)]);
        const maskU = torch.bernoulli(keepProbabilities(plAbc, ratios.neg().add(1).mul(EPOCH / MAX_EPOCH).neg().add(1))); mark('lossSup');
        const [outU, outUAbc] = model.forward(imageU, 'unlabeled'); mark('fwdUnlabeled');
        const lossU = loss.forward(outU, pl).add(loss.forward(outUAbc.mul(maskU), plAbc.mul(maskU)));
        const total = lossSup.add(lossU.mul(CPS_W));
        last = total.item(); mark('lossU');
        total.backward(); mark('backward');
        optimizer.step(); optimizer.zeroGrad(); mark('step');
      });
    }
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  const out: Record<string, unknown> = { timesMs: times, maxRssKiB: process.resourceUsage().maxRSS, vmHwmKiB: vmHwmKiB(), rssBeforeModelKiB: rss0, loss: last, threads: torch.getNumThreads() };
  if (profile) out.phases = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, median(v)]));
  console.log(JSON.stringify(out));
}

// ------------------------------------------------------------------------------------------------
// Parity check (same weights, inputs and masks on both sides).

function parity(dir: string, inputs: Map<string, Tensor>): Record<string, unknown> {
  const path = join(dir, 'parity.pth');
  torch.tidy(() => {
    const model = buildModel();
    model.setDropout(0);
    const state = new Map([...model.stateDict()].map(([k, v]) => [k, v.clone()]));
    const imageL = inputs.get('imageL')!, imageU = inputs.get('imageU')!, labelL = inputs.get('labelL')!, ratios = inputs.get('ratios')!;
    const imageLU = torch.cat([imageL, imageU], 0);
    const [lo, loa] = torch.noGrad(() => model.forward(imageLU, 'labeled'));
    const [uo, uoa] = torch.noGrad(() => model.forward(imageU, 'unlabeled'));
    torch.manualSeed(7);
    const maskL = torch.bernoulli(torch.full(labelL.shape, 0.5, { dtype: 'float64' }));
    const maskU = torch.bernoulli(torch.full(labelL.shape, 0.7, { dtype: 'float64' }));
    const optimizer = new SGD(model.parameters(), { lr: LR, momentum: 0.9, weightDecay: 3e-5, nesterov: true });
    const r = trainStep(model, optimizer, new DCAndCELoss(), { imageL, labelL, imageU, epoch: EPOCH, maxEpochs: MAX_EPOCH, ratios, cpsW: CPS_W, emaW: EMA_W, maskL, maskU });
    torch.save(new Map<string, Savable>([
      ['state', state], ['imageLU', imageLU], ['imageL', imageL], ['imageU', imageU], ['labelL', labelL], ['ratios', ratios],
      ['fwdLabeledOut', lo], ['fwdLabeledOutAbc', loa], ['fwdUnlabeledOut', uo], ['fwdUnlabeledOutAbc', uoa],
      ['maskL', maskL], ['maskU', maskU], ['stepResult', { loss: r.loss, lossSup: r.lossSup, lossU: r.lossU, terms: { ...r.terms } }],
      ['stateAfter', model.stateDict()],
    ]), path);
    torch.dispose([...model.parameters(), ...model.buffers()]);
  });
  return JSON.parse(execFileSync('python3', pyArgs('verify', path), { env: childEnv(), maxBuffer: 1 << 24 }).toString()) as Record<string, unknown>;
}

// ------------------------------------------------------------------------------------------------

interface RunResult { timesMs: number[]; maxRssKiB: number; vmHwmKiB: number; rssBeforeModelKiB: number; loss: number; threads: number; phases?: Record<string, number> }

function main(): void {
  torch.setNumThreads(THREADS);
  const dir = mkdtempSync(join(tmpdir(), 'bench-train-step-'));
  try {
    const inputs = torch.keep(makeInputs());
    const dataPath = join(dir, 'inputs.pth');
    torch.save(inputs, dataPath);

    const profile = process.env.BENCH_PROFILE === '1';
    const self = import.meta.filename;
    const runOurs = (): RunResult => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', self, '--worker', dataPath, ...(profile ? ['--profile'] : [])],
      { env: childEnv(), maxBuffer: 1 << 24 }).toString().trim().split('\n').at(-1)!) as RunResult;
    const runPy = (cmd: string): RunResult => JSON.parse(execFileSync('python3', pyArgs(cmd, dataPath), { env: childEnv(), maxBuffer: 1 << 24 }).toString()) as RunResult;
    const ours = runOurs();
    const py = runPy('bench');
    const pyProfile = profile ? runPy('profile') as unknown as Record<string, number> : undefined;

    // Parity after the timed runs: the children are forked from a small parent.
    const p = parity(dir, inputs) as {
      keysEqual: boolean; shapesEqual: boolean;
      fwdLabeled: { out: number; outAbc: number }; fwdUnlabeled: { out: number; outAbc: number };
      step: { lossAbsDiff: number; termsAbsDiff: Record<string, number>; ref: { loss: number }; ours: { loss: number } };
      paramsAfterStep: { maxAbsDiff: number; worst: string };
    };
    console.log('parity (max abs diff, ours vs PyTorch reference, same weights/inputs/masks):');
    console.table({
      'forward labeled out': p.fwdLabeled.out, 'forward labeled out_abc': p.fwdLabeled.outAbc,
      'forward unlabeled out': p.fwdUnlabeled.out, 'forward unlabeled out_abc': p.fwdUnlabeled.outAbc,
      'step loss': p.step.lossAbsDiff, ...Object.fromEntries(Object.entries(p.step.termsAbsDiff).map(([k, v]) => [`step term ${k}`, v])),
      'params after step': p.paramsAfterStep.maxAbsDiff,
    });
    const fwdMax = Math.max(p.fwdLabeled.out, p.fwdLabeled.outAbc, p.fwdUnlabeled.out, p.fwdUnlabeled.outAbc);
    const parityOk = p.keysEqual && p.shapesEqual && fwdMax <= FWD_ATOL && p.step.lossAbsDiff <= FWD_ATOL;
    if (!parityOk) console.error(`PARITY FAILED: keys ${p.keysEqual} shapes ${p.shapesEqual} forward ${fwdMax} loss ${p.step.lossAbsDiff}`);

    const oursMs = median(ours.timesMs), pyMs = median(py.timesMs);
    const peak = (r: RunResult): number => (Number.isFinite(r.vmHwmKiB) ? r.vmHwmKiB : r.maxRssKiB);
    console.log(`\ntrain step: F ${F}, patch ${PATCH.join('x')}, batch ${N}+${N}, ${C} classes, CPU, ${THREADS} threads, warm-up ${WARMUP}, median of ${ITERS}`);
    console.table({
      ours: { medianMs: +oursMs.toFixed(1), minMs: +Math.min(...ours.timesMs).toFixed(1), peakRssMiB: +(peak(ours) / 1024).toFixed(1), ruMaxRssMiB: +(ours.maxRssKiB / 1024).toFixed(1), rssBeforeModelMiB: +(ours.rssBeforeModelKiB / 1024).toFixed(1) },
      pytorch: { medianMs: +pyMs.toFixed(1), minMs: +Math.min(...py.timesMs).toFixed(1), peakRssMiB: +(peak(py) / 1024).toFixed(1), ruMaxRssMiB: +(py.maxRssKiB / 1024).toFixed(1), rssBeforeModelMiB: +(py.rssBeforeModelKiB / 1024).toFixed(1) },
    });
    if (profile && ours.phases && pyProfile) {
      console.log('per-phase medians (ms):');
      console.table(Object.fromEntries(Object.keys(ours.phases).map((k) => [k, { ours: +ours.phases![k].toFixed(1), pytorch: +pyProfile[k].toFixed(1), ratio: +(ours.phases![k] / pyProfile[k]).toFixed(3) }])));
    }
    console.log(JSON.stringify({
      bench: 'train-step', ratio: +(oursMs / pyMs).toFixed(3), memoryRatio: +(peak(ours) / peak(py)).toFixed(3),
      oursMs: +oursMs.toFixed(1), pytorchMs: +pyMs.toFixed(1), oursPeakRssMiB: +(peak(ours) / 1024).toFixed(1), pytorchPeakRssMiB: +(peak(py) / 1024).toFixed(1), oursRuMaxRssMiB: +(ours.maxRssKiB / 1024).toFixed(1), pytorchRuMaxRssMiB: +(py.maxRssKiB / 1024).toFixed(1), oursRssBeforeModelMiB: +(ours.rssBeforeModelKiB / 1024).toFixed(1), pytorchRssBeforeModelMiB: +(py.rssBeforeModelKiB / 1024).toFixed(1),
      oursTimesMs: ours.timesMs.map((t) => +t.toFixed(1)), pytorchTimesMs: py.timesMs.map((t) => +t.toFixed(1)),
      threads: THREADS, iterations: ITERS, warmup: WARMUP, nFilters: F, patch: PATCH, batch: `${N}+${N}`, nClasses: C,
      parity: { ok: parityOk, forwardMaxAbsDiff: fwdMax, lossAbsDiff: p.step.lossAbsDiff, paramsAfterStepMaxAbsDiff: p.paramsAfterStep.maxAbsDiff },
      ...(profile && ours.phases ? { phasesMs: { ours: ours.phases, pytorch: pyProfile } } : {}),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--worker') worker(argv[1], argv.includes('--profile'));
else main();
