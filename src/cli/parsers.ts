import { InvalidArgumentError, Option } from 'commander';

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

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

/** A yes/no value, from the command line or an environment variable: 1/0, true/false, yes/no, on/off. */
function boolean(value: string): boolean {
  const folded = value.trim().toLowerCase();
  if (TRUE.includes(folded)) return true;
  if (FALSE.includes(folded)) return false;
  throw new InvalidArgumentError(`must be one of ${[...TRUE, ...FALSE].join(', ')}, got '${value}'`);
}

/**
 * A switch that its environment variable can turn on or off: `--once` alone is on, and WORKER_ONCE=0 is
 * off (commander alone would take any value of the variable, even 0, as on). A `--no-` switch is the
 * reverse: `--no-migrate` and NO_MIGRATE=1 turn migration off, NO_MIGRATE=0 leaves it on.
 */
export function switchOption(flags: string, description: string, envVar: string): Option {
  const parse = flags.startsWith('--no-') ? (value: string) => !boolean(value) : boolean;
  return new Option(`${flags} [boolean]`, description).env(envVar).preset('true').argParser(parse);
}
