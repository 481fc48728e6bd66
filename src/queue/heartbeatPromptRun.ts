import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';
import type { Lease } from './claimedRun.ts';

/** Extends the lease; false when it is no longer ours (sql/030_heartbeat_prompt_run.sql). */
export async function heartbeatPromptRun(db: Db, lease: Lease, leaseSeconds?: number): Promise<boolean> {
  const { rows } = await sql<{ held: boolean }>`
    SELECT heartbeat_prompt_run(${lease.runId}::bigint, ${lease.leaseToken}::uuid, ${leaseSeconds ?? null}::integer)
      AS held`.execute(db);
  return rows[0]?.held === true;
}
