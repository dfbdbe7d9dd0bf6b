// RNN, LSTM, GRU and their cells (torch/nn/modules/rnn.py). Parameters are registered in PyTorch's
// order and names (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, ..._reverse, weight_hr_l0 with
// projSize), so a Python state dict loads by key; the recurrences run in ATen's own lstm/gru/rnn ops.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import * as init from '../init.js';
import { Module, pyBool, pyFloat } from '../module.js';
import { factory, type FactoryOptions } from './utils.js';
import { PackedSequence } from '../utils/rnn.js';

/** Options of RNN, LSTM and GRU (PyTorch's keyword arguments, camelCase). */
export interface RNNOptions extends FactoryOptions {
  /** Stacked layers, default 1. */ numLayers?: number;
  /** Learn bias_ih and bias_hh, default true. */ bias?: boolean;
  /** Input and output are (N, L, H) instead of (L, N, H); hidden states stay (layers*dirs, N, H). Default false. */
  batchFirst?: boolean;
  /** Dropout on the outputs of each layer but the last (training only), default 0. */ dropout?: number;
  /** Run a second, reversed direction per layer and concatenate, default false. */ bidirectional?: boolean;
}
type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/**
 * Base of RNN, LSTM and GRU: PyTorch's parameters, names and shape checks (subclass it for a custom recurrent layer).
 */
