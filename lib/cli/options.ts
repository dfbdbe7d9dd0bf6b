// Argument parsers of the command-line options: each names the option in its error.
import { InvalidArgumentError } from 'commander';
import type { Shape3 } from '../data/resize.js';

/** An integer option. */
export const int =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got '${v}'`);
    return n;
  };

/** A finite number option. */
export const num =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got '${v}'`);
    return n;
  };

/** A `DxHxW` (or `D,H,W`) option of three positive integers. */
export const shape3 =
  (name: string) =>
  (v: string): Shape3 => {
    const [d, h, w, ...rest] = v.split(/[x,]/).map(Number);
    const ok = (p: number | undefined): p is number => p !== undefined && Number.isInteger(p) && p > 0;
    if (!ok(d) || !ok(h) || !ok(w) || rest.length)
      throw new InvalidArgumentError(`${name} must be DxHxW, e.g. 64x128x128, got '${v}'`);
    return [d, h, w];
  };

/** An option that is one of `values`. */
export const choice =
  <T extends string>(name: string, values: readonly T[]) =>
  (v: string): T => {
    const found = values.find((x) => x === v);
    if (found === undefined) throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}, got '${v}'`);
    return found;
  };
