// Compile-time checks (test/api-types.test.ts runs tsc on this file) of lib/nn's argument rule:
// Python's positional arguments, then optionally one options object with Python's keyword names in
// camelCase; custom modules with class fields.
import { nn, torch, type Tensor } from '../../lib/index.js';

const F = nn.functional;
const x = torch.randn([2, 3]);
const x4 = torch.randn([1, 2, 4, 4]);
const a: Tensor[] = [
  F.softmax(x, { dim: 1 }),
  F.softmax(x, 1),
  F.softmax(x, 1, { dtype: 'float64' }),
  F.logSoftmax(x, { dim: 1 }),
  F.dropout(x, { p: 0.2, training: false }),
  F.dropout(x, 0.2, { training: false }),
  F.dropout(x, 0.2, true, false),
  F.relu(x, { inplace: false }),
  F.leakyRelu(x, 0.1),
  F.gelu(x, { approximate: 'tanh' }),
  F.pad(x4, [1, 1], { mode: 'reflect' }),
  F.pad(x4, [1, 1], 'constant', 2),
  F.normalize(x, { dim: 0 }),
  F.crossEntropy(x, torch.tensor([0, 2]), { labelSmoothing: 0.1 }),
  F.mseLoss(x, x, 'sum'),
  F.klDiv(x, x, { reduction: 'batchmean' }),
  F.conv2d(x4, torch.randn([3, 2, 3, 3]), null, 1, 'same'),
  F.interpolate(x4, { scaleFactor: 2 }),
  F.interpolate(x4, [8, 8]),
  F.maxPool2d(x4, 2, { stride: 1 }),
];
const [pooled, indices]: [Tensor, Tensor] = F.maxPool2d(x4, 2, { returnIndices: true });
class Net extends nn.Module {
  fc = new nn.Linear(3, 4);
  scale = new nn.Parameter(torch.ones([4]));
  override forward(t: Tensor): Tensor {
    return this.fc(t).mul(this.scale);
  }
}
const y: Tensor = new Net()(x);
const packed = nn.utils.rnn.packSequence([torch.randn([3, 3]), torch.randn([2, 3])]);
const [po, [ph, pc]]: [nn.PackedSequence, [Tensor, Tensor]] = new nn.LSTM(3, 4)(packed);
const [to, th]: [Tensor, Tensor] = new nn.GRU(3, 4)(torch.randn([5, 2, 3]));
// @ts-expect-error an unknown keyword
F.softmax(x, { dimm: 1 });
// @ts-expect-error a keyword of the wrong type
F.dropout(x, { p: 'a' });
// @ts-expect-error more positional arguments than Python has
F.relu(x, true, true);
// @ts-expect-error the options object comes last
F.dropout(x, { p: 0.1 }, true);
// @ts-expect-error a dtype typo
F.softmax(x, 1, { dtype: 'flaot64' });
// @ts-expect-error without returnIndices the pool returns one tensor
const wrongPool: [Tensor, Tensor] = F.maxPool2d(x4, 2, { stride: 1 });
export { a, pooled, indices, y, wrongPool, po, ph, pc, to, th };
