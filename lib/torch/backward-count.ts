// How many backward passes this process has run (Tensor.backward, autograd.backward, autograd.grad).
// DistributedDataParallel uses it to tell a second forward of one iteration from the next iteration.
let count = 0;

export function noteBackward(): void {
  count++;
}

export function backwardCount(): number {
  return count;
}
