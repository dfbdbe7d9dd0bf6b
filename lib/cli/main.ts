#!/usr/bin/env -S node --single-threaded-gc --max-semi-space-size=64
// The skcdf command line: thin commands over library functions (lib/skcdf, lib/data).
import { Command } from 'commander';
import { trainCommand } from './train.js';
import { preprocessCommand, syntheticCommand, splitsCommand } from './data.js';
import { predictCommands } from './predict.js';
import { experimentCommand } from './experiment.js';

const program = new Command('skcdf').description(
  'SKCDF semi-supervised class-imbalanced 3D multi-organ segmentation on libtorch',
);
trainCommand(program);
preprocessCommand(program);
syntheticCommand(program);
splitsCommand(program);
predictCommands(program);
experimentCommand(program);

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`\nerror: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
