import type { Command } from 'commander';
import * as torch from '../torch/index.js';
import { defaultConfig, TRAIN_METHODS, TrainingInterrupted, usesUnlabeledData, type TrainConfig } from '../skcdf/train.js';
import { readRunConfig, runPipeline } from '../skcdf/pipeline.js';
import type { DatasetName } from '../skcdf/classes.js';
import { ProgressBar } from '../skcdf/progress.js';
import { choice, int, num, shape3 } from './options.js';
import { formatTables } from '../skcdf/evaluate.js';
import { launch, launchedRank, LaunchError, withoutOptions } from '../distributed/launch.js';

const LAUNCH_FLAGS = ['--nproc-per-node', '--nnodes', '--node-rank', '--master-addr', '--master-port'];

/** The reference's fold seeds (Synapse: three folds with seeds 0, 1, 666). */
const FOLD_SEEDS = [0, 1, 666];
const DATASETS = ['synapse', 'amos', 'synthetic'] as const;

type Parse = (v: string) => unknown;
/** A flag that sets one TrainConfig field; its default comes from defaultConfig(dataset) unless given. */
interface ConfigFlag { flags: string; key: keyof TrainConfig; help: string; parse?: Parse }

const CONFIG_FLAGS: ConfigFlag[] = [
  { flags: '--data-dir <dir>', key: 'dataDir', help: 'preprocessed <id>_image.npy/<id>_label.npy' },
  { flags: '--splits-dir <dir>', key: 'splitsDir', help: 'split files' },
  { flags: '--labeled <split>', key: 'labeledSplit', help: 'labeled split name' },
  { flags: '--unlabeled <split>', key: 'unlabeledSplit', help: 'unlabeled split name' },
  { flags: '--eval-split <split>', key: 'evalSplit', help: 'validation split name' },
  { flags: '--epochs <n>', key: 'maxEpochs', help: 'max_epoch; epochs 0..n run', parse: int('--epochs') },
  { flags: '--batch-size <n>', key: 'batchSize', help: 'labeled (= unlabeled) samples per iteration', parse: int('--batch-size') },
  { flags: '--lr <x>', key: 'lr', help: 'base learning rate (poly decay)', parse: num('--lr') },
  { flags: '--momentum <x>', key: 'momentum', help: 'SGD momentum', parse: num('--momentum') },
  { flags: '--weight-decay <x>', key: 'weightDecay', help: 'SGD weight decay', parse: num('--weight-decay') },
  { flags: '--ema-w <x>', key: 'emaW', help: 'decoder weight-averaging factor', parse: num('--ema-w') },
  { flags: '--cps-w <x>', key: 'cpsW', help: 'maximum weight of the unlabeled loss (sigmoid ramp-up)', parse: num('--cps-w') },
  { flags: '--patch <DxHxW>', key: 'patch', help: 'training patch, multiples of 32', parse: shape3('--patch') },
  { flags: '--filters <n>', key: 'nFilters', help: 'n_filters F', parse: int('--filters') },
  { flags: '--heads <n>', key: 'numHeads', help: 'attention heads', parse: int('--heads') },
  { flags: '--eval-every <n>', key: 'evalEvery', help: 'validate every n epochs (0: never)', parse: int('--eval-every') },
  { flags: '--patience <n>', key: 'patience', help: 'early-stopping patience in epochs', parse: int('--patience') },
  { flags: '--device <device>', key: 'device', help: 'cpu | cuda | cuda:N' },
  { flags: '--workers <n>', key: 'workers', help: 'data loading threads (0: in the training thread)', parse: int('--workers') },
  { flags: '--threads <n>', key: 'threads', help: 'libtorch CPU threads', parse: int('--threads') },
  { flags: '--max-iterations <n>', key: 'maxIterations', help: 'stop each epoch after n iterations (quick runs)', parse: int('--max-iterations') },
  { flags: '--method <name>', key: 'method', help: 'skcdf (labeled + unlabeled) | supervised (labeled cases only, decoder_l, no weight averaging) | labeled-only (SKCDF without unlabeled data: decoder_l head averaging + labeled cases, decoder_l); all run the same schedule', parse: choice('--method', TRAIN_METHODS) },
];

