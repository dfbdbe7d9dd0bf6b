#!/usr/bin/env node
// Resolves which prebuilt libtorch the addon builds and runs against, in this order:
//   1. LIBTORCH: a libtorch folder (CPU or CUDA) with include/ and lib/
//   2. a Python torch that `python3` can already import
//   3. `pip install torch==<pinned>` into .deps/python of this project
// The version must match the pinned major.minor unless SKCDF_SKIP_LIBTORCH_CHECK=1.
// Prints the choice and writes build/libtorch.json for CMake, node-gyp and the tests.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findGloo } from './gloo.mjs';

export const PINNED_TORCH = '2.13.0';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const python = process.env.PYTHON ?? 'python3';

function versionOf(dir) {
  const header = join(dir, 'include/torch/headeronly/version.h');
  const legacy = join(dir, 'include/torch/csrc/api/include/torch/version.h');
  for (const file of [header, legacy]) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const part = (name) => text.match(new RegExp(`#define TORCH_VERSION_${name} (\\d+)`))?.[1];
    if (part('MAJOR')) return `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
  }
  const buildVersion = join(dir, 'build-version');
  if (existsSync(buildVersion)) return readFileSync(buildVersion, 'utf8').trim().split('+')[0];
  return undefined;
}

function pythonTorchDir(pythonPath) {
  try {
    const env = { ...process.env };
    if (pythonPath) env.PYTHONPATH = pythonPath;
    const out = execFileSync(python, ['-c', 'import os, torch; print(os.path.dirname(torch.__file__))'], {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

function checkLayout(dir, source) {
  if (!existsSync(join(dir, 'include')) || !existsSync(join(dir, 'lib'))) {
    throw new Error(`libtorch from ${source} (${dir}) has no include/ and lib/ folders`);
  }
}

export function resolveLibtorch({ install = true, log = console.log } = {}) {
  let dir, source, pythonPath;
  if (process.env.LIBTORCH) {
    dir = resolve(process.env.LIBTORCH);
    source = 'LIBTORCH';
  } else if ((dir = pythonTorchDir())) {
    source = 'installed Python torch';
  } else {
    const target = join(root, '.deps/python');
    dir = pythonTorchDir(target);
    if (!dir && install) {
      log(`libtorch: installing torch==${PINNED_TORCH} with pip into ${target}`);
      execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--target', target, `torch==${PINNED_TORCH}`], {
        stdio: 'inherit',
      });
      dir = pythonTorchDir(target);
    }
    if (!dir) throw new Error('libtorch: none found; set LIBTORCH to a libtorch folder or install Python torch');
    source = `pip --target ${target}`;
  }
  checkLayout(dir, source);
  if (existsSync(join(dir, '__init__.py'))) pythonPath = dirname(dir);
  const version = versionOf(dir);
  const want = PINNED_TORCH.split('.').slice(0, 2).join('.');
  if (!version || version.split('.').slice(0, 2).join('.') !== want) {
    const msg = `libtorch at ${dir} is version ${version ?? 'unknown'}, this package is pinned to ${PINNED_TORCH}`;
    if (process.env.SKCDF_SKIP_LIBTORCH_CHECK !== '1') {
      throw new Error(`${msg}; set SKCDF_SKIP_LIBTORCH_CHECK=1 to build against it anyway`);
    }
    log(`libtorch: warning: ${msg} (check skipped by SKCDF_SKIP_LIBTORCH_CHECK=1)`);
  }
  const libs = readdirSync(join(dir, 'lib'));
  const cuda = libs.some((f) => /^libtorch_cuda(\.so|\.dylib|\.dll)/.test(f));
  const info = {
    dir,
    include: join(dir, 'include'),
    lib: join(dir, 'lib'),
    version,
    cuda,
    source,
    pythonPath: pythonPath ?? null,
  };
  log(`libtorch: ${version} (${cuda ? 'CUDA' : 'CPU'}) from ${source}: ${dir}`);
  return info;
}

export function writeLibtorchJson(info) {
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(join(root, 'build/libtorch.json'), JSON.stringify(info, null, 2) + '\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const info = resolveLibtorch({ log: (m) => console.error(m) });
  writeLibtorchJson(info);
  // `node scripts/libtorch.mjs include|lib|cuda` prints one field (used by binding.gyp).
  const field = process.argv[2];
  const derived = {
    apiInclude: join(info.include, 'torch/csrc/api/include'),
    libs: ['-ltorch', '-ltorch_cpu', '-lc10', ...(info.cuda ? ['-ltorch_cuda', '-lc10_cuda'] : [])].join(' '),
    // Gloo's headers when present (else a folder already on the list, so the entry stays valid).
    glooInclude: findGloo() ?? info.include,
    defines: [info.cuda ? 'SKCDF_WITH_CUDA' : '', findGloo() ? 'USE_C10D_GLOO' : ''].filter(Boolean).join(' '),
  };
  if (field) process.stdout.write(String(derived[field] ?? info[field]));
}