export abstract class RNNBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  /** Parameter names in the order ATen expects them (PyTorch's _flat_weights_names). */
  readonly flatWeightsNames: string[] = [];
  constructor(
    protected readonly mode: Mode,
    readonly inputSize: number,
    readonly hiddenSize: number,
    o: RNNOptions & { projSize?: number },
  ) {
    super();
    const name = this.constructor.name;
    this.numLayers = o.numLayers ?? 1;
    this.bias = o.bias ?? true;
    this.batchFirst = o.batchFirst ?? false;
    this.dropout = o.dropout ?? 0;
    this.bidirectional = o.bidirectional ?? false;
    this.projSize = o.projSize ?? 0;
    if (!(this.dropout >= 0 && this.dropout <= 1))
      throw new RangeError(`${name}: dropout should be a number in range [0, 1], got ${this.dropout}`);
    if (!Number.isInteger(hiddenSize) || hiddenSize <= 0)
      throw new RangeError(`${name}: hiddenSize must be a positive integer, got ${hiddenSize}`);
    if (!Number.isInteger(this.numLayers) || this.numLayers <= 0)
      throw new RangeError(`${name}: numLayers must be a positive integer, got ${this.numLayers}`);
    if (this.projSize < 0 || this.projSize >= hiddenSize) {
      if (this.projSize !== 0)
        throw new RangeError(`${name}: projSize must be in [0, hiddenSize), got ${this.projSize}`);
    }
    if (this.projSize && mode !== 'LSTM') throw new TypeError(`${name}: projSize is only supported by LSTM`);
    const gate = GATES[mode] * hiddenSize;
    const realHidden = this.projSize || hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    const fo = factory(o);
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let d = 0; d < dirs; d++) {
        const inSize = layer === 0 ? inputSize : realHidden * dirs;
        const sfx = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        const shapes: [string, number[]][] = [
          [`weight_ih${sfx}`, [gate, inSize]],
          [`weight_hh${sfx}`, [gate, realHidden]],
        ];
        if (this.bias) shapes.push([`bias_ih${sfx}`, [gate]], [`bias_hh${sfx}`, [gate]]);
        if (this.projSize) shapes.push([`weight_hr${sfx}`, [this.projSize, hiddenSize]]);
        for (const [n, s] of shapes) {
          this.registerParameter(n, torch.empty(s, fo));
          this.flatWeightsNames.push(n);
        }
      }
    }
    this.resetParameters();
  }
  /** PyTorch's init: every parameter ~ U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)). */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv);
  }
  get flatWeights(): Tensor[] {
    return this.flatWeightsNames.map((n) => this.param(n));
  }
  /** What ATen's recurrent ops take after the states: weights, has-biases, layers, dropout, train, bidirectional. */
  protected get opArgs(): [Tensor[], boolean, number, number, boolean, boolean] {
    return [this.flatWeights, this.bias, this.numLayers, this.dropout, this.training, this.bidirectional];
  }
  protected get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Checks input and hidden shapes; returns whether the input is batched and the batch size. */
  protected checkShapes(
    input: Tensor,
    hx: (Tensor | undefined)[],
    hiddenSizes: number[],
  ): { batched: boolean; n: number } {
    const name = this.constructor.name;
    if (input.ndim !== 2 && input.ndim !== 3)
      throw new RangeError(`${name}: expected input to be 2D (unbatched) or 3D, got shape [${input.shape.join(', ')}]`);
    if (input.shape[input.ndim - 1] !== this.inputSize)
      throw new RangeError(
        `${name}: input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.shape[input.ndim - 1]}`,
      );
    const batched = input.ndim === 3;
    const n = batched ? input.shape[this.batchFirst ? 0 : 1]! : 1;
    hx.forEach((h, i) => {
      if (!h) return;
      const want = batched
        ? [this.numLayers * this.numDirections, n, hiddenSizes[i]!]
        : [this.numLayers * this.numDirections, hiddenSizes[i]!];
      if (h.shape.length !== want.length || h.shape.some((v, j) => v !== want[j])) {
        throw new RangeError(
          `${name}: expected hidden${hx.length > 1 ? `[${i}]` : ''} size [${want.join(', ')}], got [${h.shape.join(', ')}]`,
        );
      }
    });
    return { batched, n };
  }
  /**
   * Runs the ATen op on batched input with (layers*dirs, N, H) states; handles unbatched input and default zero states.
   */
  protected run<S extends Tensor[]>(
    input: Tensor,
    hx: (Tensor | undefined)[],
    hiddenSizes: number[],
    op: (x: Tensor, h: Tensor[]) => [Tensor, ...S],
  ): [Tensor, ...S] {
    const { batched, n } = this.checkShapes(input, hx, hiddenSizes);
    return torch.tidy(() => {
      const bdim = this.batchFirst ? 0 : 1;
      const x = batched ? input : input.unsqueeze(bdim);
      const h = hx.map((t, i) => {
        if (!t)
          return torch.zeros([this.numLayers * this.numDirections, n, hiddenSizes[i]!], {
            dtype: input.dtype,
            device: input.device,
          });
        return batched ? t : t.unsqueeze(1);
      });
      const [out, ...states] = op(x, h);
      if (batched) return [out, ...states] as [Tensor, ...S];
      return [out.squeeze(bdim), ...states.map((s) => s.squeeze(1))] as [Tensor, ...S];
    });
  }
  /**
   * Runs the ATen op on a PackedSequence (PyTorch's packed path): states in sorted batch order inside,
   * given and returned in the caller's order; zeros when omitted.
   */
  protected runPacked<S extends Tensor[]>(
    input: PackedSequence,
    hx: (Tensor | undefined)[],
    hiddenSizes: number[],
    op: (data: Tensor, batchSizes: Tensor, h: Tensor[]) => [Tensor, ...S],
  ): [PackedSequence, ...S] {
    const name = this.constructor.name;
    if (input.data.shape[input.data.ndim - 1] !== this.inputSize)
      throw new RangeError(
        `${name}: input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.data.shape[input.data.ndim - 1]}`,
      );
    const n = (input.batchSizes.toArray() as number[])[0] ?? 0;
    this.checkShapes(torch.empty([1, n, this.inputSize], { device: 'meta' }), hx, hiddenSizes);
    const [out, ...states] = torch.tidy(() => {
      const h = hx.map((t, i) => {
        if (!t)
          return torch.zeros([this.numLayers * this.numDirections, n, hiddenSizes[i]!], {
            dtype: input.data.dtype,
            device: input.data.device,
          });
        return input.sortedIndices ? t.indexSelect(1, input.sortedIndices) : t;
      });
      const [o, ...st] = op(input.data, input.batchSizes, h);
      const u = input.unsortedIndices;
      return [o, ...st.map((t) => (u ? t.indexSelect(1, u) : t))] as [Tensor, ...S];
    });
    const keep = (t: Tensor | null): Tensor | null => t?.alias() ?? null;
    return [
      new PackedSequence(out, input.batchSizes.alias(), keep(input.sortedIndices), keep(input.unsortedIndices)),
      ...states,
    ] as [PackedSequence, ...S];
  }
  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst) s += ', batch_first=True';
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += ', bidirectional=True';
    return s;
  }
}

