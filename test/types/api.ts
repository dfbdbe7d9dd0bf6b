// Type-level checks of the public tensor API, compiled by test/api-types.test.ts with tsc: each
// `@ts-expect-error` line must be a compile error (tsc fails on one that is not), and each typed
// assignment must compile. Never executed.
import { torch, type Tensor } from '../../lib/index.js';

declare const x: Tensor;
declare const i: Tensor;

// size / stride: a number with a dim, the shape without.
const d0: number = x.size(0);
const all: number[] = x.size();
const s0: number = x.stride(-1);
// @ts-expect-error size(d) is a number, not an array
const wrongSize: number[] = x.size(0);
// @ts-expect-error size() is an array, not a number
const wrongShape: number = x.size();

// to(): dtype and device names are checked.
const f64: Tensor = x.to('float64');
const onCuda: Tensor = x.to('cuda:1');
const both: Tensor = x.to('cuda', 'float16');
const opts: Tensor = x.to({ dtype: 'int32', device: 'cpu' });
// @ts-expect-error a typo in a dtype name
x.to('flaot32');
// @ts-expect-error a dtype option takes dtype names only
x.to({ dtype: 'float' + 'x' });
// @ts-expect-error type(dtype) is checked the same way
x.type('int33');
const typeName: string = x.type();
const converted: Tensor = x.type('int64');

// Variadic sizes and dims, and the array forms.
const v1: Tensor = x.view(6, 4);
const v2: Tensor = x.view([6, 4]);
const r1: Tensor = x.reshape(2, -1);
const p1: Tensor = x.permute(2, 0, 1);
const e1: Tensor = x.expand(4, -1);
const rp: Tensor = x.repeat(2, 1);
const z1: Tensor = torch.zeros(2, 3, { dtype: 'float64' });
const z2: Tensor = torch.zeros([2, 3]);
const rn: Tensor = torch.randn(2, 3);
// @ts-expect-error view needs at least one size
x.view();
// @ts-expect-error an unsized int[] takes no bare number where other arguments follow (Python's rule)
torch.flip(x, 0);
// @ts-expect-error the factory options come last
torch.zeros({ dtype: 'float32' }, 2);

// Tuple returns are tuples of Tensors.
const [values, indices]: [Tensor, Tensor] = x.max(1);
const [tv, ti]: [Tensor, Tensor] = x.topk(2);
const [sv, si]: [Tensor, Tensor] = x.sort({ descending: true });
const u: Tensor = torch.unique(i);
const [uo, uc]: [Tensor, Tensor] = torch.unique(i, { returnCounts: true });
const [a, b, c]: [Tensor, Tensor, Tensor] = i.unique({ returnInverse: true, returnCounts: true });
// @ts-expect-error unique without flags is one tensor
const [notTuple]: [Tensor] = torch.unique(i);
const nz: Tensor = x.nonzero();
const nzt: Tensor[] = torch.nonzero(x, { asTuple: true });
const parts: Tensor[] = x.tensorSplit(3, 1);
const w: Tensor = x.where(x.gt(0), 0);
const ein: Tensor = torch.einsum('ij,jk->ik', x, x);
const contiguous: boolean = x.isContiguous();

// Indexing: get takes indices; set takes indices then the value.
const g1: Tensor = x.get(0, ':', [0, 1], null, '...');
x.set(0, 1, 5);
x.set(':', 0, x.get(0, 0));
x.set([0, 1], true);
// @ts-expect-error the value goes last and must be a Tensor, number or boolean
x.set(0, ':');
// @ts-expect-error an index is not an object of another shape
x.get({ begin: 1 });

// Checkpoints: typed accessors.
const ck = torch.loadCheckpoint('ck.pth');
const sd: Map<string, Tensor> = ck.stateDict('model');
const epoch: number = ck.number('state', 'epoch');
// @ts-expect-error number() is a number
const epochText: string = ck.number('state', 'epoch');

export const used = [
  d0,
  all,
  s0,
  wrongSize,
  wrongShape,
  f64,
  onCuda,
  both,
  opts,
  typeName,
  converted,
  v1,
  v2,
  r1,
  p1,
  e1,
  rp,
  z1,
  z2,
  rn,
  values,
  indices,
  tv,
  ti,
  sv,
  si,
  u,
  uo,
  uc,
  a,
  b,
  c,
  notTuple,
  nz,
  nzt,
  parts,
  w,
  ein,
  contiguous,
  g1,
  sd,
  epoch,
  epochText,
];
