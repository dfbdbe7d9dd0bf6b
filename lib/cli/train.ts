// `npm run train`: a thin command over resolveRunConfig (the run's configuration) and runPipeline (data, training,
// test-split prediction, evaluation, report), with a progress bar, Ctrl-C handling and data-parallel launching.
import type { Command } from 'commander';
import * as torch from '../torch/index.js';
import { DATASET_NAMES, type DatasetName } from '../skcdf/classes.js';
import {
  defaultConfig,
  LR_SCHEDULES,
  TRAIN_METHODS,
  usesUnlabeledData,
  type TrainConfig,
} from '../skcdf/training/config.js';
import { TrainingInterrupted } from '../skcdf/training/loop.js';
import { resolveRunConfig, resumeCommand, type LaunchShape } from '../skcdf/training/run-config.js';
import { runPipeline } from '../skcdf/pipeline.js';
import { formatTables } from '../skcdf/evaluate.js';
import { ProgressBar } from '../skcdf/progress.js';
import { launch, launchedRank, LaunchError, withoutOptions, type LaunchedRank } from '../distributed/launch.js';
import { choice, int, num, shape3 } from './options.js';

const LAUNCH_FLAGS = ['--nproc-per-node', '--nnodes', '--node-rank', '--master-addr', '--master-port'];

/** TrainConfig fields set by an option of the same name. */
type SameNameKey =
  | 'dataDir'
  | 'splitsDir'
  | 'evalSplit'
  | 'batchSize'
  | 'lr'
  | 'lrSchedule'
  | 'momentum'
  | 'weightDecay'
  | 'emaW'
  | 'cpsW'
  | 'patch'
  | 'evalEvery'
  | 'evalEveryEpochFrom'
  | 'patience'
  | 'device'
  | 'workers'
  | 'threads'
  | 'maxIterations'
  | 'method'
  | 'nesterov'
  | 'amp'
  | 'abc'
  | 'crossAttention'
  | 'balanceMasks'
  | 'evalBothDecoders'
  | 'test'
  | 'seed';
const SAME_NAME: readonly SameNameKey[] = [
  'dataDir',
  'splitsDir',
  'evalSplit',
  'batchSize',
  'lr',
  'lrSchedule',
  'momentum',
  'weightDecay',
  'emaW',
  'cpsW',
  'patch',
  'evalEvery',
  'evalEveryEpochFrom',
  'patience',
  'device',
  'workers',
  'threads',
  'maxIterations',
  'method',
  'nesterov',
  'amp',
  'abc',
  'crossAttention',
  'balanceMasks',
  'evalBothDecoders',
  'test',
  'seed',
];

/** The train command's options as commander parses them (undefined: not given). */
export interface TrainCliOptions extends Partial<Pick<TrainConfig, SameNameKey>> {
  dataset: DatasetName;
  /** TrainConfig.labeledSplit. */
  labeled?: string;
  /** TrainConfig.unlabeledSplit. */
  unlabeled?: string;
  /** TrainConfig.maxEpochs. */
  epochs?: number;
  /** TrainConfig.nFilters. */
  filters?: number;
  /** TrainConfig.numHeads. */
  heads?: number;
  /** TrainConfig.hasDropout. */
  dropout?: boolean;
  runDir?: string;
  fold: number;
  resume?: boolean;
  nprocPerNode?: number;
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  masterPort: number;
}

/** A value flag that sets one TrainConfig field; its default comes from defaultConfig(dataset) unless given. */
interface ConfigFlag {
  flags: string;
  key: keyof TrainConfig;
  help: string;
  parse?: (v: string) => unknown;
}

