import type pg from 'pg';
import { openDatabase } from '../db/database.ts';
import { createPool, redactUrl } from '../db/pool.ts';
import { UsageError } from '../usageError.ts';

/**
 * Runs `fn` with a pool (of `max` connections) on DATABASE_URL, or the embedded server, whose URL `fn` also
 * gets; then closes everything.
 */
export async function withPool<T>(
  applicationName: string,
  fn: (pool: pg.Pool, url: string) => Promise<T>,
  max = 2,
): Promise<T> {
  const database = await openDatabase();
  const pool = createPool(database.url, { applicationName, max });
  try {
    await pool.query('SELECT 1').catch((error: Error) => {
      throw new UsageError(`cannot reach the database at ${redactUrl(database.url)}: ${error.message}`, {
        cause: error,
      });
    });
    return await fn(pool, database.url);
  } finally {
    await pool.end();
    await database.release();
  }
}

/** Prints rows as an aligned text table, like psql. */
export function formatTable(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = Object.keys(rows[0] ?? {});
  const cell = (value: unknown) =>
    value === null || value === undefined
      ? ''
      : value instanceof Date
        ? value.toISOString()
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  return [
    line(columns),
    widths.map((w) => '-'.repeat(w)).join('-+-'),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
  ].join('\n');
}
