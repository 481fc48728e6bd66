import pg from 'pg';
import type { Logger } from 'pino';

// bigint ids (prompt_runs.id, responses.id) stay strings: JS numbers lose precision past 2^53.
// count(*) and other int8 aggregates come back as strings too; callers convert where they need a number.

/** The settings an operator gives a long-running process's pool (DB_POOL_MAX and friends, src/cli). */
export interface PoolSettings {
  /** DB_POOL_MAX; undefined: the process's own default. */
  max?: number | undefined;
  /** DB_STATEMENT_TIMEOUT_MS: sent as the session's statement_timeout; undefined or 0: the server's. */
  statementTimeoutMs?: number | undefined;
  /** DB_IDLE_TIMEOUT_MS: an idle pooled connection is closed after this long. */
  idleTimeoutMs?: number | undefined;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

export interface PoolOptions extends PoolSettings {
  /** Shown in pg_stat_activity, e.g. `avt-worker:chatgpt:2`. */
  applicationName: string;
  logger?: Logger;
}

/** A pg pool whose connection errors (a killed backend, a restarted server) are logged, not thrown. */
export function createPool(connectionString: string, options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    application_name: options.applicationName,
    max: options.max ?? 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  pool.on('error', (error) => {
    options.logger?.warn({ event: 'pool:error', err: error }, 'idle database connection failed');
  });
  // A checked-out client whose backend dies (pg_terminate_backend, a server restart) emits 'error' too;
  // unhandled, that would crash the process. The query in flight still fails and its caller handles it.
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      options.logger?.warn({ event: 'pool:client:error', err: error }, 'database connection failed');
    });
  });
  return pool;
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable database URL>';
  }
}
