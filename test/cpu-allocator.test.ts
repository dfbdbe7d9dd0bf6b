// The caching CPU allocator (native/cpu-allocator.cc, torch.cpu): results of ops on large tensors equal PyTorch's
// whether their blocks are new or reused, a repeated allocation pattern is served from the cache after its first
// iteration, the cache never holds more than its limit nor makes large blocks take more memory than the most that
// was ever live at once, emptyCache gives the memory back, 0 turns caching off,
// and NODE_TORCH_CPU_CACHE_BYTES is read at load.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { torch } from '../lib/index.js';
import { hasPython, runPython } from '../test-support/python.js';

const repo = join(import.meta.dirname, '..');
const MiB = 2 ** 20;
const stats = (): torch.cpu.CpuAllocatorStats => torch.cpu.memoryStats();

let initialLimit = 0;
beforeAll(() => {
  initialLimit = stats().limit;
});
afterAll(() => torch.cpu.setAllocatorCacheLimit(initialLimit));

describe('settings', () => {
  it('is libtorch CPU allocator, with a default limit of min(2 GiB, RAM / 8) and a 1 MiB threshold', () => {
    const s = stats();
    expect(s.installed).toBe(true);
    expect(s.threshold).toBe(MiB);
    const ram = Number(execFileSync('getconf', ['_PHYS_PAGES'])) * Number(execFileSync('getconf', ['PAGESIZE']));
    if (!process.env.NODE_TORCH_CPU_CACHE_BYTES) expect(initialLimit).toBe(Math.min(2 ** 31, Math.floor(ram / 8)));
  });

  it('rejects a limit that is not a non-negative integer, naming the argument', () => {
    for (const bad of [-1, 1.5, NaN, Infinity, '8' as unknown as number]) {
      expect(() => torch.cpu.setAllocatorCacheLimit(bad)).toThrow(/setAllocatorCacheLimit: bytes must be/);
    }
  });

  it('handles zero-size tensors', () => {
    torch.tidy(() => {
      const before = stats();
      expect(torch.empty([0]).numel()).toBe(0);
      expect(torch.zeros([0, 5]).shape).toEqual([0, 5]);
      expect(torch.cat([torch.ones([0]), torch.ones([2])]).toArray()).toEqual([1, 1]);
      const after = stats();
      expect(after.hits + after.misses).toBe(before.hits + before.misses);
    });
  });
});

// The same deterministic inputs on both sides (built from arange, so nothing large crosses the process boundary).
const N = 12_000_000; // 48 MB of float32: above glibc's largest mmap threshold
const PY_LARGE = `
import torch, json
torch.set_num_threads(${torch.getNumThreads()})
n = ${N}
x = torch.arange(n, dtype=torch.float32).mul(1e-6).sin()
y = torch.arange(n, dtype=torch.float32).mul(3e-7).cos()
z = x.mul(y).add(x).tanh()
a = torch.arange(1024 * 1024, dtype=torch.float64).reshape(1024, 1024).mul(1e-6).sin()
c = a.matmul(a.t().cos())
idx = [0, 1, 777777, n // 2, n - 1]
print(json.dumps({'z': [z[i].item() for i in idx], 'zsum': z.sum(dtype=torch.float64).item(),
  'c': [c[3, 5].item(), c[1000, 17].item()], 'csum': c.sum().item()}))
`;
const IDX = [0, 1, 777777, N / 2, N - 1];

interface LargeResult {
  z: number[];
  zsum: number;
  c: number[];
  csum: number;
}

function largeOps(): LargeResult {
  return torch.tidy(() => {
    const x = torch.arange(N, { dtype: 'float32' }).mul(1e-6).sin();
    const y = torch.arange(N, { dtype: 'float32' }).mul(3e-7).cos();
    const z = x.mul(y).add(x).tanh();
    const a = torch
      .arange(1024 * 1024, { dtype: 'float64' })
      .reshape([1024, 1024])
      .mul(1e-6)
      .sin();
    const c = a.matmul(a.t().cos());
    return {
      z: IDX.map((i) => z.get(i).item() as number),
      zsum: z.sum({ dtype: 'float64' }).item() as number,
      c: [c.get(3, 5).item() as number, c.get(1000, 17).item() as number],
      csum: c.sum().item() as number,
    };
  });
}

