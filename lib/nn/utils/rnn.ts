// torch.nn.utils.rnn: PackedSequence and padSequence / packPaddedSequence / padPackedSequence /
// packSequence / unpackSequence / unpadSequence / invertPermutation, on ATen's own packing ops.
// RNN, LSTM and GRU accept a PackedSequence and return one.
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/tensor.js';
import { kwargs, type KwArgs } from '../functional/args.js';

type Op = (...args: unknown[]) => unknown;
const aten = torch.ops.aten as unknown as Record<string, Record<string, Op>>;
const PACK = aten._pack_padded_sequence!.default!;
const UNPACK = aten._pad_packed_sequence!.default!;

/** The inverse of a permutation (PyTorch's invert_permutation); null stays null. */
export function invertPermutation(permutation: Tensor | null): Tensor | null {
  if (!permutation) return null;
  return torch.tidy(() =>
    torch
      .emptyLike(permutation)
      .scatter_(
        0,
        permutation,
        torch.arange(permutation.numel(), { dtype: permutation.dtype, device: permutation.device }),
      ),
  );
}

/**
 * Variable-length sequences packed time step by time step: `data` (sum of lengths, *), `batchSizes`
 * (int64, CPU: how many sequences are still running at each step), and the sort permutation when
 * the batch was not sorted by length. Like PyTorch's (a named tuple), it is an array
 * [data, batchSizes, sortedIndices, unsortedIndices], so `torch.tidy` keeps its tensors when it is
 * returned and `const [data, batchSizes] = packed` works. It owns its tensors (`dispose()`).
 */
