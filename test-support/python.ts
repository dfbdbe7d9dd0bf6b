import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..');

function libtorchPythonPath(): string | undefined {
  const info = join(repo, 'build/libtorch.json');
  if (existsSync(info)) return JSON.parse(readFileSync(info, 'utf8')).pythonPath ?? undefined;
  const local = join(repo, '.deps/python');
  return existsSync(local) ? local : undefined;
}

/** The environment under which python3 imports the project's torch (PYTHONPATH set). */
export const pythonEnv = (): NodeJS.ProcessEnv => envWith(libtorchPythonPath());

function envWith(pythonPath?: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (pythonPath) env.PYTHONPATH = env.PYTHONPATH ? `${pythonPath}:${env.PYTHONPATH}` : pythonPath;
  return env;
}

function canImport(module: string): boolean {
  const r = spawnSync('python3', ['-c', `import ${module}`], { env: envWith(libtorchPythonPath()), stdio: 'ignore' });
  return r.status === 0;
}

/** Whether python3 can import these modules (torch resolved from the project's libtorch). */
export const hasPython = (...modules: string[]): boolean => modules.every(canImport);

/** Runs a Python script (torch importable) and returns its stdout. */
export function runPython(script: string, args: string[] = []): string {
  return execFileSync('python3', ['-c', script, ...args], {
    env: envWith(libtorchPythonPath()),
    maxBuffer: 1 << 28,
  }).toString();
}

/**
 * Makes a pip package importable for reference checks that need more than numpy/scipy/torch: installs it with
 * pip into `<repo>/.deps/python-test` on first use (the project's own install, nothing by hand). Returns the
 * PYTHONPATH entry to use, or undefined (with the reason on stderr) when pip cannot install it here.
 */
export function ensurePythonPackage(module: string, pipName = module): string | undefined {
  const target = join(repo, '.deps/python-test');
  const env = { ...process.env, PYTHONPATH: target };
  if (spawnSync('python3', ['-c', `import ${module}`], { env, stdio: 'ignore' }).status === 0) return target;
  const r = spawnSync(
    'python3',
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', target, pipName],
    { encoding: 'utf8', timeout: 600_000 },
  );
  if (r.status === 0 && spawnSync('python3', ['-c', `import ${module}`], { env, stdio: 'ignore' }).status === 0)
    return target;
  process.stderr.write(
    `python package ${pipName} could not be installed into ${target}: ${(r.stderr ?? '').trim().split('\n').pop()}\n`,
  );
  return undefined;
}

/** Runs a Python script with exactly this PYTHONPATH (no torch), returning stdout. */
export function runPythonWith(pythonPath: string, script: string, args: string[] = []): string {
  return execFileSync('python3', ['-c', script, ...args], {
    env: { ...process.env, PYTHONPATH: pythonPath },
    maxBuffer: 1 << 28,
  }).toString();
}