describe.skipIf(!hasPython('torch'))('numerics', () => {
  it('ops on large tensors equal PyTorch, on new and on reused blocks', () => {
    const py = JSON.parse(runPython(PY_LARGE)) as LargeResult;
    torch.cpu.setAllocatorCacheLimit(1024 * MiB);
    torch.cpu.emptyCache();
    const h0 = stats().hits;
    for (const pass of [0, 1]) {
      const ours = largeOps();
      // Elementwise kernels are the same code on both sides: equal bits.
      expect(ours.z).toEqual(py.z);
      expect(ours.c).toEqual(py.c);
      // Reductions may split the work differently between threads: float64 rounding only.
      expect(Math.abs(ours.zsum - py.zsum)).toBeLessThanOrEqual(1e-12 * Math.abs(py.zsum));
      expect(Math.abs(ours.csum - py.csum)).toBeLessThanOrEqual(1e-12 * Math.abs(py.csum));
      if (pass === 1) expect(stats().hits).toBeGreaterThan(h0); // the second pass ran on reused blocks
    }
  });
});

describe('caching', () => {
  it('reused blocks hold no stale data where an op promises values (zeros, ones)', () => {
    torch.cpu.setAllocatorCacheLimit(256 * MiB);
    torch.tidy(() =>
      torch
        .full([4 * MiB], 7)
        .sum()
        .item(),
    );
    const hits = stats().hits;
    torch.tidy(() => {
      const z = torch.zeros([4 * MiB]);
      expect(stats().hits).toBe(hits + 1);
      expect(z.abs().max().item()).toBe(0);
    });
  });

  it('of the cached blocks of the best-fitting size, hands out the one freed last (likeliest in cache)', () => {
    torch.cpu.setAllocatorCacheLimit(256 * MiB);
    torch.cpu.emptyCache();
    const first = torch.full([2 * MiB], 1); // 8 MiB each
    const second = torch.full([2 * MiB], 2);
    first.dispose();
    second.dispose(); // freed last
    torch.tidy(() => {
      const hits = stats().hits;
      // torch.empty leaves the block's bytes as they were: they tell which block came back.
      const e = torch.empty([2 * MiB]);
      expect(stats().hits).toBe(hits + 1);
      expect(e.get(0).item()).toBe(2);
      expect(e.get(-1).item()).toBe(2);
    });
  });

  it('serves a repeated allocation pattern from the cache after its first iteration', () => {
    torch.cpu.setAllocatorCacheLimit(512 * MiB);
    torch.cpu.emptyCache();
    const deltas: { hits: number; misses: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const s0 = stats();
      torch.tidy(() => {
        const a = torch.rand([10 * MiB]); // 40 MiB
        const b = torch.rand([2 * MiB]); // 8 MiB
        const c = a.mul(2).add(1);
        c.sum().item();
        b.add(b).sum().item();
        torch.rand([25_000]).add(1); // 100 KB: below the threshold, not counted
      });
      const s1 = stats();
      deltas.push({ hits: s1.hits - s0.hits, misses: s1.misses - s0.misses });
      expect(s1.liveBytes).toBe(s0.liveBytes);
    }
    expect(deltas[0]!.misses).toBeGreaterThanOrEqual(5); // a, b, a*2, (a*2)+1, b+b
    for (const d of deltas.slice(1)) expect(d).toEqual({ hits: deltas[0]!.misses + deltas[0]!.hits, misses: 0 });
  });

  it('never holds more than its limit under a loop of varied sizes, dropping the oldest blocks', () => {
    const limit = 64 * MiB;
    torch.cpu.setAllocatorCacheLimit(limit);
    torch.cpu.emptyCache();
    const evictions0 = stats().evictions;
    let seed = 12345;
    const nextMiB = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return 1 + (seed % 30); // 1..30 MiB
    };
    const held: torch.Tensor[] = [];
    for (let i = 0; i < 60; i++) {
      const t = torch.empty([(nextMiB() * MiB) / 4]);
      t.fill_(i);
      held.push(t);
      if (held.length > 3) held.shift()!.dispose(); // a few live at once, freed out of order of size
      const s = stats();
      expect(s.cachedBytes).toBeLessThanOrEqual(limit);
    }
    for (const t of held) t.dispose();
    expect(stats().cachedBytes).toBeLessThanOrEqual(limit);
    expect(stats().evictions).toBeGreaterThan(evictions0);
  });

  it('emptyCache returns the cached blocks to the system', () => {
    torch.cpu.setAllocatorCacheLimit(1024 * MiB);
    torch.tidy(() => {
      for (let i = 0; i < 4; i++) torch.ones([10 * MiB]).add(i); // 8 blocks of 40 MiB, all touched
    });
    const s = stats();
    expect(s.cachedBytes).toBeGreaterThanOrEqual(160 * MiB);
    const rss0 = process.memoryUsage().rss;
    torch.cpu.emptyCache();
    const rss1 = process.memoryUsage().rss;
    expect(stats().cachedBytes).toBe(0);
    expect(stats().cachedBlocks).toBe(0);
    expect(rss0 - rss1).toBeGreaterThanOrEqual(0.9 * s.cachedBytes);
  });

  it('a limit of 0 turns caching off: the cache empties and large blocks bypass it', () => {
    torch.cpu.setAllocatorCacheLimit(512 * MiB);
    torch.tidy(() =>
      torch
        .rand([10 * MiB])
        .sum()
        .item(),
    );
    expect(stats().cachedBytes).toBeGreaterThan(0);
    torch.cpu.setAllocatorCacheLimit(0);
    const s0 = stats();
    expect(s0.cachedBytes).toBe(0);
    expect(s0.limit).toBe(0);
    torch.tidy(() => {
      const a = torch.full([10 * MiB], 2);
      expect(a.mul(a).sum().item()).toBe(4 * 10 * MiB);
    });
    const s1 = stats();
    expect([s1.hits, s1.misses, s1.cachedBytes, s1.liveBytes]).toEqual([s0.hits, s0.misses, 0, s0.liveBytes]);
  });

  it('a block allocated while caching was on is freed correctly after it is turned off', () => {
    torch.cpu.setAllocatorCacheLimit(512 * MiB);
    const t = torch.full([10 * MiB], 3);
    const live = stats().liveBytes;
    expect(live).toBeGreaterThanOrEqual(40 * MiB);
    torch.cpu.setAllocatorCacheLimit(0);
    expect(t.sum().item()).toBe(3 * 10 * MiB);
    t.dispose();
    expect(stats().liveBytes).toBe(live - 40 * MiB);
    expect(stats().cachedBytes).toBe(0);
  });
});

