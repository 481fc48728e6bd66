import type pg from 'pg';

/** The database could not be reached within the start-up budget. */
export class DatabaseUnreachableError extends Error {
  readonly host: string;
  readonly port: string;
  constructor(url: string, seconds: number, options: ErrorOptions) {
    const parsed = new URL(url);
    const host = parsed.hostname || 'localhost';
    const port = parsed.port || '5432';
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      `cannot reach the database at ${host}:${port} after ${seconds} s (${reason}); check DATABASE_URL and that PostgreSQL is running`,
      options,
    );
    this.name = 'DatabaseUnreachableError';
    this.host = host;
    this.port = port;
  }
}

/**
 * Waits until the pool can run a query, retrying with backoff (250 ms doubling to 5 s) for up to
 * `timeoutSeconds`: a database that is briefly down at start-up (a restart, a pod scheduled first) is fine.
 */
export async function waitForDatabase(pool: pg.Pool, url: string, timeoutSeconds: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let delay = 250;
  for (;;) {
    try {
      await pool.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() + delay > deadline)
        throw new DatabaseUnreachableError(url, timeoutSeconds, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
