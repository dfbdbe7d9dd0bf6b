// One SKCDF training iteration (both forwards, DCCE losses, backward, SGD step: our `trainStep`)
// against the same algorithm in plain PyTorch (bench/reference/skcdf_reference.py), on the CPU,
// same thread count, same inputs, batch 2+2. `--config NAME` (BENCH_CONFIG) picks the model and patch
// (bench/train-step-config.ts): `bench` (default) F 16, patch 32x64x64, 14 classes, dropout on; `synthetic` what
// `npm run train` trains by default (filters, patch, dropout of defaultConfig('synthetic'), the synthetic set's
// classes); `paper` the paper's Synapse configuration (F 32, patch 64x128x128, dropout on; defaults iters 2,
// warm-up 1, pairs 1: over a minute per iteration per side on 2 cores, ~20 GiB). lr, epoch, cps and EMA weights
// are the same for every preset.
//
// 1. Time, CPU time and peak memory: `--pairs P` (BENCH_PAIRS, default 5) pairs of fresh processes, ours
//    and Python alternating (bench/harness.ts); each does model construction, warm-up and timed
//    iterations, and reports per-iteration wall and CPU (user+sys, all threads) times and its peak RSS.
//    A pair's ratio is median(ours) / median(Python); the final JSON line's `ratio` is the median over
//    the pairs, with min/max/IQR, and `cpuRatio` the same for CPU time. `oursMs` / `pytorchMs`: median ms per
//    iteration. Memory: `memoryRatio` is our peak RSS / Python's; each child also records its RSS (VmRSS) after
//    every timed iteration: `rssPerIterMiB` {ours, python} (per iteration, the median over the pairs) and
//    `rssGrowthMiB` {ours, python} (last minus first timed iteration, median over the pairs), to show growth.
//    `config` names the preset.
//    `--lockstep [S]` instead keeps one process per side alive and alternates single timed iterations between them
//    (ABBA, S pairs, default 20): each ratio compares iterations a second or two apart, so the machine's drifts
//    within a minute cancel; both sides' memory is resident at once (not for `paper`).
// 2. Parity: our model's weights and inputs go to Python; forward outputs ('labeled', 'unlabeled',
//    train mode, dropout 0) and one step with identical masks are compared (max abs diffs printed).
// `--instructions`: instead, instruction counts under callgrind (1 thread) of the parts of a step that are
//    ours beyond the convolutions: DC+CE loss forward+backward on [2, C, 16, 16, 16], decoder weight
//    averaging, the SGD step, keep probabilities + bernoulli; the same every run.
//
// Env: BENCH_CONFIG (bench), BENCH_THREADS (2), BENCH_ITERS (5), BENCH_WARMUP (2), BENCH_PAIRS (5) (the last three
// default to the preset's), BENCH_NODE_FLAGS (V8 flags for our child), BENCH_PROFILE=1 (per-phase split on both
// sides, one pair).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/tensor.js';
import type { Savable } from '../lib/torch/serialize.js';
import { VNetDecoupleAttentionABC, initSkcdfWeights } from '../lib/skcdf/model.js';
import { trainStep, averageDecoderWeights, keepProbabilities } from '../lib/skcdf/train.js';
import { DCAndCELoss } from '../lib/skcdf/losses.js';
import { SGD } from '../lib/optim/sgd.js';
import { pythonEnv } from './python-env.js';
import { presetOption, procStatusKiB, repetitionOptions, vmRssKiB } from './train-step-config.js';
import {
  realPython,
  callgrindPhases,
  cpuMs,
  usage,
  gitCommit,
  hasValgrind,
  interleave,
  intOption,
  leadSettings,
  lockstep,
  nodeChild,
  roundStats,
  runJson,
  stats,
  stdinLines,
  type ChildCommand,
  type StepTime,
} from './harness.js';