const CONFIG_FLAGS: ConfigFlag[] = [
  { flags: '--data-dir <dir>', key: 'dataDir', help: 'preprocessed <id>_image.npy/<id>_label.npy' },
  { flags: '--splits-dir <dir>', key: 'splitsDir', help: 'split files' },
  { flags: '--labeled <split>', key: 'labeledSplit', help: 'labeled split name' },
  { flags: '--unlabeled <split>', key: 'unlabeledSplit', help: 'unlabeled split name' },
  { flags: '--eval-split <split>', key: 'evalSplit', help: 'validation split name' },
  { flags: '--epochs <n>', key: 'maxEpochs', help: 'max_epoch; epochs 0..n run', parse: int('--epochs') },
  {
    flags: '--batch-size <n>',
    key: 'batchSize',
    help: 'labeled (= unlabeled) samples per iteration',
    parse: int('--batch-size'),
  },
  { flags: '--lr <x>', key: 'lr', help: 'base learning rate', parse: num('--lr') },
  {
    flags: '--lr-schedule <name>',
    key: 'lrSchedule',
    help: "the lr's decay over the epochs: poly (lr (1 - e/max)^0.9, the paper's) | cosine (lr (1 + cos(pi e/max))/2)",
    parse: choice('--lr-schedule', LR_SCHEDULES),
  },
  { flags: '--momentum <x>', key: 'momentum', help: 'SGD momentum', parse: num('--momentum') },
  { flags: '--weight-decay <x>', key: 'weightDecay', help: 'SGD weight decay', parse: num('--weight-decay') },
  { flags: '--ema-w <x>', key: 'emaW', help: 'decoder weight-averaging factor', parse: num('--ema-w') },
  {
    flags: '--cps-w <x>',
    key: 'cpsW',
    help: 'maximum weight of the unlabeled loss (sigmoid ramp-up)',
    parse: num('--cps-w'),
  },
  { flags: '--patch <DxHxW>', key: 'patch', help: 'training patch, multiples of 32', parse: shape3('--patch') },
  { flags: '--filters <n>', key: 'nFilters', help: 'n_filters F', parse: int('--filters') },
  { flags: '--heads <n>', key: 'numHeads', help: 'attention heads', parse: int('--heads') },
  {
    flags: '--eval-every <n>',
    key: 'evalEvery',
    help: 'validate every n epochs and after the last (0: never)',
    parse: int('--eval-every'),
  },
  {
    flags: '--eval-every-epoch-from <epoch>',
    key: 'evalEveryEpochFrom',
    help: 'validate after every epoch from this one on (synthetic default: half of the epochs)',
    parse: int('--eval-every-epoch-from'),
  },
  { flags: '--patience <n>', key: 'patience', help: 'early-stopping patience in epochs', parse: int('--patience') },
  { flags: '--device <device>', key: 'device', help: 'cpu | cuda | cuda:N' },
  {
    flags: '--workers <n>',
    key: 'workers',
    help: 'data loading threads (0: in the training thread)',
    parse: int('--workers'),
  },
  { flags: '--threads <n>', key: 'threads', help: 'libtorch CPU threads', parse: int('--threads') },
  {
    flags: '--max-iterations <n>',
    key: 'maxIterations',
    help: 'stop each epoch after n iterations (quick runs)',
    parse: int('--max-iterations'),
  },
  {
    flags: '--method <name>',
    key: 'method',
    parse: choice('--method', TRAIN_METHODS),
    help:
      'skcdf (labeled + unlabeled) | supervised (labeled cases only, decoder_l, no weight averaging) | labeled-only ' +
      '(SKCDF without unlabeled data: decoder_l head averaging + labeled cases, decoder_l); all run the same schedule',
  },
];

/** Boolean fields with a --x / --no-x pair. */
const SWITCHES: { name: string; key: keyof TrainConfig; on: string; off: string }[] = [
  { name: 'dropout', key: 'hasDropout', on: 'Dropout3d(0.5) in encoder and decoders', off: 'no dropout' },
  { name: 'nesterov', key: 'nesterov', on: 'Nesterov momentum', off: 'plain momentum' },
  {
    name: 'amp',
    key: 'amp',
    on: 'mixed precision (float16 + gradient scaling on CUDA, bfloat16 on CPU)',
    off: 'float32',
  },
  {
    name: 'abc',
    key: 'abc',
    on: 'the class-balanced auxiliary branch',
    off: 'ablation: no out_conv9_abc losses, no ABC averaging',
  },
  {
    name: 'cross-attention',
    key: 'crossAttention',
    on: 'the cross-attention blocks',
    off: 'ablation: bottleneck straight to the decoders',
  },
  {
    name: 'balance-masks',
    key: 'balanceMasks',
    on: 'class-balance masks on the ABC losses',
    off: 'ablation: keep probability 1',
  },
  {
    name: 'eval-both-decoders',
    key: 'evalBothDecoders',
    on: 'analysis: validate decoder_l too (pseudo-label quality, decoder_u lag)',
    off: 'validate the evaluated decoder only',
  },
  {
    name: 'test',
    key: 'test',
    on: 'after training: predict the test split with the best checkpoint, evaluate, write report.html',
    off: 'stop after training (no test-split prediction, evaluation or report); a resumed run keeps the choice',
  },
];

