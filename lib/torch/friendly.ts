// torch.<fn> where Python's signature differs from the ATen schema the generated surface follows
// (Python implements these in torch/functional.py): variadic einsum, unique's optional outputs,
// nonzero's as_tuple. They take precedence over the generated exports of the same name (index.ts).
import { callOverloads } from './dispatch.js';
import { ATEN } from './generated/schemas.js';
import { Tensor, type UniqueOptions } from './tensor.js';

const EINSUM = ATEN.einsum;

/** `torch.einsum('ij,jk->ik', a, b)` or `torch.einsum('ij,jk->ik', [a, b])`. */
export function einsum(equation: string, ...operands: Tensor[]): Tensor;
export function einsum(equation: string, operands: Tensor[]): Tensor;
export function einsum(equation: string, ...rest: (Tensor | Tensor[])[]): Tensor {
  if (typeof equation !== 'string') throw new TypeError('einsum: the first argument is the equation string');
  const operands = rest.length === 1 && Array.isArray(rest[0]) ? rest[0] : rest;
  if (!operands.every((t) => t instanceof Tensor))
    throw new TypeError('einsum: operands must be tensors (given one by one or as one array)');
  return callOverloads(EINSUM, [equation, operands]) as Tensor;
}

/** Python's torch.unique (see `Tensor.unique`). */
export function unique(
  input: Tensor,
  options?: UniqueOptions & { returnInverse?: false; returnCounts?: false },
): Tensor;
export function unique(
  input: Tensor,
  options: UniqueOptions & { returnInverse: true; returnCounts?: false },
): [Tensor, Tensor];
export function unique(
  input: Tensor,
  options: UniqueOptions & { returnInverse?: false; returnCounts: true },
): [Tensor, Tensor];
export function unique(
  input: Tensor,
  options: UniqueOptions & { returnInverse: true; returnCounts: true },
): [Tensor, Tensor, Tensor];
export function unique(input: Tensor, options: UniqueOptions = {}): Tensor | Tensor[] {
  return (input.unique as (o: UniqueOptions) => Tensor | Tensor[])(options);
}

/** Python's torch.nonzero (see `Tensor.nonzero`). */
export function nonzero(input: Tensor, options?: { asTuple?: false }): Tensor;
export function nonzero(input: Tensor, options: { asTuple: true }): Tensor[];
export function nonzero(input: Tensor, options: { asTuple?: boolean } = {}): Tensor | Tensor[] {
  return options.asTuple ? input.nonzero({ asTuple: true }) : input.nonzero();
}