const ARGV = process.argv.slice(2);
const INSTR = ARGV.includes('--instructions');
// `--lockstep [S]`: S (default 20) pairs of single iterations, both sides alive at once (bench/harness.ts, lockstep).
const LOCKSTEP = ((): number => {
  const i = ARGV.indexOf('--lockstep');
  if (i < 0 || ARGV[0] === '--worker') return 0;
  const next = ARGV[i + 1];
  return next === undefined || next.startsWith('--') ? 20 : intOption(ARGV, '--lockstep', 'BENCH_LOCKSTEP', 20);
})();
const PRESET = presetOption(ARGV);
if (LOCKSTEP && PRESET.name === 'paper')
  throw new Error('train-step: --lockstep keeps both sides resident at once; --config paper needs ~20 GiB per side');
const THREADS = intOption(ARGV, '--threads', 'BENCH_THREADS', INSTR ? 1 : 2);
const { iters: ITERS, warmup: WARMUP, pairs: PAIRS } = repetitionOptions(ARGV, PRESET, INSTR);
const F = PRESET.nFilters,
  C = PRESET.nClasses,
  PATCH = PRESET.patch,
  DROPOUT = PRESET.hasDropout,
  N = 2;
const LOSS_SHAPE = [2, C, 16, 16, 16];
const LR = 0.3,
  EPOCH = 1,
  MAX_EPOCH = 1500,
  CPS_W = 10 * Math.exp(-5),
  EMA_W = 0.99;
const PY_SCRIPT = join(import.meta.dirname, 'reference/skcdf_reference.py');
const FWD_ATOL = 1e-3;

/**
 * This process's own peak RSS in KiB: VmHWM (per address space, so not inherited from the parent across fork/exec as
 * ru_maxrss is).
 */
const vmHwmKiB = (): number => procStatusKiB('VmHWM');
const median = (xs: number[]): number => stats(xs).median;
const pyArgs = (cmd: string, data: string): string[] => [
  PY_SCRIPT,
  cmd,
  '--data',
  data,
  '--threads',
  String(THREADS),
  '--filters',
  String(F),
  '--classes',
  String(C),
  '--patch',
  ...PATCH.map(String),
  DROPOUT ? '--dropout' : '--no-dropout',
  '--warmup',
  String(WARMUP),
  '--iters',
  String(ITERS),
  '--lr',
  String(LR),
  '--epoch',
  String(EPOCH),
  '--max-epoch',
  String(MAX_EPOCH),
  '--cps-w',
  String(CPS_W),
];
const childEnv = (): NodeJS.ProcessEnv => ({
  ...pythonEnv(),
  OMP_NUM_THREADS: String(THREADS),
  MKL_NUM_THREADS: String(THREADS),
});

function buildModel(): VNetDecoupleAttentionABC {
  const model = new VNetDecoupleAttentionABC({
    nClasses: C,
    nFilters: F,
    patchSize: PATCH,
    hasDropout: DROPOUT,
    numHeads: 2,
  });
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
  const keep = [0.004, 1, 0.8, 0.75, 0.2, 0.3, 0.02, 0.05, 0.15, 0.12, 0.5, 0.1, 0.9, 0.95];
  if (keep.length !== C)
    throw new Error(
      `train-step --config ${PRESET.name}: the bench's class ratios are for ${keep.length} classes, not ${C}`,
    );
  const ratios = torch.tensor(keep, { dtype: 'float64' });
  return new Map([
    ['imageL', imageL],
    ['imageU', imageU],
    ['labelL', labelL],
    ['ratios', ratios],
  ]);
}

// ------------------------------------------------------------------------------------------------
// Worker: model construction + iterations only, in a fresh process.

/** The phases of the profile mode, in step order (both sides time the same split). */
const PHASES = ['avg', 'fwdLabeled', 'masks', 'lossSup', 'fwdUnlabeled', 'lossU', 'backward', 'step'] as const;
type Phase = (typeof PHASES)[number];
/** One phase of one iteration: wall, CPU (user+sys, all threads) and system milliseconds, minor page faults. */
interface PhaseSample {
  wallMs: number;
  cpuMs: number;
  sysMs: number;
  faults: number;
}

function phaseClock(): PhaseSample {
  const u = usage();
  return { wallMs: performance.now(), cpuMs: cpuMs(), sysMs: u.sysMs, faults: u.minorFaults };
}

