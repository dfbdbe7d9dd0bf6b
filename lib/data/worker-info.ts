/** PyTorch's get_worker_info: inside a DataLoader worker, which one it is; null in the main thread. */
/** seed: distinct per worker (and per start of the loader's workers), deterministic. */
export interface WorkerInfo {
  id: number;
  numWorkers: number;
  seed: number;
}
let info: WorkerInfo | null = null;
/**
 * PyTorch's get_worker_info: inside a DataLoader worker, which one it is (id, numWorkers, seed); null in the main
 * thread.
 */
export const getWorkerInfo = (): WorkerInfo | null => info;
/** Set once by the worker entry. */
export const setWorkerInfo = (w: WorkerInfo): void => {
  info = w;
};