// Loads the library in a fresh process with `env` added and prints torch.cpu.memoryStats() as JSON.
function statsInChild(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const script = `const { torch } = await import(${JSON.stringify(join(repo, 'lib/index.ts'))});
torch.tidy(() => torch.rand([10 * 2 ** 20]).sum().item());
console.log(JSON.stringify(torch.cpu.memoryStats()));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repo,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('small blocks', () => {
  it('reuses freed blocks of up to 4 KiB by size class, with values as PyTorch defines them', () => {
    torch.cpu.setAllocatorCacheLimit(256 * MiB);
    torch.cpu.emptyCache();
    torch.tidy(() => torch.full([1000], 7).sum().item()); // 4000 bytes of 7s, then freed
    const s0 = stats();
    expect(s0.smallCachedBytes).toBeGreaterThanOrEqual(4032); // the class of 4000 bytes: 63 * 64
    torch.tidy(() => {
      const z = torch.zeros([1000]); // the same class: the block of 7s, zeroed by the op
      expect(stats().smallHits).toBe(s0.smallHits + 1);
      expect(z.abs().max().item()).toBe(0);
      expect(torch.arange(1000).sum().item()).toBe(499500);
    });
    // Above 4 KiB: never cached.
    const s1 = stats();
    torch.tidy(() => torch.ones([1025]).sum().item());
    const s2 = stats();
    expect(s2.smallHits - s1.smallHits).toBeLessThanOrEqual(2); // the sum's scalar output only, not the 4100 bytes
    expect(s2.smallCachedBytes).toBeLessThanOrEqual(s1.smallCachedBytes + 2 * 64);
  });

  it('holds at most 8 MiB (or the limit), and nothing when caching is off', () => {
    torch.cpu.setAllocatorCacheLimit(256 * MiB);
    const many = torch.tidy(() => Array.from({ length: 3000 }, () => torch.keep(torch.empty([1024])))); // 3000 x 4 KiB
    torch.dispose(many);
    expect(stats().smallCachedBytes).toBeLessThanOrEqual(8 * MiB);
    expect(stats().smallCachedBytes).toBeGreaterThanOrEqual(8 * MiB - 4096);
    torch.cpu.setAllocatorCacheLimit(MiB);
    expect(stats().smallCachedBytes).toBe(0);
    torch.dispose(torch.tidy(() => Array.from({ length: 600 }, () => torch.keep(torch.empty([1024])))));
    expect(stats().smallCachedBytes).toBeLessThanOrEqual(MiB);
    torch.cpu.setAllocatorCacheLimit(0);
    const h = stats().smallHits;
    torch.tidy(() => {
      for (let i = 0; i < 10; i++) torch.ones([16]).add(i);
    });
    expect([stats().smallCachedBytes, stats().smallHits]).toEqual([0, h]);
    torch.cpu.setAllocatorCacheLimit(256 * MiB);
    torch.cpu.emptyCache();
    expect(stats().smallCachedBytes).toBe(0);
  });
});

describe('footprint', () => {
  it('live + cached stays within the most bytes ever live at once plus min(1/20, 64 MiB) (fresh process)', () => {
    // A fresh process, so that no earlier test's peak is the ceiling. The limit is far above what the loop frees,
    // so without the ceiling the cache would keep every distinct size it has seen.
    const script = `const { torch } = await import(${JSON.stringify(join(repo, 'lib/index.ts'))});
torch.cpu.setAllocatorCacheLimit(2 ** 30);
let seed = 777, maxLive = 0, worst = -Infinity;
const held = [];
for (let i = 0; i < 80; i++) {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  const t = torch.empty([((1 + (seed % 30)) * 2 ** 20) / 4]);
  t.fill_(i);
  held.push(t);
  for (const when of ['allocated', 'freed']) {
    if (when === 'freed' && held.length > 3) held.shift().dispose();
    const s = torch.cpu.memoryStats();
    maxLive = Math.max(maxLive, s.liveBytes);
    worst = Math.max(worst, s.liveBytes + s.cachedBytes - maxLive - Math.min(maxLive / 20, 64 * 2 ** 20));
  }
}
for (const t of held) t.dispose();
const s = torch.cpu.memoryStats();
console.log(JSON.stringify({ maxLive, worst, ...s }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as torch.cpu.CpuAllocatorStats & {
      maxLive: number;
      worst: number;
    };
    const ceiling = out.maxLive + Math.min(out.maxLive / 20, 64 * MiB);
    expect(out.worst).toBeLessThanOrEqual(0);
    expect(out.peakBytes).toBeLessThanOrEqual(ceiling);
    expect(out.cachedBytes).toBeLessThanOrEqual(ceiling);
    expect(out.hits).toBeGreaterThan(0); // still a cache: sizes that fit were reused
    expect(out.evictions).toBeGreaterThan(0); // blocks were dropped to stay under the peak, not under the limit
  });
});

