import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';

/** A row of the queue_health view (sql/080), counts as numbers, with the source's pause reason. */
export interface QueueHealth {
  ai_source: string;
  enabled: boolean;
  /** ISO 8601; 'infinity' = until resumed; null = not paused. */
  paused_until: string | null;
  pause_reason: string | null;
  max_concurrency: number | null;
  eligible: number;
  delayed: number;
  running: number;
  expired_leases: number;
  done: number;
  dead: number;
  cancelled: number;
  /** Seconds the oldest eligible run has waited; null when none waits. */
  oldest_eligible_age: number | null;
}

/** The queue per source, by name. */
export async function listQueueHealth(db: Db): Promise<QueueHealth[]> {
  // The counts are bigint, which pg hands over as text.
  type Counted = 'eligible' | 'delayed' | 'running' | 'expired_leases' | 'done' | 'dead' | 'cancelled';
  const { rows } = await sql<Omit<QueueHealth, Counted> & Record<Counted, string>>`
    SELECT q.ai_source, q.enabled, to_json(q.paused_until) #>> '{}' AS paused_until, s.pause_reason,
           q.max_concurrency, q.eligible, q.delayed, q.running, q.expired_leases, q.done, q.dead, q.cancelled,
           extract(epoch FROM q.oldest_eligible_age)::float8 AS oldest_eligible_age
    FROM queue_health q JOIN ai_sources s ON s.name = q.ai_source
    ORDER BY q.ai_source`.execute(db);
  return rows.map((row) => ({
    ...row,
    eligible: Number(row.eligible),
    delayed: Number(row.delayed),
    running: Number(row.running),
    expired_leases: Number(row.expired_leases),
    done: Number(row.done),
    dead: Number(row.dead),
    cancelled: Number(row.cancelled),
  }));
}

/** Whether a source's pause holds now: until resumed ('infinity') or until a time still ahead. */
export function isPausedNow(row: Pick<QueueHealth, 'paused_until'>): boolean {
  const until = row.paused_until;
  return until !== null && (until === 'infinity' || Date.parse(until) > Date.now());
}
