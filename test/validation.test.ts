// Per-epoch validation: which epochs validate (the synthetic default validates every 5th epoch in the first half and
// every epoch after), and the validation Dice from confusion counts, bit for bit the reference's SoftDiceLoss on the
// argmax one-hots (evalDicePerClass), including classes absent from prediction and label.
import { describe, expect, it } from 'vitest';
import { torch } from '../lib/index.js';
import { evalDicePerClass } from '../lib/skcdf/losses.js';
import { confusionCounts, defaultConfig, validatesAfter, validationDice } from '../lib/skcdf/train.js';

const epochsValidated = (c: Parameters<typeof validatesAfter>[0]): number[] =>
  [...Array(c.maxEpochs + 1).keys()].filter((e) => validatesAfter(c, e));

describe('validation schedule', () => {
  it('synthetic: every 5th epoch up to half-way, then every epoch; paper configs: every epoch', () => {
    const half = [0, 5, 10, 15, ...Array.from({ length: 21 }, (_, k) => 20 + k)];
    expect(epochsValidated(defaultConfig('synthetic'))).toEqual(half);
    // Half of a longer run, whatever maxEpochs the user picks.
    expect(epochsValidated(defaultConfig('synthetic', { maxEpochs: 11 }))).toEqual([0, 5, 6, 7, 8, 9, 10, 11]);
    const paper = defaultConfig('synapse');
    expect(paper.evalEvery).toBe(1);
    expect(epochsValidated({ ...paper, maxEpochs: 7 })).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('the last epoch always validates; evalEvery 0 never does', () => {
    expect(epochsValidated({ evalEvery: 4, maxEpochs: 10 })).toEqual([0, 4, 8, 10]);
    expect(epochsValidated({ evalEvery: 0, evalEveryEpochFrom: 0, maxEpochs: 5 })).toEqual([]);
  });
});

describe('validation Dice from confusion counts', () => {
  it('equals evalDicePerClass bit for bit on random logits and labels (absent classes, ties, 2-16 classes)', () => {
    torch.manualSeed(11);
    for (let trial = 0; trial < 60; trial++) {
      torch.tidy(() => {
        const C = 2 + (trial % 15);
        const spatial = [3 + (trial % 5), 8, 5 + (trial % 4)];
        // All-zero logits (every voxel predicted class 0) on every 7th trial; labels without the top classes on
        // every 4th.
        const logits = torch.randn([1, C, ...spatial]).mul(trial % 7 === 0 ? 0 : 1);
        const label = torch.randint(0, trial % 4 === 0 ? Math.max(1, C - 3) : C, [1, 1, ...spatial]);
        const want = evalDicePerClass(logits, label).toArray() as number[];
        const got = validationDice(confusionCounts(logits.argmax(1, true), label, C), C);
        expect(got.perClass).toHaveLength(C - 1);
        got.perClass.forEach((d, k) => expect(Object.is(d, want[k]), `trial ${trial} class ${k + 1}`).toBe(true));
        // Foreground Dice: organs versus background, from the voxels directly.
        const predFg = logits.argmax(1, true).gt(0);
        const labelFg = label.gt(0);
        const total = predFg.sum().item() + labelFg.sum().item();
        const fg = total > 0 ? (2 * predFg.logicalAnd(labelFg).sum().item()) / total : 1;
        expect(got.foreground).toBe(fg);
      });
    }
  });

  it('refuses labels or predictions outside [0, C), and shapes that differ', () => {
    const pred = torch.zeros([1, 1, 2, 2, 2], { dtype: 'int64' });
    expect(() => confusionCounts(pred, torch.full([1, 1, 2, 2, 2], 5, { dtype: 'int64' }), 4)).toThrow(
      /label value 5 outside \[0, 4\)/,
    );
    expect(() => confusionCounts(pred.sub(1), pred, 4)).toThrow(/predicted class value -1 outside/);
    expect(() => confusionCounts(pred, torch.zeros([1, 2, 2, 2], { dtype: 'int64' }), 4)).toThrow(
      /prediction \[1, 1, 2, 2, 2\] and label \[1, 2, 2, 2\] differ/,
    );
  });
});
