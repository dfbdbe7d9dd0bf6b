// The V8 flags of training processes (lib/torch/node-flags.ts) are what the package scripts, the installed command
// and the experiment's runs start Node with, and this Node accepts them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../lib/torch/node-flags.js';

const root = join(import.meta.dirname, '..');

describe('NODE_FLAGS', () => {
  it('every package script that runs the command line starts Node with them', () => {
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;
    const cli = Object.entries(scripts).filter(([, cmd]) => cmd.includes('lib/cli/main.ts'));
    expect(cli.map(([name]) => name).sort()).toEqual(
      ['evaluate', 'experiment', 'preprocess', 'skcdf', 'test-model', 'train'].sort(),
    );
    for (const [name, cmd] of cli) expect(cmd, name).toMatch(new RegExp(`^node ${NODE_FLAGS.join(' ')} --import tsx `));
  });

  it('the installed command (the shebang of lib/cli/main.ts) passes them', () => {
    const first = readFileSync(join(root, 'lib/cli/main.ts'), 'utf8').split('\n')[0];
    expect(first).toBe(`#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
  });

  it('this Node accepts them', () => {
    const r = spawnSync(process.execPath, [...NODE_FLAGS, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok');
  });
});
