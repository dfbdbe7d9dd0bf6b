/**
 * The V8 flags a Node process should start with when it trains with libtorch on the CPU:
 *
 * - `--single-threaded-gc`: V8 collects garbage on the JavaScript thread only. By default its parallel and
 *   concurrent GC helper threads wake up at every young-generation collection and compete with libtorch's OpenMP
 *   threads for the cores; an OpenMP region waits for its slowest thread, so one preempted thread stalls the op.
 * - `--max-semi-space-size=64` (MiB): a larger young generation, so the many small tensor wrappers of a training
 *   step trigger fewer of those collections.
 *
 * Measured with `bench/train-step.ts` (one training iteration of a 3D segmentation network, 32x64x64 patches,
 * batch 4, 2 threads, on a 2-core machine, 5 pairs of fresh processes against PyTorch): median time ratio to
 * PyTorch 1.014 without the flags, 0.913 with the first, 0.899 with both. `npm run train` and the other package
 * scripts, the installed `skcdf` command, `npm run experiment`'s runs and the benchmarks start Node with them.
 *
 * They are process start-up flags: a program of your own passes them to `node` itself, e.g.
 * `node --single-threaded-gc --max-semi-space-size=64 --import tsx train.ts`.
 */
export const NODE_FLAGS: readonly string[] = ['--single-threaded-gc', '--max-semi-space-size=64'];
