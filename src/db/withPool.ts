import type pg from 'pg';
import { UsageError } from '../usageError.ts';
import { openDatabase } from './database.ts';
import { createPool, redactUrl } from './pool.ts';

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
