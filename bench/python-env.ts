// Environment for the Python reference runs of the benchmarks: the torch this build resolved.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function pythonEnv(): NodeJS.ProcessEnv {
  const info = join(import.meta.dirname, '../build/libtorch.json');
  const pythonPath = existsSync(info) ? (JSON.parse(readFileSync(info, 'utf8')).pythonPath as string | null) : null;
  const env = { ...process.env };
  if (pythonPath) env.PYTHONPATH = env.PYTHONPATH ? `${pythonPath}:${env.PYTHONPATH}` : pythonPath;
  return env;
}
