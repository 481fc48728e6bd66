import { setTimeout as sleep } from 'node:timers/promises';
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

/** The last error of a step that was still failing when its time ran out. */
class GaveUp {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/**
 * Runs `run` until it succeeds, again after each error `retryable` accepts, with backoff (250 ms doubling to
 * 5 s) for up to `timeoutSeconds`; rethrows any other error, and throws GaveUp with the last one at the deadline.
 */
async function retryWithBackoff<T>(
  run: () => Promise<T>,
  timeoutSeconds: number,
  retryable: (error: unknown) => boolean,
  onRetry: (error: unknown, delayMs: number) => void = () => {},
  signal?: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let delay = 250;
  for (;;) {
    try {
      return await run();
    } catch (error) {
      if (!retryable(error)) throw error;
      if (Date.now() + delay > deadline) throw new GaveUp(error);
      onRetry(error, delay);
      // Aborted (the worker shutting down, the lease lost): the wait ends with the signal's reason.
      await sleep(delay, undefined, { signal });
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

/**
 * Waits until the pool can run a query, retrying with backoff for up to `timeoutSeconds`: a database that is
 * briefly down at start-up (a restart, a pod scheduled first) is fine.
 */
export async function waitForDatabase(pool: pg.Pool, url: string, timeoutSeconds: number): Promise<void> {
  try {
    await retryWithBackoff(
      () => pool.query('SELECT 1'),
      timeoutSeconds,
      () => true,
    );
  } catch (error) {
    if (!(error instanceof GaveUp)) throw error;
    throw new DatabaseUnreachableError(url, timeoutSeconds, { cause: error.error });
  }
}

/**
 * Node's socket errors and PostgreSQL's connection classes (08; 57P01–57P03: terminated, shutting down,
 * starting up; 53300: no connection slot left).
 */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/**
 * The error says the connection went away or could not be had (not that the statement was wrong): trying
 * again may succeed. pg's pool says "timeout exceeded when trying to connect" when none came in time.
 */
export function isConnectionLost(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08'))) return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|connection ended|connection error|timeout exceeded when trying to connect/i.test(
      message,
    )
  );
}

/**
 * Runs a step that is safe to repeat, again after each lost connection, with the start-up backoff, until
 * `timeoutSeconds` pass; then (or on any other error) throws the last error as it is. An abort of `signal`
 * ends the waiting at once, with the signal's reason.
 */
export async function retryAfterLostConnection<T>(
  run: () => Promise<T>,
  timeoutSeconds: number,
  onRetry: (error: unknown, delayMs: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  try {
    return await retryWithBackoff(run, timeoutSeconds, isConnectionLost, onRetry, signal);
  } catch (error) {
    throw error instanceof GaveUp ? error.error : error;
  }
}

export interface StartupStepOptions {
  /** What the step does, for the log and the final error: "register the worker". */
  step: string;
  timeoutSeconds: number;
  /** Told each time the step lost its connection and is tried again after `delayMs`. */
  onRetry: (error: unknown, delayMs: number) => void;
}

/**
 * Runs a start-up step, again after a lost connection (a terminated backend, a restarting server), with the
 * same backoff as waitForDatabase, for up to `timeoutSeconds`. Only steps that are safe to repeat may use it.
 * Any other error, or a connection still lost at the deadline, is thrown naming the step.
 */
export async function retryStartupStep<T>(run: () => Promise<T>, options: StartupStepOptions): Promise<T> {
  try {
    return await retryAfterLostConnection(run, options.timeoutSeconds, options.onRetry);
  } catch (error) {
    // Still a lost connection: the deadline came before the database did.
    if (!isConnectionLost(error)) throw error;
    throw new Error(
      `could not ${options.step}: the database connection kept failing for ${options.timeoutSeconds} s ` +
        `(${(error as Error).message}); check that PostgreSQL is up and accepting connections`,
      { cause: error },
    );
  }
}
