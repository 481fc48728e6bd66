import type { Queryable } from '../db/queryable.ts';
import type { Lease } from '../job/claimedRun.ts';

/** Gives the run back without charging the attempt (sql/060_release_prompt_run.sql). */
export async function releasePromptRun(db: Queryable, lease: Lease): Promise<boolean> {
  const { rows } = await db.query<{ held: boolean }>({
    name: 'avt_release_prompt_run',
    text: 'SELECT release_prompt_run($1::bigint, $2::uuid) AS held',
    values: [lease.runId, lease.leaseToken],
  });
  return rows[0]?.held === true;
}
