// How much of torch.optim this library covers, read from live Python: the public names (`__all__`) of torch.optim
// and torch.optim.lr_scheduler, mapped to camelCase (lr_scheduler -> lrScheduler; class names unchanged), against
// what optim and optim.lrScheduler export. Deliberate omissions (README "Deliberately missing" under "Optimizers
// and LR schedulers", each with its reason) leave the denominator; each must really be absent here, present in
// Python, and listed in the README.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as optim from '../lib/optim/index.js';
import { hasPython, runPython } from '../test-support/python.js';

/** Deliberately missing, with the reasons README.md gives. */
export const DELIBERATELY_MISSING: Record<'optim' | 'lr_scheduler', Record<string, string>> = {
  optim: {
    SparseAdam:
      'needs sparse (COO) gradients, e.g. from nn.Embedding(sparse=True); sparse tensors are not supported here',
    swa_utils:
      'AveragedModel deep-copies an nn.Module, which lib/nn does not offer; SWALR and update_bn alone would be ' +
      'half of it',
    swap_in_optimizer_params_and_state:
      'keyed by parameter names (param_names groups); optimizers here take unnamed parameters',
  },
  lr_scheduler: {},
};
const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const PY = `
import json, torch.optim as o, torch.optim.lr_scheduler as l
print(json.dumps({'optim': sorted(o.__all__), 'lr_scheduler': sorted(l.__all__)}))
`;

/** The README's optim section from its "Deliberately missing" heading to the next heading. */
function readmeOmissions(): string {
  const text = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const section = text.slice(text.indexOf('## Optimizers and LR schedulers'));
  const start = section.indexOf('### Deliberately missing');
  const end = section.indexOf('\n#', start + 4);
  return start < 0 ? '' : section.slice(start, end < 0 ? undefined : end);
}

describe.skipIf(!hasPython('torch'))('torch.optim coverage (live Python names)', () => {
  const names = JSON.parse(runPython(PY)) as Record<'optim' | 'lr_scheduler', string[]>;
  const exported = {
    optim: new Set(Object.keys(optim)),
    lr_scheduler: new Set(Object.keys(optim.lrScheduler)),
  };
  const readme = readmeOmissions();
  for (const kind of ['optim', 'lr_scheduler'] as const) {
    it(`${kind}: >= 90% of PyTorch's public names; deliberate omissions listed in the README and really absent`, () => {
      const have = exported[kind];
      const omitted = DELIBERATELY_MISSING[kind];
      for (const [n, reason] of Object.entries(omitted)) {
        expect(names[kind], `omission ${n} is a PyTorch name`).toContain(n);
        expect(have.has(camel(n)), `omission ${n} is really missing`).toBe(false);
        expect(readme, `README lists ${n}`).toContain(
          `\`${kind === 'optim' ? 'torch.optim' : 'torch.optim.lr_scheduler'}.${n}\`: ${reason}`,
        );
      }
      const counted = names[kind].filter((n) => !(n in omitted));
      const covered = counted.filter((n) => have.has(camel(n)));
      const missing = counted.filter((n) => !have.has(camel(n)));
      const ratio = covered.length / counted.length;
      console.log(
        `optim coverage ${kind}: ${covered.length}/${counted.length} = ${(100 * ratio).toFixed(1)}% ` +
          `(PyTorch ${names[kind].length} names, ${Object.keys(omitted).length} deliberately missing); missing: ${missing.join(', ') || 'none'}`,
      );
      expect(ratio).toBeGreaterThanOrEqual(0.9);
    });
  }
});