/**
 * Applies a multi-layer Elman RNN with a tanh or ReLU nonlinearity to an input sequence.
 *
 * For each element of the sequence, each layer computes `h_t = tanh(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh)` (ReLU
 * in place of tanh with `nonlinearity: 'relu'`), `x_t` the input at step `t` (the layer below's `h_t` above the first
 * layer) and `h_(t-1)` the layer's state at the previous step (`h_0` at the start). `forward(input, hx?)` returns
 * `[output, h_n]`.
 *
 * Shape (`L` the sequence length, `N` the batch size, `D` 2 if bidirectional else 1):
 * - input: `(L, H_in)` unbatched, `(L, N, H_in)`, or `(N, L, H_in)` with `batchFirst`; or a `PackedSequence`
 *   (`nn.utils.rnn.packPaddedSequence`), which gives a packed output.
 * - hx: `(D * numLayers, H)` unbatched or `(D * numLayers, N, H)`: the initial states `h_0` (zeros if omitted).
 * - output: `(L, D * H)` unbatched, `(L, N, D * H)`, or `(N, L, D * H)` with `batchFirst`: the last layer's `h_t` at
 *   every step (both directions concatenated).
 * - h_n: the shape of hx: the final state of every layer and direction.
 *
 * The parameters are named as in PyTorch (`weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}`, with
 * `_reverse` for the second direction), so a PyTorch state dict loads as it is: `weight_ih_l0` is `(H, H_in)`,
 * `weight_ih_l{k}` above it `(H, D * H)`, `weight_hh_l{k}` `(H, H)`, the biases `(H)`; all are initialized from
 * `U(-sqrt(k), sqrt(k))` with `k = 1 / hiddenSize`.
 *
 * @param inputSize - `H_in`, the number of features of the input `x`.
 * @param hiddenSize - `H`, the number of features of the hidden state `h`.
 * @param o.numLayers - the number of stacked layers, each taking the output of the one below (default `1`).
 * @param o.nonlinearity - `'tanh'` or `'relu'` (default `'tanh'`).
 * @param o.bias - learn the biases `b_ih` and `b_hh` (default `true`).
 * @param o.batchFirst - the input and output are `(N, L, *)` instead of `(L, N, *)`; the hidden states are not affected
 *   (default `false`).
 * @param o.dropout - the probability of a dropout layer on the outputs of each layer but the last, in training mode
 *   (default `0`).
 * @param o.bidirectional - run a second, reversed direction in each layer and concatenate the two (default `false`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const rnn = new nn.RNN(10, 20, { numLayers: 2 });
 * const input = torch.randn(5, 3, 10);
 * const [output, hn] = rnn(input, torch.randn(2, 3, 20));
 * console.log(output.shape); // [5, 3, 20]
 * console.log(hn.shape); // [2, 3, 20]
 */
