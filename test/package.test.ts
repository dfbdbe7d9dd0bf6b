// The package as users get it: `npm pack`, install the tarball into a fresh project, import and run an op.
import { execFile as execFileCb } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');
// Async: a multi-minute synchronous call would starve vitest's worker RPC.
const execFile = promisify(execFileCb);
const run = async (cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> =>
  (await execFile(cmd, args, { ...opts, maxBuffer: 1 << 26 })).stdout;
const libtorch = JSON.parse(readFileSync(join(repo, 'build/libtorch.json'), 'utf8')) as { dir: string };

describe('npm package', () => {
  it('packs, installs into a fresh project and runs `import { torch } from "skcdf"`', async () => {
    const work = mkdtempSync(join(tmpdir(), 'skcdf-pack-'));
    const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json'], { cwd: repo });
    const tarball = join(work, JSON.parse(packed)[0].filename);
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }),
    );
    // The consumer builds the addon against the libtorch this checkout resolved (no second pip install).
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: app,
      env: { ...process.env, LIBTORCH: libtorch.dir },
    });
    writeFileSync(
      join(app, 'main.mjs'),
      `
import { torch } from 'skcdf';
const x = torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' });
console.log(JSON.stringify({ sum: x.matmul(x).sum().item(), dtype: x.dtype, version: torch.version() }));
`,
    );
    const out = JSON.parse(await run(process.execPath, ['main.mjs'], { cwd: app }));
    expect(out.sum).toBe(54); // [[7,10],[15,22]]
    expect(out.dtype).toBe('float32');
    const types = readFileSync(join(app, 'node_modules/skcdf/dist/index.d.ts'), 'utf8');
    expect(types).toMatch(/torch/);
  }, 600_000);
});
