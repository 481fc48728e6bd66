import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';
import { InvalidInputError } from './errors.ts';
import { requireSource } from './requireSource.ts';
import { parseTimestamp } from './timestamp.ts';

/** Which dead runs to retry; the filters combine, and an absent one matches every run. */
export interface RetryFilter {
  aiSource?: string | null;
  /** An ISO 8601 timestamp: runs that went dead at or after it. */
  since?: string | null;
  runIds?: readonly number[] | null;
}

/** The most run ids one call takes. */
export const MAX_RUN_IDS = 10_000;

/**
 * Queues dead runs again with a full set of attempts, due now, and wakes the workers of their sources
 * (retry_dead_runs, sql/170). Returns how many were queued again.
 */
export async function retryDeadRuns(db: Db, filter: RetryFilter = {}): Promise<number> {
  const since = filter.since ? parseTimestamp('since', filter.since) : null;
  const runIds = filter.runIds ?? null;
  if (runIds) {
    if (runIds.length === 0) throw new InvalidInputError('run_ids is empty: leave it out to retry every run');
    if (runIds.length > MAX_RUN_IDS) {
      throw new InvalidInputError(`run_ids has ${runIds.length} ids; at most ${MAX_RUN_IDS} at once`);
    }
    const bad = runIds.find((id) => !Number.isSafeInteger(id) || id < 1);
    if (bad !== undefined)
      throw new InvalidInputError(`run_ids must be run ids (whole numbers from 1), got ${bad}`);
  }
  if (filter.aiSource) await requireSource(db, filter.aiSource);
  const { rows } = await sql<{ retried: number }>`SELECT retry_dead_runs(
      ${filter.aiSource ?? null}::text, ${since?.toISOString() ?? null}::timestamptz, ${runIds}::bigint[]) AS retried`.execute(
    db,
  );
  return rows[0]?.retried ?? 0;
}
