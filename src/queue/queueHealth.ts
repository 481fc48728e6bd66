import type pg from 'pg';

export interface QueueHealthRow {
  ai_source: string;
  enabled: boolean;
  max_concurrency: number | null;
  eligible: string;
  delayed: string;
  running: string;
  expired_leases: string;
  done: string;
  dead: string;
  cancelled: string;
  oldest_eligible_age: string | null;
  paused_until: Date | null;
}

/** The queue_health view, one row per source. */
export async function readQueueHealth(pool: pg.Pool): Promise<QueueHealthRow[]> {
  const { rows } = await pool.query<QueueHealthRow>(
    `SELECT ai_source, enabled, max_concurrency, eligible, delayed, running, expired_leases, done, dead,
            cancelled, date_trunc('second', oldest_eligible_age)::text AS oldest_eligible_age, paused_until
     FROM queue_health ORDER BY ai_source`,
  );
  return rows;
}
