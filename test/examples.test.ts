// examples/mlp-tabular.ts runs briefly and learns (loss falls, test accuracy well above chance); worker
// threads give the same training run as loading in-thread; and the examples plus test/types (compile-time
// checks of callable modules and collated batch types) typecheck under strict TypeScript.
import { execFile as execFileCb } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../examples/mlp-tabular.js';

const repo = join(import.meta.dirname, '..');
const execFile = promisify(execFileCb);

describe('examples', () => {
  it('mlp-tabular: the loss falls and workers change nothing', async () => {
    const quiet = (): void => undefined;
    const a = await main({ epochs: 6, workers: 0, log: quiet });
    const b = await main({ epochs: 6, workers: 2, log: quiet });
    expect(a.losses[5]!).toBeLessThan(0.6 * a.losses[0]!);
    expect(a.testAccuracy).toBeGreaterThan(0.6); // 3 balanced classes: chance is 1/3
    expect(b.losses).toEqual(a.losses);
    expect(b.testAccuracy).toBe(a.testAccuracy);
  }, 120_000);

  it('examples and test/types typecheck (the @ts-expect-error lines must be errors)', async () => {
    const tsc = join(repo, 'node_modules/typescript/bin/tsc');
    await expect(
      execFile(process.execPath, [tsc, '-p', join(repo, 'tsconfig.examples.json')], { cwd: repo }),
    ).resolves.toBeDefined();
  }, 300_000);
});