export class PackedSequence extends Array<Tensor | null> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
  constructor(
    data: Tensor,
    batchSizes: Tensor,
    sortedIndices: Tensor | null = null,
    unsortedIndices: Tensor | null = null,
  ) {
    super();
    this.push(data, batchSizes, sortedIndices, unsortedIndices ?? invertPermutation(sortedIndices));
  }
  get data(): Tensor {
    return this[0]!;
  }
  get batchSizes(): Tensor {
    return this[1]!;
  }
  get sortedIndices(): Tensor | null {
    return this[2] ?? null;
  }
  get unsortedIndices(): Tensor | null {
    return this[3] ?? null;
  }
  /** The same packing with `data` moved/cast (batchSizes stays on the CPU, the indices follow the device). */
  to(target: string | { device?: string; dtype?: Tensor['dtype'] }): PackedSequence {
    const o =
      typeof target === 'string'
        ? target.startsWith('cpu') || target.startsWith('cuda') || target === 'meta'
          ? { device: target }
          : { dtype: target as Tensor['dtype'] }
        : target;
    const dev = (t: Tensor | null): Tensor | null =>
      t && o.device ? t.to({ device: o.device }) : (t?.alias() ?? null);
    return new PackedSequence(
      this.data.to(o),
      this.batchSizes.alias(),
      dev(this.sortedIndices),
      dev(this.unsortedIndices),
    );
  }
  get isCuda(): boolean {
    return this.data.device.startsWith('cuda');
  }
  /** Frees the four tensors. */
  dispose(): void {
    for (const t of this) t?.dispose();
  }
  /** Frees the four tensors, as {@link PackedSequence.dispose} (for `using`). */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Options of padSequence (Python's keyword arguments, camelCase). */
export interface PadSequenceOptions {
  /** (B, T, *) instead of (T, B, *). Default false. */ batchFirst?: boolean;
  /** Default 0. */ paddingValue?: number;
  /** 'right' (default) or 'left'. */ paddingSide?: 'right' | 'left';
}
const PAD_SEQUENCE = ['batchFirst', 'paddingValue', 'paddingSide'] as const;
/** Stacks sequences (L_i, *) into (T, B, *) (or (B, T, *)), padded with paddingValue. */
export function padSequence(
  sequences: Tensor[] | Tensor,
  ...args: KwArgs<PadSequenceOptions, typeof PAD_SEQUENCE>
): Tensor {
  const o = kwargs<PadSequenceOptions>('padSequence', PAD_SEQUENCE, args);
  const seqs = Array.isArray(sequences) ? sequences : sequences.unbind(0);
  return torch.padSequence(seqs, o.batchFirst ?? false, o.paddingValue ?? 0, o.paddingSide ?? 'right');
}

/** Options of packPadded (Python's keyword arguments, camelCase). */
export interface PackPaddedOptions {
  /** input is (B, T, *). Default false. */ batchFirst?: boolean;
  /** lengths must be sorted decreasingly (default true); false sorts and remembers the permutation. */
  enforceSorted?: boolean;
}
/** Packs a padded batch (T, B, *) (or (B, T, *)) of sequences with the given lengths. */
export function packPaddedSequence(
  input: Tensor,
  lengths: Tensor | number[],
  ...args: KwArgs<PackPaddedOptions, ['batchFirst', 'enforceSorted']>
): PackedSequence {
  const o = kwargs<PackPaddedOptions>('packPaddedSequence', ['batchFirst', 'enforceSorted'], args);
  const batchFirst = o.batchFirst ?? false;
  const [data, batchSizes, sorted] = torch.tidy(() => {
    let lens = Array.isArray(lengths)
      ? torch.tensor(lengths, { dtype: 'int64' })
      : lengths.to({ device: 'cpu', dtype: 'int64' });
    let x = input,
      sortedIndices: Tensor | null = null;
    if (!(o.enforceSorted ?? true)) {
      const [sl, si] = torch.sort(lens, { descending: true });
      lens = sl;
      sortedIndices = si.to({ device: input.device });
      x = input.indexSelect(batchFirst ? 0 : 1, sortedIndices);
    } else {
      const v = lens.toArray() as number[];
      v.forEach((n, i) => {
        if (i > 0 && n > v[i - 1]!)
          throw new RangeError(
            `packPaddedSequence: lengths [${v.join(', ')}] must be sorted in decreasing order; pass enforceSorted: false to pack unsorted sequences`,
          );
      });
    }
    const [d, b] = PACK(x, lens, batchFirst) as [Tensor, Tensor];
    return [d, b, sortedIndices] as const;
  });
  return new PackedSequence(data, batchSizes, sorted);
}

/** Options of padPacked (Python's keyword arguments, camelCase). */
export interface PadPackedOptions {
  batchFirst?: boolean;
  /** Default 0. */ paddingValue?: number;
  /** Pad to this many steps (at least the longest sequence). */ totalLength?: number | null;
}
const PAD_PACKED = ['batchFirst', 'paddingValue', 'totalLength'] as const;
/** Unpacks to [padded (T, B, *) (or (B, T, *)), lengths (int64)], in the original batch order. */
export function padPackedSequence(
  sequence: PackedSequence,
  ...args: KwArgs<PadPackedOptions, typeof PAD_PACKED>
): [Tensor, Tensor] {
  const o = kwargs<PadPackedOptions>('padPackedSequence', PAD_PACKED, args);
  const batchFirst = o.batchFirst ?? false;
  const maxLen = sequence.batchSizes.shape[0]!;
  if (o.totalLength != null && o.totalLength < maxLen) {
    throw new RangeError(
      `padPackedSequence: expected totalLength to be at least the length of the longest sequence (${maxLen}), but got totalLength=${o.totalLength}`,
    );
  }
  return torch.tidy(() => {
    const [padded, lengths] = UNPACK(
      sequence.data,
      sequence.batchSizes,
      batchFirst,
      o.paddingValue ?? 0,
      o.totalLength ?? maxLen,
    ) as [Tensor, Tensor];
    const u = sequence.unsortedIndices;
    if (!u) return [padded, lengths];
    return [padded.indexSelect(batchFirst ? 0 : 1, u), lengths.indexSelect(0, u.to({ device: 'cpu' }))];
  });
}

/** Packs a list of sequences (L_i, *); with enforceSorted (default) they must be sorted by decreasing length. */
export function packSequence(
  sequences: Tensor[],
  ...args: KwArgs<{ enforceSorted?: boolean }, ['enforceSorted']>
): PackedSequence {
  const enforceSorted =
    kwargs<{ enforceSorted?: boolean }>('packSequence', ['enforceSorted'], args).enforceSorted ?? true;
  return torch.tidy(() =>
    packPaddedSequence(
      padSequence(sequences),
      sequences.map((s) => s.shape[0]!),
      { enforceSorted },
    ),
  );
}
/** The sequences of a padded batch, each cut to its length. */
export function unpadSequence(
  paddedSequences: Tensor,
  lengths: Tensor | number[],
  ...args: KwArgs<{ batchFirst?: boolean }, ['batchFirst']>
): Tensor[] {
  const batchFirst = kwargs<{ batchFirst?: boolean }>('unpadSequence', ['batchFirst'], args).batchFirst ?? false;
  const lens = Array.isArray(lengths) ? lengths : (lengths.toArray() as number[]);
  return torch.tidy(() => {
    const p = batchFirst ? paddedSequences : paddedSequences.transpose(0, 1);
    return lens.map((n, i) => p.select(0, i).narrow(0, 0, n).clone());
  });
}
/** The sequences of a PackedSequence, in the original order. */
export function unpackSequence(packedSequences: PackedSequence): Tensor[] {
  return torch.tidy(() => {
    const [padded, lengths] = padPackedSequence(packedSequences, { batchFirst: true });
    return unpadSequence(padded, lengths, { batchFirst: true });
  });
}