/** Boolean fields with a --x / --no-x pair. */
const SWITCHES: { name: string; key: keyof TrainConfig; on: string; off: string }[] = [
  { name: 'dropout', key: 'hasDropout', on: 'Dropout3d(0.5) in encoder and decoders', off: 'no dropout' },
  { name: 'nesterov', key: 'nesterov', on: 'Nesterov momentum', off: 'plain momentum' },
  { name: 'amp', key: 'amp', on: 'mixed precision (float16 + gradient scaling on CUDA, bfloat16 on CPU)', off: 'float32' },
  { name: 'abc', key: 'abc', on: 'the class-balanced auxiliary branch', off: 'ablation: no out_conv9_abc losses, no ABC averaging' },
  { name: 'cross-attention', key: 'crossAttention', on: 'the cross-attention blocks', off: 'ablation: bottleneck straight to the decoders' },
  { name: 'balance-masks', key: 'balanceMasks', on: 'class-balance masks on the ABC losses', off: 'ablation: keep probability 1' },
  { name: 'eval-both-decoders', key: 'evalBothDecoders', on: 'analysis: validate decoder_l too (pseudo-label quality, decoder_u lag)', off: 'validate the evaluated decoder only' },
];

const show = (v: unknown): string => (Array.isArray(v) ? v.join('x') : v === undefined ? 'all' : String(v));

/** "default: X" when the datasets agree, else "default: synapse X, amos Y, synthetic Z" (the values runs really use). */
export function defaultHelp(key: keyof TrainConfig): string {
  const values = DATASETS.map((d) => show(defaultConfig(d)[key]));
  return values.every((v) => v === values[0]) ? `default: ${values[0]}` : `default: ${DATASETS.map((d, i) => `${d} ${values[i]}`).join(', ')}`;
}

