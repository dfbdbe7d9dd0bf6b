// Snippets of PyTorch's documentation and tutorials, each in Python and translated literally into
// TypeScript: keyword arguments become an options object, operators become methods (`a + b` is
// `a.add(b)`, `x ** 2` is `x.pow(2)`, `x[i]` is `x.get(i)`), tuples become arrays, and a float literal
// such as `1.0`, `2.` or `24.` becomes the JS number `1`, `2`, `24`, which JavaScript cannot tell from
// the integer. Nothing else is changed: the point is to measure which literal rule lets Python code
// written the Python way run and give Python's result (test/literals.test.ts).
//
// `doc` names the docstring the Python lines are quoted from (the test checks that every statement
// appears in it); `source` names the tutorial otherwise. The last Python line is an expression, the
// snippet's result; the TypeScript function returns the same value.
import * as nn from '../../lib/nn/index.js';
import * as torch from '../../lib/torch/index.js';
import type { Tensor } from '../../lib/torch/tensor.js';

export interface Snippet {
  /** A short unique name. */
  id: string;
  /** The docstring quoted, as Python names it (`torch.arange`, `torch.Tensor.index_add_`). */
  doc?: string;
  /** The tutorial quoted when not a docstring. */
  source?: string;
  /** Python statements; the last one is an expression giving the result. */
  py: string;
  /** The literal TypeScript translation, returning the result. */
  ts: () => unknown;
}

const F = nn.functional;
const T_BASICS = 'tutorial: Learn the Basics / Tensors (pytorch.org/tutorials/beginner/basics/tensorqs_tutorial)';
const T_AUTOGRAD_QS = 'tutorial: Learn the Basics / Automatic Differentiation with torch.autograd';
const T_BLITZ_AUTOGRAD = 'tutorial: A Gentle Introduction to torch.autograd (60 Minute Blitz)';
const T_BLITZ_OLD = 'tutorial: Deep Learning with PyTorch: A 60 Minute Blitz, Autograd (PyTorch 1.x edition)';
const T_INTRO_TENSORS = 'tutorial: Introduction to PyTorch Tensors (Introduction to PyTorch series)';
const T_EXAMPLES = 'tutorial: Learning PyTorch with Examples';
const D2L_DATA = 'Dive into Deep Learning (PyTorch edition) 2.1 Data Manipulation';
const D2L_LINALG = 'Dive into Deep Learning (PyTorch edition) 2.3 Linear Algebra';
const D2L_AUTOGRAD = 'Dive into Deep Learning (PyTorch edition) 2.5 Automatic Differentiation';

