// Which dtype plain JS numbers give in the factories that infer one (torch.tensor, arange, full).
// Python tells `1` from `1.0`; JavaScript cannot, so `torch.tensor([1.0, 2.0])` written in TypeScript
// reaches us as [1, 2]. The rule in force is measured against a corpus of PyTorch documentation
// snippets translated literally (test/literals); the other candidates stay selectable for that measurement.

/** A factory whose dtype, without an explicit `dtype`, follows from the JS numbers it is given. */
export type LiteralFactory = 'tensor' | 'arange' | 'full';

/** The dtype integer-valued JS numbers give in `factory`, when no dtype is passed and no value is a bigint. */
type IntegerRule = (factory: LiteralFactory, requiresGrad: boolean) => 'int64' | 'float32';

/**
 * The candidate rules, by name:
 * - `python-int`: integer-valued numbers are Python ints: an all-integer `tensor` or `arange` gives int64
 *   (`full` gives float32, as the library did before the rule was measured);
 * - `float`: a JS number always gives the default float dtype (float32); int64 data is written as bigints
 *   or with `{ dtype: 'int64' }`;
 * - `inferred`: `python-int`, except where the factory tells float-ness: with `requiresGrad: true` integers
 *   give float32 (only floating tensors can require gradients);
 * - `float-arange-int`: `float`, except that an all-integer `arange` gives int64 (a range of positions).
 */
export const LITERAL_RULES: Readonly<Record<string, IntegerRule>> = {
  'python-int': (factory) => (factory === 'full' ? 'float32' : 'int64'),
  float: () => 'float32',
  inferred: (factory, requiresGrad) => (requiresGrad || factory === 'full' ? 'float32' : 'int64'),
  'float-arange-int': (factory, requiresGrad) => (factory === 'arange' && !requiresGrad ? 'int64' : 'float32'),
};

/** The rule the library uses (chosen by the corpus measurement; see README "Using the library"). */
export const LITERAL_RULE = 'inferred';

let current: string = LITERAL_RULE;

/** The dtype that integer-valued JS numbers give in `factory` under the rule in force. */
export function integerLiteralDType(factory: LiteralFactory, requiresGrad: boolean): 'int64' | 'float32' {
  return LITERAL_RULES[current](factory, requiresGrad);
}

/** The name of the rule in force. */
export const literalRule = (): string => current;

/**
 * Runs `fn` with another candidate rule in force (for the corpus measurement only; not part of the
 * package's API): the previous rule is restored afterwards, also when `fn` throws.
 */
export function withLiteralRule<T>(rule: string, fn: () => T): T {
  if (!(rule in LITERAL_RULES))
    throw new TypeError(
      `withLiteralRule: unknown rule '${rule}' (expected one of ${Object.keys(LITERAL_RULES).join(', ')})`,
    );
  const previous = current;
  current = rule;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

// Tensors that are int64 only because the rule read integer-valued JS numbers as Python ints, with the
// call that made them, so that an error they cause can say so and name the fix.
const integerOrigins = new WeakMap<object, string>();

/** Records that `t` is int64 because `origin` (e.g. 'torch.arange(4)') got integer-valued JS numbers. */
export function noteIntegerLiteral<T extends object>(t: T, origin: string): T {
  integerOrigins.set(t, origin);
  return t;
}

/** The call that made `t` int64 from integer-valued JS numbers, if it was one. */
export const integerLiteralOrigin = (t: object): string | undefined => integerOrigins.get(t);

/** How the creation call is written with the fix: `torch.arange(4)` becomes `torch.arange(4, { dtype: 'float32' })`. */
const withFloatDType = (origin: string): string => `${origin.slice(0, -1)}, { dtype: 'float32' })`;

// What libtorch's messages say when an op refuses an int64 input for its dtype.
const DTYPE_ERROR = /\bLong\b|long int|int64|floating[ -]point|float or double|\bdtype\b|Integers to negative/i;

/**
 * The hint appended to an error about dtypes raised by an op on int64 tensors: the call whose integer-valued
 * JS numbers made an argument int64, written with the fix, or, when no argument's origin is known, the rule
 * and the fix in general. Empty when the error is not about dtypes or no argument is int64.
 */
export function integerDTypeHint(message: string, tensors: { dtype: string }[]): string {
  const ints = tensors.filter((t) => t.dtype === 'int64');
  if (ints.length === 0 || !DTYPE_ERROR.test(message)) return '';
  const origin = ints.map((t) => integerOrigins.get(t)).find((o) => o !== undefined);
  if (origin !== undefined) {
    return (
      ` (an argument is int64 because ${origin} got only integer-valued JS numbers, which read as Python ints; ` +
      `where the Python code wrote floats (1.0, 2.) pass { dtype: 'float32' }: ${withFloatDType(origin)})`
    );
  }
  return (
    ' (an argument is int64; torch.tensor and arange read integer-valued JS numbers as Python ints, so where the ' +
    "Python code wrote floats (1.0, 2.) pass { dtype: 'float32' } to the factory, or convert with .float())"
  );
}