function phaseDelta(a: PhaseSample, b: PhaseSample): PhaseSample {
  return {
    wallMs: b.wallMs - a.wallMs,
    cpuMs: b.cpuMs - a.cpuMs,
    sysMs: b.sysMs - a.sysMs,
    faults: b.faults - a.faults,
  };
}

/** Per phase, the median of each measure over the timed iterations. */
function medianPhases(phases: Record<string, PhaseSample[]>): Record<string, PhaseSample> {
  const m = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
  return Object.fromEntries(
    Object.entries(phases).map(([k, v]) => [
      k,
      {
        wallMs: m(v.map((x) => x.wallMs)),
        cpuMs: m(v.map((x) => x.cpuMs)),
        sysMs: m(v.map((x) => x.sysMs)),
        faults: m(v.map((x) => x.faults)),
      },
    ]),
  );
}

/** The per-phase table of the profile mode: wall and CPU ms, system ms and minor faults, ours beside Python. */
function printPhases(ours: Record<string, PhaseSample>, py: Record<string, PhaseSample>): void {
  const r = (x: number, d = 1): number => +x.toFixed(d);
  console.log('per-phase medians (one iteration; wall and CPU in ms):');
  console.table(
    Object.fromEntries(
      PHASES.map((k) => {
        const o = ours[k]!,
          p = py[k]!;
        return [
          k,
          {
            wallOurs: r(o.wallMs),
            wallPy: r(p.wallMs),
            wallRatio: r(o.wallMs / p.wallMs, 3),
            cpuOurs: r(o.cpuMs),
            cpuPy: r(p.cpuMs),
            sysOurs: r(o.sysMs),
            sysPy: r(p.sysMs),
            faultsOurs: o.faults,
            faultsPy: p.faults,
          },
        ];
      }),
    ),
  );
}

