import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';
import { InvalidInputError } from './errors.ts';
import { requireSource } from './requireSource.ts';
import { parseTimestamp } from './timestamp.ts';

export interface SourcePause {
  ai_source: string;
  /** ISO 8601; 'infinity' = until resumed; null = not paused. */
  paused_until: string | null;
}

const MAX_REASON_CHARS = 500;

/**
 * Stops the workers of a source from claiming until `until` (an ISO 8601 timestamp in the future), or until
 * it is resumed when left out (paused_until = infinity, as a captcha's pause). Runs already running finish.
 */
export async function pauseSource(
  db: Db,
  name: string,
  options: { until?: string | null; reason?: string | null } = {},
): Promise<SourcePause> {
  const until = options.until ? parseTimestamp('until', options.until) : null;
  if (until && until.getTime() <= Date.now()) {
    throw new InvalidInputError(
      `until (${options.until}) is not in the future: leave it out to pause until resumed`,
    );
  }
  const reason = options.reason?.trim() || null;
  if (reason && reason.length > MAX_REASON_CHARS) {
    throw new InvalidInputError(`reason is ${reason.length} characters long; at most ${MAX_REASON_CHARS}`);
  }
  if (reason?.includes('\0')) throw new InvalidInputError('reason contains a NUL character');
  await requireSource(db, name);
  const { rows } = await sql<{ paused_until: string }>`SELECT to_json(pause_source(
      ${name}::text, ${until?.toISOString() ?? 'infinity'}::timestamptz, ${reason}::text)) #>> '{}' AS paused_until`.execute(
    db,
  );
  return { ai_source: name, paused_until: rows[0]?.paused_until ?? null };
}

/** Lets the workers of a paused source claim again, and wakes them. */
export async function resumeSource(db: Db, name: string): Promise<SourcePause> {
  await requireSource(db, name);
  await sql`SELECT resume_source(${name}::text)`.execute(db);
  return { ai_source: name, paused_until: null };
}