const show = (v: unknown): string => (Array.isArray(v) ? v.join('x') : v === undefined ? 'all' : String(v));

/**
 * "default: X" when the datasets agree, else "default: synapse X, amos Y, synthetic Z" (the values runs really use).
 */
export function defaultHelp(key: keyof TrainConfig): string {
  const values = DATASET_NAMES.map((d) => show(defaultConfig(d)[key]));
  if (values.every((v) => v === values[0])) return `default: ${values[0]}`;
  return `default: ${DATASET_NAMES.map((d, i) => `${d} ${values[i]}`).join(', ')}`;
}

function copyField<K extends SameNameKey>(
  to: Partial<TrainConfig>,
  from: Partial<Pick<TrainConfig, SameNameKey>>,
  key: K,
): void {
  to[key] = from[key];
}

/** The TrainConfig fields of the options the user gave (`given` tells which; the others keep their defaults). */
export function configOverrides(
  o: TrainCliOptions,
  given: (name: keyof TrainCliOptions) => boolean,
): Partial<TrainConfig> {
  const out: Partial<TrainConfig> = {};
  for (const key of SAME_NAME) if (given(key)) copyField(out, o, key);
  if (given('labeled')) out.labeledSplit = o.labeled;
  if (given('unlabeled')) out.unlabeledSplit = o.unlabeled;
  if (given('epochs')) out.maxEpochs = o.epochs;
  if (given('filters')) out.nFilters = o.filters;
  if (given('heads')) out.numHeads = o.heads;
  if (given('dropout')) out.hasDropout = o.dropout;
  return out;
}

/** Registers `train` on the program. */
export function trainCommand(program: Command): void {
  const cmd = program
    .command('train')
    .description(
      'train SKCDF, then predict the test split with the best checkpoint, evaluate and write report.html into the ' +
        'run folder (synthetic by default: generated on demand, minutes on a CPU)',
    )
    .option('--dataset <name>', DATASET_NAMES.join(' | '), choice('--dataset', DATASET_NAMES), 'synthetic');
  for (const f of CONFIG_FLAGS) {
    const help = `${f.help} (${defaultHelp(f.key)})`;
    if (f.parse) cmd.option(f.flags, help, f.parse);
    else cmd.option(f.flags, help);
  }
  for (const s of SWITCHES) {
    const d = DATASET_NAMES.map((ds) => `${ds} ${defaultConfig(ds)[s.key] ? 'on' : 'off'}`);
    const all = new Set(d.map((x) => x.split(' ')[1]));
    cmd.option(`--${s.name}`, `${s.on} (default: ${all.size === 1 ? [...all][0] : d.join(', ')})`);
    cmd.option(`--no-${s.name}`, s.off);
  }
  cmd
    .option('--run-dir <dir>', 'output folder (default: runs/<dataset>[-<method>][-<ablations>]-fold<f>-seed<s>)')
    .option('--fold <k>', 'fold index; sets the seed to the reference fold seeds 0, 1, 666', int('--fold'), 0)
    .option('--seed <n>', 'random seed (default: the fold seed)', int('--seed'))
    .option(
      '--resume',
      'continue the run in --run-dir from last.pth (also mid-epoch, after Ctrl-C), with its config.json',
    )
    .option(
      '--nproc-per-node <n>',
      "data parallel: start n training processes on this machine (torchrun's env contract; " +
        'batch size is per process)',
      int('--nproc-per-node'),
    )
    .option('--nnodes <n>', 'data parallel: number of machines', int('--nnodes'), 1)
    .option('--node-rank <k>', 'data parallel: index of this machine', int('--node-rank'), 0)
    .option('--master-addr <host>', 'data parallel: address of the machine of rank 0', '127.0.0.1')
    .option('--master-port <port>', 'data parallel: TCP port of the rendezvous on rank 0', int('--master-port'), 29500)
    .action(async (o: TrainCliOptions) => {
      if (o.nprocPerNode !== undefined && !process.env.SKCDF_LAUNCHED) {
        await launchTrainWorkers(o.nprocPerNode, o);
        return;
      }
      const given = (name: keyof TrainCliOptions): boolean =>
        ['cli', 'env'].includes(cmd.getOptionValueSource(name) ?? '');
      await trainFromOptions(o, given, launchedRank());
    });
}