function worker(dataPath: string, profile: boolean, lockstepChild: boolean): void {
  torch.setNumThreads(THREADS);
  const rss0 = vmHwmKiB();
  const data = torch.keep(torch.load(dataPath) as Map<string, Tensor>);
  const imageL = data.get('imageL')!,
    imageU = data.get('imageU')!,
    labelL = data.get('labelL')!,
    ratios = data.get('ratios')!;
  const model = buildModel();
  const optimizer = new SGD(model.parameters(), { lr: LR, momentum: 0.9, weightDecay: 3e-5, nesterov: true });
  const loss = new DCAndCELoss();
  const times: number[] = [],
    cpus: number[] = [],
    sys: number[] = [],
    faults: number[] = [],
    rss: number[] = [];
  const phases: Record<string, PhaseSample[]> = Object.fromEntries(PHASES.map((k) => [k, []]));
  let last = 0;
  const iteration = (i: number): void => {
    const t0 = performance.now(),
      c0 = cpuMs(),
      u0 = usage();
    if (!profile) {
      last = trainStep(model, optimizer, loss, {
        imageL,
        labelL,
        imageU,
        epoch: EPOCH,
        maxEpochs: MAX_EPOCH,
        ratios,
        cpsW: CPS_W,
        emaW: EMA_W,
      }).loss;
    } else {
      // trainStep's body, split into phases (same ops; the masks and pseudo labels timed apart).
      let t = phaseClock();
      const mark = (k: Phase): void => {
        const now = phaseClock();
        if (i >= WARMUP) phases[k]!.push(phaseDelta(t, now));
        t = now;
      };
      averageDecoderWeights(model, EMA_W);
      mark('avg');
      torch.tidy(() => {
        const [outA, outAAbc] = model.forward(torch.cat([imageL, imageU], 0), 'labeled');
        mark('fwdLabeled');
        const maskL = torch.bernoulli(keepProbabilities(labelL, ratios));
        const [pl, plAbc] = torch.noGrad(() => [
          outA.get(`${N}:`).argmax(1, true),
          outAAbc.get(`${N}:`).argmax(1, true),
        ]);
        const ratiosU = ratios
          .neg()
          .add(1)
          .mul(EPOCH / MAX_EPOCH)
          .neg()
          .add(1);
        const maskU = torch.bernoulli(keepProbabilities(plAbc, ratiosU));
        mark('masks');
        const lossSup = loss
          .forward(outA.get(`:${N}`), labelL)
          .add(loss.forward(outAAbc.get(`:${N}`).mul(maskL), labelL.mul(maskL)));
        mark('lossSup');
        const [outU, outUAbc] = model.forward(imageU, 'unlabeled');
        mark('fwdUnlabeled');
        const lossU = loss.forward(outU, pl).add(loss.forward(outUAbc.mul(maskU), plAbc.mul(maskU)));
        const total = lossSup.add(lossU.mul(CPS_W));
        last = total.item();
        mark('lossU');
        total.backward();
        mark('backward');
        optimizer.step();
        optimizer.zeroGrad();
        mark('step');
      });
    }
    if (i >= WARMUP) {
      const u1 = usage();
      times.push(performance.now() - t0);
      cpus.push(cpuMs() - c0);
      sys.push(u1.sysMs - u0.sysMs);
      faults.push(u1.minorFaults - u0.minorFaults);
      rss.push(vmRssKiB());
    }
  };
  for (let i = 0; i < WARMUP; i++) iteration(i);
  if (lockstepChild) {
    console.log(JSON.stringify({ ready: true }));
    let i = WARMUP;
    for (const line of stdinLines()) {
      if (line !== 'step') break;
      iteration(i++);
      console.log(JSON.stringify({ ms: times.at(-1), cpuMs: cpus.at(-1) }));
    }
  } else for (let i = WARMUP; i < WARMUP + ITERS; i++) iteration(i);
  const out: Record<string, unknown> = {
    timesMs: times,
    cpuMs: cpus,
    sysMs: sys,
    minorFaults: faults,
    rssKiB: rss,
    maxRssKiB: process.resourceUsage().maxRSS,
    vmHwmKiB: vmHwmKiB(),
    rssBeforeModelKiB: rss0,
    loss: last,
    threads: torch.getNumThreads(),
  };
  if (profile) out.phases = medianPhases(phases);
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
    const imageL = inputs.get('imageL')!,
      imageU = inputs.get('imageU')!,
      labelL = inputs.get('labelL')!,
      ratios = inputs.get('ratios')!;
    const imageLU = torch.cat([imageL, imageU], 0);
    const [lo, loa] = torch.noGrad(() => model.forward(imageLU, 'labeled'));
    const [uo, uoa] = torch.noGrad(() => model.forward(imageU, 'unlabeled'));
    torch.manualSeed(7);
    const maskL = torch.bernoulli(torch.full(labelL.shape, 0.5, { dtype: 'float64' }));
    const maskU = torch.bernoulli(torch.full(labelL.shape, 0.7, { dtype: 'float64' }));
    const optimizer = new SGD(model.parameters(), { lr: LR, momentum: 0.9, weightDecay: 3e-5, nesterov: true });
    const r = trainStep(model, optimizer, new DCAndCELoss(), {
      imageL,
      labelL,
      imageU,
      epoch: EPOCH,
      maxEpochs: MAX_EPOCH,
      ratios,
      cpsW: CPS_W,
      emaW: EMA_W,
      maskL,
      maskU,
    });
    torch.save(
      new Map<string, Savable>([
        ['state', state],
        ['imageLU', imageLU],
        ['imageL', imageL],
        ['imageU', imageU],
        ['labelL', labelL],
        ['ratios', ratios],
        ['fwdLabeledOut', lo],
        ['fwdLabeledOutAbc', loa],
        ['fwdUnlabeledOut', uo],
        ['fwdUnlabeledOutAbc', uoa],
        ['maskL', maskL],
        ['maskU', maskU],
        ['stepResult', { loss: r.loss, lossSup: r.lossSup, lossU: r.lossU, terms: { ...r.terms } }],
        ['stateAfter', model.stateDict()],
      ]),
      path,
    );
    torch.dispose([...model.parameters(), ...model.buffers()]);
  });
  return JSON.parse(
    execFileSync('python3', pyArgs('verify', path), { env: childEnv(), maxBuffer: 1 << 24 }).toString(),
  ) as Record<string, unknown>;
}

