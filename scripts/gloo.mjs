// Gloo's headers for torch.distributed. libtorch ships its Gloo compiled into libtorch_cpu but not
// the headers that c10d's ProcessGroupGloo.hpp includes; Debian/Ubuntu's libgloo-dev provides them
// (only the headers are used: the code that runs is libtorch's own Gloo). Order: SKCDF_GLOO_INCLUDE,
// headers already installed, else `apt-get install libgloo-dev` when this is root on a Debian-like
// system (skip with SKCDF_NO_APT=1); otherwise the addon builds without distributed support.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const SYSTEM_DIRS = ['/usr/include', '/usr/local/include'];

export function findGloo() {
  const dirs = process.env.SKCDF_GLOO_INCLUDE ? [process.env.SKCDF_GLOO_INCLUDE] : SYSTEM_DIRS;
  return dirs.find((d) => existsSync(join(d, 'gloo/config.h'))) ?? null;
}

function hasCommand(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The folder holding gloo/ headers, installing them with apt-get when that is possible; null when absent. */
export function ensureGloo({ log = console.log } = {}) {
  let dir = findGloo();
  if (dir) return dir;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!process.env.SKCDF_GLOO_INCLUDE && process.env.SKCDF_NO_APT !== '1' && root && hasCommand('apt-get')) {
    log('distributed: Gloo headers missing; installing libgloo-dev with apt-get');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () =>
      execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'libgloo-dev'], {
        stdio: 'inherit',
        env,
      });
    try {
      install();
    } catch {
      try {
        execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
        install();
      } catch (err) {
        log(`distributed: apt-get install libgloo-dev failed (${err.message})`);
      }
    }
    dir = findGloo();
    if (dir) return dir;
  }
  log(
    'distributed: building WITHOUT torch.distributed (Gloo headers not found). To enable it: ' +
      '`sudo apt-get install libgloo-dev` (or set SKCDF_GLOO_INCLUDE to a folder holding gloo/config.h), then `npm ' +
      'run build:native`',
  );
  return null;
}
