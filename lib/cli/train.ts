import type { Command } from 'commander';
import * as torch from '../torch/index.js';
import { defaultConfig, train, type TrainConfig } from '../skcdf/train.js';
import { datasetPaths, ensureDataset } from '../skcdf/datasets.js';
import type { DatasetName } from '../skcdf/classes.js';
import { ProgressBar } from './progress.js';
import { choice, int, num, shape3 } from './options.js';

/** The reference's fold seeds (Synapse: three folds with seeds 0, 1, 666). */
const FOLD_SEEDS = [0, 1, 666];

export function trainCommand(program: Command): void {
  program.command('train')
    .description('train SKCDF on a dataset (synthetic by default: generated on demand, trains on a CPU in minutes)')
    .option('--dataset <name>', 'synapse | amos | synthetic', choice('--dataset', ['synapse', 'amos', 'synthetic'] as const), 'synthetic')
    .option('--data-dir <dir>', 'preprocessed <id>_image.npy/<id>_label.npy (default: data/<dataset>/preprocessed)')
    .option('--splits-dir <dir>', 'split files (default: splits/<dataset>, data/synthetic/raw/splits for synthetic)')
    .option('--labeled <split>', 'labeled split name', 'labeled_20p')
    .option('--unlabeled <split>', 'unlabeled split name', 'unlabeled_20p')
    .option('--eval-split <split>', 'validation split name', 'eval')
    .option('--run-dir <dir>', 'output folder (default: runs/<dataset>-fold<f>-seed<s>)')
    .option('--epochs <n>', 'max_epoch; epochs 0..n run (default: 1500; synthetic 40)', int('--epochs'))
    .option('--batch-size <n>', 'labeled (= unlabeled) samples per iteration', int('--batch-size'), 2)
    .option('--lr <x>', 'base learning rate (default: synapse 0.3, amos 0.1, synthetic 0.1)', num('--lr'))
    .option('--momentum <x>', 'SGD momentum', num('--momentum'), 0.9)
    .option('--weight-decay <x>', 'SGD weight decay', num('--weight-decay'), 3e-5)
    .option('--no-nesterov', 'plain momentum instead of Nesterov')
    .option('--ema-w <x>', 'decoder weight-averaging factor', num('--ema-w'), 0.99)
    .option('--cps-w <x>', 'maximum weight of the unlabeled loss (sigmoid ramp-up)', num('--cps-w'), 10)
    .option('--patch <DxHxW>', 'training patch, multiples of 32 (default: 64x128x128; synthetic 32x64x64)', shape3('--patch'))
    .option('--filters <n>', 'n_filters F (default: 32; synthetic 8)', int('--filters'))
    .option('--heads <n>', 'attention heads', int('--heads'), 2)
    .option('--no-dropout', 'disable dropout (has_dropout false)')
    .option('--eval-every <n>', 'validate every n epochs (0: never)', int('--eval-every'), 1)
    .option('--patience <n>', 'early-stopping patience in epochs', int('--patience'), 1500)
    .option('--fold <k>', 'fold index; sets the seed to the reference fold seeds 0, 1, 666', int('--fold'), 0)
    .option('--seed <n>', 'random seed (default: the fold seed)', int('--seed'))
    .option('--device <device>', 'cpu | cuda | cuda:N', 'cpu')
    .option('--workers <n>', 'data loading threads (0: in the training thread)', int('--workers'))
    .option('--threads <n>', 'libtorch CPU threads', int('--threads'))
    .option('--max-iterations <n>', 'stop each epoch after n iterations (quick runs)', int('--max-iterations'))
    .option('--amp', 'mixed precision: float16 autocast with gradient scaling on CUDA, bfloat16 autocast on CPU')
    .option('--resume', 'continue the run in --run-dir from its last checkpoint')
    .action(async (o: Record<string, unknown>) => {
      const dataset = o.dataset as DatasetName;
      const seed = (o.seed as number | undefined) ?? FOLD_SEEDS[o.fold as number] ?? (o.fold as number);
      const paths = datasetPaths(dataset);
      const base = defaultConfig(dataset, { seed });
      const pick = <K extends keyof TrainConfig>(k: K, v: unknown): TrainConfig[K] => (v === undefined ? base[k] : (v as TrainConfig[K]));
      const config: TrainConfig = {
        ...base,
        dataDir: pick('dataDir', o.dataDir),
        splitsDir: pick('splitsDir', o.splitsDir),
        labeledSplit: o.labeled as string,
        unlabeledSplit: o.unlabeled as string,
        evalSplit: o.evalSplit as string,
        runDir: pick('runDir', o.runDir ?? `runs/${dataset}-fold${o.fold}-seed${seed}`),
        maxEpochs: pick('maxEpochs', o.epochs),
        batchSize: o.batchSize as number,
        lr: pick('lr', o.lr),
        momentum: o.momentum as number,
        weightDecay: o.weightDecay as number,
        nesterov: o.nesterov as boolean,
        emaW: o.emaW as number,
        cpsW: o.cpsW as number,
        patch: pick('patch', o.patch),
        nFilters: pick('nFilters', o.filters),
        numHeads: o.heads as number,
        hasDropout: o.dropout as boolean,
        evalEvery: o.evalEvery as number,
        patience: o.patience as number,
        device: o.device as string,
        workers: pick('workers', o.workers),
        threads: o.threads as number | undefined,
        maxIterations: o.maxIterations as number | undefined,
        amp: Boolean(o.amp),
      };
      if (config.device.startsWith('cuda') && !torch.cuda.isAvailable()) {
        throw new Error(`--device ${config.device}: CUDA is not available (${torch.cuda.isCompiled() ? 'no GPU found' : 'libtorch was built without CUDA'})`);
      }
      if (o.dataDir === undefined) ensureDataset(dataset, paths, (m) => process.stderr.write(`${m}\n`));
      process.stderr.write(`training ${dataset} into ${config.runDir} (F ${config.nFilters}, patch ${config.patch.join('x')}, lr ${config.lr}, epochs 0..${config.maxEpochs}, ${config.device})\n`);
      const bar = new ProgressBar();
      const started = Date.now();
      let done = 0;
      const summary = await train(config, {
        resume: Boolean(o.resume),
        events: {
          onIteration: ({ epoch, iteration, iterations, step, lr, cpsW, seconds }) => {
            done++;
            const total = (config.maxEpochs + 1) * iterations;
            const eta = ((Date.now() - started) / 1000 / done) * (total - done);
            bar.update(epoch * iterations + iteration + 1, total,
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
      process.stderr.write(`best epoch ${summary.bestEpoch}: mean Dice ${summary.bestDice.toFixed(4)}, foreground Dice ${summary.bestForegroundDice.toFixed(4)} -> ${config.runDir}/best_model.pth\n`);
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
}
