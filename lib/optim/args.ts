// Python-style call arguments for optimizers and LR schedulers: the leading values positionally, in the Python
// signature's order, then an optional trailing object holding the others by their camelCase keyword names.
// `new StepLR(opt, 30, { gamma: 0.5 })`, `new StepLR(opt, { stepSize: 30 })` and `new StepLR(opt, 30, 0.5)` agree.

type Prefixes<K extends readonly unknown[]> = K extends readonly [...infer I, unknown] ? K | Prefixes<I> : K;
type ValuesOf<O, P extends readonly unknown[]> = { -readonly [I in keyof P]: P[I] extends keyof O ? O[P[I]] : never };
type Rest<O, P extends readonly unknown[]> = Omit<O, P[number] & keyof O>;
type WithRest<O, P extends readonly unknown[]> = P extends unknown
  ? {} extends Rest<O, P>
    ? [...ValuesOf<O, P>, Rest<O, P>?]
    : [...ValuesOf<O, P>, Rest<O, P>]
  : never;

/**
 * The argument lists a Python signature allows, as tuples: for every k, the first k of the positional parameters
 * `K` as values, then an object with the remaining options of `O` (required where `O` requires them).
 *
 * Args:
 *   O: every option by camelCase name (required ones without `?`).
 *   K: the positional parameters in Python's order (keyword-only ones are left out).
 *
 * Example:
 *   type Args = PyArgs<{ stepSize: number; gamma?: number }, ['stepSize', 'gamma']>;
 *   // [{ stepSize: number; gamma?: number }] | [number, { gamma?: number }?] | [number, number, {}?]
 */
export type PyArgs<O, K extends readonly (keyof O)[]> = WithRest<O, Prefixes<K>>;

const isOptionsObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * Reads Python-style arguments (see `PyArgs`) into one options record with the defaults filled in. Errors are
 * Python's TypeErrors, naming `who`: too many positional values, an unknown option, an argument given both ways,
 * a missing required argument.
 *
 * Args:
 *   who: the callee's name for error messages ('StepLR').
 *   positional: the parameter names that may be given positionally, in order.
 *   args: the arguments after the leading fixed ones (optimizer or params).
 *   defaults: every optional parameter with its default; a name in `positional` without a default is required.
 *
 * Example:
 *   const o = pyArgs('StepLR', ['stepSize', 'gamma', 'lastEpoch'], [30, { gamma: 0.5 }], {
 *     gamma: 0.1,
 *     lastEpoch: -1,
 *   });
 *   // { stepSize: 30, gamma: 0.5, lastEpoch: -1 }
 */
export function pyArgs<O extends object>(
  who: string,
  positional: readonly string[],
  args: readonly unknown[],
  defaults: Partial<O>,
): O {
  const last = args[args.length - 1];
  const options = isOptionsObject(last) ? last : {};
  const values = isOptionsObject(last) ? args.slice(0, -1) : args;
  if (values.length > positional.length) {
    throw new TypeError(
      `${who}: takes at most ${positional.length} positional arguments (${positional.join(', ')}), got ${values.length}`,
    );
  }
  const known = new Set([...positional, ...Object.keys(defaults)]);
  const out: Record<string, unknown> = { ...defaults };
  values.forEach((v, i) => {
    if (v !== undefined) out[positional[i]] = v;
  });
  for (const [k, v] of Object.entries(options)) {
    if (!known.has(k)) throw new TypeError(`${who}: unexpected option '${k}' (accepted: ${[...known].join(', ')})`);
    const i = positional.indexOf(k);
    if (i >= 0 && i < values.length && values[i] !== undefined)
      throw new TypeError(`${who}: got multiple values for argument '${k}'`);
    if (v !== undefined) out[k] = v;
  }
  for (const k of positional) if (out[k] === undefined) throw new TypeError(`${who}: missing required argument '${k}'`);
  return out as O;
}
