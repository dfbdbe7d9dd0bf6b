// `npm run experiment`: the ablation table (rows x seeds of `npm run train`), a thin command over lib/skcdf/experiment.
import type { Command } from 'commander';
import { DATASET_NAMES, type DatasetName } from '../skcdf/classes.js';
import {
  DEFAULT_SEEDS,
  EXPERIMENT_ROWS,
  Experiment,
  parseSeeds,
  selectRows,
  shellQuote,
  splitArgs,
} from '../skcdf/experiment/index.js';
import { choice } from './options.js';

/** The experiment command's options as commander parses them. */
export interface ExperimentCliOptions {
  rows?: string;
  seeds: string;
  dataset: DatasetName;
  outDir: string;
  docsDir: string;
  trainArgs?: string;
}

/** Registers `experiment` on the program. */
export function experimentCommand(program: Command): void {
  program
    .command('experiment')
    .description(
      'the ablation table: each row x seed is `npm run train -- <row flags> --seed S --run-dir ' +
      '<out-dir>/<row>-seed<S>`, ' +
        'one at a time, resumable (Ctrl-C, then run it again); writes <docs-dir>/results.{json,md,svg}',
    )
    .option('--rows <ids>', `comma-separated rows (default: all: ${EXPERIMENT_ROWS.map((r) => r.id).join(', ')})`)
    .option('--seeds <list>', 'comma-separated seeds', DEFAULT_SEEDS.join(','))
    .option('--dataset <name>', DATASET_NAMES.join(' | '), choice('--dataset', DATASET_NAMES), 'synthetic')
    .option('--out-dir <dir>', 'run folders', 'runs/experiment')
    .option('--docs-dir <dir>', 'where results.json, results.md and results.svg go', 'docs')
    .option('--train-args <args>', 'extra train arguments of every run, as one string (e.g. "--epochs 10 --threads 4")')
    .action((o: ExperimentCliOptions) => runExperimentCommand(o));
}

async function runExperimentCommand(o: ExperimentCliOptions): Promise<void> {
  const argv = process.argv.slice(process.argv.indexOf('experiment') + 1);
  const experiment = new Experiment({
    rows: selectRows(o.rows),
    seeds: parseSeeds(o.seeds),
    dataset: o.dataset,
    outDir: o.outDir,
    docsDir: o.docsDir,
    trainArgs: splitArgs(o.trainArgs ?? ''),
    command: ['npm run experiment', ...(argv.length ? ['--', ...argv.map(shellQuote)] : [])].join(' '),
    log: (m) => process.stderr.write(`${m}\n`),
  });
  const onSignal = (sig: NodeJS.Signals): void => {
    process.stderr.write(
      `\n${sig}: stopping the current run (it saves last.pth) and starting no other; run the same command again to ` +
      `resume\n`,
    );
    experiment.interrupt(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const r = await experiment.run();
    process.stderr.write(
      `${r.ran} run(s) trained or continued, ${r.skipped} already finished${r.docs ? `; table: ${r.docs.md}` : ''}\n`,
    );
    if (r.interrupted) {
      process.stderr.write(
        `interrupted (${r.interrupted}): every run is resumable; run the same command again to continue\n`,
      );
      process.exitCode = r.interrupted === 'SIGTERM' ? 143 : 130;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
