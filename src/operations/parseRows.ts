import { CsvError, parse } from 'csv-parse/sync';
import { InvalidInputError } from './errors.ts';

/** How a row's fields are typed: JSON values, or the text of CSV cells. */
export type RowsFormat = 'json' | 'csv';

/** How an upload is written: a JSON array, JSON Lines (a JSON value per line) or CSV. */
export type UploadFormat = RowsFormat | 'jsonl';

/**
 * A row of an upload, numbered as its author counts: CSV, its line (the header being line 1); JSON Lines,
 * its line; a JSON array, its place from 1.
 */
export interface SourceRow {
  row: number;
  /** The fields it gives, by column name; a CSV row's values are its cells' text, empty cells left out. */
  fields: Record<string, unknown>;
}

/** Why one row was left out; the others go on. */
export interface RowError {
  row: number;
  message: string;
}

export interface ParsedRows {
  format: RowsFormat;
  rows: SourceRow[];
  errors: RowError[];
}

/** The rows an operation takes. */
export interface RowShape {
  /** Every field a row may have, in the order messages list them. */
  columns: readonly string[];
  /** The field a CSV header must name. */
  required: string;
  /** The field a bare JSON string fills (a prompt's text); undefined: every row is an object. */
  plainString?: string;
}

/**
 * Reads an upload into rows: a JSON array of objects (or of strings, where the shape allows), JSON Lines
 * (one such object or string per line; blank lines skipped), or CSV whose first line names the columns. A
 * row with an unknown field or of the wrong kind, or a JSON line that is not JSON, is an error of its own;
 * an upload that cannot be read as a whole (not JSON, not an array, a broken quote, an unknown CSV
 * column, no rows) is an InvalidInputError, and nothing is taken from it.
 */
export function parseRows(text: string, format: UploadFormat, shape: RowShape): ParsedRows {
  if (format === 'json') return parseJsonRows(text, shape);
  if (format === 'jsonl') return parseJsonLines(text, shape);
  return parseCsvRows(text, shape);
}

const columnList = (shape: RowShape) => shape.columns.join(', ');
const shown = (value: unknown) => JSON.stringify(value)?.slice(0, 60) ?? String(value);

function parseJsonRows(text: string, shape: RowShape): ParsedRows {
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`the body is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(items)) {
    throw new InvalidInputError(
      `expected a JSON array of rows, got ${items === null ? 'null' : typeof items}`,
    );
  }
  if (items.length === 0) throw new InvalidInputError('no rows: the array is empty');
  const parsed: ParsedRows = { format: 'json', rows: [], errors: [] };
  items.forEach((item: unknown, index) => {
    addJsonRow(parsed, index + 1, item, shape);
  });
  return parsed;
}

function parseJsonLines(text: string, shape: RowShape): ParsedRows {
  const parsed: ParsedRows = { format: 'json', rows: [], errors: [] };
  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch (error) {
      parsed.errors.push({ row: index + 1, message: `is not JSON: ${(error as Error).message}` });
      return;
    }
    addJsonRow(parsed, index + 1, item, shape);
  });
  if (parsed.rows.length === 0 && parsed.errors.length === 0) {
    throw new InvalidInputError(`no rows: the JSON Lines text is empty; write one row a line`);
  }
  return parsed;
}

/** One JSON value as a row of `parsed`, or as an error of its own. */
function addJsonRow(parsed: ParsedRows, row: number, item: unknown, shape: RowShape): void {
  if (typeof item === 'string' && shape.plainString) {
    parsed.rows.push({ row, fields: { [shape.plainString]: item } });
    return;
  }
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    const kind = `an object with ${columnList(shape)}${shape.plainString ? ', or a string' : ''}`;
    parsed.errors.push({ row, message: `must be ${kind}, got ${shown(item)}` });
    return;
  }
  const unknown = Object.keys(item).filter((key) => !shape.columns.includes(key));
  if (unknown.length > 0) {
    parsed.errors.push({
      row,
      message: `unknown field ${unknown.map((key) => `'${key}'`).join(', ')}; the fields are ${columnList(shape)}`,
    });
    return;
  }
  // null stands for "not given", as an empty CSV cell does.
  const fields = Object.fromEntries(Object.entries(item).filter(([, value]) => value !== null));
  parsed.rows.push({ row, fields });
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The line each record starts on. csv-parse reports the line a record ends on (and counts a CRLF inside
 * quotes as two), so the start is found from the byte offset where the previous record ended, past the
 * empty lines it skipped.
 */
function startLines(input: Buffer, recordEnds: readonly number[]): number[] {
  const lines: number[] = [];
  let line = 1;
  let counted = 0;
  let start = 0;
  for (const end of recordEnds) {
    let at = start;
    while (at < input.length && (input[at] === CR || input[at] === LF)) at += 1;
    for (; counted < at; counted += 1) if (input[counted] === LF) line += 1;
    lines.push(line);
    start = end;
  }
  return lines;
}

function parseCsvRows(text: string, shape: RowShape): ParsedRows {
  const input = Buffer.from(text.startsWith('\uFEFF') ? text.slice(1) : text, 'utf8');
  let records: { record: string[]; info: { bytes: number } }[];
  try {
    // With `info`, each record comes as { record, info }; the declared return type does not say so.
    records = parse(input, { info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as {
      record: string[];
      info: { bytes: number };
    }[];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    throw new InvalidInputError(`the CSV cannot be read: ${error.message}`, { cause: error });
  }
  const [header, ...body] = records;
  if (!header) {
    throw new InvalidInputError(
      `no rows: the CSV is empty; its first line names the columns (${columnList(shape)})`,
    );
  }
  const columns = header.record.map((name) => name.trim().toLowerCase());
  columns.forEach((name, index) => {
    if (name === '') throw new InvalidInputError(`line 1: column ${index + 1} of the header has no name`);
    if (!shape.columns.includes(name)) {
      throw new InvalidInputError(`line 1: unknown column '${name}'; the columns are ${columnList(shape)}`);
    }
    if (columns.indexOf(name) !== index) {
      throw new InvalidInputError(`line 1: the column '${name}' appears twice`);
    }
  });
  if (!columns.includes(shape.required)) {
    throw new InvalidInputError(
      `line 1: the header has no '${shape.required}' column (${columnList(shape)})`,
    );
  }
  if (body.length === 0)
    throw new InvalidInputError('no rows: the CSV has a header line and nothing after it');
  const lines = startLines(
    input,
    records.map((entry) => entry.info.bytes),
  );
  const parsed: ParsedRows = { format: 'csv', rows: [], errors: [] };
  body.forEach(({ record }, index) => {
    const row = lines[index + 1] ?? 0;
    if (record.length !== columns.length) {
      parsed.errors.push({
        row,
        message: `has ${record.length} field(s), the header names ${columns.length} (${columns.join(', ')})`,
      });
      return;
    }
    const fields: Record<string, unknown> = {};
    columns.forEach((name, i) => {
      const cell = record[i] ?? '';
      if (cell !== '') fields[name] = cell;
    });
    parsed.rows.push({ row, fields });
  });
  return parsed;
}
