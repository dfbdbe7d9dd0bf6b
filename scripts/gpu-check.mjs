#!/usr/bin/env node
// The GPU check's checks (scripts/gpu-check.sh builds the addon and runs this), on the compiled dist/ so
// that neither tsx nor vitest has to travel to the GPU machine. Every check compares with live Python torch
// on the same device (scripts/gpu-check-ref.py, bench/reference/skcdf_reference.py) or a closed form.
//
//   node scripts/gpu-check.mjs --out DIR [--device cuda] [--quick]
//
// 1. tensors, to/from device, matmul, conv3d, autograd, memory statistics, random streams, AMP float16
//    autocast + GradScaler (CUDA only), against gpu-check-ref.py;
// 2. one SKCDF training step, F 32, patch 64x128x128, 2+2 (the paper's): parity with the Python
//    reference (same weights, inputs, masks) and time in alternating fresh processes, float32 and --amp;
// 3. sliding-window inference of an 80x160x160 volume at speed 0: ours vs the same loop in Python torch.
// --quick (the dry run on a CPU): F 4, patch 32x64x64, one pair, one timed iteration, a 40x80x80 volume.
// Writes DIR/gpu-check.json; exits 1 when a check failed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { torch, nn, optim, amp, skcdf } = await import(join(root, 'dist/index.js'));

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : def;
};
const DEVICE = opt('--device', 'cuda');
const QUICK = argv.includes('--quick');
const CUDA = DEVICE.startsWith('cuda');
const F = QUICK ? 4 : 32,
  C = 14,
  N = 2;
const PATCH = QUICK ? [32, 64, 64] : [64, 128, 128];
const VOLUME = QUICK ? [40, 80, 80] : [80, 160, 160];
const WARMUP = QUICK ? 1 : 3,
  ITERS = QUICK ? 1 : 10,
  PAIRS = QUICK ? 1 : 3;
const LR = 0.3,
  EPOCH = 1,
  MAX_EPOCH = 1500,
  CPS_W = 10 * Math.exp(-5),
  EMA_W = 0.99;
