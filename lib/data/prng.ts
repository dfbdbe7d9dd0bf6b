/**
 * Seeded pseudo-random numbers for the data pipeline (splits, crops, flips, shuffles, synthetic data).
 *
 * The generator is mulberry32 (32-bit state). Its streams are deterministic for a given seed but are
 * NOT numpy's: a crop drawn here for seed s differs from `np.random.seed(s); np.random.randint(...)`.
 * Reproducibility is within this project (same seed -> same batches, workers or not).
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = mixSeed(seed) >>> 0;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform double in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [lo, hi) (exclusive upper bound, like numpy's randint). */
  int(lo: number, hi: number): number {
    if (!(hi > lo)) throw new Error(`Rng.int: empty range [${lo}, ${hi})`);
    return lo + Math.floor(this.next() * (hi - lo));
  }

  /** Uniform double in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box-Muller, one value per call). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }
}

/** A 32-bit hash (murmur3 finalizer) of a number; used to spread nearby seeds apart. */
function mixSeed(x: number): number {
  let h = (Math.trunc(x) ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Derives a child seed from a parent seed and integer path components (e.g. seed, epoch, iteration, slot). */
export function deriveSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = mixSeed((h ^ mixSeed(p)) + 0x7f4a7c15);
  }
  return h >>> 0;
}
