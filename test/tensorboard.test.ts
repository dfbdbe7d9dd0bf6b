// TensorBoard event files written by lib/io/tensorboard.ts, read back by the tensorboard Python package's own
// event reader (an independent implementation of the TFRecord framing and the Event protobuf).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SummaryWriter, crc32c, maskedCrc32c } from '../lib/io/tensorboard.js';
import { ensurePythonPackage, runPythonWith } from '../test-support/python.js';

const READ = `
import json, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
acc = EventAccumulator(sys.argv[1], size_guidance={'scalars': 0})
acc.Reload()
out = {t: [[e.step, e.value, e.wall_time] for e in acc.Scalars(t)] for t in acc.Tags()['scalars']}
print(json.dumps(out))
`;

describe('TensorBoard scalar events', () => {
  it('CRC-32C matches the standard check values', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
    expect(maskedCrc32c(new Uint8Array(0))).toBe((((0 >>> 15) | (0 << 17)) + 0xa282ead8) >>> 0);
  });

  const tb = ensurePythonPackage('tensorboard');
  it.skipIf(!tb)('tensorboard reads back every scalar with its tag, step and value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skcdf-tb-'));
    const w = new SummaryWriter(dir);
    const expected: Record<string, [number, number][]> = { 'loss/loss': [], lr: [], 'val/dice': [] };
    for (let step = 0; step < 50; step++) {
      const loss = 3 * Math.exp(-step / 20) + 0.01 * Math.sin(step);
      const lr = 0.3 * (1 - step / 50) ** 0.9;
      w.addScalars({ 'loss/loss': loss, lr }, step, 1_700_000_000 + step);
      expected['loss/loss']!.push([step, loss]);
      expected.lr!.push([step, lr]);
      if (step % 10 === 9) {
        w.addScalar('val/dice', step / 100, step);
        expected['val/dice']!.push([step, step / 100]);
      }
    }
    w.close();
    expect(readFileSync(w.path).length).toBeGreaterThan(0);
    const got = JSON.parse(runPythonWith(tb!, READ, [dir])) as Record<string, [number, number, number][]>;
    expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
    for (const [tag, points] of Object.entries(expected)) {
      expect(got[tag]!.map((p) => p[0])).toEqual(points.map((p) => p[0]));
      // simple_value is a float32: compare at float32 precision.
      got[tag]!.forEach((p, i) => expect(p[1]).toBe(Math.fround(points[i]![1])));
    }
    expect(got['loss/loss']![3]![2]).toBe(1_700_000_003);
  });
});
