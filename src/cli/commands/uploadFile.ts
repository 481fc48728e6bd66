import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { RowError, UploadFormat } from '../../operations/parseRows.ts';
import { UsageError } from '../../usageError.ts';

/** The exit code of an upload some of whose rows were refused: the good ones are in (1 would be a failure). */
export const SOME_ROWS_REFUSED = 3;

const FORMATS: Record<string, UploadFormat> = {
  '.csv': 'csv',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** A file an operator uploads, its format told by its extension. */
export async function readUpload(path: string): Promise<{ text: string; format: UploadFormat }> {
  const format = FORMATS[extname(path).toLowerCase()];
  if (!format) {
    throw new UsageError(
      `cannot tell the format of '${path}': name it .csv (a header line first), .json (an array) or .jsonl (a row a line)`,
    );
  }
  try {
    return { text: await readFile(path, 'utf8'), format };
  } catch (error) {
    throw new UsageError(`cannot read '${path}': ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Prints each refused row as `FILE:ROW: message` on stderr (ROW is a line number in CSV and JSON Lines, a
 * place from 1 in a JSON array), and sets the exit code when there is one.
 */
export function reportRefusedRows(path: string, errors: readonly RowError[]): void {
  for (const error of errors) console.error(`${path}:${error.row}: ${error.message}`);
  if (errors.length > 0) process.exitCode = SOME_ROWS_REFUSED;
}
