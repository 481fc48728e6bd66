import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';

export interface ScheduledRound {
  roundId: number;
  runsCreated: number;
}

/**
 * Starts a tracking round (sql/090_schedule_round.sql). With `scheduledFor` (a cron tick) every replica
 * that fires the same tick gets the same round, so N replicas make one round.
 */
export async function scheduleRound(
  db: Db,
  reason: string,
  scheduledFor: Date | null,
): Promise<ScheduledRound> {
  const { rows } = await sql<{ round_id: number; runs_created: string }>`
    SELECT * FROM schedule_round(${reason}::text, ${scheduledFor}::timestamptz)`.execute(db);
  const row = rows[0];
  if (!row) throw new Error('schedule_round returned no row');
  return { roundId: row.round_id, runsCreated: Number(row.runs_created) };
}