export class RNN extends RNNBase {
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, o: RNNOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = o.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu')
      throw new TypeError(`RNN: unknown nonlinearity '${String(nl)}' (expected 'tanh' or 'relu')`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, o);
    this.nonlinearity = nl;
  }
  /** A packed batch: returns the packed outputs and the final hidden state (numLayers * directions, N, H). */
  override forward(input: PackedSequence, hx?: Tensor): [PackedSequence, Tensor];
  /** (L, N, Hin), (N, L, Hin) with batchFirst, or unbatched (L, Hin): the outputs and the final hidden state. */
  override forward(input: Tensor, hx?: Tensor): [Tensor, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor): [Tensor | PackedSequence, Tensor] {
    const op = this.mode === 'RNN_TANH' ? torch.rnnTanh : torch.rnnRelu;
    if (input instanceof PackedSequence) {
      return this.runPacked<[Tensor]>(input, [hx], [this.hiddenSize], (d, b, h) => op(d, b, h[0]!, ...this.opArgs));
    }
    return this.run<[Tensor]>(input, [hx], [this.hiddenSize], (x, h) => op(x, h[0]!, ...this.opArgs, this.batchFirst));
  }
}

/** `rnn(packed)` returns [PackedSequence, h_n]; `rnn(x)` as forward. */
export interface RNN {
  (input: PackedSequence, hx?: Tensor): [PackedSequence, Tensor];
  (input: Tensor, hx?: Tensor): [Tensor, Tensor];
}
/** `lstm(packed)` returns [PackedSequence, [h_n, c_n]]; `lstm(x)` as forward. */
export interface LSTM {
  (input: PackedSequence, hx?: [Tensor, Tensor]): [PackedSequence, [Tensor, Tensor]];
  (input: Tensor, hx?: [Tensor, Tensor]): [Tensor, [Tensor, Tensor]];
}
/** `gru(packed)` returns [PackedSequence, h_n]; `gru(x)` as forward. */
export interface GRU {
  (input: PackedSequence, hx?: Tensor): [PackedSequence, Tensor];
  (input: Tensor, hx?: Tensor): [Tensor, Tensor];
}

/**
 * Applies a multi-layer long short-term memory (LSTM) RNN to an input sequence.
 *
 * For each element of the sequence, each layer computes the gates
 * `i_t = sigmoid(W_ii x_t + b_ii + W_hi h_(t-1) + b_hi)`, `f_t` and `o_t` likewise, the candidate
 * `g_t = tanh(W_ig x_t + b_ig + W_hg h_(t-1) + b_hg)`, the cell state `c_t = f_t * c_(t-1) + i_t * g_t` and the hidden
 * state `h_t = o_t * tanh(c_t)`. With `projSize` > 0 (Sak et al., 2014) `h_t` is projected to `projSize` features by
 * `W_hr` after each step, which changes the size of `h` (and of the output) to `projSize`.
 * `forward(input, [h_0, c_0]?)` returns `[output, [h_n, c_n]]`.
 *
 * Shape (`L` the sequence length, `N` the batch size, `D` 2 if bidirectional else 1):
 * - input: `(L, H_in)` unbatched, `(L, N, H_in)`, or `(N, L, H_in)` with `batchFirst`; or a `PackedSequence`
 *   (`nn.utils.rnn.packPaddedSequence`), which gives a packed output.
 * - hx: `[h_0, c_0]`, `h_0` `(D * numLayers, N, H_out)` and `c_0` `(D * numLayers, N, H)` (without `N` unbatched),
 *   `H_out = projSize || H`; zeros if omitted.
 * - output: `(L, D * H_out)` unbatched, `(L, N, D * H_out)`, or `(N, L, D * H_out)` with `batchFirst`: the last layer's
 *   `h_t` at every step (both directions concatenated).
 * - h_n, c_n: the shapes of h_0 and c_0: the final states of every layer and direction.
 *
 * The parameters are named as in PyTorch (`weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}`,
 * `weight_hr_l{k}` with `projSize`, `_reverse` for the second direction): `weight_ih_l0` is `(4 * H, H_in)` (the gates
 * i, f, g, o stacked), `weight_hh_l{k}` `(4 * H, H_out)`, the biases `(4 * H)`, `weight_hr_l{k}` `(projSize, H)`; all
 * are initialized from `U(-sqrt(k), sqrt(k))` with `k = 1 / hiddenSize`.
 *
 * @param inputSize - `H_in`, the number of features of the input `x`.
 * @param hiddenSize - `H`, the number of features of the hidden state `h`.
 * @param o.numLayers - the number of stacked layers, each taking the output of the one below (default `1`).
 * @param o.projSize - project `h` to this size after each step; 0 for none (default `0`).
 * @param o.bias - learn the biases `b_ih` and `b_hh` (default `true`).
 * @param o.batchFirst - the input and output are `(N, L, *)` instead of `(L, N, *)`; the hidden states are not affected
 *   (default `false`).
 * @param o.dropout - the probability of a dropout layer on the outputs of each layer but the last, in training mode
 *   (default `0`).
 * @param o.bidirectional - run a second, reversed direction in each layer and concatenate the two (default `false`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const lstm = new nn.LSTM(10, 20, { numLayers: 2 });
 * const input = torch.randn(5, 3, 10);
 * const [output, [hn, cn]] = lstm(input, [torch.randn(2, 3, 20), torch.randn(2, 3, 20)]);
 * console.log(output.shape); // [5, 3, 20]
 * console.log(cn.shape); // [2, 3, 20]
 * const projected = new nn.LSTM(10, 20, { projSize: 8, batchFirst: true });
 * console.log(projected(torch.randn(3, 5, 10))[0].shape); // [3, 5, 8]
 */
