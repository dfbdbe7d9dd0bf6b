// A torchrun-style launcher: starts `nprocPerNode` worker processes on this machine with torchrun's
// environment contract (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE),
// forwards SIGINT/SIGTERM to every worker, and when one worker fails stops the others and reports
// which rank failed.
import { spawn, type ChildProcess } from 'node:child_process';

/** What `launch` starts: workers per node, nodes, this node's rank, the rendezvous and the worker command. */
export interface LaunchOptions {
  /** Workers on this node. */
  nprocPerNode: number;
  nnodes?: number;
  nodeRank?: number;
  masterAddr?: string;
  masterPort?: number;
  /** The worker command: executable and arguments (each worker gets the same). */
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** After one worker fails, how long the others get to exit on SIGTERM before SIGKILL (ms). */
  graceMs?: number;
  /** Where progress notes go (default stderr). */
  log?: (message: string) => void;
}

/** How one worker process ended: its ranks, exit code and signal. */
export interface WorkerExit {
  rank: number;
  localRank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A launch in which a worker failed: names the first failed rank; `exits` lists every worker's end. */
export class LaunchError extends Error {
  constructor(
    message: string,
    readonly failed: WorkerExit,
    readonly exits: WorkerExit[],
  ) {
    super(message);
    this.name = 'LaunchError';
  }
}

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`launch: ${name} must be an integer >= ${min}, got ${v}`);
}

/** Resolves with every worker's exit when all succeed; rejects with a LaunchError naming the first rank that failed. */
export function launch(o: LaunchOptions): Promise<WorkerExit[]> {
  const nnodes = o.nnodes ?? 1;
  const nodeRank = o.nodeRank ?? 0;
  const masterPort = o.masterPort ?? 29500;
  checkInt('nprocPerNode', o.nprocPerNode, 1);
  checkInt('nnodes', nnodes, 1);
  checkInt('nodeRank', nodeRank, 0);
  if (nodeRank >= nnodes) throw new RangeError(`launch: nodeRank ${nodeRank} must be below nnodes ${nnodes}`);
  checkInt('masterPort', masterPort, 1);
  const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const worldSize = nnodes * o.nprocPerNode;
  const masterAddr = o.masterAddr ?? '127.0.0.1';
  const children: { child: ChildProcess; rank: number; localRank: number; exited: boolean }[] = [];
  const exits: WorkerExit[] = [];
  let failed: WorkerExit | null = null;
  let stopping = false;

  const stopAll = (signal: NodeJS.Signals): void => {
    for (const c of children) if (!c.exited) c.child.kill(signal);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    stopping = true;
    log(`launch: ${signal}: forwarding to ${children.filter((c) => !c.exited).length} workers`);
    stopAll(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  return new Promise<WorkerExit[]>((resolve, reject) => {
    let killTimer: NodeJS.Timeout | undefined;
    for (let localRank = 0; localRank < o.nprocPerNode; localRank++) {
      const rank = nodeRank * o.nprocPerNode + localRank;
      const env = {
        ...process.env,
        ...o.env,
        MASTER_ADDR: masterAddr,
        MASTER_PORT: String(masterPort),
        RANK: String(rank),
        WORLD_SIZE: String(worldSize),
        LOCAL_RANK: String(localRank),
        LOCAL_WORLD_SIZE: String(o.nprocPerNode),
        GROUP_RANK: String(nodeRank),
      };
      // Own process group: Ctrl-C in the terminal reaches the launcher, which forwards it once.
      const child = spawn(o.command, o.args, { env, stdio: 'inherit', detached: true });
      const entry = { child, rank, localRank, exited: false };
      children.push(entry);
      child.on('error', (err) => log(`launch: rank ${rank} failed to start: ${err.message}`));
      child.on('exit', (code, signal) => {
        entry.exited = true;
        const exit: WorkerExit = { rank, localRank, code, signal };
        exits.push(exit);
        if ((code !== 0 || signal) && !failed && !stopping) {
          failed = exit;
          log(
            `launch: rank ${rank} (local rank ${localRank}) exited with ${signal ?? `code ${code}`}; stopping the ` +
            `other workers`,
          );
          stopAll('SIGTERM');
          killTimer = setTimeout(() => stopAll('SIGKILL'), o.graceMs ?? 10_000);
          killTimer.unref();
        }
        if (exits.length === children.length) {
          if (killTimer) clearTimeout(killTimer);
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          exits.sort((a, b) => a.rank - b.rank);
          const bad = failed ?? exits.find((e) => e.code !== 0 || e.signal);
          if (bad) {
            const how = bad.signal ?? `code ${bad.code}`;
            reject(
              new LaunchError(
                `launch: worker rank ${bad.rank} (local rank ${bad.localRank}) exited with ${how}`,
                bad,
                exits,
              ),
            );
          } else {
            resolve(exits);
          }
        }
      });
    }
  });
}

/** `argv` without the given options and their values (`--name value` and `--name=value`). */
export function withoutOptions(argv: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (names.includes(a)) {
      i++;
      continue;
    }
    if (names.some((n) => a.startsWith(`${n}=`))) continue;
    out.push(a);
  }
  return out;
}

/** Where a worker of a multi-rank run sits: its ranks, the world, and the rendezvous it was given. */
export interface LaunchedRank {
  rank: number;
  worldSize: number;
  localRank: number;
  /** Workers on this node (torchrun's LOCAL_WORLD_SIZE; the world size when unset). */
  localWorldSize: number;
  masterAddr: string;
  masterPort: number;
}

/** torchrun's environment, when this process is one of its (or our launcher's) workers of a multi-rank run. */
export function launchedRank(env: NodeJS.ProcessEnv = process.env): LaunchedRank | null {
  const world = Number(env.WORLD_SIZE);
  if (!env.RANK || !Number.isInteger(world) || world < 2 || !env.MASTER_ADDR || !env.MASTER_PORT) return null;
  return {
    rank: Number(env.RANK),
    worldSize: world,
    localRank: Number(env.LOCAL_RANK ?? env.RANK),
    localWorldSize: Number(env.LOCAL_WORLD_SIZE ?? world),
    masterAddr: env.MASTER_ADDR,
    masterPort: Number(env.MASTER_PORT),
  };
}
