import { InvalidArgumentError } from 'commander';

export const int = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got '${v}'`);
  return n;
};
export const num = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got '${v}'`);
  return n;
};
export const shape3 = (name: string) => (v: string): [number, number, number] => {
  const parts = v.split(/[x,]/).map(Number);
  if (parts.length !== 3 || !parts.every((p) => Number.isInteger(p) && p > 0)) throw new InvalidArgumentError(`${name} must be DxHxW, e.g. 64x128x128, got '${v}'`);
  return parts as [number, number, number];
};
export const choice = <T extends string>(name: string, values: readonly T[]) => (v: string): T => {
  if (!values.includes(v as T)) throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}, got '${v}'`);
  return v as T;
};
