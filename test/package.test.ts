// The package as users get it: `npm pack`, install the tarball into a fresh project, import and run an op.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');
const libtorch = JSON.parse(readFileSync(join(repo, 'build/libtorch.json'), 'utf8')) as { dir: string };

describe('npm package', () => {
  it('packs, installs into a fresh project and runs `import { torch } from "skcdf"`', () => {
    const work = mkdtempSync(join(tmpdir(), 'skcdf-pack-'));
    const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json'], { cwd: repo }).toString();
    const tarball = join(work, JSON.parse(packed)[0].filename);
    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
    // The consumer builds the addon against the libtorch this checkout resolved (no second pip install).
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: app, env: { ...process.env, LIBTORCH: libtorch.dir }, stdio: 'pipe',
    });
    writeFileSync(join(app, 'main.mjs'), `
import { torch } from 'skcdf';
const x = torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' });
console.log(JSON.stringify({ sum: x.matmul(x).sum().item(), dtype: x.dtype, version: torch.version() }));
`);
    const out = JSON.parse(execFileSync(process.execPath, ['main.mjs'], { cwd: app }).toString());
    expect(out.sum).toBe(54); // [[7,10],[15,22]]
    expect(out.dtype).toBe('float32');
    const types = readFileSync(join(app, 'node_modules/skcdf/dist/index.d.ts'), 'utf8');
    expect(types).toMatch(/torch/);
  }, 600_000);
});
