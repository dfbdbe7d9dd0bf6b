// The argument rule of lib/nn: after the required arguments, Python's optional parameters in Python's
// order, positionally, optionally followed by one options object with Python's keyword names in
// camelCase (`F.softmax(x, 1)`, `F.softmax(x, { dim: 1 })`, `F.dropout(x, 0.2, { training })`).
// Deprecated `size_average` / `reduce` and private `_stacklevel` are not parameters.
import { Tensor } from '../../torch/tensor.js';

/** The positional tuple of the keys `N` of the options type `O`, in order. */
export type Positional<O, N extends readonly (keyof O)[]> = { -readonly [I in keyof N]: O[N[I]] };
/** Every prefix of `P`, each optionally followed by the options object `O`. */
export type PrefixArgs<P extends readonly unknown[], O> = P extends readonly [infer H, ...infer R]
  ? [] | [options: O] | [H, ...PrefixArgs<R, O>]
  : [] | [options: O];
/** The optional arguments of a function: the positional prefix of the keys `N` of `O`, then optionally `O`. */
export type KwArgs<O, N extends readonly (keyof O)[]> = PrefixArgs<Positional<O, N>, O>;

/** A plain object literal (the options object), as opposed to a tensor, an array or a class instance. */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Tensor) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Merges the optional arguments `args` of `fn` into one options object: positional values take the
 * names `names` in order; a trailing options object adds keywords (those in `names` or `keywordOnly`).
 * Python's errors: too many positional arguments, a value given twice, an unknown keyword.
 */
export function kwargs<O extends object>(
  fn: string,
  names: readonly (keyof O & string)[],
  args: readonly unknown[],
  keywordOnly: readonly (keyof O & string)[] = [],
): O {
  let n = args.length;
  let opts: Record<string, unknown> | undefined;
  if (n > 0 && isOptionsObject(args[n - 1])) opts = args[--n] as Record<string, unknown>;
  if (n > names.length) {
    throw new TypeError(
      `${fn}() takes at most ${names.length} optional positional argument${names.length === 1 ? '' : 's'} (${names.join(', ')}) but ${n} were given`,
    );
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) out[names[i]!] = args[i];
  if (opts) {
    for (const k of Object.keys(opts)) {
      const at = names.indexOf(k as keyof O & string);
      if (at >= 0 && at < n) throw new TypeError(`${fn}() got multiple values for argument '${k}'`);
      if (at < 0 && !keywordOnly.includes(k as keyof O & string)) {
        throw new TypeError(
          `${fn}() got an unexpected keyword argument '${k}' (expected one of ${[...names, ...keywordOnly].join(', ')})`,
        );
      }
      out[k] = opts[k];
    }
  }
  return out as O;
}
