import type pg from 'pg';
import type { ServeContext } from '../context.ts';
import { ApiError } from '../errors.ts';

export type PageRead<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * A page's results, read through the replica's cache (the API's reads share it); a request the queries
 * refuse (an unknown source or brand, a bad cursor) comes back as its message, for the page to show with 400.
 */
export async function readForPage<T>(
  context: ServeContext,
  key: string,
  read: (client: pg.PoolClient) => Promise<T>,
): Promise<PageRead<T>> {
  try {
    const { value } = await context.results.read(`page:${key}`, read);
    return { ok: true, value };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: error.message };
    throw error;
  }
}
