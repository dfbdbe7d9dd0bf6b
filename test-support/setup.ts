// Vitest setup: yield to the event loop before every test. Native work and synchronous Python
// reference runs block the worker's event loop; vitest's worker RPC times out (60 s) when replies
// wait behind a long run of tests that never let I/O through.
import { beforeEach } from 'vitest';

beforeEach(async () => {
  await new Promise<void>((resolve) => setImmediate(resolve));
});
