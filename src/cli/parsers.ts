import { InvalidArgumentError } from 'commander';

/** A commander argument parser for whole numbers in [min, max], with a message that names the bad value. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}, got '${value}'`);
    }
    return n;
  };
}

/** A comma-separated list, items trimmed, empty ones dropped. */
export function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
