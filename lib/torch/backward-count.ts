// How many backward passes this process has run (Tensor.backward, autograd.backward, autograd.grad).
// DistributedDataParallel uses it to tell a second forward of one iteration from the next iteration.
let count = 0;

/** Counts one backward pass; called by every entry to autograd's backward (internal). */
export function noteBackward(): void {
  count++;
}

/**
 * How many backward passes this process has run so far (Tensor.backward, autograd.backward and autograd.grad
 * each count one).
 */
export function backwardCount(): number {
  return count;
}
