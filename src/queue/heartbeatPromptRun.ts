import type { Queryable } from '../db/queryable.ts';
import type { Lease } from '../job/claimedRun.ts';

/** Extends the lease; false when it is no longer ours (sql/030_heartbeat_prompt_run.sql). */
export async function heartbeatPromptRun(
  db: Queryable,
  lease: Lease,
  leaseSeconds?: number,
): Promise<boolean> {
  const { rows } = await db.query<{ held: boolean }>({
    name: 'avt_heartbeat_prompt_run',
    text: 'SELECT heartbeat_prompt_run($1::bigint, $2::uuid, $3::integer) AS held',
    values: [lease.runId, lease.leaseToken, leaseSeconds ?? null],
  });
  return rows[0]?.held === true;
}
