// Compile-time checks (test/examples.test.ts runs tsc on this file): a module is callable with the
// argument and result types of its forward; wrong calls do not compile.
import { data, nn, torch, type Tensor } from '../../lib/index.js';

const x = torch.randn([2, 3]);
const lin = new nn.Linear(3, 4);
const y: Tensor = lin(x);
const seq = new nn.Sequential(lin, new nn.ReLU());
const z: Tensor = seq(y);
const [out, [h, c]]: [Tensor, [Tensor, Tensor]] = new nn.LSTM(3, 4)(torch.randn([5, 2, 3]));
const [att, weights]: [Tensor, Tensor | null] = new nn.MultiheadAttention(4, 2)(z, z, z, { needWeights: true });
const pooled: [Tensor, Tensor] = new nn.MaxPool2d(2, { returnIndices: true })(torch.randn([1, 1, 4, 4]));
const plain: Tensor = new nn.MaxPool2d(2)(torch.randn([1, 1, 4, 4]));
// @ts-expect-error Linear takes a Tensor
lin('x');
// @ts-expect-error Linear returns a Tensor, not a tuple
const wrong: [Tensor, Tensor] = lin(x);
// @ts-expect-error without returnIndices the pool returns one tensor
const wrongPool: [Tensor, Tensor] = new nn.MaxPool2d(2)(x);
const base: nn.Module = lin;
// @ts-expect-error a plain Module's forward is unknown, so it cannot be called with arguments
base(x);
const loader = new data.DataLoader(new data.ArrayDataset([{ a: Float32Array.of(1), b: 1n, s: 'n' }]), { batchSize: 1 });
async function batches(): Promise<void> {
  for await (const b of loader) {
    const a: Tensor = b.a,
      bb: Tensor = b.b,
      s: string[] = b.s;
    void [a, bb, s];
  }
}
void [out, h, c, att, weights, pooled, plain, wrong, wrongPool, batches];