const REF = join(root, 'bench/reference/skcdf_reference.py');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sync = () => {
  if (CUDA) torch.cuda.synchronize();
};
const pyEnv = () => {
  const env = { ...process.env, PYTHONUNBUFFERED: '1' };
  const info = join(root, 'build/libtorch.json');
  const pp = existsSync(info) ? JSON.parse(readFileSync(info, 'utf8')).pythonPath : null;
  if (pp) env.PYTHONPATH = env.PYTHONPATH ? `${pp}:${env.PYTHONPATH}` : pp;
  return env;
};
const python = (args) =>
  execFileSync('python3', args, {
    env: pyEnv(),
    maxBuffer: 1 << 26,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
const lastJson = (s) => JSON.parse(s.trim().split('\n').at(-1));

function buildModel(hasDropout = true) {
  const model = new skcdf.VNetDecoupleAttentionABC({
    nClasses: C,
    nFilters: F,
    patchSize: PATCH,
    hasDropout,
    numHeads: 2,
  });
  torch.manualSeed(0);
  skcdf.initSkcdfWeights(model);
  return model;
}

function makeInputs() {
  torch.manualSeed(123);
  const shape = [N, 1, ...PATCH];
  const labelL = torch.tidy(() =>
    torch.where(torch.rand(shape).lt(0.6), torch.zeros(shape, { dtype: 'int64' }), torch.randint(1, C, shape)),
  );
  const ratios = torch.tensor([0.004, 1, 0.8, 0.75, 0.2, 0.3, 0.02, 0.05, 0.15, 0.12, 0.5, 0.1, 0.9, 0.95], {
    dtype: 'float64',
  });
  return new Map([
    ['imageL', torch.rand(shape)],
    ['imageU', torch.rand(shape)],
    ['labelL', labelL],
    ['ratios', ratios],
  ]);
}

const pyArgs = (cmd, data, extra = []) => [
  REF,
  cmd,
  '--data',
  data,
  '--device',
  DEVICE,
  '--threads',
  String(CUDA ? 1 : 2),
  '--filters',
  String(F),
  '--classes',
  String(C),
  '--patch',
  ...PATCH.map(String),
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
  ...extra,
];

// ------------------------------------------------------------------------------------------------
// Child: timed training iterations in a fresh process (same protocol as the Python `bench` command).

function trainWorker(dataPath, useAmp) {
  if (!CUDA) torch.setNumThreads(2);
  const data = torch.keep(torch.load(dataPath));
  const [imageL, imageU, labelL, ratios] = ['imageL', 'imageU', 'labelL', 'ratios'].map((k) =>
    torch.keep(data.get(k).to(DEVICE)),
  );
  const model = buildModel().to(DEVICE);
  model.train();
  const optimizer = new optim.SGD(model.parameters(), { lr: LR, momentum: 0.9, weightDecay: 3e-5, nesterov: true });
  const loss = new skcdf.DCAndCELoss();
  const ampCfg = useAmp ? skcdf.ampFor(DEVICE) : undefined;
  const times = [];
  let last = NaN;
  for (let i = 0; i < WARMUP + ITERS; i++) {
    sync();
    const t0 = performance.now();
    last = skcdf.trainStep(model, optimizer, loss, {
      imageL,
      labelL,
      imageU,
      epoch: EPOCH,
      maxEpochs: MAX_EPOCH,
      ratios,
      cpsW: CPS_W,
      emaW: EMA_W,
      amp: ampCfg,
    }).loss;
    sync();
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  const mem = CUDA ? torch.cuda.memoryStats(0) : null;
  console.log(
    JSON.stringify({ timesMs: times, loss: last, cudaPeakAllocatedMiB: mem ? mem.peakAllocated / 2 ** 20 : null }),
  );
}

// ------------------------------------------------------------------------------------------------
// 1. Tensor-level checks against gpu-check-ref.py.

function relErr(a, b) {
  return torch.tidy(() => {
    const d = a.to({ device: 'cpu', dtype: 'float64' }).sub(b.to({ device: 'cpu', dtype: 'float64' }));
    return d.norm().item() / Math.max(b.to({ device: 'cpu', dtype: 'float64' }).norm().item(), 1e-30);
  });
}
const maxAbs = (a, b) =>
  torch.tidy(() =>
    a
      .to({ device: 'cpu', dtype: 'float64' })
      .sub(b.to({ device: 'cpu', dtype: 'float64' }))
      .abs()
      .max()
      .item(),
  );

function tensorChecks(dir) {
  const checks = [];
  const check = (name, fn) => {
    try {
      const r = torch.tidy(fn);
      checks.push({ name, ...r });
    } catch (err) {
      checks.push({ name, ok: false, error: String(err?.stack ?? err) });
    }
  };
  torch.manualSeed(1);
  const inputs = torch.keep(
    new Map([
      ['x', torch.randn([64, 64])],
      ['w', torch.randn([64, 32]).mul(0.1)],
      ['vol', torch.randn([2, 3, 8, 16, 16])],
      ['k', torch.randn([4, 3, 3, 3, 3])],
    ]),
  );
  const inPath = join(dir, 'ref-in.pth'),
    refPath = join(dir, 'ref-out.pth');
  torch.save(inputs, inPath);
  python([join(root, 'scripts/gpu-check-ref.py'), inPath, refPath, DEVICE]);
  const ref = torch.keep(torch.load(refPath));
  const x = inputs.get('x'),
    w = inputs.get('w');

  check('to/from device round trip is exact; device and dtype kept', () => {
    const xd = x.to(DEVICE);
    const back = xd.to('cpu');
    return {
      ok: xd.device.startsWith(DEVICE.split(':')[0]) && xd.dtype === 'float32' && maxAbs(back, x) === 0,
      device: xd.device,
    };
  });
  check('matmul + add + relu vs PyTorch on the device (TF32 allowed: rel err <= 1e-3)', () => {
    const y = x.to(DEVICE).matmul(x.to(DEVICE)).add(1).relu();
    const e = relErr(y, ref.get('mm'));
    return { ok: e <= 1e-3, relErr: e };
  });
  check('conv3d vs PyTorch on the device (rel err <= 1e-3)', () => {
    const y = torch.conv3d(inputs.get('vol').to(DEVICE), inputs.get('k').to(DEVICE), null, 1, 1);
    const e = relErr(y, ref.get('conv'));
    return { ok: e <= 1e-3, relErr: e };
  });
  check('autograd: grad of tanh(x @ w).sum() vs PyTorch on the device (rel err <= 1e-4)', () => {
    const wd = w.to(DEVICE).requiresGrad_(true);
    x.to(DEVICE).matmul(wd).tanh().sum().backward();
    const e = relErr(wd.grad, ref.get('grad'));
    return { ok: e <= 1e-4 && wd.grad.device === wd.device, relErr: e };
  });
  check('random streams: manualSeed(42) randn/rand, manualSeed(7) bernoulli equal PyTorch exactly', () => {
    torch.manualSeed(42);
    const rn = torch.randn([4096], { device: DEVICE }),
      ru = torch.rand([4096], { device: DEVICE });
    torch.manualSeed(7);
    const rb = torch.bernoulli(torch.full([4096], 0.3, { device: DEVICE }));
    const d = [maxAbs(rn, ref.get('randn')), maxAbs(ru, ref.get('rand')), maxAbs(rb, ref.get('bernoulli'))];
    torch.manualSeed(42);
    const again = maxAbs(torch.randn([4096], { device: DEVICE }), rn);
    return { ok: d.every((v) => v === 0) && again === 0, maxAbsDiff: d, reseedDiff: again };
  });
  check(
    'memory statistics: a 256 MiB tensor shows in allocated, disposal returns it, emptyCache releases reserved',
    () => {
      if (!CUDA) return { ok: true, skipped: 'CPU run: live tensors and bytes only', live: torch.memory().liveTensors };
      sync();
      const m0 = torch.cuda.memoryStats(0);
      const big = torch.empty([64, 1024, 1024], { device: DEVICE });
      sync();
      const m1 = torch.cuda.memoryStats(0);
      big.dispose();
      sync();
      const m2 = torch.cuda.memoryStats(0);
      torch.cuda.emptyCache();
      const m3 = torch.cuda.memoryStats(0);
      const MiB = 2 ** 20;
      const ok =
        m1.allocated - m0.allocated >= 256 * MiB &&
        m2.allocated === m0.allocated &&
        m3.reserved <= m2.reserved - 256 * MiB &&
        m1.peakAllocated >= m1.allocated;
      return {
        ok,
        allocatedMiB: [m0, m1, m2, m3].map((m) => m.allocated / MiB),
        reservedMiB: [m0, m1, m2, m3].map((m) => m.reserved / MiB),
      };
    },
  );
  check(
    'AMP: float16 autocast matmul (dtype, rel err <= 2e-3 vs PyTorch) and GradScaler clean + inf steps as PyTorch',
    () => {
      if (!CUDA) return { ok: true, skipped: 'float16 autocast with GradScaler is the CUDA path' };
      const y = amp.autocast('cuda', () => x.to(DEVICE).matmul(w.to(DEVICE)), { dtype: 'float16' });
      const eMm = relErr(y, ref.get('ampMm'));
      const p = w.to(DEVICE).clone().requiresGrad_(true);
      const sgd = new optim.SGD([p], { lr: 0.1 });
      const sc = new amp.GradScaler();
      const scales = [sc.stateDict().scale];
      sc.scale(x.to(DEVICE).matmul(p).square().mean()).backward();
      sc.step(sgd);
      sc.update();
      sgd.zeroGrad();
      scales.push(sc.stateDict().scale);
      const eClean = maxAbs(p, ref.get('scalerAfterClean'));
      sc.scale(x.to(DEVICE).matmul(p).mean().mul(Infinity)).backward();
      const stepped = sc.step(sgd);
      sc.update();
      sgd.zeroGrad();
      scales.push(sc.stateDict().scale);
      const eInf = maxAbs(p, ref.get('scalerAfterInf'));
      const refScales = Array.from(ref.get('scales').toTypedArray());
      const ok =
        y.dtype === 'float16' &&
        eMm <= 2e-3 &&
        eClean <= 1e-6 &&
        eInf <= 1e-6 &&
        !stepped &&
        scales.every((s, i) => s === refScales[i]);
      return { ok, dtype: y.dtype, relErr: eMm, afterCleanMaxAbs: eClean, afterInfMaxAbs: eInf, scales, refScales };
    },
  );
  torch.dispose([...inputs.values(), ...ref.values()]);
  return checks;
}

// ------------------------------------------------------------------------------------------------
// 2. Training step: parity, then time (pairs of fresh processes, order alternating).

function trainParity(dir, inputs) {
  const path = join(dir, 'parity.pth');
  torch.tidy(() => {
    const model = buildModel().to(DEVICE);
    model.train();
    model.setDropout(0);
    // clone: to('cpu') of a CPU tensor is the tensor itself
    const state = new Map([...model.stateDict()].map(([k, v]) => [k, v.to('cpu').clone()]));
    const [imageL, imageU, labelL, ratios] = ['imageL', 'imageU', 'labelL', 'ratios'].map((k) =>
      inputs.get(k).to(DEVICE),
    );
    const imageLU = torch.cat([imageL, imageU], 0);
    const [lo, loa] = torch.noGrad(() => model.forward(imageLU, 'labeled'));
    const [uo, uoa] = torch.noGrad(() => model.forward(imageU, 'unlabeled'));
    torch.manualSeed(7);
    const maskL = torch.bernoulli(torch.full(labelL.shape, 0.5, { dtype: 'float64' })).to(DEVICE);
    const maskU = torch.bernoulli(torch.full(labelL.shape, 0.7, { dtype: 'float64' })).to(DEVICE);
    const optimizer = new optim.SGD(model.parameters(), { lr: LR, momentum: 0.9, weightDecay: 3e-5, nesterov: true });
    const r = skcdf.trainStep(model, optimizer, new skcdf.DCAndCELoss(), {
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
    const cpu = (t) => t.to('cpu');
    torch.save(
      new Map([
        ['state', state],
        ['imageLU', cpu(imageLU)],
        ['imageL', cpu(imageL)],
        ['imageU', cpu(imageU)],
        ['labelL', cpu(labelL)],
        ['ratios', cpu(ratios)],
        ['fwdLabeledOut', cpu(lo)],
        ['fwdLabeledOutAbc', cpu(loa)],
        ['fwdUnlabeledOut', cpu(uo)],
        ['fwdUnlabeledOutAbc', cpu(uoa)],
        ['maskL', cpu(maskL)],
        ['maskU', cpu(maskU)],
        ['stepResult', { loss: r.loss, lossSup: r.lossSup, lossU: r.lossU, terms: { ...r.terms } }],
        ['stateAfter', new Map([...model.stateDict()].map(([k, v]) => [k, v.to('cpu')]))],
      ]),
      path,
    );
    torch.dispose([...model.parameters(), ...model.buffers()]);
  });
  const p = lastJson(python(pyArgs('verify', path)));
  const fwd = Math.max(p.fwdLabeled.out, p.fwdLabeled.outAbc, p.fwdUnlabeled.out, p.fwdUnlabeled.outAbc);
  // float32 on both sides of the same libtorch; cuDNN may pick different algorithms per process.
  const tol = CUDA ? 5e-3 : 1e-3;
  return {
    ok: p.keysEqual && p.shapesEqual && fwd <= tol && p.step.lossAbsDiff <= tol,
    tolerance: tol,
    forwardMaxAbsDiff: fwd,
    lossAbsDiff: p.step.lossAbsDiff,
    termsAbsDiff: p.step.termsAbsDiff,
    paramsAfterStepMaxAbsDiff: p.paramsAfterStep.maxAbsDiff,
    worstParam: p.paramsAfterStep.worst,
  };
}

function trainTime(dataPath, useAmp) {
  const self = fileURLToPath(import.meta.url);
  const ours = () =>
    lastJson(
      execFileSync(
        process.execPath,
        [
          self,
          '--train-worker',
          dataPath,
          '--device',
          DEVICE,
          ...(QUICK ? ['--quick'] : []),
          ...(useAmp ? ['--amp'] : []),
        ],
        { env: pyEnv(), maxBuffer: 1 << 26, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      ),
    );
  const ref = () => lastJson(python(pyArgs('bench', dataPath, useAmp ? ['--amp'] : [])));
  const pairs = [];
  for (let i = 0; i < PAIRS; i++) {
    let a, b;
    if (i % 2 === 0) {
      a = ours();
      b = ref();
    } else {
      b = ref();
      a = ours();
    }
    pairs.push({
      oursMs: median(a.timesMs),
      pythonMs: median(b.timesMs),
      ratio: median(a.timesMs) / median(b.timesMs),
      oursPeakMiB: a.cudaPeakAllocatedMiB,
      pythonPeakMiB: b.cudaPeakAllocatedMiB ?? null,
      oursLoss: a.loss,
      pythonLoss: b.loss,
    });
    console.error(
      `train step${useAmp ? ' (amp)' : ''} pair ${i}: ours ${pairs.at(-1).oursMs.toFixed(1)} ms, python ` +
      `${pairs.at(-1).pythonMs.toFixed(1)} ms, ratio ${pairs.at(-1).ratio.toFixed(3)}`,
    );
  }
  const ratios = pairs.map((p) => p.ratio);
  return {
    amp: useAmp,
    ratio: median(ratios),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    oursMs: median(pairs.map((p) => p.oursMs)),
    pythonMs: median(pairs.map((p) => p.pythonMs)),
    pairs,
  };
}

// ------------------------------------------------------------------------------------------------
// 3. Sliding-window inference time, ours vs the same loop in Python torch on the same device.

const PY_INFER = String.raw`
import sys, time, json, torch
sys.path.insert(0, sys.argv[1])
from skcdf_reference import VNet_Decouple_Attention_ABC
sd, vol_path, dev, nf, nc = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
patch, stride, reps = [int(v) for v in sys.argv[7].split(',')], [int(v) for v in sys.argv[8].split(',')], int(sys.argv[9])
net = VNet_Decouple_Attention_ABC(1, nc, nf, tuple(patch), 2, has_dropout=False)
net.load_state_dict(torch.load(sd), strict=True)
net.to(dev).eval()
vol = torch.load(vol_path).to(dev)
D, H, W = vol.shape
def starts(s, p, st):
    n = max(0, -(-(s - p) // st)) + 1
    return sorted({min(i * st, s - p) for i in range(n)})
def run():
    score = torch.zeros((nc, D, H, W), device=dev); cnt = torch.zeros((D, H, W), device=dev)
    with torch.no_grad():
        for z in starts(D, patch[0], stride[0]):
            for y in starts(H, patch[1], stride[1]):
                for x in starts(W, patch[2], stride[2]):
                    win = vol[z:z + patch[0], y:y + patch[1], x:x + patch[2]][None, None]
                    out = torch.softmax(net(win, 'unlabeled')[0], 1)[0]
                    score[:, z:z + patch[0], y:y + patch[1], x:x + patch[2]] += out
                    cnt[z:z + patch[0], y:y + patch[1], x:x + patch[2]] += 1
    lab = (score / cnt).argmax(0)
    if dev.startswith('cuda'): torch.cuda.synchronize()
    return lab
run()
times = []
for _ in range(reps):
    t = time.perf_counter(); lab = run(); times.append((time.perf_counter() - t) * 1000)
print(json.dumps({'timesMs': times, 'labelsSum': int(lab.sum().item())}))
`;

function inferenceTime(dir) {
  const reps = QUICK ? 1 : 3;
  const model = buildModel(false);
  const sdPath = join(dir, 'infer-sd.pth'),
    volPath = join(dir, 'infer-vol.pth');
  torch.save(model.stateDict(), sdPath);
  torch.manualSeed(3);
  const vol = torch.keep(torch.rand(VOLUME));
  torch.save(vol, volPath);
  model.to(DEVICE);
  const stride = skcdf.SPEED_STRIDES[0];
  const run = () => {
    const r = skcdf.slidingWindowPredict(model, vol.to(DEVICE), { patch: PATCH, numClasses: C, speed: 0 });
    sync();
    return r;
  };
  torch.dispose(Object.values(run()).filter((v) => v && typeof v.dispose === 'function'));
  const times = [];
  let labelsSum = NaN;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const r = run();
    times.push(performance.now() - t);
    labelsSum = torch.tidy(() => r.labels.sum().item());
    torch.dispose(Object.values(r).filter((v) => v && typeof v.dispose === 'function'));
  }
  const py = lastJson(
    python([
      '-c',
      PY_INFER,
      join(root, 'bench/reference'),
      sdPath,
      volPath,
      DEVICE,
      String(F),
      String(C),
      PATCH.join(','),
      stride.join(','),
      String(reps),
    ]),
  );
  torch.dispose([vol, ...model.parameters(), ...model.buffers()]);
  return {
    volume: VOLUME,
    patch: PATCH,
    stride,
    oursMs: median(times),
    pythonMs: median(py.timesMs),
    ratio: median(times) / median(py.timesMs),
    oursLabelsSum: labelsSum,
    pythonLabelsSum: py.labelsSum,
  };
}

// ------------------------------------------------------------------------------------------------

async function main() {
  const out = opt('--out', process.env.OUT ?? join(root, '.gpu-check-out'));
  mkdirSync(out, { recursive: true });
  if (CUDA && !torch.cuda.isAvailable())
    throw new Error(`--device ${DEVICE}: CUDA is not available (compiled with CUDA: ${torch.cuda.isCompiled()})`);
  const dir = mkdtempSync(join(tmpdir(), 'gpu-check-'));
  const result = {
    device: DEVICE,
    quick: QUICK,
    F,
    patch: PATCH,
    node: process.version,
    startedAt: new Date().toISOString(),
  };
  const save = () => writeFileSync(join(out, 'gpu-check.json'), `${JSON.stringify(result, null, 1)}\n`);
  const t0 = performance.now();
  const section = (name, fn) => {
    const t = performance.now();
    try {
      result[name] = fn();
    } catch (err) {
      result[name] = { ok: false, error: String(err?.stack ?? err) };
    }
    console.error(`[gpu-check] ${name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    save();
  };
  try {
    section('tensorChecks', () => tensorChecks(dir));
    const inputs = torch.keep(makeInputs());
    const dataPath = join(dir, 'train-inputs.pth');
    torch.save(inputs, dataPath);
    section('trainParity', () => trainParity(dir, inputs));
    section('trainTimeFloat32', () => trainTime(dataPath, false));
    if (CUDA) section('trainTimeAmp', () => trainTime(dataPath, true));
    section('inference', () => inferenceTime(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const tf = result.trainTimeFloat32,
    ta = result.trainTimeAmp;
  result.summary = {
    tensorChecksPassed: Array.isArray(result.tensorChecks) ? result.tensorChecks.filter((c) => c.ok).length : 0,
    tensorChecksTotal: Array.isArray(result.tensorChecks) ? result.tensorChecks.length : 0,
    parityOk: result.trainParity?.ok ?? false,
    trainRatioFloat32: tf?.ratio ?? null,
    trainRatioAmp: ta?.ratio ?? null,
    ampSpeedupOurs: tf?.oursMs && ta?.oursMs ? tf.oursMs / ta.oursMs : null,
    inferenceRatio: result.inference?.ratio ?? null,
    seconds: (performance.now() - t0) / 1000,
  };
  save();
  console.log(JSON.stringify(result.summary));
  const failed = (Array.isArray(result.tensorChecks) ? result.tensorChecks : [result.tensorChecks])
    .filter((c) => !c.ok)
    .map((c) => c.name ?? 'tensorChecks');
  if (!result.trainParity?.ok) failed.push('trainParity');
  for (const k of ['trainTimeFloat32', 'trainTimeAmp', 'inference']) if (result[k]?.ok === false) failed.push(k);
  if (failed.length) {
    console.error(`[gpu-check] FAILED: ${failed.join('; ')}`);
    process.exitCode = 1;
  }
}

if (argv[0] === '--train-worker') trainWorker(argv[1], argv.includes('--amp'));
else await main();
