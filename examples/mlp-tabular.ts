/**
 * An MLP on a small tabular dataset: CSV -> Dataset -> randomSplit -> DataLoader (shuffled with a seed,
 * optional worker threads) -> nn.Sequential called like a function -> cross entropy -> Adam.
 *
 *   npx tsx examples/mlp-tabular.ts [--epochs 20] [--workers 2] [--csv file.csv]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { data, nn, optim, torch } from '../lib/index.js';
import { CsvDataset, splitTable, writeSyntheticCsv } from './tabular-data.js';

export interface MlpResult {
  losses: number[];
  testAccuracy: number;
}

export async function main(
  o: { epochs?: number; workers?: number; csv?: string; seed?: number; log?: (s: string) => void } = {},
): Promise<MlpResult> {
  const log = o.log ?? console.log;
  const seed = o.seed ?? 0;
  const csv = o.csv ?? join(mkdtempSync(join(tmpdir(), 'mlp-tabular-')), 'table.csv');
  if (!o.csv) writeSyntheticCsv(csv, 300, seed);
  torch.manualSeed(seed);

  const table = new CsvDataset(csv);
  const [train, test] = splitTable(table, seed);
  const workers = o.workers ?? 0;
  const loader = new data.DataLoader(train, {
    batchSize: 16,
    shuffle: true,
    generator: seed,
    numWorkers: workers,
    // with workers, each thread builds the same split itself (objects cannot be sent to threads)
    workerDataset: workers
      ? { module: new URL('./tabular-data.ts', import.meta.url), export: 'makeTrainSplit', args: [csv, seed] }
      : undefined,
  });
  const testLoader = new data.DataLoader(test, { batchSize: 64 });

  const features = table.header.length - 1;
  const model = new nn.Sequential(new nn.Linear(features, 32), new nn.ReLU(), new nn.Linear(32, 3));
  const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const losses: number[] = [];
  for (let epoch = 0; epoch < (o.epochs ?? 20); epoch++) {
    let sum = 0,
      count = 0;
    for await (const batch of loader) {
      const loss = torch.tidy(() => {
        const l = nn.functional.crossEntropy(model(batch.features), batch.label);
        opt.zeroGrad();
        l.backward();
        opt.step();
        return l.item();
      });
      const n = batch.label.shape[0]!;
      torch.dispose([batch.features, batch.label]);
      sum += loss * n;
      count += n;
    }
    losses.push(sum / count);
    log(`epoch ${epoch}: train loss ${(sum / count).toFixed(4)}`);
  }
  let correct = 0;
  model.eval();
  for await (const batch of testLoader) {
    correct += torch.noGrad(() => torch.tidy(() => model(batch.features).argmax(1).eq(batch.label).sum().item()));
    torch.dispose([batch.features, batch.label]);
  }
  const testAccuracy = correct / test.length;
  log(`test accuracy ${(100 * testAccuracy).toFixed(1)}% on ${test.length} rows`);
  await loader.close();
  model.dispose();
  return { losses, testAccuracy };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  await main({ epochs: Number(arg('epochs') ?? 20), workers: Number(arg('workers') ?? 0), csv: arg('csv') });
}
