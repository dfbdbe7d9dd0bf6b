// torch.<fn> where Python's signature differs from the ATen schema the generated surface follows
// (Python implements these in torch/functional.py): variadic einsum, unique's optional outputs,
// nonzero's as_tuple. They take precedence over the generated exports of the same name (index.ts).
import { callOverloads } from './dispatch.js';
import { ATEN } from './generated/schemas.js';
import { Tensor, type UniqueOptions } from './tensor.js';

const EINSUM = ATEN.einsum;

/**
 * Sums the product of the operands' elements over the indices the equation names, in Einstein notation, as
 * PyTorch's `torch.einsum`: `'ij,jk->ik'` is a matrix product, `'ii->i'` a diagonal, `'bij->bji'` a transpose,
 * `'...ij,...jk->...ik'` a batched product (`...` stands for any leading dimensions).
 *
 * Args:
 *   equation: the subscripts of each operand, comma-separated, optionally `->` and those of the output (without
 *     an output, the indices that appear once, in alphabetical order).
 *   operands: the tensors, one per term of the equation, given one by one.
 *
 * Returns:
 *   The contracted tensor.
 *
 * Throws:
 *   TypeError when the equation is not a string or an operand is not a tensor; Error from libtorch when the
 *   equation does not fit the operands' shapes.
 *
 * Example:
 *   const c = torch.einsum('ij,jk->ik', a, b); // a.matmul(b)
 *   const tr = torch.einsum('ii', m); // the trace
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor;
/**
 * `torch.einsum` with the operands as one array (Python's `torch.einsum(eq, [a, b])` form).
 *
 * Example:
 *   torch.einsum('bn,bn->b', [x, y]); // row-wise dot products
 */
export function einsum(equation: string, operands: Tensor[]): Tensor;
/** einsum: the implementation of the overloads above. */
export function einsum(equation: string, ...rest: (Tensor | Tensor[])[]): Tensor {
  if (typeof equation !== 'string') throw new TypeError('einsum: the first argument is the equation string');
  const operands = rest.length === 1 && Array.isArray(rest[0]) ? rest[0] : rest;
  if (!operands.every((t) => t instanceof Tensor))
    throw new TypeError('einsum: operands must be tensors (given one by one or as one array)');
  return callOverloads(EINSUM, [equation, operands]) as Tensor;
}

/**
 * The distinct elements of `input`, as PyTorch's `torch.unique` (same as `input.unique(options)`).
 *
 * Args:
 *   input: the tensor.
 *   options: `sorted` (sort the result ascending; default true), `returnInverse` (also return, for each element
 *     of `input`, the index of its value in the result; default false), `returnCounts` (also return how often
 *     each value occurs; default false), `dim` (the distinct slices along this dimension instead of elements;
 *     default null: the flattened input).
 *
 * Returns:
 *   The distinct values alone, or `[values, inverse]`, `[values, counts]` or `[values, inverse, counts]` as the
 *   options ask.
 *
 * Example:
 *   torch.unique(torch.tensor([3, 1, 3, 2])); // [1, 2, 3]
 */
export function unique(
  input: Tensor,
  options?: UniqueOptions & { returnInverse?: false; returnCounts?: false },
): Tensor;
/**
 * `torch.unique` with `returnInverse`: `[values, inverse]`, where `values.get(inverse)` rebuilds `input`.
 *
 * Example:
 *   const [vals, inv] = torch.unique(torch.tensor([3, 1, 3]), { returnInverse: true }); // [1, 3], [1, 0, 1]
 */
export function unique(
  input: Tensor,
  options: UniqueOptions & { returnInverse: true; returnCounts?: false },
): [Tensor, Tensor];
/**
 * `torch.unique` with `returnCounts`: `[values, counts]`.
 *
 * Example:
 *   const [vals, counts] = torch.unique(labels, { returnCounts: true }); // class frequencies
 */
export function unique(
  input: Tensor,
  options: UniqueOptions & { returnInverse?: false; returnCounts: true },
): [Tensor, Tensor];
/** `torch.unique` with `returnInverse` and `returnCounts`: `[values, inverse, counts]`. */
export function unique(
  input: Tensor,
  options: UniqueOptions & { returnInverse: true; returnCounts: true },
): [Tensor, Tensor, Tensor];
/** unique: the implementation of the overloads above. */
export function unique(input: Tensor, options: UniqueOptions = {}): Tensor | Tensor[] {
  return (input.unique as (o: UniqueOptions) => Tensor | Tensor[])(options);
}

/**
 * The indices of the non-zero elements of `input`, as PyTorch's `torch.nonzero` (same as `input.nonzero()`).
 *
 * Args:
 *   input: the tensor.
 *   options: `asTuple` (default false; see the other overload).
 *
 * Returns:
 *   An int64 tensor [n, input.dim()]: one row of indices per non-zero element, in row-major order.
 *
 * Example:
 *   torch.nonzero(torch.tensor([[0, 1], [2, 0]])); // [[0, 1], [1, 0]]
 */
export function nonzero(input: Tensor, options?: { asTuple?: false }): Tensor;
/**
 * `torch.nonzero(input, as_tuple=True)`: one 1-d int64 tensor of indices per dimension of `input`, usable as
 * indices (`x.get(...torch.nonzero(mask, { asTuple: true }))`).
 *
 * Example:
 *   const [rows, cols] = torch.nonzero(torch.tensor([[0, 1], [2, 0]]), { asTuple: true }); // [0, 1], [1, 0]
 */
export function nonzero(input: Tensor, options: { asTuple: true }): Tensor[];
/** nonzero: the implementation of the overloads above. */
export function nonzero(input: Tensor, options: { asTuple?: boolean } = {}): Tensor | Tensor[] {
  return options.asTuple ? input.nonzero({ asTuple: true }) : input.nonzero();
}