export const CORPUS: Snippet[] = [
  // ---- torch.tensor and friends (docstrings) ----
  {
    id: 'tensor-floats',
    doc: 'torch.tensor',
    py: 'torch.tensor([[0.1, 1.2], [2.2, 3.1], [4.9, 5.2]])',
    ts: () =>
      torch.tensor([
        [0.1, 1.2],
        [2.2, 3.1],
        [4.9, 5.2],
      ]),
  },
  { id: 'tensor-ints', doc: 'torch.tensor', py: 'torch.tensor([0, 1])', ts: () => torch.tensor([0, 1]) },
  { id: 'tensor-scalar', doc: 'torch.tensor', py: 'torch.tensor(3.14159)', ts: () => torch.tensor(3.14159) },
  { id: 'tensor-empty', doc: 'torch.tensor', py: 'torch.tensor([])', ts: () => torch.tensor([]) },
  {
    id: 'abs-ints',
    doc: 'torch.abs',
    py: 'torch.abs(torch.tensor([-1, -2, 3]))',
    ts: () => torch.abs(torch.tensor([-1, -2, 3])),
  },
  {
    id: 'frac',
    doc: 'torch.frac',
    py: 'torch.frac(torch.tensor([1, 2.5, -3.2]))',
    ts: () => torch.frac(torch.tensor([1, 2.5, -3.2])),
  },
  {
    id: 'fmod-floats',
    doc: 'torch.fmod',
    py: 'torch.fmod(torch.tensor([-3., -2, -1, 1, 2, 3]), 2)',
    ts: () => torch.fmod(torch.tensor([-3, -2, -1, 1, 2, 3]), 2),
  },
  {
    id: 'fmod-ints',
    doc: 'torch.fmod',
    py: 'torch.fmod(torch.tensor([1, 2, 3, 4, 5]), -1.5)',
    ts: () => torch.fmod(torch.tensor([1, 2, 3, 4, 5]), -1.5),
  },
  {
    id: 'remainder-floats',
    doc: 'torch.remainder',
    py: 'torch.remainder(torch.tensor([-3., -2, -1, 1, 2, 3]), 2)',
    ts: () => torch.remainder(torch.tensor([-3, -2, -1, 1, 2, 3]), 2),
  },
  {
    id: 'histc',
    doc: 'torch.histc',
    py: 'torch.histc(torch.tensor([1., 2, 1]), bins=4, min=0, max=3)',
    ts: () => torch.histc(torch.tensor([1, 2, 1]), { bins: 4, min: 0, max: 3 }),
  },
  {
    id: 'isclose',
    doc: 'torch.isclose',
    py: 'torch.isclose(torch.tensor((1., 2, 3)), torch.tensor((1 + 1e-10, 3, 4)))',
    ts: () => torch.isclose(torch.tensor([1, 2, 3]), torch.tensor([1 + 1e-10, 3, 4])),
  },
  {
    id: 'isnan',
    doc: 'torch.isnan',
    py: "torch.isnan(torch.tensor([1, float('nan'), 2]))",
    ts: () => torch.isnan(torch.tensor([1, NaN, 2])),
  },
  {
    id: 'equal-ints',
    doc: 'torch.equal',
    py: 'torch.equal(torch.tensor([1, 2]), torch.tensor([1, 2]))',
    ts: () => torch.equal(torch.tensor([1, 2]), torch.tensor([1, 2])),
  },
  {
    id: 'dot-ints',
    doc: 'torch.dot',
    py: 'torch.dot(torch.tensor([2, 3]), torch.tensor([2, 1]))',
    ts: () => torch.dot(torch.tensor([2, 3]), torch.tensor([2, 1])),
  },
  {
    id: 'eq-ints',
    doc: 'torch.eq',
    py: 'torch.eq(torch.tensor([[1, 2], [3, 4]]), torch.tensor([[1, 1], [4, 4]]))',
    ts: () =>
      torch.eq(
        torch.tensor([
          [1, 2],
          [3, 4],
        ]),
        torch.tensor([
          [1, 1],
          [4, 4],
        ]),
      ),
  },
  {
    id: 'diff-ints',
    doc: 'torch.diff',
    py: 'a = torch.tensor([1, 3, 2])\ntorch.diff(a)',
    ts: () => {
      const a = torch.tensor([1, 3, 2]);
      return torch.diff(a);
    },
  },
  {
    id: 'gather',
    doc: 'torch.gather',
    py: 't = torch.tensor([[1, 2], [3, 4]])\ntorch.gather(t, 1, torch.tensor([[0, 0], [1, 0]]))',
    ts: () => {
      const t = torch.tensor([
        [1, 2],
        [3, 4],
      ]);
      return torch.gather(
        t,
        1,
        torch.tensor([
          [0, 0],
          [1, 0],
        ]),
      );
    },
  },
  {
    id: 'take',
    doc: 'torch.take',
    py: 'src = torch.tensor([[4, 3, 5],\n[6, 7, 8]])\ntorch.take(src, torch.tensor([0, 2, 5]))',
    ts: () => {
      const src = torch.tensor([
        [4, 3, 5],
        [6, 7, 8],
      ]);
      return torch.take(src, torch.tensor([0, 2, 5]));
    },
  },
  {
    id: 'hstack',
    doc: 'torch.hstack',
    py: 'a = torch.tensor([1, 2, 3])\nb = torch.tensor([4, 5, 6])\ntorch.hstack((a,b))',
    ts: () => {
      const a = torch.tensor([1, 2, 3]);
      const b = torch.tensor([4, 5, 6]);
      return torch.hstack([a, b]);
    },
  },
  {
    id: 'roll',
    doc: 'torch.roll',
    py: 'x = torch.tensor([1, 2, 3, 4, 5, 6, 7, 8]).view(4, 2)\ntorch.roll(x, 1, 0)',
    ts: () => {
      const x = torch.tensor([1, 2, 3, 4, 5, 6, 7, 8]).view(4, 2);
      return torch.roll(x, 1, 0);
    },
  },
  {
    id: 'sub-alpha',
    doc: 'torch.sub',
    py: 'a = torch.tensor((1, 2))\nb = torch.tensor((0, 1))\ntorch.sub(a, b, alpha=2)',
    ts: () => {
      const a = torch.tensor([1, 2]);
      const b = torch.tensor([0, 1]);
      return torch.sub(a, b, { alpha: 2 });
    },
  },
  {
    id: 'nansum',
    doc: 'torch.nansum',
    py: 'a = torch.tensor([[1, 2], [3., float("nan")]])\ntorch.nansum(a, dim=0)',
    ts: () => {
      const a = torch.tensor([
        [1, 2],
        [3, NaN],
      ]);
      return torch.nansum(a, { dim: 0 });
    },
  },
  {
    id: 'searchsorted',
    doc: 'torch.searchsorted',
    py:
      'sorted_sequence = torch.tensor([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]])\n' +
      'values = torch.tensor([[3, 6, 9], [3, 6, 9]])\ntorch.searchsorted(sorted_sequence, values)',
    ts: () => {
      const sortedSequence = torch.tensor([
        [1, 3, 5, 7, 9],
        [2, 4, 6, 8, 10],
      ]);
      const values = torch.tensor([
        [3, 6, 9],
        [3, 6, 9],
      ]);
      return torch.searchsorted(sortedSequence, values);
    },
  },
  {
    id: 'trapezoid',
    doc: 'torch.trapezoid',
    py: 'y = torch.tensor([1, 5, 10])\ntorch.trapezoid(y)',
    ts: () => {
      const y = torch.tensor([1, 5, 10]);
      return torch.trapezoid(y);
    },
  },
  {
    id: 'repeat-interleave',
    doc: 'torch.repeat_interleave',
    py: 'y = torch.tensor([[1, 2], [3, 4]])\ntorch.repeat_interleave(y, torch.tensor([1, 2]), dim=0)',
    ts: () => {
      const y = torch.tensor([
        [1, 2],
        [3, 4],
      ]);
      return torch.repeatInterleave(y, torch.tensor([1, 2]), { dim: 0 });
    },
  },
  {
    id: 'gcd',
    doc: 'torch.gcd',
    py: 'a = torch.tensor([5, 10, 15])\nb = torch.tensor([3, 4, 5])\ntorch.gcd(a, b)',
    ts: () => {
      const a = torch.tensor([5, 10, 15]);
      const b = torch.tensor([3, 4, 5]);
      return torch.gcd(a, b);
    },
  },
  {
    id: 'cov',
    doc: 'torch.cov',
    py: 'x = torch.tensor([[0, 2], [1, 1], [2, 0]]).T\ntorch.cov(x)',
    ts: () => {
      const x = torch.tensor([
        [0, 2],
        [1, 1],
        [2, 0],
      ]).T;
      return torch.cov(x);
    },
  },
  {
    id: 'is-nonzero',
    doc: 'torch.is_nonzero',
    py: 'torch.is_nonzero(torch.tensor([3]))',
    ts: () => torch.isNonzero(torch.tensor([3])),
  },
  {
    id: 'exp-log2',
    doc: 'torch.exp',
    py: 'torch.exp(torch.tensor([0, math.log(2.)]))',
    ts: () => torch.exp(torch.tensor([0, Math.log(2)])),
  },
  {
    id: 'hypot',
    doc: 'torch.hypot',
    py: 'a = torch.hypot(torch.tensor([4.0]), torch.tensor([3.0, 4.0, 5.0]))\na',
    ts: () => {
      const a = torch.hypot(torch.tensor([4]), torch.tensor([3, 4, 5]));
      return a;
    },
  },
  {
    id: 'floor-divide',
    doc: 'torch.floor_divide',
    py: 'a = torch.tensor([4.0, 3.0])\nb = torch.tensor([2.0, 2.0])\ntorch.floor_divide(a, b)',
    ts: () => {
      const a = torch.tensor([4, 3]);
      const b = torch.tensor([2, 2]);
      return torch.floorDivide(a, b);
    },
  },
  {
    id: 'round-half-even',
    doc: 'torch.round',
    py: 'torch.round(torch.tensor([-0.5, 0.5, 1.5, 2.5]))',
    ts: () => torch.round(torch.tensor([-0.5, 0.5, 1.5, 2.5])),
  },
  {
    id: 'max-keepdim',
    doc: 'torch.max',
    py: 'a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])\na.max(dim=1, keepdim=True)',
    ts: () => {
      const a = torch.tensor([
        [1, 2],
        [3, 4],
      ]);
      return a.max(1, true);
    },
  },
  {
    id: 'heaviside',
    doc: 'torch.heaviside',
    py: 'input = torch.tensor([-1.5, 0, 2.0])\nvalues = torch.tensor([0.5])\ntorch.heaviside(input, values)',
    ts: () => {
      const input = torch.tensor([-1.5, 0, 2]);
      const values = torch.tensor([0.5]);
      return torch.heaviside(input, values);
    },
  },
  {
    id: 'nan-to-num',
    doc: 'torch.nan_to_num',
    py: "x = torch.tensor([float('nan'), float('inf'), -float('inf'), 3.14])\ntorch.nan_to_num(x, nan=2.0)",
    ts: () => {
      const x = torch.tensor([NaN, Infinity, -Infinity, 3.14]);
      return torch.nanToNum(x, { nan: 2 });
    },
  },
  // ---- Tensor methods (docstrings) ----
  {
    id: 'index-add',
    doc: 'torch.Tensor.index_add_',
    py:
      'x = torch.ones(5, 3)\nt = torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=torch.float)\n' +
      'index = torch.tensor([0, 4, 2])\nx.index_add_(0, index, t)',
    ts: () => {
      const x = torch.ones(5, 3);
      const t = torch.tensor(
        [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ],
        { dtype: 'float32' },
      );
      const index = torch.tensor([0, 4, 2]);
      return x.indexAdd_(0, index, t);
    },
  },
  {
    id: 'index-fill',
    doc: 'torch.Tensor.index_fill_',
    py:
      'x = torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=torch.float)\nindex = torch.tensor([0, 2])\n' +
      'x.index_fill_(1, index, -1)',
    ts: () => {
      const x = torch.tensor(
        [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ],
        { dtype: 'float32' },
      );
      const index = torch.tensor([0, 2]);
      return x.indexFill_(1, index, -1);
    },
  },
  {
    id: 'scatter-reduce',
    doc: 'torch.Tensor.scatter_reduce_',
    py:
      'src = torch.tensor([1., 2., 3., 4., 5., 6.])\nindex = torch.tensor([0, 1, 0, 1, 2, 1])\n' +
      'input = torch.tensor([1., 2., 3., 4.])\ninput.scatter_reduce(0, index, src, reduce="sum")',
    ts: () => {
      const src = torch.tensor([1, 2, 3, 4, 5, 6]);
      const index = torch.tensor([0, 1, 0, 1, 2, 1]);
      const input = torch.tensor([1, 2, 3, 4]);
      return input.scatterReduce(0, index, src, 'sum');
    },
  },
  {
    id: 'scatter-multiply',
    doc: 'torch.Tensor.scatter_',
    py: "torch.full((2, 4), 2.).scatter_(1, torch.tensor([[2], [3]]),\n1.23, reduce='multiply')",
    ts: () => torch.full([2, 4], 2).scatter_(1, torch.tensor([[2], [3]]), 1.23, { reduce: 'multiply' }),
  },
  {
    id: 'scatter-src',
    doc: 'torch.Tensor.scatter_',
    py:
      'src = torch.arange(1, 11).reshape((2, 5))\nindex = torch.tensor([[0, 1, 2, 0]])\n' +
      'torch.zeros(3, 5, dtype=src.dtype).scatter_(0, index, src)',
    ts: () => {
      const src = torch.arange(1, 11).reshape([2, 5]);
      const index = torch.tensor([[0, 1, 2, 0]]);
      return torch.zeros(3, 5, { dtype: src.dtype }).scatter_(0, index, src);
    },
  },
  {
    id: 'item',
    doc: 'torch.Tensor.item',
    py: 'x = torch.tensor([1.0])\nx.item()',
    ts: () => {
      const x = torch.tensor([1]);
      return x.item();
    },
  },
  {
    id: 'grad-dtype',
    doc: 'torch.Tensor.grad_dtype',
    py: 'x = torch.tensor([1.0, 2.0], requires_grad=True)\nx',
    ts: () => {
      const x = torch.tensor([1, 2], { requiresGrad: true });
      return x;
    },
  },
  {
    id: 'asarray-grad',
    doc: 'torch.asarray',
    py: 'a = torch.tensor([1., 2., 3.], requires_grad=True)\nb = a + 2\nb',
    ts: () => {
      const a = torch.tensor([1, 2, 3], { requiresGrad: true });
      const b = a.add(2);
      return b;
    },
  },
  {
    id: 'stride',
    doc: 'torch.Tensor.stride',
    py: 'x = torch.tensor([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]])\nx.stride()',
    ts: () => {
      const x = torch.tensor([
        [1, 2, 3, 4, 5],
        [6, 7, 8, 9, 10],
      ]);
      return x.stride();
    },
  },
  {
    id: 'expand',
    doc: 'torch.Tensor.expand',
    py: 'x = torch.tensor([[1], [2], [3]])\nx.expand(3, 4)',
    ts: () => {
      const x = torch.tensor([[1], [2], [3]]);
      return x.expand(3, 4);
    },
  },
  {
    id: 'repeat',
    doc: 'torch.Tensor.repeat',
    py: 'x = torch.tensor([1, 2, 3])\nx.repeat(4, 2)',
    ts: () => {
      const x = torch.tensor([1, 2, 3]);
      return x.repeat(4, 2);
    },
  },
  {
    id: 'masked-scatter',
    doc: 'torch.Tensor.masked_scatter_',
    py:
      'self = torch.tensor([[0, 0, 0, 0, 0], [0, 0, 0, 0, 0]])\nmask = torch.tensor(\n' +
      '[[0, 0, 0, 1, 1], [1, 1, 0, 1, 1]],\ndtype=torch.bool,\n)\n' +
      'source = torch.tensor([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]])\nself.masked_scatter_(mask, source)',
    ts: () => {
      const self = torch.tensor([
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0],
      ]);
      const mask = torch.tensor(
        [
          [0, 0, 0, 1, 1],
          [1, 1, 0, 1, 1],
        ],
        { dtype: 'bool' },
      );
      const source = torch.tensor([
        [0, 1, 2, 3, 4],
        [5, 6, 7, 8, 9],
      ]);
      return self.maskedScatter_(mask, source);
    },
  },
  // ---- arange, linspace, full, zeros/ones (docstrings) ----
  { id: 'arange-end', doc: 'torch.arange', py: 'torch.arange(5)', ts: () => torch.arange(5) },
  { id: 'arange-start-end', doc: 'torch.arange', py: 'torch.arange(1, 4)', ts: () => torch.arange(1, 4) },
  { id: 'arange-step', doc: 'torch.arange', py: 'torch.arange(1, 2.5, 0.5)', ts: () => torch.arange(1, 2.5, 0.5) },
  {
    id: 'outer',
    doc: 'torch.outer',
    py: 'v1 = torch.arange(1., 5.)\nv2 = torch.arange(1., 4.)\ntorch.outer(v1, v2)',
    ts: () => {
      const v1 = torch.arange(1, 5);
      const v2 = torch.arange(1, 4);
      return torch.outer(v1, v2);
    },
  },
  {
    id: 'trace',
    doc: 'torch.trace',
    py: 'x = torch.arange(1., 10.).view(3, 3)\ntorch.trace(x)',
    ts: () => {
      const x = torch.arange(1, 10).view(3, 3);
      return torch.trace(x);
    },
  },
  {
    id: 'topk',
    doc: 'torch.topk',
    py: 'x = torch.arange(1., 6.)\ntorch.topk(x, 3)',
    ts: () => {
      const x = torch.arange(1, 6);
      return torch.topk(x, 3);
    },
  },
  {
    id: 'quantile',
    doc: 'torch.quantile',
    py: "a = torch.arange(4.)\ntorch.quantile(a, 0.6, interpolation='linear')",
    ts: () => {
      const a = torch.arange(4);
      return torch.quantile(a, 0.6, { interpolation: 'linear' });
    },
  },
  {
    id: 'frexp',
    doc: 'torch.frexp',
    py: 'x = torch.arange(9.)\nmantissa, exponent = torch.frexp(x)\nmantissa',
    ts: () => {
      const x = torch.arange(9);
      const [mantissa] = torch.frexp(x);
      return mantissa;
    },
  },
  {
    id: 'hsplit',
    doc: 'torch.hsplit',
    py: 't = torch.arange(16.0).reshape(4,4)\ntorch.hsplit(t, 2)',
    ts: () => {
      const t = torch.arange(16).reshape(4, 4);
      return torch.hsplit(t, 2);
    },
  },
  { id: 'chunk', doc: 'torch.chunk', py: 'torch.arange(11).chunk(6)', ts: () => torch.arange(11).chunk(6) },
  {
    id: 'tensor-split',
    doc: 'torch.tensor_split',
    py: 'x = torch.arange(7)\ntorch.tensor_split(x, (1, 6))',
    ts: () => {
      const x = torch.arange(7);
      return torch.tensorSplit(x, [1, 6]);
    },
  },
  {
    id: 'flip',
    doc: 'torch.flip',
    py: 'x = torch.arange(8).view(2, 2, 2)\ntorch.flip(x, [0, 1])',
    ts: () => {
      const x = torch.arange(8).view(2, 2, 2);
      return torch.flip(x, [0, 1]);
    },
  },
  {
    id: 'addr',
    doc: 'torch.addr',
    py: 'vec1 = torch.arange(1., 4.)\nvec2 = torch.arange(1., 3.)\nM = torch.zeros(3, 2)\ntorch.addr(M, vec1, vec2)',
    ts: () => {
      const vec1 = torch.arange(1, 4);
      const vec2 = torch.arange(1, 3);
      const M = torch.zeros(3, 2);
      return torch.addr(M, vec1, vec2);
    },
  },
  {
    id: 'lerp',
    doc: 'torch.lerp',
    py: 'start = torch.arange(1., 5.)\nend = torch.empty(4).fill_(10)\ntorch.lerp(start, end, 0.5)',
    ts: () => {
      const start = torch.arange(1, 5);
      const end = torch.empty(4).fill_(10);
      return torch.lerp(start, end, 0.5);
    },
  },
  {
    id: 'kthvalue',
    doc: 'torch.kthvalue',
    py: 'x = torch.arange(1., 6.)\ntorch.kthvalue(x, 4)',
    ts: () => {
      const x = torch.arange(1, 6);
      return torch.kthvalue(x, 4);
    },
  },
  {
    id: 'unfold',
    doc: 'torch.Tensor.unfold',
    py: 'x = torch.arange(1., 8)\nx.unfold(0, 2, 1)',
    ts: () => {
      const x = torch.arange(1, 8);
      return x.unfold(0, 2, 1);
    },
  },
  {
    id: 'all-arange',
    doc: 'torch.all',
    py: 'a = torch.arange(0, 3)\ntorch.all(a)',
    ts: () => {
      const a = torch.arange(0, 3);
      return torch.all(a);
    },
  },
  {
    id: 'pow-tensor',
    doc: 'torch.pow',
    py: 'exp = torch.arange(1., 5.)\na = torch.arange(1., 5.)\ntorch.pow(a, exp)',
    ts: () => {
      const exp = torch.arange(1, 5);
      const a = torch.arange(1, 5);
      return torch.pow(a, exp);
    },
  },
  {
    id: 'kron',
    doc: 'torch.kron',
    py: 'mat1 = torch.eye(2)\nmat2 = torch.arange(1, 5).reshape(2, 2)\ntorch.kron(mat1, mat2)',
    ts: () => {
      const mat1 = torch.eye(2);
      const mat2 = torch.arange(1, 5).reshape(2, 2);
      return torch.kron(mat1, mat2);
    },
  },
  { id: 'full-pi', doc: 'torch.full', py: 'torch.full((2, 3), 3.141592)', ts: () => torch.full([2, 3], 3.141592) },
  {
    id: 'full-like-int',
    doc: 'torch.full_like',
    py: 'x = torch.ones(2, 3)\ntorch.full_like(x, 7)',
    ts: () => {
      const x = torch.ones(2, 3);
      return torch.fullLike(x, 7);
    },
  },
  { id: 'linspace', doc: 'torch.linspace', py: 'torch.linspace(3, 10, steps=5)', ts: () => torch.linspace(3, 10, 5) },
  {
    id: 'logspace',
    doc: 'torch.logspace',
    py: 'torch.logspace(start=-10, end=10, steps=5)',
    ts: () => torch.logspace(-10, 10, 5),
  },
  {
    id: 'where-scalars',
    doc: 'torch.where',
    py: 'x = torch.randn(3, 2)\ntorch.where(x > 0, 1.0, 0.0)',
    ts: () => {
      const x = torch.randn(3, 2);
      return torch.where(x.gt(0), 1, 0);
    },
  },
  {
    id: 'count-nonzero',
    doc: 'torch.count_nonzero',
    py: 'x = torch.zeros(3,3)\nx[torch.randn(3,3) > 0.5] = 1\ntorch.count_nonzero(x)',
    ts: () => {
      const x = torch.zeros(3, 3);
      x.set(torch.randn(3, 3).gt(0.5), 1);
      return torch.countNonzero(x);
    },
  },
  {
    id: 'cumprod-set',
    doc: 'torch.cumprod',
    py: 'a = torch.randn(10)\na[5] = 0.0\ntorch.cumprod(a, dim=0)',
    ts: () => {
      const a = torch.randn(10);
      a.set(5, 0);
      return torch.cumprod(a, 0);
    },
  },
  // ---- tutorials: tensors ----
  {
    id: 'basics-from-data',
    source: T_BASICS,
    py: 'data = [[1, 2],[3, 4]]\nx_data = torch.tensor(data)\nx_data',
    ts: () => {
      const data = [
        [1, 2],
        [3, 4],
      ];
      const xData = torch.tensor(data);
      return xData;
    },
  },
  {
    id: 'basics-ones-like',
    source: T_BASICS,
    py: 'data = [[1, 2],[3, 4]]\nx_data = torch.tensor(data)\nx_ones = torch.ones_like(x_data)\nx_ones',
    ts: () => {
      const data = [
        [1, 2],
        [3, 4],
      ];
      const xData = torch.tensor(data);
      const xOnes = torch.onesLike(xData);
      return xOnes;
    },
  },
  {
    id: 'basics-rand-like',
    source: T_BASICS,
    py:
      'data = [[1, 2],[3, 4]]\nx_data = torch.tensor(data)\nx_rand = torch.rand_like(x_data, dtype=torch.float)\n' +
      'x_rand',
    ts: () => {
      const data = [
        [1, 2],
        [3, 4],
      ];
      const xData = torch.tensor(data);
      const xRand = torch.randLike(xData, { dtype: 'float32' });
      return xRand;
    },
  },
  {
    id: 'basics-slice-set',
    source: T_BASICS,
    py: 'tensor = torch.ones(4, 4)\ntensor[:,1] = 0\ntensor',
    ts: () => {
      const tensor = torch.ones(4, 4);
      tensor.set(':', 1, 0);
      return tensor;
    },
  },
  {
    id: 'basics-matmul',
    source: T_BASICS,
    py: 'tensor = torch.ones(4, 4)\ntensor[:,1] = 0\ny1 = tensor @ tensor.T\ny1',
    ts: () => {
      const tensor = torch.ones(4, 4);
      tensor.set(':', 1, 0);
      const y1 = tensor.matmul(tensor.T);
      return y1;
    },
  },
  {
    id: 'basics-agg',
    source: T_BASICS,
    py: 'tensor = torch.ones(4, 4)\nagg = tensor.sum()\nagg_item = agg.item()\nagg_item',
    ts: () => {
      const tensor = torch.ones(4, 4);
      const agg = tensor.sum();
      const aggItem = agg.item();
      return aggItem;
    },
  },
  {
    id: 'basics-add-inplace',
    source: T_BASICS,
    py: 'tensor = torch.ones(4, 4)\ntensor.add_(5)',
    ts: () => {
      const tensor = torch.ones(4, 4);
      return tensor.add_(5);
    },
  },
  {
    id: 'intro-constants',
    source: T_INTRO_TENSORS,
    py: 'some_constants = torch.tensor([[3.1415926, 2.71828], [1.61803, 0.0072897]])\nsome_constants',
    ts: () => {
      const someConstants = torch.tensor([
        [3.1415926, 2.71828],
        [1.61803, 0.0072897],
      ]);
      return someConstants;
    },
  },
  {
    id: 'intro-integers',
    source: T_INTRO_TENSORS,
    py: 'some_integers = torch.tensor((2, 3, 5, 7, 11, 13, 17, 19))\nsome_integers',
    ts: () => {
      const someIntegers = torch.tensor([2, 3, 5, 7, 11, 13, 17, 19]);
      return someIntegers;
    },
  },
  {
    id: 'intro-threes',
    source: T_INTRO_TENSORS,
    py: 'threes = (torch.ones(2, 2) * 7 - 1) / 2\nthrees',
    ts: () => {
      const threes = torch.ones(2, 2).mul(7).sub(1).div(2);
      return threes;
    },
  },
  {
    id: 'intro-powers2',
    source: T_INTRO_TENSORS,
    py: 'twos = torch.ones(2, 2) * 2\npowers2 = twos ** torch.tensor([[1, 2], [3, 4]])\npowers2',
    ts: () => {
      const twos = torch.ones(2, 2).mul(2);
      const powers2 = twos.pow(
        torch.tensor([
          [1, 2],
          [3, 4],
        ]),
      );
      return powers2;
    },
  },
  {
    id: 'examples-poly',
    source: T_EXAMPLES,
    py: 'x = torch.linspace(-math.pi, math.pi, 2000)\np = torch.tensor([1, 2, 3])\nxx = x.unsqueeze(-1).pow(p)\nxx',
    ts: () => {
      const x = torch.linspace(-Math.PI, Math.PI, 2000);
      const p = torch.tensor([1, 2, 3]);
      const xx = x.unsqueeze(-1).pow(p);
      return xx;
    },
  },
  {
    id: 'd2l-arange-float',
    source: D2L_DATA,
    py: 'x = torch.arange(12, dtype=torch.float32)\nx',
    ts: () => {
      const x = torch.arange(12, { dtype: 'float32' });
      return x;
    },
  },
  {
    id: 'd2l-tensor-ints',
    source: D2L_DATA,
    py: 'torch.tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])',
    ts: () =>
      torch.tensor([
        [2, 1, 4, 3],
        [1, 2, 3, 4],
        [4, 3, 2, 1],
      ]),
  },
  {
    id: 'd2l-elementwise',
    source: D2L_DATA,
    py: 'x = torch.tensor([1.0, 2, 4, 8])\ny = torch.tensor([2, 2, 2, 2])\nx + y, x - y, x * y, x / y, x ** y',
    ts: () => {
      const x = torch.tensor([1, 2, 4, 8]);
      const y = torch.tensor([2, 2, 2, 2]);
      return [x.add(y), x.sub(y), x.mul(y), x.div(y), x.pow(y)];
    },
  },
  {
    id: 'd2l-exp',
    source: D2L_DATA,
    py: 'x = torch.tensor([1.0, 2, 4, 8])\ntorch.exp(x)',
    ts: () => {
      const x = torch.tensor([1, 2, 4, 8]);
      return torch.exp(x);
    },
  },
  {
    id: 'd2l-cat',
    source: D2L_DATA,
    py:
      'X = torch.arange(12, dtype=torch.float32).reshape((3,4))\n' +
      'Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])\ntorch.cat((X, Y), dim=0)',
    ts: () => {
      const X = torch.arange(12, { dtype: 'float32' }).reshape([3, 4]);
      const Y = torch.tensor([
        [2, 1, 4, 3],
        [1, 2, 3, 4],
        [4, 3, 2, 1],
      ]);
      return torch.cat([X, Y], { dim: 0 });
    },
  },
  {
    id: 'd2l-eq',
    source: D2L_DATA,
    py:
      'X = torch.arange(12, dtype=torch.float32).reshape((3,4))\n' +
      'Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])\nX == Y',
    ts: () => {
      const X = torch.arange(12, { dtype: 'float32' }).reshape([3, 4]);
      const Y = torch.tensor([
        [2, 1, 4, 3],
        [1, 2, 3, 4],
        [4, 3, 2, 1],
      ]);
      return X.eq(Y);
    },
  },
  {
    id: 'd2l-broadcast',
    source: D2L_DATA,
    py: 'a = torch.arange(3).reshape((3, 1))\nb = torch.arange(2).reshape((1, 2))\na + b',
    ts: () => {
      const a = torch.arange(3).reshape([3, 1]);
      const b = torch.arange(2).reshape([1, 2]);
      return a.add(b);
    },
  },
  {
    id: 'd2l-index-set',
    source: D2L_DATA,
    py: 'X = torch.arange(12, dtype=torch.float32).reshape((3,4))\nX[1, 2] = 17\nX',
    ts: () => {
      const X = torch.arange(12, { dtype: 'float32' }).reshape([3, 4]);
      X.set(1, 2, 17);
      return X;
    },
  },
  {
    id: 'd2l-scalars',
    source: D2L_LINALG,
    py: 'x = torch.tensor(3.0)\ny = torch.tensor(2.0)\nx + y, x * y, x / y, x**y',
    ts: () => {
      const x = torch.tensor(3);
      const y = torch.tensor(2);
      return [x.add(y), x.mul(y), x.div(y), x.pow(y)];
    },
  },
  {
    id: 'd2l-vector-index',
    source: D2L_LINALG,
    py: 'x = torch.arange(3)\nx[2]',
    ts: () => {
      const x = torch.arange(3);
      return x.get(2);
    },
  },
  {
    id: 'd2l-matrix-T',
    source: D2L_LINALG,
    py: 'A = torch.arange(6).reshape(3, 2)\nA.T',
    ts: () => {
      const A = torch.arange(6).reshape(3, 2);
      return A.T;
    },
  },
  {
    id: 'd2l-mean',
    source: D2L_LINALG,
    py: 'A = torch.arange(6, dtype=torch.float32).reshape(2, 3)\nA.mean(), A.sum() / A.numel()',
    ts: () => {
      const A = torch.arange(6, { dtype: 'float32' }).reshape(2, 3);
      return [A.mean(), A.sum().div(A.numel())];
    },
  },
  {
    id: 'd2l-norm',
    source: D2L_LINALG,
    py: 'u = torch.tensor([3.0, -4.0])\ntorch.norm(u)',
    ts: () => {
      const u = torch.tensor([3, -4]);
      return torch.norm(u);
    },
  },
  {
    id: 'd2l-l1',
    source: D2L_LINALG,
    py: 'u = torch.tensor([3.0, -4.0])\ntorch.abs(u).sum()',
    ts: () => {
      const u = torch.tensor([3, -4]);
      return torch.abs(u).sum();
    },
  },
  // ---- tutorials: autograd ----
  {
    id: 'blitz-Q',
    source: T_BLITZ_AUTOGRAD,
    py:
      'a = torch.tensor([2., 3.], requires_grad=True)\nb = torch.tensor([6., 4.], requires_grad=True)\n' +
      'Q = 3*a**3 - b**2\nexternal_grad = torch.tensor([1., 1.])\nQ.backward(gradient=external_grad)\na.grad',
    ts: () => {
      const a = torch.tensor([2, 3], { requiresGrad: true });
      const b = torch.tensor([6, 4], { requiresGrad: true });
      const Q = a.pow(3).mul(3).sub(b.pow(2));
      const externalGrad = torch.tensor([1, 1]);
      Q.backward(externalGrad);
      return a.grad;
    },
  },
  {
    id: 'blitz-Q-check',
    source: T_BLITZ_AUTOGRAD,
    py:
      'a = torch.tensor([2., 3.], requires_grad=True)\nb = torch.tensor([6., 4.], requires_grad=True)\n' +
      'Q = 3*a**3 - b**2\nexternal_grad = torch.tensor([1., 1.])\nQ.backward(gradient=external_grad)\n-2*b == b.grad',
    ts: () => {
      const a = torch.tensor([2, 3], { requiresGrad: true });
      const b = torch.tensor([6, 4], { requiresGrad: true });
      const Q = a.pow(3).mul(3).sub(b.pow(2));
      const externalGrad = torch.tensor([1, 1]);
      Q.backward(externalGrad);
      return b.mul(-2).eq(b.grad!);
    },
  },
  {
    id: 'blitz-old-mean',
    source: T_BLITZ_OLD,
    py: 'x = torch.ones(2, 2, requires_grad=True)\ny = x + 2\nz = y * y * 3\nout = z.mean()\nout.backward()\nx.grad',
    ts: () => {
      const x = torch.ones(2, 2, { requiresGrad: true });
      const y = x.add(2);
      const z = y.mul(y).mul(3);
      const out = z.mean();
      out.backward();
      return x.grad;
    },
  },
  {
    id: 'blitz-old-vjp',
    source: T_BLITZ_OLD,
    py:
      'x = torch.randn(3, requires_grad=True)\ny = x * 2\nwhile y.data.norm() < 1000:\n    y = y * 2\n' +
      'v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)\ny.backward(v)\nx.grad',
    ts: () => {
      const x = torch.randn(3, { requiresGrad: true });
      let y = x.mul(2);
      while (y.detach().norm().item() < 1000) y = y.mul(2);
      const v = torch.tensor([0.1, 1, 0.0001], { dtype: 'float32' });
      y.backward(v);
      return x.grad;
    },
  },
  {
    id: 'autograd-qs-bce',
    source: T_AUTOGRAD_QS,
    py:
      'x = torch.ones(5)\ny = torch.zeros(3)\nw = torch.randn(5, 3, requires_grad=True)\n' +
      'b = torch.randn(3, requires_grad=True)\nz = torch.matmul(x, w)+b\n' +
      'loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)\nloss.backward()\nw.grad',
    ts: () => {
      const x = torch.ones(5);
      const y = torch.zeros(3);
      const w = torch.randn(5, 3, { requiresGrad: true });
      const b = torch.randn(3, { requiresGrad: true });
      const z = torch.matmul(x, w).add(b);
      const loss = F.binaryCrossEntropyWithLogits(z, y);
      loss.backward();
      return w.grad;
    },
  },
  {
    id: 'autograd-qs-eye',
    source: T_AUTOGRAD_QS,
    py:
      'inp = torch.eye(4, 5, requires_grad=True)\nout = (inp+1).pow(2).t()\n' +
      'out.backward(torch.ones_like(out), retain_graph=True)\ninp.grad',
    ts: () => {
      const inp = torch.eye(4, 5, { requiresGrad: true });
      const out = inp.add(1).pow(2).t();
      out.backward(torch.onesLike(out), { retainGraph: true });
      return inp.grad;
    },
  },
  {
    id: 'd2l-autograd',
    source: D2L_AUTOGRAD,
    py: 'x = torch.arange(4.0)\nx.requires_grad_(True)\ny = 2 * torch.dot(x, x)\ny.backward()\nx.grad',
    ts: () => {
      const x = torch.arange(4);
      x.requiresGrad_(true);
      const y = torch.dot(x, x).mul(2);
      y.backward();
      return x.grad;
    },
  },
  {
    id: 'd2l-autograd-check',
    source: D2L_AUTOGRAD,
    py: 'x = torch.arange(4.0)\nx.requires_grad_(True)\ny = 2 * torch.dot(x, x)\ny.backward()\nx.grad == 4 * x',
    ts: () => {
      const x = torch.arange(4);
      x.requiresGrad_(true);
      const y = torch.dot(x, x).mul(2);
      y.backward();
      return x.grad!.eq(x.mul(4));
    },
  },
  // ---- losses on literal targets, softmax, mean of literals ----
  {
    id: 'cross-entropy-target',
    doc: 'torch.nn.functional.cross_entropy',
    py:
      'input = torch.randn(3, 5, requires_grad=True)\ntarget = torch.randint(5, (3,), dtype=torch.int64)\n' +
      'loss = F.cross_entropy(input, target)\nloss',
    ts: () => {
      const input = torch.randn(3, 5, { requiresGrad: true });
      const target = torch.randint(0, 5, [3], { dtype: 'int64' });
      const loss = F.crossEntropy(input, target);
      return loss;
    },
  },
  // ---- integer literals meant as indices and classes (docstrings) ----
  {
    id: 'nll-loss-target',
    doc: 'torch.nn.functional.nll_loss',
    py:
      'input = torch.randn(3, 5, requires_grad=True)\ntarget = torch.tensor([1, 0, 4])\n' +
      'output = F.nll_loss(F.log_softmax(input, dim=1), target)\noutput',
    ts: () => {
      const input = torch.randn(3, 5, { requiresGrad: true });
      const target = torch.tensor([1, 0, 4]);
      const output = F.nllLoss(F.logSoftmax(input, { dim: 1 }), target);
      return output;
    },
  },
  {
    id: 'embedding',
    doc: 'torch.nn.functional.embedding',
    py:
      'input = torch.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])\nembedding_matrix = torch.rand(10, 3)\n' +
      'F.embedding(input, embedding_matrix)',
    ts: () => {
      const input = torch.tensor([
        [1, 2, 4, 5],
        [4, 3, 2, 9],
      ]);
      const embeddingMatrix = torch.rand(10, 3);
      return F.embedding(input, embeddingMatrix);
    },
  },
  {
    id: 'one-hot',
    doc: 'torch.nn.functional.one_hot',
    py: 'F.one_hot(torch.arange(0, 5) % 3)',
    ts: () => F.oneHot(torch.arange(0, 5).remainder(3)),
  },
  {
    id: 'index-select',
    doc: 'torch.index_select',
    py: 'x = torch.randn(3, 4)\nindices = torch.tensor([0, 2])\ntorch.index_select(x, 0, indices)',
    ts: () => {
      const x = torch.randn(3, 4);
      const indices = torch.tensor([0, 2]);
      return torch.indexSelect(x, 0, indices);
    },
  },
  {
    id: 'narrow',
    doc: 'torch.narrow',
    py: 'x = torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]])\ntorch.narrow(x, 0, 0, 2)',
    ts: () => {
      const x = torch.tensor([
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ]);
      return torch.narrow(x, 0, 0, 2);
    },
  },
  {
    id: 'bucketize',
    doc: 'torch.bucketize',
    py:
      'boundaries = torch.tensor([1, 3, 5, 7, 9])\nv = torch.tensor([[3, 6, 9], [3, 6, 9]])\n' +
      'torch.bucketize(v, boundaries)',
    ts: () => {
      const boundaries = torch.tensor([1, 3, 5, 7, 9]);
      const v = torch.tensor([
        [3, 6, 9],
        [3, 6, 9],
      ]);
      return torch.bucketize(v, boundaries);
    },
  },
  {
    id: 'multinomial',
    doc: 'torch.multinomial',
    py:
      'weights = torch.tensor([0, 10, 3, 0], dtype=torch.float) # create a tensor of weights\n' +
      'torch.multinomial(weights, 4, replacement=True)',
    ts: () => {
      const weights = torch.tensor([0, 10, 3, 0], { dtype: 'float32' });
      return torch.multinomial(weights, 4, { replacement: true });
    },
  },
  {
    id: 'nanmean',
    doc: 'torch.nanmean',
    py: 'x = torch.tensor([[torch.nan, 1, 2], [1, 2, 3]])\nx.nanmean(dim=0)',
    ts: () => {
      const x = torch.tensor([
        [NaN, 1, 2],
        [1, 2, 3],
      ]);
      return x.nanmean({ dim: 0 });
    },
  },
];

/** The result types a snippet may return (for the comparison). */
export type SnippetValue = Tensor | number | boolean | null | SnippetValue[];
