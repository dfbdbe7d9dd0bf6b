/**
 * The worker side of a WorkerPool (./worker-pool.ts): answers each `{ id, request }` message with the handler's
 * result or its error. Loads nothing but node:worker_threads, so dataset workers stay free of the tensor library.
 */
import { parentPort } from 'node:worker_threads';

/** A request as a WorkerPool posts it. */
export interface WorkerRequest<Req> {
  id: number;
  request: Req;
}

/** A worker's answer: `result`, or `error` (a message) and its stack. */
export interface WorkerReply<Res> {
  id: number;
  result?: Res;
  error?: string;
  stack?: string;
}

/**
 * Answers the pool's requests in this worker thread with `handle` (sync or async; requests are handled as they
 * arrive). `transfer` lists ArrayBuffers of a result to move to the main thread instead of copying them.
 */
export function serveRequests<Req, Res>(
  handle: (request: Req) => Res | Promise<Res>,
  transfer?: (result: Res) => ArrayBuffer[],
): void {
  const port = parentPort;
  if (!port) throw new Error('serveRequests: not running in a worker thread');
  port.on('message', (m: WorkerRequest<Req>) => {
    void (async () => {
      try {
        const result = await handle(m.request);
        port.postMessage({ id: m.id, result } satisfies WorkerReply<Res>, transfer?.(result) ?? []);
      } catch (err) {
        const e = err as Error;
        port.postMessage({ id: m.id, error: e?.message ?? String(err), stack: e?.stack } satisfies WorkerReply<Res>);
      }
    })();
  });
}