// ------------------------------------------------------------------------------------------------

interface RunResult {
  timesMs: number[];
  cpuMs: number[];
  sysMs: number[];
  minorFaults: number[];
  /** VmRSS after each timed iteration. */
  rssKiB: number[];
  maxRssKiB: number;
  vmHwmKiB: number;
  rssBeforeModelKiB: number;
  loss: number;
  threads: number;
  phases?: Record<string, PhaseSample>;
}

/** RSS in MiB after each timed iteration (median over the pairs) and its growth, per side. */
interface RssSummary {
  perIterMiB: { ours: number[]; python: number[] };
  growthMiB: { ours: number; python: number };
}

/**
 * Memory growth: prints each run's RSS after every timed iteration, and per side the growth (last minus first timed
 * iteration, median over the pairs); returns both, per iteration as the median over the pairs.
 */
function rssSummary(runs: { ours: RunResult[]; ref: RunResult[] }): RssSummary {
  const mib = (kib: number): number => +(kib / 1024).toFixed(1);
  const side = (rs: RunResult[], label: string): { perIter: number[]; growth: number } => {
    rs.forEach((r, i) =>
      console.log(`RSS after each timed iteration, ${label}, pair ${i} (MiB): ${r.rssKiB.map(mib)}`),
    );
    const growth = mib(median(rs.map((r) => r.rssKiB.at(-1)! - r.rssKiB[0]!)));
    console.log(`${label} rssGrowthMiB (last minus first timed iteration, median over the pairs): ${growth}`);
    return { perIter: rs[0]!.rssKiB.map((_, j) => mib(median(rs.map((r) => r.rssKiB[j]!)))), growth };
  };
  const o = side(runs.ours, 'ours'),
    p = side(runs.ref, 'python');
  return { perIterMiB: { ours: o.perIter, python: p.perIter }, growthMiB: { ours: o.growth, python: p.growth } };
}

const OVERHEAD_PHASES = ['loss', 'ema', 'step', 'keep'] as const;

/**
 * The parts of a step beyond the convolutions, each repeated between getuid() markers (see bench/harness.ts); same
 * order as the Python side's `overhead`.
 */
function overheadWorker(dataPath: string): void {
  torch.setNumThreads(THREADS);
  const data = torch.keep(torch.load(dataPath) as Map<string, Tensor>);
  const model = buildModel();
  const optimizer = new SGD(model.parameters(), { lr: LR, momentum: 0.9, weightDecay: 3e-5, nesterov: true });
  for (const p of model.parameters()) p.grad = torch.fullLike(p, 1e-3);
  const loss = new DCAndCELoss();
  const logits = torch.keep(data.get('lossLogits')!.clone().requiresGrad_(true)),
    target = data.get('lossTarget')!;
  const label = data.get('labelL')!,
    ratios = data.get('ratios')!;
  const phases: (() => void)[] = [
    () => {
      torch.tidy(() => loss.forward(logits, target).backward());
      logits.grad = null;
    },
    () => averageDecoderWeights(model, EMA_W),
    () => optimizer.step(),
    () =>
      torch.tidy(() => {
        torch.bernoulli(keepProbabilities(label, ratios));
      }),
  ];
  for (const f of phases) for (let i = 0; i < WARMUP; i++) f();
  process.getuid?.();
  for (const f of phases) {
    for (let i = 0; i < ITERS; i++) f();
    process.getuid?.();
  }
  console.log(JSON.stringify({ phases: OVERHEAD_PHASES, iters: ITERS }));
}

/** One pair's times for its table row: wall and CPU ms, and (fresh processes) system ms and minor faults. */
interface PairTimes extends StepTime {
  sysMs?: number;
  faults?: number;
}

/** The medians of a fresh-process run's timed iterations. */
const medianTimes = (r: RunResult): PairTimes => ({
  ms: median(r.timesMs),
  cpuMs: median(r.cpuMs),
  sysMs: median(r.sysMs),
  faults: median(r.minorFaults),
});

