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
    env: envWith(libtorchPythonPath()), maxBuffer: 1 << 28,
  }).toString();
}