export class LSTM extends RNNBase {
  constructor(
    inputSize: number,
    hiddenSize: number,
    o: RNNOptions & { /** Project h to this size (weight_hr), default 0 (none). */ projSize?: number } = {},
  ) {
    super('LSTM', inputSize, hiddenSize, o);
  }
  /** A packed batch: returns the packed outputs and the final (h, c). */
  override forward(input: PackedSequence, hx?: [Tensor, Tensor]): [PackedSequence, [Tensor, Tensor]];
  /** (L, N, Hin) or (N, L, Hin) with batchFirst, or unbatched (L, Hin): returns the outputs and the final (h, c). */
  override forward(input: Tensor, hx?: [Tensor, Tensor]): [Tensor, [Tensor, Tensor]];
  override forward(input: Tensor | PackedSequence, hx?: [Tensor, Tensor]): [Tensor | PackedSequence, [Tensor, Tensor]] {
    const sizes = [this.projSize || this.hiddenSize, this.hiddenSize];
    if (input instanceof PackedSequence) {
      const [out, h, c] = this.runPacked<[Tensor, Tensor]>(input, hx ?? [undefined, undefined], sizes, (d, b, s) =>
        torch.lstm(d, b, s, ...this.opArgs),
      );
      return [out, [h, c]];
    }
    const [out, h, c] = this.run<[Tensor, Tensor]>(input, hx ?? [undefined, undefined], sizes, (x, s) =>
      torch.lstm(x, s, ...this.opArgs, this.batchFirst),
    );
    return [out, [h, c]];
  }
}