/** One training process: the configuration from the options, then the pipeline (in a process group when launched). */
async function trainFromOptions(
  o: TrainCliOptions,
  given: (name: keyof TrainCliOptions) => boolean,
  launched: LaunchedRank | null,
): Promise<void> {
  // A worker joins the group (env:// as torchrun sets it).
  if (launched) torch.distributed.initProcessGroup({ backend: 'gloo', initMethod: 'env://' });
  try {
    const { config, ignored } = resolveRunConfig({
      dataset: o.dataset,
      fold: o.fold,
      overrides: configOverrides(o, given),
      runDir: o.runDir,
      resume: o.resume,
    });
    if (ignored.length)
      process.stderr.write(`--resume: using ${config.runDir}/config.json; ignoring ${ignored.join(', ')}\n`);
    // LOCAL_RANK picks a worker's GPU.
    if (launched && config.device === 'cuda') config.device = `cuda:${launched.localRank}`;
    if (config.device.startsWith('cuda') && !torch.cuda.isAvailable()) {
      const why = torch.cuda.isCompiled() ? 'no GPU found' : 'libtorch was built without CUDA';
      throw new Error(`--device ${config.device}: CUDA is not available (${why})`);
    }
    await runTrain(config, { resume: Boolean(o.resume), launched });
  } finally {
    if (launched) torch.distributed.destroyProcessGroup();
  }
}

/** The launcher: this command again in `nproc` worker processes, without the launcher's own flags. */
async function launchTrainWorkers(nproc: number, o: TrainCliOptions): Promise<void> {
  const args = [...process.execArgv, process.argv[1]!, ...withoutOptions(process.argv.slice(2), LAUNCH_FLAGS)];
  // One libtorch thread per worker unless told otherwise, as torchrun does.
  const env: NodeJS.ProcessEnv = {
    SKCDF_LAUNCHED: '1',
    ...(process.env.OMP_NUM_THREADS ? {} : { OMP_NUM_THREADS: '1' }),
  };
  process.stderr.write(
    `launch: ${nproc} worker(s) on node ${o.nodeRank} of ${o.nnodes}, rendezvous ${o.masterAddr}:${o.masterPort}\n`,
  );
  try {
    await launch({
      nprocPerNode: nproc,
      nnodes: o.nnodes,
      nodeRank: o.nodeRank,
      masterAddr: o.masterAddr,
      masterPort: o.masterPort,
      command: process.execPath,
      args,
      env,
    });
  } catch (err) {
    if (err instanceof LaunchError) {
      process.stderr.write(`${err.message}\n`);
      const code = err.failed.code;
      process.exitCode = code === 130 || code === 143 ? code : 1;
      return;
    }
    throw err;
  }
}

