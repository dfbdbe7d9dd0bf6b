#!/usr/bin/env node
// Install step: resolve libtorch, then build the addon with cmake-js from CMakeLists.txt.
// Offline by construction: package.json's "binary.napi_versions" makes cmake-js use the
// node-api-headers package instead of downloading Node headers.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGloo } from './gloo.mjs';
import { resolveLibtorch, writeLibtorchJson } from './libtorch.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const addon = join(root, 'build/Release/skcdf_native.node');
if (existsSync(addon) && !force && process.env.SKCDF_REBUILD !== '1') {
  console.log(`skcdf: native addon already built (${addon}); npm run build:native rebuilds it`);
  process.exit(0);
}
const info = resolveLibtorch();
const gloo = ensureGloo();
writeLibtorchJson({ ...info, distributed: gloo !== null });
const require = createRequire(import.meta.url);
const cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin/cmake-js');
const jobs = process.env.SKCDF_BUILD_JOBS ?? '2';
// configure, then build: `compile` would skip configuring an existing build folder and keep stale
// cache values (a Gloo installed since the last build would go unnoticed); the object files stay.
const defines = [
  `--CDLIBTORCH_DIR=${info.dir}`,
  `--CDCMAKE_BUILD_PARALLEL_LEVEL=${jobs}`,
  `--CDSKCDF_GLOO_INCLUDE=${gloo ?? ''}`,
];
for (const step of ['configure', 'build']) {
  execFileSync(process.execPath, [cmakeJs, step, '--directory', root, ...defines, '--parallel', jobs], {
    stdio: 'inherit',
    cwd: root,
  });
}