/**
 * Applies a multi-layer gated recurrent unit (GRU) RNN to an input sequence.
 *
 * For each element of the sequence, each layer computes the reset gate
 * `r_t = sigmoid(W_ir x_t + b_ir + W_hr h_(t-1) + b_hr)`, the update gate `z_t` likewise, the candidate
 * `n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_(t-1) + b_hn))` and `h_t = (1 - z_t) * n_t + z_t * h_(t-1)` (Cho et al.,
 * 2014). `forward(input, hx?)` returns `[output, h_n]`.
 *
 * Shape (`L` the sequence length, `N` the batch size, `D` 2 if bidirectional else 1):
 * - input: `(L, H_in)` unbatched, `(L, N, H_in)`, or `(N, L, H_in)` with `batchFirst`; or a `PackedSequence`
 *   (`nn.utils.rnn.packPaddedSequence`), which gives a packed output.
 * - hx: `(D * numLayers, H)` unbatched or `(D * numLayers, N, H)`: the initial states `h_0` (zeros if omitted).
 * - output: `(L, D * H)` unbatched, `(L, N, D * H)`, or `(N, L, D * H)` with `batchFirst`: the last layer's `h_t` at
 *   every step (both directions concatenated).
 * - h_n: the shape of hx: the final state of every layer and direction.
 *
 * The parameters are named as in PyTorch (`weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}`,
 * `_reverse` for the second direction): `weight_ih_l0` is `(3 * H, H_in)` (the gates r, z, n stacked), `weight_hh_l{k}`
 * `(3 * H, H)`, the biases `(3 * H)`; all are initialized from `U(-sqrt(k), sqrt(k))` with `k = 1 / hiddenSize`.
 *
 * @param inputSize - `H_in`, the number of features of the input `x`.
 * @param hiddenSize - `H`, the number of features of the hidden state `h`.
 * @param o.numLayers - the number of stacked layers, each taking the output of the one below (default `1`).
 * @param o.bias - learn the biases `b_ih` and `b_hh` (default `true`).
 * @param o.batchFirst - the input and output are `(N, L, *)` instead of `(L, N, *)`; the hidden states are not affected
 *   (default `false`).
 * @param o.dropout - the probability of a dropout layer on the outputs of each layer but the last, in training mode
 *   (default `0`).
 * @param o.bidirectional - run a second, reversed direction in each layer and concatenate the two (default `false`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const gru = new nn.GRU(10, 20, { numLayers: 2, bidirectional: true });
 * const input = torch.randn(5, 3, 10);
 * const [output, hn] = gru(input);
 * console.log(output.shape); // [5, 3, 40]
 * console.log(hn.shape); // [4, 3, 20]
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, o: RNNOptions = {}) {
    super('GRU', inputSize, hiddenSize, o);
  }
  /** A packed batch: returns the packed outputs and the final hidden state (numLayers * directions, N, H). */
  override forward(input: PackedSequence, hx?: Tensor): [PackedSequence, Tensor];
  /** (L, N, Hin), (N, L, Hin) with batchFirst, or unbatched (L, Hin): the outputs and the final hidden state. */
  override forward(input: Tensor, hx?: Tensor): [Tensor, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor): [Tensor | PackedSequence, Tensor] {
    if (input instanceof PackedSequence) {
      return this.runPacked<[Tensor]>(input, [hx], [this.hiddenSize], (d, b, h) =>
        torch.gru(d, b, h[0]!, ...this.opArgs),
      );
    }
    return this.run<[Tensor]>(input, [hx], [this.hiddenSize], (x, h) =>
      torch.gru(x, h[0]!, ...this.opArgs, this.batchFirst),
    );
  }
}

