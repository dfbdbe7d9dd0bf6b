import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../lib/data/prng.js';
import { nearestTable, resizeNearest, resizeTrilinear } from '../lib/data/resize.js';
import { hasPython, runPython } from '../test-support/python.js';

const torchOk = hasPython('torch', 'numpy');
if (!torchOk) console.warn('SKIPPED data-resize PyTorch parity: python3 cannot import torch/numpy');

const dir = mkdtempSync(join(tmpdir(), 'skcdf-resize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs F.interpolate in PyTorch on a raw volume file; returns the raw output bytes. */
function torchResize(input: Float32Array | Uint8Array, inShape: number[], outShape: number[], mode: string): Buffer {
  const inPath = join(dir, 'in.bin');
  const outPath = join(dir, 'out.bin');
  writeFileSync(inPath, Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  const dt = input instanceof Float32Array ? 'float32' : 'uint8';
  runPython(
    `
import sys, numpy as np, torch, torch.nn.functional as F
torch.set_num_threads(1)
inp, out, dt, mode = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ishape = [int(v) for v in sys.argv[5].split(',')]; oshape = [int(v) for v in sys.argv[6].split(',')]
x = torch.from_numpy(np.fromfile(inp, dtype=dt).reshape(ishape))
if mode == 'trilinear':
    y = F.interpolate(x[None, None], size=oshape, mode='trilinear', align_corners=False)[0, 0]
else:
    y = F.interpolate(x[None, None].float(), size=oshape, mode='nearest')[0, 0].to(x.dtype)
y.contiguous().numpy().tofile(out)
`,
    [inPath, outPath, dt, mode, inShape.join(','), outShape.join(',')],
  );
  return readFileSync(outPath);
}

const cases: Array<[number[], number[]]> = [
  [
    [7, 13, 10],
    [5, 17, 9],
  ],
  [
    [3, 4, 5],
    [8, 6, 11],
  ],
  [
    [9, 11, 6],
    [9, 22, 3],
  ], // same size on one axis, exactly 2x on another
  [
    [37, 101, 93],
    [20, 32, 45],
  ],
  [
    [15, 64, 64],
    [80, 160, 160],
  ],
  [
    [1, 5, 2],
    [3, 1, 7],
  ],
];

describe.skipIf(!torchOk)('resize vs PyTorch F.interpolate', () => {
  it.each(cases)('trilinear %j -> %j (max abs diff <= 1e-5)', (inShape, outShape) => {
    const rng = new Rng(inShape[0]! * 1000 + outShape[2]!);
    const n = inShape[0]! * inShape[1]! * inShape[2]!;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = rng.normal();
    const ours = resizeTrilinear(x, inShape, outShape);
    const ref = new Float32Array(new Uint8Array(torchResize(x, inShape, outShape, 'trilinear')).buffer);
    expect(ours.length).toBe(ref.length);
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - ref[i]!));
    console.log(`trilinear ${JSON.stringify(inShape)} -> ${JSON.stringify(outShape)}: max abs diff ${maxDiff}`);
    expect(maxDiff).toBeLessThanOrEqual(1e-5);
  });

  it('trilinear on HU-range int16 values agrees to float32 rounding', () => {
    const inShape = [23, 57, 61];
    const outShape = [16, 32, 40];
    const rng = new Rng(5);
    const n = inShape[0]! * inShape[1]! * inShape[2]!;
    const hu = new Int16Array(n);
    for (let i = 0; i < n; i++) hu[i] = Math.round(rng.uniform(-1024, 1500));
    const ours = resizeTrilinear(hu, inShape, outShape);
    const ref = new Float32Array(
      new Uint8Array(torchResize(Float32Array.from(hu), inShape, outShape, 'trilinear')).buffer,
    );
    // Intermediates reach |1500|, where one float32 ulp is 2^-13 (1.2e-4): allow a few ulps of that
    // (a CPU without FMA makes PyTorch round differently); on FMA CPUs the results are bit-identical.
    let maxDiff = 0;
    let exact = 0;
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs(ours[i]! - ref[i]!);
      maxDiff = Math.max(maxDiff, d);
      if (d === 0) exact++;
    }
    console.log(`int16 HU trilinear: max abs diff ${maxDiff}, bit-identical ${exact}/${ref.length}`);
    expect(maxDiff).toBeLessThanOrEqual(4 * 2 ** -13);
    expect(exact / ref.length).toBeGreaterThan(0.99); // same arithmetic as PyTorch's fma kernel
  });

  it.each(cases)('nearest %j -> %j is exact', (inShape, outShape) => {
    const n = inShape[0]! * inShape[1]! * inShape[2]!;
    const x = new Uint8Array(n);
    for (let i = 0; i < n; i++) x[i] = i % 251; // position-coded, so any index slip shows
    const ours = resizeNearest(x, inShape, outShape);
    const ref = new Uint8Array(torchResize(x, inShape, outShape, 'nearest'));
    expect(ours).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(ours).equals(Buffer.from(ref))).toBe(true);
  });

  it('nearest index table matches PyTorch on the Synapse-sized axes (float32 floor rule)', () => {
    const pairs: Array<[number, number]> = [
      [512, 160],
      [147, 80],
      [89, 80],
      [85, 160],
      [611, 160],
      [3, 80],
    ];
    const out = runPython(`
import json, torch, torch.nn.functional as F
res = []
for i, o in ${JSON.stringify(pairs)}:
    x = torch.arange(i, dtype=torch.float32)[None, None]
    res.append(F.interpolate(x, size=o, mode='nearest')[0, 0].long().tolist())
print(json.dumps(res))
`);
    const ref = JSON.parse(out) as number[][];
    pairs.forEach(([i, o], k) => expect(Array.from(nearestTable(i, o))).toEqual(ref[k]));
  });
});

describe('resize closed forms', () => {
  it('trilinear of a linear ramp along W is the source coordinate (interior)', () => {
    const W = 10;
    const x = new Float32Array(W).map((_, i) => i);
    const y = resizeTrilinear(x, [1, 1, W], [1, 1, 4]);
    // src = 2.5 * (o + 0.5) - 0.5 -> 0.75, 3.25, 5.75, 8.25
    expect(Array.from(y)).toEqual([0.75, 3.25, 5.75, 8.25]);
  });
  it('rejects a wrong element count naming the shape', () => {
    expect(() => resizeTrilinear(new Float32Array(5), [1, 2, 3], [1, 1, 1])).toThrow(/\[1,2,3\]/);
  });
});