/** Ctrl-C / SIGTERM: the first stops after the current iteration (resumable), the second exits at once. */
function stopOnSignals(runDir: string): { signal: AbortSignal; release(): void } {
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (++signals > 1) {
      process.stderr.write(`\n${sig} again: exiting now; ${runDir}/last.pth holds the last finished epoch\n`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
    const how = sig === 'SIGINT' ? 'Ctrl-C' : 'signal';
    process.stderr.write(
      `\n${sig}: stopping after this iteration and saving ${runDir}/last.pth (${how} again quits at once)\n`,
    );
    stop.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: stop.signal,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * Runs the pipeline with a progress bar, Ctrl-C/SIGTERM handling (stop after the iteration, resumable) and the final
 * table.
 */
async function runTrain(config: TrainConfig, o: { resume: boolean; launched: LaunchedRank | null }): Promise<void> {
  const quiet = o.launched !== null && o.launched.rank !== 0; // a worker other than rank 0: rank 0 reports
  const stop = stopOnSignals(config.runDir);
  const method = config.method === 'skcdf' ? '' : `, method ${config.method}`;
  const unlabeled = usesUnlabeledData(config.method) ? config.batchSize : 0;
  if (!quiet) {
    process.stderr.write(
      `training ${config.dataset} into ${config.runDir} (F ${config.nFilters}, patch ${config.patch.join('x')}, ` +
        `lr ${config.lr}, epochs 0..${config.maxEpochs}, batch ${config.batchSize}+${unlabeled}${method}, ` +
        `${config.device})\n`,
    );
  }
  const bar = new ProgressBar(0);
  const started = Date.now();
  let done = 0;
  try {
    const result = await runPipeline({
      config,
      resume: o.resume,
      signal: stop.signal,
      log: (m) => {
        bar.done();
        process.stderr.write(`${m}\n`);
      },
      events: quiet
        ? { log: (m) => process.stderr.write(`${m}\n`) }
        : {
            onIteration: ({ epoch, iteration, iterations, step, lr, cpsW, seconds }) => {
              done++;
              bar.total = (config.maxEpochs + 1) * iterations;
              const at = epoch * iterations + iteration + 1;
              const eta = ((Date.now() - started) / 1000 / done) * (bar.total - at);
              bar.update(
                at,
                `epoch ${epoch}/${config.maxEpochs} it ${iteration + 1}/${iterations} loss ${step.loss.toFixed(4)} ` +
                  `(sup ${step.lossSup.toFixed(4)}, u ${step.lossU.toFixed(4)}) lr ${lr.toFixed(4)} cps ` +
                  `${cpsW.toFixed(3)} ` +
                  `${seconds.toFixed(2)}s/it`,
                eta,
              );
            },
            onEpoch: ({ epoch, validation }) => {
              if (!validation) return;
              bar.done();
              process.stderr.write(
                `epoch ${epoch}: eval mean Dice ${validation.mean.toFixed(4)} ` +
                  `[${validation.perClass.map((d) => d.toFixed(2)).join(' ')}], foreground Dice ` +
                  `${validation.foreground.toFixed(4)}\n`,
              );
            },
            log: (m) => process.stderr.write(`${m}\n`),
          },
    });
    bar.done();
    if (quiet) return;
    const s = result.summary;
    process.stderr.write(
      `best epoch ${s.bestEpoch}: validation mean Dice ${s.bestDice.toFixed(4)}, foreground Dice ` +
        `${s.bestForegroundDice.toFixed(4)} -> ${config.runDir}/best_model.pth\n`,
    );
    if (result.evaluation)
      process.stderr.write(`\ntest split (sliding window, best checkpoint):\n${formatTables(result.evaluation)}\n\n`);
    if (result.report) process.stderr.write(`report: ${result.report}\n`);
    process.stderr.write(`total ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    process.stdout.write(
      `${JSON.stringify({ ...s, testMeanDice: result.evaluation?.overall.dice.mean, report: result.report })}\n`,
    );
  } catch (err) {
    bar.done();
    if (!(err instanceof TrainingInterrupted)) throw err;
    if (!quiet)
      process.stderr.write(`${err.message}\nresume with: ${resumeCommand(config.runDir, launchShape(o.launched))}\n`);
    process.exitCode = err.reason === 'SIGTERM' ? 143 : 130;
  } finally {
    stop.release();
  }
}

/** The launch flags a data-parallel run was started with (none for one process). */
function launchShape(l: LaunchedRank | null): LaunchShape | undefined {
  if (!l) return undefined;
  return {
    nprocPerNode: l.localWorldSize,
    nnodes: l.worldSize / l.localWorldSize,
    masterAddr: l.masterAddr,
    masterPort: l.masterPort,
  };
}
