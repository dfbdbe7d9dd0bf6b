// Training checkpoints: {model, optimizer, state} in PyTorch's .pth format (Python's torch.load reads them),
// written atomically; reading one that is truncated or corrupt is an error naming the file.
import { existsSync } from 'node:fs';
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import type { Savable } from '../../torch/serialize.js';
import type { Module } from '../../nn/module.js';
import type { OptimizerStateDict } from '../../optim/optimizer.js';
import type { GradScaler } from '../../amp/grad-scaler.js';

type StatefulOptimizer = { stateDict(): OptimizerStateDict; loadStateDict(sd: OptimizerStateDict): void };

/** The loop's position and bookkeeping, stored as JSON under 'state'. */
export interface TrainState {
  /** Last fully finished epoch (-1: none). */
  epoch: number;
  /** Iterations of epoch `epoch + 1` already done (a run stopped mid-epoch resumes there). */
  nextIteration: number;
  bestDice: number;
  bestEpoch: number;
  /** Foreground (organs vs background) Dice at the best epoch. */
  bestForeground?: number;
  cpsW: number;
  lr: number;
  /** Bytes of log.jsonl belonging to this state (a resume drops lines logged after the checkpoint). */
  logBytes?: number;
  /** Ranks of the run (a distributed run resumes only with the same world size); absent means 1. */
  worldSize?: number;
  /** GradScaler state when training with float16 autocast. */
  scaler?: ReturnType<GradScaler['stateDict']>;
}

/** Writes {model, optimizer, state} to `path` atomically (torch.save writes a temporary file, then renames). */
export function saveTrainCheckpoint(
  path: string,
  model: Module,
  optimizer: StatefulOptimizer,
  state: TrainState,
): void {
  torch.tidy(() => {
    const opt = optimizer.stateDict();
    const optState = new Map<number, Map<string, Savable>>(
      Object.entries(opt.state).map(([k, v]) => [Number(k), new Map(Object.entries(v))]),
    );
    torch.save(
      new Map<string, Savable>([
        ['model', model.stateDict()],
        [
          'optimizer',
          new Map<string, Savable>([
            ['state', optState],
            ['param_groups', opt.param_groups as Savable],
          ]),
        ],
        ['state', JSON.stringify(state)],
      ]),
      path,
    );
  });
}

/**
 * Restores model, optimizer (and scaler) from a checkpoint written by saveTrainCheckpoint and returns its state.
 * Every failure (missing, truncated, corrupt, not a training checkpoint, other model) names the file; nothing is
 * written, so the file and any other checkpoint stay as they are.
 */
export function loadTrainCheckpoint(
  path: string,
  model: Module,
  optimizer: StatefulOptimizer,
  scaler?: GradScaler,
): TrainState {
  if (!existsSync(path)) throw new Error(`${path}: no checkpoint to resume from`);
  return torch.tidy(() => {
    let ck: unknown;
    try {
      ck = torch.load(path);
    } catch (err) {
      throw new Error(
        `${path}: cannot read the checkpoint, it is truncated or corrupt (${(err as Error).message}). ` +
          'best_model.pth in the same folder is untouched; restart without --resume or restore a copy of last.pth',
      );
    }
    if (!(ck instanceof Map) || !(ck.get('model') instanceof Map) || typeof ck.get('state') !== 'string') {
      throw new Error(`${path}: not a training checkpoint (expected a dict with 'model', 'optimizer' and 'state')`);
    }
    let state: TrainState;
    try {
      state = JSON.parse(ck.get('state') as string) as TrainState;
    } catch {
      throw new Error(`${path}: the checkpoint's 'state' entry is not valid JSON`);
    }
    try {
      model.loadStateDict(ck.get('model') as Map<string, Tensor>);
      optimizer.loadStateDict(optimizerStateFromLoaded(ck.get('optimizer'), path));
    } catch (err) {
      throw new Error(`${path}: ${(err as Error).message} (was the run configured differently?)`);
    }
    if (scaler && state.scaler) scaler.loadStateDict(state.scaler);
    state.nextIteration ??= 0; // checkpoints written before mid-epoch resume existed
    return state;
  });
}

/** The optimizer part of a loaded checkpoint (Maps from torch.load) in the optimizer's stateDict layout. */
function optimizerStateFromLoaded(value: unknown, file: string): OptimizerStateDict {
  if (!(value instanceof Map) || !(value.get('state') instanceof Map) || !Array.isArray(value.get('param_groups'))) {
    throw new Error(`${file}: the checkpoint has no optimizer state dict`);
  }
  const state: OptimizerStateDict['state'] = {};
  for (const [k, v] of value.get('state') as Map<number, Map<string, Tensor | number>>)
    state[Number(k)] = Object.fromEntries(v);
  const groups = (value.get('param_groups') as Map<string, unknown>[]).map((g) => Object.fromEntries(g));
  return { state, param_groups: groups as OptimizerStateDict['param_groups'] };
}