/** A pair's row of the table: both sides' times and their ratios (`ratio`, `cpuRatio`). */
function pairRow(i: number, a: PairTimes, b: PairTimes): Record<string, number | string> {
  const row: Record<string, number | string> = {
    pair: i,
    order: i % 2 ? 'python first' : 'ours first',
    oursMs: +a.ms.toFixed(1),
    pythonMs: +b.ms.toFixed(1),
    ratio: +(a.ms / b.ms).toFixed(3),
    oursCpuMs: +a.cpuMs.toFixed(1),
    pythonCpuMs: +b.cpuMs.toFixed(1),
    cpuRatio: +(a.cpuMs / b.cpuMs).toFixed(3),
  };
  if (a.sysMs !== undefined && b.sysMs !== undefined) {
    Object.assign(row, {
      oursSysMs: +a.sysMs.toFixed(1),
      pythonSysMs: +b.sysMs.toFixed(1),
      oursFaults: a.faults,
      pythonFaults: b.faults,
    });
  }
  return row;
}

/**
 * Both sides in lockstep (`--lockstep S`): S pairs of single iterations after each side's warm-up, ABBA order; one
 * row per pair in `pairRows`, and each side's final JSON as its one run.
 */
async function lockstepRuns(
  ours: ChildCommand,
  dataPath: string,
  pairRows: Record<string, number | string>[],
): Promise<{ ours: RunResult[]; ref: RunResult[] }> {
  const r = await lockstep<RunResult, RunResult>(
    { ...ours, args: [...ours.args, '--lockstep'], env: { ...childEnv(), ...ours.env } },
    { cmd: 'python3', args: [...pyArgs('bench', dataPath), '--lockstep'], env: childEnv() },
    LOCKSTEP,
    (i, a, b) => pairRows.push(pairRow(i, a, b)),
  );
  return { ours: [r.ours], ref: [r.ref] };
}

/** The preset and repetition flags our child processes get (the same for every mode). */
const childFlags = (): string[] => [
  '--config',
  PRESET.name,
  '--threads',
  String(THREADS),
  '--iters',
  String(ITERS),
  '--warmup',
  String(WARMUP),
];

function instructions(dataPath: string, env: NodeJS.ProcessEnv): void {
  if (!hasValgrind()) throw new Error('train-step --instructions needs valgrind (scripts/bench-setup.sh installs it)');
  const ours = nodeChild(import.meta.filename, ['--overhead-worker', dataPath, ...childFlags()]);
  const o = callgrindPhases(ours.cmd, ours.args, { ...env, ...ours.env }, OVERHEAD_PHASES.length);
  const p = callgrindPhases(realPython(env), pyArgs('overhead', dataPath), env, OVERHEAD_PHASES.length);
  const perPhase = Object.fromEntries(
    OVERHEAD_PHASES.map((k, i) => {
      const oi = o.instructions[i]! / ITERS,
        pi = p.instructions[i]! / ITERS;
      return [
        k,
        {
          oursInstr: Math.round(oi),
          pythonInstr: Math.round(pi),
          ratio: +(oi / pi).toFixed(3),
          oursMinusPython: Math.round(oi - pi),
        },
      ];
    }),
  );
  console.log(
    `instructions per repetition (callgrind, all threads, ${THREADS} thread(s), ${ITERS} repetitions after ${WARMUP} ` +
      `warm-up; loss on [${LOSS_SHAPE}])`,
  );
  console.table(perPhase);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  console.log(
    JSON.stringify({
      bench: 'train-step',
      mode: 'instructions',
      config: PRESET.name,
      ratio: +(sum(o.instructions) / sum(p.instructions)).toFixed(3),
      threads: THREADS,
      iterations: ITERS,
      warmup: WARMUP,
      nFilters: F,
      patch: PATCH,
      lossShape: LOSS_SHAPE,
      ...leadSettings(),
      commit: gitCommit(),
      perPhase,
    }),
  );
}

