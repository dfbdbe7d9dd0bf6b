// The training loop's rank context: one process is rank 0 of 1 whose collectives are identities, with the seeds
// one-process runs have always used (a change here would change every run's batches, masks and dropout).
import { describe, expect, it } from 'vitest';
import { deriveSeed } from '../lib/data/prng.js';
import { rankContext, SingleProcess } from '../lib/skcdf/training/ranks.js';
import { buildModel } from '../lib/skcdf/training/loop.js';
import type { StepResult } from '../lib/skcdf/training/step.js';

const step: StepResult = {
  loss: 1.5,
  lossSup: 1,
  lossU: 0.5,
  terms: { sup: 0.25, supAbc: 0.75, u: 0.125, uAbc: 0.375 },
};

describe('SingleProcess', () => {
  const r = new SingleProcess();

  it('is rank 0 of 1, the main rank, with no wrapped network', () => {
    expect([r.rank, r.worldSize, r.main, r.net]).toEqual([0, 1, true, undefined]);
    expect(r.describe()).toBeUndefined();
  });

  it('keeps the run seed for data and derives the iteration seed as before', () => {
    expect(r.dataSeed(17)).toBe(17);
    expect(r.iterationSeed(3, 2, 5)).toBe(deriveSeed(3, 2, 5, 0x5eed));
    expect(r.iterationSeed(3, 2, 5)).not.toBe(r.iterationSeed(3, 2, 6));
  });

  it('collectives are identities; the stop after an iteration is read from the process itself', () => {
    expect(r.agreeOnStep(step, true)).toEqual({ result: step, stop: true });
    expect(r.agreeOnStep(step, false).result).toBe(step);
    // A request made while the iteration's events ran (after the step) counts: the local answer wins.
    expect(r.stopAfterIteration(false, () => true)).toBe(true);
    expect(r.stopAfterIteration(true, () => false)).toBe(false);
    expect([r.anyRank(true), r.anyRank(false), r.rank0Decides(true), r.rank0Decides(false)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    const e = new Error('x');
    expect(r.stepError(e)).toBe(e);
  });

  it('rankContext gives a SingleProcess without a process group', () => {
    const model = buildModel(
      { nFilters: 2, numHeads: 1, hasDropout: false, patch: [32, 32, 32], crossAttention: false },
      3,
    );
    expect(rankContext(model)).toBeInstanceOf(SingleProcess);
  });
});