const camel = (flag: string): string => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The run's configuration: defaultConfig(dataset) with exactly the options the user gave on the command line
 * (commander's value source tells which). With --resume, the run folder's config.json instead, where only
 * --device, --workers and --threads may change.
 */
export function configFromOptions(cmd: Command, o: Record<string, unknown>): TrainConfig {
  const given = (name: string): boolean => cmd.getOptionValueSource(name) === 'cli' || cmd.getOptionValueSource(name) === 'env';
  const dataset = o.dataset as DatasetName;
  const fold = o.fold as number;
  const seed = given('seed') ? (o.seed as number) : FOLD_SEEDS[fold] ?? fold;
  const picked: Partial<TrainConfig> = {};
  for (const f of CONFIG_FLAGS) {
    const name = camel(f.flags.split(' ')[0]!);
    if (given(name)) (picked as Record<string, unknown>)[f.key] = o[name];
  }
  for (const s of SWITCHES) {
    const name = camel(`--${s.name}`);
    if (given(name)) (picked as Record<string, unknown>)[s.key] = o[name];
  }
  const base = defaultConfig(dataset, { seed, ...picked });
  const runDir = given('runDir') ? (o.runDir as string) : `runs/${runName(dataset, base, fold, seed)}`;
  if (o.resume) {
    const saved = readRunConfig(runDir);
    const changeable: (keyof TrainConfig)[] = ['device', 'workers', 'threads'];
    const ignored = Object.keys(picked).filter((k) => !changeable.includes(k as keyof TrainConfig));
    if (ignored.length) process.stderr.write(`--resume: using ${runDir}/config.json; ignoring ${ignored.join(', ')}\n`);
    return { ...saved, runDir, ...Object.fromEntries(changeable.filter((k) => k in picked).map((k) => [k, picked[k]])) };
  }
  return { ...base, runDir };
}

/** runs/<dataset>[-<method>][-<ablations>]-fold<f>-seed<s>. */
function runName(dataset: string, c: TrainConfig, fold: number, seed: number): string {
  const tags = [dataset, c.method !== 'skcdf' ? c.method : '', c.abc ? '' : 'noabc', c.crossAttention ? '' : 'noattn', c.balanceMasks ? '' : 'nomasks'];
  return `${tags.filter(Boolean).join('-')}-fold${fold}-seed${seed}`;
}

export function trainCommand(program: Command): void {
  const cmd = program.command('train')
    .description('train SKCDF, then predict the test split with the best checkpoint, evaluate and write report.html into the run folder '
      + '(synthetic by default: generated on demand, minutes on a CPU)')
    .option('--dataset <name>', 'synapse | amos | synthetic', choice('--dataset', DATASETS), 'synthetic');
  for (const f of CONFIG_FLAGS) cmd.option(f.flags, `${f.help} (${defaultHelp(f.key)})`, f.parse as Parse);
  for (const s of SWITCHES) {
    const d = DATASETS.map((ds) => `${ds} ${defaultConfig(ds)[s.key] ? 'on' : 'off'}`);
    const all = new Set(d.map((x) => x.split(' ')[1]));
    cmd.option(`--${s.name}`, `${s.on} (default: ${all.size === 1 ? [...all][0] : d.join(', ')})`);
    cmd.option(`--no-${s.name}`, s.off);
  }
  cmd.option('--run-dir <dir>', 'output folder (default: runs/<dataset>[-<method>][-<ablations>]-fold<f>-seed<s>)')
    .option('--fold <k>', 'fold index; sets the seed to the reference fold seeds 0, 1, 666', int('--fold'), 0)
    .option('--seed <n>', 'random seed (default: the fold seed)', int('--seed'))
    .option('--no-test', 'stop after training (no test-split prediction, evaluation or report)')
    .option('--resume', 'continue the run in --run-dir from last.pth (also mid-epoch, after Ctrl-C), with its config.json')
    .option('--nproc-per-node <n>', 'data parallel: start n training processes on this machine (torchrun\'s env contract; batch size is per process)', int('--nproc-per-node'))
    .option('--nnodes <n>', 'data parallel: number of machines', int('--nnodes'), 1)
    .option('--node-rank <k>', 'data parallel: index of this machine', int('--node-rank'), 0)
    .option('--master-addr <host>', 'data parallel: address of the machine of rank 0', '127.0.0.1')
    .option('--master-port <port>', 'data parallel: TCP port of the rendezvous on rank 0', int('--master-port'), 29500)
    .action(async (o: Record<string, unknown>) => {
      const nproc = o.nprocPerNode as number | undefined;
      if (nproc !== undefined && !process.env.SKCDF_LAUNCHED) {
        await launchTrainWorkers(nproc, o);
        return;
      }
      const launched = launchedRank();
      if (launched) {
        // A worker: join the group (env:// as torchrun sets it); LOCAL_RANK picks the GPU.
        torch.distributed.initProcessGroup({ backend: 'gloo', initMethod: 'env://' });
        if (o.device === 'cuda') o.device = `cuda:${launched.localRank}`;
      }
      const config = configFromOptions(cmd, o);
      if (config.device.startsWith('cuda') && !torch.cuda.isAvailable()) {
        throw new Error(`--device ${config.device}: CUDA is not available (${torch.cuda.isCompiled() ? 'no GPU found' : 'libtorch was built without CUDA'})`);
      }
      try {
        await runTrain(config, { resume: Boolean(o.resume), test: o.test !== false, quiet: launched !== null && launched.rank !== 0 });
      } finally {
        if (launched) torch.distributed.destroyProcessGroup();
      }
    });
}

/** The launcher: this command again in `nproc` worker processes, without the launcher's own flags. */
async function launchTrainWorkers(nproc: number, o: Record<string, unknown>): Promise<void> {
  const args = [...process.execArgv, process.argv[1]!, ...withoutOptions(process.argv.slice(2), LAUNCH_FLAGS)];
  // One libtorch thread per worker unless told otherwise, as torchrun does.
  const env: NodeJS.ProcessEnv = { SKCDF_LAUNCHED: '1', ...(process.env.OMP_NUM_THREADS ? {} : { OMP_NUM_THREADS: '1' }) };
  process.stderr.write(`launch: ${nproc} worker(s) on node ${o.nodeRank} of ${o.nnodes}, rendezvous ${o.masterAddr}:${o.masterPort}\n`);
  try {
    await launch({
      nprocPerNode: nproc, nnodes: o.nnodes as number, nodeRank: o.nodeRank as number, masterAddr: o.masterAddr as string,
      masterPort: o.masterPort as number, command: process.execPath, args, env,
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

/** Runs the pipeline with a progress bar, Ctrl-C/SIGTERM handling (stop after the iteration, resumable) and the final table. */
async function runTrain(config: TrainConfig, o: { resume: boolean; test: boolean; quiet?: boolean }): Promise<void> {
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (++signals > 1) {
      process.stderr.write(`\n${sig} again: exiting now; ${config.runDir}/last.pth holds the last finished epoch\n`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
    process.stderr.write(`\n${sig}: stopping after this iteration and saving ${config.runDir}/last.pth (${sig === 'SIGINT' ? 'Ctrl-C' : 'signal'} again quits at once)\n`);
    stop.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const method = config.method === 'skcdf' ? '' : `, method ${config.method}`;
  if (!o.quiet) process.stderr.write(`training ${config.dataset} into ${config.runDir} (F ${config.nFilters}, patch ${config.patch.join('x')}, lr ${config.lr}, `
    + `epochs 0..${config.maxEpochs}, batch ${config.batchSize}+${usesUnlabeledData(config.method) ? config.batchSize : 0}${method}, ${config.device})\n`);
  const bar = new ProgressBar(0);
  const started = Date.now();
  let done = 0;
  try {
    const result = await runPipeline({
      config, resume: o.resume, test: o.test, signal: stop.signal,
      log: (m) => { bar.done(); process.stderr.write(`${m}\n`); },
      events: o.quiet ? { log: (m) => process.stderr.write(`${m}\n`) } : {
        onIteration: ({ epoch, iteration, iterations, step, lr, cpsW, seconds }) => {
          done++;
          const total = (config.maxEpochs + 1) * iterations;
          const at = epoch * iterations + iteration + 1;
          const eta = ((Date.now() - started) / 1000 / done) * (total - at);
          bar.total = total;
          bar.update(at,
            `epoch ${epoch}/${config.maxEpochs} it ${iteration + 1}/${iterations} loss ${step.loss.toFixed(4)} (sup ${step.lossSup.toFixed(4)}, u ${step.lossU.toFixed(4)}) lr ${lr.toFixed(4)} cps ${cpsW.toFixed(3)} ${seconds.toFixed(2)}s/it`, eta);
        },
        onEpoch: ({ epoch, validation }) => {
          if (validation) {
            bar.done();
            process.stderr.write(`epoch ${epoch}: eval mean Dice ${validation.mean.toFixed(4)} [${validation.perClass.map((d) => d.toFixed(2)).join(' ')}], foreground Dice ${validation.foreground.toFixed(4)}\n`);
          }
        },
        log: (m) => process.stderr.write(`${m}\n`),
      },
    });
    bar.done();
    if (o.quiet) return; // a worker other than rank 0: rank 0 reports
    const s = result.summary;
    process.stderr.write(`best epoch ${s.bestEpoch}: validation mean Dice ${s.bestDice.toFixed(4)}, foreground Dice ${s.bestForegroundDice.toFixed(4)} -> ${config.runDir}/best_model.pth\n`);
    if (result.evaluation) process.stderr.write(`\ntest split (sliding window, best checkpoint):\n${formatTables(result.evaluation)}\n\n`);
    if (result.report) process.stderr.write(`report: ${result.report}\n`);
    process.stderr.write(`total ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    process.stdout.write(`${JSON.stringify({ ...s, testMeanDice: result.evaluation?.overall.dice.mean, report: result.report })}\n`);
  } catch (err) {
    bar.done();
    if (err instanceof TrainingInterrupted) {
      if (!o.quiet) process.stderr.write(`${err.message}\nresume with: npm run train -- --run-dir ${config.runDir} --resume\n`);
      process.exitCode = err.reason === 'SIGTERM' ? 143 : 130;
      return;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