async function main(): Promise<void> {
  torch.setNumThreads(THREADS);
  const dir = mkdtempSync(join(tmpdir(), 'bench-train-step-'));
  try {
    const inputs = torch.keep(makeInputs());
    torch.manualSeed(5);
    inputs.set('lossLogits', torch.randn(LOSS_SHAPE));
    inputs.set('lossTarget', torch.randint(0, C, [LOSS_SHAPE[0]!, 1, ...LOSS_SHAPE.slice(2)]));
    const dataPath = join(dir, 'inputs.pth');
    torch.save(inputs, dataPath);
    if (INSTR) {
      instructions(dataPath, childEnv());
      return;
    }

    const profile = process.env.BENCH_PROFILE === '1';
    const ours = nodeChild(import.meta.filename, [
      '--worker',
      dataPath,
      ...childFlags(),
      ...(profile ? ['--profile'] : []),
    ]);
    const runOurs = (): RunResult => runJson<RunResult>(ours.cmd, ours.args, { ...childEnv(), ...ours.env });
    const runPy = (cmd: string): RunResult => runJson<RunResult>('python3', pyArgs(cmd, dataPath), childEnv());
    const pairRows: Record<string, number | string>[] = [];
    const runs = LOCKSTEP
      ? await lockstepRuns(ours, dataPath, pairRows)
      : interleave(
          profile ? 1 : PAIRS,
          runOurs,
          () => runPy('bench'),
          (i, a, b) => {
            const row = pairRow(i, medianTimes(a), medianTimes(b));
            pairRows.push(row);
            console.error(
              `pair ${i}: ratio ${row.ratio} (ours ${row.oursMs} ms, python ${row.pythonMs} ms), cpu ratio ${row.cpuRatio}`,
            );
          },
        );
    const pyProfile = profile ? (runPy('profile') as unknown as Record<string, PhaseSample>) : undefined;

    // Parity after the timed runs: the children are forked from a small parent.
    const p = parity(dir, inputs) as {
      keysEqual: boolean;
      shapesEqual: boolean;
      fwdLabeled: { out: number; outAbc: number };
      fwdUnlabeled: { out: number; outAbc: number };
      step: {
        lossAbsDiff: number;
        termsAbsDiff: Record<string, number>;
        ref: { loss: number };
        ours: { loss: number };
      };
      paramsAfterStep: { maxAbsDiff: number; worst: string };
    };
    console.log('parity (max abs diff, ours vs PyTorch reference, same weights/inputs/masks):');
    console.table({
      'forward labeled out': p.fwdLabeled.out,
      'forward labeled out_abc': p.fwdLabeled.outAbc,
      'forward unlabeled out': p.fwdUnlabeled.out,
      'forward unlabeled out_abc': p.fwdUnlabeled.outAbc,
      'step loss': p.step.lossAbsDiff,
      ...Object.fromEntries(Object.entries(p.step.termsAbsDiff).map(([k, v]) => [`step term ${k}`, v])),
      'params after step': p.paramsAfterStep.maxAbsDiff,
    });
    const fwdMax = Math.max(p.fwdLabeled.out, p.fwdLabeled.outAbc, p.fwdUnlabeled.out, p.fwdUnlabeled.outAbc);
    const parityOk = p.keysEqual && p.shapesEqual && fwdMax <= FWD_ATOL && p.step.lossAbsDiff <= FWD_ATOL;
    if (!parityOk)
      console.error(
        `PARITY FAILED: keys ${p.keysEqual} shapes ${p.shapesEqual} forward ${fwdMax} loss ${p.step.lossAbsDiff}`,
      );

    const peak = (r: RunResult): number => (Number.isFinite(r.vmHwmKiB) ? r.vmHwmKiB : r.maxRssKiB);
    const ratios = pairRows.map((r) => r.ratio as number),
      cpuRatios = pairRows.map((r) => r.cpuRatio as number);
    const memRatios = runs.ours.map((o, i) => peak(o) / peak(runs.ref[i]!));
    const oursMs = median(runs.ours.map((r) => median(r.timesMs))),
      pyMs = median(runs.ref.map((r) => median(r.timesMs)));
    const oursCpu = median(runs.ours.map((r) => median(r.cpuMs))),
      pyCpu = median(runs.ref.map((r) => median(r.cpuMs)));
    const oursSys = median(runs.ours.map((r) => median(r.sysMs))),
      pySys = median(runs.ref.map((r) => median(r.sysMs)));
    const oursFaults = median(runs.ours.map((r) => median(r.minorFaults))),
      pyFaults = median(runs.ref.map((r) => median(r.minorFaults)));
    console.log(
      `\ntrain step (config ${PRESET.name}): F ${F}, patch ${PATCH.join('x')}, batch ${N}+${N}, ${C} classes, ` +
        `dropout ${DROPOUT ? 'on' : 'off'}, CPU, ${THREADS} threads, ` +
        (LOCKSTEP
          ? `lockstep: ${LOCKSTEP} pairs of single iterations after a warm-up of ${WARMUP}`
          : `${runs.ours.length} pairs of fresh processes, each warm-up ${WARMUP}, median of ${ITERS}`),
    );
    console.table(pairRows);
    const s = stats(ratios),
      sc = stats(cpuRatios);
    console.log(
      `median ratio ${s.median.toFixed(3)} (min ${s.min.toFixed(3)}, max ${s.max.toFixed(3)}, IQR ` +
        `${s.q1.toFixed(3)}-${s.q3.toFixed(3)}); CPU time ratio ${sc.median.toFixed(3)} (min ${sc.min.toFixed(3)}, max ` +
        `${sc.max.toFixed(3)})`,
    );
    console.log(`s/iteration ours ${(oursMs / 1000).toFixed(2)}, Python ${(pyMs / 1000).toFixed(2)} (median)`);
    const rss = rssSummary(runs);
    if (profile && runs.ours[0]!.phases && pyProfile) printPhases(runs.ours[0]!.phases, pyProfile);
    console.log(
      JSON.stringify({
        bench: 'train-step',
        mode: LOCKSTEP ? 'lockstep' : 'time',
        config: PRESET.name,
        ratio: +s.median.toFixed(3),
        spread: roundStats(s),
        cpuRatio: +sc.median.toFixed(3),
        cpuSpread: roundStats(sc),
        pairRatios: ratios,
        pairCpuRatios: cpuRatios,
        memoryRatio: +median(memRatios).toFixed(3),
        oursMs: +oursMs.toFixed(1),
        pytorchMs: +pyMs.toFixed(1),
        oursCpuMs: +oursCpu.toFixed(1),
        pytorchCpuMs: +pyCpu.toFixed(1),
        oursSysMs: +oursSys.toFixed(1),
        pytorchSysMs: +pySys.toFixed(1),
        oursMinorFaults: oursFaults,
        pytorchMinorFaults: pyFaults,
        oursPeakRssMiB: +(median(runs.ours.map(peak)) / 1024).toFixed(1),
        pytorchPeakRssMiB: +(median(runs.ref.map(peak)) / 1024).toFixed(1),
        rssPerIterMiB: rss.perIterMiB,
        rssGrowthMiB: rss.growthMiB,
        threads: THREADS,
        pairs: LOCKSTEP || runs.ours.length,
        iterations: LOCKSTEP ? 1 : ITERS,
        warmup: WARMUP,
        nFilters: F,
        patch: PATCH,
        batch: `${N}+${N}`,
        nClasses: C,
        hasDropout: DROPOUT,
        ...leadSettings(),
        commit: gitCommit(),
        parity: {
          ok: parityOk,
          forwardMaxAbsDiff: fwdMax,
          lossAbsDiff: p.step.lossAbsDiff,
          paramsAfterStepMaxAbsDiff: p.paramsAfterStep.maxAbsDiff,
        },
        ...(profile && runs.ours[0]!.phases ? { phases: { ours: runs.ours[0]!.phases, pytorch: pyProfile } } : {}),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (ARGV[0] === '--worker') worker(ARGV[1]!, ARGV.includes('--profile'), ARGV.includes('--lockstep'));
else if (ARGV[0] === '--overhead-worker') overheadWorker(ARGV[1]!);
else await main();