describe('at the ceiling', () => {
  it('a miss takes a cached block of up to twice the size instead of unmapping one and mapping another', () => {
    // Two 10 MiB blocks live at once (peak 20 MiB, ceiling 21 MiB), both freed; a 6 MiB tensor has no cached block of
    // 6-7.5 MiB, and mapping one would make 26 MiB: it gets a cached 10 MiB block (a hit, nothing unmapped).
    const script = `const { torch } = await import(${JSON.stringify(join(repo, 'lib/index.ts'))});
const a = torch.empty([(10 * 2 ** 20) / 4]), b = torch.empty([(10 * 2 ** 20) / 4]);
a.dispose(); b.dispose();
const before = torch.cpu.memoryStats();
const c = torch.empty([(6 * 2 ** 20) / 4]);
c.fill_(1);
const after = torch.cpu.memoryStats();
console.log(JSON.stringify({ before, after, sum: c.sum().item() }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const { before, after, sum } = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      before: torch.cpu.CpuAllocatorStats;
      after: torch.cpu.CpuAllocatorStats;
      sum: number;
    };
    expect(sum).toBe((6 * MiB) / 4);
    expect([before.liveBytes, before.cachedBytes]).toEqual([0, 20 * MiB]);
    expect(after.misses - before.misses).toBe(0);
    expect(after.hits - before.hits).toBe(1);
    expect(after.evictions - before.evictions).toBe(0);
    expect([after.liveBytes, after.cachedBytes]).toEqual([10 * MiB, 10 * MiB]);
  });
});

describe('environment', () => {
  it('NODE_TORCH_CPU_CACHE_BYTES sets the limit at load (suffixes accepted, 0 turns caching off)', () => {
    const on = statsInChild({ NODE_TORCH_CPU_CACHE_BYTES: '96M', NODE_TORCH_CPU_HUGEPAGES: '0' });
    expect(on.status, on.stderr).toBe(0);
    const s = JSON.parse(on.stdout.trim().split('\n').pop()!) as torch.cpu.CpuAllocatorStats;
    expect([s.limit, s.hugePages, s.misses, s.cachedBytes]).toEqual([96 * MiB, false, 1, 40 * MiB]);
    const off = statsInChild({ NODE_TORCH_CPU_CACHE_BYTES: '0' });
    expect(off.status, off.stderr).toBe(0);
    const t = JSON.parse(off.stdout.trim().split('\n').pop()!) as torch.cpu.CpuAllocatorStats;
    expect([t.limit, t.misses, t.cachedBytes]).toEqual([0, 0, 0]);
  });

  it('an invalid NODE_TORCH_CPU_CACHE_BYTES fails the load with an error naming it', () => {
    const bad = statsInChild({ NODE_TORCH_CPU_CACHE_BYTES: '2 gigs' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/NODE_TORCH_CPU_CACHE_BYTES must be a byte count .* got '2 gigs'/);
  });
});
