// How much of torch.nn this library covers, read from live Python: the public module classes of
// torch.nn, the public callables of torch.nn.functional and of torch.nn.utils, mapped to camelCase
// (max_pool2d -> maxPool2d, clip_grad_norm_ -> clipGradNorm_; class names unchanged), against what
// nn, nn.functional and nn.utils export. Names that are not API (helpers Python imports into the
// namespace) and deliberate omissions (README "Deliberately missing", each with its reason) are left
// out of the denominator; every omission must really be absent here and present in Python.
import { describe, expect, it } from 'vitest';
import * as nn from '../lib/nn/index.js';
import { hasPython, runPython } from '../test-support/python.js';

/** Imported helpers, not documented API of torch.nn.functional. */
const NOT_API: Record<string, string[]> = {
  functional: [
    'Optional',
    'boolean_dispatch',
    'handle_torch_function',
    'has_torch_function',
    'has_torch_function_unary',
    'has_torch_function_variadic',
    'assert_int_or_pair',
  ],
  modules: [],
  utils: [],
};
/** Deliberately missing (also listed with the same reasons in README.md). */
export const DELIBERATELY_MISSING: Record<string, Record<string, string>> = {
  modules: {
    Container: 'deprecated since PyTorch 0.4 (use Sequential / ModuleList)',
    DataParallel:
      'single-process multi-GPU replication, discouraged by PyTorch; use nn.parallel.DistributedDataParallel',
    SyncBatchNorm:
      'needs a cross-process all-reduce inside forward; training here syncs BatchNorm statistics at epoch end instead',
    CrossMapLRN2d:
      'legacy Lua-torch port whose forward window keeps channel 0 for every later channel and whose backward is ' +
      "not that forward's derivative; use LocalResponseNorm",
    ...Object.fromEntries(
      [
        'LazyLinear',
        'LazyConv1d',
        'LazyConv2d',
        'LazyConv3d',
        'LazyConvTranspose1d',
        'LazyConvTranspose2d',
        'LazyConvTranspose3d',
        'LazyBatchNorm1d',
        'LazyBatchNorm2d',
        'LazyBatchNorm3d',
        'LazyInstanceNorm1d',
        'LazyInstanceNorm2d',
        'LazyInstanceNorm3d',
      ].map((n) => [
        n,
        'shape inference at the first call (UninitializedParameter); give the input size to the non-lazy layer',
      ]),
    ),
  },
  functional: {
    grouped_mm: 'float8/bfloat16 grouped GEMM for CUDA mixture-of-experts kernels, not a layer function',
    scaled_mm: 'float8 scaled GEMM (CUDA), not a layer function',
    scaled_grouped_mm: 'float8 scaled grouped GEMM (CUDA), not a layer function',
  },
  utils: {},
};
const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const PY = String.raw`
import inspect, json, types, torch
import torch.nn as nn, torch.nn.functional as F, torch.nn.utils as U
pub = lambda mod, pred: sorted(n for n in dir(mod) if not n.startswith('_') and pred(getattr(mod, n)))
print(json.dumps({
  'modules': pub(nn, lambda v: inspect.isclass(v) and issubclass(v, nn.Module)),
  'functional': pub(F, lambda v: callable(v) and not inspect.isclass(v) and not isinstance(v, types.ModuleType)),
  'utils': pub(U, lambda v: callable(v) and not inspect.isclass(v) and not isinstance(v, types.ModuleType)),
}))
`;

function ours(kind: string): Set<string> {
  if (kind === 'modules') {
    return new Set(
      Object.entries(nn)
        .filter(
          ([, v]) =>
            typeof v === 'function' &&
            (v === nn.Module || (v as { prototype?: unknown }).prototype instanceof nn.Module),
        )
        .map(([k]) => k),
    );
  }
  const ns = (kind === 'functional' ? nn.functional : nn.utils) as Record<string, unknown>;
  return new Set(Object.keys(ns).filter((k) => typeof ns[k] === 'function'));
}

describe.skipIf(!hasPython('torch'))('torch.nn coverage (live Python names)', () => {
  const names = JSON.parse(runPython(PY)) as Record<string, string[]>;
  for (const kind of ['modules', 'functional', 'utils']) {
    it(`${kind}: >= 90% of PyTorch's public names, deliberate omissions listed and really absent`, () => {
      const have = ours(kind);
      const mapped = (n: string): string => (kind === 'modules' ? n : camel(n));
      const py = names[kind]!.filter((n) => !NOT_API[kind]!.includes(n));
      const omitted = DELIBERATELY_MISSING[kind]!;
      for (const n of Object.keys(omitted)) {
        expect(py, `omission ${n} is a PyTorch name`).toContain(n);
        expect(have.has(mapped(n)), `omission ${n} is really missing`).toBe(false);
      }
      const counted = py.filter((n) => !(n in omitted));
      const covered = counted.filter((n) => have.has(mapped(n)));
      const missing = counted.filter((n) => !have.has(mapped(n)));
      const ratio = covered.length / counted.length;
      console.log(
        `nn coverage ${kind}: ${covered.length}/${counted.length} = ${(100 * ratio).toFixed(1)}% ` +
          `(PyTorch ${names[kind]!.length} names, ${names[kind]!.length - py.length} not API, ${Object.keys(omitted).length} deliberately missing); missing: ${missing.join(', ') || 'none'}`,
      );
      expect(ratio).toBeGreaterThanOrEqual(0.9);
    });
  }
});
