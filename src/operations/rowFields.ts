import type { RowsFormat } from './parseRows.ts';

/** What is wrong with one field of a row: the row is left out with this message. */
export class RowProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RowProblem';
  }
}

const shown = (value: unknown) => JSON.stringify(value)?.slice(0, 60) ?? String(value);

/** The characters PostgreSQL's btrim in the prompts' checks removes (migrations/0001). */
const EDGE_SPACE = /^[ \t\r\n\f\v]+|[ \t\r\n\f\v]+$/g;

/** Text PostgreSQL can store: no NUL, no unpaired surrogate; the message names the field. */
function storable(name: string, value: string): string {
  if (value.includes('\0')) throw new RowProblem(`${name} contains a NUL character`);
  if (!value.isWellFormed())
    throw new RowProblem(`${name} contains an unpaired surrogate (not valid Unicode)`);
  return value;
}

/**
 * A text field, or undefined when not given. Blank text is refused; `max` counts characters after trimming.
 * `trim`: return it trimmed (names), else as given (a prompt is stored verbatim).
 */
export function readText(
  fields: Record<string, unknown>,
  name: string,
  options: { max: number; trim: boolean },
): string | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new RowProblem(`${name} must be text, got ${shown(value)}`);
  storable(name, value);
  const trimmed = value.replace(EDGE_SPACE, '');
  if (trimmed === '') throw new RowProblem(`${name} is blank`);
  const length = [...trimmed].length;
  if (length > options.max) {
    throw new RowProblem(`${name} is ${length} characters long; at most ${options.max}`);
  }
  return options.trim ? trimmed : value;
}

/** A whole number in [min, max]: a JSON number, or a CSV cell's digits. */
export function readInteger(
  fields: Record<string, unknown>,
  name: string,
  format: RowsFormat,
  range: { min: number; max: number },
): number | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  const number =
    format === 'json'
      ? typeof value === 'number'
        ? value
        : Number.NaN
      : typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isInteger(number) || number < range.min || number > range.max) {
    throw new RowProblem(
      `${name} must be a whole number from ${range.min} to ${range.max}, got ${shown(value)}`,
    );
  }
  return number;
}

const CSV_TRUE = new Set(['true', 'yes', '1']);
const CSV_FALSE = new Set(['false', 'no', '0']);

/** true or false: a JSON boolean, or a CSV cell's true/false, yes/no, 1/0. */
export function readBoolean(
  fields: Record<string, unknown>,
  name: string,
  format: RowsFormat,
): boolean | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (format === 'json' && typeof value === 'boolean') return value;
  if (format === 'csv' && typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (CSV_TRUE.has(word)) return true;
    if (CSV_FALSE.has(word)) return false;
  }
  const words = format === 'json' ? 'true or false' : 'true or false (or yes/no, 1/0)';
  throw new RowProblem(`${name} must be ${words}, got ${shown(value)}`);
}

/**
 * A list of texts, each trimmed: a JSON array of strings, or a CSV cell with `;` between the entries
 * (empty entries dropped). Each entry at most `max` characters and, when given, matching `pattern`.
 */
export function readList(
  fields: Record<string, unknown>,
  name: string,
  format: RowsFormat,
  options: { max: number; maxEntries: number; pattern?: { test: RegExp; says: string } },
): string[] | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  let entries: string[];
  if (format === 'csv' && typeof value === 'string') {
    entries = value
      .split(';')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
  } else if (format === 'json' && Array.isArray(value) && value.every((entry) => typeof entry === 'string')) {
    entries = value.map((entry: string) => entry.trim());
    if (entries.includes('')) throw new RowProblem(`${name} has a blank entry`);
  } else {
    const kind = format === 'json' ? 'an array of strings' : 'text with ; between the entries';
    throw new RowProblem(`${name} must be ${kind}, got ${shown(value)}`);
  }
  if (entries.length > options.maxEntries) {
    throw new RowProblem(`${name} has ${entries.length} entries; at most ${options.maxEntries}`);
  }
  for (const entry of entries) {
    storable(name, entry);
    if ([...entry].length > options.max) {
      throw new RowProblem(`${name}: ${shown(entry)} is longer than ${options.max} characters`);
    }
    if (options.pattern && !options.pattern.test.test(entry)) {
      throw new RowProblem(`${name}: ${shown(entry)} is not ${options.pattern.says}`);
    }
  }
  return entries;
}
