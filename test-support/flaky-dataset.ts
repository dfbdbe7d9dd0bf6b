// A dataset module for DataLoader worker tests: item i is {x: Float32Array [i, i^2], y: bigint i, w: worker id};
// getItem(badIndex) throws.
import { getWorkerInfo } from '../lib/data/worker-safe.js';

export function makeFlaky(n: number, badIndex = -1) {
  return {
    length: n,
    getItem(i: number) {
      if (i === badIndex) throw new Error(`item ${i} is corrupt`);
      return { x: Float32Array.of(i, i * i), y: BigInt(i), w: getWorkerInfo()?.id ?? -1 };
    },
  };
}