// ---------------------------------------------------------------- cells
/** Base of RNNCell, LSTMCell and GRUCell. */
export abstract class RNNCellBase extends Module {
  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    readonly bias: boolean,
    chunks: number,
    o: FactoryOptions,
  ) {
    super();
    const fo = factory(o);
    this.registerParameter('weight_ih', torch.empty([chunks * hiddenSize, inputSize], fo));
    this.registerParameter('weight_hh', torch.empty([chunks * hiddenSize, hiddenSize], fo));
    this.registerParameter('bias_ih', bias ? torch.empty([chunks * hiddenSize], fo) : null);
    this.registerParameter('bias_hh', bias ? torch.empty([chunks * hiddenSize], fo) : null);
    const stdv = 1 / Math.sqrt(hiddenSize);
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv);
  }
  protected get w(): [Tensor, Tensor, Tensor | null, Tensor | null] {
    return [this.param('weight_ih'), this.param('weight_hh'), this.paramOrNull('bias_ih'), this.paramOrNull('bias_hh')];
  }
  /** Input (N, H_in) or (H_in); returns the batched input and the zero/unsqueezed states. */
  protected prepare(input: Tensor, hs: (Tensor | undefined)[]): { batched: boolean; x: Tensor; h: Tensor[] } {
    const name = this.constructor.name;
    if (input.ndim !== 1 && input.ndim !== 2)
      throw new RangeError(`${name}: expected input to be 1D or 2D, got shape [${input.shape.join(', ')}]`);
    if (input.shape[input.ndim - 1] !== this.inputSize)
      throw new RangeError(
        `${name}: input has inconsistent input_size: got ${input.shape[input.ndim - 1]} expected ${this.inputSize}`,
      );
    const batched = input.ndim === 2;
    const x = batched ? input : input.unsqueeze(0);
    const n = x.shape[0]!;
    const h = hs.map((t) => {
      if (!t) return torch.zeros([n, this.hiddenSize], { dtype: input.dtype, device: input.device });
      const want = batched ? [n, this.hiddenSize] : [this.hiddenSize];
      if (t.shape.length !== want.length || t.shape.some((v, j) => v !== want[j]))
        throw new RangeError(`${name}: expected hidden size [${want.join(', ')}], got [${t.shape.join(', ')}]`);
      return batched ? t : t.unsqueeze(0);
    });
    return { batched, x, h };
  }
  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : ', bias=False'}`;
  }
}
/**
 * An Elman RNN cell with a tanh or ReLU nonlinearity: one step of `nn.RNN`.
 *
 * `h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)` (ReLU in place of tanh with `nonlinearity: 'relu'`).
 * `forward(input, hx?)` returns `h'`.
 *
 * Shape:
 * - input: `(N, H_in)` or `(H_in)`.
 * - hx: `(N, H)` or `(H)`: the current state (zeros if omitted).
 * - output: `(N, H)` or `(H)`: the next state.
 *
 * `weight_ih` is `(H, H_in)`, `weight_hh` `(H, H)` and the biases `(H)`, all initialized from `U(-sqrt(k), sqrt(k))`
 * with `k = 1 / hiddenSize`.
 *
 * @param inputSize - `H_in`, the number of features of the input.
 * @param hiddenSize - `H`, the number of features of the hidden state.
 * @param o.bias - learn the biases `b_ih` and `b_hh` (default `true`).
 * @param o.nonlinearity - `'tanh'` or `'relu'` (default `'tanh'`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn, type Tensor } from 'skcdf';
 * const cell = new nn.RNNCell(10, 20);
 * const input = torch.randn(6, 3, 10); // 6 steps of a batch of 3
 * let hx = torch.randn(3, 20);
 * const output: Tensor[] = [];
 * for (let i = 0; i < 6; i++) {
 *   hx = cell(input.select(0, i), hx);
 *   output.push(hx);
 * }
 * console.log(torch.stack(output).shape); // [6, 3, 20]
 */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(
    inputSize: number,
    hiddenSize: number,
    o: FactoryOptions & { bias?: boolean; nonlinearity?: 'tanh' | 'relu' } = {},
  ) {
    super(inputSize, hiddenSize, o.bias ?? true, 1, o);
    this.nonlinearity = o.nonlinearity ?? 'tanh';
    if (this.nonlinearity !== 'tanh' && this.nonlinearity !== 'relu')
      throw new TypeError(`RNNCell: unknown nonlinearity '${String(this.nonlinearity)}'`);
  }
  override forward(input: Tensor, hx?: Tensor): Tensor {
    return torch.tidy(() => {
      const { batched, x, h } = this.prepare(input, [hx]);
      const op = this.nonlinearity === 'tanh' ? torch.rnnTanhCell : torch.rnnReluCell;
      const out = op(x, h[0]!, ...this.w);
      return batched ? out : out.squeeze(0);
    });
  }
  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity !== 'tanh' ? `, nonlinearity=${this.nonlinearity}` : '');
  }
}
/**
 * A long short-term memory (LSTM) cell: one step of `nn.LSTM`.
 *
 * The gates `i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)`, `f` and `o` likewise,
 * `g = tanh(W_ig x + b_ig + W_hg h + b_hg)`, then `c' = f * c + i * g` and `h' = o * tanh(c')`.
 * `forward(input, [h, c]?)` returns `[h', c']`.
 *
 * Shape:
 * - input: `(N, H_in)` or `(H_in)`.
 * - hx: `[h, c]`, each `(N, H)` or `(H)`: the current states (zeros if omitted).
 * - output: `[h', c']`, each `(N, H)` or `(H)`: the next states.
 *
 * `weight_ih` is `(4 * H, H_in)`, `weight_hh` `(4 * H, H)` and the biases `(4 * H)` (the gates i, f, g, o stacked), all
 * initialized from `U(-sqrt(k), sqrt(k))` with `k = 1 / hiddenSize`.
 *
 * @param inputSize - `H_in`, the number of features of the input.
 * @param hiddenSize - `H`, the number of features of the hidden state.
 * @param o.bias - learn the biases `b_ih` and `b_hh` (default `true`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn, type Tensor } from 'skcdf';
 * const cell = new nn.LSTMCell(10, 20);
 * const input = torch.randn(2, 3, 10); // 2 steps of a batch of 3
 * let state: [Tensor, Tensor] = [torch.randn(3, 20), torch.randn(3, 20)];
 * for (let i = 0; i < 2; i++) state = cell(input.select(0, i), state);
 * console.log(state[0].shape); // [3, 20]
 */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, o: FactoryOptions & { bias?: boolean } = {}) {
    super(inputSize, hiddenSize, o.bias ?? true, 4, o);
  }
  override forward(input: Tensor, hx?: [Tensor, Tensor]): [Tensor, Tensor] {
    return torch.tidy(() => {
      const { batched, x, h } = this.prepare(input, hx ?? [undefined, undefined]);
      const [h1, c1] = torch.lstmCell(x, h, ...this.w);
      return batched ? [h1, c1] : [h1.squeeze(0), c1.squeeze(0)];
    });
  }
}
/**
 * A gated recurrent unit (GRU) cell: one step of `nn.GRU`.
 *
 * `r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)`, `z` likewise, `n = tanh(W_in x + b_in + r * (W_hn h + b_hn))` and
 * `h' = (1 - z) * n + z * h`. `forward(input, hx?)` returns `h'`.
 *
 * Shape:
 * - input: `(N, H_in)` or `(H_in)`.
 * - hx: `(N, H)` or `(H)`: the current state (zeros if omitted).
 * - output: `(N, H)` or `(H)`: the next state.
 *
 * `weight_ih` is `(3 * H, H_in)`, `weight_hh` `(3 * H, H)` and the biases `(3 * H)` (the gates r, z, n stacked), all
 * initialized from `U(-sqrt(k), sqrt(k))` with `k = 1 / hiddenSize`.
 *
 * @param inputSize - `H_in`, the number of features of the input.
 * @param hiddenSize - `H`, the number of features of the hidden state.
 * @param o.bias - learn the biases `b_ih` and `b_hh` (default `true`).
 * @param o.device - where the parameters live (default the CPU).
 * @param o.dtype - their floating dtype (default `'float32'`).
 * @example
 * import { torch, nn } from 'skcdf';
 * const cell = new nn.GRUCell(10, 20);
 * const input = torch.randn(6, 3, 10); // 6 steps of a batch of 3
 * let hx = torch.randn(3, 20);
 * for (let i = 0; i < 6; i++) hx = cell(input.select(0, i), hx);
 * console.log(hx.shape); // [3, 20]
 */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, o: FactoryOptions & { bias?: boolean } = {}) {
    super(inputSize, hiddenSize, o.bias ?? true, 3, o);
  }
  override forward(input: Tensor, hx?: Tensor): Tensor {
    return torch.tidy(() => {
      const { batched, x, h } = this.prepare(input, [hx]);
      const out = torch.gruCell(x, h[0]!, ...this.w);
      return batched ? out : out.squeeze(0);
    });
  }
}
