// Minor page faults per iteration of an allocate/compute/free loop on CPU tensors of 40 MiB, 8 MiB and 100 KiB
// (torch.rand, add, mul, then dispose), ours and the same loop in Python torch on the same libtorch. Counts page
// faults (getrusage), not time, so it is meaningful on a busy machine. `--conv`: instead, a small 3D conv stack's
// forward and backward (two conv3d + batch norm + ReLU layers, 4 -> 16 -> 4 channels, batch 4 of 32x64x64 voxels:
// 32 and 8 MiB activations).
//
// Run: npx tsx scripts/cpu-alloc-faults.ts [--conv] [--iters N] [--warmup N] [--threads N] [--no-python]
// Env: NODE_TORCH_CPU_CACHE_BYTES (0 turns the CPU allocator cache off), NODE_TORCH_CPU_HUGEPAGES (0: no THP advice).
import { execFileSync } from 'node:child_process';
import * as torch from '../lib/torch/index.js';
import { pythonEnv } from '../bench/python-env.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const ITERS = opt('--iters', 20);
const WARMUP = opt('--warmup', 3);
const THREADS = opt('--threads', 2);
const ELEMS = [(40 << 20) / 4, (8 << 20) / 4, (100 << 10) / 4];
const CONV = argv.includes('--conv');

// The conv stack's input and weights, fixed across iterations (made once, outside the counted loop).
const convInputs = CONV
  ? {
      x: torch.keep(torch.rand([4, 4, 32, 64, 64])),
      w1: torch.keep(torch.rand([16, 4, 3, 3, 3]).sub(0.5).mul(0.1).requiresGrad_()),
      w2: torch.keep(torch.rand([4, 16, 3, 3, 3]).sub(0.5).mul(0.1).requiresGrad_()),
    }
  : null;

function convIteration(): void {
  const { x, w1, w2 } = convInputs!;
  torch.tidy(() => {
    let y = x;
    for (const w of [w1, w2]) {
      y = torch.conv3d(y, w, null, 1, 1);
      y = torch.batchNorm(y, null, null, null, null, true, 0.1, 1e-5, false).relu();
    }
    y.square().mean().backward();
  });
  w1.grad = null;
  w2.grad = null;
}

function iteration(): void {
  if (CONV) return convIteration();
  torch.tidy(() => {
    for (const n of ELEMS) {
      const a = torch.rand([n]);
      const b = torch.rand([n]);
      const c = a.add(b).mul(a);
      c.sum().item();
    }
  });
}

function ours(): { faultsPerIter: number; sysMsPerIter: number } {
  torch.setNumThreads(THREADS);
  for (let i = 0; i < WARMUP; i++) iteration();
  const u0 = process.resourceUsage();
  for (let i = 0; i < ITERS; i++) iteration();
  const u1 = process.resourceUsage();
  return {
    faultsPerIter: (u1.minorPageFault - u0.minorPageFault) / ITERS,
    sysMsPerIter: (u1.systemCPUTime - u0.systemCPUTime) / 1000 / ITERS,
  };
}

const PYTHON = `
import resource, sys, torch
iters, warmup, threads = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
elems = [(40 << 20) // 4, (8 << 20) // 4, (100 << 10) // 4]
conv = sys.argv[4] == '1'
x = torch.rand(4, 4, 32, 64, 64)
w1 = torch.rand(16, 4, 3, 3, 3).sub(0.5).mul(0.1).requires_grad_()
w2 = torch.rand(4, 16, 3, 3, 3).sub(0.5).mul(0.1).requires_grad_()
def conv_iteration():
    y = x
    for w in (w1, w2):
        y = torch.nn.functional.conv3d(y, w, None, 1, 1)
        y = torch.nn.functional.batch_norm(y, None, None, training=True).relu()
    y.square().mean().backward()
    w1.grad = None; w2.grad = None
def iteration():
    if conv: return conv_iteration()
    for n in elems:
        a = torch.rand(n); b = torch.rand(n)
        c = a.add(b).mul(a)
        c.sum().item()
        del a, b, c
for _ in range(warmup): iteration()
r0 = resource.getrusage(resource.RUSAGE_SELF)
for _ in range(iters): iteration()
r1 = resource.getrusage(resource.RUSAGE_SELF)
print((r1.ru_minflt - r0.ru_minflt) / iters, (r1.ru_stime - r0.ru_stime) * 1000 / iters)
`;

function python(): { faultsPerIter: number; sysMsPerIter: number } {
  const out = execFileSync(
    'python3',
    ['-c', PYTHON, String(ITERS), String(WARMUP), String(THREADS), CONV ? '1' : '0'],
    {
      env: pythonEnv(),
    },
  ).toString();
  const [faults, sys] = out.trim().split(/\s+/).map(Number);
  return { faultsPerIter: faults!, sysMsPerIter: sys! };
}

const result: Record<string, unknown> = { iters: ITERS, threads: THREADS, ours: ours() };
result.cpuAllocator = torch.cpu.memoryStats();
if (!argv.includes('--no-python')) result.python = python();
console.log(JSON.stringify(result));
